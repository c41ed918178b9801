"""Shared parsing and checking for the WSOL datasets.

Every data item produced by a subclass holds ``img_path`` (absolute),
``img_id`` (str), ``gt_label`` (0-based int) and ``gt_bboxes`` (float64
``(k, 4)`` array of ``x0 y0 x1 y1`` in original image pixels, possibly
``k == 0``). Bad annotations raise ``ValueError`` whose message starts with
``<file>:<line>:``; a missing file raises ``FileNotFoundError`` naming the
expected path.
"""
import os
import os.path as osp
from typing import (Callable, Container, Dict, Iterable, Iterator, List,
                    Optional, Sequence, Tuple)

import numpy as np
from mmengine.dataset import BaseDataset


def read_rows(path: str,
              num_fields: int,
              sep: Optional[str] = None) -> Iterator[Tuple[int, List[str]]]:
    """Yield ``(line_number, fields)`` for each non-blank line of ``path``.

    ``sep=None`` splits on whitespace. Line numbers are 1-based. A line with a
    number of fields other than ``num_fields`` raises ``ValueError``.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file not found: {path}')
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            fields = [field.strip() for field in line.split(sep)]
            if len(fields) != num_fields:
                raise ValueError(
                    f'{path}:{lineno}: expected {num_fields} fields, got '
                    f'{len(fields)}: {line!r}')
            yield lineno, fields


def read_per_image(path: str, num_fields: int, known_ids: Container[str],
                   ids_file: str, parse: Callable,
                   sep: Optional[str] = None
                   ) -> Dict[str, List[Tuple[int, object]]]:
    """Read ``id value...`` lines into ``{id: [(line, parse(values)), ...]}``.

    ``parse(values, path, lineno)`` converts the fields after the id; an id
    not in ``known_ids`` raises ``ValueError`` naming ``ids_file``.
    """
    table: Dict[str, List[Tuple[int, object]]] = {}
    for lineno, fields in read_rows(path, num_fields, sep=sep):
        img_id = fields[0]
        if img_id not in known_ids:
            raise ValueError(f'{path}:{lineno}: unknown image id {img_id!r} '
                             f'(not in {ids_file})')
        table.setdefault(img_id, []).append(
            (lineno, parse(fields[1:], path, lineno)))
    return table


def read_ids(path: str) -> Dict[str, int]:
    """``{image path: line}`` of an ``image_ids.txt``-like file (one
    comma-free path per line, each once)."""
    images: Dict[str, int] = {}
    for lineno, (img_id, ) in read_rows(path, 1, sep=','):
        if img_id in images:
            raise ValueError(
                f'{path}:{lineno}: image {img_id!r} appears twice')
        images[img_id] = lineno
    return images


def require_one(table: Dict[str, list], images: Dict[str, int], path: str,
                ids_file: str) -> None:
    """Every image of ``images`` (``{id: line}`` of ``ids_file``) has exactly
    one line in ``table``, read from ``path`` by :func:`read_per_image`."""
    for img_id, lineno in images.items():
        count = len(table.get(img_id, []))
        if count != 1:
            raise ValueError(
                f'{path}: image {img_id!r} ({ids_file}:{lineno}) has '
                f'{count} lines, expected 1')


def check_unique(key: str, first_line: Dict[str, int], path: str,
                 lineno: int, what: str) -> None:
    """Record that ``key`` is at line ``lineno`` of ``path``; a ``key``
    already in ``first_line`` raises ``ValueError`` (``what`` names it)."""
    if key in first_line:
        raise ValueError(f'{path}:{lineno}: {what} {key!r} appears twice '
                         f'(first at line {first_line[key]})')
    first_line[key] = lineno


def read_distinct(path: str, rows: Iterable[Tuple[int, str]],
                  what: str) -> List[str]:
    """The names of the ``(line, name)`` pairs ``rows`` of ``path``, in
    order: each once (see :func:`check_unique`) and at least one."""
    first_line: Dict[str, int] = {}
    for lineno, name in rows:
        check_unique(name, first_line, path, lineno, what)
    if not first_line:
        raise ValueError(f'{path}: no classes')
    return list(first_line)


def parse_int(value: str, path: str, lineno: int, what: str) -> int:
    """``int(value)``, or a ``ValueError`` naming the file and line."""
    try:
        return int(value)
    except ValueError:
        raise ValueError(f'{path}:{lineno}: {what} must be an integer, got '
                         f'{value!r}') from None


def parse_float(value: str, path: str, lineno: int, what: str) -> float:
    """``float(value)`` (finite), or a ``ValueError`` naming file and line."""
    try:
        number = float(value)
    except ValueError:
        number = float('nan')
    if not np.isfinite(number):
        raise ValueError(f'{path}:{lineno}: {what} must be a finite number, '
                         f'got {value!r}')
    return number


def parse_image_size(fields: Sequence[str], path: str,
                     lineno: int) -> List[int]:
    """The positive integers of an ``image_sizes.txt`` line (a
    :func:`read_per_image` parser)."""
    size = [parse_int(v, path, lineno, 'image size') for v in fields]
    if min(size) <= 0:
        raise ValueError(f'{path}:{lineno}: image size {size} is not '
                         f'positive')
    return size


def parse_corners(fields: Sequence[str], path: str,
                  lineno: int) -> List[float]:
    """The finite ``x0, y0, x1, y1`` of a ``localization.txt`` line (a
    :func:`read_per_image` parser)."""
    return [parse_float(v, path, lineno, 'box coordinate') for v in fields]


def check_box(box: Sequence[float], width: float, height: float, path: str,
              lineno: int) -> None:
    """Require ``0 <= x0 <= x1 <= width`` and ``0 <= y0 <= y1 <= height``."""
    x0, y0, x1, y1 = box
    if x1 < x0 or y1 < y0:
        raise ValueError(f'{path}:{lineno}: box {list(box)} has x1 < x0 or '
                         f'y1 < y0')
    if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
        raise ValueError(f'{path}:{lineno}: box {list(box)} is outside its '
                         f'image of width {width} and height {height}')


def resolve_path(path: str, data_root: str) -> str:
    """An absolute path as is; a relative one from the current directory if
    it exists there, else relative to ``data_root``."""
    path = osp.expanduser(path)
    if osp.isabs(path) or osp.exists(path):
        return osp.abspath(path)
    return osp.abspath(osp.join(data_root, path))


def boxes_array(boxes: Sequence[Sequence[float]]) -> np.ndarray:
    """A float64 ``(k, 4)`` array, also for ``k == 0``."""
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 4)


class BaseWSOLDataset(BaseDataset):
    """Base class of the WSOL datasets: one class label and k boxes per image.

    Subclasses implement :meth:`load_data_list` and call
    :meth:`_set_classes` there with the class names they found.
    """

    def _set_classes(self, names: Sequence[str]) -> None:
        self._metainfo['classes'] = tuple(names)

    def get_cat_ids(self, idx: int) -> List[int]:
        """The image-level class of item ``idx``, as a one-element list."""
        return [int(self.get_data_info(idx)['gt_label'])]

    @staticmethod
    def _abs_root(data_root: str) -> str:
        if not data_root:
            raise ValueError('data_root must be given')
        return osp.abspath(osp.expanduser(os.fspath(data_root)))
