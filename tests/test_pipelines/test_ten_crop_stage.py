"""TrainStage(tta=True): a tiny MMPretrain classifier trained single-crop on
synthetic CUB data, tested with the ten-crop TTA of
configs/_base_/tta/ten_crop.py; its saved class scores and accuracy against
ten single-view softmax scores computed here from the stage's checkpoint."""
import os.path as osp

import mmengine
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import init_default_scope

import wsol_mm  # noqa: F401  (registers the modules)
from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.pipelines import MultiStagePipeline, StageManifest
from wsol_mm.registry import DATASETS, MODELS

from test_train_stage import MODEL

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RESIZE, CROP = 40, 24

SINGLE_VIEW = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(RESIZE, RESIZE)),
]
TRAIN_PIPELINE = [
    *SINGLE_VIEW,
    dict(type='RandomCrop', size=CROP),
    dict(type='RandomFlip', prob=0.5),
    dict(type='mmpretrain.PackInputs'),
]
TEST_PIPELINE = [*SINGLE_VIEW, dict(type='CenterCrop', size=CROP),
                 dict(type='mmpretrain.PackInputs')]


def _cfg(tmp_path, data_root, checkpoint, stage):
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'default_runtime.py'))
    ten_crop = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'tta', 'ten_crop.py'))
    # the snippet's pipeline at the test's size
    tta_pipeline = ten_crop.tta_pipeline
    assert tta_pipeline[1] == dict(type='Resize', size=(256, 256))
    tta_pipeline[1].size = (RESIZE, RESIZE)
    tta_pipeline[2].size = CROP
    loader = dict(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.merge_from_dict(dict(
        work_dir=str(tmp_path / 'work'),
        launcher='none',
        # fine-tuned (or tested as is) from weights far from uniform scores
        model=dict(MODEL, init_cfg=dict(type='Pretrained',
                                        checkpoint=checkpoint)),
        train_dataloader=dict(
            loader, sampler=dict(type='DefaultSampler', shuffle=True),
            dataset=dict(type='CUB', data_root=data_root, split='train',
                         pipeline=TRAIN_PIPELINE)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.001)),
        test_dataloader=dict(
            loader, sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(type='CUB', data_root=data_root, split='test',
                         pipeline=TEST_PIPELINE)),
        test_cfg=dict(),
        test_evaluator=dict(type='mmpretrain.Accuracy', topk=(1, )),
        tta_model=ten_crop.tta_model,
        tta_pipeline=tta_pipeline,
        randomness=dict(seed=0),
        stages=dict(classifier=stage)))
    return cfg


def _view_scores(checkpoint, dataset_cfg):
    """Per image: the softmax scores (10, classes) of its ten views, each
    view cut here by slicing the resized image."""
    init_default_scope('wsol_mm')
    model = MODELS.build(MODEL)
    model.load_state_dict(torch.load(checkpoint)['state_dict'])
    model.eval()
    dataset = DATASETS.build(dict(dataset_cfg, pipeline=[]))
    resize = Compose(SINGLE_VIEW)
    m = RESIZE - CROP
    offsets = [(0, 0), (m, 0), (0, m), (m, m), (m // 2, m // 2)]  # (x, y)
    scores, labels = {}, {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        img = resize(dict(img_path=info['img_path']))['img']
        views = [image[y:y + CROP, x:x + CROP]
                 for image in (img, img[:, ::-1]) for x, y in offsets]
        batch = torch.from_numpy(np.stack(views).copy()).permute(0, 3, 1, 2)
        with torch.no_grad():
            inputs = model.data_preprocessor(
                dict(inputs=list(batch)), False)['inputs']
            probs = model(inputs, mode='tensor').softmax(1)
        scores[info['img_path']] = probs.numpy()
        labels[info['img_path']] = int(info['gt_label'])
    return scores, labels


def _weights(path):
    """The model's own initialisation with a head whose scores are neither
    uniform (MMPretrain's std 0.01) nor one-hot."""
    init_default_scope('wsol_mm')
    torch.manual_seed(0)
    model = MODELS.build(MODEL)
    model.init_weights()
    torch.nn.init.normal_(model.head.fc.weight, std=1.0)
    torch.save(dict(state_dict=model.state_dict()), path)


def _data(tmp_path):
    data_root = str(tmp_path / 'data')
    generate_synthetic_dataset(data_root, num_classes=3, train_per_class=2,
                               test_per_class=2, min_size=40, max_size=48,
                               seed=0)
    checkpoint = str(tmp_path / 'weights.pth')
    _weights(checkpoint)
    return data_root, checkpoint


@pytest.mark.parametrize('train', [True, False])
def test_ten_crop_class_scores(tmp_path, train):
    """Fine-tuned single-crop (train=True) or tested as initialised
    (train=False, SLT-Net's ILSVRC classifier): the saved scores are the
    mean of the ten views' softmax scores, not the centre crop's."""
    cfg = _cfg(tmp_path, *_data(tmp_path),
               dict(type='TrainStage', tta=True, train=train))
    MultiStagePipeline(cfg).run()

    manifest = StageManifest.read(osp.join(cfg.work_dir, 'classifier'))
    assert osp.basename(manifest.artifact) == (
        'epoch_1.pth' if train else 'initial_weights.pth')
    views, labels = _view_scores(manifest.artifact,
                                 cfg.test_dataloader.dataset)
    saved = mmengine.load(manifest.extra['class_scores'])
    assert sorted(saved['img_paths']) == sorted(views)
    for path, row in zip(saved['img_paths'], saved['scores']):
        np.testing.assert_allclose(row, views[path].mean(0), rtol=1e-4,
                                   atol=1e-6)
    centre_gap = max(np.abs(row - views[path][4]).max()
                     for path, row in zip(saved['img_paths'],
                                          saved['scores']))
    assert centre_gap > 0.1
    accuracy = 100 * np.mean(
        [views[p].mean(0).argmax() == labels[p] for p in views])
    assert manifest.metrics['accuracy/top1'] == pytest.approx(accuracy)


def test_tta_settings_and_bad_input(tmp_path):
    cfg = _cfg(tmp_path, str(tmp_path), 'weights.pth',
               dict(type='TrainStage'))
    plain = MultiStagePipeline(cfg).stages['classifier']
    cfg.stages.classifier.tta = True
    ten_crop = MultiStagePipeline(cfg).stages['classifier']
    assert plain.settings()['tta'] is False
    assert ten_crop.settings()['tta']['model'] == cfg.tta_model
    assert plain.fingerprint() != ten_crop.fingerprint()
    cfg.tta_model.average = 'logit'
    assert MultiStagePipeline(cfg).stages['classifier'].fingerprint() != \
        ten_crop.fingerprint()

    cfg.stages.classifier.tta = 'yes'
    with pytest.raises(TypeError, match='tta must be True or False'):
        MultiStagePipeline(cfg)
    cfg.stages.classifier.tta = True
    cfg.stages.classifier.test = False
    with pytest.raises(ValueError, match='tta=True needs test=True'):
        MultiStagePipeline(cfg)
    cfg.stages.classifier.test = True
    cfg.tta_pipeline = None
    with pytest.raises(KeyError, match='tta_pipeline'):
        MultiStagePipeline(cfg)
