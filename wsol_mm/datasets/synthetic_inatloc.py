"""Seeded synthetic data in the iNatLoc500 release layout.

A small taxonomy over the seven tiers of :data:`~.inatloc500.LEVELS`:
``species_per_genus`` species in each of ``num_genera`` genera (``'Corvus
major'``, ``'Corvus minor'``, ...), ``genera_per_family`` genera per family,
and one order, class (``'Aves'``), phylum and kingdom. Images come from
:func:`~.synthetic.make_image` with the GENUS index as the pattern label, so
the species of a genus look alike (genus-level training can learn; species
differ only by chance). Everything is written under ``out_dir``::

    train/Aves Corvus major/img 0001.jpg          (train-weaksup)
    val/Aves/Corvus major/img 0001.jpg            (train-fullsup)
    test/Aves/Corvus major/img 0001.jpg
    metadata/class_names.txt, class_names_<level>.txt      name,label
    metadata/<split>/image_ids.txt, class_labels.txt,
        class_labels_<level>.txt, and for val and test image_sizes.txt
        (path,HEIGHT,WIDTH) and localization.txt (path,x0,y0,x1,y1)

Read it with ``INatLoc500(data_root=out_dir, split=..., level=...)``, or let
:class:`SyntheticINatLoc500` write it on first use.
"""
import os
import os.path as osp
from typing import Dict, List, Optional

import cv2
import numpy as np

from wsol_mm.registry import DATASETS
from .inatloc500 import LEVELS, INatLoc500, level_file
from .synthetic import (_JPEG_QUALITY, _check_sizes, _random_size,
                        _write_lines, make_image, tight_box)
from .write_once import write_once

GENERA = ('Corvus', 'Pica', 'Parus', 'Turdus', 'Sylvia', 'Anas', 'Larus',
          'Buteo')
EPITHETS = ('major', 'minor', 'rufus', 'niger')
FAMILIES = ('Corvidae', 'Paridae', 'Turdidae', 'Anatidae')
SINGLE = dict(order='Passeriformes', phylum='Chordata', kingdom='Animalia')
SUPERCATEGORY = 'Aves'


def synthetic_taxonomy(num_genera: int = 3,
                       species_per_genus: int = 2,
                       genera_per_family: int = 2) -> Dict:
    """``level_classes`` (level -> names) and, per species, its labels at
    every level (``rows``: list of ``{level: label}``)."""
    if not 1 <= num_genera <= len(GENERA):
        raise ValueError(f'num_genera must be in 1..{len(GENERA)}, got '
                         f'{num_genera}')
    if not 1 <= species_per_genus <= len(EPITHETS):
        raise ValueError(f'species_per_genus must be in 1..{len(EPITHETS)}, '
                         f'got {species_per_genus}')
    num_families = -(-num_genera // max(genera_per_family, 1))
    if genera_per_family < 1 or num_families > len(FAMILIES):
        raise ValueError(f'genera_per_family={genera_per_family} gives '
                         f'{num_families} families; at most {len(FAMILIES)}')
    level_classes = {
        'species': [f'{GENERA[g]} {EPITHETS[s]}' for g in range(num_genera)
                    for s in range(species_per_genus)],
        'genus': list(GENERA[:num_genera]),
        'family': list(FAMILIES[:num_families]),
        'order': [SINGLE['order']],
        'class': [SUPERCATEGORY],
        'phylum': [SINGLE['phylum']],
        'kingdom': [SINGLE['kingdom']],
    }
    rows = [
        dict(species=g * species_per_genus + s, genus=g,
             family=g // genera_per_family, order=0, phylum=0, kingdom=0,
             **{'class': 0})
        for g in range(num_genera) for s in range(species_per_genus)
    ]
    return dict(level_classes=level_classes, rows=rows)


def generate_synthetic_inatloc(out_dir: str,
                               num_genera: int = 3,
                               species_per_genus: int = 2,
                               genera_per_family: int = 2,
                               train_per_class: int = 40,
                               val_per_class: int = 5,
                               test_per_class: int = 10,
                               min_size: int = 96,
                               max_size: int = 160,
                               seed: int = 0) -> Dict:
    """Write the layout under ``out_dir`` and return a summary.

    Counts are per species. Widths and heights are drawn independently in
    ``[min_size, max_size]``; each image has its own generator seeded by
    ``(seed, split, species, index)``, so the same arguments give the same
    files.

    Returns:
        dict: ``out_dir``, ``metadata_root``, ``levels``, ``level_classes``,
        ``counts`` (images per split) and ``files`` (annotation files).
    """
    if min(train_per_class, val_per_class, test_per_class) < 0:
        raise ValueError('the per-class counts must not be negative')
    _check_sizes(min_size, max_size)
    taxonomy = synthetic_taxonomy(num_genera, species_per_genus,
                                  genera_per_family)
    level_classes, rows = taxonomy['level_classes'], taxonomy['rows']
    out_dir = osp.abspath(out_dir)
    meta = osp.join(out_dir, 'metadata')
    files = [
        _write_lines(
            osp.join(meta, level_file('class_names', level)),
            [f'{name},{label}'
             for label, name in enumerate(level_classes[level])])
        for level in LEVELS
    ]
    per_class = dict(train=train_per_class, val=val_per_class,
                     test=test_per_class)
    counts = {}
    for split_index, (split, count) in enumerate(per_class.items()):
        records = []  # (path, labels, width, height, box)
        for labels in rows:
            species = level_classes['species'][labels['species']]
            folder = (f'{split}/{SUPERCATEGORY} {species}' if split == 'train'
                      else f'{split}/{SUPERCATEGORY}/{species}')
            os.makedirs(osp.join(out_dir, folder), exist_ok=True)
            for index in range(count):
                rng = np.random.default_rng(
                    [seed, split_index, labels['species'], index])
                width, height = _random_size(rng, min_size, max_size)
                img, mask = make_image(rng, labels['genus'], num_genera,
                                       width, height)
                path = f'{folder}/img {index + 1:04d}.jpg'
                cv2.imwrite(
                    osp.join(out_dir, path), img,
                    [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
                records.append((path, labels, width, height, tight_box(mask)))
        counts[split] = len(records)
        files += _write_split(osp.join(meta, split), records, split != 'train')
    return dict(
        out_dir=out_dir,
        metadata_root=meta,
        levels=LEVELS,
        level_classes={lv: tuple(n) for lv, n in level_classes.items()},
        counts=counts,
        files=files)


def _write_split(folder: str, records: list, with_boxes: bool) -> List[str]:
    files = [
        _write_lines(osp.join(folder, 'image_ids.txt'),
                     [r[0] for r in records])
    ]
    for level in LEVELS:
        files.append(
            _write_lines(
                osp.join(folder, level_file('class_labels', level)),
                [f'{r[0]},{r[1][level]}' for r in records]))
    if with_boxes:
        files.append(
            _write_lines(
                osp.join(folder, 'image_sizes.txt'),
                [f'{path},{height},{width}'
                 for path, _, width, height, _ in records]))
        files.append(
            _write_lines(
                osp.join(folder, 'localization.txt'),
                [f'{r[0]},{",".join(map(str, r[4]))}' for r in records]))
    return files


@DATASETS.register_module()
class SyntheticINatLoc500(INatLoc500):
    """:class:`INatLoc500` over the data of
    :func:`generate_synthetic_inatloc`, written to ``data_root`` the first
    time it is missing.

    Args:
        data_root (str): Where the data is, or is to be written.
        generator (dict, optional): Arguments of the generator.
        **kwargs: The arguments of :class:`INatLoc500`.
    """

    def __init__(self, data_root: str, generator: Optional[dict] = None,
                 **kwargs):
        write_once(
            data_root, osp.join('metadata', 'class_names.txt'),
            lambda folder: generate_synthetic_inatloc(folder,
                                                      **(generator or {})),
            'synthetic iNatLoc500-layout data')
        super().__init__(data_root=data_root, **kwargs)
