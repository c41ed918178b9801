"""Every config under configs/ parses and builds its model and datasets' types."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.registry import DATASETS, METRICS, MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)


def test_configs_are_found():
    names = {osp.relpath(p, REPO_ROOT) for p in CONFIGS}
    assert {'configs/cam/cam_r50_cub.py', 'configs/cam/cam_r18_demo.py'} <= names


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'wsol_mm'
    init_default_scope('wsol_mm')
    model_cfg = cfg.model.copy()
    if 'backbone' in model_cfg:
        model_cfg.backbone.init_cfg = None  # no download in tests
    if 'head' in model_cfg and model_cfg.head.get('num_classes', 1) is None:
        model_cfg.head.num_classes = 2  # counted from the dataset at run time
    model = MODELS.build(model_cfg)
    assert model.test_cfg['cam_threshold'] == 0.2
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            assert DATASETS.get(cfg[key].dataset.type) is not None
    assert METRICS.get(cfg.test_evaluator.type) is not None


def test_cam_r50_cub_follows_the_wsolevaluation_recipe():
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs/cam/cam_r50_cub.py'))
    assert cfg.model.backbone.depth == 50
    assert cfg.model.backbone.strides == (1, 2, 1, 1)  # 28x28 maps at 224
    assert cfg.model.head.num_classes == 200
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == (
        'SGD', 1.7e-4, 1e-4)
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys.head.lr_mult == 10
    assert cfg.train_cfg.max_epochs == 50
    assert cfg.train_dataloader.batch_size == 32
    test_sizes = [t['size'] for t in cfg.test_dataloader.dataset.pipeline
                  if t['type'] == 'Resize']
    assert test_sizes == [(224, 224)]
