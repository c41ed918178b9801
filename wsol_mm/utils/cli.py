"""What tools/train.py and tools/test.py share: options, config, runner."""
import argparse
import gc
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from .config import apply_common_overrides, resolve_num_classes
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


def run(cfg: Config, mode: str) -> dict:
    """Build the runner of ``cfg`` and run ``mode`` ('train' or 'test');
    returns the metrics of a test.

    The runner (whose DDP reducer holds gloo work objects and sits in
    reference cycles) is collected and the process group destroyed before
    the interpreter exits: gloo objects freed during interpreter teardown can
    abort a process whose work had finished.
    """
    try:
        return getattr(build_runner(cfg), mode)()
    finally:
        gc.collect()
        shutdown_distributed()


def build_runner(cfg: Config) -> Runner:
    """A runner for ``cfg``; on CPU-only machines a launcher gets gloo and
    CPU DistributedDataParallel (see :func:`init_cpu_distributed`)."""
    if init_cpu_distributed(cfg.launcher):
        cfg.model_wrapper_cfg = CPU_DDP_WRAPPER
    return Runner.from_cfg(cfg)
