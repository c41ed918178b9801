"""SPOL's pseudo masks: the CAM of the ground-truth class, enhanced by a
Gaussian prior (GPPL)."""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn

from wsol_mm.models.utils.pseudo_masks import cam_or_prior_labels
from wsol_mm.registry import MODELS, STAGES
from .base_stage import PipelineContext
from .pseudo_mask_stage import PseudoMaskStage

LABEL_RULES = ('max', 'cam_or_prior')


@STAGES.register_module()
class CAMPseudoMaskStage(PseudoMaskStage):
    """Pseudo masks from the localizer's class activation map of the
    ground-truth class (ReLU, divided by its maximum: see
    :meth:`max_normalized_grids`), optionally enhanced by a Gaussian prior
    (SPOL section 3.4: ``dict(type='GaussianPriorEnhance',
    fg_threshold=0.7)``).

    ``label_rule`` says how the CAM and the prior make the labels:

    - ``'max'`` (the paper): the double threshold of the enhanced CAM, the
      element-wise maximum of the two (:meth:`score_maps` gives it as the
      one channel). ``enhance=None`` is the "w/o Gauss Enhance" ablation,
      ``bg_threshold=fg_threshold`` the "w/o Threshold" one.
    - ``'cam_or_prior'`` (the official code): :meth:`score_maps` gives the
      CAM and the prior (``enhance.prior``) as two channels, labelled by
      :func:`cam_or_prior_labels` (foreground: CAM or prior above
      ``fg_threshold``, 0.25 in the code; background: CAM below
      ``bg_threshold``, 0.01).

    Either way the test split is scored on the enhanced CAM.

    Args:
        enhance (dict, optional): A MODELS config of a callable mapping
            (B, H, W) maps in [0, 1] to enhanced maps; with
            ``'cam_or_prior'`` it must have a ``prior`` method giving the
            prior alone (``GaussianPriorEnhance``).
        label_rule (str): One of :data:`LABEL_RULES`. Defaults to ``'max'``.
        cam_bias (bool): The CAM ``relu(W F + b)`` with the classifier's
            bias, as the official code (default: ``relu(W F)``).
        **kwargs: See :class:`PseudoMaskStage`.
    """

    def __init__(self, name: str, context: PipelineContext,
                 enhance: Optional[dict] = None, label_rule: str = 'max',
                 cam_bias: bool = False, **kwargs):
        super().__init__(name, context, **kwargs)
        if label_rule not in LABEL_RULES:
            raise ValueError(f'stage "{name}": label_rule must be one of '
                             f'{LABEL_RULES}, got {label_rule!r}')
        self.enhance_cfg = enhance
        self.enhance = None if enhance is None else MODELS.build(enhance)
        if label_rule == 'cam_or_prior' and not callable(
                getattr(self.enhance, 'prior', None)):
            raise ValueError(
                f"stage \"{name}\": label_rule='cam_or_prior' needs an "
                'enhance with a prior() method (GaussianPriorEnhance), got '
                f'{enhance}')
        self.label_rule = label_rule
        self.cam_bias = cam_bias

    def settings(self) -> dict:
        return dict(super().settings(), enhance=self.enhance_cfg,
                    label_rule=self.label_rule, cam_bias=self.cam_bias)

    def score_maps(self, model: nn.Module, data: dict
                   ) -> Tuple[list, List[torch.Tensor]]:
        """Per image (1, h, w): the (enhanced) CAM; with ``'cam_or_prior'``
        (2, h, w): the CAM and its prior."""
        inputs, samples, labels = self.predict(model, data)
        bias = dict(with_bias=True) if self.cam_bias else {}
        cams = model.head.class_activation_maps(
            model.extract_feat(inputs), labels[:, None], **bias)
        maps = self.max_normalized_grids(model, cams, inputs, samples)
        if self.enhance is None:
            return samples, maps
        transform = (self.enhance if self.label_rule == 'max' else
                     self.enhance.prior)
        if len({tuple(m.shape) for m in maps}) == 1:
            outputs = list(transform(torch.cat(maps))[:, None])
        else:
            outputs = [transform(m) for m in maps]
        if self.label_rule == 'max':
            return samples, outputs
        return samples, [torch.cat([cam, prior])
                         for cam, prior in zip(maps, outputs)]

    def label_map(self, maps: torch.Tensor) -> torch.Tensor:
        if self.label_rule == 'max':
            return super().label_map(maps)
        return cam_or_prior_labels(maps[0], maps[1], self.fg_threshold,
                                   self.bg_threshold)

    def evaluation_map(self, maps: torch.Tensor) -> torch.Tensor:
        if self.label_rule == 'max':
            return super().evaluation_map(maps)
        return torch.maximum(maps[0], maps[1])
