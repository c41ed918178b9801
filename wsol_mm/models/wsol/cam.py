"""CAM: a classifier whose class activation maps localize the object."""
from typing import List, Optional

import torch

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from .feature_localizer import FeatureLocalizer


@MODELS.register_module()
class CAM(FeatureLocalizer):
    """Backbone (+ neck) + :class:`CAMHead` (Zhou et al., CVPR 2016).

    ``predict`` fills ``pred_score``; ``gt_score_map``, the map of the
    ground-truth class (GT-known protocol), when the samples carry labels;
    ``pred_labels`` / ``pred_score_maps`` / ``pred_bboxes`` for the
    ``test_cfg['topk']`` most probable classes.

    Args:
        backbone (dict): e.g. ``dict(type='mmpretrain.ResNet', depth=50)``;
            its last output is the feature map.
        head (dict): the classifier, ``CAMHead`` by default.
        neck (dict, optional): applied to the backbone's outputs.
        test_cfg (dict, optional): ``topk`` (1) and ``cam_threshold`` (0.2).
    """

    def loss(self, inputs: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        return self.head.loss(self.extract_feat(inputs), data_samples)

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[WSOLDataSample]] = None
                ) -> List[WSOLDataSample]:
        data_samples = self._samples_for(inputs, data_samples)
        feature_map = self.extract_feat(inputs)
        scores = self.head.predict(feature_map)
        topk = min(self.test_cfg['topk'], scores.shape[1])
        topk_labels = scores.topk(topk, dim=1).indices
        with_gt = all('gt_label' in ds for ds in data_samples)
        classes = topk_labels
        if with_gt:
            gt_labels = torch.stack([ds.gt_label[0] for ds in data_samples])
            classes = torch.cat([gt_labels[:, None].to(scores.device),
                                 topk_labels], dim=1)
        maps = self.head.class_activation_maps(feature_map, classes)
        for sample, score, labels, sample_maps in zip(
                data_samples, scores, topk_labels,
                self._maps_on_image_grids(maps, inputs, data_samples)):
            sample.pred_score = score.detach()
            sample.pred_labels = labels
            if with_gt:
                sample.gt_score_map = sample_maps[0]
                sample_maps = sample_maps[1:]
            sample.pred_score_maps = sample_maps
            sample.pred_bboxes = self._boxes_of(sample_maps)
        return data_samples
