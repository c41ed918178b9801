"""Seeded synthetic data in the wsolevaluation layouts of ILSVRC and
OpenImages30k, for tests and demos without the real datasets.

Images are built from :func:`wsol_mm.datasets.synthetic.make_image`: an
image with ``k`` objects is ``k`` side-by-side vertical strips, each a
``make_image`` picture of the same class, so the objects never overlap. Every
image has its own generator seeded by ``(seed, split, label, index)``: the
same arguments write the same files.

- :func:`write_ilsvrc_layout`: images under ``out_dir/ILSVRC`` (ids like
  ImageNet's: ``train/<wnid>/<wnid>_<i>.JPEG``, ``val2/<label>/<i>.jpeg``,
  ``val/ILSVRC2012_val_<n>.JPEG``), metadata under
  ``out_dir/metadata/ILSVRC/{train,val,test}``; image ``i`` of a class has
  ``1 + i % 3`` objects, hence as many boxes; ``train`` has
  ``image_ids_proxy.txt`` (the first ``proxy_per_class`` images of each
  class) and no ``localization.txt``.
- :func:`write_openimages_layout`: images and masks under
  ``out_dir/OpenImages`` (``<split>/<class id>/<name>.jpg``,
  ``<name>_m<class id>_<k>.png``, ``<name>_ignore.png``), metadata under
  ``out_dir/metadata/OpenImages/{train,val,test}`` without
  ``image_sizes.txt``; image ``i`` of class ``c`` has ``1 + i % 2`` instance
  masks (0/255 PNGs) and an ignore mask when ``(i + c)`` is even (the
  instance-0 box grown by a margin, so it overlaps the foreground), a blank
  ignore field otherwise.

Both write ``class_names.txt`` next to the split folders and return a summary
whose ``items`` give, per split, what was written for every image.
"""
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .synthetic import (_check_counts, _check_sizes, _random_size,
                        _write_image, _write_lines, class_names, make_image,
                        tight_box)

SPLIT_CODES = dict(train=0, val=1, test=2)
_MAX_OBJECTS = 3


def _start_layout(out_dir: str, name: str, num_classes: int,
                  counts: Sequence[int], min_size: int,
                  max_size: int) -> Tuple[str, str, List[str]]:
    """Check the arguments; return ``out_dir/<name>`` (the data root),
    ``out_dir/metadata/<name>`` and the class names."""
    _check_counts(num_classes, counts)
    _check_sizes(min_size, max_size, 16 * _MAX_OBJECTS)
    out_dir = osp.abspath(out_dir)
    return (osp.join(out_dir, name), osp.join(out_dir, 'metadata', name),
            class_names(num_classes))


def _write_ids_and_labels(folder: str, rows: List[dict]) -> List[str]:
    """``image_ids.txt`` and ``class_labels.txt`` of a split folder."""
    return [
        _write_lines(osp.join(folder, 'image_ids.txt'),
                     [r['img_id'] for r in rows]),
        _write_lines(osp.join(folder, 'class_labels.txt'),
                     [f"{r['img_id']},{r['label']}" for r in rows]),
    ]


def multi_object_image(rng: np.random.Generator, label: int,
                       num_classes: int, width: int, height: int,
                       num_objects: int
                       ) -> Tuple[np.ndarray, List[np.ndarray]]:
    """A BGR image of ``num_objects`` side-by-side strips, each a
    :func:`make_image` of class ``label``, and one full-size boolean mask per
    object."""
    img = np.empty((height, width, 3), dtype=np.uint8)
    edges = np.linspace(0, width, num_objects + 1).round().astype(int)
    masks = []
    for x0, x1 in zip(edges[:-1], edges[1:]):
        strip, strip_mask = make_image(rng, label, num_classes, x1 - x0,
                                       height)
        img[:, x0:x1] = strip
        mask = np.zeros((height, width), dtype=bool)
        mask[:, x0:x1] = strip_mask
        masks.append(mask)
    return img, masks


def _draw(seed: int, split: str, label: int, index: int, num_classes: int,
          min_size: int, max_size: int, num_objects: int):
    rng = np.random.default_rng([seed, SPLIT_CODES[split], label, index])
    width, height = _random_size(rng, min_size, max_size)
    img, masks = multi_object_image(rng, label, num_classes, width, height,
                                    num_objects)
    return img, masks, width, height


def _ilsvrc_id(split: str, label: int, index: int, number: int) -> str:
    wnid = f'n{label:08d}'
    if split == 'train':
        return f'train/{wnid}/{wnid}_{index + 1}.JPEG'
    if split == 'val':
        return f'val2/{label}/{index}.jpeg'
    return f'val/ILSVRC2012_val_{number:08d}.JPEG'


def write_ilsvrc_layout(out_dir: str,
                        num_classes: int = 3,
                        train_per_class: int = 4,
                        val_per_class: int = 2,
                        test_per_class: int = 3,
                        proxy_per_class: int = 2,
                        min_size: int = 64,
                        max_size: int = 96,
                        seed: int = 0) -> Dict:
    """Write a synthetic ILSVRC in the wsolevaluation layout.

    Read it with ``ILSVRC(data_root=summary['data_root'],
    metadata_root=summary['metadata_root'], split=...)`` (``proxy=True`` for
    the proxy list).

    Returns:
        dict: ``data_root``, ``metadata_root``, ``class_names_file``,
        ``classes``, ``items`` (per split, dicts of ``img_id``, ``label``,
        ``index`` (in its class), ``width``, ``height``, ``boxes``),
        ``proxy_ids`` and ``files``.
    """
    per_split = dict(train=train_per_class, val=val_per_class,
                     test=test_per_class)
    data_root, metadata_root, names = _start_layout(
        out_dir, 'ILSVRC', num_classes,
        list(per_split.values()) + [proxy_per_class], min_size, max_size)

    items = {split: [] for split in per_split}
    for split, count in per_split.items():
        for label in range(num_classes):
            for index in range(count):
                img, masks, width, height = _draw(
                    seed, split, label, index, num_classes, min_size,
                    max_size, 1 + index % _MAX_OBJECTS)
                img_id = _ilsvrc_id(split, label, index,
                                    len(items[split]) + 1)
                _write_image(osp.join(data_root, img_id), img,
                             error='cannot write')
                items[split].append(
                    dict(img_id=img_id, label=label, width=width,
                         height=height,
                         boxes=[tight_box(mask) for mask in masks],
                         index=index))

    proxy_ids = [r['img_id'] for r in items['train']
                 if r['index'] < proxy_per_class]
    files = [_write_lines(osp.join(metadata_root, 'class_names.txt'), names)]
    for split, rows in items.items():
        folder = osp.join(metadata_root, split)
        files += _write_ids_and_labels(folder, rows)
        files.append(_write_lines(
            osp.join(folder, 'image_sizes.txt'),
            [f"{r['img_id']},{r['width']},{r['height']}" for r in rows]))
        if split == 'train':
            files.append(_write_lines(
                osp.join(folder, 'image_ids_proxy.txt'), proxy_ids))
        else:
            files.append(_write_lines(
                osp.join(folder, 'localization.txt'),
                [f"{r['img_id']},{x0},{y0},{x1},{y1}" for r in rows
                 for x0, y0, x1, y1 in r['boxes']]))
    return dict(
        data_root=data_root,
        metadata_root=metadata_root,
        class_names_file=files[0],
        classes=tuple(names),
        items=items,
        proxy_ids=proxy_ids,
        files=files)


def _grown_box_mask(box: Sequence[int], width: int, height: int,
                    margin: int) -> np.ndarray:
    """A boolean mask of ``box`` grown by ``margin`` pixels, clipped."""
    x0, y0, x1, y1 = box
    mask = np.zeros((height, width), dtype=bool)
    mask[max(0, y0 - margin):min(height, y1 + margin),
         max(0, x0 - margin):min(width, x1 + margin)] = True
    return mask


def _write_mask(path: str, mask: np.ndarray) -> None:
    _write_image(path, mask.astype(np.uint8) * 255, params=(),
                 error='cannot write')


def write_openimages_layout(out_dir: str,
                            num_classes: int = 3,
                            train_per_class: int = 4,
                            val_per_class: int = 2,
                            test_per_class: int = 3,
                            min_size: int = 64,
                            max_size: int = 96,
                            seed: int = 0) -> Dict:
    """Write a synthetic OpenImages30k in the wsolevaluation layout.

    Read it with ``OpenImages30k(data_root=summary['data_root'],
    metadata_root=summary['metadata_root'], split=...)``; the masks lie with
    the images (``mask_root`` = ``data_root``).

    Returns:
        dict: ``data_root``, ``metadata_root``, ``class_names_file``,
        ``classes``, ``items`` (per split, dicts of ``img_id``, ``label``,
        ``width``, ``height``, ``masks`` and ``ignore`` (paths relative to
        ``data_root``, ``ignore`` None when blank; empty for ``train``) and
        ``boxes`` (tight box per instance)) and ``files``.
    """
    per_split = dict(train=train_per_class, val=val_per_class,
                     test=test_per_class)
    data_root, metadata_root, names = _start_layout(
        out_dir, 'OpenImages', num_classes, list(per_split.values()),
        min_size, max_size)

    items = {split: [] for split in per_split}
    for split, count in per_split.items():
        code = SPLIT_CODES[split]
        for label in range(num_classes):
            class_id = f'0c{label:04d}'
            for index in range(count):
                img, masks, width, height = _draw(
                    seed, split, label, index, num_classes, min_size,
                    max_size, 1 + index % 2)
                stem = f'{split}/{class_id}/{code:02x}{label:06x}{index:08x}'
                _write_image(osp.join(data_root, stem + '.jpg'), img,
                             error='cannot write')
                boxes = [tight_box(mask) for mask in masks]
                record = dict(img_id=stem + '.jpg', label=label, width=width,
                              height=height, masks=[], ignore=None,
                              boxes=boxes)
                if split != 'train':
                    for k, mask in enumerate(masks):
                        path = f'{stem}_m{class_id}_{k}.png'
                        _write_mask(osp.join(data_root, path), mask)
                        record['masks'].append(path)
                    if (index + label) % 2 == 0:
                        record['ignore'] = f'{stem}_ignore.png'
                        margin = max(2, min(width, height) // 10)
                        _write_mask(
                            osp.join(data_root, record['ignore']),
                            _grown_box_mask(boxes[0], width, height, margin))
                items[split].append(record)

    files = [_write_lines(osp.join(metadata_root, 'class_names.txt'), names)]
    for split, rows in items.items():
        folder = osp.join(metadata_root, split)
        files += _write_ids_and_labels(folder, rows)
        if split != 'train':
            lines = []
            for r in rows:
                for k, mask in enumerate(r['masks']):
                    ignore = (r['ignore'] or '') if k == 0 else ''
                    lines.append(f"{r['img_id']},{mask},{ignore}")
            files.append(
                _write_lines(osp.join(folder, 'localization.txt'), lines))
    return dict(
        data_root=data_root,
        metadata_root=metadata_root,
        class_names_file=files[0],
        classes=tuple(names),
        items=items,
        files=files)
