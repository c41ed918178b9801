"""Check the datasets of a config on disk before training on them.

Examples::

    python tools/misc/check_dataset.py configs/cam/cam_r50_cub.py
    python tools/misc/check_dataset.py configs/cam/cam_r50_ilsvrc.py \\
        --cfg-options data_root=/data/ILSVRC --splits val test --all

For each split (``train`` / ``val`` / ``test`` = the config's
``<split>_dataloader``) the dataset is built as training builds it, which
checks the annotation files (a bad line or a missing file is an error naming
the file and line). Then it prints the dataset's class, ``data_root``, its
numbers of images and classes and how many images have boxes / masks, reads
the first ``--max-images`` images (``--all``: every one) and their masks with
the loaders of the split's own pipeline, and checks every box against the
image as decoded. Warnings logged meanwhile (e.g. iNatLoc500's recorded
sizes that differ from the files, empty OpenImages masks) are summarised
with counts. Exit status 0: every split is fine; 1: a split is wrong (the
messages name the files at fault).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from _repo_env import use_repo_venv  # noqa: E402

use_repo_venv()

from mmengine.config import Config, DictAction  # noqa: E402

from wsol_mm.apis import register_all_modules  # noqa: E402
from wsol_mm.datasets.dataset_check import (  # noqa: E402
    DEFAULT_MAX_IMAGES, SPLITS, check_config)
from wsol_mm.utils.config import apply_common_overrides  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('config', help='a config file (training or test)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, "key=value" (data_root=PATH sets '
        'every dataloader\'s data_root, as in tools/train.py)')
    parser.add_argument(
        '--splits', nargs='+', choices=SPLITS, default=list(SPLITS),
        help='the splits to check (default: all three)')
    reading = parser.add_mutually_exclusive_group()
    reading.add_argument(
        '--max-images', type=int, default=DEFAULT_MAX_IMAGES, metavar='N',
        help='read the first N images (and their masks) of each split '
        f'(default {DEFAULT_MAX_IMAGES}; 0: check the annotations only)')
    reading.add_argument(
        '--all', action='store_true', help='read every image of each split')
    args = parser.parse_args(argv)
    if args.max_images < 0:
        parser.error(f'--max-images must be >= 0, got {args.max_images}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    apply_common_overrides(cfg, args.cfg_options)
    register_all_modules()
    return check_config(cfg, args.splits,
                        None if args.all else args.max_images)


if __name__ == '__main__':
    sys.exit(main())
