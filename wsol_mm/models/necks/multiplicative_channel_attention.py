"""Channel attention of several feature maps through one shared latent."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS


def _norm_act(channels: int, norm_cfg: Optional[dict],
              act_cfg: Optional[dict]) -> nn.Sequential:
    """Normalisation then activation (either may be absent; an empty
    ``nn.Sequential`` is the identity and holds no parameters)."""
    layers = []
    if norm_cfg is not None:
        layers.append(build_norm_layer(norm_cfg, channels)[1])
    if act_cfg is not None:
        layers.append(build_activation_layer(act_cfg))
    return nn.Sequential(*layers)


@MODELS.register_module()
class MultiplicativeChannelAttention(BaseModule):
    """The MCA module of SPOL (Wei et al., CVPR 2021, section 3.3, Fig. 5).

    Each input is globally average pooled and mapped by its own 1x1 conv to
    ``latent_channels`` (optionally followed by ``norm_cfg`` and
    ``act_cfg``); the element-wise product of these vectors is the shared
    latent ``V``; per input, a 1x1 conv back to its channels and a sigmoid
    give the channel attention that multiplies the input.

    The paper's text has no normalisation or activation in the squeeze path
    (the default); the official code puts BN + ReLU after each squeeze conv
    and uses 128 latent channels (``latent_channels=128,
    norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU')``), which makes ``V``
    non-negative.

    Args:
        in_channels (Sequence[int]): Channels of each input, in order.
        latent_channels (int): Channels ``C'`` of the latent vector ``V``.
        norm_cfg (dict, optional): Normalisation after each squeeze conv.
        act_cfg (dict, optional): Activation after it (after the norm).
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 latent_channels: int = 256,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None,
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
        self.latent_norm_acts = nn.ModuleList(
            _norm_act(latent_channels, norm_cfg, act_cfg)
            for _ in self.in_channels)
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
        latent = None
        for conv, norm_act, feat in zip(self.latent_convs,
                                        self.latent_norm_acts, feats):
            vector = norm_act(conv(feat.mean(dim=(2, 3), keepdim=True)))
            latent = vector if latent is None else latent * vector
        return [
            feat * conv(latent).sigmoid()
            for conv, feat in zip(self.attention_convs, feats)
        ]
