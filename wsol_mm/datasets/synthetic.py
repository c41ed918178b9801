"""A small seeded WSOL dataset whose objects can be found from labels alone.

Each image has a smooth colour-noise background with a few neutral grey
discs (no class information) and ONE ellipse placed uniformly at random,
fully inside the image. The ellipse is filled with stripes whose orientation
and colour pair are fixed by the class, so the class is visible only on the
object. The box is the tight bounding box of the ellipse's pixels, in the
continuous convention (``x1 = last column + 1``).

Layouts:

- ``'cub'``: the CUB_200_2011 release layout under ``out_dir`` (read it with
  ``CUB(data_root=out_dir)``).
- ``'wsol'``: wsolevaluation metadata for the same images under
  ``out_dir/metadata/{train,val,test}`` with paths relative to
  ``out_dir/images`` (read it with ``WSOLMetadataDataset(
  data_root=out_dir + '/images', metadata_root=out_dir + '/metadata',
  classes=out_dir + '/metadata/class_names.txt')``). ``train`` has no
  ``localization.txt``; ``val`` holds the first ``val_per_class`` train images
  of each class, with boxes.
"""
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

# (name, RGB colour A, RGB colour B): saturated pairs, none of them grey.
_COLOUR_PAIRS = (
    ('red_cyan', (230, 40, 40), (40, 220, 230)),
    ('green_magenta', (40, 190, 40), (220, 40, 220)),
    ('blue_yellow', (40, 60, 230), (240, 220, 40)),
    ('orange_navy', (250, 140, 20), (30, 30, 120)),
    ('purple_lime', (150, 30, 200), (200, 240, 60)),
    ('teal_pink', (20, 140, 140), (250, 170, 200)),
    ('brown_sky', (120, 70, 20), (160, 230, 250)),
    ('crimson_mint', (160, 0, 40), (150, 250, 190)),
)
_JPEG_QUALITY = 95


def class_names(num_classes: int) -> List[str]:
    """Names like ``'red_cyan_stripes_000deg'``: colour pair and angle."""
    names = []
    for label in range(num_classes):
        angle = int(round(180 * label / num_classes))
        colour = _COLOUR_PAIRS[label % len(_COLOUR_PAIRS)][0]
        names.append(f'{colour}_stripes_{angle:03d}deg')
    return names


def _background(rng: np.random.Generator, width: int,
                height: int) -> np.ndarray:
    """Smooth low-frequency colour noise plus a few neutral grey discs."""
    grid = rng.uniform(-1, 1, size=(4, 4, 3)).astype(np.float32)
    noise = cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
    img = rng.uniform(90, 165) + 45 * noise
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    for _ in range(int(rng.integers(2, 5))):
        radius = rng.uniform(0.03, 0.07) * min(width, height)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        disc = (xs - cx)**2 + (ys - cy)**2 <= radius**2
        img[disc] = rng.uniform(30, 225)
    return img


def _ellipse_mask(rng: np.random.Generator, width: int,
                  height: int) -> np.ndarray:
    """A random ellipse fully inside the image, as a boolean mask."""
    diameter = rng.uniform(0.3, 0.6) * min(width, height)
    aspect = rng.uniform(0.6, 1.6)
    semi_a = diameter / 2 * np.sqrt(aspect)
    semi_b = diameter / 2 / np.sqrt(aspect)
    theta = rng.uniform(0, np.pi)
    cos, sin = np.cos(theta), np.sin(theta)
    # Half extents of the rotated ellipse along x and y.
    half_w = np.sqrt((semi_a * cos)**2 + (semi_b * sin)**2)
    half_h = np.sqrt((semi_a * sin)**2 + (semi_b * cos)**2)
    cx = rng.uniform(half_w, width - half_w)
    cy = rng.uniform(half_h, height - half_h)
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    u = ((xs - cx) * cos + (ys - cy) * sin) / semi_a
    v = (-(xs - cx) * sin + (ys - cy) * cos) / semi_b
    return u**2 + v**2 <= 1


def _stripes(rng: np.random.Generator, label: int, num_classes: int,
             width: int, height: int) -> np.ndarray:
    """The class pattern over the whole image (RGB float)."""
    angle = np.pi * label / num_classes
    _, colour_a, colour_b = _COLOUR_PAIRS[label % len(_COLOUR_PAIRS)]
    period = rng.uniform(7, 11)
    phase = rng.uniform(0, 1)
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    position = (xs * np.cos(angle) + ys * np.sin(angle)) / period + phase
    first = (position % 1.0) < 0.5
    return np.where(first[..., None], np.float32(colour_a),
                    np.float32(colour_b))


def tight_box(mask: np.ndarray) -> List[int]:
    """``[x0, y0, x1, y1]`` of the True pixels: pixel ``i`` spans
    ``[i, i + 1)``, so ``x1`` is the last column plus one."""
    cols = np.flatnonzero(mask.any(axis=0))
    rows = np.flatnonzero(mask.any(axis=1))
    return [int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1]


def make_image(rng: np.random.Generator, label: int, num_classes: int,
               width: int, height: int) -> Tuple[np.ndarray, np.ndarray]:
    """One BGR uint8 image of class ``label`` and its object mask."""
    img = _background(rng, width, height)
    mask = _ellipse_mask(rng, width, height)
    img[mask] = _stripes(rng, label, num_classes, width, height)[mask]
    img += rng.normal(0, 4, size=img.shape)
    img = np.clip(np.rint(img), 0, 255).astype(np.uint8)[..., ::-1]
    return np.ascontiguousarray(img), mask


def _write_lines(path: str, lines: Sequence[str]) -> str:
    """Write ``lines`` (LF-terminated, UTF-8) to ``path``, making its folder;
    return ``path``."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.writelines(line + '\n' for line in lines)
    return path


def _write_image(path: str,
                 img: np.ndarray,
                 params: Sequence[int] = (cv2.IMWRITE_JPEG_QUALITY,
                                          _JPEG_QUALITY),
                 error: str = 'cannot write the image') -> None:
    """``cv2.imwrite`` (a JPEG of quality ``_JPEG_QUALITY`` by default),
    making the folder; a failure raises ``OSError(f'{error} {path}')``."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, img, list(params)):
        raise OSError(f'{error} {path}')


def _check_counts(num_classes: int, counts: Sequence[int]) -> None:
    if num_classes < 1 or min(counts) < 0:
        raise ValueError('num_classes must be positive and the per-class '
                         'counts non-negative')


def _check_sizes(min_size: int, max_size: int, smallest: int = 32) -> None:
    if not smallest <= min_size <= max_size:
        raise ValueError(f'need {smallest} <= min_size <= max_size, got '
                         f'{min_size} and {max_size}')


def _random_size(rng: np.random.Generator, min_size: int,
                 max_size: int) -> Tuple[int, int]:
    """``(width, height)``, drawn in that order in ``[min_size, max_size]``."""
    width = int(rng.integers(min_size, max_size + 1))
    height = int(rng.integers(min_size, max_size + 1))
    return width, height


def generate_synthetic_dataset(out_dir: str,
                               num_classes: int = 4,
                               train_per_class: int = 60,
                               test_per_class: int = 20,
                               min_size: int = 96,
                               max_size: int = 160,
                               seed: int = 0,
                               layouts: Sequence[str] = ('cub', ),
                               val_per_class: int = 5) -> Dict:
    """Write the dataset under ``out_dir`` and return a summary.

    Image widths and heights are drawn independently in ``[min_size,
    max_size]``. Every image has its own generator seeded by ``(seed, label,
    index)``, so the same arguments give the same files.

    Returns:
        dict: ``out_dir``, ``images_dir``, ``metadata_root`` (None without
        the ``'wsol'`` layout), ``classes``, ``counts`` (train / val / test
        images) and ``files`` (the annotation files written).
    """
    unknown = set(layouts) - {'cub', 'wsol'}
    if unknown or not layouts:
        raise ValueError(f"layouts must be a non-empty subset of ('cub', "
                         f"'wsol'), got {tuple(layouts)}")
    _check_counts(num_classes, (train_per_class, test_per_class))
    _check_sizes(min_size, max_size)
    val_per_class = min(val_per_class, train_per_class)
    out_dir = osp.abspath(out_dir)
    images_dir = osp.join(out_dir, 'images')
    names = class_names(num_classes)

    # records: (cub id, relpath, label, is_train, index in class, w, h, box)
    records = []
    for label, name in enumerate(names):
        folder = f'{label + 1:03d}.{name}'
        os.makedirs(osp.join(images_dir, folder), exist_ok=True)
        for index in range(train_per_class + test_per_class):
            rng = np.random.default_rng([seed, label, index])
            width, height = _random_size(rng, min_size, max_size)
            img, mask = make_image(rng, label, num_classes, width, height)
            box = tight_box(mask)
            relpath = f'{folder}/{name}_{index + 1:04d}.jpg'
            cv2.imwrite(
                osp.join(images_dir, relpath), img,
                [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
            records.append((len(records) + 1, relpath, label,
                            index < train_per_class, index, width, height,
                            box))

    files = []
    if 'cub' in layouts:
        files += _write_cub(out_dir, names, records)
    metadata_root = None
    if 'wsol' in layouts:
        metadata_root = osp.join(out_dir, 'metadata')
        files += _write_wsol(metadata_root, names, records, val_per_class)
    return dict(
        out_dir=out_dir,
        images_dir=images_dir,
        metadata_root=metadata_root,
        classes=tuple(names),
        counts=dict(
            train=num_classes * train_per_class,
            val=num_classes * val_per_class,
            test=num_classes * test_per_class),
        files=files)


def _write_cub(out_dir: str, names: List[str], records: list) -> List[str]:
    def write(name, lines):
        return _write_lines(osp.join(out_dir, name), lines)

    return [
        write('classes.txt', [
            f'{label + 1} {label + 1:03d}.{name}'
            for label, name in enumerate(names)
        ]),
        write('images.txt', [f'{r[0]} {r[1]}' for r in records]),
        write('image_class_labels.txt',
              [f'{r[0]} {r[2] + 1}' for r in records]),
        write('train_test_split.txt',
              [f'{r[0]} {int(r[3])}' for r in records]),
        write('bounding_boxes.txt', [
            f'{r[0]} {x0:.1f} {y0:.1f} {x1 - x0:.1f} {y1 - y0:.1f}'
            for r in records for x0, y0, x1, y1 in [r[7]]
        ]),
    ]


def _write_wsol(metadata_root: str, names: List[str], records: list,
                val_per_class: int) -> List[str]:
    splits = dict(
        train=[r for r in records if r[3]],
        val=[r for r in records if r[3] and r[4] < val_per_class],
        test=[r for r in records if not r[3]])
    files = [
        _write_lines(osp.join(metadata_root, 'class_names.txt'), names)
    ]
    for split, rows in splits.items():
        folder = osp.join(metadata_root, split)
        files.append(_write_lines(osp.join(folder, 'image_ids.txt'),
                                  [r[1] for r in rows]))
        files.append(_write_lines(osp.join(folder, 'class_labels.txt'),
                                  [f'{r[1]},{r[2]}' for r in rows]))
        files.append(_write_lines(osp.join(folder, 'image_sizes.txt'),
                                  [f'{r[1]},{r[5]},{r[6]}' for r in rows]))
        if split != 'train':
            files.append(
                _write_lines(
                    osp.join(folder, 'localization.txt'),
                    [f'{r[1]},{",".join(map(str, r[7]))}' for r in rows]))
    return files
