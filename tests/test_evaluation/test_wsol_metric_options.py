"""WSOLMetric options: loc_boxes='predicted' and class_scores=<file>."""
import re

import numpy as np
import pytest
import torch

from wsol_mm.evaluation.functional import box_acc_curves
from wsol_mm.evaluation.metrics import DumpClassScores, WSOLMetric
from wsol_mm.registry import METRICS

THRESHOLDS = np.arange(0, 1, 0.001)  # the default interval

# Blob rows/cols 0..8 -> largest contour box [0, 0, 9, 9] at CAM 0.2.
CAM = np.zeros((20, 20), dtype=np.float32)
CAM[0:9, 0:9] = 1.0
BLOB_BOX = [[0, 0, 9, 9]]
FAR_BOX = [[10, 10, 19, 19]]  # no pixel in common with BLOB_BOX


def _sample(idx, cam, boxes, label=0, score=None, pred_box=None,
            img_path=None):
    sample = dict(
        sample_idx=idx,
        img_path=img_path or f'data/img_{idx}.jpg',
        gt_score_map=torch.as_tensor(cam),
        gt_bboxes=torch.as_tensor(np.asarray(boxes, dtype=np.float64)),
        gt_label=torch.tensor([label]))
    if score is not None:
        sample['pred_score'] = torch.as_tensor(score, dtype=torch.float32)
    if pred_box is not None:
        sample['pred_bboxes'] = torch.as_tensor(
            np.asarray(pred_box, dtype=np.float32).reshape(-1, 4))
    return sample


def _evaluate(metric, samples, batch_size=3):
    for start in range(0, len(samples), batch_size):
        metric.process(None, samples[start:start + batch_size])
    return metric.compute_metrics(metric.results)


def _one_hot(index, num=5):
    score = np.full(num, 0.05, dtype=np.float32)
    score[index] = 0.8
    return score


# --------------------------------------------------------------------- #
# loc_boxes
# --------------------------------------------------------------------- #
def test_invalid_loc_boxes_raises():
    with pytest.raises(ValueError, match='loc_boxes'):
        WSOLMetric(loc_boxes='largest')
    with pytest.raises(ValueError, match="'Predicted'"):
        WSOLMetric(loc_boxes='Predicted')


def test_predicted_without_pred_bboxes_raises_key_error():
    metric = WSOLMetric(loc_boxes='predicted')
    with pytest.raises(KeyError, match='pred_bboxes.*sample_idx=4'):
        metric.process(None, [_sample(4, CAM, BLOB_BOX)])
    # The default mode does not need them.
    results = _evaluate(WSOLMetric(), [_sample(4, CAM, BLOB_BOX)])
    assert results['gt_known_loc'] == 100.0


def test_scoremap_and_predicted_boxes_swap_gt_known_loc():
    # Image 0: the map's contour box is the GT, the predicted box is far.
    # Image 1: the other way round.
    samples = [
        _sample(0, CAM, BLOB_BOX, pred_box=FAR_BOX),
        _sample(1, CAM, FAR_BOX, pred_box=FAR_BOX),
    ]
    by_map = _evaluate(WSOLMetric(), samples[:1])
    by_box = _evaluate(WSOLMetric(loc_boxes='predicted'), samples[:1])
    assert by_map['gt_known_loc'] == 100.0
    assert by_box['gt_known_loc'] == 0.0
    assert by_map['max_box_acc'] == by_box['max_box_acc'] == 100.0

    by_map = _evaluate(WSOLMetric(), samples[1:])
    by_box = _evaluate(WSOLMetric(loc_boxes='predicted'), samples[1:])
    assert by_map['gt_known_loc'] == 0.0
    assert by_box['gt_known_loc'] == 100.0
    assert by_map['max_box_acc'] == by_box['max_box_acc']

    # Both images: every box-curve metric is unchanged between the modes.
    by_map = _evaluate(WSOLMetric(), samples)
    by_box = _evaluate(WSOLMetric(loc_boxes='predicted'), samples)
    assert by_map['gt_known_loc'] == by_box['gt_known_loc'] == 50.0
    for key in by_map:
        if key != 'gt_known_loc':
            assert by_map[key] == by_box[key], key
    cams = [CAM, CAM]
    gts = [np.array(BLOB_BOX), np.array(FAR_BOX)]
    single = box_acc_curves(cams, gts, THRESHOLDS, (50, ), False)[50]
    multi = box_acc_curves(cams, gts, THRESHOLDS, (30, 50, 70), True)
    assert by_box['max_box_acc'] == pytest.approx(single.max())
    assert by_box['max_box_acc_v2'] == pytest.approx(
        np.mean([multi[t].max() for t in (30, 50, 70)]))


def test_predicted_box_iou_is_strict_truncated_and_uses_first_box():
    gt = [[0, 0, 9, 9]]  # 10 x 10 = 100 pixels
    samples = [
        # [0, 0, 9, 4]: 10 x 5 = 50 pixels, IoU 0.5 exactly: not > 0.5.
        _sample(0, CAM, gt, pred_box=[[0, 0, 9, 4]]),
        # [0, 0, 9, 5]: IoU 60 / 100.
        _sample(1, CAM, gt, pred_box=[[0, 0, 9, 5]]),
        # Truncated to [0, 0, 9, 9]: IoU 1 (rounding would give
        # [1, 0, 10, 10], IoU 90 / 120 = 0.75; told apart below with
        # loc_iou_threshold=0.99).
        _sample(2, CAM, gt, pred_box=[[0.7, 0.2, 9.99, 9.5]]),
        # Only pred_bboxes[0] counts: the second row matches the GT.
        _sample(3, CAM, gt, pred_box=[[10, 10, 19, 19], [0, 0, 9, 9]]),
    ]
    results = _evaluate(WSOLMetric(loc_boxes='predicted'), samples)
    assert results['gt_known_loc'] == 50.0  # images 1 and 2
    # Every image's map gives the GT box: the curves see 4 / 4.
    assert results['max_box_acc'] == 100.0
    # IoUs 0.5, 0.6, 1.0, 0.0: above 0.45 -> 3 images, above 0.59 -> 2,
    # above 0.99 -> only the truncated one.
    results = _evaluate(
        WSOLMetric(loc_boxes='predicted', loc_iou_threshold=0.45), samples)
    assert results['gt_known_loc'] == 75.0
    results = _evaluate(
        WSOLMetric(loc_boxes='predicted', loc_iou_threshold=0.59), samples)
    assert results['gt_known_loc'] == 50.0
    results = _evaluate(
        WSOLMetric(loc_boxes='predicted', loc_iou_threshold=0.99), samples)
    assert results['gt_known_loc'] == 25.0
    # loc_cam_threshold is ignored by the predicted boxes.
    results = _evaluate(
        WSOLMetric(loc_boxes='predicted', loc_cam_threshold=1.5), samples)
    assert results['gt_known_loc'] == 50.0


def test_predicted_box_best_over_several_gt_boxes():
    gts = [[10, 10, 19, 19], [0, 0, 9, 5]]
    # The predicted box [0, 0, 9, 9] has IoU 60 / 100 with the second GT.
    sample = _sample(0, CAM, gts, pred_box=[[0, 0, 9, 9]])
    results = _evaluate(WSOLMetric(loc_boxes='predicted'), [sample])
    assert results['gt_known_loc'] == 100.0
    results = _evaluate(WSOLMetric(loc_boxes='predicted',
                                   loc_iou_threshold=0.6), [sample])
    assert results['gt_known_loc'] == 0.0


def test_predicted_boxes_drive_top_k_loc():
    score = np.linspace(1, 0, 10)  # class 0 first, 1 second, ...
    samples = [
        # Right class, good map box, far predicted box.
        _sample(0, CAM, BLOB_BOX, label=0, score=score, pred_box=FAR_BOX),
        # Right class, far map box, good predicted box.
        _sample(1, CAM, FAR_BOX, label=0, score=score, pred_box=FAR_BOX),
        # Class 3 (top-5 only), good predicted box.
        _sample(2, CAM, FAR_BOX, label=3, score=score, pred_box=FAR_BOX),
    ]
    by_map = _evaluate(WSOLMetric(), samples)
    by_box = _evaluate(WSOLMetric(loc_boxes='predicted'), samples)
    assert by_map['top1_cls'] == by_box['top1_cls'] == pytest.approx(200 / 3)
    assert by_map['top5_cls'] == by_box['top5_cls'] == 100.0
    assert by_map['top1_loc'] == pytest.approx(100 / 3)  # image 0
    assert by_map['top5_loc'] == pytest.approx(100 / 3)
    assert by_box['top1_loc'] == pytest.approx(100 / 3)  # image 1
    assert by_box['top5_loc'] == pytest.approx(200 / 3)  # images 1, 2
    assert by_box['gt_known_loc'] == pytest.approx(200 / 3)


def test_registered_with_options():
    metric = METRICS.build(dict(type='WSOLMetric', loc_boxes='predicted'))
    assert metric.loc_boxes == 'predicted'
    assert metric.class_scores is None
    assert WSOLMetric().loc_boxes == 'scoremap'


# --------------------------------------------------------------------- #
# class_scores
# --------------------------------------------------------------------- #
def _write_class_scores(path, entries):
    """Write ``(img_path, score)`` pairs with DumpClassScores."""
    dump = DumpClassScores(str(path))
    dump.process(None, [dict(img_path=p, pred_score=torch.as_tensor(s))
                        for p, s in entries])
    dump.compute_metrics(dump.results)
    return str(path)


def test_class_scores_replace_pred_score(tmp_path):
    # The samples' own scores are all right (argmax = label); the file's
    # top-1 is right for image 0 only, in the top-5 for image 1, wrong for
    # image 2.
    labels = [2, 4, 1]
    samples = [
        _sample(i, CAM, BLOB_BOX, label=label, score=_one_hot(label, 7),
                img_path=f'root/./img_{i}.jpg')
        for i, label in enumerate(labels)
    ]
    file_scores = [
        np.array([0, 0, 9, 1, 0, 0, 0], np.float32),  # top-1 = 2 (right)
        np.array([9, 8, 7, 6, 5, 0, 0], np.float32),  # label 4 is 5th
        np.array([0, 0, 0, 0, 0, 9, 1], np.float32),  # label 1 is 6th
    ]
    # The file's paths are written without './'; one extra image.
    path = _write_class_scores(
        tmp_path / 'cls.pkl',
        [(f'root/img_{i}.jpg', s) for i, s in enumerate(file_scores)] +
        [('root/other.jpg', np.zeros(7, np.float32))])

    own = _evaluate(WSOLMetric(), samples)
    assert own['top1_cls'] == own['top5_cls'] == 100.0
    assert own['top1_loc'] == own['top5_loc'] == 100.0

    replaced = _evaluate(WSOLMetric(class_scores=path), samples)
    assert replaced['top1_cls'] == pytest.approx(100 / 3)
    assert replaced['top5_cls'] == pytest.approx(200 / 3)
    assert replaced['top1_loc'] == pytest.approx(100 / 3)
    assert replaced['top5_loc'] == pytest.approx(200 / 3)
    # The localization does not depend on the classes.
    for key in ('gt_known_loc', 'max_box_acc', 'max_box_acc_v2',
                'num_images'):
        assert replaced[key] == own[key], key


def test_class_scores_for_samples_without_pred_score(tmp_path):
    path = _write_class_scores(
        tmp_path / 'cls.pkl',
        [('data/img_0.jpg', _one_hot(1)), ('data/img_1.jpg', _one_hot(3))])
    samples = [_sample(0, CAM, BLOB_BOX, label=1),
               _sample(1, CAM, FAR_BOX, label=1)]
    assert 'top1_cls' not in _evaluate(WSOLMetric(), samples)
    results = _evaluate(WSOLMetric(class_scores=path, topk=1), samples)
    assert results['top1_cls'] == 50.0  # image 0 only
    assert results['top1_loc'] == 50.0  # image 0 is also localised
    assert results['gt_known_loc'] == 50.0
    assert 'top5_cls' not in results


def test_class_scores_with_predicted_boxes(tmp_path):
    # The SPOL / ISIC setting: the localizer's box, the classifier's class.
    path = _write_class_scores(
        tmp_path / 'cls.pkl',
        [('data/img_0.jpg', _one_hot(0)), ('data/img_1.jpg', _one_hot(2))])
    samples = [
        _sample(0, CAM, BLOB_BOX, label=0, score=_one_hot(4),
                pred_box=FAR_BOX),
        _sample(1, CAM, FAR_BOX, label=0, score=_one_hot(0),
                pred_box=FAR_BOX),
    ]
    results = _evaluate(
        WSOLMetric(class_scores=path, loc_boxes='predicted', topk=1),
        samples)
    # File classes: image 0 right, image 1 wrong. Predicted boxes: image 0
    # wrong, image 1 right. No image is both.
    assert results['top1_cls'] == 50.0
    assert results['gt_known_loc'] == 50.0
    assert results['top1_loc'] == 0.0


def test_class_scores_unknown_image_raises_key_error(tmp_path):
    path = _write_class_scores(tmp_path / 'cls.pkl',
                               [('data/img_0.jpg', _one_hot(0))])
    metric = WSOLMetric(class_scores=path)
    metric.process(None, [_sample(0, CAM, BLOB_BOX)])
    with pytest.raises(KeyError, match=re.escape('data/img_1.jpg')):
        metric.process(None, [_sample(1, CAM, BLOB_BOX)])


def test_class_scores_missing_or_bad_file(tmp_path):
    missing = str(tmp_path / 'missing.pkl')
    with pytest.raises(FileNotFoundError, match=re.escape(missing)):
        WSOLMetric(class_scores=missing)
    import mmengine
    bad = str(tmp_path / 'bad.pkl')
    mmengine.dump(dict(img_paths=['a.jpg']), bad)
    with pytest.raises(ValueError, match=re.escape(bad)):
        WSOLMetric(class_scores=bad)


def test_class_scores_with_data_elements(tmp_path):
    from mmengine.evaluator import Evaluator
    from mmengine.structures import BaseDataElement

    path = _write_class_scores(
        tmp_path / 'cls.pkl',
        [('data/img_0.jpg', _one_hot(1)), ('data/img_1.jpg', _one_hot(0))])
    elements = []
    for sample in [_sample(0, CAM, BLOB_BOX, label=1, score=_one_hot(0),
                           pred_box=BLOB_BOX),
                   _sample(1, CAM, BLOB_BOX, label=1, score=_one_hot(1),
                           pred_box=FAR_BOX)]:
        element = BaseDataElement(metainfo=dict(
            sample_idx=sample['sample_idx'], img_path=sample['img_path']))
        for key in ('gt_score_map', 'gt_bboxes', 'gt_label', 'pred_score',
                    'pred_bboxes'):
            element.set_field(sample[key], key)
        elements.append(element)
    evaluator = Evaluator(WSOLMetric(class_scores=path,
                                     loc_boxes='predicted', topk=1))
    evaluator.process(elements)
    results = evaluator.evaluate(2)
    # File classes: image 0 right; predicted boxes: image 0 right.
    assert results['wsol/top1_cls'] == 50.0
    assert results['wsol/gt_known_loc'] == 50.0
    assert results['wsol/top1_loc'] == 50.0
    assert results['wsol/max_box_acc'] == 100.0
