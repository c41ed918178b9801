"""tools/train.py trains MMDetection's Faster R-CNN of the FSL-Det demo on
train-fullsup (val) of tiny iNatLoc500-layout data for one epoch and prints
the WSOL metrics of the test split."""
import os
import os.path as osp
import re
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_demo_trains_one_epoch_and_reports_wsol_metrics(tmp_path):
    base = osp.join(REPO_ROOT, 'configs', 'fsl',
                    'fsl_det_faster-rcnn_r18_fpn_demo.py')
    config = tmp_path / 'cfg.py'
    config.write_text(f'''
_base_ = [{base!r}]
tiny = dict(data_root={str(tmp_path / 'data')!r}, generator=dict(
    num_genera=1, train_per_class=1, val_per_class=2, test_per_class=2,
    min_size=64, max_size=96))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=tiny)
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                      dataset=tiny)
test_dataloader = val_dataloader
model = dict(backbone=dict(base_channels=8),
             neck=dict(in_channels=[8, 16, 32, 64]))
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=1))
''')
    work_dir = tmp_path / 'work'
    done = subprocess.run(
        [sys.executable, 'tools/train.py', str(config), '--work-dir',
         str(work_dir)], cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=300, env=dict(os.environ, OMP_NUM_THREADS='1'))
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    # Two species x 2 train-fullsup images, batch 2: two iterations.
    assert re.search(r'Epoch\(train\) \[1\]\[2/2\]', log)
    assert 'loss_rpn_cls' in log and 'loss_bbox' in log
    assert 'WSOLMetric: evaluating 4 images.' in log
    metrics = re.search(r'WSOL metrics: (.*)', log).group(1)
    assert re.search(r'gt_known_loc: \d+\.\d\d', metrics)
    assert re.search(r'max_box_acc_v2: \d+\.\d\d', metrics)
    assert osp.isfile(work_dir / 'epoch_1.pth')
