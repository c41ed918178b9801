"""Datasets described by the metadata files of the wsolevaluation protocol."""
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

from wsol_mm.registry import DATASETS
from .base_wsol_dataset import (BaseWSOLDataset, boxes_array, check_box,
                                parse_corners, parse_image_size, parse_int,
                                read_ids, read_per_image, require_one,
                                resolve_path)

SPLITS = ('train', 'val', 'test')


@DATASETS.register_module()
class WSOLMetadataDataset(BaseWSOLDataset):
    """A split described by ``metadata_root/<split>/*.txt`` (wsolevaluation).

    Files of ``metadata_root/<split>/`` (comma separated, paths relative to
    ``data_root``):

    - ``image_ids.txt``: one image path per line; it fixes the item order.
    - ``class_labels.txt``: ``path,label`` with 0-based labels.
    - ``image_sizes.txt``: ``path,width,height``.
    - ``localization.txt``: ``path,x0,y0,x1,y1``; several lines give several
      boxes of one image.

    Splits: ``'train'`` (train-weaksup; ``localization.txt`` and
    ``image_sizes.txt`` may be absent, and images without a box get an empty
    ``(0, 4)`` ``gt_bboxes``), ``'val'`` (train-fullsup) and ``'test'``, where
    every image needs at least one box. Boxes are checked against
    ``image_sizes.txt``. ``img_id`` is the path of ``image_ids.txt``.

    Args:
        data_root (str): The folder the image paths are relative to.
        metadata_root (str): The folder holding the split folders, e.g.
            ``'metadata/CUB'``. Absolute: used as is; relative: taken from the
            current directory if it exists there, otherwise from
            ``data_root``.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        classes (Sequence[str] | str, optional): The class names, or the path
            of a file with one name per line (resolved like
            ``metadata_root``). Defaults to ``str(i)`` for ``i`` in
            ``range(max label + 1)``.
        image_ids_subset (str, optional): The name of a file of
            ``metadata_root/<split>/`` listing a subset of ``image_ids.txt``
            (e.g. ``'image_ids_proxy.txt'``); the items are then that subset,
            in its order. Defaults to None (every image).
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`.

    Subclasses with another ``localization.txt`` format override
    :meth:`_read_localization`.
    """

    def __init__(self,
                 data_root: str,
                 metadata_root: str,
                 split: str = 'train',
                 classes: Union[Sequence[str], str, None] = None,
                 image_ids_subset: Optional[str] = None,
                 **kwargs):
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        data_root = self._abs_root(data_root)
        self.split = split
        self.metadata_dir = osp.join(
            resolve_path(metadata_root, data_root), split)
        self._classes_arg = classes
        self.image_ids_subset = image_ids_subset
        super().__init__(data_root=data_root, **kwargs)

    def _file(self, name: str) -> str:
        return osp.join(self.metadata_dir, name)

    def _given_classes(self) -> Optional[List[str]]:
        classes = self._classes_arg
        if classes is None:
            return None
        if isinstance(classes, str):
            path = resolve_path(classes, self.data_root)
            if not osp.isfile(path):
                raise FileNotFoundError(f'class names file not found: {path}')
            with open(path, encoding='utf-8') as f:
                names = [line.strip() for line in f if line.strip()]
            if not names:
                raise ValueError(f'{path}: no class names')
            return names
        return [str(name) for name in classes]

    def _read_per_image(self, name: str, images: Dict[str, int],
                        num_fields: int, parse
                        ) -> Dict[str, List[Tuple[int, object]]]:
        """Read ``path,value...`` lines into ``{path: [(line, parsed)]}``."""
        path = self._file(name)
        return read_per_image(path, num_fields, images, 'image_ids.txt',
                              parse, sep=',')

    def _require_one(self, name: str, table: dict, images: Dict[str, int],
                     ids_txt: Optional[str] = None) -> None:
        """Every image of ``images`` (listed in ``ids_txt``) has one line."""
        require_one(table, images, self._file(name),
                    ids_txt or self._file('image_ids.txt'))

    def _localization_rows(self, table: Dict[str, list],
                           items: Dict[str, int], items_txt: str,
                           what: str) -> Iterator[Tuple[str, list]]:
        """Yield ``(path, rows)`` of ``table`` for every item (listed in
        ``items_txt``). Outside ``'train'`` an item without rows raises
        ``ValueError``: ``localization.txt`` gives it no ``what``."""
        loc_txt = self._file('localization.txt')
        for img_id, lineno in items.items():
            rows = table.get(img_id, [])
            if self.split != 'train' and not rows:
                raise ValueError(f'{loc_txt}: image {img_id!r} '
                                 f'({items_txt}:{lineno}) has no {what}')
            yield img_id, rows

    def _read_localization(self, images: Dict[str, int],
                           items: Dict[str, int],
                           items_txt: str) -> Dict[str, dict]:
        """The localization fields of every item: ``{path: dict(...)}``.

        ``images`` are all the images of ``image_ids.txt``, ``items`` those
        of the dataset (listed in ``items_txt``). Here: ``gt_bboxes`` from
        ``path,x0,y0,x1,y1`` lines checked against ``image_sizes.txt``.
        """
        loc_txt = self._file('localization.txt')
        need_boxes = self.split != 'train'
        boxes: Dict[str, List[Tuple[int, object]]] = {}
        if need_boxes or osp.exists(loc_txt):
            boxes = self._read_per_image('localization.txt', images, 5,
                                         parse_corners)
            sizes = self._read_per_image('image_sizes.txt', images, 3,
                                         parse_image_size)
            self._require_one('image_sizes.txt', sizes, images)
            for img_id, rows in boxes.items():
                width, height = sizes[img_id][0][1]
                for lineno, box in rows:
                    check_box(box, width, height, loc_txt, lineno)
        return {
            img_id: dict(gt_bboxes=boxes_array([box for _, box in rows]))
            for img_id, rows in self._localization_rows(
                boxes, items, items_txt, 'box')
        }

    def load_data_list(self) -> List[dict]:
        ids_txt = self._file('image_ids.txt')
        images = read_ids(ids_txt)
        items, items_txt = images, ids_txt
        if self.image_ids_subset is not None:
            items_txt = self._file(self.image_ids_subset)
            items = read_ids(items_txt)
            for img_id, lineno in items.items():
                if img_id not in images:
                    raise ValueError(f'{items_txt}:{lineno}: image {img_id!r} '
                                     f'is not in {ids_txt}')

        given = self._given_classes()

        def parse_label(fields, path, lineno):
            label = parse_int(fields[0], path, lineno, 'class label')
            if label < 0 or (given is not None and label >= len(given)):
                num = 'the' if given is None else f'the {len(given)}'
                raise ValueError(f'{path}:{lineno}: class label {label} is '
                                 f'outside {num} classes')
            return label

        labels = self._read_per_image('class_labels.txt', images, 2,
                                      parse_label)
        self._require_one('class_labels.txt', labels, items, items_txt)
        max_label = max((rows[0][1] for rows in labels.values()), default=-1)
        self._set_classes(given if given is not None else
                          [str(i) for i in range(max_label + 1)])

        localization = self._read_localization(images, items, items_txt)

        data_list = []
        for img_id, lineno in items.items():
            img_path = osp.join(self.data_root, img_id)
            if not osp.isfile(img_path):
                raise FileNotFoundError(
                    f'{items_txt}:{lineno}: image file not found: {img_path}')
            data_list.append(
                dict(
                    img_path=img_path,
                    img_id=img_id,
                    gt_label=labels[img_id][0][1],
                    **localization[img_id]))
        return data_list
