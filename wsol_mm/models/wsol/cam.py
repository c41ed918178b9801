"""CAM: a classifier whose class activation maps localize the object."""
from typing import List, Optional

import torch

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from .feature_localizer import FeatureLocalizer

# Which class map a CAM-style model localizes with (``test_cfg.score_map``).
SCORE_MAP_RULES = ('gt', 'top1', 'topk_mean')


@MODELS.register_module()
class CAM(FeatureLocalizer):
    """Backbone (+ neck) + :class:`CAMHead` (Zhou et al., CVPR 2016).

    ``predict`` fills ``pred_score``; ``gt_score_map``, the localization map
    the metrics score (``test_cfg['score_map']``); ``pred_labels`` /
    ``pred_score_maps`` / ``pred_bboxes`` for the ``test_cfg['topk']`` most
    probable classes.

    ``test_cfg['score_map']`` chooses the localization map:

    - ``'gt'`` (default): the map of the ground-truth class (the GT-known
      protocol of wsolevaluation); samples without labels get none.
    - ``'top1'``: the map of the most probable predicted class.
    - ``'topk_mean'``: SLT-Net's top-K averaged CAM (Eq. 9), the mean of
      the raw maps of the ``test_cfg['score_map_topk']`` most probable
      predicted classes, before the resize and the min-max normalisation.

    Args:
        backbone (dict): e.g. ``dict(type='mmpretrain.ResNet', depth=50)``;
            its last output is the feature map.
        head (dict): the classifier, ``CAMHead`` by default.
        neck, plugins, data_preprocessor, init_cfg: see
            :class:`FeatureLocalizer`.
        test_cfg (dict, optional): ``topk`` (1), ``cam_threshold`` (0.2),
            ``score_map`` (``'gt'``) and ``score_map_topk`` (K of
            ``'topk_mean'``, 1).
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 plugins: Optional[List[dict]] = None,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        cfg = dict(score_map='gt', score_map_topk=1)
        cfg.update(test_cfg or {})
        if cfg['score_map'] not in SCORE_MAP_RULES:
            raise ValueError(f'test_cfg.score_map must be one of '
                             f"{SCORE_MAP_RULES}, got {cfg['score_map']!r}")
        topk = cfg['score_map_topk']
        if int(topk) != topk or topk < 1:
            raise ValueError('test_cfg.score_map_topk must be a positive '
                             f'integer, got {topk}')
        super().__init__(backbone, head, neck, plugins, data_preprocessor,
                         cfg, init_cfg)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        return self.head.loss(self.extract_feat(inputs), data_samples)

    def localization_maps(self, feature_map: torch.Tensor,
                          scores: torch.Tensor,
                          gt_labels: Optional[torch.Tensor] = None
                          ) -> Optional[torch.Tensor]:
        """(B, 1, h, w) raw maps of ``test_cfg['score_map']``, or None for
        ``'gt'`` without ``gt_labels`` (B,)."""
        rule = self.test_cfg['score_map']
        if rule == 'gt':
            if gt_labels is None:
                return None
            return self.head.class_activation_maps(feature_map,
                                                   gt_labels[:, None])
        k = 1 if rule == 'top1' else min(self.test_cfg['score_map_topk'],
                                         scores.shape[1])
        classes = scores.topk(k, dim=1).indices
        maps = self.head.class_activation_maps(feature_map, classes)
        return maps.mean(dim=1, keepdim=True)

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[WSOLDataSample]] = None
                ) -> List[WSOLDataSample]:
        data_samples = self._samples_for(inputs, data_samples)
        feature_map = self.extract_feat(inputs)
        scores = self.head.predict(feature_map)
        topk = min(self.test_cfg['topk'], scores.shape[1])
        topk_labels = scores.topk(topk, dim=1).indices
        gt_labels = None
        if all('gt_label' in ds for ds in data_samples):
            gt_labels = torch.stack(
                [ds.gt_label[0] for ds in data_samples]).to(scores.device)
        maps = self.head.class_activation_maps(feature_map, topk_labels)
        localization = self.localization_maps(feature_map, scores, gt_labels)
        if localization is not None:
            maps = torch.cat([localization, maps], dim=1)
        for sample, score, labels, sample_maps in zip(
                data_samples, scores, topk_labels,
                self._maps_on_image_grids(maps, inputs, data_samples)):
            sample.pred_score = score.detach()
            sample.pred_labels = labels
            if localization is not None:
                sample.gt_score_map = sample_maps[0]
                sample_maps = sample_maps[1:]
            sample.pred_score_maps = sample_maps
            sample.pred_bboxes = self._boxes_of(sample_maps)
        return data_samples
