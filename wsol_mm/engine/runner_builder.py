"""Building and running MMEngine runners, on GPU and on CPU-only machines."""
import gc

import torch
from mmengine.config import Config
from mmengine.dist import init_dist, is_distributed
from mmengine.runner import Runner

from wsol_mm.utils.dataloader_workers import release_dataloader_workers
from wsol_mm.utils.distributed import CPU_DDP_WRAPPER, init_cpu_distributed
from wsol_mm.utils.mmcv_ops import check_mmcv_ops


def build_runner(cfg: Config) -> Runner:
    """A runner for ``cfg``; on CPU-only machines a launcher gets gloo and
    CPU DistributedDataParallel (see :func:`init_cpu_distributed`), for every
    runner of the process (the stages of a pipeline). An MMDetection model
    without mmcv's compiled ops stops here with the install command."""
    check_mmcv_ops(cfg)
    init_cpu_distributed(cfg.launcher)
    if cfg.launcher != 'none' and not torch.cuda.is_available():
        cfg.model_wrapper_cfg = CPU_DDP_WRAPPER
    return Runner.from_cfg(cfg)


def run_runner(cfg: Config, mode: str):
    """Build the runner of ``cfg``, run ``mode`` ('train', 'val' or
    'test') and stop its dataloader workers; returns what ``mode``
    returned (the metrics of a test)."""
    runner = build_runner(cfg)
    try:
        return getattr(runner, mode)()
    finally:
        release_dataloader_workers(runner)
        del runner
        gc.collect()


def init_distributed(cfg: Config) -> None:
    """Start the process group of a launcher before any runner exists (a
    pipeline synchronises its stages), as the runner would: gloo on CPU-only
    machines, ``env_cfg.dist_cfg`` otherwise."""
    if cfg.launcher == 'none' or init_cpu_distributed(cfg.launcher) or \
            is_distributed():
        return
    init_dist(cfg.launcher, **cfg.get('env_cfg', {}).get('dist_cfg', {}))
