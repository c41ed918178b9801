"""Tests of the WSOLMetric (process + compute_metrics)."""

import numpy as np
import pytest
import torch

import wsol_mm.evaluation.metrics.wsol_metric as wsol_metric_module
from wsol_mm.evaluation.functional import box_acc_curves, pxap
from wsol_mm.evaluation.metrics import WSOLMetric

THRESHOLDS = np.arange(0, 1, 0.001)  # the default interval
BOX_KEYS = {
    'gt_known_loc', 'max_box_acc', 'max_box_acc_v2', 'max_box_acc_v2_iou30',
    'max_box_acc_v2_iou50', 'max_box_acc_v2_iou70', 'best_cam_threshold',
    'num_images'
}
CLS_KEYS = {'top1_cls', 'top5_cls', 'top1_loc', 'top5_loc'}


def _smooth_map(rng, height=32, width=40):
    ys, xs = np.mgrid[0:height, 0:width]
    cam = np.zeros((height, width))
    for _ in range(rng.integers(1, 4)):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        cam += rng.uniform(0.3, 1) * np.exp(
            -((ys - cy)**2 + (xs - cx)**2) / rng.uniform(10, 150))
    cam += 0.2 * rng.random(cam.shape)
    return ((cam - cam.min()) / (cam.max() - cam.min())).astype(np.float32)


def _sample(idx, cam, boxes, label=0, score=None, mask=None):
    sample = dict(
        sample_idx=idx,
        img_path=f'img_{idx}.jpg',
        gt_score_map=torch.as_tensor(cam),
        gt_bboxes=torch.as_tensor(np.asarray(boxes, dtype=np.float64)),
        gt_label=torch.tensor([label]))
    if score is not None:
        sample['pred_score'] = torch.as_tensor(score, dtype=torch.float32)
    if mask is not None:
        sample['gt_mask'] = torch.as_tensor(mask, dtype=torch.uint8)
    return sample


def _evaluate(metric, samples, batch_size=3):
    for start in range(0, len(samples), batch_size):
        metric.process(None, samples[start:start + batch_size])
    return metric.compute_metrics(metric.results)


def _random_samples(seed, num=7, with_mask=True, with_score=True):
    rng = np.random.default_rng(seed)
    samples, cams, boxes, masks = [], [], [], []
    for i in range(num):
        cam = _smooth_map(rng)
        # Float boxes as after a resize: the metric truncates them.
        k = rng.integers(1, 3)
        x0 = rng.uniform(0, 20, size=k)
        y0 = rng.uniform(0, 15, size=k)
        box = np.stack([x0, y0, x0 + rng.uniform(5, 19, size=k),
                        y0 + rng.uniform(5, 16, size=k)], axis=1)
        mask = (cam > rng.uniform(0.3, 0.7)).astype(np.uint8)
        mask[rng.random(mask.shape) < 0.05] = 255
        score = rng.random(10)
        samples.append(
            _sample(100 + i, cam, box, label=int(rng.integers(10)),
                    score=score if with_score else None,
                    mask=mask if with_mask else None))
        cams.append(cam)
        boxes.append(np.trunc(box).astype(np.int64))
        masks.append(mask)
    return samples, cams, boxes, masks


def test_matches_functional_api():
    samples, cams, boxes, masks = _random_samples(0)
    metric = WSOLMetric()
    results = _evaluate(metric, samples)
    assert set(results) == BOX_KEYS | CLS_KEYS | {'pxap'}
    assert results['num_images'] == 7
    assert isinstance(results['num_images'], int)
    assert all(isinstance(v, float) for k, v in results.items()
               if k != 'num_images')

    single = box_acc_curves(cams, boxes, THRESHOLDS, (50, ), False)[50]
    multi = box_acc_curves(cams, boxes, THRESHOLDS, (30, 50, 70), True)
    assert results['max_box_acc'] == pytest.approx(single.max(), abs=1e-9)
    assert results['best_cam_threshold'] == pytest.approx(
        THRESHOLDS[np.argmax(single)])
    for t in (30, 50, 70):
        assert results[f'max_box_acc_v2_iou{t}'] == pytest.approx(
            multi[t].max(), abs=1e-9)
    assert results['max_box_acc_v2'] == pytest.approx(
        np.mean([multi[t].max() for t in (30, 50, 70)]), abs=1e-9)
    assert results['pxap'] == pytest.approx(
        pxap(cams, masks, THRESHOLDS), abs=1e-9)
    # Per image: one bit per CAM threshold and box criterion (the largest
    # contour at IoU 50, every contour at 30 / 50 / 70), a few booleans.
    for result in metric.results:
        assert len(result['box_bits']) == -(-len(THRESHOLDS) * 4 // 8)
        assert all(np.size(v) <= 2 for k, v in result.items()
                   if k != 'box_bits')


def test_result_does_not_depend_on_order_or_batching():
    samples = _random_samples(1)[0]
    first = _evaluate(WSOLMetric(), samples, batch_size=2)
    second = _evaluate(WSOLMetric(), samples[::-1], batch_size=5)
    assert first == second


def test_custom_thresholds_name_the_keys():
    samples, cams, boxes, _ = _random_samples(2, with_mask=False)
    metric = WSOLMetric(cam_curve_interval=0.05, iou_thresholds=(40, 60),
                        box_acc_iou=60)
    results = _evaluate(metric, samples)
    thresholds = np.arange(0, 1, 0.05)
    multi = box_acc_curves(cams, boxes, thresholds, (40, 60), True)
    single = box_acc_curves(cams, boxes, thresholds, (60, ), False)[60]
    assert results['max_box_acc_v2_iou40'] == pytest.approx(multi[40].max())
    assert results['max_box_acc_v2_iou60'] == pytest.approx(multi[60].max())
    assert results['max_box_acc'] == pytest.approx(single.max())
    assert 'max_box_acc_v2_iou30' not in results
    assert 'pxap' not in results


def test_without_pred_score_no_classification_keys():
    samples = _random_samples(3, with_mask=False, with_score=False)[0]
    results = _evaluate(WSOLMetric(), samples)
    assert set(results) == BOX_KEYS


def test_duplicate_sample_idx_raises():
    samples = _random_samples(4, num=4)[0]
    samples[3]['sample_idx'] = samples[1]['sample_idx']
    metric = WSOLMetric()
    for sample in samples:
        metric.process(None, [sample])
    with pytest.raises(RuntimeError, match='101'):
        metric.compute_metrics(metric.results)


def test_old_protocol_is_strict_and_topk():
    # Blob rows/cols 0..8 -> box [0, 0, 9, 9] at CAM threshold 0.2.
    cam = np.zeros((20, 20), dtype=np.float32)
    cam[0:9, 0:9] = 1.0
    half = [[0, 0, 9, 4]]  # IoU 50 / 100 = 0.5 exactly: not > 0.5.
    more = [[0, 0, 9, 5]]  # IoU 60 / 100 = 0.6.
    score = np.linspace(1, 0, 10)  # class 0 first, 1 second, ...
    samples = [
        _sample(0, cam, half, label=0, score=score),
        _sample(1, cam, more, label=0, score=score),  # top-1, localised
        _sample(2, cam, more, label=3, score=score),  # top-5 only
        _sample(3, cam, more, label=7, score=score),  # neither
    ]
    results = _evaluate(WSOLMetric(), samples)
    assert results['gt_known_loc'] == 75.0
    # MaxBoxAcc uses >= and counts the 0.5 image.
    assert results['max_box_acc'] == 100.0
    assert results['top1_cls'] == 50.0
    assert results['top5_cls'] == 75.0
    # Top-1 loc: images 0 (IoU 0.5, not localised) and 1 -> only image 1.
    assert results['top1_loc'] == 25.0
    assert results['top5_loc'] == 50.0
    # loc_iou_threshold / loc_cam_threshold are honoured.
    results = _evaluate(WSOLMetric(loc_iou_threshold=0.45), samples)
    assert results['gt_known_loc'] == 100.0
    results = _evaluate(WSOLMetric(loc_cam_threshold=1.5), samples)
    assert results['gt_known_loc'] == 0.0  # no pixel -> [0, 0, 0, 0]


def test_nan_and_constant_maps_do_not_crash():
    cam = np.zeros((20, 20), dtype=np.float32)
    cam[0:9, 0:9] = 1.0
    nan_map = cam.copy()
    nan_map[3, 3] = np.nan
    box = [[0, 0, 9, 9]]
    samples = [
        _sample(0, cam, box),
        _sample(1, nan_map, box),
        _sample(2, np.full((20, 20), 0.5, dtype=np.float32), box),
    ]
    results = _evaluate(WSOLMetric(), samples)
    # The NaN and constant maps count as all-zero maps: box [0, 0, 0, 0],
    # IoU 1 / 100 with [0, 0, 9, 9] -> only the first image is correct.
    zero = np.zeros((20, 20))
    expected = box_acc_curves([cam, zero, zero], [np.array(box)] * 3,
                              THRESHOLDS, (50, ), False)[50].max()
    assert results['max_box_acc'] == pytest.approx(expected)
    assert results['max_box_acc'] == pytest.approx(100 / 3)
    assert results['num_images'] == 3


def test_integer_truncation_of_boxes():
    # Box 9.99 is truncated to 9 as the protocol's int().
    cam = np.zeros((20, 20), dtype=np.float32)
    cam[0:9, 0:9] = 1.0
    # Only an IoU of exactly 1 passes the IoU threshold 100; rounding to
    # [1, 0, 10, 10] would give 0.75.
    metric = WSOLMetric(iou_thresholds=(100, ))
    results = _evaluate(metric, [_sample(0, cam, [[0.7, 0.2, 9.99, 9.5]])])
    assert results['max_box_acc_v2_iou100'] == 100.0


def test_data_elements_and_evaluator_prefix():
    from mmengine.evaluator import Evaluator
    from mmengine.structures import BaseDataElement

    samples, cams, boxes, _ = _random_samples(5, num=3, with_mask=False)
    elements = []
    for sample in samples:
        element = BaseDataElement(
            metainfo=dict(sample_idx=sample['sample_idx'],
                          img_path=sample['img_path']))
        for key in ('gt_score_map', 'gt_bboxes', 'gt_label', 'pred_score'):
            element.set_field(sample[key], key)
        elements.append(element)
    evaluator = Evaluator(WSOLMetric())
    evaluator.process(elements)
    results = evaluator.evaluate(3)
    assert set(results) == {f'wsol/{k}' for k in BOX_KEYS | CLS_KEYS}
    single = box_acc_curves(cams, boxes, THRESHOLDS, (50, ), False)[50]
    assert results['wsol/max_box_acc'] == pytest.approx(single.max())


def test_registered():
    from wsol_mm.registry import METRICS
    metric = METRICS.build(dict(type='WSOLMetric', topk=(1, )))
    assert isinstance(metric, WSOLMetric)
    assert metric.default_prefix == 'wsol'


# --------------------------------------------------------------------- #
# images without any GT box (e.g. all their instance masks empty)
# --------------------------------------------------------------------- #
def test_images_without_box_are_left_out_of_box_metrics_only(warnings_of):
    samples, cams, boxes, masks = _random_samples(6, num=7)
    no_box = [1, 4]
    for i in no_box:
        samples[i]['gt_bboxes'] = torch.zeros((0, 4), dtype=torch.float64)
    messages = warnings_of(wsol_metric_module)
    results = _evaluate(WSOLMetric(), samples)
    assert set(results) == BOX_KEYS | CLS_KEYS | {'pxap'}
    assert results['num_images'] == 7

    keep = [i for i in range(7) if i not in no_box]
    single = box_acc_curves([cams[i] for i in keep], [boxes[i] for i in keep],
                            THRESHOLDS, (50, ), False)[50]
    multi = box_acc_curves([cams[i] for i in keep], [boxes[i] for i in keep],
                           THRESHOLDS, (30, 50, 70), True)
    assert results['max_box_acc'] == pytest.approx(single.max(), abs=1e-9)
    assert results['max_box_acc_v2'] == pytest.approx(
        np.mean([multi[t].max() for t in (30, 50, 70)]), abs=1e-9)
    # PxAP still counts every image.
    assert results['pxap'] == pytest.approx(pxap(cams, masks, THRESHOLDS),
                                            abs=1e-9)
    # The counts of the older protocol: GT-known over the 5 images with
    # boxes, top-1 Cls over all 7, top-1 Loc over the 5.
    with_boxes = _evaluate(WSOLMetric(), [samples[i] for i in keep])
    everything = _evaluate(
        WSOLMetric(), [dict(s, gt_bboxes=torch.as_tensor(
            np.asarray(b, dtype=np.float64))) for s, b in zip(samples, boxes)])
    assert results['gt_known_loc'] == with_boxes['gt_known_loc']
    assert results['top1_loc'] == with_boxes['top1_loc']
    assert results['top5_loc'] == with_boxes['top5_loc']
    assert results['top1_cls'] == everything['top1_cls']
    assert results['top5_cls'] == everything['top5_cls']
    assert with_boxes['top1_cls'] != everything['top1_cls']  # a real check
    cls_ok = [int(s['pred_score'].argmax()) == int(s['gt_label'])
              for s in samples]
    assert results['top1_cls'] == pytest.approx(100 * np.mean(cls_ok))
    # One warning, with the count and the images.
    no_box_messages = [m for m in messages if 'no GT box' in m]
    assert len(no_box_messages) == 1
    assert '2 of 7 images have no GT box (sample_idx 101, 104;' in \
        no_box_messages[0]
    assert 'use the other 5 images' in no_box_messages[0]


def test_all_background_image_is_counted_by_pxap(warnings_of):
    """An image whose mask has no foreground and that has no box: its
    background pixels enter PxAP, the warning counts it."""
    samples, cams, boxes, masks = _random_samples(7, num=4)
    masks[2] = np.zeros_like(masks[2])
    samples[2]['gt_mask'] = torch.as_tensor(masks[2])
    samples[2]['gt_bboxes'] = torch.zeros((0, 4), dtype=torch.float64)
    messages = warnings_of(wsol_metric_module)
    results = _evaluate(WSOLMetric(), samples)
    expected = pxap(cams, masks, THRESHOLDS)
    assert results['pxap'] == pytest.approx(expected, abs=1e-9)
    without = pxap([cams[i] for i in (0, 1, 3)],
                   [masks[i] for i in (0, 1, 3)], THRESHOLDS)
    assert abs(without - expected) > 1e-3  # the image's pixels matter
    assert len(messages) == 1
    assert '1 of 4 images have no GT box (sample_idx 102;' in messages[0]
    assert '1 of 4 images have no foreground pixel in gt_mask' in \
        messages[0]


def test_no_image_with_box_gives_pxap_and_cls_only(warnings_of):
    samples, cams, _, masks = _random_samples(8, num=3)
    for sample in samples:
        sample['gt_bboxes'] = torch.zeros((0, 4), dtype=torch.float64)
    messages = warnings_of(wsol_metric_module)
    results = _evaluate(WSOLMetric(), samples)
    assert set(results) == {'pxap', 'top1_cls', 'top5_cls', 'num_images'}
    assert results['num_images'] == 3
    assert results['pxap'] == pytest.approx(pxap(cams, masks, THRESHOLDS))
    assert '3 of 3 images have no GT box' in messages[0]
    # Compact per-image results without the box entries.
    metric = WSOLMetric()
    metric.process(None, samples)
    assert all(set(r) == {'sample_idx', 'topk_correct',
                          'mask_has_foreground'} for r in metric.results)


def test_no_warning_when_every_image_has_boxes(warnings_of):
    samples = _random_samples(9, num=3)[0]
    messages = warnings_of(wsol_metric_module)
    _evaluate(WSOLMetric(), samples)
    assert not any('no GT box' in m or 'no foreground' in m
                   for m in messages)
