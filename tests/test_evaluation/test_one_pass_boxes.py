"""The one-pass box extractor against the per-level OpenCV path.

A property test on thousands of random maps (blobs, speckle, rings with
holes, nested rings, single pixels, constant maps, maps whose max is below
1) at the intervals 0.01 and 0.001: the same boxes at every threshold (the
multi-contour boxes as a multiset) and identical IoU curves; then the cases
OpenCV's order decides, checked by hand.
"""
import numpy as np
import pytest

from wsol_mm.evaluation.functional import (best_iou_curves, box_acc_curves,
                                           boxes_from_scoremap)
from wsol_mm.evaluation.functional import box_extraction, one_pass_boxes


def _blobs(rng, height, width):
    yy, xx = np.mgrid[:height, :width]
    cam = np.zeros((height, width))
    for _ in range(rng.integers(1, 4)):
        cy, cx = rng.uniform(-2, height + 1), rng.uniform(-2, width + 1)
        sigma = rng.uniform(0.5, max(height, width) / 2 + 1)
        cam += rng.uniform(0.2, 1) * np.exp(
            -((yy - cy)**2 + (xx - cx)**2) / (2 * sigma**2))
    return cam


def _rings(rng, height, width):
    """Concentric rings (holes, and blobs inside holes) plus noise."""
    yy, xx = np.mgrid[:height, :width]
    cy, cx = rng.uniform(0, height), rng.uniform(0, width)
    radius = np.hypot(yy - cy, xx - cx)
    period = rng.uniform(1.5, 5)
    cam = 0.5 + 0.5 * np.cos(2 * np.pi * radius / period)
    return cam + rng.uniform(0, 0.3) * rng.random((height, width))


def _random_map(rng, kind):
    height, width = rng.integers(1, 25, size=2)
    if kind == 'blobs':
        cam = _blobs(rng, height, width)
    elif kind == 'speckle':
        cam = rng.random((height, width))
    elif kind == 'levels':  # few levels: plateaus and exact ties
        cam = rng.integers(0, 4, (height, width)) / 3.
    elif kind == 'rings':
        cam = _rings(rng, height, width)
    elif kind == 'pixels':
        cam = np.zeros((height, width))
        count = rng.integers(0, 6)
        cam[rng.integers(0, height, count), rng.integers(0, width, count)] = \
            rng.uniform(0.5, 1, count)
    else:  # constant
        return np.full((height, width), rng.choice([0., 0.3, 1.]))
    cam = cam - cam.min()
    if cam.max() > 0:
        cam = cam / cam.max()
    if rng.random() < 0.3:  # maps whose max is below 1
        cam = cam * rng.uniform(0, 1)
    return cam


def _random_gt(rng, height, width):
    x0, x1 = np.sort(rng.integers(0, width, 2))
    y0, y1 = np.sort(rng.integers(0, height, 2))
    return np.array([[x0, y0, x1, y1]])


KINDS = ('blobs', 'speckle', 'levels', 'rings', 'pixels', 'constant')


def _as_set(boxes):
    return sorted(map(tuple, boxes.tolist()))


@pytest.mark.parametrize('interval,num_maps', [(0.01, 1500), (0.001, 500)])
def test_same_boxes_and_curves_as_opencv(interval, num_maps):
    rng = np.random.default_rng(int(interval * 1000))
    thresholds = np.arange(0, 1, interval)
    for index in range(num_maps):
        cam = _random_map(rng, KINDS[index % len(KINDS)])
        for multi in (False, True):
            fast = boxes_from_scoremap(cam, thresholds, multi, 'one_pass')
            slow = boxes_from_scoremap(cam, thresholds, multi, 'opencv')
            for t, (a, b) in enumerate(zip(fast, slow)):
                if multi:
                    assert _as_set(a) == _as_set(b), (index, thresholds[t])
                else:
                    assert a.tolist() == b.tolist(), (index, thresholds[t])
        gt = _random_gt(rng, *cam.shape)
        fast = best_iou_curves(cam, gt, thresholds, (False, True),
                               'one_pass')
        slow = best_iou_curves(cam, gt, thresholds, (False, True), 'opencv')
        for a, b in zip(fast, slow):
            assert np.array_equal(a, b), index


def test_same_accuracy_curves_as_opencv():
    rng = np.random.default_rng(7)
    cams = [_random_map(rng, KINDS[i % len(KINDS)]) for i in range(60)]
    gts = [_random_gt(rng, *cam.shape) for cam in cams]
    thresholds = np.arange(0, 1, 0.001)
    for multi in (False, True):
        fast = box_acc_curves(cams, gts, thresholds, multi_contour=multi,
                              method='one_pass')
        slow = box_acc_curves(cams, gts, thresholds, multi_contour=multi,
                              method='opencv')
        assert fast.keys() == slow.keys()
        for key in fast:
            assert np.array_equal(fast[key], slow[key])


def _image_boxes(image, level, multi):
    return one_pass_boxes.one_pass_boxes(
        np.asarray(image, dtype=np.uint8), [level], multi)[0].tolist()


def test_hole_box_is_its_rim_and_area_counts_the_hole():
    image = np.zeros((12, 14), dtype=np.uint8)
    image[2:9, 3:10] = 200  # a 7x7 square ring around a 3x3 hole
    image[4:7, 5:8] = 0
    image[9:11, 11:13] = 200  # a solid 2x2 square
    # Outer rims: [3, 2, 9, 8] -> box [3, 2, 10, 9]; hole [5..7] x [4..6]
    # -> rim [4, 3, 8, 7] -> box [4, 3, 9, 8]; square -> [11, 9, 13, 11].
    assert sorted(_image_boxes(image, 100, True)) == [
        [3, 2, 10, 9], [4, 3, 9, 8], [11, 9, 13, 11]]
    assert _image_boxes(image, 100, False) == [[3, 2, 10, 9]]


def test_ties_go_to_the_component_opencv_lists_first():
    # Two 2x2 squares (polygon area 1 each): OpenCV lists the one its raster
    # scan finds last first, so max(..., key=contourArea) keeps it.
    image = np.zeros((10, 10), dtype=np.uint8)
    image[1:3, 6:8] = 255
    image[6:8, 1:3] = 255
    assert _image_boxes(image, 0, False) == [[1, 6, 3, 8]]
    assert boxes_from_scoremap(image / 255., [0.5], False, 'opencv')[0] \
        .tolist() == [[1, 6, 3, 8]]
    # A 1-pixel-wide line (area 0) loses to a 2x2 square of 4 pixels...
    image[:] = 0
    image[8, 0:9] = 255
    image[1:3, 1:3] = 255
    assert _image_boxes(image, 0, False) == [[1, 1, 3, 3]]
    # ...and a diagonal diamond ring's area is its hole's: 2.
    image[:] = 0
    image[[3, 4, 4, 5], [4, 3, 5, 4]] = 255
    image[0, 0] = 255
    assert _image_boxes(image, 0, False) == [[3, 3, 6, 6]]


def test_no_foreground_gives_the_empty_box():
    image = np.full((5, 6), 7, dtype=np.uint8)
    assert _image_boxes(image, 7, True) == [[0, 0, 0, 0]]
    assert _image_boxes(image, 7, False) == [[0, 0, 0, 0]]
    single, multi = one_pass_boxes.one_pass_iou_curves(
        image, [7], np.array([[0, 0, 1, 0]]))
    assert single.tolist() == multi.tolist() == [0.5]


def test_levels_must_increase():
    with pytest.raises(ValueError, match='strictly increasing'):
        one_pass_boxes.one_pass_boxes(np.zeros((3, 3), np.uint8), [3, 1],
                                      True)


def test_auto_falls_back_to_opencv_without_numba(monkeypatch):
    monkeypatch.setattr(one_pass_boxes, 'numba', None)
    monkeypatch.setattr(box_extraction, '_warned_fallback', False)
    assert box_extraction.resolve_method('auto') == 'opencv'
    with pytest.raises(ImportError, match='numba'):
        box_extraction.resolve_method('one_pass')
    with pytest.raises(ValueError, match="'fast'"):
        box_extraction.resolve_method('fast')


def test_components_per_level_same_as_opencv():
    rng = np.random.default_rng(3)
    thresholds = np.arange(0, 1, 0.01)
    for index in range(300):
        cam = _random_map(rng, KINDS[index % len(KINDS)])
        fast = box_extraction.components_per_level(cam, thresholds,
                                                   'one_pass')
        slow = box_extraction.components_per_level(cam, thresholds, 'opencv')
        assert np.array_equal(fast[0], slow[0]), index
        assert np.array_equal(fast[1], slow[1]), index
