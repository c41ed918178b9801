"""A 1x1 convolution to one foreground logit per pixel (SPOL's MFF-Net_2)."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample


@MODELS.register_module()
class ClassAgnosticSegHead(BaseModule):
    """Class-agnostic foreground / background segmentation head of SPOL
    (section 3.4), trained on pseudo masks with :class:`MaskedBCELoss`.

    Args:
        in_channels (int): Channels of the feature map.
        loss (dict): Segmentation loss config; it is called as
            ``loss(logits (B, 1, H, W), target (B, H, W))`` and its
            ``ignore_index`` (255 when it has none) pads the targets.
        dropout (float): Element-wise dropout probability on the feature map
            before the 1x1 conv, in training (0.5 in the official SPOL code,
            none in the paper). Defaults to 0.
    """

    def __init__(self,
                 in_channels: int,
                 loss: dict = dict(type='MaskedBCELoss'),
                 dropout: float = 0.,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Conv2d', std=0.01)):
        super().__init__(init_cfg=init_cfg)
        if not 0 <= dropout < 1:
            raise ValueError(f'dropout must be in [0, 1), got {dropout}')
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.conv = nn.Conv2d(in_channels, 1, kernel_size=1)
        self.loss_module = MODELS.build(loss)

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Foreground logits (B, 1, h, w) of a (B, C, h, w) feature map."""
        return self.conv(self.dropout(feature_map))

    def loss(self, feature_map: torch.Tensor,
             data_samples: List[WSOLDataSample],
             input_size: Optional[Sequence[int]] = None) -> dict:
        """The loss against each sample's ``pseudo_mask``.

        The masks (uint8 (H_i, W_i) on the input grid: 0 background, 1
        foreground, 255 ignored) are padded at the bottom / right with the
        ignored label to ``input_size`` (the batch input's (H, W), as the
        data preprocessor pads the images; the largest mask when None), and
        the logits are upsampled bilinearly to that size.
        """
        missing = [i for i, ds in enumerate(data_samples)
                   if 'pseudo_mask' not in ds]
        if missing:
            raise KeyError(
                f'data samples {missing} have no pseudo_mask: the '
                'class-agnostic segmentation stage trains on pseudo masks '
                '(load them in the training pipeline)')
        masks = [ds.pseudo_mask for ds in data_samples]
        if input_size is None:
            input_size = (max(m.shape[0] for m in masks),
                          max(m.shape[1] for m in masks))
        height, width = input_size
        ignore_index = getattr(self.loss_module, 'ignore_index', 255)
        padded = []
        for i, mask in enumerate(masks):
            if mask.dim() != 2 or mask.shape[0] > height or \
                    mask.shape[1] > width:
                raise ValueError(
                    f'pseudo_mask of sample {i} has shape '
                    f'{tuple(mask.shape)}; expected (H, W) within the input '
                    f'size {(height, width)}')
            padded.append(
                F.pad(mask, (0, width - mask.shape[1], 0,
                             height - mask.shape[0]),
                      value=ignore_index))
        logits = F.interpolate(
            self(feature_map), size=(height, width), mode='bilinear',
            align_corners=False)
        target = torch.stack(padded).to(logits.device)
        return dict(loss_seg=self.loss_module(logits, target))

    def predict(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Foreground probabilities (B, 1, h, w)."""
        return self(feature_map).sigmoid()
