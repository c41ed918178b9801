"""configs/improved_techniques/ (paper 002, "Improved Techniques for WSOL"),
read on what they build: the model and a forward at 64x64, the optimizer's
lr / weight decay per parameter, the lr of the built scheduler, the
augmentation pipeline and batch size each table cell names, and one config
trained end to end on synthetic Tiny ImageNet data."""
import glob
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS, init_default_scope

from wsol_mm.datasets.synthetic_tiny_imagenet import \
    generate_synthetic_tiny_imagenet
from wsol_mm.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_DIR = osp.join(REPO_ROOT, 'configs', 'improved_techniques')
CONFIGS = sorted(glob.glob(osp.join(CONFIG_DIR, '*.py')))
NAME = re.compile(r'(?P<method>[a-z-]+)_preact-r(?P<depth>\d+)'
                  r'(_bs(?P<batch>\d+))?_tinyimagenet\.py')
# Table 1: five methods x two depths at batch 256; Table 2: CAM, HnS, GR x
# two depths at batch 32 and 128 (their 256 column is Table 1's).
TABLE1 = {(m, d, 256) for m in ('cam', 'hns', 'gr', 'hns-after-gr',
                                'gr-after-hns') for d in (18, 34)}
TABLE2 = {(m, d, b) for m in ('cam', 'hns', 'gr') for d in (18, 34)
          for b in (32, 128)}
# The train transforms between loading and packing, per method.
RRC = dict(type='RandomResizedCrop', size=64, crop_ratio_range=(0.08, 1.0),
           aspect_ratio_range=(3. / 4., 4. / 3.))
HNS = dict(type='HideAndSeek', grid_sizes=(0, 4, 8, 16))
RESIZE = dict(type='Resize', size=(64, 64))
FLIP = dict(type='RandomFlip', prob=0.5)
AUGMENTATIONS = {
    'cam': [RESIZE, FLIP],
    'hns': [RESIZE, FLIP, HNS],
    'gr': [RRC, FLIP],
    'hns-after-gr': [RRC, HNS, FLIP],
    'gr-after-hns': [RESIZE, HNS, RRC, FLIP],
}


def cell(path):
    match = NAME.fullmatch(osp.basename(path))
    assert match, f'{path}: not <method>_preact-r<depth>[_bs<batch>]_...'
    return (match['method'], int(match['depth']),
            int(match['batch'] or 256))


def build_model(cfg):
    init_default_scope('wsol_mm')
    return MODELS.build(cfg.model)


def test_the_configs_are_the_cells_of_tables_1_and_2():
    assert sorted(cell(p) for p in CONFIGS) == sorted(TABLE1 | TABLE2)


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.basename(p) for p in CONFIGS])
def test_config_is_its_table_cell(path):
    method, depth, batch = cell(path)
    cfg = Config.fromfile(path)
    assert cfg.model.backbone == dict(type='PreActResNet', depth=depth,
                                      stem='cifar', strides=(1, 2, 2, 2))
    assert cfg.model.head.num_classes == 200
    assert cfg.train_dataloader.batch_size == batch
    assert cfg.train_dataloader.dataset.type == 'TinyImageNet'
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert pipeline[0]['type'] == 'LoadWSOLImageFromFile'
    assert pipeline[-1]['type'] == 'PackWSOLInputs'
    assert pipeline[1:-1] == AUGMENTATIONS[method]
    assert [t['type'] for t in cfg.test_dataloader.dataset.pipeline] == [
        'LoadWSOLImageFromFile', 'Resize', 'PackWSOLInputs']
    assert cfg.test_dataloader.dataset.split == 'val'
    # Same recipe for every cell: lr 0.1 is not scaled with the batch.
    assert cfg.optim_wrapper.optimizer.lr == 0.1
    assert cfg.auto_scale_lr.enable is False
    assert cfg.train_cfg.max_epochs == 1500
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        assert evaluator == dict(type='WSOLMetric', cam_curve_interval=0.001,
                                 topk=(1, ), loc_cam_threshold=0.2,
                                 loc_iou_threshold=0.5)
    assert cfg.model.test_cfg.cam_threshold == 0.2


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.basename(p) for p in CONFIGS])
def test_model_and_optimizer_build(path):
    cfg = Config.fromfile(path)
    model = build_model(cfg)
    model.eval()
    with torch.no_grad():
        feature = model.extract_feat(torch.zeros(1, 3, 64, 64))
        logits = model(torch.zeros(1, 3, 64, 64), mode='tensor')
    assert feature.shape == (1, 512, 8, 8)
    assert logits.shape == (1, 200)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert isinstance(optim_wrapper.optimizer, torch.optim.SGD)


@pytest.fixture(scope='module')
def r18():
    cfg = Config.fromfile(osp.join(CONFIG_DIR,
                                   'cam_preact-r18_tinyimagenet.py'))
    return cfg, build_model(cfg)


def test_optimizer_decays_conv_and_linear_weights_only(r18):
    cfg, model = r18
    optimizer = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    names = {id(p): n for n, p in model.named_parameters()}
    decay = {}
    for group in optimizer.param_groups:
        assert group['lr'] == 0.1
        assert group['momentum'] == 0.9 and group['nesterov'] is True
        for param in group['params']:
            decay[names[id(param)]] = group['weight_decay']
    assert set(decay) == set(names.values())
    modules = dict(model.named_modules())
    for name, value in decay.items():
        module = modules[name.rsplit('.', 1)[0]]
        is_kernel = isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)) \
            and name.endswith('.weight')
        assert value == (1e-4 if is_kernel else 0.0), name
    # The stem, 8 blocks x 2 and 3 projection convs, and the fc weight.
    assert sum(v > 0 for v in decay.values()) == 1 + 16 + 3 + 1


def test_scheduler_divides_by_10_every_250_epochs(r18):
    cfg, model = r18
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert cfg.param_scheduler.by_epoch is True
    scheduler = PARAM_SCHEDULERS.build(
        dict(cfg.param_scheduler, optimizer=optim_wrapper))
    lrs = []
    for _ in range(cfg.train_cfg.max_epochs):  # stepped after every epoch
        lrs.append(optim_wrapper.param_groups[0]['lr'])
        optim_wrapper.step()  # no gradients: nothing moves
        scheduler.step()
    assert len(lrs) == 1500
    assert lrs[0] == pytest.approx(0.1, rel=1e-12)
    assert lrs[249] == pytest.approx(0.1, rel=1e-12)
    assert lrs[250] == pytest.approx(0.01, rel=1e-12)
    assert lrs[1249] == pytest.approx(1e-5, rel=1e-9)
    assert lrs[1499] == pytest.approx(1e-6, rel=1e-9)
    assert all(lr == pytest.approx(0.1 * 0.1**(e // 250), rel=1e-9)
               for e, lr in enumerate(lrs))


def test_readme_lists_every_config():
    with open(osp.join(CONFIG_DIR, 'README.md')) as f:
        readme = f.read()
    for path in CONFIGS:
        assert osp.basename(path) in readme, path


NUM_CLASSES = 3


def test_trains_one_epoch_on_synthetic_tiny_imagenet(tmp_path):
    """GR after HnS (both transforms), ResNet-18 at width 16 (speed): one
    epoch of one batch, then the paper's metrics on the 3 val images."""
    data = generate_synthetic_tiny_imagenet(
        str(tmp_path / 'tiny'), num_classes=NUM_CLASSES, train_per_class=1,
        val_per_class=1, seed=3)
    work_dir = tmp_path / 'work'
    loader = dict(batch_size=3, num_workers=0, persistent_workers=False)
    options = [f'data_root={data["out_dir"]}', 'train_cfg.max_epochs=1',
               'train_cfg.val_interval=1', 'default_hooks.logger.interval=1',
               f'model.head.num_classes={NUM_CLASSES}',
               'model.backbone.base_channels=16', 'model.head.in_channels=128']
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{key}.{k}={v}' for k, v in loader.items()]
    done = subprocess.run(
        [sys.executable, 'tools/train.py',
         osp.join(CONFIG_DIR, 'gr-after-hns_preact-r18_tinyimagenet.py'),
         '--work-dir', str(work_dir), '--cfg-options', *options],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if k != 'RANK'})
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stdout + done.stderr
    assert 'WSOLMetric: evaluating 3 images' in log
    for metric in ('gt_known_loc', 'top1_loc', 'top1_cls'):
        assert re.search(rf'wsol/{metric}: \d+\.\d+', log), metric
    checkpoint = torch.load(work_dir / 'epoch_1.pth', map_location='cpu')
    state = checkpoint['state_dict']
    assert tuple(state['head.fc.weight'].shape) == (NUM_CLASSES, 128)
    assert 'backbone.final_norm.weight' in state
    assert re.search(r'Epoch\(train\) +\[1\]\[1/1\] .* lr: 1\.0000e-01', log)
