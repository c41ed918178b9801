"""wsolevaluation's evaluation loop, ported step by step for benchmarking.

A port of ``evaluation.py`` of clovaai/wsolevaluation (commit 96f4b88):
``compute_bboxes_from_scoremaps``, ``calculate_multiple_iou``,
``BoxEvaluator.accumulate`` / ``compute`` and ``MaskEvaluator.accumulate`` /
``compute``, with the reference's mechanics kept because they are what the
benchmark measures:

- one ``cv2.threshold`` + ``cv2.findContours(RETR_TREE, CHAIN_APPROX_SIMPLE)``
  per CAM threshold (1000 at ``cam_curve_interval=0.001``), even when
  consecutive thresholds give the same integer level ``int(t * max)``, and
  ``np.max`` of the uint8 map recomputed at every threshold;
- the IoUs of all boxes of all thresholds against the GT boxes in one
  ``np.tile`` product, then ``multiple_iou.max(1)`` recomputed inside the
  loop over thresholds and reduced with Python's ``max`` over the slice;
- PxAP histograms by ``np.histogram`` per image, accumulated as floats.

It is not part of the package: ``wsol_mm.evaluation.functional`` is the
implementation; this file is the yardstick. Departures from the reference,
none of which changes a number: GT boxes and masks are passed to
``accumulate`` instead of being read from metadata files and resized (the
benchmark's maps are already on the 224 grid), ``np.float`` (gone in
NumPy 1.24) is ``np.float64``, and the 0 / 0 warnings of the PR curve are
silenced.
"""
import cv2
import numpy as np


def check_scoremap_validity(scoremap: np.ndarray) -> None:
    """The reference's map check: a 2-D float64 array without NaN in [0, 1]."""
    if not isinstance(scoremap, np.ndarray):
        raise TypeError(f'Scoremap must be a numpy array; it is '
                        f'{type(scoremap)}.')
    if scoremap.dtype != np.float64:
        raise TypeError(f'Scoremap must be of np.float type; it is of '
                        f'{scoremap.dtype} type.')
    if scoremap.ndim != 2:
        raise ValueError(f'Scoremap must be a 2D array; it is '
                         f'{scoremap.ndim}D.')
    if np.isnan(scoremap).any():
        raise ValueError('Scoremap must not contain nans.')
    if (scoremap > 1).any() or (scoremap < 0).any():
        raise ValueError(f'Scoremap must be in range [0, 1]. '
                         f'scoremap.min()={scoremap.min()}, '
                         f'scoremap.max()={scoremap.max()}.')


def check_box_convention(boxes: np.ndarray) -> None:
    """The reference's check of ``x0 y0 x1 y1`` boxes (non-negative,
    (n, 4) or (4,), x1 >= x0 and y1 >= y0)."""
    if (boxes < 0).any():
        raise RuntimeError('Box coordinates must be non-negative.')
    if boxes.ndim == 1:
        boxes = boxes[None]
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise RuntimeError('Box array must have dimension (4) or '
                           '(num_boxes, 4).')
    if ((boxes[:, 2] - boxes[:, 0]) < 0).any() or \
            ((boxes[:, 3] - boxes[:, 1]) < 0).any():
        raise RuntimeError('Boxes do not follow the x0y0x1y1 convention.')


def calculate_multiple_iou(box_a: np.ndarray, box_b: np.ndarray) -> np.ndarray:
    """(num_a, num_b) inclusive-pixel IoUs, through tiled (num_a, num_b, 4)
    copies of both box sets as in the reference; pairs with a non-positive
    union get 0."""
    num_a, num_b = box_a.shape[0], box_b.shape[0]
    check_box_convention(box_a)
    check_box_convention(box_b)
    # Each row of a repeated num_b times: (num_a, num_b, 4).
    tiled_a = np.tile(box_a, num_b).reshape((num_a, num_b, -1))
    # Each row of b repeated num_a times, then swapped: (num_a, num_b, 4).
    tiled_b = np.tile(box_b, num_a).reshape((num_b, num_a, -1))
    tiled_b = tiled_b.transpose((1, 0, 2))

    left = np.maximum(tiled_a[..., 0], tiled_b[..., 0])
    top = np.maximum(tiled_a[..., 1], tiled_b[..., 1])
    right = np.minimum(tiled_a[..., 2], tiled_b[..., 2])
    bottom = np.minimum(tiled_a[..., 3], tiled_b[..., 3])
    intersection = (np.maximum(0, right - left + 1)
                    * np.maximum(0, bottom - top + 1))
    area_a = ((tiled_a[..., 2] - tiled_a[..., 0] + 1)
              * (tiled_a[..., 3] - tiled_a[..., 1] + 1))
    area_b = ((tiled_b[..., 2] - tiled_b[..., 0] + 1)
              * (tiled_b[..., 3] - tiled_b[..., 1] + 1))
    union = area_a + area_b - intersection
    degenerate = np.where(union <= 0)
    union[degenerate] = 1
    ious = intersection / union
    ious[degenerate] = 0
    return ious


def compute_bboxes_from_scoremaps(scoremap: np.ndarray,
                                  scoremap_threshold_list,
                                  multi_contour_eval: bool = False):
    """Boxes at every CAM threshold, one findContours per threshold.

    Returns:
        tuple: ``(boxes_per_threshold, number_of_boxes)``; a threshold without
        contour gives the single box ``[0, 0, 0, 0]``; without
        ``multi_contour_eval`` only the contour of largest
        ``cv2.contourArea`` is kept. A box is
        ``[x, y, min(x + w, W - 1), min(y + h, H - 1)]``.
    """
    check_scoremap_validity(scoremap)
    height, width = scoremap.shape
    image = np.expand_dims((scoremap * 255).astype(np.uint8), 2)

    def boxes_at(threshold):
        _, binary = cv2.threshold(
            image, int(threshold * np.max(image)), 255, cv2.THRESH_BINARY)
        # OpenCV >= 4 returns (contours, hierarchy).
        contours = cv2.findContours(binary, cv2.RETR_TREE,
                                    cv2.CHAIN_APPROX_SIMPLE)[0]
        if len(contours) == 0:
            return np.asarray([[0, 0, 0, 0]]), 1
        if not multi_contour_eval:
            contours = [max(contours, key=cv2.contourArea)]
        boxes = []
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            boxes.append([x, y, min(x + w, width - 1), min(y + h, height - 1)])
        return np.asarray(boxes), len(contours)

    boxes_per_threshold, number_of_boxes = [], []
    for threshold in scoremap_threshold_list:
        boxes, count = boxes_at(threshold)
        boxes_per_threshold.append(boxes)
        number_of_boxes.append(count)
    return boxes_per_threshold, number_of_boxes


class BoxEvaluator:
    """The reference's MaxBoxAcc / MaxBoxAccV2 counter.

    Args:
        cam_threshold_list (list of float): CAM thresholds, the reference's
            ``list(np.arange(0, 1, cam_curve_interval))``.
        iou_threshold_list (list of int): IoU thresholds in percent (``[50]``
            for MaxBoxAcc, ``[30, 50, 70]`` for MaxBoxAccV2).
        multi_contour_eval (bool): all contours (V2) or the largest one.
    """

    def __init__(self, cam_threshold_list, iou_threshold_list,
                 multi_contour_eval: bool):
        self.cam_threshold_list = cam_threshold_list
        self.iou_threshold_list = iou_threshold_list
        self.multi_contour_eval = multi_contour_eval
        self.cnt = 0
        self.num_correct = {
            iou_threshold: np.zeros(len(cam_threshold_list))
            for iou_threshold in iou_threshold_list}

    def accumulate(self, scoremap: np.ndarray, gt_boxes) -> None:
        """Count, at every CAM threshold, whether the best estimated box has
        IoU >= threshold / 100 with some GT box."""
        boxes, number_of_boxes = compute_bboxes_from_scoremaps(
            scoremap, self.cam_threshold_list, self.multi_contour_eval)
        boxes = np.concatenate(boxes, axis=0)
        multiple_iou = calculate_multiple_iou(np.array(boxes),
                                              np.array(gt_boxes))
        start = 0
        best_ious = []
        for count in number_of_boxes:
            # As in the reference: the row maxima are recomputed for every
            # threshold, and the slice is reduced by Python's max.
            best_ious.append(max(multiple_iou.max(1)[start:start + count]))
            start += count
        for iou_threshold in self.iou_threshold_list:
            correct = np.where(
                np.asarray(best_ious) >= (iou_threshold / 100))[0]
            self.num_correct[iou_threshold][correct] += 1
        self.cnt += 1

    def accuracy_curves(self) -> dict:
        """Accuracy (percent) at every CAM threshold, per IoU threshold: the
        arrays whose maxima ``compute`` returns."""
        return {iou_threshold: self.num_correct[iou_threshold] * 100.
                / float(self.cnt) for iou_threshold in self.iou_threshold_list}

    def compute(self) -> list:
        """Best accuracy over CAM thresholds, one per IoU threshold."""
        curves = self.accuracy_curves()
        return [curves[t].max() for t in self.iou_threshold_list]


class MaskEvaluator:
    """The reference's PxAP: score histograms over GT foreground (1) and
    background (0) pixels with right edges ``[t_0, ..., t_{T-1}, 1, 2, 3]``;
    pixels of any other mask value (255) are ignored."""

    def __init__(self, cam_threshold_list):
        self.cam_threshold_list = cam_threshold_list
        self.num_bins = len(cam_threshold_list) + 2
        self.threshold_list_right_edge = np.append(cam_threshold_list,
                                                   [1.0, 2.0, 3.0])
        self.gt_true_score_hist = np.zeros(self.num_bins, dtype=np.float64)
        self.gt_false_score_hist = np.zeros(self.num_bins, dtype=np.float64)

    def accumulate(self, scoremap: np.ndarray, gt_mask: np.ndarray) -> None:
        check_scoremap_validity(scoremap)
        true_hist, _ = np.histogram(scoremap[gt_mask == 1],
                                    bins=self.threshold_list_right_edge)
        self.gt_true_score_hist += true_hist.astype(np.float64)
        false_hist, _ = np.histogram(scoremap[gt_mask == 0],
                                     bins=self.threshold_list_right_edge)
        self.gt_false_score_hist += false_hist.astype(np.float64)

    def compute(self) -> float:
        """Area under the pixel precision-recall curve, in percent."""
        tp = self.gt_true_score_hist[::-1].cumsum()
        fn = self.gt_true_score_hist.sum() - tp
        fp = self.gt_false_score_hist[::-1].cumsum()
        if ((tp + fn) <= 0).all():
            raise RuntimeError('No positive ground truth in the eval set.')
        if ((tp + fp) <= 0).all():
            raise RuntimeError('No positive prediction in the eval set.')
        non_zero = (tp + fp) != 0
        with np.errstate(divide='ignore', invalid='ignore'):
            precision = tp / (tp + fp)
            recall = tp / (tp + fn)
        auc = (precision[1:] * np.diff(recall))[non_zero[1:]].sum()
        return auc * 100
