"""WSOLMetric at scale: its memory for 50,000 maps, the functional API's
numbers and two processes' numbers.

    python tools/analysis_tools/benchmark_metric_memory.py [--num-maps 50000]
        [--size 48] [--interval 0.001] [--batch-size 64] [--world-size 2]
        [--seed 0] [--out results.json]

Each synthetic sample is generated from its index (CAM-like map, GT boxes,
a 0/1/255 PxAP mask, class scores and label), so nothing but the metric
holds the maps. Three runs over the same samples:

- ``WSOLMetric(cam_curve_interval=interval)``, one process: ``process()``
  batch by batch, then ``evaluate(N)``. Its memory is the deep size
  (``sys.getsizeof`` walk, every object counted once) of ``metric.results``
  and of the whole metric (results, PxAP histograms, thresholds) after the
  last batch;
- the functional API on lazy sequences (maps made on access):
  ``box_acc_curves(..., multi_contour=False)`` (MaxBoxAcc),
  ``box_acc_curves(..., multi_contour=True)`` (MaxBoxAccV2 and per IoU) and
  ``pxap(...)``;
- with ``--world-size`` > 1, the metric in that many gloo processes on the
  CPU, each evaluating the shard MMEngine's ``DefaultSampler(shuffle=False)``
  gives it (with its padding duplicates), then ``evaluate(N)``.

It prints a table, the process's max RSS for context, and the verdicts of
issue 13: metric state < 100 MB, WSOLMetric == functional API (exact
equality of MaxBoxAcc, MaxBoxAccV2, each IoU's and PxAP), world-size
processes == one process (every metric exactly equal). Exits with 1 when a
verdict fails.
"""
import argparse
import functools
import json
import os.path as osp
import pickle
import resource
import sys
import tempfile
import time
from collections.abc import Sequence

TOOLS_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, TOOLS_DIR)

from _repo_env import use_repo_venv  # noqa: E402

use_repo_venv()

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from benchmark_evaluation import machine_info  # noqa: E402
from wsol_mm.evaluation.functional import box_acc_curves, pxap  # noqa: E402
from wsol_mm.evaluation.metrics.wsol_metric import (  # noqa: E402
    WSOLMetric, cam_thresholds)

TARGET_MB = 100.
NUM_CLASSES = 10
MAX_BOX_ACC_IOU = 50
V2_IOUS = (30, 50, 70)
# The metric's names of the numbers the functional API also gives.
FUNCTIONAL_KEYS = ('max_box_acc', 'max_box_acc_v2') + tuple(
    f'max_box_acc_v2_iou{t}' for t in V2_IOUS) + ('pxap', )


# --------------------------------------------------------------------------
# Samples, each made from its index
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=2)
def synthetic_sample(index: int, size: int = 48, seed: int = 0) -> dict:
    """The sample ``index``: the same arrays on every call.

    The map is 1-3 anisotropic Gaussian peaks, a bicubic upsampled 8 x 8
    noise field and faint pixel noise, min-max normalised to [0, 1]
    (float64). The GT boxes (int64 ``x0 y0 x1 y1``) are jittered k-sigma
    boxes (k in [1, 2.5]) of the first one or two peaks; the mask is 1 in
    the same k-sigma ellipses, 255 (ignored) out to k + 0.3 sigma, 0
    elsewhere. ``pred_score`` ranks the label first for about 70 % of the
    samples. The last two calls are cached (``zip`` of two lazy sequences
    reads each sample twice in a row); map, boxes and mask are read-only.
    """
    rng = np.random.default_rng([seed, index])
    coords = np.arange(size, dtype=np.float64)
    num_peaks = int(rng.integers(1, 4))
    num_objects = int(rng.integers(1, min(num_peaks, 2) + 1))
    cam = np.zeros((size, size))
    mask = np.zeros((size, size), dtype=np.uint8)
    ignored = np.zeros((size, size), dtype=bool)
    boxes = []
    for peak in range(num_peaks):
        cy, cx = rng.uniform(0.15, 0.85, 2) * size
        sy, sx = rng.uniform(0.05, 0.2, 2) * size
        radius2 = (((coords - cy) / sy)**2)[:, None] + \
            (((coords - cx) / sx)**2)[None, :]
        cam += rng.uniform(0.4, 1.0) * np.exp(-0.5 * radius2)
        if peak < num_objects:
            extent = rng.uniform(1.0, 2.5)
            jitter = rng.uniform(-0.3, 0.3, 4) * (sx, sy, sx, sy)
            corners = np.array([cx - extent * sx, cy - extent * sy,
                                cx + extent * sx, cy + extent * sy]) + jitter
            boxes.append(np.clip(corners, 0, size - 1).astype(np.int64))
            mask[radius2 <= extent**2] = 1
            ignored |= radius2 <= (extent + 0.3)**2
    mask[ignored & (mask == 0)] = 255
    cam += cv2.resize(rng.normal(0, 0.08, (8, 8)), (size, size),
                      interpolation=cv2.INTER_CUBIC)
    cam += rng.normal(0, 0.01, (size, size))
    cam = (cam - cam.min()) / (cam.max() - cam.min())
    label = index % NUM_CLASSES
    scores = rng.random(NUM_CLASSES)
    if rng.random() < 0.7:
        scores[label] = 1.5
    sample = dict(gt_score_map=cam, gt_bboxes=np.stack(boxes), gt_mask=mask,
                  pred_score=scores, gt_label=label, sample_idx=index)
    for key in ('gt_score_map', 'gt_bboxes', 'gt_mask'):
        sample[key].setflags(write=False)
    return sample


class LazySamples(Sequence):
    """One field (e.g. ``'gt_score_map'``) of samples ``0 .. N-1``, each
    made on access by :func:`synthetic_sample`."""

    def __init__(self, num: int, key: str, size: int = 48, seed: int = 0):
        self.num, self.key, self.size, self.seed = num, key, size, seed

    def __len__(self) -> int:
        return self.num

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.num))]
        if not -self.num <= index < self.num:
            raise IndexError(f'sample {index} of {self.num}')
        return synthetic_sample(index % self.num, self.size,
                                self.seed)[self.key]


# --------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------
def deep_size(obj) -> int:
    """Bytes of ``obj`` and everything it refers to, each object once:
    containers, instance ``__dict__``s and numpy arrays (with their
    buffers); classes, modules and functions are not followed."""
    seen, stack, total = set(), [obj], 0
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type) or callable(item):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, np.ndarray):
            if item.base is not None:  # getsizeof counts owned buffers only
                stack.append(item.base)
        elif hasattr(item, '__dict__'):
            stack.append(vars(item))
    return total


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.  # KiB


# --------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------
def run_metric(indices, num_maps, size, seed, interval, batch_size) -> dict:
    """WSOLMetric over the samples ``indices``, then ``evaluate(num_maps)``:
    metrics, seconds and state bytes."""
    metric = WSOLMetric(cam_curve_interval=interval)
    start = time.perf_counter()
    for first in range(0, len(indices), batch_size):
        metric.process(None, [
            synthetic_sample(i, size, seed)
            for i in indices[first:first + batch_size]
        ])
    process_s = time.perf_counter() - start
    results_bytes = deep_size(metric.results)
    metric_bytes = deep_size(metric)
    num_results = len(metric.results)
    start = time.perf_counter()
    metrics = metric.evaluate(num_maps)
    # 'wsol/max_box_acc' -> 'max_box_acc', the functional API's names.
    metrics = {k.split('/', 1)[-1]: v for k, v in metrics.items()}
    return dict(metrics=metrics, images=num_results, process_s=process_s,
                evaluate_s=time.perf_counter() - start,
                results_bytes=results_bytes, metric_bytes=metric_bytes)


def run_functional(num_maps, size, seed, interval) -> dict:
    """The functional API's MaxBoxAcc, MaxBoxAccV2 (and per IoU) and PxAP
    on lazy sequences of the same samples."""
    def field(key):
        return LazySamples(num_maps, key, size, seed)

    thresholds = cam_thresholds(interval)
    maps, boxes = field('gt_score_map'), field('gt_bboxes')
    seconds = {}
    start = time.perf_counter()
    single = box_acc_curves(maps, boxes, thresholds, (MAX_BOX_ACC_IOU, ),
                            multi_contour=False)
    seconds['MaxBoxAcc'] = time.perf_counter() - start
    start = time.perf_counter()
    multi = box_acc_curves(maps, boxes, thresholds, V2_IOUS,
                           multi_contour=True)
    seconds['MaxBoxAccV2'] = time.perf_counter() - start
    start = time.perf_counter()
    pixel_ap = pxap(maps, field('gt_mask'), thresholds)
    seconds['PxAP'] = time.perf_counter() - start
    best_per_iou = np.array([multi[t].max() for t in V2_IOUS])
    metrics = dict(max_box_acc=float(single[MAX_BOX_ACC_IOU].max()),
                   max_box_acc_v2=float(np.mean(best_per_iou)))
    for t, best in zip(V2_IOUS, best_per_iou):
        metrics[f'max_box_acc_v2_iou{t}'] = float(best)
    metrics['pxap'] = pixel_ap
    return dict(metrics=metrics, seconds=seconds)


def shard(num_maps: int, rank: int, world_size: int) -> list:
    """The indices MMEngine's ``DefaultSampler(shuffle=False)`` gives
    ``rank`` (in an initialised process group)."""
    from mmengine.dataset import DefaultSampler
    sampler = DefaultSampler(range(num_maps), shuffle=False)
    assert (sampler.rank, sampler.world_size) == (rank, world_size)
    return list(sampler)


def _metric_process(rank, world_size, port, settings, out_dir) -> None:
    """One gloo process: its shard through WSOLMetric; writes its result."""
    import torch
    import torch.distributed as dist
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=world_size)
    try:
        indices = shard(settings['num_maps'], rank, world_size)
        result = run_metric(indices, **settings)
        with open(osp.join(out_dir, f'rank{rank}.pkl'), 'wb') as f:
            # No max RSS: Linux carries the parent's over fork and exec.
            pickle.dump(result, f)
    finally:
        dist.destroy_process_group()


def run_distributed(world_size, num_maps, size, seed, interval,
                    batch_size) -> dict:
    """The metric in ``world_size`` gloo processes; rank 0's metrics and
    every rank's state."""
    import socket

    import torch.multiprocessing as mp
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    settings = dict(num_maps=num_maps, size=size, seed=seed,
                    interval=interval, batch_size=batch_size)
    with tempfile.TemporaryDirectory() as out_dir:
        start = time.perf_counter()
        mp.spawn(_metric_process, args=(world_size, port, settings, out_dir),
                 nprocs=world_size, join=True)
        seconds = time.perf_counter() - start
        ranks = []
        for rank in range(world_size):
            with open(osp.join(out_dir, f'rank{rank}.pkl'), 'rb') as f:
                ranks.append(pickle.load(f))
    return dict(metrics=ranks[0]['metrics'], seconds=seconds, ranks=ranks)


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------
def differences(expected: dict, actual: dict, keys) -> list:
    """``key: expected != actual`` for every key whose values differ (exact
    comparison; a missing key differs)."""
    return [f'{k}: {expected.get(k)!r} != {actual.get(k)!r}' for k in keys
            if k not in expected or k not in actual or expected[k] !=
            actual[k]]


def format_metrics(columns: dict) -> str:
    """Table of the metrics (rows) of each run (columns)."""
    keys = list(next(iter(columns.values())))
    width = max(len(k) for k in keys)
    lines = [f'{"metric":<{width}} ' + ' '.join(f'{c:>18}' for c in columns)]
    for key in keys:
        cells = []
        for metrics in columns.values():
            value = metrics.get(key, '-')
            cells.append(f'{value:>18.10g}' if isinstance(value, float)
                         else f'{value!s:>18}')
        lines.append(f'{key:<{width}} ' + ' '.join(cells))
    return '\n'.join(lines)


def verdicts(num_maps, state_bytes, functional_diff, world_size,
             distributed_diff) -> list:
    mb = state_bytes / 1e6
    lines = [
        f'metric state for {num_maps} maps: {mb:.1f} MB '
        f'({state_bytes / num_maps:.0f} B/image) (target < {TARGET_MB:g} '
        f'MB): {"PASS" if mb < TARGET_MB else "FAIL"}',
        'WSOLMetric == functional API: ' +
        ('PASS' if not functional_diff else 'FAIL (' +
         '; '.join(functional_diff) + ')')
    ]
    if world_size > 1:
        lines.append(f'{world_size} processes == 1 process: ' + (
            'PASS' if not distributed_diff else 'FAIL (' +
            '; '.join(distributed_diff) + ')'))
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="WSOLMetric's memory for many maps, and its numbers "
        'against the functional API and against several processes')
    parser.add_argument('--num-maps', type=int, default=50000,
                        help='synthetic samples (default 50000)')
    parser.add_argument(
        '--size', type=int, default=48,
        help='maps are SIZE x SIZE (default 48: the default run takes about '
        '5 minutes on 2 cores; 64 took 7.6 minutes)')
    parser.add_argument('--interval', type=float, default=0.001,
                        help='cam_curve_interval (default 0.001)')
    parser.add_argument('--batch-size', type=int, default=64,
                        help='samples per process() call (default 64)')
    parser.add_argument(
        '--world-size', type=int, default=2,
        help='also run the metric in this many gloo processes and compare '
        'with one process (default 2; 1 skips it)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the results to this JSON file')
    args = parser.parse_args(argv)
    for name in ('num_maps', 'batch_size', 'world_size'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1, got '
                         f'{getattr(args, name)}')
    if args.size < 8:
        parser.error(f'--size must be >= 8, got {args.size}')
    if not 0 < args.interval <= 1:
        parser.error(f'--interval must lie in (0, 1], got {args.interval}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    settings = dict(num_maps=args.num_maps, size=args.size, seed=args.seed,
                    interval=args.interval, batch_size=args.batch_size)
    print(f'{args.num_maps} synthetic {args.size} x {args.size} maps (seed '
          f'{args.seed}), cam_curve_interval {args.interval:g}, '
          f'{len(cam_thresholds(args.interval))} CAM thresholds', flush=True)

    one = run_metric(list(range(args.num_maps)), **settings)
    rss_after_metric = max_rss_mb()
    print(f'WSOLMetric, 1 process: process() {one["process_s"]:.1f} s, '
          f'evaluate() {one["evaluate_s"]:.2f} s; results '
          f'{one["results_bytes"] / 1e6:.2f} MB, whole metric '
          f'{one["metric_bytes"] / 1e6:.2f} MB; max RSS '
          f'{rss_after_metric:.0f} MB', flush=True)

    functional = run_functional(args.num_maps, args.size, args.seed,
                                args.interval)
    print('functional API: ' + ', '.join(
        f'{k} {s:.1f} s' for k, s in functional['seconds'].items()) +
        f'; max RSS {max_rss_mb():.0f} MB (box_acc_curves keeps an (N, T) '
        'float64 IoU array)', flush=True)

    columns = {'WSOLMetric': one['metrics'],
               'functional API': functional['metrics']}
    distributed = None
    if args.world_size > 1:
        distributed = run_distributed(args.world_size, **settings)
        columns[f'{args.world_size} processes'] = distributed['metrics']
        print(f'WSOLMetric, {args.world_size} processes: '
              f'{distributed["seconds"]:.1f} s with start-up; per rank ' +
              ', '.join(
                  f'{r["images"]} images {r["metric_bytes"] / 1e6:.2f} MB'
                  for r in distributed['ranks']), flush=True)
    print()
    print(format_metrics(columns))
    print()

    functional_diff = differences(functional['metrics'], one['metrics'],
                                  FUNCTIONAL_KEYS)
    distributed_diff = [] if distributed is None else differences(
        one['metrics'], distributed['metrics'],
        sorted(set(one['metrics']) | set(distributed['metrics'])))
    lines = verdicts(args.num_maps, one["metric_bytes"], functional_diff,
                     args.world_size, distributed_diff)
    for line in lines:
        print(line)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(machine=machine_info(), settings=vars(args),
                           metric=one, functional=functional,
                           distributed=distributed,
                           max_rss_mb=max_rss_mb(), verdicts=lines),
                      f, indent=2)
    return 1 if functional_diff or distributed_diff or \
        one["metric_bytes"] / 1e6 >= TARGET_MB else 0


if __name__ == '__main__':
    sys.exit(main())
