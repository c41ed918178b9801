"""tools/train.py on SLT-Net's configs end to end on tiny data: the joint
demo pipeline runs every stage, is killed in the classifier stage and
resumed without redoing the localization stage; the PSOL-style stages
(pseudo boxes written once, a regressor trained on them) run too; the full
VGG16 config runs every stage with only the acceptance options."""
import json
import os.path as osp

import pytest

from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.pipelines import StageManifest
from .conftest import NUM_CLASSES, REPO_ROOT, python_tool

TRAIN_IMAGES = NUM_CLASSES * 4

# Small, deterministic inputs; no worker processes; top-1 only (3 classes).
TINY = '''
custom_imports = dict(imports=['tests.test_tools.interrupt_hook'],
                      allow_failed_imports=False)
data_root = {data_root!r}
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=1))
load = dict(type='LoadWSOLImageFromFile')
resize = dict(type='Resize', size=(64, 64))
view = dict(type='PairedViews', scale_choices=(0.5, 1.0), size_divisor=8)
pack = dict(type='PackWSOLInputs')
cls_pack = dict(type='mmpretrain.PackInputs')
dataset = dict(type='SyntheticCUB', data_root=data_root,
               generator=None)
loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
train_dataloader = dict(loader, dataset=dict(
    dataset, pipeline=[load, resize, view, pack]))
test_dataloader = dict(loader, dataset=dict(
    dataset, pipeline=[load, resize, pack]))
tta_pipeline = [load, resize, dict(type='TenCrop', size=48, pack=[cls_pack])]
'''


def _write(path, base, data_root, extra=''):
    path.write_text(f'_base_ = [{base!r}]\n' +
                    TINY.format(data_root=data_root) + extra)
    return str(path)


def _manifest(work_dir, stage):
    manifest = StageManifest.read(osp.join(work_dir, stage))
    assert manifest is not None, f'stage {stage} did not finish'
    return manifest


def test_joint_demo_runs_is_killed_in_the_classifier_and_resumes(
        tiny_data, tmp_path):
    base = osp.join(REPO_ROOT, 'configs', 'slt_net', 'slt_r18_demo.py')
    stages = '''
stages = dict(classifier=dict(cfg=dict(
    train_cfg=dict(max_epochs=2),
    train_dataloader=dict(dataset=dict(pipeline=[load, resize, cls_pack])),
    {hooks})))
'''
    config = _write(tmp_path / 'slt.py', base, tiny_data,
                    stages.format(hooks=''))
    killed = _write(
        tmp_path / 'slt_killed.py', base, tiny_data,
        stages.format(hooks="custom_hooks=[dict(type='KillAfterEpochHook', "
                      'epoch=1)]'))
    work_dir = str(tmp_path / 'work')

    first = python_tool('train.py', killed, '--work-dir', work_dir)
    assert first.returncode == 3, first.stderr[-3000:]
    localization = _manifest(work_dir, 'localization')
    assert StageManifest.read(osp.join(work_dir, 'classifier')) is None
    # the localizer's top-K ACAM was tested
    for key in ('gt_known_loc', 'max_box_acc_v2'):
        assert 0 <= localization.metrics[f'wsol/{key}'] <= 100
    assert 'loss_vst' in first.stdout + first.stderr
    assert 'loss_reg' in first.stdout + first.stderr

    resumed = python_tool('train.py', config, '--work-dir', work_dir,
                          '--resume')
    log = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, log[-3000:]
    assert 'Stage "localization": finished before, skipped' in log
    assert 'resumed epoch: 1' in log
    assert _manifest(work_dir, 'localization').run_id == localization.run_id
    evaluate = _manifest(work_dir, 'evaluate').metrics
    for key in ('gt_known_loc', 'top1_loc', 'max_box_acc'):
        assert 0 <= evaluate[f'wsol/{key}'] <= 100
    # classes from the ten-crop classifier, boxes from the regressor
    classifier = _manifest(work_dir, 'classifier').metrics
    assert evaluate['wsol/top1_cls'] == pytest.approx(
        classifier['accuracy/top1'], abs=1e-4)


def test_staged_config_writes_pseudo_boxes_and_trains_a_regressor(
        tiny_data, tmp_path):
    base = osp.join(REPO_ROOT, 'configs', 'slt_net', 'slt_r50_cub.py')
    narrow = ("dict(_delete_=True, type='mmpretrain.ResNet', depth=18, "
              'base_channels=8, strides=(1, 2, 1, 1), out_indices=(3, ))')
    config = _write(tmp_path / 'staged.py', base, tiny_data, f'''
model = dict(localizer=dict(
    backbone={narrow}, head=dict(in_channels=64, loss=dict(topk=2)),
    test_cfg=dict(score_map_topk=2)))
stages = dict(
    regressor=dict(cfg=dict(
        model=dict(backbone={narrow}, head=dict(in_channels=64),
                   box_normalizer=dict(stride=8)),
        train_dataloader=dict(dataset=dict(pipeline=[
            load, dict(type='LoadPseudoBox', box_file='stage:pseudo_boxes'),
            resize, pack])),
        test_dataloader=dict(dataset=dict(pipeline=[load, resize, pack])))),
    classifier=dict(cfg=dict(
        model=dict(backbone=dict(depth=18, base_channels=8, init_cfg=None),
                   head=dict(in_channels=64)),
        train_dataloader=dict(dataset=dict(
            pipeline=[load, resize, cls_pack])),
        test_evaluator=dict(topk=(1, )),
        train_cfg=dict(max_epochs=1))),
    evaluate=dict(evaluator=dict(cam_curve_interval=0.01)))
test_evaluator = dict(cam_curve_interval=0.01)
''')
    work_dir = str(tmp_path / 'work')
    done = python_tool('train.py', config, '--work-dir', work_dir)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    boxes = _manifest(work_dir, 'pseudo_boxes')
    with open(boxes.artifact) as f:
        written = json.load(f)
    assert len(written) == TRAIN_IMAGES == boxes.extra['num_boxes']
    assert _manifest(work_dir, 'regressor').metrics['wsol/gt_known_loc'] >= 0
    assert 0 <= _manifest(work_dir,
                          'evaluate').metrics['wsol/top1_loc'] <= 100


def test_full_vgg16_config_runs_every_stage(tmp_path):
    """slt_vgg16_cub.py as it is (VGG16 localizer and regressor at 224, the
    MMPretrain VGG16 classifier, ten crops; offline: random weights) with
    only the acceptance options, on 10 images of 5 classes (Top-5 needs
    5)."""
    data_root = str(tmp_path / 'data')
    generate_synthetic_dataset(data_root, num_classes=5, train_per_class=2,
                               test_per_class=1, min_size=64, max_size=96,
                               seed=3)
    loaders = [f'{name}.{key}={value}'
               for name in ('train_dataloader', 'test_dataloader')
               for key, value in (('num_workers', 0),
                                  ('persistent_workers', False))]
    work_dir = str(tmp_path / 'work')
    done = python_tool(
        'train.py', osp.join('configs', 'slt_net', 'slt_vgg16_cub.py'),
        '--work-dir', work_dir, '--cfg-options', f'data_root={data_root}',
        'train_cfg.max_epochs=1', *loaders, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    for stage in ('localization', 'classifier'):
        assert _manifest(work_dir, stage).artifact.endswith('.pth')
    evaluate = _manifest(work_dir, 'evaluate').metrics
    for key in ('gt_known_loc', 'top1_loc', 'top5_loc', 'max_box_acc_v2'):
        assert 0 <= evaluate[f'wsol/{key}'] <= 100
