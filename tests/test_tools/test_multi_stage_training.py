"""tools/train.py on multi-stage configs (SPOL, ISIC) end to end on tiny
data: every stage runs and reports, an interrupted segmentation stage is
resumed without redoing the finished stages, a stage runs alone."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from wsol_mm.pipelines import StageManifest
from .conftest import NUM_CLASSES, REPO_ROOT, python_tool

TRAIN_IMAGES = NUM_CLASSES * 4


def _write_config(path, data_root, method, extra=''):
    base = osp.join(REPO_ROOT, 'configs', method, f'{method}_r18_demo.py')
    path.write_text(f'''
_base_ = [{base!r}]
custom_imports = dict(imports=['tests.test_tools.interrupt_hook'],
                      allow_failed_imports=False)
data_root = {data_root!r}
max_epochs = 2
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=-1),
                     logger=dict(interval=1))
# Small, deterministic inputs; no worker processes.
load = dict(type='LoadWSOLImageFromFile')
resize = dict(type='Resize', size=(64, 64))
pack = dict(type='PackWSOLInputs')
cls_pack = dict(type='mmpretrain.PackInputs')
dataset = dict(type='SyntheticCUB', data_root=data_root, generator=None)
loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
train_dataloader = dict(loader, dataset=dict(dataset,
                                             pipeline=[load, resize, pack]))
test_dataloader = dict(loader, dataset=dict(dataset,
                                            pipeline=[load, resize, pack]))
stages = dict(
    pseudo_masks=dict(num_workers=0),
    seg=dict(cfg=dict(train_dataloader=dict(dataset=dict(pipeline=[
        load, dict(type='LoadPseudoMask', mask_dir='stage:pseudo_masks'),
        resize, pack])))),
    classifier=dict(cfg=dict(
        train_cfg=dict(max_epochs=1),
        train_dataloader=dict(dataset=dict(pipeline=[load, resize,
                                                     cls_pack])),
        test_dataloader=dict(dataset=dict(pipeline=[load, resize,
                                                    cls_pack])))),
)
{extra}
''')
    return str(path)


def _metrics(work_dir, stage):
    manifest = StageManifest.read(osp.join(work_dir, stage))
    assert manifest is not None, f'stage {stage} did not finish'
    return manifest.metrics


def _check_masks(work_dir):
    mask_dir = osp.join(work_dir, 'pseudo_masks', 'masks')
    with open(osp.join(mask_dir, 'index.txt')) as f:
        img_ids = f.read().split()
    assert len(img_ids) == TRAIN_IMAGES
    for img_id in img_ids:
        mask = cv2.imread(osp.join(mask_dir, osp.splitext(img_id)[0] +
                                   '.png'), cv2.IMREAD_UNCHANGED)
        assert mask is not None and mask.dtype == np.uint8
        assert set(np.unique(mask)) <= {0, 1, 255}


def test_spol_pipeline_runs_resumes_and_runs_one_stage(tiny_data, tmp_path):
    config = _write_config(tmp_path / 'spol.py', tiny_data, 'spol')
    killed = _write_config(
        tmp_path / 'spol_killed.py', tiny_data, 'spol',
        extra="stages['seg']['cfg']['custom_hooks'] = [\n"
              "    dict(type='KillAfterEpochHook', epoch=1)]")
    work_dir = str(tmp_path / 'work')

    # Interrupted after the first epoch of the segmentation stage.
    first = python_tool('train.py', killed, '--work-dir', work_dir)
    assert first.returncode == 3, first.stderr[-3000:]
    for stage in ('cam', 'pseudo_masks'):
        assert StageManifest.read(osp.join(work_dir, stage)) is not None
    assert StageManifest.read(osp.join(work_dir, 'seg')) is None
    assert osp.exists(osp.join(work_dir, 'seg', 'epoch_1.pth'))
    _check_masks(work_dir)
    cam_run = StageManifest.read(osp.join(work_dir, 'cam')).run_id

    resumed = python_tool('train.py', config, '--work-dir', work_dir,
                          '--resume')
    log = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, log[-3000:]
    assert 'Stage "cam": finished before, skipped' in log
    assert 'Stage "pseudo_masks": finished before, skipped' in log
    assert 'resumed epoch: 1' in log
    assert StageManifest.read(osp.join(work_dir, 'cam')).run_id == cam_run
    for stage in ('cam', 'seg', 'evaluate'):
        metrics = _metrics(work_dir, stage)
        assert 0 <= metrics['wsol/gt_known_loc'] <= 100
        assert 0 <= metrics['wsol/max_box_acc_v2'] <= 100
    assert 'Pipeline results:' in log
    # The final stage took its classes from the classifier stage's scores.
    scores = _metrics(work_dir, 'classifier')['accuracy/top1']
    assert _metrics(work_dir, 'evaluate')['wsol/top1_cls'] == \
        pytest.approx(scores, abs=1e-4)
    with open(osp.join(work_dir, 'evaluate', 'metrics.json')) as f:
        assert json.load(f) == _metrics(work_dir, 'evaluate')

    # One stage alone, from the finished outputs of the others.
    os.remove(osp.join(work_dir, 'pseudo_masks', 'masks', 'index.txt'))
    alone = python_tool('train.py', config, '--work-dir', work_dir,
                        '--stage', 'pseudo_masks')
    assert alone.returncode == 0, alone.stderr[-3000:]
    assert 'Stage "cam"' not in alone.stdout + alone.stderr
    _check_masks(work_dir)


def test_isic_pipeline_runs_every_stage(tiny_data, tmp_path):
    config = _write_config(
        tmp_path / 'isic.py', tiny_data, 'isic',
        extra="stages['cam'] = dict(cfg=dict(train_dataloader=dict(\n"
              "    sampler=dict(_delete_=True, type='SimilarClassSampler',\n"
              "                 batch_size=4, samples_per_class=2))))")
    work_dir = str(tmp_path / 'work')
    done = python_tool('train.py', config, '--work-dir', work_dir)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert osp.isfile(osp.join(work_dir, 'cam', 'class_similarity.pth'))
    assert osp.isfile(osp.join(work_dir, 'pseudo_masks',
                               'nmf_directions.pth'))
    _check_masks(work_dir)
    for stage in ('cam', 'pseudo_masks', 'evaluate'):
        metrics = _metrics(work_dir, stage)
        for key in ('gt_known_loc', 'top1_loc', 'max_box_acc_v2'):
            assert 0 <= metrics[f'wsol/{key}'] <= 100
    assert 'loss_feature' in log
