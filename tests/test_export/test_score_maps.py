"""DumpScoreMaps: wsolevaluation's <image id>.npy layout, re-evaluated."""
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch

from wsol_mm.evaluation.metrics import DumpScoreMaps, WSOLMetric
from wsol_mm.evaluation.metrics.dump_score_maps import score_map_path

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _port():
    """tools/analysis_tools/wsolevaluation_loop.py, the reference's loop."""
    path = osp.join(REPO_ROOT, 'tools', 'analysis_tools',
                    'wsolevaluation_loop.py')
    spec = importlib.util.spec_from_file_location('wsolevaluation_loop', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _samples(num=6, size=48, seed=0):
    """Blob-like maps with noise (one raw, outside [0, 1], which the metric
    normalises), GT boxes, ids with class subfolders as in wsolevaluation's
    image_ids.txt."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:size, 0:size]
    samples = []
    for i in range(num):
        cx, cy = rng.uniform(10, size - 10, 2)
        blob = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / 60.)
        scoremap = blob + 0.3 * rng.random((size, size))
        scoremap = (scoremap - scoremap.min()) / np.ptp(scoremap)
        if i == 0:
            scoremap = 3 * scoremap - 1  # not normalised
        # GT boxes off the blob by up to 8 px, of random sizes: some
        # images are localised at some thresholds only
        dx, dy = rng.uniform(-8, 8, 2)
        half_w, half_h = rng.uniform(4, 14, 2)
        box = [max(cx + dx - half_w, 0), max(cy + dy - half_h, 0),
               min(cx + dx + half_w, size - 1),
               min(cy + dy + half_h, size - 1)]
        samples.append(dict(
            img_id=f'{i % 2:03d}.class/image_{i}.jpg', sample_idx=i,
            img_path=f'/data/{i}.jpg',
            gt_score_map=torch.as_tensor(scoremap, dtype=torch.float32),
            gt_bboxes=torch.tensor([box], dtype=torch.float32)))
    return samples


def test_maps_in_wsolevaluation_layout_reevaluate_to_the_metric(tmp_path):
    samples = _samples(num=8)
    metric = WSOLMetric(cam_curve_interval=0.01, topk=1, method='opencv')
    dumper = DumpScoreMaps(str(tmp_path))
    metric.process(None, samples)
    dumper.process(None, samples)
    assert dumper.compute_metrics(dumper.results) == {}
    expected = metric.compute_metrics(metric.results)

    port = _port()
    thresholds = list(np.arange(0, 1, 0.01))
    single = port.BoxEvaluator(thresholds, [50], multi_contour_eval=False)
    multi = port.BoxEvaluator(thresholds, [30, 50, 70],
                              multi_contour_eval=True)
    for sample in samples:
        # CamDataset's path: scoremap_root + image_id + '.npy'
        path = osp.join(str(tmp_path), sample['img_id'] + '.npy')
        assert osp.isfile(path)
        scoremap = np.load(path)
        assert scoremap.dtype == np.float64  # the reference's check
        raw = sample['gt_score_map'].double().numpy()
        if sample['sample_idx'] == 0:  # normalised as the metric does
            raw = (raw - raw.min()) / np.ptp(raw)
        np.testing.assert_allclose(scoremap, raw, atol=1e-6)
        gt = np.trunc(sample['gt_bboxes'].numpy()).astype(int)
        single.accumulate(scoremap, gt)
        multi.accumulate(scoremap, gt)
    assert single.compute()[0] == pytest.approx(expected['max_box_acc'])
    assert np.mean(multi.compute()) == pytest.approx(
        expected['max_box_acc_v2'])
    assert 0 < expected['max_box_acc_v2'] < 100  # a non-trivial check


def test_bad_ids_and_missing_keys(tmp_path):
    assert score_map_path('root', 'a/b.jpg') == osp.join('root',
                                                         'a/b.jpg.npy')
    for bad in ('/abs/x.jpg', '../x.jpg', 'a/../../x.jpg', ''):
        with pytest.raises(ValueError, match='image id'):
            score_map_path('root', bad)
    sample = _samples(1)[0]
    del sample['img_id']
    with pytest.raises(KeyError, match='img_id'):
        DumpScoreMaps(str(tmp_path)).process(None, [sample])
