"""tools/analysis_tools/benchmark_metric_memory.py: its lazy samples are the
same on every access, its deep size counts each object once, its verdicts
fail on a difference, and on a few maps in 1 and 2 processes it prints
PASS for memory, the functional API and the 2 processes. No timing is
asserted."""
import importlib.util
import json
import os.path as osp
import sys

import numpy as np
import pytest

from .conftest import REPO_ROOT

ANALYSIS_TOOLS = osp.join(REPO_ROOT, 'tools', 'analysis_tools')


def _load(name):
    # Under its own name: the spawned processes import it by that name.
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ANALYSIS_TOOLS, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench = _load('benchmark_metric_memory')


def test_lazy_samples_are_the_same_on_every_access():
    maps = bench.LazySamples(40, 'gt_score_map', size=32, seed=5)
    masks = bench.LazySamples(40, 'gt_mask', size=32, seed=5)
    first = maps[3].copy()
    assert len(maps) == 40
    maps[10], maps[20], masks[30]  # evict sample 3 from the cache
    bench.synthetic_sample.cache_clear()
    np.testing.assert_array_equal(maps[3], first)
    assert not np.array_equal(maps[4], first)
    np.testing.assert_array_equal(maps[-1], maps[39])
    assert [m.shape for m in maps[38:]] == [(32, 32)] * 2
    with pytest.raises(IndexError):
        maps[40]
    # Iteration (what zip() in the functional API does) stops at the end.
    assert sum(1 for _ in masks) == 40
    assert not np.array_equal(
        bench.LazySamples(40, 'gt_score_map', size=32, seed=6)[3], first)

    sample = bench.synthetic_sample(3, 32, 5)
    assert (sample['gt_score_map'].min(), sample['gt_score_map'].max()) == (
        0, 1)
    assert set(np.unique(sample['gt_mask'])) <= {0, 1, 255}
    assert (sample['gt_mask'] == 1).any()
    boxes = sample['gt_bboxes']
    assert boxes.dtype == np.int64 and (boxes >= 0).all() and (
        boxes <= 31).all() and (boxes[:, :2] <= boxes[:, 2:]).all()
    with pytest.raises(ValueError):  # read-only: the cache cannot change
        sample['gt_score_map'][0, 0] = 0.5


def test_deep_size_counts_each_object_once():
    blob = b'x' * 1000
    assert bench.deep_size(blob) == sys.getsizeof(blob)
    pair = [blob, blob]
    assert bench.deep_size(pair) == sys.getsizeof(pair) + sys.getsizeof(blob)
    array = np.zeros(1000)
    view = array[:10]
    assert bench.deep_size(view) == sys.getsizeof(view) + sys.getsizeof(
        array)
    assert bench.deep_size(array) >= 8000


def test_verdicts_fail_on_a_difference():
    differ = bench.differences(dict(pxap=50.0, max_box_acc=1.0),
                               dict(pxap=50.000001, max_box_acc=1.0),
                               ('pxap', 'max_box_acc', 'max_box_acc_v2'))
    assert differ == ['pxap: 50.0 != 50.000001',
                      'max_box_acc_v2: None != None']
    lines = bench.verdicts(1000, 200e6, differ, 2, [])
    assert lines[0] == ('metric state for 1000 maps: 200.0 MB (200000 '
                        'B/image) (target < 100 MB): FAIL')
    assert lines[1].startswith('WSOLMetric == functional API: FAIL (pxap')
    assert lines[2] == '2 processes == 1 process: PASS'


def test_tool_passes_in_one_and_two_processes(tmp_path, capsys):
    out = tmp_path / 'results.json'
    assert bench.main(['--num-maps', '13', '--size', '32', '--batch-size',
                       '4', '--world-size', '2', '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    results = json.loads(out.read_text())
    assert results['verdicts'] == printed.strip().splitlines()[-3:]
    assert results['verdicts'][0].startswith('metric state for 13 maps: ')
    assert results['verdicts'][0].endswith('(target < 100 MB): PASS')
    assert results['verdicts'][1:] == [
        'WSOLMetric == functional API: PASS', '2 processes == 1 process: PASS'
    ]
    # Shards of 7 and 6 + one padding copy; every image counted once.
    assert [r['images'] for r in results['distributed']['ranks']] == [7, 7]
    assert results['metric']['metrics']['num_images'] == 13
    assert results['distributed']['metrics'] == results['metric']['metrics']
    assert results['functional']['metrics']['pxap'] == \
        results['metric']['metrics']['pxap']
