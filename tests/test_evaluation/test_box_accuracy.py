"""Tests of box extraction, IoU and box accuracy curves (MaxBoxAcc/V2).

Every test runs with both box extractors (the one-pass sweep and the
per-level OpenCV path) as the ``'auto'`` method.
"""
import cv2
import numpy as np
import pytest

from wsol_mm.evaluation.functional import (best_iou_curve, box_acc_curves,
                                           box_iou, boxes_from_scoremap,
                                           check_scoremap, normalize_scoremap)
from wsol_mm.evaluation.functional import box_accuracy, box_extraction

THRESHOLDS = np.arange(0, 1, 0.01)


@pytest.fixture(autouse=True, params=['one_pass', 'opencv'])
def auto_method(request, monkeypatch):
    """Make ``method='auto'`` mean each extractor in turn."""
    original = box_extraction.resolve_method

    def resolve(method):
        return request.param if method == 'auto' else original(method)

    monkeypatch.setattr(box_extraction, 'resolve_method', resolve)
    monkeypatch.setattr(box_accuracy, 'resolve_method', resolve)
    return request.param


def _blank(height, width):
    return np.zeros((height, width), dtype=np.float64)


# --------------------------------------------------------------------------
# A plain, slow re-implementation of the protocol, one threshold at a time.
# --------------------------------------------------------------------------
def _slow_boxes(scoremap, threshold, multi_contour):
    height, width = scoremap.shape
    image = (scoremap * 255).astype(np.uint8)
    limit = int(threshold * np.max(image))
    binary = np.where(image > limit, 255, 0).astype(np.uint8)
    found = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    contours = found[0] if len(found) == 2 else found[1]
    if len(contours) == 0:
        return [[0, 0, 0, 0]]
    if not multi_contour:
        best = contours[0]
        for contour in contours[1:]:
            if cv2.contourArea(contour) > cv2.contourArea(best):
                best = contour
        contours = [best]
    boxes = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        boxes.append([x, y, min(x + w, width - 1), min(y + h, height - 1)])
    return boxes


def _slow_iou(a, b):
    inter_w = max(0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
    inter_h = max(0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
    inter = inter_w * inter_h
    union = ((a[2] - a[0] + 1) * (a[3] - a[1] + 1) +
             (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - inter)
    if union <= 0:
        return 0.0
    return inter / union


def _slow_acc_curves(scoremaps, gt_boxes, thresholds, iou_thresholds,
                     multi_contour):
    correct = {t: [0] * len(thresholds) for t in iou_thresholds}
    for scoremap, gts in zip(scoremaps, gt_boxes):
        for j, threshold in enumerate(thresholds):
            best = 0.0
            for box in _slow_boxes(scoremap, threshold, multi_contour):
                for gt in gts:
                    best = max(best, _slow_iou(box, gt))
            for t in iou_thresholds:
                if best >= t / 100:
                    correct[t][j] += 1
    return {
        t: np.array([c * 100. / len(scoremaps) for c in counts])
        for t, counts in correct.items()
    }


def _random_smooth_map(rng, height, width, noise=0.0):
    ys, xs = np.mgrid[0:height, 0:width]
    cam = np.zeros((height, width))
    for _ in range(rng.integers(1, 5)):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        sy, sx = rng.uniform(2, height / 3), rng.uniform(2, width / 3)
        cam += rng.uniform(0.2, 1.0) * np.exp(-((ys - cy) / sy)**2 / 2 -
                                              ((xs - cx) / sx)**2 / 2)
    cam += noise * rng.random((height, width))
    cam = normalize_scoremap(cam)
    # Some maps do not reach 1: the CAM threshold is relative to the max.
    if rng.random() < 0.3:
        cam = cam * rng.uniform(0.3, 0.95)
    return cam


def _random_gt_boxes(rng, height, width):
    boxes = []
    for _ in range(rng.integers(1, 4)):
        x0, x1 = sorted(rng.integers(0, width, size=2))
        y0, y1 = sorted(rng.integers(0, height, size=2))
        boxes.append([x0, y0, x1, y1])
    return np.array(boxes, dtype=np.int64)


@pytest.mark.parametrize('seed', [0, 1, 2, 3])
@pytest.mark.parametrize('multi_contour', [False, True])
def test_matches_slow_reference(seed, multi_contour):
    rng = np.random.default_rng(seed)
    height, width = [(40, 56), (33, 29), (64, 64), (24, 80)][seed]
    thresholds = np.arange(0, 1, 0.05 if seed % 2 else 0.01)
    scoremaps, gt_boxes = [], []
    for i in range(6):
        cam = _random_smooth_map(rng, height, width, noise=0.3 * (i % 3))
        if i == 5:
            cam = cam.astype(np.float32)
        scoremaps.append(cam)
        gt_boxes.append(_random_gt_boxes(rng, height, width))
    iou_thresholds = (30, 50, 70)
    got = box_acc_curves(scoremaps, gt_boxes, thresholds, iou_thresholds,
                         multi_contour)
    want = _slow_acc_curves(scoremaps, gt_boxes, thresholds, iou_thresholds,
                            multi_contour)
    assert set(got) == set(iou_thresholds)
    for t in iou_thresholds:
        assert got[t].dtype == np.float64
        assert got[t].shape == (len(thresholds), )
        np.testing.assert_allclose(got[t], want[t], rtol=0, atol=1e-6)


@pytest.mark.parametrize('seed', [10, 11])
def test_boxes_and_ious_match_slow_reference(seed):
    rng = np.random.default_rng(seed)
    cam = _random_smooth_map(rng, 48, 52, noise=0.4)
    gts = _random_gt_boxes(rng, 48, 52)
    for multi in (False, True):
        boxes = boxes_from_scoremap(cam, THRESHOLDS, multi)
        curve = best_iou_curve(cam, gts, THRESHOLDS, multi)
        assert len(boxes) == len(THRESHOLDS) == len(curve)
        for j, threshold in enumerate(THRESHOLDS):
            want = _slow_boxes(cam, threshold, multi)
            assert sorted(boxes[j].tolist()) == sorted(want)
            best = max(_slow_iou(b, g) for b in want for g in gts)
            assert abs(curve[j] - best) <= 1e-12


# --------------------------------------------------------------------------
# Hand-computed cases.
# --------------------------------------------------------------------------
def test_rectangular_blob():
    # Blob on rows 5..9 and columns 10..19 of a 20 x 30 map. Its contour's
    # bounding rect is x=10, y=5, w=10, h=5, so the protocol's box is
    # [10, 5, 10 + 10, 5 + 5] = [10, 5, 20, 10]: one pixel wider and taller
    # than the blob. Every threshold in [0, 1) keeps exactly the blob.
    cam = _blank(20, 30)
    cam[5:10, 10:20] = 1.0
    for boxes in boxes_from_scoremap(cam, THRESHOLDS, False):
        assert boxes.tolist() == [[10, 5, 20, 10]]
    # GT = the blob [10, 5, 19, 9]: intersection 10 * 5 = 50, predicted area
    # 11 * 6 = 66, GT area 50, union 66 -> IoU 50 / 66 = 0.7575...
    curve = best_iou_curve(cam, [[10, 5, 19, 9]], THRESHOLDS, False)
    np.testing.assert_allclose(curve, 50 / 66, rtol=0, atol=1e-12)
    acc = box_acc_curves([cam], [np.array([[10, 5, 19, 9]])], THRESHOLDS)
    assert (acc[30] == 100).all() and (acc[50] == 100).all()
    assert (acc[70] == 100).all()  # 0.7576 >= 0.7
    acc = box_acc_curves([cam], [np.array([[10, 5, 17, 9]])], THRESHOLDS)
    # GT 8 x 5 = 40 pixels inside the 66-pixel box: IoU 40 / 66 = 0.606.
    assert (acc[50] == 100).all() and (acc[70] == 0).all()


def test_two_blobs_single_vs_multi_contour():
    # A: rows/cols 2..11 (contour area 9 * 9 = 81) -> box [2, 2, 12, 12].
    # B: rows 2..5, cols 20..23 (contour area 3 * 3 = 9) -> box [20, 2, 24, 6].
    cam = _blank(16, 30)
    cam[2:12, 2:12] = 1.0
    cam[2:6, 20:24] = 0.8
    single = boxes_from_scoremap(cam, [0.5], multi_contour=False)[0]
    multi = boxes_from_scoremap(cam, [0.5], multi_contour=True)[0]
    assert single.tolist() == [[2, 2, 12, 12]]
    assert sorted(multi.tolist()) == [[2, 2, 12, 12], [20, 2, 24, 6]]
    # A GT box exactly on B's box: the largest contour misses it (IoU 0),
    # the multi-contour boxes hit it (IoU 1).
    gt = [np.array([[20, 2, 24, 6]])]
    assert best_iou_curve(cam, gt[0], [0.5], False).tolist() == [0.0]
    assert best_iou_curve(cam, gt[0], [0.5], True).tolist() == [1.0]
    assert box_acc_curves([cam], gt, [0.5], (50, ), False)[50][0] == 0
    assert box_acc_curves([cam], gt, [0.5], (50, ), True)[50][0] == 100
    # Above 0.8 * 255 = 204 relative threshold, B disappears:
    # int(0.9 * 255) = 229 >= 204.
    assert boxes_from_scoremap(cam, [0.9], True)[0].tolist() == [[2, 2, 12,
                                                                  12]]


def test_blob_with_hole_gives_hole_contour():
    # A square ring: rows/cols 5..24 filled, hole rows/cols 10..19 empty.
    # RETR_TREE returns the outer border (bounding rect x=y=5, w=h=20 ->
    # box [5, 5, 25, 25]) and the hole border, traced on the ring pixels
    # around the hole, rows/cols 9..20 (x=y=9, w=h=12 -> box [9, 9, 21, 21]).
    cam = _blank(30, 30)
    cam[5:25, 5:25] = 1.0
    cam[10:20, 10:20] = 0.0
    multi = boxes_from_scoremap(cam, [0.5], True)[0]
    assert sorted(multi.tolist()) == [[5, 5, 25, 25], [9, 9, 21, 21]]
    single = boxes_from_scoremap(cam, [0.5], False)[0]
    assert single.tolist() == [[5, 5, 25, 25]]
    # GT on the hole box: multi finds IoU 1; single gets 13 * 13 / 21 * 21.
    gt = np.array([[9, 9, 21, 21]])
    assert best_iou_curve(cam, gt, [0.5], True)[0] == 1.0
    np.testing.assert_allclose(
        best_iou_curve(cam, gt, [0.5], False)[0], 169 / 441, atol=1e-12)


def test_single_hot_pixel():
    # One pixel at (x=4, y=3): bounding rect w = h = 1 -> box [4, 3, 5, 4].
    cam = _blank(10, 10)
    cam[3, 4] = 1.0
    assert boxes_from_scoremap(cam, [0.0, 0.5], True)[1].tolist() == [[4, 3,
                                                                       5, 4]]
    # GT = that pixel [4, 3, 4, 3]: intersection 1, union 4 -> IoU 0.25.
    curve = best_iou_curve(cam, [[4, 3, 4, 3]], [0.0, 0.5], True)
    assert curve.tolist() == [0.25, 0.25]


def test_relative_threshold_for_map_below_one():
    # Blob 0.5 (uint8 127) on a 0.3 background (uint8 76). The CAM threshold
    # is relative to the uint8 max 127:
    # t = 0.5 -> int(63.5) = 63: everything is above -> the whole image
    #   [0, 0, min(20, 19), min(20, 19)] = [0, 0, 19, 19];
    # t = 0.7 -> int(88.9) = 88: only the blob rows/cols 5..9 ->
    #   [5, 5, 10, 10]. (An absolute threshold 0.7 * 255 = 178 would keep
    #   nothing.)
    cam = np.full((20, 20), 0.3)
    cam[5:10, 5:10] = 0.5
    boxes = boxes_from_scoremap(cam, [0.5, 0.7], False)
    assert boxes[0].tolist() == [[0, 0, 19, 19]]
    assert boxes[1].tolist() == [[5, 5, 10, 10]]
    # t = 0.99 -> int(125.73) = 125 < 127: the blob is still kept.
    assert boxes_from_scoremap(cam, [0.99], False)[0].tolist() == [[5, 5, 10,
                                                                    10]]


def test_all_zero_map_gives_empty_box():
    # No pixel is > int(t * 0) = 0 -> no contour -> the box [0, 0, 0, 0].
    cam = _blank(12, 12)
    for boxes in boxes_from_scoremap(cam, THRESHOLDS, True):
        assert boxes.tolist() == [[0, 0, 0, 0]]
    # [0, 0, 0, 0] vs GT [0, 0, 1, 1]: intersection 1, union 4 -> 0.25.
    curve = best_iou_curve(cam, [[0, 0, 1, 1]], THRESHOLDS, True)
    np.testing.assert_array_equal(curve, 0.25)
    acc = box_acc_curves([cam], [[[0, 0, 1, 1]]], THRESHOLDS)
    assert (acc[30] == 0).all()


def test_boxes_clipped_at_border():
    # Blob on rows 6..9, cols 8..11 of a 10 x 12 map: bounding rect x=8,
    # y=6, w=h=4 -> x + w = 12 clipped to W - 1 = 11, y + h = 10 clipped to
    # H - 1 = 9 -> [8, 6, 11, 9].
    cam = _blank(10, 12)
    cam[6:10, 8:12] = 1.0
    assert boxes_from_scoremap(cam, [0.3], True)[0].tolist() == [[8, 6, 11,
                                                                  9]]
    # The left/top border is not moved: blob rows/cols 0..2 -> [0, 0, 3, 3].
    cam = _blank(10, 12)
    cam[0:3, 0:3] = 1.0
    assert boxes_from_scoremap(cam, [0.3], True)[0].tolist() == [[0, 0, 3,
                                                                  3]]


def test_iou_exactly_at_threshold_counts():
    # Blob rows/cols 0..8 -> box [0, 0, 9, 9] (100 pixels). GT [0, 0, 9, 4]
    # (50 pixels, inside) -> IoU 50 / 100 = 0.5 exactly: correct at 50.
    cam = _blank(20, 20)
    cam[0:9, 0:9] = 1.0
    gt = [np.array([[0, 0, 9, 4]])]
    assert best_iou_curve(cam, gt[0], [0.2], False).tolist() == [0.5]
    acc = box_acc_curves([cam], gt, [0.2], (30, 50, 70), False)
    assert acc[50].tolist() == [100.0]
    assert acc[30].tolist() == [100.0]
    assert acc[70].tolist() == [0.0]
    # GT [0, 0, 9, 6] -> IoU 70 / 100: correct at 70 too.
    acc = box_acc_curves([cam], [np.array([[0, 0, 9, 6]])], [0.2], (70, ))
    assert acc[70].tolist() == [100.0]


def test_best_over_gt_boxes_and_percent():
    # Two images; image 0 has two GT boxes, the second matching exactly.
    cam = _blank(20, 20)
    cam[0:9, 0:9] = 1.0  # box [0, 0, 9, 9]
    gts = [np.array([[15, 15, 19, 19], [0, 0, 9, 9]]),
           np.array([[15, 15, 19, 19]])]
    acc = box_acc_curves([cam, cam], gts, [0.1, 0.5], (50, ))
    assert acc[50].tolist() == [50.0, 50.0]
    acc = box_acc_curves([cam, cam, cam], gts + gts[:1], [0.1], (50, ))
    np.testing.assert_allclose(acc[50], [200. / 3], rtol=0, atol=1e-12)


def test_box_iou_inclusive_and_degenerate():
    a = np.array([[0, 0, 9, 9], [0, 0, -1, 5]])
    b = np.array([[5, 5, 14, 14], [0, 0, -1, 5], [20, 20, 30, 30]])
    ious = box_iou(a, b)
    assert ious.shape == (2, 3)
    assert ious.dtype == np.float64
    # [0,0,9,9] vs [5,5,14,14]: inter 5 * 5 = 25, union 100 + 100 - 25.
    assert ious[0, 0] == 25 / 175
    assert ious[0, 2] == 0
    # Zero-width boxes: the union is 0 -> IoU 0 rather than NaN.
    assert ious[1, 1] == 0
    assert box_iou(np.zeros((0, 4), int), b).shape == (0, 3)


def test_contours_computed_once_per_integer_level(monkeypatch):
    # 0.50 and 0.501 both give int(t * 255) = 127.
    calls = []
    original = cv2.findContours

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(cv2, 'findContours', counting)
    cam = _blank(10, 10)
    cam[2:5, 2:5] = 1.0
    boxes = boxes_from_scoremap(cam, [0.5, 0.501, 0.7], True,
                                method='opencv')
    assert len(calls) == 2
    assert [b.tolist() for b in boxes] == [[[2, 2, 5, 5]]] * 3


def test_invalid_inputs_name_the_image():
    good = _blank(8, 8)
    good[2, 2] = 1.0
    box = np.array([[0, 0, 3, 3]])
    bad_maps = {
        'must be 2-D': np.zeros((1, 8, 8)),
        'NaN': np.where(good > 0, np.nan, 0.0),
        'outside': good * 1.5,
        'below zero': good - 0.1,
    }
    for what, bad in bad_maps.items():
        with pytest.raises(ValueError, match='score map 1') as info:
            box_acc_curves([good, bad], [box, box], THRESHOLDS)
        if what != 'below zero':
            assert what in str(info.value)
    for bad_box in (np.zeros((0, 4), int), np.array([1, 2, 3, 4]),
                    np.zeros((2, 5), int), np.array([[0.5, 0, 3, 3]])):
        with pytest.raises(ValueError, match='image 1'):
            box_acc_curves([good, good], [box, bad_box], THRESHOLDS)
    with pytest.raises(ValueError):
        box_acc_curves([good], [box, box], THRESHOLDS)
    with pytest.raises(ValueError):
        box_acc_curves([], [], THRESHOLDS)
    with pytest.raises(ValueError, match='NaN'):
        check_scoremap(np.full((2, 2), np.nan))
    # Integral float boxes are accepted as integers.
    acc = box_acc_curves([good], [np.array([[2., 2., 3., 3.]])], [0.5])
    assert acc[50].tolist() == [100.0]


def test_normalize_scoremap():
    cam = np.array([[1., 3.], [5., 2.]], dtype=np.float32)
    out = normalize_scoremap(cam)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0, 0.5], [1, 0.25]])
    assert cam[0, 1] == 3.  # the input is untouched
    assert not normalize_scoremap(np.full((3, 3), 0.7)).any()
    nan_map = np.array([[0.1, np.nan], [0.3, 0.9]])
    out = normalize_scoremap(nan_map)
    assert out.shape == (2, 2) and not out.any() and not np.isnan(out).any()
