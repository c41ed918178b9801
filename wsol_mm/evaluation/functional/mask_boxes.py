"""One box from a predicted object mask (SPOL's bounding box extractor)."""
import cv2
import numpy as np
import torch

BOX_MODES = ('largest_component', 'all')


def box_from_mask(mask, threshold: float = 0.5,
                  mode: str = 'largest_component') -> np.ndarray:
    """The box of the foreground ``mask >= threshold`` of a score map.

    Modes: ``'largest_component'`` boxes the 8-connected component of the
    largest pixel area (the lowest label on ties, i.e. the first in raster
    order); ``'all'`` boxes every foreground pixel. The box follows
    :func:`boxes_at_level`: ``[x, y, min(x + w, W - 1), min(y + h, H - 1)]``
    for a component of top-left pixel (x, y) and size (w, h); no foreground
    gives ``[0, 0, 0, 0]``.

    Args:
        mask (np.ndarray | torch.Tensor): (H, W) probability or score map.
        threshold (float): foreground at or above it.
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
