"""Seeded synthetic data in the FGVC-Aircraft 2013b release layout.

A three-level hierarchy: ``num_manufacturers`` makers (``'Maker A'``), each
with ``families_per_manufacturer`` families (``'Maker A 100'``), each with
``variants_per_family`` variants (``'A100 Series 1'``). The object of an
image is :func:`~wsol_mm.datasets.synthetic.make_image`'s striped ellipse,
its stripes fixed by the FAMILY, so the variants of a family share their
visual content; variant ``k`` of ``K`` only darkens the object by the factor
``1 - 0.4 k / (K - 1)``. Below each image is a 20-row banner of light marks
on dark grey, standing for the release's copyright banner.

Files go to ``out_dir/data`` (read it with ``FGVCAircraft(data_root=
out_dir + '/data')``); boxes are written as in the release: 1-based
inclusive pixel corners, i.e. the tight box ``[x0, y0, x1, y1]`` of the
object as ``x0 + 1, y0 + 1, x1, y1``.
"""
import os
import os.path as osp
from typing import Dict, List

import numpy as np

from .synthetic import (_check_sizes, _random_size, _write_image, _write_lines,
                        make_image, tight_box)

BANNER_HEIGHT = 20
SPLITS = ('train', 'val', 'test')


def synthetic_aircraft_hierarchy(num_manufacturers: int,
                                 families_per_manufacturer: int,
                                 variants_per_family: int) -> List[tuple]:
    """``(variant, family, manufacturer, family index, k)`` per variant, in
    label order (``k`` is the variant's rank in its family)."""
    if not 1 <= num_manufacturers <= 26 or min(
            families_per_manufacturer, variants_per_family) < 1:
        raise ValueError('need 1 to 26 manufacturers and at least one family '
                         'per manufacturer and one variant per family')
    rows = []
    for m in range(num_manufacturers):
        letter = chr(ord('A') + m)
        for j in range(families_per_manufacturer):
            family_index = m * families_per_manufacturer + j
            for k in range(variants_per_family):
                rows.append((f'{letter}{j + 1}00 Series {k + 1}',
                             f'Maker {letter} {j + 1}00', f'Maker {letter}',
                             family_index, k))
    return rows


def _banner(rng: np.random.Generator, width: int) -> np.ndarray:
    """Dark grey rows with a few light marks, like a line of text."""
    banner = np.full((BANNER_HEIGHT, width, 3), 30, np.uint8)
    x = int(rng.integers(2, 8))
    while x < width - 4:
        mark = int(rng.integers(2, 6))
        banner[6:14, x:min(x + mark, width)] = 220
        x += mark + int(rng.integers(2, 5))
    return banner


def generate_synthetic_aircraft(out_dir: str,
                                num_manufacturers: int = 2,
                                families_per_manufacturer: int = 2,
                                variants_per_family: int = 2,
                                train_per_variant: int = 20,
                                val_per_variant: int = 10,
                                test_per_variant: int = 10,
                                min_size: int = 96,
                                max_size: int = 160,
                                seed: int = 0) -> Dict:
    """Write the release files under ``out_dir/data`` and return a summary.

    Image ``index`` of variant ``v`` (train, then val, then test images) is
    drawn by a generator seeded with ``(seed, v, index)``; its width and its
    height above the banner are drawn in ``[min_size, max_size]``. Image ids
    are 7-digit numbers counting from ``'0000001'``. The same arguments give
    the same files.

    Returns:
        dict: ``out_dir``, ``data_root``, ``level_classes`` (level -> names),
        ``counts`` (per split) and ``files`` (the annotation files written).
    """
    rows = synthetic_aircraft_hierarchy(num_manufacturers,
                                        families_per_manufacturer,
                                        variants_per_family)
    per_split = dict(
        train=train_per_variant, val=val_per_variant, test=test_per_variant)
    if min(per_split.values()) < 0:
        raise ValueError('the per-variant counts must be non-negative')
    _check_sizes(min_size, max_size)
    out_dir = osp.abspath(out_dir)
    data_root = osp.join(out_dir, 'data')
    os.makedirs(osp.join(data_root, 'images'), exist_ok=True)
    num_families = num_manufacturers * families_per_manufacturer

    listed = {split: [] for split in SPLITS}  # split -> [(id, row)]
    boxes = []
    for v, row in enumerate(rows):
        family_index, k = row[3], row[4]
        gain = 1 - 0.4 * k / max(variants_per_family - 1, 1)
        index = 0
        for split in SPLITS:
            for _ in range(per_split[split]):
                rng = np.random.default_rng([seed, v, index])
                width, height = _random_size(rng, min_size, max_size)
                img, mask = make_image(rng, family_index, num_families,
                                       width, height)
                img[mask] = np.rint(img[mask] * gain).astype(np.uint8)
                img = np.concatenate([img, _banner(rng, width)])
                img_id = f'{len(boxes) + 1:07d}'
                _write_image(
                    osp.join(data_root, 'images', f'{img_id}.jpg'), img)
                x0, y0, x1, y1 = tight_box(mask)
                boxes.append(f'{img_id} {x0 + 1} {y0 + 1} {x1} {y1}')
                listed[split].append((img_id, row))
                index += 1
    listed['trainval'] = listed['train'] + listed['val']

    def write(name: str, lines: List[str]) -> str:
        return _write_lines(osp.join(data_root, name), lines)

    level_classes = dict(
        variant=[row[0] for row in rows],
        family=list(dict.fromkeys(row[1] for row in rows)),
        manufacturer=list(dict.fromkeys(row[2] for row in rows)))
    files = [
        write('variants.txt', level_classes['variant']),
        write('families.txt', level_classes['family']),
        write('manufacturers.txt', level_classes['manufacturer']),
        write('images_box.txt', boxes),
    ]
    for split, images in listed.items():
        files.append(write(f'images_{split}.txt', [i for i, _ in images]))
        for column, level in enumerate(('variant', 'family',
                                        'manufacturer')):
            files.append(
                write(f'images_{level}_{split}.txt',
                      [f'{i} {row[column]}' for i, row in images]))
    return dict(
        out_dir=out_dir,
        data_root=data_root,
        level_classes={k: tuple(v) for k, v in level_classes.items()},
        counts={split: len(images) for split, images in listed.items()},
        files=files)
