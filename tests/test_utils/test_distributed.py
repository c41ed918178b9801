"""init_cpu_distributed: when a gloo group is (not) started on CPU machines.

No process group is started here (the lead's end-to-end test does that)."""
import pytest
import torch
import torch.distributed as dist

from wsol_mm.utils import init_cpu_distributed
from wsol_mm.utils.distributed import CPU_DDP_WRAPPER

ENV = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT')


@pytest.fixture
def no_group(monkeypatch):
    """A CPU-only machine without an initialised group; any attempt to start
    one is recorded instead of done."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(dist, 'is_initialized', lambda: False)
    calls = []
    monkeypatch.setattr(dist, 'init_process_group',
                        lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_launcher_none_starts_nothing(no_group, monkeypatch):
    for key in ENV:
        monkeypatch.setenv(key, '0')
    assert init_cpu_distributed('none') is False
    assert no_group == []


def test_missing_env_vars_raise_naming_them(no_group, monkeypatch):
    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setenv('MASTER_PORT', '29500')
    with pytest.raises(RuntimeError) as info:
        init_cpu_distributed('pytorch')
    message = str(info.value)
    for key in ('WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR'):
        assert key in message
    assert "'RANK'" not in message and 'MASTER_PORT' not in message
    assert no_group == []


@pytest.mark.parametrize('launcher', ['slurm', 'mpi', 'bogus'])
def test_unsupported_launcher_raises(no_group, launcher):
    with pytest.raises(ValueError, match=launcher):
        init_cpu_distributed(launcher)
    assert no_group == []


def test_pytorch_launcher_with_env_starts_gloo(no_group, monkeypatch):
    for key, value in zip(ENV, ('0', '1', '0', '127.0.0.1', '29500')):
        monkeypatch.setenv(key, value)
    assert init_cpu_distributed('pytorch', timeout_s=42) is True
    assert len(no_group) == 1
    kwargs = no_group[0][1]
    assert kwargs['backend'] == 'gloo'
    assert kwargs['timeout'].total_seconds() == 42


def test_gpu_machine_or_existing_group_is_left_to_mmengine(no_group,
                                                          monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    assert init_cpu_distributed('pytorch') is False
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(dist, 'is_initialized', lambda: True)
    assert init_cpu_distributed('pytorch') is False
    assert no_group == []


def test_cpu_ddp_wrapper():
    assert CPU_DDP_WRAPPER == dict(type='MMDistributedDataParallel',
                                   device_ids=None)
