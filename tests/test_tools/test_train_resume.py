"""tools/train.py end to end: an interrupted run resumed with --resume ends
exactly like an uninterrupted one (epoch, weights, optimizer state)."""
import json
import os
import os.path as osp

import torch

from .conftest import NUM_CLASSES, TEST_PER_CLASS, python_tool, write_config

EPOCHS = 3


def _load(path):
    # The default torch.load (weights_only=True on torch >= 2.6), as MMEngine.
    return torch.load(path, map_location='cpu')


def test_resume_matches_uninterrupted_run(tiny_data, tmp_path):
    config = write_config(tmp_path / 'cfg.py', tiny_data, EPOCHS)
    killed_config = write_config(
        tmp_path / 'cfg_killed.py', tiny_data, EPOCHS,
        extra="custom_imports = dict(imports=['tests.test_tools.interrupt_hook'])\n"
              "custom_hooks = [dict(type='NumClassCheckHook'), "
              "dict(type='KillAfterEpochHook', epoch=1)]")
    straight, resumed = tmp_path / 'straight', tmp_path / 'resumed'

    done = python_tool('train.py', config, '--work-dir', str(straight))
    assert done.returncode == 0, done.stderr[-3000:]

    killed = python_tool('train.py', killed_config, '--work-dir', str(resumed))
    assert killed.returncode == 3, killed.stderr[-3000:]
    assert osp.exists(resumed / 'epoch_1.pth')
    assert not osp.exists(resumed / 'epoch_2.pth')

    again = python_tool('train.py', config, '--work-dir', str(resumed),
                        '--resume')
    assert again.returncode == 0, again.stderr[-3000:]
    assert 'resumed epoch: 1' in again.stdout + again.stderr

    expected = _load(straight / f'epoch_{EPOCHS}.pth')
    actual = _load(resumed / f'epoch_{EPOCHS}.pth')
    assert actual['meta']['epoch'] == expected['meta']['epoch'] == EPOCHS
    assert actual['meta']['iter'] == expected['meta']['iter']
    for name, value in expected['state_dict'].items():
        torch.testing.assert_close(actual['state_dict'][name], value,
                                   rtol=1e-4, atol=1e-5, msg=name)
    lr = [g['lr'] for g in actual['optimizer']['param_groups']]
    assert lr == [g['lr'] for g in expected['optimizer']['param_groups']]


def test_resume_from_explicit_checkpoint_and_load_from(tiny_data, tmp_path):
    config = write_config(tmp_path / 'cfg.py', tiny_data, 2)
    first = python_tool('train.py', config, '--work-dir', str(tmp_path / 'a'),
                        '--cfg-options', 'train_cfg.max_epochs=1')
    assert first.returncode == 0, first.stderr[-3000:]
    checkpoint = str(tmp_path / 'a' / 'epoch_1.pth')

    resumed = python_tool('train.py', config, '--work-dir',
                          str(tmp_path / 'b'), '--resume', checkpoint)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert _load(tmp_path / 'b' / 'epoch_2.pth')['meta']['epoch'] == 2

    tested = python_tool('test.py', config, checkpoint, '--work-dir',
                         str(tmp_path / 'c'), '--out',
                         str(tmp_path / 'preds.json'), '--show-dir', 'vis')
    assert tested.returncode == 0, tested.stderr[-3000:]
    assert 'Load checkpoint from' in tested.stdout + tested.stderr
    predictions = json.loads((tmp_path / 'preds.json').read_text())
    assert len(predictions) == NUM_CLASSES * TEST_PER_CLASS
    assert all(len(p['pred_bboxes']) == 1 for p in predictions)
    drawn = os.listdir(tmp_path / 'c' / 'vis')
    assert len(drawn) == NUM_CLASSES * TEST_PER_CLASS
