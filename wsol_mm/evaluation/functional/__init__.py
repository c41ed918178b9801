"""Functional WSOL evaluation (wsolevaluation protocol, Choe et al. 2020)."""
from .box_accuracy import (best_iou_curve, best_iou_curves, box_acc_curves,
                           box_acc_from_iou_curves, check_gt_boxes)
from .box_extraction import boxes_from_scoremap
from .box_iou import box_iou
from .detection_scoremap import detection_score_map
from .mask_boxes import box_from_mask
from .pxap import (NoPositiveGroundTruthError, check_gt_mask,
                   histogram_edges, mask_score_histograms,
                   pixel_precision_recall, pxap, pxap_from_histograms)
from .scoremap import check_scoremap, normalize_scoremap

__all__ = [
    'check_scoremap', 'normalize_scoremap', 'boxes_from_scoremap', 'box_iou',
    'check_gt_boxes', 'best_iou_curve', 'best_iou_curves', 'box_acc_from_iou_curves',
    'box_acc_curves', 'check_gt_mask', 'mask_score_histograms',
    'pxap_from_histograms', 'pixel_precision_recall', 'histogram_edges',
    'pxap', 'NoPositiveGroundTruthError',
    'box_from_mask', 'detection_score_map'
]
