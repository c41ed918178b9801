"""configs/cam/cam_r50_cub.py is wsolevaluation's ResNet-50 CAM recipe, read
on what the configs BUILD: feature map size and strides of the model, lr and
weight decay of every parameter of the optimizer, lr of every epoch of the
scheduler, and the CAM threshold step of every test evaluator."""
import glob
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS, init_default_scope

from wsol_mm.registry import METRICS, MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CAM_R50_CUB = osp.join(REPO_ROOT, 'configs', 'cam', 'cam_r50_cub.py')
LARGE = osp.join(REPO_ROOT, 'configs', 'cam',
                 'cam_r50_cub_large_feature_map.py')
BASE_LR = 1.7e-4
EPOCHS = 50
DECAY_FREQUENCY = 15


def built_model(path):
    cfg = Config.fromfile(path)
    init_default_scope('wsol_mm')
    model_cfg = cfg.model.copy()
    model_cfg.backbone.init_cfg = None  # no download in tests
    model_cfg.head.num_classes = 200
    return cfg, MODELS.build(model_cfg)


@pytest.fixture(scope='module')
def cam_r50_cub():
    return built_model(CAM_R50_CUB)


# ---------------------------------------------------------------------- #
# feature map: 14 x 14 by default, 28 x 28 for large_feature_map
# ---------------------------------------------------------------------- #
def stage_strides(backbone):
    """The stride of each of layer1..layer4 as built: the product of the
    strides of its convolutions on the main path of its first block."""
    strides = []
    for name in ('layer1', 'layer2', 'layer3', 'layer4'):
        block = getattr(backbone, name)[0]
        stride = 1
        for conv in (block.conv1, block.conv2, block.conv3):
            stride *= conv.stride[0]
        strides.append(stride)
    return strides


@pytest.mark.parametrize('path,size,strides', [
    (CAM_R50_CUB, 14, [1, 2, 2, 1]),
    (LARGE, 28, [1, 2, 1, 1]),
], ids=['default_14x14', 'large_feature_map_28x28'])
def test_feature_map_size_and_strides(path, size, strides):
    _, model = built_model(path)
    backbone = model.backbone
    assert stage_strides(backbone) == strides
    # wsolevaluation changes only the strides: no dilated convolution.
    dilations = {m.dilation for m in backbone.modules()
                 if isinstance(m, nn.Conv2d)}
    assert dilations == {(1, 1)}
    model.eval()
    with torch.no_grad():
        features = model.backbone(torch.zeros(1, 3, 224, 224))
    assert features[-1].shape == (1, 2048, size, size)


# ---------------------------------------------------------------------- #
# lr groups: x10 for layer4 and the classifier, weight decay everywhere
# ---------------------------------------------------------------------- #
def reference_lr_ratio(name):
    """wsolevaluation main.py: ResNet parameters whose names contain
    'layer4.' or 'fc.' get lr x lr_classifier_ratio (10)."""
    return 10.0 if ('layer4.' in name or 'fc.' in name) else 1.0


def test_optimizer_lr_and_weight_decay_of_every_parameter(cam_r50_cub):
    cfg, model = cam_r50_cub
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    optimizer = optim_wrapper.optimizer
    assert isinstance(optimizer, torch.optim.SGD)
    names = {id(p): n for n, p in model.named_parameters()}
    seen = {}
    for group in optimizer.param_groups:
        assert group['momentum'] == 0.9 and group['nesterov'] is True
        for param in group['params']:
            seen[names[id(param)]] = (group['lr'], group['weight_decay'])
    assert set(seen) == set(names.values())
    for name, (lr, weight_decay) in seen.items():
        assert lr == pytest.approx(BASE_LR * reference_lr_ratio(name),
                                   rel=1e-12), name
        # Plain SGD weight decay on every parameter, BN and biases included.
        assert weight_decay == 1e-4, name
    fast = sorted(n for n, (lr, _) in seen.items() if lr > BASE_LR * 1.5)
    assert all(n.startswith(('backbone.layer4.', 'head.fc.')) for n in fast)
    # layer4 = 3 bottlenecks of 3 convs + 3 BNs (weight, bias) = 9 tensors,
    # the first one with a downsampling conv + BN (3 more): 30; fc: 2.
    # ResNet-50 has 159 tensors (stem 3, 16 blocks x 9, 4 downsamplings x 3),
    # 129 of them outside layer4.
    assert len(fast) == 32
    assert sum(n.startswith('head.') for n in fast) == 2
    assert len(seen) - len(fast) == 129


# ---------------------------------------------------------------------- #
# step decay as wsolevaluation applies it
# ---------------------------------------------------------------------- #
def reference_lrs(base_lr, epochs, frequency):
    """The lr of every 0-based epoch in wsolevaluation's main loop:
    adjust_learning_rate(epoch + 1) before each epoch, x0.1 when
    (epoch + 1) % frequency == 0."""
    lrs, lr = [], base_lr
    for epoch in range(epochs):
        if (epoch + 1) != 0 and (epoch + 1) % frequency == 0:
            lr *= 0.1
        lrs.append(lr)
    return lrs


def test_scheduler_lr_of_every_epoch(cam_r50_cub):
    cfg, model = cam_r50_cub
    assert cfg.train_cfg.max_epochs == EPOCHS
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    scheduler_cfg = cfg.param_scheduler
    assert scheduler_cfg.by_epoch is True
    scheduler = PARAM_SCHEDULERS.build(
        dict(scheduler_cfg, optimizer=optim_wrapper))
    layer4 = model.backbone.layer4[0].conv1.weight
    stem = model.backbone.conv1.weight
    by_param = {id(p): g for g in optim_wrapper.param_groups
                for p in g['params']}
    got_stem, got_layer4 = [], []
    for _ in range(EPOCHS):  # the runner steps it after every epoch
        got_stem.append(by_param[id(stem)]['lr'])
        got_layer4.append(by_param[id(layer4)]['lr'])
        optim_wrapper.step()  # no gradients: nothing moves
        scheduler.step()
    expected = reference_lrs(BASE_LR, EPOCHS, DECAY_FREQUENCY)
    assert got_stem == pytest.approx(expected, rel=1e-12)
    assert got_layer4 == pytest.approx([10 * lr for lr in expected],
                                       rel=1e-12)
    # Only 14 epochs at the base lr, the 15th already decayed; 3 decays.
    assert got_stem[13] == pytest.approx(BASE_LR)
    assert got_stem[14] == pytest.approx(BASE_LR * 0.1)
    assert got_stem[49] == pytest.approx(BASE_LR * 1e-3)


# ---------------------------------------------------------------------- #
# the protocol's CAM threshold step in every config that reproduces a paper
# ---------------------------------------------------------------------- #
# Not the demos (configs/granularity/demo/ holds the demo study's runs) nor
# the study configs (no evaluator of their own: their runs' configs are here).
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                         recursive=True)
    if '_base_' not in p and '_demo' not in osp.basename(p)
    and osp.basename(osp.dirname(p)) != 'demo'
    and not osp.basename(p).startswith('granularity_'))


def wsol_metrics(cfg, tmp_path):
    """The WSOLMetric configs of every evaluator a config runs: its test
    and val evaluators, or those of every training stage of a pipeline
    (the pseudo-mask and evaluate stages use their localizer's)."""
    from wsol_mm.pipelines import MultiStagePipeline, TrainStage
    from wsol_mm.pipelines.evaluate_stage import EvaluateStage
    from wsol_mm.pipelines.train_stage import evaluator_list
    evaluators = []
    if cfg.get('stages'):
        cfg.work_dir = str(tmp_path)
        for stage in MultiStagePipeline(cfg).stages.values():
            if isinstance(stage, TrainStage):
                stage_cfg = stage.runner_cfg(resolve=False)
                evaluators += [stage_cfg.get('test_evaluator'),
                               stage_cfg.get('val_evaluator')]
            elif isinstance(stage, EvaluateStage):
                evaluators.append(stage.evaluator)
    else:
        evaluators += [cfg.get('test_evaluator'), cfg.get('val_evaluator')]
    return [m for e in evaluators for m in evaluator_list(e)
            if m.get('type') in ('WSOLMetric', 'DetectionWSOLMetric')]


def test_configs_found():
    names = {osp.relpath(p, REPO_ROOT) for p in CONFIGS}
    assert {'configs/cam/cam_r50_cub.py',
            'configs/cam/cam_r50_cub_large_feature_map.py',
            'configs/center/center_gaussian_cub.py',
            'configs/spol/spol_r50_cub.py',
            'configs/spol/spol_r50_imagenet.py',
            'configs/isic/isic_r50_cub.py'} <= names
    assert not any('demo' in n for n in names)


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_paper_configs_use_the_protocol_cam_curve_interval(path, tmp_path):
    metrics = wsol_metrics(Config.fromfile(path), tmp_path)
    assert metrics, f'{path} has no WSOLMetric'
    for metric in metrics:
        assert metric.get('cam_curve_interval') == 0.001, metric


def test_protocol_interval_gives_1000_thresholds(cam_r50_cub):
    cfg, _ = cam_r50_cub
    init_default_scope('wsol_mm')
    metric = METRICS.build(cfg.test_evaluator)
    assert len(metric.cam_thresholds) == 1000
    assert metric.cam_thresholds[1] == pytest.approx(0.001)
