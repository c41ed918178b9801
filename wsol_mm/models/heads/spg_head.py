"""The self-produced guidance branches of SPG (Zhang et al., ECCV 2018)."""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS
from ..backbones.wsoleval_init import WSOLEVAL_CONV_INIT
from ..utils.spg_masks import bce_over_labelled_pixels, self_produced_mask

BRANCHES = ('b2', 'b1', 'c')


def _conv_relu(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
        nn.ReLU(inplace=True))


def _check_branch_dict(name: str, value: Dict[str, object]) -> dict:
    if set(value) != set(BRANCHES):
        raise KeyError(f'{name} needs exactly the keys {BRANCHES}, got '
                       f'{sorted(value)}')
    return dict(value)


@MODELS.register_module()
class SPGHead(BaseModule):
    """The branches B1, B2 and C of SPG as wsolevaluation builds them
    (``VggSpg`` / ``ResNetSpg`` / ``InceptionSpg``); the classifier (A) is
    the model's :class:`CAMHead`.

    Modules (wsolevaluation's names in brackets):

    - ``b1_conv`` (``SPG_B_1a``), ``b2_conv`` (``SPG_B_2a``): conv3x3 to
      ``mid_channels`` + ReLU on the B1 / B2 input features;
    - ``b_shared`` (``SPG_B_shared``, one set of weights for B1 and B2):
      conv3x3 ``mid_channels`` -> ``mid_channels`` + ReLU + conv1x1 -> 1;
    - ``c_branch`` (``SPG_C``): conv3x3 to ``c_mid_channels`` + ReLU +
      conv1x1 -> 1, on the classifier's input feature.

    Losses (wsolevaluation ``spg.get_loss``), each logit map upsampled
    bilinearly to the attention's size (the input size; wsolevaluation
    hard-codes 224) and trained with :func:`bce_over_labelled_pixels` against
    a :func:`self_produced_mask` of ``thresholds[branch] = (high, low)``:
    ``loss_spg_b2`` against the mask of the classifier's attention,
    ``loss_spg_b1`` against that of ``sigmoid(B2)``, ``loss_spg_c`` against
    that of ``(sigmoid(B1) + sigmoid(B2)) / 2`` (targets detached).

    Args:
        b1_channels (int): channels of the B1 input (ResNet-50 ``layer3.0``:
            1024; VGG16 pool4: 512; InceptionV3 after Mixed_5d: 288).
        b2_channels (int): channels of the B2 input (ResNet-50 ``layer3``:
            1024; VGG16 conv5_3: 512; InceptionV3 Mixed_6d: 768).
        c_channels (int): channels of the classifier's input (ResNet-50
            2048, VGG16 512, InceptionV3 1024).
        mid_channels (int): width of B1 / B2: 512 (VGG16, InceptionV3) or
            1024 (ResNet-50).
        c_mid_channels (int): width of C, 512 for every backbone.
        thresholds (dict): ``(high, low)`` of the masks per branch;
            wsolevaluation's ``spg_threshold_*``.
        loss_weights (dict): factor of each branch's loss.
        min_foreground (int), fallback_ratio (float): see
            :func:`self_produced_mask`.
        init_cfg (dict): wsolevaluation's ``xavier`` init (xavier_uniform,
            bias 0) by default.
    """

    def __init__(self,
                 b1_channels: int,
                 b2_channels: int,
                 c_channels: int,
                 mid_channels: int = 512,
                 c_mid_channels: int = 512,
                 thresholds: Dict[str, Sequence[float]] = dict(
                     b2=(0.7, 0.01), b1=(0.5, 0.05), c=(0.7, 0.1)),
                 loss_weights: Dict[str, float] = dict(b2=1., b1=1., c=1.),
                 min_foreground: int = 30,
                 fallback_ratio: float = 0.7,
                 init_cfg: Optional[dict] = WSOLEVAL_CONV_INIT['xavier']):
        super().__init__(init_cfg=init_cfg)
        self.thresholds = _check_branch_dict('thresholds', thresholds)
        for branch, pair in self.thresholds.items():
            if len(pair) != 2 or pair[1] > pair[0]:
                raise ValueError(f'thresholds[{branch!r}] must be (high, '
                                 f'low) with low <= high, got {pair}')
        self.loss_weights = _check_branch_dict('loss_weights', loss_weights)
        self.min_foreground = min_foreground
        self.fallback_ratio = fallback_ratio
        self.b1_conv = _conv_relu(b1_channels, mid_channels)
        self.b2_conv = _conv_relu(b2_channels, mid_channels)
        self.b_shared = nn.Sequential(
            _conv_relu(mid_channels, mid_channels),
            nn.Conv2d(mid_channels, 1, kernel_size=1))
        self.c_branch = nn.Sequential(
            _conv_relu(c_channels, c_mid_channels),
            nn.Conv2d(c_mid_channels, 1, kernel_size=1))

    def forward(self, b1_feature: torch.Tensor, b2_feature: torch.Tensor,
                c_feature: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Logit maps ``(B1, B2, C)``, each (B, 1, h, w) at its input's
        resolution."""
        return (self.b_shared(self.b1_conv(b1_feature)),
                self.b_shared(self.b2_conv(b2_feature)),
                self.c_branch(c_feature))

    def _mask(self, maps: torch.Tensor, branch: str) -> torch.Tensor:
        high, low = self.thresholds[branch]
        return self_produced_mask(maps, high, low, self.min_foreground,
                                  self.fallback_ratio)

    def loss(self, b1_feature: torch.Tensor, b2_feature: torch.Tensor,
             c_feature: torch.Tensor, attention: torch.Tensor) -> dict:
        """``loss_spg_b2``, ``loss_spg_b1``, ``loss_spg_c``.

        Args:
            attention (torch.Tensor): (B, 1, H, W) map of the classifier's
                ground-truth class on the input grid, min-max normalised per
                image; it fixes the size the logits are upsampled to.
        """
        if attention.dim() != 4 or attention.shape[1] != 1:
            raise ValueError('attention must be (B, 1, H, W), got shape '
                             f'{tuple(attention.shape)}')
        size = attention.shape[-2:]
        b1, b2, c = (
            F.interpolate(logits, size=size, mode='bilinear',
                          align_corners=False)
            for logits in self(b1_feature, b2_feature, c_feature))
        b2_probability = b2.detach().sigmoid()
        fused = (b1.detach().sigmoid() + b2_probability) / 2
        sources = dict(b2=(b2, attention.detach()),
                       b1=(b1, b2_probability),
                       c=(c, fused))
        return {
            f'loss_spg_{branch}': self.loss_weights[branch] *
            bce_over_labelled_pixels(logits, self._mask(source, branch))
            for branch, (logits, source) in sources.items()
        }
