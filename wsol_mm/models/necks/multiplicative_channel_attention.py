"""Channel attention of several feature maps through one shared latent."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS


@MODELS.register_module()
class MultiplicativeChannelAttention(BaseModule):
    """The MCA module of SPOL (Wei et al., CVPR 2021, section 3.3, Fig. 5).

    Each input is globally average pooled and mapped by its own 1x1 conv to
    ``latent_channels``; the element-wise product of these vectors is the
    shared latent ``V``; per input, a 1x1 conv back to its channels and a
    sigmoid give the channel attention that multiplies the input.

    Args:
        in_channels (Sequence[int]): Channels of each input, in order.
        latent_channels (int): Channels ``C'`` of the latent vector ``V``.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 latent_channels: int = 256,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if len(in_channels) == 0 or min(in_channels) <= 0:
            raise ValueError('in_channels must list positive channel '
                             f'counts, got {in_channels}')
        if latent_channels <= 0:
            raise ValueError(
                f'latent_channels must be positive, got {latent_channels}')
        self.in_channels = list(in_channels)
        self.latent_convs = nn.ModuleList(
            nn.Conv2d(c, latent_channels, 1) for c in self.in_channels)
        self.attention_convs = nn.ModuleList(
            nn.Conv2d(latent_channels, c, 1) for c in self.in_channels)

    def forward(self, feats: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        """Re-weight the channels of the (B, C_i, H_i, W_i) maps ``feats``."""
        if len(feats) != len(self.in_channels):
            raise ValueError(f'feats has {len(feats)} maps, in_channels '
                             f'{self.in_channels} expects '
                             f'{len(self.in_channels)}')
        for i, (feat, channels) in enumerate(zip(feats, self.in_channels)):
            if feat.shape[1] != channels:
                raise ValueError(f'feats[{i}] has {feat.shape[1]} channels, '
                                 f'in_channels[{i}] is {channels}')
        pooled = [feat.mean(dim=(2, 3), keepdim=True) for feat in feats]
        latent = self.latent_convs[0](pooled[0])
        for conv, vector in zip(self.latent_convs[1:], pooled[1:]):
            latent = latent * conv(vector)
        return [
            feat * conv(latent).sigmoid()
            for conv, feat in zip(self.attention_convs, feats)
        ]
