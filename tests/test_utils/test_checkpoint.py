"""The torch >= 2.6 ``weights_only`` shim for MMEngine checkpoints.

Importing ``wsol_mm`` allow-lists numpy scalars/arrays and ``HistoryBuffer``
and stops ``HistoryBuffer`` from pickling its method table, so that a
checkpoint-like dict (message hub state, numpy meta values) loads with plain
``torch.load(path)``; without the shim the same kind of file is refused.
"""
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.utils import digit_version

import wsol_mm  # noqa: F401  (installs the shim)

TORCH_2_6 = digit_version(torch.__version__) >= digit_version('2.6.0')

# Writes a checkpoint-like file, as in test_shim_round_trip, with only
# MMEngine loaded; then loads it with the default torch.load.
_WITHOUT_SHIM = textwrap.dedent('''
    import pickle, sys
    import numpy as np
    import torch
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('no_shim')
    hub.update_scalar('train/loss', np.float32(0.5))
    hub.update_info('boxes', np.arange(4.0))
    torch.save(dict(meta=dict(epoch=np.int64(2)),
                    message_hub=hub.state_dict()), sys.argv[1])
    assert 'wsol_mm' not in sys.modules
    try:
        torch.load(sys.argv[1])
    except pickle.UnpicklingError as err:
        print('UNPICKLING_ERROR', str(err).splitlines()[0])
    else:
        print('LOADED')
''')


def _checkpoint():
    hub = MessageHub.get_instance('test_checkpoint_shim')
    for value in (np.float32(0.5), np.float32(0.25)):
        hub.update_scalar('train/loss', value)
    hub.update_scalar('train/lr', np.float64(0.01))
    hub.update_scalar('train/accuracy', 75.0)
    hub.update_scalar('val/count', 3, count=2)
    hub.update_info('iter', 120)
    hub.update_info('boxes', np.array([[1.5, 2.0], [3.0, 4.25]]))
    hub.update_info('labels', np.array([3, 1, 2], dtype=np.int64))
    return dict(
        meta=dict(epoch=np.int64(3), seed=np.int32(7), lr=np.float64(0.1),
                  score=np.float32(61.5), flag=np.bool_(True),
                  mmengine_version='0.10.7'),
        state_dict={'fc.weight': torch.arange(6.).view(2, 3)},
        message_hub=hub.state_dict())


def test_shim_round_trip(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    torch.save(_checkpoint(), path)
    loaded = torch.load(path)  # the default: weights_only on torch >= 2.6

    meta = loaded['meta']
    for key, value, dtype in [('epoch', 3, np.int64), ('seed', 7, np.int32),
                              ('lr', 0.1, np.float64),
                              ('score', 61.5, np.float32),
                              ('flag', True, np.bool_)]:
        assert meta[key] == value
        assert type(meta[key]) is dtype, key
    assert meta['mmengine_version'] == '0.10.7'
    assert torch.equal(loaded['state_dict']['fc.weight'],
                       torch.arange(6.).view(2, 3))

    hub_state = loaded['message_hub']
    scalars = hub_state['log_scalars']
    loss = scalars['train/loss']
    assert isinstance(loss, HistoryBuffer)
    logs, counts = loss.data
    np.testing.assert_array_equal(logs, np.array([0.5, 0.25]))
    np.testing.assert_array_equal(counts, [1, 1])
    assert loss.current() == 0.25
    assert loss.mean() == pytest.approx(0.375)
    # The method table was not pickled but statistics() still works.
    assert 'statistics_methods' not in loss.__dict__
    assert loss.statistics('max') == 0.5
    assert scalars['train/lr'].current() == pytest.approx(0.01)
    assert scalars['train/accuracy'].current() == 75.0
    np.testing.assert_array_equal(scalars['val/count'].data[1], [2])

    info = hub_state['runtime_info']
    assert info['iter'] == 120
    np.testing.assert_array_equal(info['boxes'],
                                  np.array([[1.5, 2.0], [3.0, 4.25]]))
    assert info['labels'].dtype == np.int64
    np.testing.assert_array_equal(info['labels'], [3, 1, 2])

    # A fresh message hub resumes from it (what --resume does).
    hub = MessageHub.get_instance('test_checkpoint_resumed')
    hub.load_state_dict(hub_state)
    assert hub.get_scalar('train/loss').current() == 0.25
    np.testing.assert_array_equal(hub.get_info('labels'), [3, 1, 2])


def test_saving_does_not_touch_the_live_buffer(tmp_path):
    hub = MessageHub.get_instance('test_checkpoint_live')
    hub.update_scalar('loss', 1.0)
    torch.save(hub.state_dict(), str(tmp_path / 'hub.pth'))
    buffer = hub.get_scalar('loss')
    assert 'statistics_methods' not in buffer.__dict__
    hub.update_scalar('loss', 3.0)
    assert buffer.mean() == 2.0


@pytest.mark.skipif(
    not TORCH_2_6,
    reason=f'torch {torch.__version__} < 2.6: torch.load does not default to '
    'weights_only=True, so no file is refused and the shim is not needed')
def test_without_shim_the_file_is_refused(tmp_path):
    path = str(tmp_path / 'no_shim.pth')
    result = subprocess.run(
        [sys.executable, '-c', _WITHOUT_SHIM, path], cwd=str(tmp_path),
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert 'UNPICKLING_ERROR' in result.stdout, result.stdout
    # Written without the shim, the buffer pickled its method table (via
    # getattr), which even the shim does not allow, as the README says.
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    # Trusted files still load with weights_only=False.
    loaded = torch.load(path, weights_only=False)
    assert loaded['message_hub']['log_scalars']['train/loss'].current() == \
        np.float32(0.5)
