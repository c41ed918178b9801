"""Box accuracy curves: per-image best-IoU curves and their accuracies."""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .box_extraction import boxes_per_level, cam_levels, resolve_method
from .box_iou import box_iou
from .one_pass_boxes import one_pass_iou_curves
from .scoremap import check_scoremap


def check_gt_boxes(gt_boxes, index: Optional[int] = None) -> np.ndarray:
    """Check GT boxes ``x0 y0 x1 y1`` on the pixel grid; return them as int64.

    Raises:
        ValueError: when the boxes are not a (k, 4) array with k >= 1 of
            integer values; the message names ``index``.
    """
    where = 'GT boxes' if index is None else f'GT boxes of image {index}'
    boxes = np.asarray(gt_boxes)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or boxes.shape[0] < 1:
        raise ValueError(f'{where} must be a (k, 4) array with k >= 1, '
                         f'got shape {boxes.shape}')
    if np.issubdtype(boxes.dtype, np.integer):
        return boxes.astype(np.int64)
    if not np.issubdtype(boxes.dtype, np.floating):
        raise ValueError(f'{where} must be integers, got {boxes.dtype}')
    if not np.isfinite(boxes).all() or (boxes != np.trunc(boxes)).any():
        raise ValueError(f'{where} must hold integer pixel coordinates '
                         '(truncate them with int() first), got '
                         f'{boxes.tolist()}')
    return boxes.astype(np.int64)


def best_iou_curves(scoremap, gt_boxes, cam_thresholds: Sequence[float],
                    multi_contour: Sequence[bool] = (False, True),
                    method: str = 'auto') -> Tuple[np.ndarray, ...]:
    """Best IoU of an image at every CAM threshold, for each of
    ``multi_contour`` (the one-pass path shares its sweeps between them).

    At each threshold the IoU is the max over the estimated boxes (the
    largest contour's, or every contour's) of the max over the GT boxes.

    Args:
        scoremap (np.ndarray): (H, W) map with values in [0, 1].
        gt_boxes (array-like): (k, 4) integer GT boxes.
        cam_thresholds (sequence of float): relative CAM thresholds.
        multi_contour (sequence of bool): for each curve, use every contour
            instead of the largest.
        method (str): ``'auto'``, ``'one_pass'`` or ``'opencv'``, see
            :mod:`.box_extraction`.

    Returns:
        tuple[np.ndarray]: one (T,) float64 IoU curve per ``multi_contour``.
    """
    gt_boxes = check_gt_boxes(gt_boxes)
    if len(np.asarray(cam_thresholds).reshape(-1)) == 0:
        return tuple(np.zeros(0, dtype=np.float64) for _ in multi_contour)
    if resolve_method(method) == 'one_pass':
        image, levels, inverse = cam_levels(check_scoremap(scoremap),
                                            cam_thresholds)
        kinds = sorted(set(bool(m) for m in multi_contour))
        curves = one_pass_iou_curves(image, levels, gt_boxes,
                                     largest=False in kinds,
                                     every=True in kinds)
        by_kind = dict(zip(kinds, curves))
        return tuple(by_kind[bool(m)][inverse] for m in multi_contour)
    curves = []
    for multi in multi_contour:
        boxes, inverse = boxes_per_level(scoremap, cam_thresholds, multi,
                                         'opencv')
        ious = box_iou(np.concatenate(boxes), gt_boxes).max(axis=1)
        starts = np.cumsum([0] + [len(b) for b in boxes[:-1]])
        curves.append(np.maximum.reduceat(ious, starts)[inverse])
    return tuple(curves)


def best_iou_curve(scoremap, gt_boxes, cam_thresholds: Sequence[float],
                   multi_contour: bool = True,
                   method: str = 'auto') -> np.ndarray:
    """Best IoU of an image at every CAM threshold (see
    :func:`best_iou_curves`).

    Returns:
        np.ndarray: (T,) float64 IoUs.
    """
    return best_iou_curves(scoremap, gt_boxes, cam_thresholds,
                           (multi_contour, ), method)[0]


def box_acc_from_iou_curves(iou_curves, iou_thresholds: Sequence[int] = (
        30, 50, 70)) -> Dict[int, np.ndarray]:
    """Accuracy in percent at each CAM threshold from per-image IoU curves.

    An image is correct at IoU threshold ``T`` (a percent) when
    ``iou >= T / 100``.

    Args:
        iou_curves (array-like): (N, T) best-IoU curves, N >= 1.
        iou_thresholds (sequence of int): IoU thresholds in percent.

    Returns:
        dict[int, np.ndarray]: (T,) float64 accuracies per IoU threshold.
    """
    curves = np.asarray(iou_curves, dtype=np.float64)
    if curves.ndim != 2 or curves.shape[0] == 0:
        raise ValueError('need a (num_images, num_cam_thresholds) array with '
                         f'at least one image, got shape {curves.shape}')
    num_images = curves.shape[0]
    accuracies = {}
    for iou_threshold in iou_thresholds:
        num_correct = (curves >= (iou_threshold / 100)).sum(axis=0)
        accuracies[iou_threshold] = (
            num_correct.astype(np.float64) * 100. / float(num_images))
    return accuracies


def box_acc_curves(scoremaps, gt_boxes, cam_thresholds: Sequence[float],
                   iou_thresholds: Sequence[int] = (30, 50, 70),
                   multi_contour: bool = True,
                   method: str = 'auto') -> Dict[int, np.ndarray]:
    """Box accuracy (percent) at every CAM threshold for each IoU threshold.

    MaxBoxAcc is ``box_acc_curves(..., (50,), multi_contour=False)[50].max()``
    and MaxBoxAccV2 the mean over {30, 50, 70} of the per-threshold maxima
    with ``multi_contour=True``.

    Args:
        scoremaps (sequence of np.ndarray): (H, W) maps in [0, 1].
        gt_boxes (sequence of array-like): (k, 4) integer boxes per image.
        cam_thresholds (sequence of float): relative CAM thresholds.
        iou_thresholds (sequence of int): IoU thresholds in percent.
        multi_contour (bool): use every contour instead of the largest.
        method (str): ``'auto'``, ``'one_pass'`` or ``'opencv'``.

    Returns:
        dict[int, np.ndarray]: (len(cam_thresholds),) float64 accuracies.
    """
    if len(scoremaps) != len(gt_boxes):
        raise ValueError(f'got {len(scoremaps)} score maps but '
                         f'{len(gt_boxes)} sets of GT boxes')
    if len(scoremaps) == 0:
        raise ValueError('no score maps to evaluate')
    curves = []
    for index, (scoremap, boxes) in enumerate(zip(scoremaps, gt_boxes)):
        scoremap = check_scoremap(scoremap, index)
        boxes = check_gt_boxes(boxes, index)
        curves.append(
            best_iou_curve(scoremap, boxes, cam_thresholds, multi_contour,
                           method))
    return box_acc_from_iou_curves(np.stack(curves), iou_thresholds)
