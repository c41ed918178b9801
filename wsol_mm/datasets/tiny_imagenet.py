"""Tiny ImageNet read from its release layout (``tiny-imagenet-200``)."""
import os
import os.path as osp
from typing import Dict, List, Sequence

from wsol_mm.registry import DATASETS
from .base_wsol_dataset import (BaseWSOLDataset, boxes_array, check_box,
                                check_unique, parse_int, read_distinct,
                                read_rows)
from .cub import read_image_size

SPLITS = ('train', 'val')
IMAGE_EXTENSIONS = ('.jpeg', '.jpg', '.png')


def inclusive_box(fields: Sequence[str], path: str,
                  lineno: int) -> List[float]:
    """``[x0, y0, x1 + 1, y1 + 1]`` from the integer corners ``x0 y0 x1 y1``
    of the first and last pixel inside the box (both inclusive, 0-based)."""
    x0, y0, x1, y1 = (parse_int(value, path, lineno, 'box coordinate')
                      for value in fields)
    if x1 < x0 or y1 < y0:
        raise ValueError(f'{path}:{lineno}: box {[x0, y0, x1, y1]} has '
                         f'x1 < x0 or y1 < y0')
    return [float(x0), float(y0), float(x1 + 1), float(y1 + 1)]


@DATASETS.register_module()
class TinyImageNet(BaseWSOLDataset):
    """Tiny ImageNet (200 classes of 64x64 images) with its bounding boxes.

    ``data_root`` holds the files of the release:

    - ``wnids.txt``: one WordNet id per line; the line order is the label
      order.
    - ``words.txt``: ``wnid<TAB>names`` (all of WordNet; only the lines of
      ``wnids.txt``'s ids are read). A class name is the whole ``names``
      entry, e.g. ``'goldfish, Carassius auratus'``.
    - ``train/<wnid>/<wnid>_boxes.txt``: ``filename x0 y0 x1 y1`` for the
      images ``train/<wnid>/images/<filename>``.
    - ``val/val_annotations.txt``: ``filename wnid x0 y0 x1 y1`` for the
      images ``val/images/<filename>`` (the labelled split that WSOL works
      test on; the release's ``test/`` has no labels and is not read).

    Box convention: the release's corners are integer indices of the first
    and last pixel inside the box, from 0 (a whole 64x64 image is
    ``0 0 63 63``): the release was made by scaling ImageNet boxes to 64x64
    and clipping them to ``[0, 63]``. They become the continuous ``[x0, y0,
    x1 + 1, y1 + 1]`` of wsol_mm and are checked against the size read from
    the image header.

    Items: ``img_id`` is the file name without extension (``'val_0'``),
    ``gt_label`` the 0-based line of the class in ``wnids.txt``. Every image
    of an ``images`` folder needs a line, and every line an image.
    ``metainfo['wnids']`` holds the ids in label order.

    Args:
        data_root (str): The tiny-imagenet-200 folder.
        split (str): ``'train'`` or ``'val'``.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self, data_root: str, split: str = 'train', **kwargs):
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        self.split = split
        super().__init__(data_root=self._abs_root(data_root), **kwargs)

    def _file(self, *parts: str) -> str:
        return osp.join(self.data_root, *parts)

    def _read_wnids(self) -> List[str]:
        path = self._file('wnids.txt')
        return read_distinct(
            path, ((lineno, wnid) for lineno, (wnid, ) in read_rows(path, 1)),
            'wnid')

    def _read_words(self, wnids: List[str]) -> List[str]:
        """The ``words.txt`` entry of each wnid; other lines are skipped."""
        path = self._file('words.txt')
        if not osp.isfile(path):
            raise FileNotFoundError(f'annotation file not found: {path}')
        wanted = set(wnids)
        names: Dict[str, tuple] = {}
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, start=1):
                wnid, _, name = line.strip().partition('\t')
                wnid, name = wnid.strip(), name.strip()
                if wnid not in wanted:
                    continue
                if not name:
                    raise ValueError(f'{path}:{lineno}: wnid {wnid!r} has no '
                                     f'name (expected wnid<TAB>names)')
                if wnid in names:
                    raise ValueError(f'{path}:{lineno}: wnid {wnid!r} appears '
                                     f'twice (first at line {names[wnid][0]})')
                names[wnid] = (lineno, name)
        missing = [wnid for wnid in wnids if wnid not in names]
        if missing:
            raise ValueError(f'{path}: no line for the wnids {missing} of '
                             f'{self._file("wnids.txt")}')
        return [names[wnid][1] for wnid in wnids]

    def _item(self, ann_file: str, lineno: int, image_dir: str,
              filename: str, label: int, box: List[float]) -> dict:
        img_path = osp.join(image_dir, filename)
        width, height = read_image_size(img_path, f'{ann_file}:{lineno}')
        check_box(box, width, height, ann_file, lineno)
        return dict(
            img_path=img_path,
            img_id=osp.splitext(filename)[0],
            gt_label=label,
            gt_bboxes=boxes_array([box]))

    @staticmethod
    def _check_listed(image_dir: str, listed: Dict[str, int],
                      ann_file: str) -> None:
        """Every image file of ``image_dir`` must have a line."""
        if not osp.isdir(image_dir):
            return
        for name in sorted(os.listdir(image_dir)):
            if (name.lower().endswith(IMAGE_EXTENSIONS)
                    and name not in listed):
                raise ValueError(f'{osp.join(image_dir, name)}: the image '
                                 f'has no line in {ann_file}')

    def _train_items(self, wnids: List[str]) -> List[dict]:
        items = []
        for label, wnid in enumerate(wnids):
            path = self._file('train', wnid, f'{wnid}_boxes.txt')
            image_dir = self._file('train', wnid, 'images')
            listed: Dict[str, int] = {}
            for lineno, fields in read_rows(path, 5):
                check_unique(fields[0], listed, path, lineno, 'image')
                box = inclusive_box(fields[1:], path, lineno)
                items.append(
                    self._item(path, lineno, image_dir, fields[0], label,
                               box))
            self._check_listed(image_dir, listed, path)
        return items

    def _val_items(self, wnids: List[str]) -> List[dict]:
        labels = {wnid: label for label, wnid in enumerate(wnids)}
        path = self._file('val', 'val_annotations.txt')
        image_dir = self._file('val', 'images')
        listed: Dict[str, int] = {}
        items = []
        for lineno, fields in read_rows(path, 6):
            filename, wnid = fields[:2]
            check_unique(filename, listed, path, lineno, 'image')
            if wnid not in labels:
                raise ValueError(f'{path}:{lineno}: unknown class {wnid!r} '
                                 f'(not in {self._file("wnids.txt")})')
            box = inclusive_box(fields[2:], path, lineno)
            items.append(
                self._item(path, lineno, image_dir, filename, labels[wnid],
                           box))
        self._check_listed(image_dir, listed, path)
        return items

    def load_data_list(self) -> List[dict]:
        wnids = self._read_wnids()
        self._set_classes(self._read_words(wnids))
        self._metainfo['wnids'] = tuple(wnids)
        if self.split == 'train':
            return self._train_items(wnids)
        return self._val_items(wnids)
