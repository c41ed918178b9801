"""FGVC-Aircraft read from its release layout (``fgvc-aircraft-2013b/data``),
with its variant / family / manufacturer hierarchy."""
import os.path as osp
from typing import Dict, Iterator, List, Tuple

from mmcv.transforms import BaseTransform

from wsol_mm.registry import DATASETS, TRANSFORMS
from .base_wsol_dataset import (BaseWSOLDataset, boxes_array, check_box,
                                check_unique, parse_int, read_distinct,
                                read_rows)
from .cub import read_image_size
from .transforms import crop

LEVELS = ('variant', 'family', 'manufacturer')
CLASS_FILES = dict(
    variant='variants.txt', family='families.txt',
    manufacturer='manufacturers.txt')
SPLITS = ('train', 'val', 'trainval', 'test')
BANNER_HEIGHT = 20


def read_lines(path: str) -> Iterator[Tuple[int, str]]:
    """``(line_number, stripped line)`` of each non-blank line of ``path``
    (names hold spaces, so lines are not split)."""
    for lineno, (line, ) in read_rows(path, 1, sep='\n'):
        yield lineno, line


@TRANSFORMS.register_module()
class CropBottomBanner(BaseTransform):
    """Cut ``results['banner_height']`` rows (none when absent or 0) off the
    bottom of the loaded image, as :class:`FGVCAircraft` asks with
    ``crop_banner=True``. Put it right after the image loading.

    Boxes are clipped to the rest; ``img_shape`` and ``ori_shape`` become the
    size without the banner (the image the annotations describe).
    """

    def transform(self, results: dict) -> dict:
        banner = int(results.get('banner_height', 0))
        if banner:
            height, width = results['img'].shape[:2]
            if banner >= height:
                raise ValueError(
                    f'cannot crop a {banner}-row banner off the {height}-row '
                    f'image {results.get("img_path", "<no img_path>")}')
            crop(results, 0, 0, width, height - banner)
            results['ori_shape'] = (height - banner, width)
        return results


@DATASETS.register_module()
class FGVCAircraft(BaseWSOLDataset):
    """FGVC-Aircraft 2013b: one aircraft box and three class levels per image.

    ``data_root`` is the release's ``data`` folder:

    - ``images/<id>.jpg``;
    - ``images_box.txt``: ``<id> xmin ymin xmax ymax``, one box per image;
    - ``images_<level>_<split>.txt``: ``<id> <class name>`` (names hold
      spaces) for the levels ``variant``, ``family``, ``manufacturer`` and
      the splits ``train``, ``val``, ``trainval``, ``test``;
    - ``variants.txt``, ``families.txt``, ``manufacturers.txt``: one class
      name per line; the line order is the label order.

    Box convention: the release's README gives the top-left pixel the
    coordinate (1, 1), and its boxes are integer pixel indices of the first
    and last pixel inside the box. They become the continuous ``[xmin - 1,
    ymin - 1, xmax, ymax]`` of wsol_mm and are checked against the size read
    from the image header.

    Banner: every release image ends with a 20-pixel copyright banner at the
    bottom, which the README asks users to remove. ``crop_banner=True``
    clips the boxes to the image without it and gives each item
    ``banner_height=20``, which :class:`CropBottomBanner` (required in a
    non-empty pipeline then) cuts off the loaded image; coordinates are
    unchanged since the banner is at the bottom. ``crop_banner=False`` (the
    default) keeps the images whole (``banner_height=0``).

    Hierarchy (the shared interface of hierarchical datasets):
    ``metainfo['levels']`` is ``('variant', 'family', 'manufacturer')``
    (fine to coarse), ``metainfo['level_classes']`` maps each level to its
    class names and every item has ``level_labels`` (level -> 0-based
    label); ``gt_label`` is the label of ``level`` and ``metainfo['classes']``
    that level's names. A variant must be in one family and a family of one
    manufacturer throughout the split.

    Args:
        data_root (str): The ``fgvc-aircraft-2013b/data`` folder.
        split (str): ``'train'``, ``'val'``, ``'trainval'`` or ``'test'``.
        level (str): The level of ``gt_label``. Defaults to ``'variant'``.
        crop_banner (bool): Remove the copyright banner. Defaults to False.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 level: str = 'variant',
                 crop_banner: bool = False,
                 **kwargs):
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        if level not in LEVELS:
            raise ValueError(f'level must be one of {LEVELS}, got {level!r}')
        self.split = split
        self.level = level
        self.crop_banner = bool(crop_banner)
        super().__init__(data_root=self._abs_root(data_root), **kwargs)
        transforms = self.pipeline.transforms
        if self.crop_banner and transforms and not any(
                isinstance(t, CropBottomBanner) for t in transforms):
            raise ValueError('crop_banner=True needs a CropBottomBanner '
                             'transform after the image loading in the '
                             'pipeline')

    def _file(self, name: str) -> str:
        return osp.join(self.data_root, name)

    def _read_classes(self, level: str) -> List[str]:
        path = self._file(CLASS_FILES[level])
        return read_distinct(path, read_lines(path), level)

    def _read_labels(self, level: str, classes: List[str]
                     ) -> Dict[str, Tuple[int, int]]:
        """``{id: (line, label)}`` of ``images_<level>_<split>.txt``."""
        path = self._file(f'images_{level}_{self.split}.txt')
        index = {name: label for label, name in enumerate(classes)}
        table: Dict[str, Tuple[int, int]] = {}
        for lineno, line in read_lines(path):
            fields = line.split(None, 1)
            if len(fields) != 2:
                raise ValueError(f'{path}:{lineno}: expected an image id and '
                                 f'a {level} name, got {line!r}')
            img_id, name = fields[0], fields[1].strip()
            if img_id in table:
                raise ValueError(f'{path}:{lineno}: image id {img_id!r} '
                                 f'appears twice (first at line '
                                 f'{table[img_id][0]})')
            if name not in index:
                raise ValueError(f'{path}:{lineno}: unknown {level} {name!r} '
                                 f'(not in {self._file(CLASS_FILES[level])})')
            table[img_id] = (lineno, index[name])
        return table

    def _check_same_ids(self, tables: Dict[str, dict]) -> None:
        """Every level lists the images of the variant file."""
        variant_file = self._file(f'images_variant_{self.split}.txt')
        variants = tables['variant']
        for level in LEVELS[1:]:
            path = self._file(f'images_{level}_{self.split}.txt')
            for img_id, (lineno, _) in tables[level].items():
                if img_id not in variants:
                    raise ValueError(f'{path}:{lineno}: image id {img_id!r} '
                                     f'is not in {variant_file}')
            for img_id, (lineno, _) in variants.items():
                if img_id not in tables[level]:
                    raise ValueError(f'{path}: image id {img_id!r} '
                                     f'({variant_file}:{lineno}) has no line')

    def _check_tree(self, tables: Dict[str, dict],
                    level_classes: Dict[str, List[str]]) -> None:
        """A class has one parent: each variant one family, each family one
        manufacturer."""
        for fine, coarse in zip(LEVELS[:-1], LEVELS[1:]):
            path = self._file(f'images_{coarse}_{self.split}.txt')
            parent: Dict[int, Tuple[int, int]] = {}
            for img_id, (lineno, label) in tables[coarse].items():
                child = tables[fine][img_id][1]
                seen_line, seen = parent.setdefault(child, (lineno, label))
                if seen != label:
                    names = level_classes[coarse]
                    raise ValueError(
                        f'{path}:{lineno}: {fine} '
                        f'{level_classes[fine][child]!r} is in {coarse} '
                        f'{names[label]!r} here but in {names[seen]!r} at '
                        f'line {seen_line}')

    def _read_boxes(self, wanted: Dict[str, object]
                    ) -> Dict[str, Tuple[int, List[float]]]:
        """``{id: (line, continuous box)}`` for the ids of ``wanted``."""
        path = self._file('images_box.txt')
        boxes: Dict[str, Tuple[int, List[float]]] = {}
        first_line: Dict[str, int] = {}
        for lineno, fields in read_rows(path, 5):
            img_id = fields[0]
            check_unique(img_id, first_line, path, lineno, 'image id')
            if img_id not in wanted:
                continue
            xmin, ymin, xmax, ymax = (parse_int(value, path, lineno,
                                                'box coordinate')
                                      for value in fields[1:])
            if xmax < xmin or ymax < ymin:
                raise ValueError(f'{path}:{lineno}: box '
                                 f'{[xmin, ymin, xmax, ymax]} has xmax < '
                                 f'xmin or ymax < ymin')
            boxes[img_id] = (lineno, [float(xmin - 1), float(ymin - 1),
                                      float(xmax), float(ymax)])
        return boxes

    def _without_banner(self, box: List[float], height: int, path: str,
                        lineno: int) -> List[float]:
        """``box`` clipped to the image above the banner."""
        top = height - BANNER_HEIGHT
        if top <= 0:
            raise ValueError(f'{path}:{lineno}: the image is {height} rows '
                             f'high, no more than its {BANNER_HEIGHT}-row '
                             f'banner')
        if box[1] >= top:
            raise ValueError(f'{path}:{lineno}: box {box} lies in the '
                             f'{BANNER_HEIGHT}-row banner of its {height}-row '
                             f'image')
        return [box[0], box[1], box[2], min(box[3], float(top))]

    def load_data_list(self) -> List[dict]:
        level_classes = {level: self._read_classes(level) for level in LEVELS}
        self._set_classes(level_classes[self.level])
        self._metainfo.update(
            levels=LEVELS,
            level=self.level,
            level_classes={k: tuple(v) for k, v in level_classes.items()})

        tables = {
            level: self._read_labels(level, level_classes[level])
            for level in LEVELS
        }
        self._check_same_ids(tables)
        self._check_tree(tables, level_classes)
        variant_file = self._file(f'images_variant_{self.split}.txt')
        box_file = self._file('images_box.txt')
        boxes = self._read_boxes(tables['variant'])

        data_list = []
        for img_id, (lineno, _) in tables['variant'].items():
            if img_id not in boxes:
                raise ValueError(f'{box_file}: image id {img_id!r} '
                                 f'({variant_file}:{lineno}) has no box')
            box_line, box = boxes[img_id]
            img_path = osp.join(self.data_root, 'images', f'{img_id}.jpg')
            width, height = read_image_size(img_path,
                                            f'{variant_file}:{lineno}')
            check_box(box, width, height, box_file, box_line)
            if self.crop_banner:
                box = self._without_banner(box, height, box_file, box_line)
            level_labels = {
                level: tables[level][img_id][1]
                for level in LEVELS
            }
            data_list.append(
                dict(
                    img_path=img_path,
                    img_id=img_id,
                    gt_label=level_labels[self.level],
                    gt_bboxes=boxes_array([box]),
                    level_labels=level_labels,
                    banner_height=BANNER_HEIGHT if self.crop_banner else 0))
        return data_list
