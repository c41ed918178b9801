"""Localizers made of a backbone, an optional neck and a head."""
from typing import List, Optional

import torch

from wsol_mm.registry import MODELS
from ..utils import insert_after
from .base_localizer import BaseLocalizer


class FeatureLocalizer(BaseLocalizer):
    """Backbone (+ neck) + head; the head reads the last feature map.

    Args:
        backbone (dict): e.g. ``dict(type='mmpretrain.ResNet', depth=50)``.
        head (dict): the head config.
        neck (dict, optional): applied to the backbone's outputs.
        plugins (list[dict], optional): layers inserted into the backbone
            without renaming its parameters, each
            ``dict(cfg=dict(type='ADL'), after=['layer3.0', 'layer4.0'])``:
            a layer built from ``cfg`` is applied to the output of every
            named backbone submodule (``backbone.get_submodule`` names). They
            are kept in ``self.plugins`` (``'.'`` -> ``'_'`` in the keys).
        data_preprocessor, test_cfg, init_cfg: see :class:`BaseLocalizer`.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 plugins: Optional[List[dict]] = None,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(data_preprocessor, test_cfg, init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)
        if plugins:
            self.plugins = torch.nn.ModuleDict()
            for plugin in plugins:
                if set(plugin) != {'cfg', 'after'}:
                    raise KeyError(f'a plugin has the keys cfg and after, '
                                   f'got {sorted(plugin)}')
                self.plugins.update(insert_after(
                    self.backbone, plugin['after'], plugin['cfg']))

    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """The (B, C, h, w) feature map of the head: the last output of the
        neck (or of the backbone without a neck)."""
        feats = self.backbone(inputs)
        if self.neck is not None:
            feats = self.neck(feats)
        return feats[-1] if isinstance(feats, (tuple, list)) else feats

    def _forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.head(self.extract_feat(inputs))
