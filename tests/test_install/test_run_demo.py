"""The demo's console (tools/run_demo.py): one line per epoch and per
validation (EpochProgressHook), no deprecation notices; the log file keeps
every record."""
import logging
import sys
from types import SimpleNamespace

from mmengine.logging import MessageHub

from .conftest import REPO_ROOT

sys.path.insert(0, f'{REPO_ROOT}/tools')
import run_demo  # noqa: E402

from wsol_mm.engine.hooks import epoch_progress_hook  # noqa: E402


def test_epoch_line_has_the_epoch_mean_loss_and_eta(monkeypatch, capsys):
    hub = MessageHub.get_instance('test_run_demo_epoch_line')
    for loss in (9.0, 1.0, 2.0, 3.0):  # the epoch: the last 3 iterations
        hub.update_scalar('train/loss', loss)
    runner = SimpleNamespace(epoch=1, max_epochs=5, message_hub=hub,
                             train_dataloader=[None] * 3)
    clock = iter([100.0, 150.0])  # 50 s for 2 epochs: 75 s for 3 more
    monkeypatch.setattr(epoch_progress_hook.time, 'monotonic', lambda: next(clock))
    hook = epoch_progress_hook.EpochProgressHook()
    hook.before_train(runner)
    hook.after_train_epoch(runner)
    hook.after_val_epoch(runner, {'wsol/gt_known_loc': 81.25,
                                  'wsol/max_box_acc_v2': 67.083})
    assert capsys.readouterr().out.splitlines() == [
        'epoch  2/5  loss 2.0000  elapsed 0:50  ETA 1:15',
        '  validation: GT-known Loc 81.25  MaxBoxAccV2 67.08']


def test_deprecation_notices_stay_off_the_console():
    def record(message):
        return logging.LogRecord('mmengine', logging.WARNING, __file__, 1,
                                 message, None, None)

    assert not run_demo.not_a_deprecation(
        record('"FileClient" will be deprecated in future.'))
    assert not run_demo.not_a_deprecation(
        record('"HardDiskBackend" is the alias of "LocalBackend"'))
    assert run_demo.not_a_deprecation(record('The model has no weights'))
