"""PxAP: area under the pixel precision-recall curve of score maps."""
from typing import Sequence, Tuple

import numpy as np

from .scoremap import check_scoremap


class NoPositiveGroundTruthError(ValueError, RuntimeError):
    """No foreground pixel in the evaluated masks."""


def histogram_edges(cam_thresholds: Sequence[float]) -> np.ndarray:
    """Bin edges ``[t_0, ..., t_{T-1}, 1, 2, 3]`` (T + 2 bins)."""
    return np.append(np.asarray(cam_thresholds), [1.0, 2.0, 3.0])


def check_gt_mask(gt_mask, shape, index=None) -> np.ndarray:
    """Check that a GT mask has the score map's ``shape``; return it."""
    gt_mask = np.asarray(gt_mask)
    if gt_mask.shape != tuple(shape):
        where = 'mask' if index is None else f'mask of image {index}'
        raise ValueError(f'{where} has shape {gt_mask.shape}, its score map '
                         f'{tuple(shape)}')
    return gt_mask


def mask_score_histograms(scoremap, gt_mask, cam_thresholds: Sequence[float]
                          ) -> Tuple[np.ndarray, np.ndarray]:
    """Histograms of the map's scores over foreground and background pixels.

    Args:
        scoremap (np.ndarray): (H, W) map with values in [0, 1].
        gt_mask (np.ndarray): (H, W) mask; 1 foreground, 0 background, any
            other value (255) ignored.
        cam_thresholds (sequence of float): relative CAM thresholds.

    Returns:
        tuple: ``(true_hist, false_hist)``, each (T + 2,) int64 counts.
    """
    scoremap = check_scoremap(scoremap)
    gt_mask = check_gt_mask(gt_mask, scoremap.shape)
    edges = histogram_edges(cam_thresholds)
    true_hist, _ = np.histogram(scoremap[gt_mask == 1], bins=edges)
    false_hist, _ = np.histogram(scoremap[gt_mask == 0], bins=edges)
    return true_hist.astype(np.int64), false_hist.astype(np.int64)


def pxap_from_histograms(true_hist, false_hist) -> float:
    """PxAP in percent from score histograms summed over images.

    Raises:
        NoPositiveGroundTruthError: (a ValueError and RuntimeError) when the
            histograms hold no foreground pixel.
    """
    true_hist = np.asarray(true_hist, dtype=np.float64)
    false_hist = np.asarray(false_hist, dtype=np.float64)
    tp = true_hist[::-1].cumsum()
    fn = true_hist.sum() - tp
    fp = false_hist[::-1].cumsum()
    if ((tp + fn) <= 0).all():
        raise NoPositiveGroundTruthError(
            'PxAP: no positive ground truth (no foreground pixel) in the '
            'evaluated masks')
    non_zero = (tp + fp) != 0
    with np.errstate(divide='ignore', invalid='ignore'):
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
    auc = (precision[1:] * np.diff(recall))[non_zero[1:]].sum()
    return float(auc * 100)


def pxap(scoremaps, gt_masks, cam_thresholds: Sequence[float]) -> float:
    """PxAP (percent) of score maps against GT masks.

    Args:
        scoremaps (sequence of np.ndarray): (H, W) maps in [0, 1].
        gt_masks (sequence of np.ndarray): (H, W) uint8 masks; 1 foreground,
            0 background, 255 ignored.
        cam_thresholds (sequence of float): relative CAM thresholds.
    """
    if len(scoremaps) != len(gt_masks):
        raise ValueError(f'got {len(scoremaps)} score maps but '
                         f'{len(gt_masks)} masks')
    num_bins = len(histogram_edges(cam_thresholds)) - 1
    true_total = np.zeros(num_bins, dtype=np.int64)
    false_total = np.zeros(num_bins, dtype=np.int64)
    for index, (scoremap, mask) in enumerate(zip(scoremaps, gt_masks)):
        scoremap = check_scoremap(scoremap, index)
        mask = check_gt_mask(mask, scoremap.shape, index)
        true_hist, false_hist = mask_score_histograms(
            scoremap, mask, cam_thresholds)
        true_total += true_hist
        false_total += false_hist
    return pxap_from_histograms(true_total, false_total)
