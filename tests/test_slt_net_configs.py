"""SLT-Net's configs (configs/slt_net/) read on what they BUILD: the
section 4.1 recipe on the built optimizer (one lr 2e-4 for every parameter,
momentum 0.9, weight decay 5e-4, no schedule), the models (localizer with
SMT and the top-K ACAM, VST, regressor), the pipelines (256 -> 224, 320 ->
299, the second view, ten crops), the stage lists, Table 5's ablations and
Fig. 4's sweeps."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from wsol_mm.registry import MODELS
from wsol_mm.utils.config import fill_num_classes

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
JOINT = ('slt_vgg16_cub', 'slt_inceptionv3_cub', 'slt_vgg16_ilsvrc',
         'slt_inceptionv3_ilsvrc')
STAGED = ('slt_r50_cub', 'slt_densenet161_cub', 'slt_r50_ilsvrc',
          'slt_densenet161_ilsvrc')


def _cfg(name):
    return Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'slt_net', f'{name}.py'))


def _types(pipeline):
    return [t['type'] for t in pipeline]


@pytest.mark.parametrize('name', JOINT + STAGED)
def test_recipe_and_data_of_section_4_1(name):
    cfg = _cfg(name)
    ilsvrc = name.endswith('ilsvrc')
    loss = cfg.model.localizer.head.loss
    assert (loss.type, loss.alpha, loss.topk) == (
        'SMTLoss', 0.2 if ilsvrc else 0.4, 100 if ilsvrc else 30)
    assert cfg.model.localizer.test_cfg.score_map == 'topk_mean'
    assert cfg.model.localizer.test_cfg.score_map_topk == loss.topk
    assert cfg.model.vst_loss == dict(type='VSTLoss', loss_weight=10.0)
    assert cfg.train_cfg.max_epochs == (2 if ilsvrc else 4)
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.get('param_scheduler') is None
    assert cfg.train_dataloader.dataset.type == ('ILSVRC' if ilsvrc
                                                 else 'CUB')
    # InceptionV3 localizers: 320 -> 299, the others 256 -> 224
    side, crop = (320, 299) if 'inceptionv3' in name or (
        ilsvrc and name in STAGED) else (256, 224)
    train = cfg.train_dataloader.dataset.pipeline
    assert _types(train) == ['LoadWSOLImageFromFile', 'Resize', 'RandomCrop',
                             'RandomFlip', 'PairedViews', 'PackWSOLInputs']
    assert train[1].size == (side, side) and train[2].size == crop
    assert train[4].scale_mode == 'resize'
    test = cfg.test_dataloader.dataset.pipeline
    assert _types(test) == ['LoadWSOLImageFromFile', 'Resize', 'CenterCrop',
                            'PackWSOLInputs']
    assert test[1].size == (side, side) and test[2].size == crop


@pytest.mark.parametrize('name', ['slt_vgg16_cub', 'slt_inceptionv3_cub'])
def test_built_optimizer_gives_every_parameter_one_lr(name):
    cfg = _cfg(name)
    fill_num_classes(cfg.model, 7)
    init_default_scope('wsol_mm')
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'SLTNet'
    assert type(model.regressor).__name__ == 'BoxRegressor'
    optimizer = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    assert isinstance(optimizer, torch.optim.SGD)
    count = 0
    for group in optimizer.param_groups:
        assert group['lr'] == 2e-4 and group['momentum'] == 0.9
        assert group['weight_decay'] == 5e-4
        count += len(group['params'])
    assert count == len(list(model.parameters()))


def test_vgg16_localizer_and_regressor_maps_have_stride_16():
    cfg = _cfg('slt_vgg16_cub')
    fill_num_classes(cfg.model, 7)
    init_default_scope('wsol_mm')
    model = MODELS.build(cfg.model).eval()
    inputs = torch.zeros(1, 3, 224, 224)
    with torch.no_grad():
        assert model.localizer.extract_feat(inputs).shape[-2:] == (14, 14)
        assert model.regressor.extract_feat(inputs).shape[-2:] == (14, 14)
    assert model.regressor.box_normalizer == dict(mode='stride', stride=16)


@pytest.mark.parametrize('name', JOINT)
def test_joint_stages_and_the_ten_crop_classifier(name):
    cfg = _cfg(name)
    assert list(cfg.stages) == ['localization', 'classifier', 'evaluate']
    classifier = cfg.stages.classifier
    assert classifier.tta is True
    assert classifier.get('train', True) is not name.endswith('ilsvrc')
    crop = 299 if 'inceptionv3' in name else 224
    assert cfg.tta_pipeline[-1].type == 'TenCrop'
    assert cfg.tta_pipeline[-1].size == crop
    evaluate = cfg.stages.evaluate
    assert evaluate.model_test_cfg == dict(predict_with='regressor')
    assert evaluate.evaluator.loc_boxes == 'predicted'
    assert evaluate.classifier == 'classifier'


@pytest.mark.parametrize('name', STAGED)
def test_staged_stages_write_boxes_then_train_a_regressor(name):
    cfg = _cfg(name)
    assert list(cfg.stages) == ['localizer', 'pseudo_boxes', 'regressor',
                                'classifier', 'evaluate']
    assert cfg.stages.localizer.cfg.model.regressor is None
    regressor = cfg.stages.regressor.cfg
    assert regressor.model.type == 'BoxRegressor'
    backbone = regressor.model.backbone.type
    assert backbone == ('mmpretrain.DenseNet' if 'densenet' in name else
                        'mmpretrain.ResNet')
    train = regressor.train_dataloader.dataset.pipeline
    assert train[1] == dict(type='LoadPseudoBox',
                            box_file='stage:pseudo_boxes')
    assert train[3].size == 224
    assert cfg.stages.evaluate.localizer == 'regressor'


ABLATIONS = {
    # config: (SMT, score map, VST)
    'slt_vgg16_cub_new_optimization': (False, 'gt', False),
    'slt_vgg16_cub_smt_gt': (True, 'gt', False),
    'slt_vgg16_cub_smt_acam': (True, 'topk_mean', False),
    'slt_vgg16_cub_vst': (False, 'gt', True),
    'slt_vgg16_cub_localizer': (True, 'topk_mean', True),
}


@pytest.mark.parametrize('name', sorted(ABLATIONS))
def test_table5_columns(name):
    cfg = _cfg(name)
    smt, score_map, vst = ABLATIONS[name]
    loss = cfg.model.localizer.head.loss
    assert (loss.type == 'SMTLoss') is smt
    assert cfg.model.localizer.test_cfg.score_map == score_map
    assert (cfg.model.vst_loss is not None) is vst
    assert cfg.model.regressor is None
    assert list(cfg.stages) == ['localization']
    assert cfg.optim_wrapper.optimizer.lr == 2e-4


def test_fig4_sweeps():
    names = {osp.basename(p)[:-3] for p in glob.glob(osp.join(
        REPO_ROOT, 'configs', 'slt_net', 'slt_vgg16_cub_[ka]*.py'))}
    assert names == {f'slt_vgg16_cub_k{k}' for k in (1, 10, 20, 40, 50, 60)
                     } | {f'slt_vgg16_cub_alpha0p{a}' for a in (1, 2, 3, 5, 6)}
    for k in (1, 10, 20, 40, 50, 60):
        cfg = _cfg(f'slt_vgg16_cub_k{k}')
        assert cfg.model.localizer.head.loss.topk == k
        assert cfg.model.localizer.test_cfg.score_map_topk == k
        assert cfg.model.localizer.head.loss.alpha == 0.4
    for a in (1, 2, 3, 5, 6):
        cfg = _cfg(f'slt_vgg16_cub_alpha0p{a}')
        assert cfg.model.localizer.head.loss.alpha == pytest.approx(a / 10)
        assert cfg.model.localizer.head.loss.topk == 30
