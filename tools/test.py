"""Evaluate a wsol_mm model: python tools/test.py CONFIG [CHECKPOINT]."""
import argparse

from _repo_env import use_repo_venv

use_repo_venv()

from mmengine.logging import print_log  # noqa: E402

from wsol_mm.apis import add_common_args, load_config, run  # noqa: E402


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
        '--out-format',
        choices=('wsol', 'coco'),
        default='wsol',
        help='format of --out: "wsol" (per-image records, boxes on the '
        'network input and in original pixels) or "coco" (a COCO dataset '
        'file of the predicted boxes in original pixels with their scores, '
        'plus <out>.results.json, a COCO results list)')
    parser.add_argument(
        '--out-labels',
        choices=('predicted', 'gt'),
        default='predicted',
        help='classes of the COCO export: the top-k predicted ones, or the '
        'GT class with the box of its map (pseudo labels of a labelled set)')
    parser.add_argument(
        '--out-maps',
        help='write every image\'s score map (GT class, normalised, on the '
        'network input) as <dir>/<image id>.npy, wsolevaluation\'s layout')
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
        # Every test image, drawn into the folder (not the vis backends).
        cfg.default_hooks.visualization.update(
            enable=True, out_dir=args.show_dir, indices=None)
    if args.out_format != 'wsol' and not args.out:
        raise ValueError('--out-format needs --out')
    if args.out and args.out_format == 'coco':
        dataset = cfg.test_dataloader.dataset
        _add_evaluator(cfg, dict(
            type='DumpCOCODetections', out_file=args.out,
            labels=args.out_labels, image_root=dataset.get('data_root')))
    elif args.out:
        _add_evaluator(cfg, dict(type='DumpWSOLPredictions',
                                 out_file=args.out))
    if args.out_maps:
        _add_evaluator(cfg, dict(type='DumpScoreMaps', out_dir=args.out_maps))
    return cfg


def _add_evaluator(cfg, metric: dict) -> None:
    evaluators = cfg.test_evaluator
    if not isinstance(evaluators, (list, tuple)):
        evaluators = [evaluators]
    cfg.test_evaluator = [*evaluators, metric]


def main():
    args = parse_args()
    cfg = merge_args(load_config(args), args)
    run(cfg, 'test')


if __name__ == '__main__':
    main()
