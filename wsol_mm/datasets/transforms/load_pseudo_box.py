"""Load the pseudo box a pseudo-box stage wrote for an image."""
import json
import logging
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from wsol_mm.registry import TRANSFORMS


def read_box_file(box_file: str) -> Dict[str, np.ndarray]:
    """The ``{img_id: (4,) float64 box}`` of a pseudo-box file: a JSON
    object ``{"<img_id>": [x0, y0, x1, y1], ...}`` in original-image pixels
    (continuous, pixel ``i`` spans ``[i, i + 1)``).

    Raises:
        ValueError: the file is not such an object (the message names the
            file and the first bad entry).
    """
    try:
        with open(box_file, encoding='utf-8') as f:
            entries = json.load(f)
    except ValueError as error:
        raise ValueError(f'the pseudo-box file {box_file} is not JSON: '
                         f'{error}') from error
    if not isinstance(entries, dict):
        raise ValueError(f'the pseudo-box file {box_file} must hold a JSON '
                         'object {img_id: [x0, y0, x1, y1]}, got a '
                         f'{type(entries).__name__}')
    boxes = {}
    for img_id, box in entries.items():
        array = np.asarray(box, dtype=np.float64) if isinstance(
            box, list) and len(box) == 4 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool)
                for v in box) else None
        if array is None or not np.isfinite(array).all() or \
                array[2] < array[0] or array[3] < array[1]:
            raise ValueError(f'the pseudo-box file {box_file} has the entry '
                             f'{img_id!r}: {box!r}; a box is [x0, y0, x1, '
                             'y1] with x0 <= x1 and y0 <= y1')
        boxes[img_id] = array
    return boxes


@TRANSFORMS.register_module()
class LoadPseudoBox(BaseTransform):
    """Set ``results['pseudo_bboxes']`` (1, 4) float64 from the box file of
    a pseudo-box stage (:func:`read_box_file`, read once); put it right
    after the image loading: the geometric transforms then move the box
    with the image onto the network input (``BOX_KEYS``).

    In a multi-stage config ``box_file='stage:<name>'`` is replaced by the
    box file of that pseudo-box stage. A box outside the image (as loaded)
    is clipped to it; the warnings count such boxes.

    Raises:
        KeyError: the file has no box for the image (the message names
            both).
    """

    def __init__(self, box_file: str):
        self.box_file = box_file
        self._boxes = None
        self.num_clipped = 0

    @property
    def boxes(self) -> Dict[str, np.ndarray]:
        if self._boxes is None:
            self._boxes = read_box_file(self.box_file)
        return self._boxes

    def transform(self, results: dict) -> dict:
        img_id = results['img_id']
        if img_id not in self.boxes:
            raise KeyError(
                f'the pseudo-box file {self.box_file} has no box for the '
                f'image {img_id!r} ({results.get("img_path")}): run the '
                'pseudo-box stage again on this training set')
        box = self.boxes[img_id]
        height, width = results['img'].shape[:2]
        clipped = box.copy()
        clipped[0::2] = clipped[0::2].clip(0, width)
        clipped[1::2] = clipped[1::2].clip(0, height)
        if not np.array_equal(clipped, box):
            self.num_clipped += 1
            if self.num_clipped in (1, 10) or self.num_clipped % 100 == 0:
                print_log(
                    f'{self.num_clipped} pseudo boxes of {self.box_file} '
                    f'fell outside their image and were clipped so far '
                    f'(this worker); latest: {img_id!r} {box.tolist()} in '
                    f'a {width}x{height} image',
                    logger='current', level=logging.WARNING)
        results['pseudo_bboxes'] = clipped[None]
        return results

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(box_file='{self.box_file}')"
