"""CAM: a classifier whose class activation maps localize the object."""
import numbers
from typing import List, Optional, Sequence, Tuple

import torch

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from .feature_localizer import FeatureLocalizer

# Which class map a CAM-style model localizes with (``test_cfg.score_map``).
SCORE_MAP_RULES = ('gt', 'top1', 'topk_mean', 'group_mean')


def group_members(groups: Sequence[int], num_classes: int
                  ) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(members, weights)``, both (num_classes, G), of the class groups
    ``groups`` (``groups[c]``: the group id of class ``c``): row ``c`` lists
    the classes of ``c``'s group (G is the largest group's size; shorter
    rows are padded with ``c``) and their weights, 1 / group size (0 on the
    padding). Raises ``ValueError`` naming ``test_cfg.score_map_groups``
    unless it holds one integer per class."""
    key = 'test_cfg.score_map_groups'
    if isinstance(groups, (str, bytes)) or not isinstance(groups, Sequence):
        raise ValueError(f'{key} must be a list of one group id per class '
                         f'({num_classes} classes), got {groups!r}')
    if len(groups) != num_classes:
        raise ValueError(f'{key} has {len(groups)} group ids but the head '
                         f'has {num_classes} classes (one id per class)')
    bad = [g for g in groups
           if isinstance(g, bool) or not isinstance(g, numbers.Integral)]
    if bad:
        raise ValueError(f'{key} must hold integers, got {bad[0]!r}')
    ids = torch.as_tensor([int(g) for g in groups])
    same = ids[:, None] == ids[None, :]
    size = int(same.sum(dim=1).max())
    # The group's classes first (in class order), then the others.
    order = torch.argsort((~same).to(torch.int8), dim=1,
                          stable=True)[:, :size]
    valid = same.gather(1, order)
    members = torch.where(valid, order, torch.arange(num_classes)[:, None])
    weights = valid.float() / valid.sum(dim=1, keepdim=True)
    return members, weights


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
    - ``'group_mean'``: CAM-Agg (Cole et al., ECCV 2022, sec. 5.1), the
      mean of the raw maps of every class in the ground-truth class's group
      (e.g. the species of its genus), before the resize and the min-max
      normalisation; for a linear head this is the CAM of the group's mean
      weight. ``test_cfg['score_map_groups']`` holds the group id of every
      class (``LabelHierarchy.group_ids('species', 'genus')``); a class
      alone in its group keeps its own map. Samples without labels get
      none. Heads whose class maps are not linear in the weights (ACoL's
      ``max(norm(A_k), norm(B_k))``) average those maps.

    Args:
        backbone (dict): e.g. ``dict(type='mmpretrain.ResNet', depth=50)``;
            its last output is the feature map.
        head (dict): the classifier, ``CAMHead`` by default.
        neck, plugins, data_preprocessor, init_cfg: see
            :class:`FeatureLocalizer`.
        test_cfg (dict, optional): ``topk`` (1), ``cam_threshold`` (0.2),
            ``score_map`` (``'gt'``), ``score_map_topk`` (K of
            ``'topk_mean'``, 1) and ``score_map_groups`` (the class
            groups of ``'group_mean'``, None).
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 plugins: Optional[List[dict]] = None,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        cfg = dict(score_map='gt', score_map_topk=1, score_map_groups=None)
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
        if cfg['score_map'] == 'group_mean':
            group_members(cfg['score_map_groups'], self.head.num_classes)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        return self.head.loss(self.extract_feat(inputs), data_samples)

    def localization_maps(self, feature_map: torch.Tensor,
                          scores: torch.Tensor,
                          gt_labels: Optional[torch.Tensor] = None
                          ) -> Optional[torch.Tensor]:
        """(B, 1, h, w) raw maps of ``test_cfg['score_map']``, or None for
        ``'gt'`` / ``'group_mean'`` without ``gt_labels`` (B,)."""
        rule = self.test_cfg['score_map']
        if rule == 'gt':
            if gt_labels is None:
                return None
            return self.head.class_activation_maps(feature_map,
                                                   gt_labels[:, None])
        if rule == 'group_mean':
            if gt_labels is None:
                return None
            members, weights = group_members(
                self.test_cfg['score_map_groups'], self.head.num_classes)
            maps = self.head.class_activation_maps(
                feature_map, members.to(gt_labels.device)[gt_labels])
            weights = weights.to(maps)[gt_labels][:, :, None, None]
            return (maps * weights).sum(dim=1, keepdim=True)
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
