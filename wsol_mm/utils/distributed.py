"""Multi-process training on machines without a GPU."""
import datetime
import os

import torch
import torch.distributed as dist


def init_cpu_distributed(launcher: str, timeout_s: int = 1800) -> bool:
    """Start a gloo process group when a launcher runs on a CPU-only machine.

    MMEngine's ``pytorch`` launcher calls ``torch.cuda.set_device``, which fails
    without a GPU. A gloo group started here first makes the runner skip its
    own initialisation. Returns True when a group was started; on GPU machines
    and without a launcher nothing happens and MMEngine initialises NCCL.
    """
    if launcher == 'none' or torch.cuda.is_available() or \
            (dist.is_available() and dist.is_initialized()):
        return False
    if launcher != 'pytorch':
        raise ValueError(f'launcher "{launcher}" is not supported without a '
                         'GPU; use "pytorch" (tools/dist_train.sh).')
    missing = [k for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR',
                           'MASTER_PORT') if k not in os.environ]
    if missing:
        raise RuntimeError(
            f'--launcher pytorch needs the environment variables {missing}; '
            'start the script through tools/dist_train.sh or '
            'python -m torch.distributed.run.')
    dist.init_process_group(
        backend='gloo', timeout=datetime.timedelta(seconds=timeout_s))
    return True


# The model wrapper for a gloo group: DDP on CPU tensors takes no device ids.
CPU_DDP_WRAPPER = dict(type='MMDistributedDataParallel', device_ids=None)


def shutdown_distributed() -> None:
    """Destroy the process group once the work is done.

    MMEngine leaves it to the interpreter's exit, where gloo's threads can
    abort the process ("terminate called without an active exception") after
    a successful run.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
