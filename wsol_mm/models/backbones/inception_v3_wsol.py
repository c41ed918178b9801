"""InceptionV3 of wsolevaluation (``wsol/inception.py`` ``InceptionCam``):
torchvision's InceptionV3 up to Mixed_6e with a stride-1 Mixed_6a (a
stride-16 network), plus two new 3x3 convs."""
from typing import List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.models.backbones.inception_v3 import (BasicConv2d,
                                                      InceptionA, InceptionB,
                                                      InceptionC)

from wsol_mm.registry import MODELS
from .wsoleval_init import wsoleval_init_cfg


class StrideOneInceptionB(InceptionB):
    """wsolevaluation's Mixed_6a: InceptionB with stride 1 and padding 1 in
    ``branch3x3``, ``branch3x3dbl_3`` and the max pool (torchvision's is
    stride 2 without padding), so it keeps the spatial size."""

    def __init__(self, in_channels: int):
        super().__init__(in_channels)
        self.branch3x3 = BasicConv2d(in_channels, 384, kernel_size=3,
                                     padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.branch_pool = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)


def _dropout(p: float) -> nn.Module:
    return nn.Dropout(p) if p > 0 else nn.Identity()


@MODELS.register_module()
class InceptionV3WSOL(BaseBackbone):
    """InceptionV3 backbone of wsolevaluation's InceptionV3 CAM / ACoL / SPG
    / ADL.

    Module names are torchvision's, so ``torchvision://inception_v3_google``
    loads without renaming (``Mixed_7*``, ``AuxLogits.*`` and ``fc.*`` are
    unexpected; as in wsolevaluation, no ``transform_input``). Children, run
    in this order (sizes at 224)::

        Conv2d_1a_3x3  stride 2, padding 1 (torchvision: 0)         112
        Conv2d_2a_3x3, Conv2d_2b_3x3 (padding 1)                     110
        maxpool1       MaxPool 3/2 pad 1 ceil (torchvision: 3/2)      56
        Conv2d_3b_1x1, Conv2d_4a_3x3                                  54
        maxpool2       MaxPool 3/2 pad 1 ceil                         28
        Mixed_5b, Mixed_5c, Mixed_5d (288 ch)                         28
        maxpool3       MaxPool 3/2 ceil; nn.Identity when large       14
        Mixed_6a       InceptionB, stride 1, padding 1 (768 ch)       14
        Mixed_6b .. Mixed_6e (768 ch)                                 14
        extra_dropout1 -> extra_conv1 (conv 3x3 768->1024 + ReLU)
        extra_dropout2 -> extra_conv2 (conv 3x3 1024->1024 + ReLU)    14

    ``extra_conv1`` / ``extra_conv2`` are wsolevaluation's ``SPG_A3_1b`` /
    ``SPG_A3_2b`` (each ``nn.Sequential(conv, ReLU)``, so their keys are
    ``extra_conv1.0.weight``, ...). InceptionCam's last dropout and 1x1 class
    conv (``SPG_A4``) are the head's: ``CAMHead(dropout=0.5)`` (GAP then
    Linear equals the 1x1 conv then GAP). Taps: ADL after ``Mixed_5d``
    (before ``maxpool3``), ``Mixed_6e`` and ``extra_conv2``
    (``dropout=0``: InceptionAdl has no dropout); SPG's B1 after
    ``maxpool3`` (288 ch), B2 after ``Mixed_6d`` (not 6e), C after
    ``extra_conv2`` (wsolevaluation's SPG_C reads it after the third
    dropout, the same tensor as SPG_A4). ACoL uses ``with_head=False``: the
    output is Mixed_6e's (768 ch).

    Args:
        large_feature_map (bool): Skip ``maxpool3``: 28x28 maps at 224.
        with_head (bool): Add the dropouts and ``extra_conv1/2``.
        head_channels (int): Channels of ``extra_conv1/2``.
        dropout (float): Probability of ``extra_dropout1/2``; 0 removes them.
        init_mode (str): wsolevaluation's initialisation of the layers that
            no checkpoint overwrites ('xavier' in every Inception class).
        init_cfg (dict | list[dict], optional): applied after that
            initialisation, e.g. ``dict(type='Pretrained',
            checkpoint='torchvision://inception_v3_google')``.

    Returns a one-tuple: the last feature map.
    """

    def __init__(self,
                 large_feature_map: bool = False,
                 with_head: bool = True,
                 head_channels: int = 1024,
                 dropout: float = 0.5,
                 init_mode: str = 'xavier',
                 init_cfg: Optional[Union[dict, List[dict]]] = None):
        if not 0 <= dropout < 1:
            raise ValueError(f'dropout must be in [0, 1), got {dropout}')
        if head_channels <= 0:
            raise ValueError(
                f'head_channels must be positive, got {head_channels}')
        super().__init__(init_cfg=wsoleval_init_cfg(init_mode, init_cfg))
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2,
                                         padding=1)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.maxpool3 = (nn.Identity() if large_feature_map else
                         nn.MaxPool2d(3, stride=2, ceil_mode=True))
        self.Mixed_6a = StrideOneInceptionB(288)
        self.Mixed_6b = InceptionC(768, channels_7x7=128)
        self.Mixed_6c = InceptionC(768, channels_7x7=160)
        self.Mixed_6d = InceptionC(768, channels_7x7=160)
        self.Mixed_6e = InceptionC(768, channels_7x7=192)
        self.out_channels = 768
        if with_head:
            self.extra_dropout1 = _dropout(dropout)
            self.extra_conv1 = nn.Sequential(
                nn.Conv2d(768, head_channels, 3, padding=1), nn.ReLU())
            self.extra_dropout2 = _dropout(dropout)
            self.extra_conv2 = nn.Sequential(
                nn.Conv2d(head_channels, head_channels, 3, padding=1),
                nn.ReLU())
            self.out_channels = head_channels

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        for layer in self.children():
            x = layer(x)
        return (x, )
