"""tools/train.py trains CAM at the GENUS level of iNatLoc500-layout data
(configs/cam/cam_r18_demo_inatloc_genus.py): the head gets the genus count
from the dataset and the evaluation covers every species-labelled test
image, read at the genus level."""
import os.path as osp
import re

import pytest
import torch

from wsol_mm.datasets.synthetic_inatloc import generate_synthetic_inatloc

from .conftest import REPO_ROOT, python_tool

NUM_GENERA = 3
SPECIES_PER_GENUS = 2
TEST_PER_CLASS = 2  # per species: 12 test images


@pytest.fixture(scope='module')
def inatloc_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic_inatloc'))
    return generate_synthetic_inatloc(
        root, num_genera=NUM_GENERA, species_per_genus=SPECIES_PER_GENUS,
        genera_per_family=2, train_per_class=3, val_per_class=1,
        test_per_class=TEST_PER_CLASS, min_size=64, max_size=96, seed=1)


def write_config(path, data_root):
    base = osp.join(REPO_ROOT, 'configs', 'cam',
                    'cam_r18_demo_inatloc_genus.py')
    path.write_text(f'''
_base_ = [{base!r}]
custom_imports = dict(imports=['wsol_mm.datasets.synthetic_inatloc'])
# model.head.num_classes stays None: the genus count of the train dataset.
model = dict(backbone=dict(base_channels=8), head=dict(in_channels=64))
small = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(64, 64)),
    dict(type='PackWSOLInputs'),
]
loader = dict(batch_size=4, num_workers=0, persistent_workers=False,
              dataset=dict(data_root={data_root!r}, pipeline=small))
train_dataloader = loader
val_dataloader = loader
test_dataloader = loader
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True)]
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
''')
    return str(path)


def test_genus_level_training(inatloc_data, tmp_path):
    genera = inatloc_data['level_classes']['genus']
    num_test = inatloc_data['counts']['test']
    assert len(genera) == NUM_GENERA
    assert num_test == NUM_GENERA * SPECIES_PER_GENUS * TEST_PER_CLASS
    # The test split on disk is labelled with the 6 species.
    labels_txt = osp.join(inatloc_data['metadata_root'], 'test',
                          'class_labels.txt')
    with open(labels_txt) as f:
        species = {line.rsplit(',', 1)[1].strip() for line in f}
    assert len(species) == NUM_GENERA * SPECIES_PER_GENUS

    config = write_config(tmp_path / 'cfg.py', inatloc_data['out_dir'])
    work_dir = tmp_path / 'work'
    done = python_tool('train.py', config, '--work-dir', str(work_dir))
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stdout + done.stderr

    assert f'model.head.num_classes = {NUM_GENERA}' in log
    checkpoint = torch.load(work_dir / 'epoch_1.pth', map_location='cpu')
    weight = checkpoint['state_dict']['head.fc.weight']
    assert tuple(weight.shape) == (NUM_GENERA, 64)
    meta = checkpoint['meta']['dataset_meta']
    assert meta['classes'] == genera and meta['level'] == 'genus'
    # The evaluation after the epoch saw every test image.
    evaluated = [int(n) for n in re.findall(
        r'WSOLMetric: evaluating (\d+) images', log)]
    assert evaluated == [num_test]
    assert re.search(rf'num_images: {num_test}\b', log), log[-2000:]
