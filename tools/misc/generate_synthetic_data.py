"""Write the synthetic WSOL dataset of ``wsol_mm.datasets.synthetic``.

Example::

    python tools/misc/generate_synthetic_data.py data/synthetic \\
        --layouts cub wsol
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from wsol_mm.datasets.synthetic import generate_synthetic_dataset  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='folder to write the dataset into')
    parser.add_argument('--num-classes', type=int, default=4)
    parser.add_argument('--train-per-class', type=int, default=60)
    parser.add_argument('--test-per-class', type=int, default=20)
    parser.add_argument('--val-per-class', type=int, default=5,
                        help="train images per class in the 'wsol' val split")
    parser.add_argument('--min-size', type=int, default=96)
    parser.add_argument('--max-size', type=int, default=160)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--layouts', nargs='+', default=['cub'],
                        choices=['cub', 'wsol'])
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    summary = generate_synthetic_dataset(
        args.out_dir,
        num_classes=args.num_classes,
        train_per_class=args.train_per_class,
        test_per_class=args.test_per_class,
        min_size=args.min_size,
        max_size=args.max_size,
        seed=args.seed,
        layouts=tuple(args.layouts),
        val_per_class=args.val_per_class)
    counts = summary['counts']
    print(f"wrote {counts['train']} train and {counts['test']} test images "
          f"of {len(summary['classes'])} classes to {summary['images_dir']}")
    print('classes: ' + ', '.join(summary['classes']))
    if summary['metadata_root']:
        print(f"wsolevaluation metadata ({counts['val']} val images): "
              f"{summary['metadata_root']}")
    for path in summary['files']:
        print(f'  {path}')


if __name__ == '__main__':
    main()
