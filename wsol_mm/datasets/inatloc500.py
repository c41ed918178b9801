"""iNatLoc500 (Cole et al., ECCV 2022) read from its Choe-format metadata."""
import logging
import os.path as osp
from typing import Dict, List, Tuple

from mmengine.logging import print_log

from wsol_mm.registry import DATASETS
from .base_wsol_dataset import (BaseWSOLDataset, boxes_array, check_box,
                                parse_corners, parse_image_size, parse_int,
                                read_ids, read_per_image, require_one,
                                resolve_path)
from .cub import read_image_header

#: The seven tiers of the label hierarchy, fine -> coarse.
LEVELS = ('species', 'genus', 'family', 'order', 'class', 'phylum', 'kingdom')
SPLITS = ('train', 'val', 'test')
#: Size mismatches reported one by one; the rest are counted.
MAX_SIZE_WARNINGS = 10
_EXIF_ORIENTATION = 0x0112


def level_file(stem: str, level: str) -> str:
    """``class_labels.txt`` / ``class_names.txt`` for species, else
    ``<stem>_<level>.txt``."""
    return f'{stem}.txt' if level == LEVELS[0] else f'{stem}_{level}.txt'


def image_size_as_loaded(path: str, where: str) -> Tuple[int, int]:
    """``(width, height)`` of the image as the loaders decode it.

    Only the header is read. OpenCV (and so ``LoadImageFromFile``) applies
    the EXIF orientation, so the sides are swapped for orientations 5-8.
    ``where`` (``file:line``) names the annotation line of the image.
    """
    width, height, orientation = read_image_header(
        path, where, lambda image: (*image.size,
                                    image.getexif().get(_EXIF_ORIENTATION, 1)))
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return width, height


def read_class_names(path: str) -> List[str]:
    """Names of a ``class_names*.txt`` file of ``name,label`` lines.

    The label is after the last comma; labels must be ``0..n-1``, each once,
    and names distinct.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'class names file not found: {path}')
    names: Dict[int, str] = {}
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            if ',' not in line:
                raise ValueError(f'{path}:{lineno}: expected name,label, got '
                                 f'{line!r}')
            name, label = (field.strip() for field in line.rsplit(',', 1))
            label = parse_int(label, path, lineno, 'class label')
            if label < 0 or label in names:
                raise ValueError(f'{path}:{lineno}: class label {label} is '
                                 f'negative or appears twice')
            if not name or name in names.values():
                raise ValueError(f'{path}:{lineno}: class name {name!r} is '
                                 f'empty or appears twice')
            names[label] = name
    if not names:
        raise ValueError(f'{path}: no class names')
    missing = sorted(set(range(max(names) + 1)) - set(names))
    if missing:
        raise ValueError(f'{path}: class labels must be 0..{max(names)}; '
                         f'missing {missing}')
    return [names[label] for label in range(len(names))]


@DATASETS.register_module()
class INatLoc500(BaseWSOLDataset):
    """A split of iNatLoc500, labelled at any tier of its hierarchy.

    Files (comma separated; image paths are relative to ``data_root``, may
    hold spaces and are never split on whitespace)::

        metadata_root/class_names.txt            name,label (species)
        metadata_root/class_names_<level>.txt    name,label
        metadata_root/<split>/image_ids.txt      path (fixes the item order)
        metadata_root/<split>/class_labels.txt   path,species label
        metadata_root/<split>/class_labels_<level>.txt   path,label
        metadata_root/<split>/image_sizes.txt    path,HEIGHT,WIDTH
        metadata_root/<split>/localization.txt   path,x0,y0,x1,y1

    with ``<level>`` each of genus, family, order, class, phylum, kingdom.
    Note ``image_sizes.txt`` is ``height,width``, the opposite of
    wsolevaluation's ``width,height``. ``localization.txt`` is in
    ``x0,y0,x1,y1`` order (the release's README says
    ``x_min,x_max,y_min,y_max``, but its values are ``x0,y0,x1,y1``); several
    lines give several boxes.

    ``train`` (train-weaksup) may lack ``image_sizes.txt`` and
    ``localization.txt`` (items then have an empty ``(0, 4)`` ``gt_bboxes``);
    ``val`` (train-fullsup) and ``test`` need both and a box per image. The
    size of every image with a recorded size or a box is read from its
    header, as loaded (EXIF orientation applied); a recorded size that
    differs is logged as a warning naming the file and line, and boxes are
    checked against the real size.

    Items hold ``level_labels`` (``level -> label``); ``gt_label`` is the
    label at ``level``. ``metainfo``: ``classes`` (the names at ``level``),
    ``levels`` (:data:`LEVELS`, fine -> coarse), ``level_classes`` (``level
    -> names``) and ``level``.

    Args:
        data_root (str): The folder holding ``train/``, ``val/``, ``test/``.
        metadata_root (str): The metadata folder. Absolute: used as is;
            relative: from the current directory if it exists there,
            otherwise from ``data_root``. Defaults to ``'metadata'``.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        level (str): The tier of ``gt_label`` and ``classes``, one of
            :data:`LEVELS`. Defaults to ``'species'``.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 data_root: str,
                 metadata_root: str = 'metadata',
                 split: str = 'train',
                 level: str = 'species',
                 **kwargs):
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        if level not in LEVELS:
            raise ValueError(f'level must be one of {LEVELS}, got {level!r}')
        data_root = self._abs_root(data_root)
        self.split = split
        self.level = level
        self.metadata_root = resolve_path(metadata_root, data_root)
        super().__init__(data_root=data_root, **kwargs)

    def _file(self, name: str, split: bool = True) -> str:
        folder = (osp.join(self.metadata_root, self.split)
                  if split else self.metadata_root)
        return osp.join(folder, name)

    def _per_image(self, name: str, images: Dict[str, int], num_fields: int,
                   parse, one: bool) -> Dict[str, List[Tuple[int, object]]]:
        """``{path: [(line, parsed), ...]}`` of ``<split>/<name>``; with
        ``one``, every image needs exactly one line."""
        path = self._file(name)
        table = read_per_image(path, num_fields, images, 'image_ids.txt',
                               parse, sep=',')
        if one:
            require_one(table, images, path, self._file('image_ids.txt'))
        return table

    def _read_level_labels(self, images: Dict[str, int],
                           level_classes: Dict[str, Tuple[str, ...]]
                           ) -> Dict[str, Dict[str, int]]:
        """``{path: {level: label}}`` from the ``class_labels*.txt`` files."""
        labels: Dict[str, Dict[str, int]] = {img: {} for img in images}
        for level in LEVELS:
            count = len(level_classes[level])
            names_txt = level_file('class_names', level)

            def parse_label(fields, path, lineno):
                label = parse_int(fields[0], path, lineno, 'class label')
                if not 0 <= label < count:
                    raise ValueError(
                        f'{path}:{lineno}: class label {label} is outside '
                        f'the {count} classes of {names_txt}')
                return label

            table = self._per_image(level_file('class_labels', level), images,
                                    2, parse_label, one=True)
            for img_id, rows in table.items():
                labels[img_id][level] = rows[0][1]
        return labels

    def _warn_sizes(self, mismatches: List[str], checked: int) -> None:
        for message in mismatches[:MAX_SIZE_WARNINGS]:
            print_log(message, logger='current', level=logging.WARNING)
        if len(mismatches) > MAX_SIZE_WARNINGS:
            print_log(
                f'{self._file("image_sizes.txt")}: {len(mismatches)} of '
                f'{checked} recorded sizes differ from the image files '
                f'({len(mismatches) - MAX_SIZE_WARNINGS} more not shown); '
                f'the boxes are checked against the image files',
                logger='current',
                level=logging.WARNING)

    def load_data_list(self) -> List[dict]:
        images = read_ids(self._file('image_ids.txt'))
        level_classes = {
            level: tuple(
                read_class_names(
                    self._file(level_file('class_names', level), False)))
            for level in LEVELS
        }
        labels = self._read_level_labels(images, level_classes)

        need_boxes = self.split != 'train'
        sizes_txt = self._file('image_sizes.txt')
        loc_txt = self._file('localization.txt')
        sizes, boxes = {}, {}
        if need_boxes or osp.exists(sizes_txt):
            sizes = self._per_image('image_sizes.txt', images, 3,
                                    parse_image_size, one=True)
        if need_boxes or osp.exists(loc_txt):
            boxes = self._per_image('localization.txt', images, 5,
                                    parse_corners, one=False)

        ids_txt = self._file('image_ids.txt')
        mismatches: List[str] = []
        data_list = []
        for img_id, lineno in images.items():
            img_path = osp.join(self.data_root, img_id)
            where = f'{ids_txt}:{lineno}'
            rows = boxes.get(img_id, [])
            if need_boxes and not rows:
                raise ValueError(f'{loc_txt}: image {img_id!r} ({where}) has '
                                 f'no box')
            if img_id in sizes or rows:
                width, height = image_size_as_loaded(img_path, where)
                for size_line, (rec_h, rec_w) in sizes.get(img_id, []):
                    if (rec_h, rec_w) != (height, width):
                        mismatches.append(
                            f'{sizes_txt}:{size_line}: recorded size height '
                            f'{rec_h}, width {rec_w} differs from the image '
                            f'file: height {height}, width {width} '
                            f'({img_path})')
                for box_line, box in rows:
                    check_box(box, width, height, loc_txt, box_line)
            elif not osp.isfile(img_path):
                raise FileNotFoundError(
                    f'{where}: image file not found: {img_path}')
            data_list.append(
                dict(
                    img_path=img_path,
                    img_id=img_id,
                    gt_label=labels[img_id][self.level],
                    gt_bboxes=boxes_array([box for _, box in rows]),
                    level_labels=labels[img_id]))
        self._warn_sizes(mismatches, len(sizes))

        self._set_classes(level_classes[self.level])
        self._metainfo.update(
            levels=LEVELS, level_classes=level_classes, level=self.level)
        return data_list
