"""ClassSimilarityHook: class similarity of ISIC (3.3-3.4) before training,
from the trained model or a pretrained extractor, with or without the PCA to
few dimensions, its file for resumed runs, and its delivery to the loss and
the sampler."""
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.model import BaseModel, BaseModule, ImgDataPreprocessor
from mmengine.registry import init_default_scope
from torch.utils.data import DataLoader, Dataset

from wsol_mm.registry import DATA_SAMPLERS, HOOKS, MODELS
from wsol_mm.structures import WSOLDataSample

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

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


def _independent_vectors(model, dataset, backbone=None):
    """The image vectors (spatial means of the last feature map of
    ``backbone``, by default the model's) one by one, (N, C)."""
    backbone = backbone or model.backbone
    backbone.eval()
    vectors = []
    with torch.no_grad():
        for image in dataset.images:
            inputs = model.data_preprocessor(
                dict(inputs=[image], data_samples=None), False)['inputs']
            feature_map = backbone(inputs)[-1][0].double()
            vectors.append(feature_map.mean((1, 2)).numpy())
    backbone.train()
    return np.stack(vectors)


def _independent_sums(model, dataset, backbone=None):
    """Per-class sums of the image vectors and image counts, image by
    image, and the sum of the vectors' outer products."""
    vectors = _independent_vectors(model, dataset, backbone)
    sums = np.zeros((len(dataset.metainfo['classes']), vectors.shape[1]))
    counts = np.zeros(len(sums))
    for vector, label in zip(vectors, dataset.labels):
        sums[label] += vector
        counts[label] += 1
    return sums, counts, vectors.T @ vectors


def _cosine(representations, counts):
    """Cosine similarity of the rows; zero rows for classes without
    images."""
    similarity = np.zeros((len(counts), len(counts)))
    for i in range(len(counts)):
        for j in range(len(counts)):
            if counts[i] and counts[j]:
                a, b = representations[i], representations[j]
                similarity[i, j] = a @ b / np.linalg.norm(a) / np.linalg.norm(
                    b)
    return similarity


def _independent_similarity(model, dataset, dim=None, backbone=None):
    """Cosine similarity of the per-class mean image vectors; with ``dim``,
    of their projections on the ``dim`` leading principal directions of
    the centred image vectors (an SVD here)."""
    vectors = _independent_vectors(model, dataset, backbone)
    labels = np.array(dataset.labels)
    counts = np.bincount(labels, minlength=len(dataset.metainfo['classes']))
    means = np.stack([
        vectors[labels == k].mean(0) if counts[k] else
        np.zeros(vectors.shape[1]) for k in range(len(counts))
    ])
    if dim is not None:
        centre = vectors.mean(0)
        directions = np.linalg.svd(vectors - centre)[2][:dim]
        means = (means - centre) @ directions.T
    return _cosine(means, counts)


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


@pytest.mark.parametrize('dim', [None, 8])
def test_sums_and_counts_are_reduced_over_ranks(tmp_path, monkeypatch, dim):
    """This rank sees no image of class 2; the all_reduce of a second rank,
    which sees the other images, is emulated: the similarity (and the
    principal directions) are those of all images and class 2 is not taken
    for a class without images."""
    from wsol_mm.engine.hooks import class_similarity_hook
    model, dataset = _model(), _dataset()
    expected = _independent_similarity(model, dataset, dim)
    mine = [0, 1, 4, 5, 6]
    others = [i for i in range(len(dataset)) if i not in mine]
    here, there = (_TensorDataset([dataset.images[i] for i in part],
                                  [dataset.labels[i] for i in part])
                   for part in (mine, others))
    other_sums, other_counts, other_moments = _independent_sums(model, there)
    others_by_shape = {part.shape: part for part in (other_sums, other_counts,
                                                     other_moments)}
    reduced = []

    def all_reduce(data):
        data += torch.from_numpy(others_by_shape[tuple(data.shape)]).to(data)
        reduced.append(tuple(data.shape))

    monkeypatch.setattr(class_similarity_hook, 'all_reduce', all_reduce)
    HOOKS.build(dict(type='ClassSimilarityHook', dim=dim,
                     gamma=_gamma_between(expected))).before_train(
                         _runner(tmp_path, model, here))
    assert sorted(reduced) == sorted([(3, ), (3, 64)] +
                                     ([] if dim is None else [(64, 64)]))
    saved = torch.load(tmp_path / 'class_similarity.pth')
    np.testing.assert_allclose(saved['similarity'].numpy(), expected,
                               rtol=1e-5, atol=1e-6)


@MODELS.register_module(force=True)
class ImageAsFeatureMap(BaseModule):
    """An extractor whose feature map is its input: a constant image's
    vector is its pixel value."""

    def forward(self, inputs):
        return (inputs, )


class _ModelWithoutFeatures(BaseModel):
    """A trained model that must not be used for the image vectors."""

    def __init__(self):
        super().__init__(data_preprocessor=ImgDataPreprocessor())
        self.icfs = MODELS.build(dict(type='ICFSLoss'))

    def forward(self, *args, **kwargs):
        raise AssertionError('the image vectors come from the extractor')


# Two constant 2x2 images per class (x, y, z): class means A = (9, 10, 0),
# B = (7, 10, 2), C = (-1, 10, -2), mean of all images (5, 10, 0); y is the
# same in every image (no variance), the x-z covariance is
# [[112, 32], [32, 22]] / 6, leading direction ~ (32, 10.2) in (x, z).
VECTORS = [((9, 10, 1), 0), ((9, 10, -1), 0), ((7, 10, 3), 1),
           ((7, 10, 1), 1), ((-1, 10, -1), 2), ((-1, 10, -3), 2)]
# cos of the raw class means: (A, B) 163 / sqrt(181 * 153), (A, C)
# 91 / sqrt(181 * 105), (B, C) 89 / sqrt(153 * 105).
RAW = np.array([[1, 0.979496, 0.660097], [0.979496, 1, 0.702182],
                [0.660097, 0.702182, 1]])
# Two components keep x and z, drop y; the centred class means (4, 0),
# (2, 2), (-6, -2): cos (A, B) 8 / (4 sqrt 8), (A, C) -24 / (4 sqrt 40),
# (B, C) -16 / (sqrt 8 sqrt 40).
PCA2 = np.array([[1, 0.707107, -0.948683], [0.707107, 1, -0.894427],
                 [-0.948683, -0.894427, 1]])
# One component: the signs of the projections on the leading direction,
# A +128, B +84.4, C -212.4 (x 32 + z 10.2).
PCA1 = np.array([[1, 1, -1], [1, 1, -1], [-1, -1, 1]])


def _constant_images():
    images = [torch.tensor(v, dtype=torch.float32)[:, None, None].expand(
        3, 2, 2).clone() for v, _ in VECTORS]
    return _TensorDataset(images, [label for _, label in VECTORS])


@pytest.mark.parametrize('dim,expected,similar_pairs', [
    (None, RAW, [(0, 1), (0, 2), (1, 2)]),
    (2, PCA2, [(0, 1)]),
    (1, PCA1, [(0, 1)]),
])
def test_extractor_vectors_and_principal_components_by_hand(
        tmp_path, dim, expected, similar_pairs):
    init_default_scope('wsol_mm')
    model = _ModelWithoutFeatures()
    hook = HOOKS.build(dict(type='ClassSimilarityHook', gamma=0.3, dim=dim,
                            extractor=dict(type='ImageAsFeatureMap')))
    hook.before_train(_runner(tmp_path, model, _constant_images()))
    saved = torch.load(tmp_path / 'class_similarity.pth')
    np.testing.assert_allclose(saved['similarity'].numpy(), expected,
                               atol=1e-5)
    pairs = torch.zeros(3, 3, dtype=torch.bool)
    for i, j in similar_pairs:
        pairs[i, j] = pairs[j, i] = True
    assert torch.equal(saved['similar'], pairs)
    assert torch.equal(model.icfs.similar, pairs)


def test_file_of_other_settings_is_recomputed(tmp_path):
    init_default_scope('wsol_mm')
    model, dataset = _ModelWithoutFeatures(), _constant_images()
    runner = _runner(tmp_path, model, dataset)
    stub = dict(type='ImageAsFeatureMap')
    HOOKS.build(dict(type='ClassSimilarityHook', gamma=0.3,
                     extractor=stub)).before_train(runner)
    assert model.icfs.similar.sum() == 6  # every pair (RAW)
    HOOKS.build(dict(type='ClassSimilarityHook', gamma=0.3, extractor=stub,
                     dim=2)).before_train(runner)
    assert model.icfs.similar.sum() == 2  # only (A, B) (PCA2)
    np.testing.assert_allclose(
        torch.load(tmp_path / 'class_similarity.pth')['similarity'].numpy(),
        PCA2, atol=1e-5)


def test_more_components_than_dimensions_and_bad_dim(tmp_path):
    init_default_scope('wsol_mm')
    hook = HOOKS.build(dict(type='ClassSimilarityHook', dim=4,
                            extractor=dict(type='ImageAsFeatureMap')))
    with pytest.raises(ValueError, match='dim=4 principal components of 3-d'):
        hook.before_train(_runner(tmp_path, _ModelWithoutFeatures(),
                                  _constant_images()))
    for dim in (0, 2.5):
        with pytest.raises(ValueError, match='dim'):
            HOOKS.build(dict(type='ClassSimilarityHook', dim=dim))


def _isic_hook_cfg(config=None):
    """The hook of the cam stage of an ISIC config, by default the one of
    _base_/methods/isic.py."""
    if config is None:
        cfg = Config.fromfile(
            osp.join(REPO_ROOT, 'configs', '_base_', 'methods', 'isic.py'))
        hooks = cfg.isic_stages.cam.cfg.custom_hooks
    else:
        cfg = Config.fromfile(osp.join(REPO_ROOT, config))
        hooks = cfg.stages.cam.cfg.custom_hooks
    hook, = [h for h in hooks if h.type == 'ClassSimilarityHook']
    return hook.to_dict()


def test_isic_config_extractor_is_an_imagenet_resnet50_with_128_components():
    hook = _isic_hook_cfg()
    assert hook == dict(
        type='ClassSimilarityHook', gamma=0.3, dim=128,
        extractor=dict(type='mmpretrain.ResNet', depth=50, out_indices=(3, ),
                       init_cfg=dict(type='Pretrained',
                                     checkpoint='torchvision://resnet50')))
    for config, gamma in (('isic_r50_cub.py', 0.3),
                          ('isic_r50_cub_gamma0p2.py', 0.2),
                          ('isic_r50_cub_gamma0p5.py', 0.5),
                          ('isic_r50_imagenet.py', 0.3)):
        assert _isic_hook_cfg(f'configs/isic/{config}') == dict(
            hook, gamma=gamma), config
    # The demo keeps the trained model's own features.
    demo = _isic_hook_cfg('configs/isic/isic_r18_demo.py')
    assert demo['extractor'] is None and demo.get('dim') is None


def test_isic_config_extractor_is_initialised_by_its_init_cfg(tmp_path):
    """The config's extractor (at depth 18, base width 8, for speed) with its
    ``Pretrained`` init_cfg pointed at a torchvision-style file: the
    similarity is that of the loaded backbone's PCA vectors."""
    torch.manual_seed(3)
    init_default_scope('wsol_mm')
    small = dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
                 out_indices=(3, ))
    weights = MODELS.build(small).state_dict()  # weights of this seed only
    path = str(tmp_path / 'resnet_tv.pth')
    torch.save(weights, path)  # torchvision's keys are mmpretrain's
    reference = MODELS.build(small)
    reference.load_state_dict(weights)

    cfg = _isic_hook_cfg()
    cfg['extractor'].update(depth=18, base_channels=8)
    cfg['extractor']['init_cfg']['checkpoint'] = path
    cfg['dim'] = 8
    model, dataset = _model(), _dataset()
    expected = _independent_similarity(model, dataset, dim=8,
                                       backbone=reference)
    cfg['gamma'] = _gamma_between(expected)
    HOOKS.build(cfg).before_train(_runner(tmp_path, model, dataset))
    saved = torch.load(tmp_path / 'class_similarity.pth')
    np.testing.assert_allclose(saved['similarity'].numpy(), expected,
                               rtol=1e-4, atol=1e-5)
    # ... and not that of the trained model's own features.
    assert not np.allclose(_independent_similarity(model, dataset, dim=8),
                           expected, atol=1e-3)
