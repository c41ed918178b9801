"""Boxes estimated from a score map at CAM thresholds (contour bounding boxes).

Two implementations give the same boxes: ``'opencv'``, the reference, runs
``cv2.findContours`` once per distinct level; ``'one_pass'``
(:mod:`.one_pass_boxes`, Numba) finds every level's boxes from one sweep.
``'auto'`` takes the one-pass path when Numba is installed.
"""
import logging
from typing import List, Sequence, Tuple

import cv2
import numpy as np
from mmengine.logging import print_log

from . import one_pass_boxes
from .scoremap import check_scoremap

METHODS = ('auto', 'one_pass', 'opencv')

_EMPTY_BOX = np.zeros((1, 4), dtype=np.int64)


def cam_levels(scoremap: np.ndarray,
               cam_thresholds: Sequence[float]) -> Tuple[np.ndarray,
                                                         np.ndarray,
                                                         np.ndarray]:
    """Quantise a map to uint8 and map CAM thresholds to integer levels.

    Returns ``(image, levels, inverse)``: the uint8 image
    ``(scoremap * 255).astype(uint8)``, the sorted distinct integer levels
    ``int(t * image.max())`` and, for every CAM threshold, the position of
    its level in ``levels``.
    """
    image = np.ascontiguousarray((scoremap * 255).astype(np.uint8))
    thresholds = np.asarray(cam_thresholds).reshape(-1)
    # Same arithmetic as int(t * np.max(image)) for every t.
    raw = (thresholds * image.max()).astype(np.int64)
    levels, inverse = np.unique(raw, return_inverse=True)
    return image, levels, inverse.reshape(-1)


def boxes_at_level(image: np.ndarray, level: int,
                   multi_contour: bool) -> np.ndarray:
    """Bounding boxes of the contours of ``image > level``.

    Contours come from ``cv2.RETR_TREE`` (holes count too). Without
    ``multi_contour`` only the largest contour (the first one on ties) is
    kept. A box is ``[x, y, min(x + w, W - 1), min(y + h, H - 1)]``; no
    contour gives the single box ``[0, 0, 0, 0]``.

    Returns:
        np.ndarray: (n, 4) int64 boxes, n >= 1.
    """
    height, width = image.shape
    _, binary = cv2.threshold(image, int(level), 255, cv2.THRESH_BINARY)
    # OpenCV 3 returns (image, contours, hierarchy), OpenCV 4 (contours,
    # hierarchy): the contours are second to last in both.
    contours = cv2.findContours(binary, cv2.RETR_TREE,
                                cv2.CHAIN_APPROX_SIMPLE)[-2]
    if len(contours) == 0:
        return _EMPTY_BOX.copy()
    if not multi_contour:
        contours = [max(contours, key=cv2.contourArea)]
    boxes = np.empty((len(contours), 4), dtype=np.int64)
    for i, contour in enumerate(contours):
        x, y, w, h = cv2.boundingRect(contour)
        boxes[i] = (x, y, min(x + w, width - 1), min(y + h, height - 1))
    return boxes


_warned_fallback = False


def resolve_method(method: str) -> str:
    """``'one_pass'`` or ``'opencv'`` for a ``method`` of :data:`METHODS`.

    ``'auto'`` falls back to OpenCV, with one warning, without Numba.
    """
    global _warned_fallback
    if method not in METHODS:
        raise ValueError(f'method must be one of {METHODS}, got {method!r}')
    if method != 'auto':
        if method == 'one_pass':
            one_pass_boxes.check_numba()
        return method
    if one_pass_boxes.numba is not None:
        return 'one_pass'
    if not _warned_fallback:
        print_log(
            'numba is not installed: boxes come from one cv2.findContours '
            'per level (slower, same results); pip install numba',
            logger='current',
            level=logging.WARNING)
        _warned_fallback = True
    return 'opencv'


def boxes_per_level(scoremap, cam_thresholds: Sequence[float],
                    multi_contour: bool, method: str = 'auto'
                    ) -> Tuple[List[np.ndarray], np.ndarray]:
    """Boxes for each distinct integer level of a (valid) score map.

    Contours are computed for each distinct level ``int(t * max)`` (the
    multi-contour boxes of a level as a set; their order depends on
    ``method``).

    Returns:
        tuple: ``(boxes, inverse)`` where ``boxes[j]`` holds the boxes of the
        j-th distinct level and ``boxes[inverse[i]]`` those of
        ``cam_thresholds[i]``.
    """
    scoremap = check_scoremap(scoremap)
    image, levels, inverse = cam_levels(scoremap, cam_thresholds)
    if resolve_method(method) == 'one_pass':
        boxes = one_pass_boxes.one_pass_boxes(image, levels, multi_contour)
    else:
        boxes = [boxes_at_level(image, level, multi_contour)
                 for level in levels]
    return boxes, inverse


def boxes_from_scoremap(scoremap, cam_thresholds: Sequence[float],
                        multi_contour: bool = False,
                        method: str = 'auto') -> List[np.ndarray]:
    """Boxes estimated from one score map at every CAM threshold.

    Args:
        scoremap (np.ndarray): (H, W) map with values in [0, 1].
        cam_thresholds (sequence of float): relative CAM thresholds.
        multi_contour (bool): keep every contour (MaxBoxAccV2) instead of
            the largest one (MaxBoxAcc).
        method (str): ``'auto'``, ``'one_pass'`` or ``'opencv'`` (see the
            module).

    Returns:
        list[np.ndarray]: one (n_i, 4) int64 array ``x0 y0 x1 y1`` per
        threshold.
    """
    boxes, inverse = boxes_per_level(scoremap, cam_thresholds, multi_contour,
                                     method)
    return [boxes[j].copy() for j in inverse]


def components_per_level(scoremap, cam_thresholds: Sequence[float],
                         method: str = 'auto'
                         ) -> Tuple[np.ndarray, np.ndarray]:
    """The largest contour's box and the number of 8-connected foreground
    components of a (valid) score map at every CAM threshold.

    Returns:
        tuple: ``(boxes, counts)``, (T, 4) int64 boxes (``[0, 0, 0, 0]``
        without foreground) and (T,) int64 counts.
    """
    scoremap = check_scoremap(scoremap)
    image, levels, inverse = cam_levels(scoremap, cam_thresholds)
    if resolve_method(method) == 'one_pass':
        boxes, counts = one_pass_boxes.one_pass_components(image, levels)
        return boxes[inverse], counts[inverse]
    boxes = np.zeros((len(levels), 4), dtype=np.int64)
    counts = np.zeros(len(levels), dtype=np.int64)
    for j, level in enumerate(levels):
        foreground = (image > level).astype(np.uint8)
        # Label 0 is the background.
        counts[j] = cv2.connectedComponents(foreground, connectivity=8)[0] - 1
        boxes[j] = boxes_at_level(image, level, multi_contour=False)[0]
    return boxes[inverse], counts[inverse]
