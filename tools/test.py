"""Evaluate a wsol_mm model: python tools/test.py CONFIG [CHECKPOINT]."""
import argparse
import os
import os.path as osp

from _repo_env import use_repo_venv

use_repo_venv()

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.logging import print_log  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from wsol_mm.utils import (apply_common_overrides,  # noqa: E402
                           init_cpu_distributed)
from wsol_mm.utils.distributed import CPU_DDP_WRAPPER  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description='Test a WSOL model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='checkpoint file; models without learnt weights (the Center '
        'baseline) need none')
    parser.add_argument('--work-dir', help='the dir to save logs and results')
    parser.add_argument(
        '--out', help='write the metrics and per-image predictions (.json or '
        '.pkl)')
    parser.add_argument(
        '--show-dir',
        help='draw score maps and boxes into this folder (relative to the '
        'work dir)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, "key=value"')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args):
    cfg.launcher = args.launcher
    apply_common_overrides(cfg, args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.checkpoint is None:
        print_log('No checkpoint given: the model is tested with its initial '
                  'weights.', logger='current')
    if args.show_dir:
        cfg.default_hooks.visualization.enable = True
        cfg.default_hooks.visualization.out_dir = args.show_dir
    if args.out:
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, (list, tuple)):
            evaluators = [evaluators]
        cfg.test_evaluator = [
            *evaluators, dict(type='DumpWSOLPredictions', out_file=args.out)
        ]
    return cfg


def main():
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    if init_cpu_distributed(cfg.launcher):
        cfg.model_wrapper_cfg = CPU_DDP_WRAPPER
    runner = Runner.from_cfg(cfg)
    runner.test()


if __name__ == '__main__':
    main()
