"""Statistics of the binarised localization maps (Cole et al., ECCV 2022,
Fig. 5)."""
import json
import logging
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement

from wsol_mm.registry import METRICS
from ..functional import best_iou_curve, box_acc_from_iou_curves, box_iou
from ..functional.box_extraction import components_per_level
from .wsol_metric import (WSOLMetric, _list_indices, cam_thresholds,
                          read_gt_boxes, read_score_map)


def _pixel_area(boxes: np.ndarray) -> np.ndarray:
    """Pixels covered by ``x0 y0 x1 y1`` boxes, ``[x0, x1) x [y0, y1)``
    (pixel ``i`` spans ``[i, i + 1)``), at least one pixel each way."""
    boxes = boxes.reshape(-1, 4)
    width = np.maximum(boxes[:, 2] - boxes[:, 0], 1)
    height = np.maximum(boxes[:, 3] - boxes[:, 1], 1)
    return (width * height).astype(np.float64)


def _in_out_ratio(scoremap: np.ndarray, gt_boxes: np.ndarray
                  ) -> Optional[float]:
    """Mean map value inside the union of the GT boxes over the mean
    outside it; None when it is undefined or infinite (no pixel outside, or
    a zero mean outside).

    A box covers the pixels ``[x0, x1) x [y0, y1)`` (pixel ``i`` spans
    ``[i, i + 1)``, the samples' convention), at least one pixel each way.
    """
    inside = np.zeros(scoremap.shape, dtype=bool)
    for x0, y0, x1, y1 in gt_boxes:
        x0, y0 = max(x0, 0), max(y0, 0)
        inside[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)] = True
    if inside.all():
        return None
    outside_mean = float(scoremap[~inside].mean())
    if outside_mean == 0:
        return None
    return float(scoremap[inside].mean()) / outside_mean


def _write_json_atomically(path: str, data: dict) -> None:
    """A reader sees no file (or the old one) or the whole new file."""
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)


def _json_index(index):
    """sample_idx as a JSON value (numpy integers become int)."""
    if isinstance(index, np.generic):
        return index.item()
    return index


@METRICS.register_module()
class MapStatistics(BaseMetric):
    """Fig. 5 of Cole et al. (ECCV 2022): how the binarised maps of a model
    relate to the GT boxes.

    The paper's supplement, which defines the construction, is unavailable;
    this metric fixes it as follows. One CAM threshold binarises every map:
    the threshold ``t`` of ``np.arange(0, 1, cam_curve_interval)`` at which
    the multi-contour box accuracy at IoU 50 over the evaluated set is
    highest (MaxBoxAccV2's IoU-50 optimum; the first such threshold on
    ties). The binarisation is wsolevaluation's: the map quantised to uint8,
    ``image = uint8(map * 255)``, foreground ``image > int(t * image.max())``
    (strictly greater, OpenCV's ``THRESH_BINARY``). Per image at ``t``:

    - ``box_area_ratio``: area of the predicted box (the largest contour's
      box, as MaxBoxAcc) over the area of the GT box it overlaps best (IoU),
      both ``(x1 - x0) * (y1 - y0)``: a contour box ``[x, y, x + w, y + h]``
      ends one past its last pixel as a GT box does, so a box that fits
      its GT gives 1 (wsolevaluation clips the contour box at ``W - 1`` /
      ``H - 1``: a blob touching the right or bottom border loses a column
      or row); 0 when the map has no foreground (an all-zero map);
    - ``components``: connected components (8-connectivity) of the
      foreground;
    - ``in_out_ratio`` (independent of ``t``): mean map value inside the
      union of the GT boxes (pixels ``[x0, x1) x [y0, y1)``) over the mean
      outside it. An image whose outside
      mean is 0 (ratio infinite) or that has no pixel outside is left out of
      its median (JSON ``null``; one warning counts them).

    Samples are read as :class:`WSOLMetric` reads them: ``gt_score_map``
    (H, W) in [0, 1] (a map with NaN, constant or outside [0, 1] is min-max
    normalised with a warning; NaN and constant maps become zeros) and
    ``gt_bboxes`` (k, 4) on the same grid, truncated to integers. Images
    without a GT box are left out (one warning). Only per-threshold scalars
    are kept per image, so results are the same under DDP.

    The metrics (prefix ``map_stats``) are ``threshold``,
    ``box_area_ratio_median``, ``in_out_ratio_median``,
    ``components_median`` and ``num_images`` (the images with GT boxes).
    The per-image values at ``t`` are written to ``out_file`` as JSON
    (``threshold``, the medians and ``images``: a list of
    ``sample_idx``, ``box_area_ratio``, ``in_out_ratio``, ``components``);
    :meth:`compute_metrics` runs on the main process only, which writes it
    atomically.

    Args:
        cam_curve_interval (float): step of the CAM thresholds.
        out_file (str, optional): JSON file of the per-image values; None
            writes nothing.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): prefix of the metric names; ``'map_stats'``
            when None.
    """
    default_prefix: Optional[str] = 'map_stats'
    iou_threshold: int = 50

    def __init__(self,
                 cam_curve_interval: float = 0.001,
                 out_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.cam_curve_interval = cam_curve_interval
        self.cam_thresholds = cam_thresholds(cam_curve_interval)
        self.out_file = out_file

    # ------------------------------------------------------------------ #
    # per-sample processing
    # ------------------------------------------------------------------ #
    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Reduce every data sample to its per-threshold values."""
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            self.results.append(self._process_sample(sample))

    def _process_sample(self, sample: dict) -> dict:
        scoremap = read_score_map(sample, 'MapStatistics').astype(np.float64)
        gt_boxes = read_gt_boxes(sample, 'MapStatistics')
        result = dict(sample_idx=sample.get('sample_idx'))
        if gt_boxes is None:
            return result
        boxes, components = components_per_level(scoremap,
                                                 self.cam_thresholds)
        gt_areas = _pixel_area(gt_boxes)
        area_ratio = np.zeros(len(boxes), dtype=np.float64)
        for j in np.flatnonzero(components):  # levels with a predicted box
            best_gt = int(np.argmax(box_iou(boxes[j], gt_boxes)[0]))
            area_ratio[j] = _pixel_area(boxes[j])[0] / gt_areas[best_gt]
        result.update(
            iou_multi=best_iou_curve(
                scoremap, gt_boxes, self.cam_thresholds, multi_contour=True),
            box_area_ratio=area_ratio,
            components=components,
            in_out_ratio=_in_out_ratio(scoremap, gt_boxes))
        return result

    # ------------------------------------------------------------------ #
    # aggregation
    # ------------------------------------------------------------------ #
    def _best_threshold_index(self, results: List[dict]) -> int:
        """Index of the CAM threshold with the best multi-contour box
        accuracy at IoU 50 (the first on ties)."""
        curves = np.stack([r['iou_multi'] for r in results])
        accuracy = box_acc_from_iou_curves(curves, (self.iou_threshold, ))
        return int(np.argmax(accuracy[self.iou_threshold]))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """The threshold, the medians at it, and the per-image JSON file."""
        WSOLMetric._check_unique(results)
        boxed = [r for r in results if 'iou_multi' in r]
        no_box = [r['sample_idx'] for r in results if 'iou_multi' not in r]
        if no_box:
            print_log(
                f'MapStatistics: {len(no_box)} of {len(results)} images have '
                f'no GT box (sample_idx {_list_indices(no_box)}); they are '
                'left out.',
                logger='current',
                level=logging.WARNING)
        if not boxed:
            print_log('MapStatistics: no image with GT boxes to evaluate.',
                      logger='current', level=logging.WARNING)
            return {'num_images': 0}

        index = self._best_threshold_index(boxed)
        threshold = float(self.cam_thresholds[index])
        images = [
            dict(sample_idx=_json_index(r['sample_idx']),
                 box_area_ratio=float(r['box_area_ratio'][index]),
                 in_out_ratio=r['in_out_ratio'],
                 components=int(r['components'][index])) for r in boxed
        ]
        in_out = [i['in_out_ratio'] for i in images
                  if i['in_out_ratio'] is not None]
        skipped = len(images) - len(in_out)
        if skipped:
            print_log(
                f'MapStatistics: {skipped} of {len(images)} images have no '
                'activation (or no pixel) outside their GT boxes; their '
                'infinite in/out ratio is left out of the median.',
                logger='current',
                level=logging.WARNING)
        metrics = dict(
            threshold=threshold,
            box_area_ratio_median=float(
                np.median([i['box_area_ratio'] for i in images])),
            in_out_ratio_median=float(np.median(in_out)) if in_out else
            float('nan'),
            components_median=float(
                np.median([i['components'] for i in images])),
            num_images=len(images))
        if self.out_file is not None:
            record = dict(metrics, cam_curve_interval=self.cam_curve_interval,
                          num_in_out_skipped=skipped, images=images)
            if not in_out:  # JSON has no NaN
                record['in_out_ratio_median'] = None
            _write_json_atomically(self.out_file, record)
        print_log(
            'Map statistics: ' + ', '.join(
                f'{k}: {v}' for k, v in metrics.items()),
            logger='current')
        return metrics
