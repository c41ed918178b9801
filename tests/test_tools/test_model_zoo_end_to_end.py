"""Full model zoo configs (full-width backbones, 224x224, the configs' own
pipelines, schedules and evaluators) train one epoch and evaluate on tiny
synthetic data in each dataset's layout, with only the acceptance options
(`data_root`, `train_cfg.max_epochs=1`) and single-process loaders. One run
per backbone and per dataset: VGG16-GAP on CUB, ResNet-50 on ImageNet and on
iNatLoc500, InceptionV3 on OpenImages30k."""
import glob
import json
import os.path as osp

import pytest

from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.datasets.synthetic_inatloc import generate_synthetic_inatloc
from wsol_mm.datasets.synthetic_wsol_layouts import (write_ilsvrc_layout,
                                                     write_openimages_layout)

from .conftest import python_tool

SMALL = dict(min_size=64, max_size=96)


def cub_root(root):
    generate_synthetic_dataset(root, num_classes=2, train_per_class=2,
                               test_per_class=2, seed=3, **SMALL)
    return root


def ilsvrc_root(root):
    return write_ilsvrc_layout(root, num_classes=2, train_per_class=2,
                               val_per_class=1, test_per_class=1, seed=3,
                               **SMALL)['data_root']


def openimages_root(root):
    return write_openimages_layout(root, num_classes=2, train_per_class=2,
                                   val_per_class=1, test_per_class=1,
                                   seed=3, **SMALL)['data_root']


def inatloc_root(root):
    generate_synthetic_inatloc(root, num_genera=1, species_per_genus=2,
                               genera_per_family=1, train_per_class=2,
                               val_per_class=1, test_per_class=1, seed=3,
                               **SMALL)
    return root


RUNS = [
    ('cam/cam_vgg16_cub.py', cub_root, 'max_box_acc_v2'),
    ('has/has_r50_ilsvrc.py', ilsvrc_root, 'max_box_acc_v2'),
    ('spg/spg_inceptionv3_openimages30k.py', openimages_root, 'pxap'),
    ('adl/adl_r50_inatloc500.py', inatloc_root, 'max_box_acc_v2'),
]


@pytest.mark.parametrize('config,make_data,metric', RUNS,
                         ids=[osp.basename(r[0])[:-3] for r in RUNS])
def test_full_config_trains_one_epoch_and_evaluates(config, make_data,
                                                    metric, tmp_path):
    data_root = make_data(str(tmp_path / 'data'))
    work_dir = tmp_path / 'work'
    loaders = [f'{name}.{key}={value}'
               for name in ('train_dataloader', 'val_dataloader',
                            'test_dataloader')
               for key, value in (('num_workers', 0),
                                  ('persistent_workers', False))]
    done = python_tool(
        'train.py', osp.join('configs', config), '--work-dir', str(work_dir),
        '--cfg-options', f'data_root={data_root}', 'train_cfg.max_epochs=1',
        'train_cfg.val_interval=1', *loaders, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    assert osp.exists(work_dir / 'epoch_1.pth')
    scalars = glob.glob(str(work_dir / '*' / 'vis_data' / 'scalars.json'))
    assert scalars, 'no validation metrics were logged'
    with open(scalars[0]) as f:
        records = [json.loads(line) for line in f]
    evaluated = [r for r in records if f'wsol/{metric}' in r]
    assert evaluated, f'{metric} missing from {records[-1]}'
    value = evaluated[-1][f'wsol/{metric}']
    assert 0 <= value <= 100
