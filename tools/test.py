"""Evaluate a wsol_mm model: python tools/test.py CONFIG [CHECKPOINT]."""
import argparse

from _repo_env import use_repo_venv

use_repo_venv()

from mmengine.logging import print_log  # noqa: E402

from wsol_mm.utils.cli import add_common_args, load_config, run  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description='Test a WSOL model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='checkpoint file; models without learnt weights (the Center '
        'baseline) need none')
    parser.add_argument(
        '--out', help='write the per-image predictions (.json or .pkl)')
    parser.add_argument(
        '--show-dir',
        help='draw score maps and boxes into this folder (relative to the '
        'work dir)')
    add_common_args(parser)
    return parser.parse_args()


def merge_args(cfg, args):
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
    cfg = merge_args(load_config(args), args)
    run(cfg, 'test')


if __name__ == '__main__':
    main()
