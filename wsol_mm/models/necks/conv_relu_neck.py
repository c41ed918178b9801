"""A stack of 3x3 convolutions, each followed by a ReLU."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS
from ..backbones.wsoleval_init import WSOLEVAL_CONV_INIT


@MODELS.register_module()
class ConvReLUNeck(BaseModule):
    """Conv3x3 (padding 1) + ReLU per entry of ``channels``, on the last
    backbone output: VGG16-SPG's new ``SPG_A_3`` of wsolevaluation is
    ``ConvReLUNeck(512, (512, 512))``.

    Args:
        in_channels (int): channels of the backbone's last output.
        channels (Sequence[int]): output channels of each convolution.
        init_cfg (dict): wsolevaluation's ``xavier`` init (xavier_uniform,
            bias 0) by default.
    """

    def __init__(self,
                 in_channels: int,
                 channels: Sequence[int] = (512, 512),
                 init_cfg: Optional[dict] = WSOLEVAL_CONV_INIT['xavier']):
        super().__init__(init_cfg=init_cfg)
        if not channels:
            raise ValueError('channels must name at least one convolution')
        layers = []
        for out_channels in channels:
            layers += [nn.Conv2d(in_channels, out_channels, 3, padding=1),
                       nn.ReLU(inplace=True)]
            in_channels = out_channels
        self.convs = nn.Sequential(*layers)

    def forward(self, inputs: Union[torch.Tensor, Sequence[torch.Tensor]]
                ) -> Tuple[torch.Tensor]:
        """``(convs(last input),)``: the mmpretrain neck convention."""
        if isinstance(inputs, (tuple, list)):
            inputs = inputs[-1]
        return (self.convs(inputs), )
