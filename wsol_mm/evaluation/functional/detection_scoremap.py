"""Score map of a detector's boxes (FSL-Det of paper 000, sec. 5.1)."""
from typing import Sequence

import numpy as np


def detection_score_map(boxes, scores, shape: Sequence[int]) -> np.ndarray:
    """Per pixel, the highest confidence of a detection covering it.

    Paper 000 (Cole et al., ECCV 2022, table 2) scores a Faster R-CNN with
    MaxBoxAccV2 without saying how boxes become a map; this is the digest's
    default: pixel ``(row, col)`` is covered by box ``x0 y0 x1 y1``
    (continuous pixel coordinates, pixel ``i`` spans ``[i, i + 1)``) when
    its centre ``(col + 0.5, row + 0.5)`` lies inside the closed box
    ``[x0, x1] x [y0, y1]``. Parts of a box outside the image are ignored;
    a pixel no box covers, and every pixel when there is no detection, is
    0. Sweeping the CAM threshold over this map sweeps the detection
    confidence.

    Args:
        boxes (array-like): (n, 4) boxes ``x0 y0 x1 y1`` on the map's grid.
        scores (array-like): (n, ) confidences in [0, 1].
        shape (sequence of int): ``(height, width)`` of the map.

    Returns:
        np.ndarray: (height, width) float32 map.
    """
    height, width = (int(v) for v in shape)
    if height <= 0 or width <= 0:
        raise ValueError(f'shape must be a positive (height, width), got '
                         f'{tuple(shape)}')
    boxes = np.asarray(boxes, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if boxes.size == 0:
        boxes = boxes.reshape(0, 4)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f'boxes must be (n, 4), got shape {boxes.shape}')
    if len(scores) != len(boxes):
        raise ValueError(f'got {len(boxes)} boxes but {len(scores)} scores')
    if not np.isfinite(boxes).all() or not np.isfinite(scores).all():
        raise ValueError('boxes and scores must be finite')
    if len(scores) and (scores.min() < 0 or scores.max() > 1):
        raise ValueError('scores must be in [0, 1], got values in '
                         f'[{scores.min()}, {scores.max()}]')
    score_map = np.zeros((height, width), dtype=np.float32)
    # First and last pixel index whose centre i + 0.5 is in [lo, hi].
    first = np.ceil(boxes - 0.5).astype(np.int64)
    last = np.floor(boxes - 0.5).astype(np.int64)
    for (c0, r0, _, _), (_, _, c1, r1), score in zip(first, last, scores):
        c0, r0 = max(c0, 0), max(r0, 0)
        c1, r1 = min(c1, width - 1), min(r1, height - 1)
        if c0 <= c1 and r0 <= r1:
            window = score_map[r0:r1 + 1, c0:c1 + 1]
            np.maximum(window, np.float32(score), out=window)
    return score_map
