"""One box from a predicted object mask (SPOL's bounding box extractor)."""
import cv2
import numpy as np
import torch

from .box_extraction import boxes_at_level

BOX_MODES = ('largest_component', 'all', 'largest_contour')


def box_from_mask(mask, threshold: float = 0.5,
                  mode: str = 'largest_component') -> np.ndarray:
    """The box of the foreground of a score map.

    Modes: ``'largest_component'`` boxes the 8-connected component of
    ``mask >= threshold`` with the largest pixel area (the lowest label on
    ties, i.e. the first in raster order); ``'all'`` boxes every pixel of
    ``mask >= threshold``; ``'largest_contour'`` is the official SPOL code's
    extractor: the contours of ``mask > threshold`` (strict) in
    ``cv2.RETR_TREE`` mode, the one of the largest ``cv2.contourArea``
    (:func:`boxes_at_level`, as the protocol's largest-contour boxes). The
    box follows :func:`boxes_at_level`: ``[x, y, min(x + w, W - 1),
    min(y + h, H - 1)]`` for a component of top-left pixel (x, y) and size
    (w, h); no foreground gives ``[0, 0, 0, 0]``.

    Args:
        mask (np.ndarray | torch.Tensor): (H, W) probability or score map.
        threshold (float): foreground at or above it (above it for
            ``'largest_contour'``).
        mode (str): one of :data:`BOX_MODES`.

    Returns:
        np.ndarray: (4,) int64 box ``x0 y0 x1 y1``.
    """
    if mode not in BOX_MODES:
        raise ValueError(f'mode must be one of {BOX_MODES}, got {mode!r}')
    if isinstance(mask, torch.Tensor):
        mask = mask.detach().cpu().numpy()
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f'mask must be (H, W), got shape {mask.shape}')
    if mode == 'largest_contour':
        binary = (mask > threshold).astype(np.uint8)
        return boxes_at_level(binary, 0, multi_contour=False)[0]
    height, width = mask.shape
    foreground = (mask >= threshold).astype(np.uint8)
    if not foreground.any():
        return np.zeros(4, dtype=np.int64)
    if mode == 'largest_component':
        _, _, stats, _ = cv2.connectedComponentsWithStats(
            foreground, connectivity=8)
        # Label 0 is the background; argmax keeps the lowest label on ties.
        largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        x, y, w, h = stats[largest, :4]
    else:
        ys, xs = np.nonzero(foreground)
        x, y = xs.min(), ys.min()
        w, h = xs.max() - x + 1, ys.max() - y + 1
    return np.array([x, y, min(x + w, width - 1),
                     min(y + h, height - 1)], dtype=np.int64)
