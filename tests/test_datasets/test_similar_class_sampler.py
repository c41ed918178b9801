"""SimilarClassSampler: batches of class blocks with the anchor's similar
classes, deterministic per seed and epoch, split across ranks."""
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from wsol_mm.datasets import SubsampleDataset
from wsol_mm.datasets.samplers import similar_class_sampler
from wsol_mm.registry import DATA_SAMPLERS


class _LabelDataset:
    """Labels only; counts the ``get_data_info`` calls."""

    metainfo = dict(classes=())

    def __init__(self, labels):
        self.labels = list(labels)
        self.info_calls = 0

    def __len__(self):
        return len(self.labels)

    def full_init(self):
        pass

    def get_data_info(self, idx):
        self.info_calls += 1
        return dict(gt_label=self.labels[idx])


def _per_class(num_classes, images):
    return _LabelDataset(k for k in range(num_classes) for _ in range(images))


def _sampler(dataset, batch_size=6, samples_per_class=2, **kwargs):
    init_default_scope('wsol_mm')
    cfg = dict(type='SimilarClassSampler', dataset=dataset,
               batch_size=batch_size, samples_per_class=samples_per_class,
               seed=0)
    cfg.update(kwargs)
    return DATA_SAMPLERS.build(cfg)


def _batches(sampler, dataset):
    """Each batch as its list of class blocks, checking the blocks."""
    indices = list(sampler)
    assert len(indices) == len(sampler)
    batches = []
    for start in range(0, len(indices), sampler.batch_size):
        labels = [dataset.labels[i] for i in
                  indices[start:start + sampler.batch_size]]
        blocks = [labels[i:i + sampler.samples_per_class]
                  for i in range(0, len(labels), sampler.samples_per_class)]
        assert all(len(set(block)) == 1 for block in blocks)
        classes = [block[0] for block in blocks]
        assert len(set(classes)) == len(classes)  # distinct classes
        batches.append(classes)
    return batches


def _similar(num_classes, pairs):
    similar = np.zeros((num_classes, num_classes), dtype=bool)
    for i, j in pairs:
        similar[i, j] = True
    return similar


def test_class_blocks_and_epoch_length():
    dataset = _per_class(8, 5)  # 40 images, 6 per batch: 6 batches
    sampler = _sampler(dataset)
    assert dataset.info_calls == 0  # labels are read lazily
    assert len(sampler) == 36
    batches = _batches(sampler, dataset)
    assert len(batches) == 6 and all(len(b) == 3 for b in batches)
    list(sampler)
    assert dataset.info_calls == 40  # and once


def test_the_anchor_brings_its_similar_classes():
    dataset = _per_class(10, 7)
    # 0 ~ 1, 2 ~ 3 (symmetric); 4 -> 5 only; 6 ~ 7, 8, 9 (more than fit)
    similar = _similar(10, [(0, 1), (1, 0), (2, 3), (3, 2), (4, 5),
                            (6, 7), (6, 8), (6, 9)])
    sampler = _sampler(dataset)
    sampler.set_similar_classes(similar)
    anchors = set()
    for epoch in range(6):
        sampler.set_epoch(epoch)
        for classes in _batches(sampler, dataset):
            anchor, rest = classes[0], classes[1:]
            anchors.add(anchor)
            wanted = set(np.flatnonzero(similar[anchor]))
            if len(wanted) <= len(rest):
                assert wanted <= set(rest)
            else:
                assert set(rest) <= wanted
    assert {0, 4, 6} <= anchors  # the cases above were exercised


def test_draws_without_replacement_as_far_as_possible():
    dataset = _per_class(10, 6)  # 60 images, 6 per batch: 10 batches
    for seed in range(3):
        indices = list(_sampler(dataset, seed=seed))
        assert len(indices) == 60
        # independent draws would leave about a third of the images out
        assert len(set(indices)) >= 54
    # a class of one image fills its block by repeating it
    dataset = _LabelDataset([0, 1, 1, 2, 2, 3, 3, 3])
    indices = list(_sampler(dataset, batch_size=8))
    assert indices.count(0) == 2
    assert {1, 2, 3, 4} <= set(indices)
    assert len(set(indices) & {5, 6, 7}) == 2


def test_deterministic_per_seed_and_epoch():
    dataset = _per_class(8, 5)
    first = list(_sampler(dataset))
    assert list(_sampler(dataset)) == first
    assert list(_sampler(dataset, seed=1)) != first
    sampler = _sampler(dataset)
    sampler.set_epoch(1)
    second = list(sampler)
    assert second != first
    assert list(sampler) == second
    fixed = _sampler(dataset, shuffle=False)
    fixed.set_epoch(1)
    assert list(fixed) == first


def test_two_ranks_draw_differently(monkeypatch):
    dataset = _per_class(8, 5)  # 40 images: 3 batches of 6 per rank
    draws = []
    for rank in (0, 1):
        monkeypatch.setattr(similar_class_sampler, 'get_dist_info',
                            lambda rank=rank: (rank, 2))
        sampler = _sampler(dataset)
        assert len(sampler) == 18
        draws.append(list(sampler))
        assert len(draws[-1]) == 18
        _batches(sampler, dataset)
    assert draws[0] != draws[1]


def test_labels_through_a_dataset_wrapper():
    dataset = _per_class(4, 6)
    subset = SubsampleDataset(dataset, num_per_class=3)
    sampler = _sampler(subset, batch_size=4)
    indices = list(sampler)
    assert len(indices) == 12
    kept = subset.indices
    labels = [dataset.labels[kept[i]] for i in indices]
    for start in range(0, 12, 2):
        assert labels[start] == labels[start + 1]


def test_errors():
    dataset = _per_class(4, 6)
    with pytest.raises(ValueError, match='multiple of samples_per_class'):
        _sampler(dataset, batch_size=5, samples_per_class=2)
    with pytest.raises(ValueError, match='batch_size must be a positive'):
        _sampler(dataset, batch_size=0)
    sampler = _sampler(dataset)
    sampler.set_similar_classes(_similar(3, []))
    with pytest.raises(ValueError, match='K = 3'):
        list(sampler)


def test_fewer_classes_than_a_batch_holds_fill_it_with_more_images():
    dataset = _per_class(3, 8)  # 24 images of 3 classes, batches of 10
    sampler = _sampler(dataset, batch_size=10)  # would hold 5 classes of 2
    indices = list(sampler)
    assert len(indices) == 20
    for start in (0, 10):
        labels = [dataset.labels[i] for i in indices[start:start + 10]]
        counts = sorted(labels.count(k) for k in range(3))
        assert counts == [3, 3, 4]
        # one block per class
        changes = sum(a != b for a, b in zip(labels, labels[1:]))
        assert changes == 2


def test_a_dataset_smaller_than_a_batch_gives_one_batch_with_repeats(
        monkeypatch):
    logged = []
    monkeypatch.setattr(similar_class_sampler, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    dataset = _per_class(4, 2)  # 8 images, batches of 16
    sampler = _sampler(dataset, batch_size=16, samples_per_class=4)
    assert len(logged) == 1 and 'holds no batch of 16' in logged[0]
    indices = list(sampler)
    assert len(sampler) == 16 and len(indices) == 16
    # 4 classes of 4: each of the 2 images of a class twice
    labels = [dataset.labels[i] for i in indices]
    assert sorted(labels.count(k) for k in range(4)) == [4, 4, 4, 4]
    assert sorted(indices) == sorted(list(range(8)) * 2)
