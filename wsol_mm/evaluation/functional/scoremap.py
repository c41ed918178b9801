"""Validation and min-max normalisation of score maps (CAMs)."""
from typing import Optional

import numpy as np


def _where(index: Optional[int]) -> str:
    return 'score map' if index is None else f'score map {index}'


def check_scoremap(scoremap, index: Optional[int] = None) -> np.ndarray:
    """Check that a score map follows the protocol and return it as an array.

    A valid map is a 2-D real array without NaN whose values lie in [0, 1].

    Args:
        scoremap (array-like): the map to check.
        index (int, optional): position of the map in its sequence, used in
            the error message.

    Raises:
        ValueError: naming ``index`` and what is wrong with the map.
    """
    where = _where(index)
    arr = np.asarray(scoremap)
    if arr.ndim != 2:
        raise ValueError(f'{where} must be 2-D (H, W), got shape {arr.shape}')
    if not (np.issubdtype(arr.dtype, np.floating)
            or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f'{where} must hold real numbers, got {arr.dtype}')
    if arr.size == 0:
        raise ValueError(f'{where} is empty (shape {arr.shape})')
    if np.isnan(arr).any():
        raise ValueError(f'{where} contains NaN')
    low, high = arr.min(), arr.max()
    if low < 0 or high > 1:
        raise ValueError(f'{where} has values outside [0, 1] '
                         f'(min {float(low)}, max {float(high)})')
    return arr


def normalize_scoremap(cam) -> np.ndarray:
    """Min-max normalise a map to [0, 1] as the protocol does.

    A map with a NaN anywhere, or a constant map, becomes all zeros. The input
    is not modified; a floating map keeps its dtype.
    """
    cam = np.asarray(cam)
    if not np.issubdtype(cam.dtype, np.floating):
        cam = cam.astype(np.float64)
    if cam.size == 0 or np.isnan(cam).any():
        return np.zeros_like(cam)
    low, high = cam.min(), cam.max()
    if low == high:
        return np.zeros_like(cam)
    return (cam - low) / (high - low)
