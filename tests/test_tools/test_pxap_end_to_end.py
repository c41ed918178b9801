"""tools/test.py on synthetic OpenImages30k masks: WSOLMetric reports PxAP,
equal to the functional PxAP of the Center baseline's maps against masks
built here from the written PNG files, at the protocol's CAM threshold step
(0.001, from the dataset config)."""
import glob
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from wsol_mm.datasets.synthetic_wsol_layouts import write_openimages_layout
from wsol_mm.evaluation.functional import pxap
from wsol_mm.models.utils import normalize_score_maps
from wsol_mm.models.wsol.center_gaussian import CenterGaussian

from .conftest import REPO_ROOT, python_tool

SIGMA = 0.25


def write_config(path, data_root, metadata_root):
    bases = [osp.join(REPO_ROOT, 'configs', '_base_', *parts) for parts in (
        ('models', 'center_gaussian.py'), ('datasets', 'openimages30k.py'),
        ('default_runtime.py', ))]
    path.write_text(f'''
_base_ = {bases!r}
# Registers the dataset and transform also before wsol_mm.datasets exports
# them.
custom_imports = dict(imports=['wsol_mm.datasets.openimages',
                               'wsol_mm.datasets.transforms.load_wsol_mask'],
                      allow_failed_imports=False)
model = dict(sigma={SIGMA})
train_dataloader = None
val_dataloader = None
val_evaluator = None
test_cfg = dict()
test_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root={data_root!r}, metadata_root={metadata_root!r}))
''')
    return str(path)


def protocol_mask(root, item, ignore_as_background=False):
    """The 224 x 224 PxAP mask of a written image, from its PNG files."""
    instances = [cv2.imread(osp.join(root, p), cv2.IMREAD_GRAYSCALE) > 0.5
                 for p in item['masks']]
    foreground = np.any(instances, axis=0)
    mask = foreground.astype(np.uint8)
    if item['ignore'] is not None and not ignore_as_background:
        ignored = cv2.imread(osp.join(root, item['ignore']),
                             cv2.IMREAD_GRAYSCALE) > 0.5
        mask[ignored & ~foreground] = 255
    return cv2.resize(mask, (224, 224), interpolation=cv2.INTER_NEAREST)


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    return write_openimages_layout(
        str(tmp_path_factory.mktemp('openimages') / 'data'), num_classes=2,
        train_per_class=0, val_per_class=1, test_per_class=4, seed=2)


def test_pxap_reported_and_exact(synthetic, tmp_path):
    config = write_config(tmp_path / 'center_openimages.py',
                          synthetic['data_root'], synthetic['metadata_root'])
    work_dir = tmp_path / 'work'
    done = python_tool('test.py', config, '--work-dir', str(work_dir))
    assert done.returncode == 0, done.stderr[-3000:]
    logs = glob.glob(str(work_dir / '*' / '*.json'))
    assert len(logs) == 1, logs
    with open(logs[0]) as f:
        metrics = json.load(f)
    assert 'wsol/pxap' in metrics and 'wsol/max_box_acc' in metrics

    items = synthetic['items']['test']
    assert len(items) == 8
    gaussian = CenterGaussian(sigma=SIGMA).gaussian(224, 224)
    scoremap = normalize_score_maps(gaussian).numpy()
    maps = [scoremap] * len(items)
    masks = [protocol_mask(synthetic['data_root'], item) for item in items]
    assert any((m == 255).any() for m in masks)
    thresholds = np.arange(0, 1, 0.001)
    expected = pxap(maps, masks, thresholds)
    assert metrics['wsol/pxap'] == pytest.approx(expected, rel=1e-9,
                                                 abs=1e-9)
    # The ignored pixels matter: counted as background, PxAP changes.
    as_background = [
        protocol_mask(synthetic['data_root'], item, ignore_as_background=True)
        for item in items
    ]
    assert abs(pxap(maps, as_background, thresholds) - expected) > 1e-3
