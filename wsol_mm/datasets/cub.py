"""CUB-200-2011 read from its original release layout."""
import os.path as osp
import re
from typing import Callable, Dict, List, Tuple, TypeVar

from PIL import Image

from wsol_mm.registry import DATASETS
from .base_wsol_dataset import (BaseWSOLDataset, boxes_array, check_box,
                                parse_float, parse_int, read_per_image,
                                read_rows)

T = TypeVar('T')


def read_image_header(path: str, where: str,
                      read: Callable[[Image.Image], T]) -> T:
    """``read(image)`` of the image opened with PIL (the header is read, the
    pixels are not decoded).

    ``where`` (``file:line``) tells which annotation line named the image: a
    missing file raises ``FileNotFoundError``, an unreadable one
    ``ValueError``, both naming it.
    """
    try:
        with Image.open(path) as image:
            return read(image)
    except FileNotFoundError:
        raise FileNotFoundError(
            f'{where}: image file not found: {path}') from None
    except OSError as error:
        raise ValueError(
            f'{where}: cannot read the image {path}: {error}') from None


def read_image_size(path: str, where: str) -> Tuple[int, int]:
    """``(width, height)`` from the image header (no decoding).

    ``where`` (``file:line``) tells which annotation line named the image.
    """
    return read_image_header(path, where, lambda image: image.size)


@DATASETS.register_module()
class CUB(BaseWSOLDataset):
    """Caltech-UCSD Birds-200-2011 with its bounding boxes.

    ``data_root`` holds the files of the release: ``images.txt``
    (``id relpath``), ``image_class_labels.txt`` (``id label``, 1-based),
    ``train_test_split.txt`` (``id is_train``), ``bounding_boxes.txt``
    (``id x y w h``), ``classes.txt`` (``label name``) and ``images/``.

    Items: ``img_id`` is CUB's image id (a str such as ``'42'``),
    ``gt_label`` is 0-based and ``gt_bboxes`` is ``[[x, y, x + w, y + h]]``.
    Class names drop the numeric prefix of ``classes.txt``
    (``'001.Black_footed_Albatross'`` -> ``'Black_footed_Albatross'``).

    Args:
        data_root (str): The CUB_200_2011 folder.
        split (str): ``'train'`` or ``'test'``.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``lazy_init``, ...).
    """

    def __init__(self, data_root: str, split: str = 'train', **kwargs):
        if split not in ('train', 'test'):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        self.split = split
        super().__init__(data_root=self._abs_root(data_root), **kwargs)

    def _file(self, name: str) -> str:
        return osp.join(self.data_root, name)

    def _read_classes(self) -> List[str]:
        path = self._file('classes.txt')
        names: Dict[int, str] = {}
        for lineno, (label, name) in read_rows(path, 2):
            label = parse_int(label, path, lineno, 'class label')
            if label < 1 or label in names:
                raise ValueError(f'{path}:{lineno}: class label {label} is '
                                 f'not positive or appears twice')
            names[label] = re.sub(r'^\d+\.', '', name)
        if not names:
            raise ValueError(f'{path}: no classes')
        missing = sorted(set(range(1, max(names) + 1)) - set(names))
        if missing:
            raise ValueError(f'{path}: class labels must be 1..{max(names)}; '
                             f'missing {missing}')
        return [names[label] for label in sorted(names)]

    def _read_per_image(self, name: str, images: Dict[str, Tuple[int, str]],
                        parse) -> Dict[str, List[Tuple[int, object]]]:
        """Read ``id value...`` lines into ``{id: [(line, parsed), ...]}``."""
        path = self._file(name)
        num_fields = {'image_class_labels.txt': 2,
                      'train_test_split.txt': 2,
                      'bounding_boxes.txt': 5}[name]
        return read_per_image(path, num_fields, images, 'images.txt',
                              parse)

    def load_data_list(self) -> List[dict]:
        images_txt = self._file('images.txt')
        images: Dict[str, Tuple[int, str]] = {}
        for lineno, (img_id, relpath) in read_rows(images_txt, 2):
            if img_id in images:
                raise ValueError(f'{images_txt}:{lineno}: image id '
                                 f'{img_id!r} appears twice')
            images[img_id] = (lineno, relpath)

        classes = self._read_classes()
        self._set_classes(classes)

        def parse_label(fields, path, lineno):
            label = parse_int(fields[0], path, lineno, 'class label')
            if not 1 <= label <= len(classes):
                raise ValueError(
                    f'{path}:{lineno}: class label {label} is outside the '
                    f'{len(classes)} classes of classes.txt')
            return label - 1

        def parse_is_train(fields, path, lineno):
            if fields[0] not in ('0', '1'):
                raise ValueError(f'{path}:{lineno}: is_train must be 0 or 1, '
                                 f'got {fields[0]!r}')
            return fields[0] == '1'

        def parse_box(fields, path, lineno):
            x, y, w, h = (parse_float(value, path, lineno, 'box coordinate')
                          for value in fields)
            if w < 0 or h < 0:
                raise ValueError(f'{path}:{lineno}: box {fields} has a '
                                 f'negative width or height (x1 < x0)')
            return [x, y, x + w, y + h]

        tables = {
            'image_class_labels.txt':
            self._read_per_image('image_class_labels.txt', images,
                                 parse_label),
            'train_test_split.txt':
            self._read_per_image('train_test_split.txt', images,
                                 parse_is_train),
            'bounding_boxes.txt':
            self._read_per_image('bounding_boxes.txt', images, parse_box),
        }
        for name, table in tables.items():
            for img_id, (lineno, _) in images.items():
                rows = table.get(img_id, [])
                if not rows or (name != 'bounding_boxes.txt' and
                                len(rows) > 1):
                    raise ValueError(
                        f'{self._file(name)}: image id {img_id!r} '
                        f'({images_txt}:{lineno}) has {len(rows)} lines, '
                        f'expected {"at least " if "box" in name else ""}1')
        labels = tables['image_class_labels.txt']
        is_train = tables['train_test_split.txt']
        boxes_txt = self._file('bounding_boxes.txt')

        data_list = []
        for img_id, (lineno, relpath) in images.items():
            if is_train[img_id][0][1] != (self.split == 'train'):
                continue
            img_path = osp.join(self.data_root, 'images', relpath)
            width, height = read_image_size(img_path,
                                            f'{images_txt}:{lineno}')
            boxes = []
            for box_line, box in tables['bounding_boxes.txt'][img_id]:
                check_box(box, width, height, boxes_txt, box_line)
                boxes.append(box)
            data_list.append(
                dict(
                    img_path=img_path,
                    img_id=img_id,
                    gt_label=labels[img_id][0][1],
                    gt_bboxes=boxes_array(boxes)))
        return data_list
