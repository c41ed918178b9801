"""The model zoo configs (configs/{cam,has,acol,spg,adl,cutmix}/<method>_
<backbone>_<dataset>.py) as wsolevaluation trains them, read on what they
BUILD: the lr and weight decay of every parameter of the built optimizer
against wsolevaluation's rule (main.py's _FEATURE_PARAM_LAYER_PATTERNS, a
substring match on ITS parameter names, mapped to ours here by hand), the lr
of every epoch of the built scheduler, one training step of every method on
every backbone, and the CAM threshold step."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS, init_default_scope

from wsol_mm.registry import MODELS
from wsol_mm.utils.config import fill_num_classes

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
METHODS = ('cam', 'has', 'acol', 'spg', 'adl', 'cutmix')
BACKBONES = ('vgg16', 'inceptionv3', 'r50')
DATASETS = ('cub', 'ilsvrc', 'openimages30k', 'inatloc500')
ZOO = [(m, b, d) for m in METHODS for b in BACKBONES for d in DATASETS]
EPOCHS = dict(cub=50, ilsvrc=10, openimages30k=10, inatloc500=10)
BASE_LR = dict(cub=1.7e-4, ilsvrc=0.01, openimages30k=0.01, inatloc500=0.01)
NUM_CLASSES = 5


def config_path(method, backbone, dataset):
    return osp.join(REPO_ROOT, 'configs', method,
                    f'{method}_{backbone}_{dataset}.py')


def test_the_zoo_is_complete():
    written = {osp.relpath(p, REPO_ROOT) for method in METHODS
               for p in glob.glob(osp.join(REPO_ROOT, 'configs', method,
                                           f'{method}_*_*.py'))
               if not p.endswith(('_demo.py', '_large_feature_map.py'))
               and '_demo_' not in p}
    expected = {osp.relpath(config_path(*key), REPO_ROOT) for key in ZOO}
    assert written == expected


def reference_lr_mult(method, backbone, name):
    """wsolevaluation's lr factor of our parameter ``name``: its rule on the
    name the same parameter has in its model."""
    if backbone == 'vgg16':
        # base lr for names with 'features.'; VggSpg calls conv4_* / conv5_*
        # SPG_A_1 / SPG_A_2 (torchvision indices 17..28 here).
        if not name.startswith('backbone.features.'):
            return 10.
        index = int(name.split('.')[2])
        return 10. if method == 'spg' and 17 <= index <= 28 else 1.
    if backbone == 'inceptionv3':
        # base lr for 'Mixed*' and 'Conv2d_1' .. 'Conv2d_4'
        module = name.split('.')[1] if name.startswith('backbone.') else ''
        return 1. if module.startswith(('Mixed', 'Conv2d_')) else 10.
    # ResNet: x10 for 'layer4.' and 'fc.'; the classifier of ResNetCam /
    # Adl (HaS and CutMix are CAM) is `fc`, ResNetAcol's and ResNetSpg's
    # heads have other names.
    if name.startswith('backbone.layer4.'):
        return 10.
    if name.startswith('head.') and method in ('cam', 'has', 'cutmix', 'adl'):
        return 10.
    return 1.


def built_model(cfg):
    init_default_scope('wsol_mm')
    model_cfg = cfg.model.copy()
    model_cfg.backbone.init_cfg = None  # no download in tests
    fill_num_classes(model_cfg, NUM_CLASSES)
    return MODELS.build(model_cfg)


@pytest.mark.parametrize('method,backbone,dataset', ZOO,
                         ids=['_'.join(key) for key in ZOO])
def test_built_optimizer_has_the_reference_lr_groups(method, backbone,
                                                     dataset):
    cfg = Config.fromfile(config_path(method, backbone, dataset))
    model = built_model(cfg)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    lr_of = {}
    for group in optim_wrapper.optimizer.param_groups:
        assert group['weight_decay'] == 1e-4
        assert group['momentum'] == 0.9 and group['nesterov']
        for param in group['params']:
            lr_of[param] = group['lr']
    base_lr = BASE_LR[dataset]
    wrong = [(name, lr_of[param] / base_lr)
             for name, param in model.named_parameters()
             if abs(lr_of[param] / base_lr
                    - reference_lr_mult(method, backbone, name)) > 1e-9]
    assert not wrong, wrong[:5]
    # both groups exist: a rule that matches nothing would pass otherwise
    assert {round(lr / base_lr) for lr in lr_of.values()} == {1, 10}


@pytest.mark.parametrize('dataset', DATASETS)
def test_schedule_decays_as_wsolevaluation(dataset):
    """lr of 0-based epoch e: lr * 0.1 ** ((e + 1) // f), f = 15 (CUB) or 3;
    validation on the val split (train-fullsup) every epoch except CUB,
    whose release has none; CAM thresholds every 0.001."""
    cfg = Config.fromfile(config_path('cam', 'r50', dataset))
    epochs, frequency = EPOCHS[dataset], 15 if dataset == 'cub' else 3
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.train_cfg.val_interval == (5 if dataset == 'cub' else 1)
    assert cfg.train_dataloader.batch_size == 32
    assert cfg.val_evaluator.cam_curve_interval == 0.001
    assert cfg.test_evaluator.cam_curve_interval == 0.001
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))],
                                lr=cfg.optim_wrapper.optimizer.lr)
    scheduler = PARAM_SCHEDULERS.build(
        dict(cfg.param_scheduler, optimizer=optimizer))
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]['lr'])
        scheduler.step()
    expected = [BASE_LR[dataset] * 0.1**((e + 1) // frequency)
                for e in range(epochs)]
    assert lrs == pytest.approx(expected, rel=1e-9)


def tiny_batch(size=64, batch=2):
    from wsol_mm.structures import WSOLDataSample
    torch.manual_seed(0)
    inputs = [torch.randint(0, 256, (3, size, size), dtype=torch.uint8)
              for _ in range(batch)]
    samples = []
    for label in range(batch):
        sample = WSOLDataSample(metainfo=dict(img_shape=(size, size),
                                              ori_shape=(size, size)))
        sample.set_gt_label(label)
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


TRAINED = [(m, b) for m in METHODS for b in BACKBONES]


@pytest.mark.parametrize('method,backbone', TRAINED,
                         ids=['_'.join(key) for key in TRAINED])
def test_every_method_trains_and_predicts_on_every_backbone(method,
                                                            backbone):
    """One SGD step of the CUB config's model on two 64x64 images moves its
    parameters and gives finite losses; predict gives one GT-class map per
    image on its grid."""
    cfg = Config.fromfile(config_path(method, backbone, 'cub'))
    model = built_model(cfg)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    model.train()
    losses = model.train_step(tiny_batch(), optim_wrapper)
    assert all(torch.isfinite(v).all() for k, v in losses.items()
               if k.startswith('loss'))
    if method in ('acol', 'spg'):  # their extra terms are trained
        assert len([k for k in losses if k.startswith('loss')]) > 1
    moved = [n for n, p in model.named_parameters()
             if not torch.equal(p, before[n])]
    assert any(n.startswith('backbone.') for n in moved)
    assert any(n.startswith('head.') for n in moved)
    model.eval()
    with torch.no_grad():
        samples = model.val_step(tiny_batch())
    assert [tuple(s.gt_score_map.shape) for s in samples] == [(64, 64)] * 2
    assert all(float(s.gt_score_map.max()) == pytest.approx(1.)
               for s in samples)
