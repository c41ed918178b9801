"""Localizers made of a backbone, an optional neck and a head."""
from typing import Optional

import torch

from wsol_mm.registry import MODELS
from .base_localizer import BaseLocalizer


class FeatureLocalizer(BaseLocalizer):
    """Backbone (+ neck) + head; the head reads the last feature map.

    Args:
        backbone (dict): e.g. ``dict(type='mmpretrain.ResNet', depth=50)``.
        head (dict): the head config.
        neck (dict, optional): applied to the backbone's outputs.
        data_preprocessor, test_cfg, init_cfg: see :class:`BaseLocalizer`.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(data_preprocessor, test_cfg, init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)

    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """The (B, C, h, w) feature map of the head: the last output of the
        neck (or of the backbone without a neck)."""
        feats = self.backbone(inputs)
        if self.neck is not None:
            feats = self.neck(feats)
        return feats[-1] if isinstance(feats, (tuple, list)) else feats

    def _forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.head(self.extract_feat(inputs))
