"""WSOL metrics of a box detector (FSL-Det, paper 000 sec. 5.1)."""
import numpy as np
import torch

from wsol_mm.registry import METRICS
from ..functional import detection_score_map
from .wsol_metric import WSOLMetric, _to_numpy, describe_sample


def _box_array(boxes) -> np.ndarray:
    """(n, 4) float64 array of a tensor, array or MMDetection ``BaseBoxes``."""
    boxes = getattr(boxes, 'tensor', boxes)
    return _to_numpy(boxes).astype(np.float64).reshape(-1, 4)


@METRICS.register_module()
class DetectionWSOLMetric(WSOLMetric):
    """:class:`WSOLMetric` of MMDetection's ``DetDataSample`` predictions.

    FSL-Det of paper 000 (table 2) is a class-agnostic Faster R-CNN scored
    like every WSOL method. For each image:

    - the score map is :func:`detection_score_map` of ``pred_instances``
      (per pixel, the highest confidence of a detection covering it; 0
      where none does), scored by MaxBoxAcc / MaxBoxAccV2 exactly as
      :class:`WSOLMetric` scores a CAM (the confidences are in [0, 1], so
      the CAM threshold sweep is a confidence sweep; a map without any
      detection is all zeros, which WSOLMetric evaluates as zeros with a
      warning);
    - the top-scoring detection is ``pred_bboxes``, the box of GT-known Loc
      (``loc_boxes='predicted'``, the default here); no detection gives
      the box ``0 0 0 0``.

    Grid: the protocol scores every method on the image warped to the test
    size (224x224, 112x112 in the demos) with the GT boxes scaled alike.
    The test pipeline therefore warps with ``Resize(size=(224, 224))`` (our
    resize: GT boxes scaled in float64 and truncated by WSOLMetric as the
    protocol's ``int(x * 224 / W)``; ``mmdet.Resize`` scales in float32 and
    can truncate a coordinate one pixel lower) before
    :class:`ToDetInstances` and ``mmdet.PackDetInputs``. MMDetection's
    ``predict`` returns boxes divided by ``scale_factor`` (original image
    pixels); they are multiplied back here onto the ``img_shape`` grid of
    the GT boxes.

    The detector has no classes: top-k Loc / Cls need a classifier's
    ``class_scores`` file (:class:`DumpClassScores`, keyed by ``img_path``)
    and ``gt_label`` in ``PackDetInputs``' ``meta_keys``.

    Args:
        loc_boxes (str): ``'predicted'`` (the top detection) or
            ``'scoremap'`` (the largest contour of the score map at
            ``loc_cam_threshold``).
        **kwargs: the other arguments of :class:`WSOLMetric`.
    """

    def __init__(self, loc_boxes: str = 'predicted', **kwargs) -> None:
        super().__init__(loc_boxes=loc_boxes, **kwargs)

    def _process_sample(self, sample: dict) -> dict:
        """Turn the detection sample into a WSOL sample and reduce it."""
        return super()._process_sample(self._wsol_sample(sample))

    def _wsol_sample(self, sample: dict) -> dict:
        for key in ('pred_instances', 'gt_instances', 'img_shape',
                    'scale_factor'):
            if key not in sample:
                raise KeyError(f'DetectionWSOLMetric needs {key} in every '
                               f'data sample ({describe_sample(sample)})')
        height, width = (int(v) for v in sample['img_shape'][:2])
        w_scale, h_scale = (float(v) for v in sample['scale_factor'])
        pred = sample['pred_instances']
        boxes = _box_array(pred['bboxes']) * np.array(
            [w_scale, h_scale, w_scale, h_scale])
        scores = _to_numpy(pred['scores']).astype(np.float64).reshape(-1)
        top = boxes[np.argsort(-scores, kind='stable')[:1]]
        wsol = dict(
            sample_idx=sample.get('sample_idx'),
            img_path=sample.get('img_path'),
            gt_bboxes=_box_array(sample['gt_instances']['bboxes']),
            gt_score_map=detection_score_map(boxes, scores, (height, width)),
            pred_bboxes=top if len(top) else np.zeros((1, 4)))
        if sample.get('gt_label') is not None:
            wsol['gt_label'] = torch.as_tensor(sample['gt_label']).reshape(-1)
        return wsol
