"""DetectionWSOLMetric on hand-made DetDataSamples equals WSOLMetric on the
equivalent score maps (brute-force coverage) and top boxes."""
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.structures import InstanceData

from wsol_mm.evaluation import DetectionWSOLMetric, WSOLMetric

H, W = 20, 24  # the input grid
SCALE = (0.5, 0.25)  # w_scale, h_scale: the original image is 48 x 80

# (GT boxes on the grid, detections on the grid, scores)
IMAGES = [
    ([[2, 3, 12, 15]], [[2, 3, 12.5, 15.2], [0, 0, 24, 20]], [0.9, 0.2]),
    ([[10, 4, 22, 18]], [[1, 1, 6, 6], [11, 5, 21.7, 17]], [0.3, 0.8]),
    ([[0, 0, 8, 8], [14, 10, 23, 19]], [[13, 9, 24, 20]], [0.6]),
    ([[5, 5, 15, 15]], np.zeros((0, 4)), []),  # no detection
]


def _det_sample(index, gt, boxes, scores):
    sample = DetDataSample(metainfo=dict(
        img_shape=(H, W), scale_factor=SCALE, sample_idx=index,
        img_path=f'{index}.jpg', gt_label=index % 2))
    sample.gt_instances = InstanceData(
        bboxes=HorizontalBoxes(torch.tensor(gt, dtype=torch.float32)),
        labels=torch.zeros(len(gt), dtype=torch.long))
    # MMDetection's predict(rescale=True): boxes in original pixels.
    original = torch.tensor(np.asarray(boxes, dtype=np.float32)).reshape(
        -1, 4) / torch.tensor(SCALE).repeat(2)
    sample.pred_instances = InstanceData(
        bboxes=original, scores=torch.tensor(scores, dtype=torch.float32),
        labels=torch.zeros(len(scores), dtype=torch.long))
    return sample


def _brute_force_map(boxes, scores):
    score_map = np.zeros((H, W), dtype=np.float32)
    for row in range(H):
        for col in range(W):
            for (x0, y0, x1, y1), score in zip(boxes, scores):
                if x0 <= col + 0.5 <= x1 and y0 <= row + 0.5 <= y1:
                    score_map[row, col] = max(score_map[row, col], score)
    return score_map


def _wsol_sample(index, gt, boxes, scores):
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    top = boxes[np.argsort(-np.asarray(scores))[:1]] if len(scores) else \
        np.zeros((1, 4))
    return dict(sample_idx=index, gt_bboxes=np.asarray(gt, np.float64),
                gt_score_map=_brute_force_map(boxes, scores),
                pred_bboxes=top)


@pytest.mark.parametrize('loc_boxes', ['predicted', 'scoremap'])
def test_equals_wsol_metric_on_equivalent_maps(loc_boxes):
    metric = DetectionWSOLMetric(loc_boxes=loc_boxes, cam_curve_interval=0.05)
    reference = WSOLMetric(loc_boxes=loc_boxes, cam_curve_interval=0.05)
    metric.process(None, [_det_sample(i, *image)
                          for i, image in enumerate(IMAGES)])
    reference.process(None, [_wsol_sample(i, *image)
                             for i, image in enumerate(IMAGES)])
    got = metric.compute_metrics(metric.results)
    expected = reference.compute_metrics(reference.results)
    assert got == pytest.approx(expected)


def test_hand_computed_gt_known_loc():
    """Top boxes: image 0 IoU ~ 1, image 1 IoU > 0.5 (the 0.8 box), image 2
    IoU with the second GT > 0.5, image 3 no detection (box 0 0 0 0)."""
    samples = [_det_sample(i, *image) for i, image in enumerate(IMAGES)]

    def correct(loc_iou_threshold):
        metric = DetectionWSOLMetric(cam_curve_interval=0.05,
                                     loc_iou_threshold=loc_iou_threshold)
        metric.process(None, samples)
        return [r['loc_correct'] for r in metric.results], metric

    # IoU > 0.99 only for image 0; in (0.5, 0.99] for images 1 and 2; the
    # empty box of image 3 has IoU 0 (> -1, not > 0).
    assert correct(0.99)[0] == [True, False, False, False]
    assert correct(-1)[0] == [True] * 4
    assert correct(0)[0] == [True, True, True, False]
    loc_correct, metric = correct(0.5)
    assert loc_correct == [True, True, True, False]
    assert metric.compute_metrics(metric.results)['gt_known_loc'] == 75.0


def test_missing_keys_are_named():
    sample = _det_sample(0, *IMAGES[0])
    del sample.pred_instances
    with pytest.raises(KeyError, match='pred_instances'):
        DetectionWSOLMetric().process(None, [sample])
