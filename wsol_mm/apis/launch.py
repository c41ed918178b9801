"""What tools/train.py and tools/test.py share: options, config, launch."""
import argparse
import gc
import os
import os.path as osp

from mmengine.config import Config, DictAction

from wsol_mm.engine.runner_builder import init_distributed, run_runner
from wsol_mm.utils.config import apply_common_overrides, resolve_num_classes
from wsol_mm.utils.distributed import shutdown_distributed


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
            init_distributed(cfg)
            from wsol_mm.pipelines import MultiStagePipeline
            return MultiStagePipeline(cfg).run(**pipeline_args)
        return run_runner(cfg, mode)
    finally:
        gc.collect()
        shutdown_distributed()

