"""WSOLMetric in a real gloo process group on the CPU: 7 samples through
MMEngine's DefaultSampler(shuffle=False) on 2 ranks (padded to 8 with a
copy of sample 0) give exactly one process's metrics, PxAP included,
although counting the padding copy would change PxAP.

One spawn of 2 processes serves every case (importing wsol_mm takes
several seconds per process; a third process for a 3-rank case would add
half again): each case initialises its group on a fresh port, evaluates,
and destroys the group."""
import os.path as osp
import pickle
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.dataset import DefaultSampler

from wsol_mm.evaluation.functional import pxap
from wsol_mm.evaluation.metrics import WSOLMetric

NUM_SAMPLES = 7
HEIGHT, WIDTH = 24, 32
INTERVAL = 0.01  # every path of the metric is the same at 0.001, slower
WORLD_SIZE = 2
# case name: indices of the samples without gt_mask
CASES = {'all_masks': (), 'padding_without_mask': (0, )}


def make_sample(index: int, without_mask=()) -> dict:
    """Sample ``index`` (the same in every process): a CAM-like map with a
    blob near its GT box, a 0/1/255 mask, class scores and label. Sample 0's
    mask is foreground where its map is low, so counting it twice changes
    PxAP."""
    rng = np.random.default_rng([7, index])
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    cy, cx = rng.uniform(6, HEIGHT - 6), rng.uniform(8, WIDTH - 8)
    sy, sx = rng.uniform(2, 5), rng.uniform(3, 7)
    radius2 = ((ys - cy) / sy)**2 + ((xs - cx) / sx)**2
    cam = np.exp(-0.5 * radius2) + 0.3 * rng.random((HEIGHT, WIDTH))
    cam = (cam - cam.min()) / (cam.max() - cam.min())
    box = [cx - 2 * sx, cy - 2 * sy, cx + 2 * sx, cy + 2 * sy]
    box = np.clip(np.round(box) + rng.integers(-2, 3, 4), 0, WIDTH - 1)
    box[[1, 3]] = np.minimum(box[[1, 3]], HEIGHT - 1)
    mask = np.where(radius2 <= 4, 1, np.where(radius2 <= 6, 255, 0))
    if index == 0:
        mask = np.where(cam < 0.3, 1, 0)
    sample = dict(
        sample_idx=index,
        img_path=f'img_{index}.jpg',
        gt_score_map=torch.as_tensor(cam, dtype=torch.float32),
        gt_bboxes=torch.as_tensor(box[None], dtype=torch.float32),
        pred_score=torch.as_tensor(rng.random(5), dtype=torch.float32),
        gt_label=torch.tensor([index % 5]))
    if index not in without_mask:
        sample['gt_mask'] = torch.as_tensor(mask.astype(np.uint8))
    return sample


def evaluate(indices, without_mask=()) -> dict:
    """WSOLMetric over ``indices`` (two per process() call), then
    ``evaluate(NUM_SAMPLES)``."""
    metric = WSOLMetric(cam_curve_interval=INTERVAL)
    for first in range(0, len(indices), 2):
        metric.process(None, [
            make_sample(i, without_mask) for i in indices[first:first + 2]
        ])
    return metric.evaluate(NUM_SAMPLES)


def _rank_process(rank: int, ports: dict, out_dir: str) -> None:
    torch.set_num_threads(1)
    for case, without_mask in CASES.items():
        dist.init_process_group(
            'gloo', init_method=f'tcp://127.0.0.1:{ports[case]}', rank=rank,
            world_size=WORLD_SIZE)
        try:
            indices = list(DefaultSampler(range(NUM_SAMPLES), shuffle=False))
            metrics = evaluate(indices, without_mask)
        finally:
            dist.destroy_process_group()
        with open(osp.join(out_dir, f'{case}_rank{rank}.pkl'), 'wb') as f:
            pickle.dump(dict(indices=indices, metrics=metrics), f)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def distributed(tmp_path_factory):
    """{case: [each rank's indices and metrics]} from one spawn."""
    out_dir = str(tmp_path_factory.mktemp('wsol_metric_ddp'))
    ports = {case: _free_port() for case in CASES}
    mp.spawn(_rank_process, args=(ports, out_dir), nprocs=WORLD_SIZE,
             join=True)
    runs = {}
    for case in CASES:
        runs[case] = []
        for rank in range(WORLD_SIZE):
            with open(osp.join(out_dir, f'{case}_rank{rank}.pkl'), 'rb') as f:
                runs[case].append(pickle.load(f))
    return runs


def test_sampler_pads_with_the_first_samples(distributed):
    assert [r['indices'] for r in distributed['all_masks']] == [
        [0, 2, 4, 6], [1, 3, 5, 0]]


def test_processes_equal_one_process(distributed):
    expected = evaluate(list(range(NUM_SAMPLES)))
    assert 'wsol/pxap' in expected and 'wsol/max_box_acc_v2' in expected
    for rank in distributed['all_masks']:  # every rank gets rank 0's metrics
        assert rank['metrics'] == expected


def test_counting_the_padding_would_change_pxap():
    """The check above can see a double count: PxAP of the padded list
    (what summing both processes' histograms gives) differs."""
    thresholds = np.arange(0, 1, INTERVAL)
    samples = [make_sample(i) for i in range(NUM_SAMPLES)]
    maps = [s['gt_score_map'].numpy() for s in samples]
    masks = [s['gt_mask'].numpy() for s in samples]
    padding = -NUM_SAMPLES % WORLD_SIZE
    single = pxap(maps, masks, thresholds)
    padded = pxap(maps + maps[:padding], masks + masks[:padding], thresholds)
    assert single == evaluate(list(range(NUM_SAMPLES)))['wsol/pxap']
    assert abs(padded - single) > 0.1


def test_padding_without_mask_keeps_the_other_images(distributed):
    expected = evaluate(list(range(NUM_SAMPLES)), without_mask=(0, ))
    got = distributed['padding_without_mask'][0]['metrics']
    assert {k: v for k, v in got.items() if k != 'wsol/pxap'} == {
        k: v for k, v in expected.items() if k != 'wsol/pxap'}
    assert got['wsol/pxap'] == expected['wsol/pxap']
