"""Train a wsol_mm model: python tools/train.py CONFIG [options]."""
import argparse

from _repo_env import use_repo_venv

use_repo_venv()

from mmengine.device import get_device  # noqa: E402

from wsol_mm.apis import add_common_args, load_config, run  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description='Train a WSOL model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint; without a path, from the '
        'latest checkpoint in the work dir (a multi-stage config: skip the '
        'finished stages and continue the unfinished one)')
    parser.add_argument(
        '--stage',
        action='append',
        metavar='NAME',
        help='multi-stage configs: run only this stage (repeatable); the '
        'stages it reads must have finished in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate with the total batch size')
    add_common_args(parser)
    return parser.parse_args()


def merge_args(cfg, args):
    if args.amp:
        if get_device() == 'cpu':
            raise SystemExit('--amp needs a GPU (or NPU/MLU): MMEngine\'s '
                             'AmpOptimWrapper does not train on the CPU')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise KeyError('--auto-scale-lr needs `auto_scale_lr = dict('
                           'base_batch_size=...)` in the config')
        cfg.auto_scale_lr.enable = True
    return cfg


def main():
    args = parse_args()
    cfg = merge_args(load_config(args), args)
    if 'stages' not in cfg:
        if args.stage:
            raise SystemExit(f'--stage needs a multi-stage config (with '
                             f'`stages`); {args.config} has none')
        run(cfg, 'train')
        return
    if args.resume not in (None, 'auto'):
        raise SystemExit('--resume takes no checkpoint with a multi-stage '
                         'config: each stage resumes from its own folder')
    run(cfg, 'train', resume=cfg.resume, only=args.stage)


if __name__ == '__main__':
    main()
