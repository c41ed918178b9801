"""The FSL-Seg configs: the model, the train-fullsup training set with its
box (or instance) masks, the test set, on synthetic layouts of each dataset;
and one short tools/train.py run of the demo."""
import os
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.datasets.synthetic_inatloc import generate_synthetic_inatloc
from wsol_mm.datasets.synthetic_wsol_layouts import (write_ilsvrc_layout,
                                                     write_openimages_layout)
from wsol_mm.models.wsol import ClassAgnosticSegmentor
from wsol_mm.registry import DATASETS, MODELS
from wsol_mm.utils import apply_common_overrides

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO_ROOT, 'configs', 'fsl')


def _box_mask(boxes, height, width):
    """Independent fill: pixel centres inside any box."""
    cy, cx = np.mgrid[0:height, 0:width] + 0.5
    mask = np.zeros((height, width), bool)
    for x0, y0, x1, y1 in boxes:
        mask |= (cx >= x0) & (cx < x1) & (cy >= y0) & (cy < y1)
    return mask.astype(np.uint8)


@pytest.fixture(scope='module')
def layouts(tmp_path_factory):
    root = tmp_path_factory.mktemp('fsl_seg_layouts')
    cub = generate_synthetic_dataset(
        str(root / 'cub'), num_classes=2, train_per_class=3,
        test_per_class=2, min_size=64, max_size=96, layouts=('wsol', ),
        val_per_class=2)
    inat = generate_synthetic_inatloc(
        str(root / 'inat'), num_genera=2, species_per_genus=2,
        genera_per_family=2, train_per_class=2, val_per_class=2,
        test_per_class=1, min_size=64, max_size=96, seed=1)
    release = generate_synthetic_dataset(
        str(root / 'cub_release'), num_classes=2, train_per_class=7,
        test_per_class=2, min_size=64, max_size=96, layouts=('cub', ))
    ilsvrc = write_ilsvrc_layout(str(root / 'ilsvrc'), num_classes=2)
    openimages = write_openimages_layout(str(root / 'oi'), num_classes=2)
    return dict(
        cub=dict(data_root=release['out_dir']),
        cubv2=dict(data_root=cub['images_dir'],
                   metadata_root=cub['metadata_root']),
        inatloc500=dict(data_root=inat['out_dir']),
        ilsvrc=dict(data_root=ilsvrc['data_root'],
                    metadata_root=ilsvrc['metadata_root']),
        openimages30k=dict(data_root=openimages['data_root'],
                           metadata_root=openimages['metadata_root']))


@pytest.mark.parametrize('dataset', ['cub', 'cubv2', 'inatloc500',
                                     'ilsvrc', 'openimages30k'])
def test_config_trains_on_train_fullsup_masks(dataset, layouts):
    init_default_scope('wsol_mm')
    cfg = Config.fromfile(osp.join(CONFIGS, f'fsl_seg_r50_{dataset}.py'))
    apply_common_overrides(cfg, layouts[dataset])
    model = MODELS.build(cfg.model)  # no init_weights: no download
    assert isinstance(model, ClassAgnosticSegmentor)
    assert model.backbone.strides == (1, 2, 1, 1)  # stride 8: 28x28 at 224
    assert cfg.model.backbone.init_cfg.checkpoint == 'torchvision://resnet50'
    assert cfg.train_cfg.max_iters == 3000
    assert cfg.val_dataloader.dataset.split == 'test'
    assert cfg.test_dataloader.dataset.split == 'test'

    train = DATASETS.build(cfg.train_dataloader.dataset)
    if dataset == 'cub':  # no train-fullsup: 5 images per class of train
        assert train.dataset.split == 'train' and len(train) == 10
    else:
        assert train.split == 'val'  # train-fullsup
    sample = train[0]['data_samples']
    height, width = sample.img_shape
    assert (height, width) == (224, 224)
    mask = sample.pseudo_mask.numpy()
    if dataset == 'openimages30k':  # the instance masks themselves
        test = DATASETS.build(cfg.test_dataloader.dataset)
        assert set(np.unique(mask)) <= {0, 1, 255} and (mask == 1).any()
        assert 'gt_mask' not in sample
        assert test[0]['data_samples'].gt_mask.shape == (224, 224)
    else:
        boxes = sample.gt_bboxes.numpy()
        np.testing.assert_array_equal(mask, _box_mask(boxes, height, width))
        assert 0 < mask.mean() < 1
    test = DATASETS.build(cfg.test_dataloader.dataset)
    assert test.split == 'test' and len(test) > 0


def test_demo_trains_and_tests_with_tools_train(tmp_path):
    """tools/train.py on the demo config, a few iterations on tiny data:
    train-fullsup for training, the test split evaluated at the end."""
    data = generate_synthetic_inatloc(
        str(tmp_path / 'data'), num_genera=2, species_per_genus=1,
        genera_per_family=2, train_per_class=1, val_per_class=4,
        test_per_class=2, min_size=64, max_size=80, seed=2)
    config = tmp_path / 'cfg.py'
    config.write_text(f'''
_base_ = [{osp.join(CONFIGS, 'fsl_seg_r18_demo.py')!r}]
model = dict(backbone=dict(base_channels=8), head=dict(in_channels=64))
max_iters = 3
train_dataloader = dict(batch_size=4, num_workers=0,
                        persistent_workers=False)
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader
param_scheduler = dict(end=max_iters)
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=max_iters))
''')
    env = dict(os.environ, OMP_NUM_THREADS='1')
    done = subprocess.run(
        [sys.executable, 'tools/train.py', str(config), '--work-dir',
         str(tmp_path / 'work'), '--cfg-options',
         f"data_root={data['out_dir']}"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert 'loss_seg' in log
    evaluated = re.findall(r'WSOLMetric: evaluating (\d+) images', log)
    assert evaluated == ['4']  # the 2 x 2 test images, once, at the end
    assert re.search(r'wsol/max_box_acc_v2: \d+\.\d+', log)
    assert osp.isfile(tmp_path / 'work' / 'iter_3.pth')
