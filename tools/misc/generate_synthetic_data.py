"""Write seeded synthetic WSOL data in the on-disk layout of a real dataset.

Examples::

    python tools/misc/generate_synthetic_data.py data/synthetic --layouts cub wsol
    python tools/misc/generate_synthetic_data.py data/synthetic_inatloc --layouts inatloc500
    python tools/misc/generate_synthetic_data.py data/synthetic_wsol --layouts ilsvrc openimages

Counts and sizes left out take each writer's own defaults.
"""
import argparse
import inspect
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from wsol_mm.datasets.synthetic import generate_synthetic_dataset  # noqa
from wsol_mm.datasets.synthetic_aircraft import \
    generate_synthetic_aircraft  # noqa: E402
from wsol_mm.datasets.synthetic_inatloc import \
    generate_synthetic_inatloc  # noqa: E402
from wsol_mm.datasets.synthetic_tiny_imagenet import \
    generate_synthetic_tiny_imagenet  # noqa: E402
from wsol_mm.datasets.synthetic_wsol_layouts import (  # noqa: E402
    write_ilsvrc_layout, write_openimages_layout)

# Layouts written under OUT_DIR itself by their own writer; each needs a
# folder of its own. 'cub' and 'wsol' (CUB images + wsolevaluation metadata)
# share one, 'ilsvrc' and 'openimages' write into sub-folders.
RELEASE_WRITERS = {
    'tiny_imagenet': generate_synthetic_tiny_imagenet,
    'fgvc_aircraft': generate_synthetic_aircraft,
    'inatloc500': generate_synthetic_inatloc,
}
WSOL_WRITERS = {
    'ilsvrc': write_ilsvrc_layout,
    'openimages': write_openimages_layout,
}
LAYOUTS = ('cub', 'wsol', *WSOL_WRITERS, *RELEASE_WRITERS)
# Writer argument -> command-line option, where the names differ.
OPTION_OF = dict(train_per_variant='train_per_class',
                 val_per_variant='val_per_class',
                 test_per_variant='test_per_class')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('out_dir', help='folder to write the dataset into')
    parser.add_argument('--layouts', nargs='+', default=['cub'],
                        choices=LAYOUTS)
    parser.add_argument('--num-classes', type=int)
    parser.add_argument('--train-per-class', type=int)
    parser.add_argument('--val-per-class', type=int)
    parser.add_argument('--test-per-class', type=int)
    parser.add_argument('--min-size', type=int)
    parser.add_argument('--max-size', type=int)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    own_folder = [name for name in args.layouts if name in RELEASE_WRITERS]
    if own_folder and len(args.layouts) > 1:
        parser.error(f'{own_folder[0]} needs a folder of its own: write it '
                     'in a separate call')
    return args


def writer_kwargs(writer, args) -> dict:
    """The options given on the command line that ``writer`` accepts."""
    kwargs = {}
    for name in list(inspect.signature(writer).parameters)[1:]:  # not out_dir
        value = getattr(args, OPTION_OF.get(name, name), None)
        if value is not None:
            kwargs[name] = value
    return kwargs


def report(layout: str, summary: dict) -> None:
    shown = {k: v for k, v in summary.items()
             if isinstance(v, (str, int)) or k == 'counts'}
    print(f'{layout}: ' + ', '.join(f'{k}={v}' for k, v in shown.items()))


def main(argv=None):
    args = parse_args(argv)
    cub_layouts = tuple(name for name in args.layouts if name in ('cub',
                                                                  'wsol'))
    if cub_layouts:
        kwargs = writer_kwargs(generate_synthetic_dataset, args)
        kwargs['layouts'] = cub_layouts
        report('+'.join(cub_layouts),
               generate_synthetic_dataset(args.out_dir, **kwargs))
    for name in args.layouts:
        writer = WSOL_WRITERS.get(name) or RELEASE_WRITERS.get(name)
        if writer is not None:
            report(name, writer(args.out_dir, **writer_kwargs(writer, args)))


if __name__ == '__main__':
    main()
