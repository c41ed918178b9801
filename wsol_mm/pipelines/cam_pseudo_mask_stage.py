"""SPOL's pseudo masks: the CAM of the ground-truth class, enhanced by a
Gaussian prior (GPPL)."""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn

from wsol_mm.registry import MODELS, STAGES
from .base_stage import PipelineContext
from .pseudo_mask_stage import PseudoMaskStage


@STAGES.register_module()
class CAMPseudoMaskStage(PseudoMaskStage):
    """Pseudo masks from the localizer's class activation map of the
    ground-truth class (ReLU, divided by its maximum: see
    :meth:`max_normalized_grids`), optionally enhanced (SPOL section
    3.4: ``dict(type='GaussianPriorEnhance', fg_threshold=0.7)``, the
    element-wise maximum of the CAM and its Gaussian prior) before the
    double threshold. ``enhance=None`` is the "w/o Gauss Enhance" ablation,
    ``bg_threshold=fg_threshold`` the "w/o Threshold" one.

    Args:
        enhance (dict, optional): A MODELS config of a callable mapping
            (B, H, W) maps in [0, 1] to enhanced maps.
        **kwargs: See :class:`PseudoMaskStage`.
    """

    def __init__(self, name: str, context: PipelineContext,
                 enhance: Optional[dict] = None, **kwargs):
        super().__init__(name, context, **kwargs)
        self.enhance_cfg = enhance
        self.enhance = None if enhance is None else MODELS.build(enhance)

    def settings(self) -> dict:
        return dict(super().settings(), enhance=self.enhance_cfg)

    def score_maps(self, model: nn.Module, data: dict
                   ) -> Tuple[list, List[torch.Tensor]]:
        inputs, samples, labels = self.predict(model, data)
        cams = model.head.class_activation_maps(
            model.extract_feat(inputs), labels[:, None])
        maps = self.max_normalized_grids(model, cams, inputs, samples)
        if self.enhance is None:
            return samples, maps
        if len({tuple(m.shape) for m in maps}) == 1:
            return samples, list(self.enhance(torch.cat(maps))[:, None])
        return samples, [self.enhance(m) for m in maps]
