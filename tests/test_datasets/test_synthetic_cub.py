"""SyntheticCUB: the demo dataset that writes itself on first use."""
import os

import pytest

from wsol_mm.datasets import CUB, SyntheticCUB

GENERATOR = dict(num_classes=2, train_per_class=3, test_per_class=2,
                 min_size=40, max_size=48, seed=3)


def test_writes_the_data_once_then_reads_it(tmp_path):
    root = tmp_path / 'demo'
    dataset = SyntheticCUB(str(root), generator=GENERATOR, split='test')
    assert len(dataset) == 4
    assert dataset.metainfo['classes'] == CUB(str(root), split='test'
                                              ).metainfo['classes']
    # No staging folder is left next to the data.
    assert os.listdir(tmp_path) == ['demo']

    stamp = (root / 'images.txt').stat().st_mtime_ns
    again = SyntheticCUB(str(root), generator=GENERATOR, split='train')
    assert len(again) == 6
    assert (root / 'images.txt').stat().st_mtime_ns == stamp


def test_a_failed_generation_leaves_nothing_behind(tmp_path):
    root = tmp_path / 'demo'
    with pytest.raises(ValueError):
        SyntheticCUB(str(root), generator=dict(GENERATOR, min_size=4))
    assert os.listdir(tmp_path) == []
