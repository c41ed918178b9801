"""WSOLVisualizationHook in a real training run: overlays of the chosen
validation images at every epoch, on every vis backend; curves of the
validation metric written and plotted."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.engine.hooks import WSOLVisualizationHook

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CHOSEN = (0, 3, 5)


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic_cub'))
    generate_synthetic_dataset(
        root, num_classes=3, train_per_class=2, test_per_class=2,
        min_size=48, max_size=64, seed=3)
    return root


def _config(data_root: str, work_dir: str) -> Config:
    base = osp.join(REPO_ROOT, 'configs', 'cam', 'cam_r18_demo.py')
    cfg = Config.fromfile(base)
    pipeline = [
        dict(type='LoadWSOLImageFromFile'),
        dict(type='Resize', size=(48, 48)),
        dict(type='PackWSOLInputs'),
    ]
    dataset = dict(type='CUB', data_root=data_root, pipeline=pipeline)
    loader = dict(batch_size=6, num_workers=0, persistent_workers=False,
                  sampler=dict(type='DefaultSampler', shuffle=False))
    cfg.merge_from_dict(dict(
        work_dir=work_dir,
        experiment_name=osp.basename(work_dir),
        model=dict(backbone=dict(base_channels=8),
                   head=dict(num_classes=3, in_channels=64)),
        param_scheduler=[],
        train_cfg=dict(max_epochs=2, val_interval=1),
        val_evaluator=dict(cam_curve_interval=0.01, method='opencv',
                           curves_file='curves.json'),
        default_hooks=dict(
            checkpoint=dict(interval=10), logger=dict(interval=1),
            visualization=dict(enable=True, interval=1,
                               indices=list(CHOSEN), draw_pred=False))))
    cfg.train_dataloader = dict(loader, dataset=dict(dataset, split='train'))
    cfg.val_dataloader = dict(loader, dataset=dict(dataset, split='test'))
    cfg.test_dataloader = cfg.val_dataloader
    return cfg


def test_validation_overlays_every_epoch_and_curves(tiny_data, tmp_path):
    runner = Runner.from_cfg(_config(tiny_data, str(tmp_path / 'work')))
    runner.train()

    dataset = runner.val_dataloader.dataset
    names = {i: osp.splitext(osp.basename(
        dataset.get_data_info(i)['img_path']))[0] for i in CHOSEN}
    image_dir = osp.join(runner.log_dir, 'vis_data', 'vis_image')
    expected = {f'val_{names[i]}_{epoch}.png'
                for i in CHOSEN for epoch in (1, 2)}
    assert set(os.listdir(image_dir)) == expected

    # The GT box outline is green where the box is (no predicted box:
    # draw_pred=False); the overlay changed the image inside it.
    for index in CHOSEN:
        item = dataset[index]
        x0, y0, x1, y1 = item['data_samples'].gt_bboxes[0].tolist()
        drawn = cv2.imread(osp.join(image_dir, f'val_{names[index]}_2.png'))
        assert drawn.shape[:2] == (48, 48)
        top = drawn[int(y0), int(np.ceil(x0)):int(x1)]
        left = drawn[int(np.ceil(y0)):int(y1), int(x0)]
        for edge in (top, left):
            assert len(edge) > 5 and (edge == (0, 255, 0)).all()
        assert not (drawn == (0, 0, 255)).all(axis=2).any()
        source = item['inputs'].permute(1, 2, 0).numpy()
        inside = drawn[int(y0) + 3:int(y1) - 3, int(x0) + 3:int(x1) - 3]
        assert np.abs(inside.astype(int) - source[
            int(y0) + 3:int(y1) - 3, int(x0) + 3:int(x1) - 3]).mean() > 10

    # The validation curves: their maxima are the logged metrics.
    curves_file = osp.join(runner.log_dir, 'curves.json')
    curves = json.loads(open(curves_file).read())
    metrics = runner.message_hub.get_scalar('val/wsol/max_box_acc_v2')
    per_iou = [max(c['accuracy']) for c in curves['max_box_acc_v2']['curves']]
    assert np.mean(per_iou) == pytest.approx(metrics.current())
    assert max(curves['max_box_acc']['accuracy']) == pytest.approx(
        runner.message_hub.get_scalar('val/wsol/max_box_acc').current())
    log = open(osp.join(runner.log_dir,
                        osp.basename(runner.log_dir) + '.log')).read()
    assert 'WSOL best CAM thresholds: MaxBoxAcc (IoU 50)' in log

    done = subprocess.run(
        [sys.executable, 'tools/analysis_tools/plot_curves.py', curves_file,
         '--out-dir', str(tmp_path / 'plots')],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    plot = cv2.imread(str(tmp_path / 'plots' / 'box_accuracy.png'))
    assert plot is not None and plot.shape[0] > 100
    assert plot.std() > 10  # lines and text, not a blank canvas
    assert not osp.exists(tmp_path / 'plots' / 'pxap_pr_curve.png')


class _Runner:
    """The attributes the hook reads, for an iteration count."""

    def __init__(self, epoch, work_dir):
        self.epoch, self.iter, self.work_dir = epoch, 0, work_dir
        self.visualizer = None


def test_interval_skips_epochs_and_bad_arguments_are_named(tmp_path):
    hook = WSOLVisualizationHook(enable=True, interval=2)
    # An odd epoch draws nothing (it would need a visualizer).
    hook.after_val_iter(_Runner(1, str(tmp_path)), 0, {'inputs': []}, [1])
    with pytest.raises(TypeError, match='visualizer.type'):
        hook.after_val_iter(_Runner(2, str(tmp_path)), 0, {'inputs': []},
                            [1])
    with pytest.raises(ValueError, match='interval'):
        WSOLVisualizationHook(interval=0)
    with pytest.raises(TypeError, match='indices'):
        WSOLVisualizationHook(indices='all')
    with pytest.raises(TypeError, match='unknown arguments'):
        WSOLVisualizationHook(colour='red')
