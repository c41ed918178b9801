"""Fixtures for the end-to-end tool tests: tiny synthetic data and configs."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

from wsol_mm.datasets.synthetic import generate_synthetic_dataset

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NUM_CLASSES = 3
TEST_PER_CLASS = 3  # 9 test images: two processes must not count one twice


@pytest.fixture(scope='session')
def tiny_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic_cub'))
    generate_synthetic_dataset(
        root, num_classes=NUM_CLASSES, train_per_class=4,
        test_per_class=TEST_PER_CLASS, min_size=64, max_size=96, seed=1)
    return root


def write_config(path, data_root: str, max_epochs: int, extra: str = ''):
    """A demo-config child for fast, deterministic runs on ``data_root``."""
    base = osp.join(REPO_ROOT, 'configs', 'cam', 'cam_r18_demo.py')
    path.write_text(f'''
_base_ = [{base!r}]
data_root = {data_root!r}
max_epochs = {max_epochs}
model = dict(backbone=dict(base_channels=8), head=dict(num_classes={NUM_CLASSES}, in_channels=64))
# No random augmentation, no worker processes: runs are reproducible.
test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(96, 96)),
    dict(type='PackWSOLInputs'),
]
dataset = dict(type='CUB', data_root=data_root, pipeline=test_pipeline,
               _delete_=True)
train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                        dataset=dict(dataset, split='train'))
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                      dataset=dict(dataset, split='test'))
test_dataloader = val_dataloader
param_scheduler = [dict(type='StepLR', by_epoch=True, step_size=1, gamma=0.5)]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=-1),
                     logger=dict(interval=1))
{extra}
''')
    return str(path)


def run_tool(args, env=None, timeout=600):
    """Run a command from the repository root; return the completed process."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop('RANK', None)
    return subprocess.run(
        args, cwd=REPO_ROOT, env=full_env, capture_output=True, text=True,
        timeout=timeout)


def python_tool(script, *args, **kwargs):
    return run_tool([sys.executable, osp.join('tools', script), *args],
                    **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
