"""SPOL's class-agnostic segmentation model: object mask, then one box."""
from typing import List, Optional

import torch

from wsol_mm.evaluation.functional import box_from_mask
from wsol_mm.evaluation.functional.mask_boxes import BOX_MODES
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from .feature_localizer import FeatureLocalizer


@MODELS.register_module()
class ClassAgnosticSegmentor(FeatureLocalizer):
    """Backbone (+ neck) + :class:`ClassAgnosticSegHead` (SPOL, Wei et al.,
    CVPR 2021, section 3.4): trained on each sample's ``pseudo_mask``; its
    foreground probability map gives the box.

    ``predict`` fills ``gt_score_map`` (H, W) with the foreground
    probabilities on the image's grid (class-agnostic, so the same map
    serves the GT-known protocol), ``pred_score_maps`` (1, H, W) and
    ``pred_bboxes`` (1, 4), the box of :func:`box_from_mask` at
    ``test_cfg['mask_threshold']`` in ``test_cfg['box_mode']``. The
    probabilities are not min-max normalised, so the threshold keeps its
    meaning; they are upsampled bicubically like every score map and clamped
    to [0, 1]. There is no ``pred_score``: the classes come from a separate
    classifier.

    Args:
        backbone (dict): e.g. ``dict(type='mmpretrain.ResNet', depth=50)``;
            its last output is the feature map.
        head (dict): ``ClassAgnosticSegHead`` config.
        neck (dict, optional): applied to the backbone's outputs.
        test_cfg (dict, optional): ``mask_threshold`` (0.5) and ``box_mode``
            (``'largest_component'``). The official SPOL code boxes the
            largest contour of the probabilities above 0.2 (CUB) / 0.8
            (ImageNet): ``mask_threshold=0.2, box_mode='largest_contour'``.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        cfg = dict(mask_threshold=0.5, box_mode='largest_component')
        cfg.update(test_cfg or {})
        if cfg['box_mode'] not in BOX_MODES:
            raise ValueError(f'test_cfg.box_mode must be one of {BOX_MODES}, '
                             f"got {cfg['box_mode']!r}")
        super().__init__(backbone, head, neck,
                         data_preprocessor=data_preprocessor, test_cfg=cfg,
                         init_cfg=init_cfg)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        return self.head.loss(self.extract_feat(inputs), data_samples,
                              input_size=inputs.shape[-2:])

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[WSOLDataSample]] = None
                ) -> List[WSOLDataSample]:
        data_samples = self._samples_for(inputs, data_samples)
        probabilities = self.head.predict(self.extract_feat(inputs))
        for sample, sample_maps in zip(
                data_samples,
                self._maps_on_image_grids(probabilities, inputs,
                                          data_samples, normalize=False)):
            # Bicubic upsampling may overshoot [0, 1].
            sample_maps = sample_maps.clamp(0, 1)
            sample.gt_score_map = sample_maps[0]
            sample.pred_score_maps = sample_maps
            box = box_from_mask(sample_maps[0],
                                self.test_cfg['mask_threshold'],
                                self.test_cfg['box_mode'])
            sample.pred_bboxes = torch.as_tensor(
                box, dtype=torch.float32).reshape(1, 4)
        return data_samples
