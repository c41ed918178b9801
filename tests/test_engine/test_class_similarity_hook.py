"""ClassSimilarityHook: class similarity of ISIC (3.3-3.4) before training,
its file for resumed runs, and its delivery to the loss and the sampler."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from torch.utils.data import DataLoader, Dataset

from wsol_mm.registry import DATA_SAMPLERS, HOOKS, MODELS
from wsol_mm.structures import WSOLDataSample

CLASSES = ('gull', 'tern', 'wren')
SIZE = 64


class _TensorDataset(Dataset):
    """Images held in memory, with the metainfo of a wsol_mm dataset."""

    def __init__(self, images, labels, classes=CLASSES):
        self.images, self.labels = images, labels
        self.metainfo = dict(classes=classes)

    def __len__(self):
        return len(self.labels)

    def get_data_info(self, idx):
        return dict(gt_label=self.labels[idx])

    def __getitem__(self, idx):
        return dict(inputs=self.images[idx],
                    data_samples=WSOLDataSample().set_gt_label(
                        self.labels[idx]))


def _dataset(per_class=4):
    """Classes 0 and 1: one pattern with a little noise; class 2: another."""
    generator = torch.Generator().manual_seed(0)
    pattern = torch.rand(3, SIZE, SIZE, generator=generator) * 255
    other = torch.zeros(3, SIZE, SIZE)
    other[:, :, SIZE // 2:] = 255
    images, labels = [], []
    for label, base in enumerate((pattern, pattern, other)):
        for _ in range(per_class):
            noise = torch.rand(3, SIZE, SIZE, generator=generator) * 4
            images.append(base + noise)
            labels.append(label)
    return _TensorDataset(images, labels)


def _model(seed=0):
    init_default_scope('wsol_mm')
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(type='CAM',
             backbone=dict(type='mmpretrain.ResNet', depth=18,
                           base_channels=8, out_indices=(3, )),
             head=dict(type='CAMHead', num_classes=3, in_channels=64)))
    model.init_weights()
    model.icfs = MODELS.build(dict(type='ICFSLoss'))
    return model.train()


def _runner(tmp_path, model, dataset, sampler=None):
    loader = DataLoader(dataset, batch_size=4, sampler=sampler,
                        collate_fn=pseudo_collate)
    return SimpleNamespace(work_dir=str(tmp_path), model=model,
                           train_dataloader=loader)


def _independent_sums(model, dataset):
    """Per-class sums of the image vectors (spatial means of the backbone's
    last feature map) and image counts, image by image."""
    model.eval()
    sums = np.zeros((len(dataset.metainfo['classes']), 64))
    counts = np.zeros(len(sums))
    with torch.no_grad():
        for image, label in zip(dataset.images, dataset.labels):
            inputs = model.data_preprocessor(
                dict(inputs=[image], data_samples=None), False)['inputs']
            feature_map = model.backbone(inputs)[-1][0].double()
            sums[label] += feature_map.mean((1, 2)).numpy()
            counts[label] += 1
    model.train()
    return sums, counts


def _independent_similarity(model, dataset):
    """Cosine similarity of the per-class mean image vectors; zero rows for
    classes without images."""
    sums, counts = _independent_sums(model, dataset)
    similarity = np.zeros((len(sums), len(sums)))
    for i in range(len(sums)):
        for j in range(len(sums)):
            if counts[i] and counts[j]:
                a, b = sums[i] / counts[i], sums[j] / counts[j]
                similarity[i, j] = a @ b / np.linalg.norm(a) / np.linalg.norm(
                    b)
    return similarity


def _gamma_between(similarity):
    """A threshold that only the pair (0, 1) passes."""
    low = max(similarity[0, 2], similarity[1, 2])
    assert similarity[0, 1] > low + 1e-4
    return float(similarity[0, 1] + low) / 2


def test_similarity_saved_and_delivered(tmp_path):
    model, dataset = _model(), _dataset()
    expected = _independent_similarity(model, dataset)
    gamma = _gamma_between(expected)
    hook = HOOKS.build(dict(type='ClassSimilarityHook', gamma=gamma))
    hook.before_train(_runner(tmp_path, model, dataset))
    assert model.training  # train mode restored

    saved = torch.load(tmp_path / 'class_similarity.pth')
    assert saved['gamma'] == gamma and saved['classes'] == list(CLASSES)
    np.testing.assert_allclose(saved['similarity'].numpy(), expected,
                               rtol=1e-5, atol=1e-6)
    pair = torch.zeros(3, 3, dtype=torch.bool)
    pair[0, 1] = pair[1, 0] = True
    assert torch.equal(saved['similar'], pair)
    assert torch.equal(model.icfs.similar, pair)


def test_resumed_run_loads_the_file_and_other_gamma_recomputes(tmp_path):
    model, dataset = _model(), _dataset()
    runner = _runner(tmp_path, model, dataset)
    path = tmp_path / 'class_similarity.pth'
    marked = ~torch.eye(3, dtype=torch.bool)  # not what any gamma gives here
    torch.save(dict(similarity=torch.ones(3, 3), similar=marked, gamma=0.5,
                    classes=list(CLASSES)), path)
    HOOKS.build(dict(type='ClassSimilarityHook',
                     gamma=0.5)).before_train(runner)
    assert torch.equal(model.icfs.similar, marked)
    assert torch.equal(torch.load(path)['similar'], marked)

    expected = _independent_similarity(model, dataset)
    gamma = _gamma_between(expected)
    HOOKS.build(dict(type='ClassSimilarityHook',
                     gamma=gamma)).before_train(runner)
    saved = torch.load(path)
    assert saved['gamma'] == gamma
    np.testing.assert_allclose(saved['similarity'].numpy(), expected,
                               rtol=1e-5, atol=1e-6)
    assert saved['similar'].sum() == 2 and saved['similar'][0, 1]
    assert torch.equal(model.icfs.similar, saved['similar'])


def test_extractor_from_config_and_checkpoint(tmp_path):
    extractor, dataset = _model(seed=1), _dataset()
    checkpoint = tmp_path / 'extractor.pth'
    torch.save(dict(state_dict=extractor.state_dict()), checkpoint)
    expected = _independent_similarity(extractor, dataset)
    model = _model(seed=2)  # other weights: must not be used
    assert not np.allclose(_independent_similarity(model, dataset), expected,
                           atol=1e-4)
    hook = HOOKS.build(
        dict(type='ClassSimilarityHook', gamma=_gamma_between(expected),
             extractor=dict(
                 type='CAM',
                 backbone=dict(type='mmpretrain.ResNet', depth=18,
                               base_channels=8, out_indices=(3, )),
                 head=dict(type='CAMHead', num_classes=3, in_channels=64),
                 checkpoint=str(checkpoint))))
    hook.before_train(_runner(tmp_path, model, dataset))
    saved = torch.load(tmp_path / 'class_similarity.pth')
    np.testing.assert_allclose(saved['similarity'].numpy(), expected,
                               rtol=1e-5, atol=1e-6)


def test_sampler_receives_the_classes_and_empty_class_is_zero(tmp_path):
    init_default_scope('wsol_mm')
    dataset = _dataset()
    dataset.metainfo = dict(classes=CLASSES + ('swift', ))  # no image
    model = _model()
    del model.icfs
    sampler = DATA_SAMPLERS.build(
        dict(type='SimilarClassSampler', dataset=dataset, batch_size=4,
             seed=0))
    hook = HOOKS.build(dict(type='ClassSimilarityHook', gamma=-1.0))
    hook.before_train(_runner(tmp_path, model, dataset, sampler))
    saved = torch.load(tmp_path / 'class_similarity.pth')
    assert torch.equal(saved['similarity'][3], torch.zeros(4))
    assert torch.equal(saved['similarity'][:, 3], torch.zeros(4))
    expected = ~torch.eye(4, dtype=torch.bool)  # gamma -1: all with images
    expected[3] = expected[:, 3] = False
    assert torch.equal(saved['similar'], expected)
    assert np.array_equal(sampler.similar, expected.numpy())


def test_without_receiver_raises(tmp_path):
    model = _model()
    del model.icfs
    hook = HOOKS.build(dict(type='ClassSimilarityHook'))
    with pytest.raises(RuntimeError, match='ICFSLoss.*SimilarClassSampler'):
        hook.before_train(_runner(tmp_path, model, _dataset()))


def test_sums_and_counts_are_reduced_over_ranks(tmp_path, monkeypatch):
    """This rank sees no image of class 2; the all_reduce of a second rank,
    which sees the other images, is emulated: the similarity is that of
    all images and class 2 is not taken for a class without images."""
    from wsol_mm.engine.hooks import class_similarity_hook
    model, dataset = _model(), _dataset()
    expected = _independent_similarity(model, dataset)
    mine = [0, 1, 4, 5, 6]
    others = [i for i in range(len(dataset)) if i not in mine]
    here, there = (_TensorDataset([dataset.images[i] for i in part],
                                  [dataset.labels[i] for i in part])
                   for part in (mine, others))
    other_sums, other_counts = _independent_sums(model, there)
    reduced = []

    def all_reduce(data):
        other = other_sums if data.dim() == 2 else other_counts
        data += torch.from_numpy(other).to(data)
        reduced.append(data.dim())

    monkeypatch.setattr(class_similarity_hook, 'all_reduce', all_reduce)
    HOOKS.build(dict(type='ClassSimilarityHook',
                     gamma=_gamma_between(expected))).before_train(
                         _runner(tmp_path, model, here))
    assert sorted(reduced) == [1, 2]
    saved = torch.load(tmp_path / 'class_similarity.pth')
    np.testing.assert_allclose(saved['similarity'].numpy(), expected,
                               rtol=1e-5, atol=1e-6)
