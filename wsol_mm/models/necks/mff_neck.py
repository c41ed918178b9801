"""Fusion of the last backbone stages into one feature map (MFF-Net)."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS
from .multiplicative_channel_attention import MultiplicativeChannelAttention

FUSIONS = ('mul', 'add', 'concat')


def fuse_feature_maps(branches: Sequence[torch.Tensor],
                      fusion: str) -> torch.Tensor:
    """Fuse (B, C, H, W) maps of one size: ``'mul'`` element-wise product
    (SPOL Eq. 1 before its spatial mean, whose gradient w.r.t. one branch is
    the product of the others, Eq. 2), ``'add'`` sum (Eq. 3) or ``'concat'``
    channel concatenation."""
    if fusion not in FUSIONS:
        raise ValueError(f'fusion must be one of {FUSIONS}, got {fusion!r}')
    if len(branches) == 0:
        raise ValueError('branches must hold at least one map, got none')
    if fusion == 'concat':
        return torch.cat(list(branches), dim=1)
    fused = branches[0]
    for branch in branches[1:]:
        fused = fused * branch if fusion == 'mul' else fused + branch
    return fused


@MODELS.register_module()
class MFFNeck(BaseModule):
    """The neck of MFF-Net (SPOL, Wei et al., CVPR 2021, sections 3.2-3.3).

    The last ``num_fused`` backbone outputs go through multiplicative channel
    attention, are each reduced to ``out_channels`` (1x1 conv + BN + ReLU),
    resized bilinearly to the resolution of the shallowest of them and fused.

    ``forward`` returns ``(deepest, fused)``: the reduced deepest branch
    (input of the auxiliary classifier) at its own resolution, or at the
    fused one with ``resize_deepest``, and the fused map, last so that
    ``CAM.extract_feat`` returns it.

    The paper gives no reduction width; the official code reduces to 128
    channels, classifies the deepest branch after upsampling it to the fused
    resolution and resizes with ``align_corners=True``
    (``out_channels=128, resize_deepest=True, align_corners=True``).

    Args:
        in_channels (Sequence[int]): Channels of every backbone output, from
            shallow to deep.
        out_channels (int): Channels of each reduced branch.
        num_fused (int, optional): How many of the deepest outputs to fuse
            (``FuseX`` of SPOL's table 2); all by default.
        fusion (str): ``'mul'``, ``'add'`` or ``'concat'``; ``'concat'``
            gives ``out_channels * num_fused`` channels (``fused_channels``).
        mca (dict, optional): Keyword arguments of
            :class:`MultiplicativeChannelAttention` except ``in_channels``;
            ``None`` fuses without channel attention.
        resize_deepest (bool): Return the deepest branch resized to the
            fused resolution. Defaults to False.
        align_corners (bool): ``align_corners`` of the bilinear resizing.
            Defaults to False.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int = 512,
                 num_fused: Optional[int] = None,
                 fusion: str = 'mul',
                 mca: Optional[dict] = dict(latent_channels=256),
                 resize_deepest: bool = False,
                 align_corners: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = list(in_channels)
        num_fused = len(self.in_channels) if num_fused is None else num_fused
        if not 1 <= num_fused <= len(self.in_channels):
            raise ValueError(
                f'num_fused must be in [1, {len(self.in_channels)}] for '
                f'in_channels {self.in_channels}, got {num_fused}')
        if fusion not in FUSIONS:
            raise ValueError(
                f'fusion must be one of {FUSIONS}, got {fusion!r}')
        self.num_fused = num_fused
        self.fusion = fusion
        self.resize_deepest = resize_deepest
        self.align_corners = align_corners
        self.fused_channels = (
            out_channels * num_fused if fusion == 'concat' else out_channels)
        fused_in_channels = self.in_channels[-num_fused:]
        self.mca = (
            MultiplicativeChannelAttention(fused_in_channels, **mca)
            if mca is not None else None)
        self.reductions = nn.ModuleList(
            ConvModule(c, out_channels, 1, norm_cfg=dict(type='BN'))
            for c in fused_in_channels)

    def forward(self, inputs: Sequence[torch.Tensor]
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        """(deepest, fused) maps of the backbone outputs ``inputs``."""
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'inputs has {len(inputs)} maps, in_channels '
                             f'{self.in_channels} expects '
                             f'{len(self.in_channels)}')
        for i, (feat, channels) in enumerate(zip(inputs, self.in_channels)):
            if feat.shape[1] != channels:
                raise ValueError(f'inputs[{i}] has {feat.shape[1]} channels, '
                                 f'in_channels[{i}] is {channels}')
        feats = list(inputs[-self.num_fused:])
        if self.mca is not None:
            feats = self.mca(feats)
        branches = [
            reduction(feat) for reduction, feat in zip(self.reductions, feats)
        ]
        size = branches[0].shape[-2:]
        resized = [
            branch if branch.shape[-2:] == size else F.interpolate(
                branch, size=size, mode='bilinear',
                align_corners=self.align_corners)
            for branch in branches
        ]
        deepest = resized[-1] if self.resize_deepest else branches[-1]
        return deepest, fuse_feature_maps(resized, self.fusion)
