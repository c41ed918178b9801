"""PxAP: area under the pixel precision-recall curve of score maps."""
from typing import Sequence, Tuple

import numpy as np
import torch

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

    The counts of ``np.histogram(scores, bins=histogram_edges(...))``
    (bins ``[e_i, e_i+1)``, the last one closed), found with one
    ``searchsorted`` and a ``bincount``; a map given as a torch tensor is
    counted on its device (the GPU when the maps are there).

    Args:
        scoremap (np.ndarray | torch.Tensor): (H, W) map with values in
            [0, 1].
        gt_mask (np.ndarray | torch.Tensor): (H, W) mask; 1 foreground, 0
            background, any other value (255) ignored.
        cam_thresholds (sequence of float): relative CAM thresholds.

    Returns:
        tuple: ``(true_hist, false_hist)``, each (T + 2,) int64 counts.
    """
    edges = histogram_edges(cam_thresholds)
    if isinstance(scoremap, torch.Tensor):
        return _tensor_histograms(scoremap, gt_mask, edges)
    scoremap = check_scoremap(scoremap)
    gt_mask = check_gt_mask(gt_mask, scoremap.shape)
    num_bins = len(edges) - 1
    bins = _bin_indices(scoremap.astype(np.float64).ravel(), edges)
    labels = np.asarray(gt_mask).ravel()
    true_hist = np.bincount(bins[labels == 1], minlength=num_bins)
    false_hist = np.bincount(bins[labels == 0], minlength=num_bins)
    return true_hist.astype(np.int64), false_hist.astype(np.int64)


def _bin_indices(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin of every value in [edges[0], edges[-1]] (bins ``[e_i,
    e_i+1)``, the last one closed): ``searchsorted(edges, v, 'right') - 1``,
    guessed from the first bin's width and corrected by one step (exact for
    the evenly spaced CAM thresholds); values the guess misses (uneven
    edges) are searched."""
    num_bins = len(edges) - 1
    guess = np.clip(((values - edges[0]) / (edges[1] - edges[0])).astype(
        np.int64), 0, num_bins - 1)
    guess -= edges[guess] > values
    guess += edges[guess + 1] <= values
    guess = np.minimum(guess, num_bins - 1)
    missed = (edges[guess] > values) | (
        (edges[guess + 1] <= values) & (guess < num_bins - 1))
    if missed.any():
        guess[missed] = np.minimum(
            np.searchsorted(edges, values[missed], side='right') - 1,
            num_bins - 1)
    return guess


def _tensor_histograms(scoremap: torch.Tensor, gt_mask, edges: np.ndarray
                       ) -> Tuple[np.ndarray, np.ndarray]:
    """:func:`mask_score_histograms` of a tensor map, on its device."""
    device = scoremap.device
    scores = scoremap.detach().to(torch.float64).reshape(-1)
    if scores.numel() and (scores.min() < 0 or scores.max() > 1
                           or torch.isnan(scores).any()):
        raise ValueError('score map must hold values in [0, 1]')
    mask = torch.as_tensor(gt_mask, device=device)
    if tuple(mask.shape) != tuple(scoremap.shape):
        raise ValueError(f'mask has shape {tuple(mask.shape)}, its score map '
                         f'{tuple(scoremap.shape)}')
    labels = mask.reshape(-1)
    num_bins = len(edges) - 1
    boundaries = torch.as_tensor(edges, dtype=torch.float64, device=device)
    bins = torch.bucketize(scores, boundaries, right=True) - 1
    bins = bins.clamp(max=num_bins - 1)
    keep = (labels == 0) | (labels == 1)
    counts = torch.bincount(
        bins[keep] + num_bins * (labels[keep] == 0).long(),
        minlength=2 * num_bins).cpu().numpy()
    return (counts[:num_bins].astype(np.int64),
            counts[num_bins:].astype(np.int64))


def pixel_precision_recall(true_hist, false_hist
                           ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pixel precision-recall curve behind PxAP, from score histograms.

    Point ``j`` counts the pixels in the top ``j + 1`` bins (scores at least
    ``histogram_edges(...)[-2 - j]``), from the top bin down.

    Returns:
        tuple: ``(precision, recall, defined)``, each (T + 2,);
        ``defined`` marks the points with at least one pixel predicted
        foreground (the others' precision is NaN; they are the curve's
        first points, with recall 0).

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
    defined = (tp + fp) != 0
    with np.errstate(divide='ignore', invalid='ignore'):
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
    return precision, recall, defined


def pxap_from_histograms(true_hist, false_hist) -> float:
    """PxAP in percent from score histograms summed over images: the area
    under :func:`pixel_precision_recall`'s curve.

    Raises:
        NoPositiveGroundTruthError: (a ValueError and RuntimeError) when the
            histograms hold no foreground pixel.
    """
    precision, recall, defined = pixel_precision_recall(
        true_hist, false_hist)
    auc = (precision[1:] * np.diff(recall))[defined[1:]].sum()
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
