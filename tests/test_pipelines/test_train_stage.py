"""TrainStage(train=False): a classifier tested with the weights of its
init_cfg, untrained (SPOL's ImageNet EfficientNet-B7), saved as the stage's
checkpoint, with its class scores for the final stage."""
import glob
import os.path as osp

import mmengine
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

import wsol_mm  # noqa: F401  (registers the modules)
from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.pipelines import MultiStagePipeline, StageManifest
from wsol_mm.registry import DATASETS, MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NUM_CLASSES = 3

MODEL = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                           mean=[120.0] * 3, std=[60.0] * 3),
    backbone=dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
                  zero_init_residual=False),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=NUM_CLASSES,
              in_channels=64, loss=dict(type='mmpretrain.CrossEntropyLoss')))
PIPELINE = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(32, 32)),
    dict(type='mmpretrain.PackInputs'),
]


def _weights(path):
    """A checkpoint in MMPretrain's format with values no initialiser
    produces."""
    init_default_scope('wsol_mm')
    torch.manual_seed(0)
    state = MODELS.build(MODEL).state_dict()
    for key, value in state.items():
        if key.endswith('running_var'):
            value.uniform_(0.5, 1.5)
        elif value.is_floating_point():
            value.normal_(0, 0.2)
    torch.save(dict(meta=dict(mmpretrain_version='1.2.0'), state_dict=state),
               path)
    return state


def _cfg(tmp_path, data_root, checkpoint):
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'default_runtime.py'))
    loader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                  sampler=dict(type='DefaultSampler', shuffle=False))
    cfg.merge_from_dict(dict(
        work_dir=str(tmp_path / 'work'),
        launcher='none',
        model=dict(MODEL, init_cfg=dict(type='Pretrained',
                                        checkpoint=checkpoint)),
        # Never built without training: a missing data root would stop it.
        train_dataloader=dict(
            loader, dataset=dict(type='CUB', data_root=str(tmp_path / 'none'),
                                 split='train', pipeline=PIPELINE)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        test_dataloader=dict(
            loader, dataset=dict(type='CUB', data_root=data_root,
                                 split='test', pipeline=PIPELINE)),
        test_cfg=dict(),
        test_evaluator=dict(type='mmpretrain.Accuracy', topk=(1, )),
        stages=dict(classifier=dict(type='TrainStage', train=False))))
    return cfg


def _scores_of(state, test_loader_cfg):
    """Softmax scores of the model with ``state`` on the test images, by
    image path, computed here."""
    init_default_scope('wsol_mm')
    model = MODELS.build(MODEL)
    model.load_state_dict(state)
    model.eval()
    dataset = DATASETS.build(test_loader_cfg.dataset)
    scores = {}
    with torch.no_grad():
        for i in range(len(dataset)):
            data = model.data_preprocessor(pseudo_collate([dataset[i]]),
                                           False)
            logits = model(data['inputs'], mode='tensor')
            scores[dataset[i]['data_samples'].img_path] = \
                logits.softmax(1)[0].numpy()
    return scores


def test_untrained_stage_tests_the_initial_weights(tmp_path):
    data_root = str(tmp_path / 'data')
    generate_synthetic_dataset(data_root, num_classes=NUM_CLASSES,
                               train_per_class=1, test_per_class=2,
                               min_size=40, max_size=48, seed=0)
    checkpoint = str(tmp_path / 'imagenet_weights.pth')
    state = _weights(checkpoint)
    cfg = _cfg(tmp_path, data_root, checkpoint)
    MultiStagePipeline(cfg).run()

    stage_dir = osp.join(cfg.work_dir, 'classifier')
    manifest = StageManifest.read(stage_dir)
    assert manifest.artifact == osp.join(stage_dir, 'initial_weights.pth')
    saved = torch.load(manifest.artifact)['state_dict']
    assert set(saved) == set(state)
    assert [k for k in state if not torch.equal(saved[k], state[k])] == []
    assert glob.glob(osp.join(stage_dir, 'epoch_*.pth')) == []  # no training

    scores = mmengine.load(manifest.extra['class_scores'])
    assert np.isfinite(scores['scores']).all()
    expected = _scores_of(state, cfg.test_dataloader)
    assert sorted(scores['img_paths']) == sorted(expected)
    for path, row in zip(scores['img_paths'], scores['scores']):
        np.testing.assert_allclose(row, expected[path], rtol=1e-5,
                                   atol=1e-6)
    labels = DATASETS.build(cfg.test_dataloader.dataset)
    correct = np.mean([
        expected[labels[i]['data_samples'].img_path].argmax() ==
        labels[i]['data_samples'].gt_label.item()
        for i in range(len(labels))
    ])
    assert manifest.metrics['accuracy/top1'] == pytest.approx(100 * correct,
                                                              abs=1e-4)


def test_train_flag_is_part_of_the_settings(tmp_path):
    cfg = _cfg(tmp_path, str(tmp_path), 'weights.pth')
    untrained = MultiStagePipeline(cfg).stages['classifier']
    cfg.stages.classifier.train = True
    trained = MultiStagePipeline(cfg).stages['classifier']
    assert untrained.settings()['train'] is False
    assert untrained.fingerprint() != trained.fingerprint()



def test_a_stage_model_of_another_type_replaces_the_shared_one(tmp_path):
    """A child config's `_delete_` on a stage model is consumed when the
    files are merged; a model of another type must not be merged key by
    key into the shared one (an SLT-Net classifier stage under the
    SLTNet localizer), one of the same type still is."""
    cfg = _cfg(tmp_path, str(tmp_path), 'weights.pth')
    shared_model = dict(type='SLTNet', localizer=dict(type='CAM'),
                        test_cfg=dict(predict_with='localizer'))
    cfg.merge_from_dict(dict(model=shared_model))
    cfg.stages = dict(
        classifier=dict(type='TrainStage', cfg=dict(model=MODEL)),
        same=dict(type='TrainStage', cfg=dict(model=dict(
            type='SLTNet', test_cfg=dict(predict_with='regressor')))),
        untyped=dict(type='TrainStage', cfg=dict(model=dict(
            regressor=None))))
    stages = MultiStagePipeline(cfg).stages
    assert stages['classifier'].runner_cfg().model.to_dict() == MODEL
    same = stages['same'].runner_cfg().model
    assert same.localizer == dict(type='CAM')
    assert same.test_cfg == dict(predict_with='regressor')
    untyped = stages['untyped'].runner_cfg().model
    assert untyped.type == 'SLTNet' and untyped.regressor is None
