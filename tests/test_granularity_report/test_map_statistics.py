"""MapStatistics (Fig. 5 of Cole et al. 2022) on hand-made maps."""
import json

import numpy as np
import pytest
import torch

from wsol_mm.evaluation import MapStatistics
from wsol_mm.evaluation.metrics import map_statistics
from wsol_mm.registry import METRICS


def _sample(scoremap, boxes, index):
    return dict(gt_score_map=torch.as_tensor(scoremap, dtype=torch.float32),
                gt_bboxes=torch.as_tensor(boxes, dtype=torch.float32),
                sample_idx=index)


def _evaluate(samples, **kwargs):
    # The expected thresholds below are on the 0.01 grid.
    metric = MapStatistics(**dict(dict(cam_curve_interval=0.01), **kwargs))
    metric.process(None, samples)
    return metric.compute_metrics(metric.results)


def _two_blobs():
    """Two 4x4 blobs, apart even diagonally; the GT box is the first."""
    scoremap = np.zeros((20, 20))
    scoremap[2:6, 2:6] = 1.0
    scoremap[12:16, 12:16] = 1.0
    return scoremap, [[2, 2, 6, 6]]


def test_two_blobs_are_two_components_and_the_box_fits():
    scoremap, boxes = _two_blobs()
    metrics = _evaluate([_sample(scoremap, boxes, 0)])
    assert metrics['components_median'] == 2
    # Both blobs are equally large: the largest contour is the first found,
    # a 4x4 box whatever blob it is; area 16 / 16.
    assert metrics['box_area_ratio_median'] == pytest.approx(1.0)
    # Every threshold gives the same boxes: the first one is picked.
    assert metrics['threshold'] == 0.0
    assert metrics['num_images'] == 1


def test_diagonal_neighbours_are_one_component():
    """8-connectivity: blobs touching at a corner are one component."""
    scoremap = np.zeros((10, 10))
    scoremap[1:4, 1:4] = 1.0
    scoremap[4:7, 4:7] = 1.0
    metrics = _evaluate([_sample(scoremap, [[1, 1, 7, 7]], 0)])
    assert metrics['components_median'] == 1


def test_box_twice_the_gt_area():
    scoremap = np.zeros((16, 16))
    scoremap[3:7, 2:10] = 1.0  # 8 wide, 4 tall: 32 pixels
    metrics = _evaluate([_sample(scoremap, [[2, 3, 6, 7]], 0)])  # 4 x 4
    assert metrics['box_area_ratio_median'] == pytest.approx(2.0)


def test_area_ratio_uses_the_best_overlapping_gt_box():
    scoremap = np.zeros((20, 20))
    scoremap[2:6, 2:6] = 1.0  # 16 pixels
    boxes = [[10, 10, 18, 18], [2, 2, 4, 6]]  # 64 px far away, 8 px on it
    metrics = _evaluate([_sample(scoremap, boxes, 0)])
    assert metrics['box_area_ratio_median'] == pytest.approx(2.0)


def test_known_inside_and_outside_means(tmp_path):
    scoremap = np.full((10, 10), 0.1)
    scoremap[2:5, 3:7] = 0.9  # GT box x 3..6, y 2..4: 12 pixels
    scoremap[2, 3] = 1.0
    inside = (11 * 0.9 + 1.0) / 12
    outside = 0.1
    out_file = tmp_path / 'stats.json'
    metrics = _evaluate([_sample(scoremap, [[3, 2, 7, 5]], 7)],
                        out_file=str(out_file))
    assert metrics['in_out_ratio_median'] == pytest.approx(
        inside / outside, rel=1e-6)
    record = json.loads(out_file.read_text())
    assert record['images'] == [
        dict(sample_idx=7,
             box_area_ratio=pytest.approx(1.0),
             in_out_ratio=pytest.approx(inside / outside, rel=1e-6),
             components=1)
    ]


def test_union_of_gt_boxes_is_inside():
    scoremap = np.full((10, 10), 0.2)
    scoremap[0:2, 0:2] = 1.0
    scoremap[8:10, 8:10] = 0.6
    boxes = [[0, 0, 2, 2], [8, 8, 10, 10]]
    metrics = _evaluate([_sample(scoremap, boxes, 0)])
    assert metrics['in_out_ratio_median'] == pytest.approx(
        ((4 * 1.0 + 4 * 0.6) / 8) / 0.2, rel=1e-6)


def _pyramid(inner_is_gt: bool):
    """Background 0, a wide plateau of 0.3 and a peak of 1; the GT box is
    the peak's (or the plateau's)."""
    scoremap = np.zeros((20, 20))
    scoremap[2:18, 2:18] = 0.3
    scoremap[8:12, 8:12] = 1.0
    gt = [[8, 8, 12, 12]] if inner_is_gt else [[2, 2, 18, 18]]
    return scoremap, gt


def test_threshold_is_the_iou50_best_and_values_are_read_there(tmp_path):
    """uint8(0.3 * 255) = 76; the plateau is foreground while
    int(t * 255) < 76, i.e. for t <= 0.29. Two images want the peak, one the
    plateau: the peak threshold 0.30 wins (2 of 3 correct at IoU 50)."""
    samples = [
        _sample(*_pyramid(True), 0),
        _sample(*_pyramid(True), 1),
        _sample(*_pyramid(False), 2)
    ]
    out_file = tmp_path / 'sub' / 'stats.json'
    metrics = _evaluate(samples, out_file=str(out_file))
    assert metrics['threshold'] == pytest.approx(0.30)
    record = json.loads(out_file.read_text())
    ratios = {i['sample_idx']: i['box_area_ratio'] for i in record['images']}
    # At 0.30 the box is the 4x4 peak: 1 for its GT, 16 / 256 for the other.
    assert ratios == {0: pytest.approx(1.0), 1: pytest.approx(1.0),
                      2: pytest.approx(16 / 256)}
    assert metrics['box_area_ratio_median'] == pytest.approx(1.0)
    assert record['threshold'] == metrics['threshold']
    assert record['num_images'] == 3


def test_plateau_threshold_when_most_images_want_it():
    samples = [
        _sample(*_pyramid(False), 0),
        _sample(*_pyramid(False), 1),
        _sample(*_pyramid(True), 2)
    ]
    metrics = _evaluate(samples)
    assert metrics['threshold'] == 0.0
    # At 0.0 the box is the 16x16 plateau: 1, 1 and 256 / 16.
    assert metrics['box_area_ratio_median'] == pytest.approx(1.0)


def test_zero_outside_is_skipped_with_a_warning(warnings_of):
    messages = warnings_of(map_statistics)
    full, boxes = _two_blobs()
    only_inside = np.zeros((20, 20))
    only_inside[2:6, 2:6] = 1.0
    metrics = _evaluate([_sample(only_inside, boxes, 0),
                         _sample(full, boxes, 1)])
    # Only the second image counts: inside mean 1, outside 16 / 384.
    assert metrics['in_out_ratio_median'] == pytest.approx(384 / 16)
    assert metrics['num_images'] == 2
    assert any('1 of 2 images have no activation' in m for m in messages)


def test_images_without_boxes_are_left_out(warnings_of):
    messages = warnings_of(map_statistics)
    scoremap, boxes = _two_blobs()
    metrics = _evaluate([_sample(scoremap, boxes, 0),
                         _sample(scoremap, np.zeros((0, 4)), 1)])
    assert metrics['num_images'] == 1
    assert any('1 of 2 images have no GT box' in m for m in messages)


def test_invalid_map_becomes_zeros():
    """A constant map is zeros (protocol): no foreground, no box."""
    metrics = _evaluate([_sample(np.full((8, 8), 0.5), [[1, 1, 4, 4]], 0)])
    assert metrics['components_median'] == 0
    assert metrics['box_area_ratio_median'] == 0


def test_errors_and_registry(tmp_path):
    with pytest.raises(KeyError, match='gt_score_map'):
        _evaluate([dict(gt_bboxes=torch.zeros(1, 4), sample_idx=0)])
    with pytest.raises(ValueError, match='cam_curve_interval'):
        MapStatistics(cam_curve_interval=0)
    metric = METRICS.build(dict(type='MapStatistics'))
    scoremap, boxes = _two_blobs()
    metric.process(None, [_sample(scoremap, boxes, 0)])
    assert metric.evaluate(1) == {
        'map_stats/threshold': 0.0,
        'map_stats/box_area_ratio_median': pytest.approx(1.0),
        'map_stats/in_out_ratio_median': pytest.approx(384 / 16),
        'map_stats/components_median': 2.0,
        'map_stats/num_images': 1
    }
    assert not list(tmp_path.iterdir())  # out_file None writes nothing
