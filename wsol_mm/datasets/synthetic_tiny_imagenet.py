"""Seeded synthetic data in the tiny-imagenet-200 release layout.

The images are 64x64 JPEGs of :func:`~wsol_mm.datasets.synthetic.make_image`
(one striped ellipse whose stripes tell the class); read them with
``TinyImageNet(data_root=out_dir, split='train' or 'val')``. The boxes are
written as the release writes them: inclusive 0-based pixel corners, i.e. the
tight box of the object with ``x1 - 1`` and ``y1 - 1``.
"""
import os.path as osp
from typing import Dict, List

import numpy as np

from .synthetic import (_check_counts, _write_image, _write_lines,
                        class_names, make_image, tight_box)

IMAGE_SIZE = 64
# Lines of words.txt for synsets that are not classes, as in the release,
# whose words.txt covers all of WordNet.
NUM_OTHER_SYNSETS = 3


def synthetic_wnids(num_classes: int) -> List[str]:
    """WordNet-like ids ``'n90000000'``, ``'n90000001'``, ..."""
    return [f'n{90000000 + label:08d}' for label in range(num_classes)]


def _inclusive(box: List[int]) -> str:
    x0, y0, x1, y1 = box
    return f'{x0}\t{y0}\t{x1 - 1}\t{y1 - 1}'


def generate_synthetic_tiny_imagenet(out_dir: str,
                                     num_classes: int = 4,
                                     train_per_class: int = 40,
                                     val_per_class: int = 10,
                                     seed: int = 0) -> Dict:
    """Write ``wnids.txt``, ``words.txt``, ``train/`` and ``val/`` under
    ``out_dir`` and return a summary.

    Image ``index`` of class ``label`` (train images first, then val ones)
    is drawn by a generator seeded with ``(seed, label, index)``; the val
    images are listed in an order shuffled by ``seed``, as the release mixes
    its classes there. The same arguments give the same files.

    Returns:
        dict: ``out_dir``, ``classes``, ``wnids``, ``counts`` (train / val
        images) and ``files`` (the annotation files written).
    """
    _check_counts(num_classes, (train_per_class, val_per_class))
    out_dir = osp.abspath(out_dir)
    names = class_names(num_classes)
    wnids = synthetic_wnids(num_classes)

    def draw(label: int, index: int) -> tuple:
        rng = np.random.default_rng([seed, label, index])
        return make_image(rng, label, num_classes, IMAGE_SIZE, IMAGE_SIZE)

    files = [
        _write_lines(osp.join(out_dir, 'wnids.txt'), wnids),
        _write_lines(osp.join(out_dir, 'words.txt'), [
            f'n{80000000 + i:08d}\tsynset {i}, not a class'
            for i in range(NUM_OTHER_SYNSETS)
        ] + [f'{wnid}\t{name}' for wnid, name in zip(wnids, names)]),
    ]
    for label, wnid in enumerate(wnids):
        lines = []
        for index in range(train_per_class):
            img, mask = draw(label, index)
            filename = f'{wnid}_{index}.JPEG'
            _write_image(
                osp.join(out_dir, 'train', wnid, 'images', filename), img)
            lines.append(f'{filename}\t{_inclusive(tight_box(mask))}')
        files.append(
            _write_lines(
                osp.join(out_dir, 'train', wnid, f'{wnid}_boxes.txt'), lines))

    val = [(label, train_per_class + index) for label in range(num_classes)
           for index in range(val_per_class)]
    order = np.random.default_rng(seed).permutation(len(val))
    lines = []
    for position, k in enumerate(order):
        label, index = val[k]
        img, mask = draw(label, index)
        filename = f'val_{position}.JPEG'
        _write_image(osp.join(out_dir, 'val', 'images', filename), img)
        lines.append(
            f'{filename}\t{wnids[label]}\t{_inclusive(tight_box(mask))}')
    files.append(
        _write_lines(osp.join(out_dir, 'val', 'val_annotations.txt'), lines))
    return dict(
        out_dir=out_dir,
        classes=tuple(names),
        wnids=tuple(wnids),
        counts=dict(
            train=num_classes * train_per_class,
            val=num_classes * val_per_class),
        files=files)
