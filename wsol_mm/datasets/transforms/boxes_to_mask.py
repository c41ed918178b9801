"""Fill a binary segmentation target from the boxes (FSL-Seg's target)."""
import math

import numpy as np
from mmcv.transforms import BaseTransform

from wsol_mm.registry import TRANSFORMS


def box_pixel_range(start: float, end: float, size: int) -> range:
    """The pixel indices ``i`` in ``[0, size)`` whose centre ``i + 0.5`` is
    in ``[start, end)`` (pixel ``i`` spans ``[i, i + 1)``)."""
    first = max(math.ceil(start - 0.5), 0)
    stop = min(math.ceil(end - 0.5), size)
    return range(first, max(stop, first))


@TRANSFORMS.register_module()
class BoxesToMask(BaseTransform):
    """Write ``results[mask_key]`` (uint8 (H, W): 1 inside a box, 0
    elsewhere) from ``results[boxes_key]`` on the current image grid.

    The supervised saliency baseline FSL-Seg of Cole et al. (ECCV 2022,
    table 2) is trained on the train-fullsup boxes turned into binary masks
    (box inside = foreground). Put this transform after the geometric
    transforms (which move the boxes exactly, and clip them to a crop), so
    the mask is exact on the network input; :class:`ClassAgnosticSegmentor`
    trains on ``pseudo_mask``, the default ``mask_key``.

    A pixel (``[x, x + 1) x [y, y + 1)``) is foreground when its centre
    ``(x + 0.5, y + 0.5)`` is in ``[x0, x1) x [y0, y1)`` of any box (the
    union of the boxes): an integer box ``(x0, y0, x1, y1)`` fills columns
    ``x0 .. x1 - 1`` and rows ``y0 .. y1 - 1``. Boxes are clipped to the
    image; a box of zero area (e.g. cropped away) and an image without boxes
    give background only.

    Args:
        boxes_key (str): the boxes, ``(k, 4)`` ``x0 y0 x1 y1`` on the image
            grid. Defaults to ``'gt_bboxes'``.
        mask_key (str): where the mask goes. Defaults to ``'pseudo_mask'``.

    Raises:
        KeyError: no ``img`` or no ``boxes_key`` in the results (named with
            the image).
        ValueError: the boxes are not ``(k, 4)``.
    """

    def __init__(self, boxes_key: str = 'gt_bboxes',
                 mask_key: str = 'pseudo_mask'):
        self.boxes_key = boxes_key
        self.mask_key = mask_key

    def transform(self, results: dict) -> dict:
        img_path = results.get('img_path', '<no img_path>')
        for key in ('img', self.boxes_key):
            if key not in results:
                raise KeyError(f'BoxesToMask: no {key!r} in the results of '
                               f'{img_path}')
        boxes = np.asarray(results[self.boxes_key], dtype=np.float64)
        if boxes.ndim != 2 or boxes.shape[1] != 4:
            raise ValueError(f'BoxesToMask: {self.boxes_key} of {img_path} '
                             f'must have shape (k, 4), got {boxes.shape}')
        height, width = results['img'].shape[:2]
        mask = np.zeros((height, width), dtype=np.uint8)
        for x0, y0, x1, y1 in boxes:
            cols = box_pixel_range(x0, x1, width)
            rows = box_pixel_range(y0, y1, height)
            mask[rows.start:rows.stop, cols.start:cols.stop] = 1
        results[self.mask_key] = mask
        return results

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(boxes_key='{self.boxes_key}', "
                f"mask_key='{self.mask_key}')")
