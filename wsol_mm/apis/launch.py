"""What tools/train.py and tools/test.py share: options, config, runner."""
import argparse
import gc
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.dist import init_dist, is_distributed
from mmengine.runner import Runner

from .config import apply_common_overrides, resolve_num_classes
from .dataloader_workers import release_dataloader_workers
from .distributed import (CPU_DDP_WRAPPER, init_cpu_distributed,
                          shutdown_distributed)


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank``."""
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, "key=value" (data_root=PATH sets '
        'every dataloader\'s data_root)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args: argparse.Namespace) -> Config:
    """The config of ``args.config`` with the common options applied; the
    work dir defaults to ``work_dirs/<config name>``, a ``None``
    ``model.head.num_classes`` becomes the dataset's class count."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    apply_common_overrides(cfg, args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    resolve_num_classes(cfg)
    return cfg


def run(cfg: Config, mode: str, **pipeline_args) -> dict:
    """Build the runner of ``cfg`` and run ``mode`` ('train' or 'test');
    returns the metrics of a test. A multi-stage config (one with ``stages``)
    is trained by :class:`MultiStagePipeline` with ``pipeline_args``
    (``resume``, ``only``).

    The runner (whose DDP reducer holds gloo work objects and sits in
    reference cycles) is collected and the process group destroyed before
    the interpreter exits: gloo objects freed during interpreter teardown can
    abort a process whose work had finished.
    """
    try:
        if 'stages' in cfg:
            if mode != 'train':
                raise ValueError(
                    f'{cfg.filename} is a multi-stage config: run it with '
                    'tools/train.py (its evaluation is one of its stages)')
            from wsol_mm.pipelines import MultiStagePipeline
            init_distributed(cfg)
            return MultiStagePipeline(cfg).run(**pipeline_args)
        return run_runner(cfg, mode)
    finally:
        gc.collect()
        shutdown_distributed()


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


def build_runner(cfg: Config) -> Runner:
    """A runner for ``cfg``; on CPU-only machines a launcher gets gloo and
    CPU DistributedDataParallel (see :func:`init_cpu_distributed`), for every
    runner of the process (the stages of a pipeline)."""
    init_cpu_distributed(cfg.launcher)
    if cfg.launcher != 'none' and not torch.cuda.is_available():
        cfg.model_wrapper_cfg = CPU_DDP_WRAPPER
    return Runner.from_cfg(cfg)
