"""tools/analysis_tools/benchmark_evaluation.py and its port of
wsolevaluation's loop: the port agrees exactly with our OpenCV path (an
independent check of our metric), its pieces match hand-computed values, and
the benchmark's agreement check fails when curves differ. No timing is
asserted."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from wsol_mm.evaluation.functional import (box_acc_curves, box_iou,
                                           mask_score_histograms,
                                           pxap_from_histograms)
from wsol_mm.evaluation.metrics.wsol_metric import cam_thresholds
from .conftest import REPO_ROOT

ANALYSIS_TOOLS = osp.join(REPO_ROOT, 'tools', 'analysis_tools')


def _load(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ANALYSIS_TOOLS, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load('benchmark_evaluation')
port = _load('wsolevaluation_loop')


def _edge_maps(size):
    """Maps the protocol treats specially: all zeros (no contour), a
    constant map below 1, a ring with a hole, a single pixel."""
    zeros = np.zeros((size, size))
    constant = np.full((size, size), 0.5)
    ring = np.zeros((size, size))
    ring[10:40, 10:40] = 1.0
    ring[20:30, 20:30] = 0.3
    pixel = np.zeros((size, size))
    pixel[7, 50] = 1.0
    return [zeros, constant, ring, pixel]


@pytest.fixture(scope='module')
def small_maps():
    scoremaps, boxes, masks = bench.cam_like_maps(6, seed=3, size=64)
    edge = _edge_maps(64)
    return (scoremaps + edge, boxes + boxes[:len(edge)],
            masks + masks[:len(edge)])


# --------------------------------------------------------------------------
# The port against our OpenCV path (independent implementations)
# --------------------------------------------------------------------------
@pytest.mark.parametrize('iou_thresholds, multi_contour',
                         [((50, ), False), ((30, 50, 70), True)])
def test_port_agrees_with_opencv_path(small_maps, iou_thresholds,
                                      multi_contour):
    scoremaps, gt_boxes, _ = small_maps
    evaluator = port.BoxEvaluator(list(np.arange(0, 1, 0.01)),
                                  list(iou_thresholds), multi_contour)
    for scoremap, boxes in zip(scoremaps, gt_boxes):
        evaluator.accumulate(scoremap, boxes)
    reference = evaluator.accuracy_curves()
    ours = box_acc_curves(scoremaps, gt_boxes, cam_thresholds(0.01),
                          iou_thresholds, multi_contour)
    assert bench.curve_differences(reference, ours) == []
    # Not a trivial agreement: the curves vary over the thresholds.
    assert any(len(np.unique(curve)) > 2 for curve in ours.values())


def test_port_pxap_agrees_with_ours(small_maps):
    scoremaps, _, masks = small_maps
    thresholds = cam_thresholds(0.01)
    evaluator = port.MaskEvaluator(list(np.arange(0, 1, 0.01)))
    true_total = false_total = 0
    for scoremap, mask in zip(scoremaps, masks):
        evaluator.accumulate(scoremap, mask)
        true_hist, false_hist = mask_score_histograms(scoremap, mask,
                                                      thresholds)
        true_total = true_total + true_hist
        false_total = false_total + false_hist
    np.testing.assert_array_equal(evaluator.gt_true_score_hist, true_total)
    np.testing.assert_array_equal(evaluator.gt_false_score_hist, false_total)
    assert evaluator.compute() == pxap_from_histograms(true_total,
                                                       false_total)
    assert 0 < evaluator.compute() < 100


# --------------------------------------------------------------------------
# The port against hand-computed values
# --------------------------------------------------------------------------
def test_port_boxes_hand_computed():
    # Blob on rows 5..9, columns 10..19: bounding rect x=10, y=5, w=10, h=5,
    # box [10, 5, 20, 10]. A ring (rows/cols 30..49 with a hole 35..44) also
    # gives its hole's contour, traced on the ring pixels 34..45.
    cam = np.zeros((60, 60))
    cam[5:10, 10:20] = 1.0
    cam[30:50, 30:50] = 0.9
    cam[35:45, 35:45] = 0.0
    boxes, counts = port.compute_bboxes_from_scoremaps(cam, [0.5], True)
    assert counts == [3]
    assert sorted(boxes[0].tolist()) == [[10, 5, 20, 10], [30, 30, 50, 50],
                                         [34, 34, 46, 46]]
    # The largest contour is the ring's outer border.
    boxes, counts = port.compute_bboxes_from_scoremaps(cam, [0.5], False)
    assert counts == [1] and boxes[0].tolist() == [[30, 30, 50, 50]]
    # Above 0.9 only the blob is left; nothing is above the max.
    boxes, _ = port.compute_bboxes_from_scoremaps(cam, [0.95], True)
    assert boxes[0].tolist() == [[10, 5, 20, 10]]
    boxes, counts = port.compute_bboxes_from_scoremaps(np.zeros((8, 8)),
                                                       [0.0], True)
    assert counts == [1] and boxes[0].tolist() == [[0, 0, 0, 0]]


def test_port_iou_hand_computed_and_against_box_iou():
    # Predicted [10, 5, 20, 10] (66 px) against GT [10, 5, 19, 9] (50 px,
    # inside): 50 / 66; a disjoint box: 0.
    ious = port.calculate_multiple_iou(np.array([[10, 5, 20, 10]]),
                                       np.array([[10, 5, 19, 9],
                                                 [30, 30, 31, 31]]))
    assert ious.shape == (1, 2)
    assert ious[0, 0] == 50 / 66 and ious[0, 1] == 0
    rng = np.random.default_rng(0)
    corners = rng.integers(0, 50, (40, 2, 2))
    boxes = np.concatenate([corners.min(1), corners.max(1)], axis=1)
    a, b = boxes[:25], boxes[25:]
    np.testing.assert_array_equal(port.calculate_multiple_iou(a, b),
                                  box_iou(a, b))


def test_port_checks_like_the_reference():
    with pytest.raises(TypeError, match='np.float'):
        port.check_scoremap_validity(np.zeros((4, 4), dtype=np.float32))
    with pytest.raises(ValueError, match='range'):
        port.check_scoremap_validity(np.full((4, 4), 1.5))
    with pytest.raises(RuntimeError, match='x0y0x1y1'):
        port.check_box_convention(np.array([[5, 0, 4, 3]]))


# --------------------------------------------------------------------------
# The benchmark's agreement check
# --------------------------------------------------------------------------
def test_curve_differences_exact():
    curves = {30: np.array([10., 20.]), 50: np.array([0., 5.])}
    assert bench.curve_differences(curves, {k: v.copy()
                                            for k, v in curves.items()}) == []
    # One ulp is a difference (no allclose).
    nudged = {30: curves[30].copy(), 50: curves[50].copy()}
    nudged[50][1] = np.nextafter(5., 6.)
    differences = bench.curve_differences(curves, nudged)
    assert len(differences) == 1 and 'IoU 50' in differences[0]
    assert 'index 1' in differences[0]
    assert bench.curve_differences(curves, {30: curves[30]})
    assert bench.curve_differences(curves, {30: curves[30],
                                            50: np.zeros(3)})


def test_benchmark_interval_agrees_on_reference_subset(small_maps):
    rows, agreement = bench.benchmark_interval(
        small_maps, 0.005, num_reference_maps=2, log=lambda line: None)
    assert all(a['differences'] == [] for a in agreement)
    by_key = {(r['metric'], r['method']): r for r in rows}
    num_maps = len(small_maps[0])
    # Finer than 0.01, wsolevaluation's box loop runs on 2 maps only and the
    # speed-ups are measured on those; PxAP runs on every map.
    assert by_key[('MaxBoxAccV2', 'wsolevaluation')]['maps'] == 2
    assert by_key[('MaxBoxAccV2', 'opencv')]['maps'] == num_maps
    assert by_key[('MaxBoxAccV2', 'opencv')]['speedup_maps'] == 2
    assert by_key[('PxAP', 'wsolevaluation')]['maps'] == num_maps
    for metric in ('MaxBoxAcc', 'MaxBoxAccV2', 'PxAP'):
        methods = [r for r in rows if r['metric'] == metric]
        assert len({r['value'] for r in methods}) == 1


def test_agreement_check_fails_when_curves_differ(small_maps, monkeypatch,
                                                  tmp_path):
    real = bench.best_iou_curve

    def off_by_one_threshold(scoremap, gt_boxes, thresholds, multi_contour):
        curve = real(scoremap, gt_boxes, thresholds, multi_contour)
        curve[curve.argmax()] = 0.  # the best threshold misses
        return curve

    monkeypatch.setattr(bench, 'best_iou_curve', off_by_one_threshold)
    _, agreement = bench.benchmark_interval(small_maps, 0.05, 1,
                                            log=lambda line: None)
    failed = {a['metric'] for a in agreement if a['differences']}
    assert failed == {'MaxBoxAcc', 'MaxBoxAccV2'}
    # The tool reports it and exits with 1.
    monkeypatch.setattr(bench, 'pin_to_one_core', lambda: dict(cpu=None))
    out = tmp_path / 'results.json'
    assert bench.main(['--num-maps', '2', '--intervals', '0.1',
                       '--out', str(out)]) == 1
    assert any(a['differences'] for a in json.loads(out.read_text())[
        'agreement'])


def test_main_writes_results(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(bench, 'pin_to_one_core', lambda: dict(cpu=None))
    out = tmp_path / 'results.json'
    assert bench.main(['--num-maps', '2', '--intervals', '0.1',
                       '--out', str(out)]) == 0
    results = json.loads(out.read_text())
    methods = bench.box_methods()
    assert len(results['rows']) == 2 * (1 + len(methods)) + 2
    assert all(a['differences'] == [] for a in results['agreement'])
    assert results['settings']['num_maps'] == 2
    printed = capsys.readouterr().out
    assert 'MaxBoxAccV2 at 0.001: one-pass not measured' in printed
    assert printed.rstrip().endswith(results['verdicts'][-1])


def test_verdicts():
    def row(metric, speedup):
        return dict(metric=metric, interval=0.001, method='one_pass',
                    speedup=speedup)

    rows = [row('MaxBoxAccV2', 812.3), row('MaxBoxAcc', 40.)]
    identical = [dict(metric=m, interval=0.001, differences=[])
                 for m in ('MaxBoxAccV2', 'MaxBoxAcc')]
    assert bench.verdicts(rows, identical) == [
        'MaxBoxAccV2 at 0.001: one-pass 812.3x faster than wsolevaluation '
        '(target >= 500x), curves identical: PASS',
        'MaxBoxAcc at 0.001: one-pass 40.0x faster than wsolevaluation '
        '(target >= 50x), curves identical: FAIL']
    differ = [dict(identical[0], differences=['IoU 50: ...'])]
    assert bench.verdicts(rows, differ)[0].endswith('curves DIFFER: FAIL')


@pytest.mark.parametrize('argv, message', [
    (['--num-maps', '0'], '--num-maps'),
    (['--reference-maps', '0'], '--reference-maps'),
    (['--intervals', '0'], '--intervals'),
])
def test_bad_options(argv, message, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert message in capsys.readouterr().err


@pytest.mark.parametrize('one_pass_wrong', [False, True])
def test_one_pass_column_once_best_iou_curve_takes_method(
        small_maps, monkeypatch, one_pass_wrong):
    # A stand-in with the lead's signature: 'one_pass' is the OpenCV path,
    # or that path with the best threshold's IoU dropped.
    real = bench.best_iou_curve
    calls = set()

    def with_method(scoremap, gt_boxes, cam_thresholds, multi_contour=True,
                    method='opencv'):
        calls.add(method)
        curve = real(scoremap, gt_boxes, cam_thresholds, multi_contour)
        if method == 'one_pass' and one_pass_wrong:
            curve[curve.argmax()] = 0.
        return curve

    monkeypatch.setattr(bench, 'best_iou_curve', with_method)
    assert bench.box_methods() == ['opencv', 'one_pass']
    rows, agreement = bench.benchmark_interval(small_maps, 0.05, 1,
                                               log=lambda line: None)
    assert calls == {'opencv', 'one_pass'}
    assert {r['method'] for r in rows} == {'wsolevaluation', 'opencv',
                                           'one_pass', 'ours'}
    failed = {tuple(a['methods']) for a in agreement if a['differences']}
    if one_pass_wrong:
        assert failed == {('wsolevaluation', 'one_pass'),
                          ('opencv', 'one_pass')}
    else:
        assert failed == set()
