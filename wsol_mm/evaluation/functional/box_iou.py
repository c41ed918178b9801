"""Inclusive-pixel IoU between integer boxes."""
import numpy as np


def box_iou(boxes_a, boxes_b) -> np.ndarray:
    """Pairwise IoU of boxes ``x0 y0 x1 y1`` whose corners are both inside.

    A box covers ``(x1 - x0 + 1) * (y1 - y0 + 1)`` pixels. Pairs whose union
    is not positive (degenerate boxes) get an IoU of 0.

    Args:
        boxes_a (array-like): (n_a, 4) integer boxes.
        boxes_b (array-like): (n_b, 4) integer boxes.

    Returns:
        np.ndarray: (n_a, n_b) float64 IoUs.
    """
    a = np.asarray(boxes_a, dtype=np.int64).reshape(-1, 4)[:, None, :]
    b = np.asarray(boxes_b, dtype=np.int64).reshape(-1, 4)[None, :, :]
    inter_w = np.maximum(
        0, np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
        + 1)
    inter_h = np.maximum(
        0, np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
        + 1)
    inter = inter_w * inter_h
    area_a = (a[..., 2] - a[..., 0] + 1) * (a[..., 3] - a[..., 1] + 1)
    area_b = (b[..., 2] - b[..., 0] + 1) * (b[..., 3] - b[..., 1] + 1)
    union = area_a + area_b - inter
    valid = union > 0
    ious = np.zeros(inter.shape, dtype=np.float64)
    np.divide(inter, union, out=ious, where=valid)
    return ious
