"""WSOLMetric's saved curves (box accuracy per CAM threshold, PxAP's
precision-recall curve) and plot_curves.py."""
import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.logging import MMLogger

from wsol_mm.evaluation.functional import box_acc_curves
from wsol_mm.evaluation.metrics import WSOLMetric

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
THRESHOLDS = np.arange(0, 1, 0.05)


def _samples(num=5, size=32, seed=0):
    rng = np.random.default_rng(seed)
    samples = []
    for i in range(num):
        x0, y0 = rng.integers(0, size // 2, 2)
        w, h = rng.integers(6, size // 2, 2)
        yy, xx = np.mgrid[:size, :size]
        centre = (x0 + w / 2 + rng.normal(0, 3), y0 + h / 2 + rng.normal(0, 3))
        blob = np.exp(-((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2) /
                      (2 * (w * h / 6)))
        scoremap = np.clip(blob + rng.uniform(0, 0.3, blob.shape), 0, 1)
        scoremap = (scoremap - scoremap.min()) / np.ptp(scoremap)
        mask = np.zeros((size, size), np.uint8)
        mask[y0:y0 + h, x0:x0 + w] = 1
        mask[0, :3] = 255  # ignored pixels
        samples.append(dict(
            sample_idx=i, gt_score_map=scoremap.astype(np.float32),
            gt_bboxes=np.array([[x0, y0, x0 + w, y0 + h]], np.float32),
            gt_mask=mask))
    return samples


def test_saved_curves_give_the_metrics(tmp_path):
    (tmp_path / 'run').mkdir()
    log_file = str(tmp_path / 'run' / 'run.log')
    MMLogger.get_instance('test_saved_curves', log_file=log_file)
    samples = _samples()
    metric = WSOLMetric(cam_curve_interval=0.05, method='opencv',
                        curves_file='curves.json')
    metric.process(None, samples)
    metrics = metric.evaluate(len(samples))
    # A relative curves_file is in the log file's folder.
    curves = json.loads((tmp_path / 'run' / 'curves.json').read_text())

    np.testing.assert_allclose(curves['cam_thresholds'], THRESHOLDS)
    assert curves['num_images'] == curves['num_images_with_boxes'] == 5
    maps = [s['gt_score_map'] for s in samples]
    boxes = [s['gt_bboxes'].astype(int) for s in samples]
    multi = box_acc_curves(maps, boxes, THRESHOLDS, (30, 50, 70),
                           multi_contour=True, method='opencv')
    for curve, iou in zip(curves['max_box_acc_v2']['curves'], (30, 50, 70)):
        assert curve['iou'] == iou
        np.testing.assert_allclose(curve['accuracy'], multi[iou])
        assert curve['max'] == max(curve['accuracy']) == pytest.approx(
            metrics[f'wsol/max_box_acc_v2_iou{iou}'])
        best = int(np.argmax(curve['accuracy']))
        assert curve['best_threshold'] == pytest.approx(THRESHOLDS[best])
    assert curves['max_box_acc_v2']['value'] == pytest.approx(
        metrics['wsol/max_box_acc_v2'])
    single = curves['max_box_acc']
    np.testing.assert_allclose(single['accuracy'], box_acc_curves(
        maps, boxes, THRESHOLDS, (50, ), multi_contour=False,
        method='opencv')[50])
    assert max(single['accuracy']) == pytest.approx(
        metrics['wsol/max_box_acc'])
    assert single['best_threshold'] == pytest.approx(
        metrics['wsol/best_cam_threshold'])

    # Every PR point is the brute-force precision and recall of the pixels
    # scoring at least its threshold; the curve's area is PxAP.
    pr = curves['pxap']
    scores = np.concatenate([m.ravel() for m in maps])
    labels = np.concatenate([s['gt_mask'].ravel() for s in samples])
    scores, labels = scores[labels != 255], labels[labels != 255]
    for t, p, r in zip(pr['thresholds'], pr['precision'], pr['recall']):
        above = scores >= t
        assert above.any()
        assert p == pytest.approx((labels[above] == 1).mean())
        assert r == pytest.approx((labels[above] == 1).sum() /
                                  (labels == 1).sum())
    assert np.all(np.diff(pr['thresholds']) < 0)
    area = np.sum(np.array(pr['precision']) * np.diff([0, *pr['recall']]))
    assert area * 100 == pytest.approx(metrics['wsol/pxap'], abs=1e-9)
    assert pr['value'] == pytest.approx(metrics['wsol/pxap'])

    log = open(log_file).read()
    line = [x for x in log.splitlines() if 'best CAM thresholds' in x][0]
    assert f"MaxBoxAcc (IoU 50) {single['best_threshold']:.3f}" in line
    for curve in curves['max_box_acc_v2']['curves']:
        assert (f"MaxBoxAccV2 IoU {curve['iou']} "
                f"{curve['best_threshold']:.3f}") in line

    done = subprocess.run(
        [sys.executable, 'tools/analysis_tools/plot_curves.py',
         str(tmp_path / 'run' / 'curves.json')],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ('box_accuracy.png', 'pxap_pr_curve.png'):
        image = cv2.imread(str(tmp_path / 'run' / name))
        assert image is not None and image.std() > 10, name


def test_curves_file_is_optional_and_checked(tmp_path):
    with pytest.raises(ValueError, match='curves_file'):
        WSOLMetric(curves_file='curves.txt')
    metric = WSOLMetric(cam_curve_interval=0.05, method='opencv',
                        curves_file=str(tmp_path / 'abs' / 'c.json'))
    metric.process(None, _samples(num=2))
    metric.evaluate(2)
    assert osp.exists(tmp_path / 'abs' / 'c.json')
    done = subprocess.run(
        [sys.executable, 'tools/analysis_tools/plot_curves.py',
         str(tmp_path / 'abs' / 'missing.json')],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
