"""tools/test.py on synthetic OpenImages30k masks: WSOLMetric reports PxAP,
equal to the functional PxAP of the Center baseline's maps against masks
built here from the written PNG files, at the protocol's CAM threshold step
(0.001, from the dataset config); an instance mask that is empty in
grayscale (an RGBA PNG, as in wsolevaluation's test data) is evaluated as
background."""
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


def write_layout(root):
    return write_openimages_layout(
        str(root), num_classes=2, train_per_class=0, val_per_class=1,
        test_per_class=4, seed=2)


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    return write_layout(tmp_path_factory.mktemp('openimages') / 'data')


def run_test_tool(synthetic, tmp_path):
    """tools/test.py of the Center baseline on the layout: its metrics and
    the text of its log."""
    config = write_config(tmp_path / 'center_openimages.py',
                          synthetic['data_root'], synthetic['metadata_root'])
    work_dir = tmp_path / 'work'
    done = python_tool('test.py', config, '--work-dir', str(work_dir))
    assert done.returncode == 0, done.stderr[-3000:]
    logs = glob.glob(str(work_dir / '*' / '*.json'))
    assert len(logs) == 1, logs
    with open(logs[0]) as f:
        metrics = json.load(f)
    with open(logs[0][:-len('.json')] + '.log') as f:
        log = f.read()
    return metrics, log


def center_maps(num):
    gaussian = CenterGaussian(sigma=SIGMA).gaussian(224, 224)
    return [normalize_score_maps(gaussian).numpy()] * num


def test_pxap_reported_and_exact(synthetic, tmp_path):
    metrics, _ = run_test_tool(synthetic, tmp_path)
    assert 'wsol/pxap' in metrics and 'wsol/max_box_acc' in metrics

    items = synthetic['items']['test']
    assert len(items) == 8
    maps = center_maps(len(items))
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


def test_mask_empty_in_grayscale_is_background(tmp_path):
    """One image's only instance mask rewritten as an RGBA PNG with zero
    colour channels (alpha 255 on the object): the evaluation runs, PxAP is
    the functional PxAP with that image all background (ignored pixels kept)
    and the image is left out of the box metrics."""
    synthetic = write_layout(tmp_path / 'data')
    items = synthetic['items']['test']
    index = next(i for i, item in enumerate(items)
                 if len(item['masks']) == 1 and item['ignore'] is None)
    path = osp.join(synthetic['data_root'], items[index]['masks'][0])
    original = protocol_mask(synthetic['data_root'], items[index])
    assert (original == 1).any()
    bgra = np.zeros(cv2.imread(path).shape[:2] + (4, ), np.uint8)
    bgra[..., 3] = np.where(cv2.imread(path, cv2.IMREAD_GRAYSCALE) > 0, 255,
                            0)
    assert cv2.imwrite(path, bgra)

    metrics, log = run_test_tool(synthetic, tmp_path)
    masks = [protocol_mask(synthetic['data_root'], item) for item in items]
    assert not masks[index].any()  # all background in grayscale
    maps = center_maps(len(items))
    thresholds = np.arange(0, 1, 0.001)
    expected = pxap(maps, masks, thresholds)
    assert metrics['wsol/pxap'] == pytest.approx(expected, rel=1e-9,
                                                 abs=1e-9)
    # The image's pixels count: without it, or with its object, PxAP moves.
    others = [i for i in range(len(items)) if i != index]
    assert abs(pxap([maps[i] for i in others], [masks[i] for i in others],
                    thresholds) - expected) > 1e-3
    with_object = masks[:index] + [original] + masks[index + 1:]
    assert abs(pxap(maps, with_object, thresholds) - expected) > 1e-3
    assert 'WSOLMetric: evaluating 8 images.' in log
    assert f'1 of 8 images have no GT box (sample_idx {index};' in log
    assert 'use the other 7 images' in log
    assert 'has no foreground pixel in grayscale' in log
