"""Build the PxAP ground truth ``gt_mask`` from instance and ignore masks."""
import logging
from typing import List, Optional

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from wsol_mm.registry import TRANSFORMS

IGNORE = 255


def read_mask(path: str, width: int, height: int, img_path: str) -> np.ndarray:
    """A mask file as a boolean ``(height, width)`` array: its grayscale
    values ``> 0.5``, resized with nearest neighbour if its size differs."""
    try:
        mask = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    except cv2.error as error:
        mask, reason = None, str(error)
    else:
        reason = 'not a readable image'
    if mask is None:
        raise OSError(f'cannot read the mask {path} (of the image '
                      f'{img_path}): {reason}')
    if mask.shape != (height, width):
        mask = cv2.resize(mask, (width, height),
                          interpolation=cv2.INTER_NEAREST)
    return mask > 0.5


def instance_box(mask: np.ndarray) -> Optional[List[int]]:
    """The tight box ``[x0, y0, x1, y1]`` of a boolean mask on the
    continuous grid (``x1`` = last column + 1), None if it is empty."""
    x, y, w, h = cv2.boundingRect(mask.astype(np.uint8))
    if w == 0 or h == 0:
        return None
    return [x, y, x + w, y + h]


@TRANSFORMS.register_module()
class LoadWSOLMask(BaseTransform):
    """Load ``gt_mask`` (uint8: 0 background, 1 foreground, 255 ignored).

    Reads ``results['gt_mask_paths']`` (the instance masks) and
    ``results['ignore_path']`` (None: no ignore region) as produced by
    :class:`OpenImages30k`, as in wsolevaluation: each mask is read in
    grayscale and thresholded at ``> 0.5``; the foreground is the union of
    the instances and the ignored pixels are those of the ignore mask that
    are not foreground. Masks whose size differs from the image's are resized
    to it with nearest neighbour, so put this transform right after the
    image loading (it uses ``results['img']``'s size).

    With ``derive_boxes=True``, ``gt_bboxes`` becomes the tight box of every
    non-empty instance, in ``localization.txt`` order, so that the box
    metrics can be computed on a dataset without boxes.

    An instance mask without foreground pixel is accepted, as wsolevaluation
    accepts it (its own test data has an RGBA PNG whose colour channels are
    zero: all background in grayscale): it adds no foreground and no box. An
    image whose instance masks are all empty is all background for PxAP and
    gets ``gt_bboxes`` of shape (0, 4), which :class:`WSOLMetric` leaves out
    of the box metrics (one warning there counts such images). The first
    empty mask that a process reads is named in a warning; the others are
    counted in :attr:`num_empty_masks` (per process: each dataloader worker
    has its own copy of the transform).

    Raises:
        ValueError: no instance mask; the message names the image.
        OSError: a mask file cannot be read; the message names it.
    """

    def __init__(self, derive_boxes: bool = True):
        self.derive_boxes = derive_boxes
        self.num_empty_masks = 0

    def _count_empty(self, paths: List[str], instances: List[np.ndarray],
                     img_path: str) -> None:
        empty = [p for p, m in zip(paths, instances) if not m.any()]
        if empty and self.num_empty_masks == 0:
            print_log(
                f'LoadWSOLMask: the instance mask {empty[0]} of the image '
                f'{img_path} has no foreground pixel in grayscale (> 0.5, as '
                'wsolevaluation reads it): it counts as background for PxAP '
                'and gives no box. Further empty masks are not logged one by '
                'one; WSOLMetric reports the images left without any box.',
                logger='current',
                level=logging.WARNING)
        self.num_empty_masks += len(empty)

    def transform(self, results: dict) -> dict:
        img_path = results.get('img_path', '<no img_path>')
        if 'img' not in results:
            raise KeyError(f'LoadWSOLMask needs the loaded image (put it '
                           f'after the image loading) for {img_path}')
        paths = list(results.get('gt_mask_paths') or [])
        if not paths:
            raise ValueError(f'LoadWSOLMask: no instance mask for the image '
                             f'{img_path} (gt_mask_paths is empty)')
        height, width = results['img'].shape[:2]
        instances = [read_mask(p, width, height, img_path) for p in paths]
        self._count_empty(paths, instances, img_path)
        foreground = np.logical_or.reduce(instances)
        gt_mask = foreground.astype(np.uint8)
        ignore_path = results.get('ignore_path')
        if ignore_path:
            ignored = read_mask(ignore_path, width, height, img_path)
            gt_mask[ignored & ~foreground] = IGNORE
        results['gt_mask'] = gt_mask
        if self.derive_boxes:
            boxes = [box for box in map(instance_box, instances)
                     if box is not None]
            results['gt_bboxes'] = np.asarray(
                boxes, dtype=np.float64).reshape(-1, 4)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(derive_boxes={self.derive_boxes})'
