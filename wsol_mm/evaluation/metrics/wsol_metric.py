"""MMEngine metric for WSOL: MaxBoxAcc, MaxBoxAccV2, PxAP, top-k Loc/Cls."""
import logging
import os
import os.path as osp
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import mmengine
import numpy as np
import torch
from mmengine.dist import all_gather_object, get_dist_info
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmengine.structures import BaseDataElement

from wsol_mm.registry import METRICS
from ..functional import (best_iou_curves, box_iou, check_gt_boxes,
                          histogram_edges, mask_score_histograms,
                          normalize_scoremap, pixel_precision_recall,
                          pxap_from_histograms)
from ..functional.box_extraction import METHODS
from .class_scores import load_class_scores

# Images whose packed bits are unpacked at once when counting.
_UNPACK_CHUNK = 4096


def _to_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _list_indices(indices: list, limit: int = 20) -> str:
    """The first ``limit`` sample indices, sorted when they can be, and
    how many more there are."""
    try:
        indices = sorted(indices)
    except TypeError:  # indices of mixed types keep their order
        pass
    shown = ', '.join(str(i) for i in indices[:limit])
    more = len(indices) - limit
    return shown if more <= 0 else f'{shown} and {more} more'


def _percent_name(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else str(value)


def _best_thresholds_line(box_curves: dict) -> str:
    """The log line with the best CAM threshold of every box curve."""
    single = box_curves['max_box_acc']
    parts = [f"MaxBoxAcc (IoU {_percent_name(single['iou'])}) "
             f"{single['best_threshold']:.3f}"]
    parts += [f"MaxBoxAccV2 IoU {_percent_name(c['iou'])} "
              f"{c['best_threshold']:.3f}"
              for c in box_curves['max_box_acc_v2']['curves']]
    return 'WSOL best CAM thresholds: ' + ', '.join(parts)


def cam_thresholds(cam_curve_interval: float) -> np.ndarray:
    """The protocol's CAM thresholds ``np.arange(0, 1, interval)``; the
    interval must be in (0, 1]."""
    if not 0 < cam_curve_interval <= 1:
        raise ValueError('cam_curve_interval must be in (0, 1], got '
                         f'{cam_curve_interval}')
    return np.arange(0, 1, cam_curve_interval)


def describe_sample(sample: dict) -> str:
    """``sample_idx=..., img_path=...`` of a data sample, for messages."""
    return (f"sample_idx={sample.get('sample_idx')}, "
            f"img_path={sample.get('img_path')}")


def read_score_map(sample: dict, metric: str = 'WSOLMetric') -> np.ndarray:
    """The sample's ``gt_score_map`` (H, W), replaced following the
    protocol if invalid (NaN, constant or outside [0, 1]: min-max
    normalised, NaN or constant maps become zeros, with a warning)."""
    if 'gt_score_map' not in sample:
        raise KeyError(f'{metric} needs gt_score_map in every data sample '
                       f'({describe_sample(sample)})')
    scoremap = _to_numpy(sample['gt_score_map'])
    if scoremap.ndim == 3 and scoremap.shape[0] == 1:
        scoremap = scoremap[0]
    if scoremap.ndim != 2:
        raise ValueError('gt_score_map must be (H, W), got shape '
                         f'{scoremap.shape} ({describe_sample(sample)})')
    if not np.issubdtype(scoremap.dtype, np.floating):
        scoremap = scoremap.astype(np.float32)
    problem = None
    if np.isnan(scoremap).any():
        problem = 'contains NaN'
    elif scoremap.min() == scoremap.max():
        problem = 'is constant'
    elif scoremap.min() < 0 or scoremap.max() > 1:
        problem = 'has values outside [0, 1]'
    if problem is not None:
        print_log(
            f'gt_score_map {problem} ({describe_sample(sample)}); it is '
            'min-max normalised as in the protocol (NaN or constant maps '
            'become zeros).',
            logger='current',
            level=logging.WARNING)
        scoremap = normalize_scoremap(scoremap)
    return scoremap


def read_gt_boxes(sample: dict,
                  metric: str = 'WSOLMetric') -> Optional[np.ndarray]:
    """The sample's GT boxes truncated to integers, None if it has none
    (shape (0, 4))."""
    if 'gt_bboxes' not in sample:
        raise KeyError(f'{metric} needs gt_bboxes in every data sample '
                       f'({describe_sample(sample)})')
    boxes = np.trunc(_to_numpy(sample['gt_bboxes']).astype(np.float64))
    boxes = boxes.reshape(-1, 4)
    if len(boxes) == 0:
        return None
    return check_gt_boxes(boxes.astype(np.int64),
                          index=sample.get('sample_idx'))


def _map_on_gpu(sample: dict, scoremap: np.ndarray):
    """The sample's score map as the CUDA tensor it came as, when it is one
    and needed no normalisation (PxAP's histograms are then counted on the
    GPU), else ``scoremap``."""
    raw = sample['gt_score_map']
    if not (isinstance(raw, torch.Tensor) and raw.is_cuda
            and raw.is_floating_point()):
        return scoremap
    raw = raw.reshape(scoremap.shape)
    low, high = raw.min(), raw.max()
    if bool(low < 0) or bool(high > 1) or bool(low == high) or bool(
            torch.isnan(raw).any()):
        return scoremap
    return raw


@METRICS.register_module()
class WSOLMetric(BaseMetric):
    """Localization (and classification) metrics of the WSOL protocol.

    Boxes follow wsolevaluation (Choe et al., CVPR 2020): MaxBoxAcc (largest
    contour, IoU >= ``box_acc_iou``, best CAM threshold) and MaxBoxAccV2 (all
    contours, mean over ``iou_thresholds`` of the best accuracies); PxAP when
    the samples carry ``gt_mask``. The older protocol is also reported:
    GT-known Loc with the largest contour at ``loc_cam_threshold`` and
    ``IoU > loc_iou_threshold``, and top-k Loc/Cls when the samples carry
    ``pred_score``.

    A class-agnostic localizer (a segmentation stage) takes its classes from
    a separate classifier: ``class_scores`` names the file of its predictions
    (:class:`DumpClassScores`), which replace the samples' ``pred_score``;
    ``loc_boxes='predicted'`` makes the older protocol use the model's own box
    ``pred_bboxes[0]`` (e.g. the largest connected component of a
    segmentation mask) instead of the largest contour at
    ``loc_cam_threshold``.

    Each data sample needs ``gt_score_map`` (H, W), the normalised CAM of the
    GT class, and ``gt_bboxes`` (k, 4) on the same grid; a map with NaN or a
    constant map is evaluated as zeros (a warning is logged). An image
    without any GT box (``gt_bboxes`` of shape (0, 4), e.g. an OpenImages
    image whose instance masks are all empty, see :class:`LoadWSOLMask`) is
    left out of the box metrics (MaxBoxAcc, MaxBoxAccV2, GT-known Loc, top-k
    Loc) and still counted by PxAP and top-k Cls; one warning gives the
    counts.

    State: per image only a few hundred bytes, one bit per CAM threshold and
    IoU threshold (``box_bits``: the largest contour's box at
    ``box_acc_iou``, then every contour's at each of ``iou_thresholds``),
    the older protocol's and top-k's booleans; PxAP's score histograms are
    summed per process. Under DDP, MMEngine drops the distributed sampler's
    padding duplicates from the per-image results, and each process leaves
    its last image's histograms out when it is such a duplicate, so every
    image counts once.

    Args:
        cam_curve_interval (float): step of the CAM thresholds
            ``np.arange(0, 1, cam_curve_interval)``.
        iou_thresholds (sequence of int): IoU thresholds (percent) of
            MaxBoxAccV2.
        box_acc_iou (int): IoU threshold (percent) of MaxBoxAcc.
        loc_cam_threshold (float): CAM threshold of the older protocol.
        loc_iou_threshold (float): an image is localised by the older
            protocol when its IoU is strictly greater than this.
        topk (int | sequence of int): k of the top-k Cls/Loc metrics.
        loc_boxes (str): ``'scoremap'`` or ``'predicted'``, the box of the
            older protocol (see above).
        class_scores (str, optional): file of class scores keyed by image
            path, used as ``pred_score``.
        method (str): box extraction, ``'auto'`` (one pass with Numba,
            else OpenCV), ``'one_pass'`` or ``'opencv'`` (one
            ``cv2.findContours`` per level); the results are identical.
        curves_file (str, optional): write the curves behind the metrics
            to this JSON file at every evaluation (the last one stays): box
            accuracy per CAM threshold for MaxBoxAcc and for each IoU
            threshold of MaxBoxAccV2, with the best threshold of each, and
            PxAP's precision-recall curve; a relative path is in the run's
            log folder (``<work_dir>/<timestamp>/``, the folder of the
            current log file), or the current folder outside a run.
            ``tools/analysis_tools/plot_curves.py`` draws them. Defaults to
            None (not written).
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): prefix of the metric names; ``'wsol'`` when
            None.

    The best CAM threshold of MaxBoxAcc and of each IoU of MaxBoxAccV2 is
    logged with the metrics (the first one on ties, as the returned
    ``best_cam_threshold`` of MaxBoxAcc).
    """
    default_prefix: Optional[str] = 'wsol'

    def __init__(self,
                 cam_curve_interval: float = 0.001,
                 iou_thresholds: Sequence[int] = (30, 50, 70),
                 box_acc_iou: int = 50,
                 loc_cam_threshold: float = 0.2,
                 loc_iou_threshold: float = 0.5,
                 topk: Union[int, Sequence[int]] = (1, 5),
                 loc_boxes: str = 'scoremap',
                 class_scores: Optional[str] = None,
                 method: str = 'auto',
                 curves_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if curves_file is not None and not str(curves_file).endswith(
                '.json'):
            raise ValueError('curves_file must end in .json, got '
                             f'{curves_file!r}')
        self.curves_file = curves_file
        if method not in METHODS:
            raise ValueError(f'method must be one of {METHODS}, got '
                             f'{method!r}')
        self.method = method
        if isinstance(iou_thresholds, (int, float)):
            iou_thresholds = (iou_thresholds, )
        if len(iou_thresholds) == 0:
            raise ValueError('iou_thresholds must not be empty')
        if isinstance(topk, int):
            topk = (topk, )
        if any(int(k) != k or k < 1 for k in topk):
            raise ValueError(f'topk must hold positive integers, got {topk}')
        self.cam_curve_interval = cam_curve_interval
        self.cam_thresholds = cam_thresholds(cam_curve_interval)
        self.iou_thresholds = tuple(iou_thresholds)
        self.box_acc_iou = box_acc_iou
        self.loc_cam_threshold = loc_cam_threshold
        self.loc_iou_threshold = loc_iou_threshold
        self.topk = tuple(int(k) for k in topk)
        if loc_boxes not in ('scoremap', 'predicted'):
            raise ValueError("loc_boxes must be 'scoremap' or 'predicted', "
                             f'got {loc_boxes!r}')
        self.loc_boxes = loc_boxes
        self.class_scores = None if class_scores is None else \
            load_class_scores(class_scores)
        self._reset_histograms()

    def _reset_histograms(self) -> None:
        """Empty PxAP sums; the last image's histograms are kept apart until
        the next image with a mask (it may be a DDP padding duplicate), with
        the index of its result."""
        num_bins = len(self.cam_thresholds) + 2
        self._true_total = np.zeros(num_bins, dtype=np.int64)
        self._false_total = np.zeros(num_bins, dtype=np.int64)
        self._last_histograms = None
        self._gathered_histograms = None

    def _add_histograms(self, true_hist, false_hist) -> None:
        """Hold the histograms of the image being processed (the next
        result) apart; add those held before to the sums."""
        if self._last_histograms is not None:
            self._true_total += self._last_histograms[0]
            self._false_total += self._last_histograms[1]
        self._last_histograms = (true_hist, false_hist, len(self.results))

    def _local_histograms(self, size: Optional[int] = None):
        """This process's PxAP sums; with the evaluated ``size``, without
        the held-back histograms when they are the distributed sampler's
        padding: the process's last result, past ``size`` in the
        rank-interleaved order (the rule of MMEngine's
        ``collect_results``)."""
        keep_last = True
        if size is not None and self._last_histograms is not None:
            rank, world_size = get_dist_info()
            index = self._last_histograms[2]
            keep_last = not (index == len(self.results) - 1
                             and rank + index * world_size >= size)
        true_hist = self._true_total.copy()
        false_hist = self._false_total.copy()
        if keep_last and self._last_histograms is not None:
            true_hist += self._last_histograms[0]
            false_hist += self._last_histograms[1]
        return true_hist, false_hist

    # ------------------------------------------------------------------ #
    # per-sample processing
    # ------------------------------------------------------------------ #
    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Reduce every data sample to its compact per-image result."""
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            self.results.append(self._process_sample(sample))

    def _box_results(self, sample: dict, scoremap: np.ndarray,
                     boxes: np.ndarray) -> dict:
        """One bit per CAM threshold and IoU threshold, and the older
        protocol's verdict."""
        # The older protocol's threshold rides along with the curve's ones.
        single, multi = best_iou_curves(
            scoremap, boxes,
            np.append(self.cam_thresholds, self.loc_cam_threshold),
            (False, True), self.method)
        loc_iou = float(single[-1])
        if self.loc_boxes == 'predicted':
            loc_iou = self._predicted_box_iou(sample, boxes)
        bits = np.stack(
            [single[:-1] >= self.box_acc_iou / 100] +
            [multi[:-1] >= t / 100 for t in self.iou_thresholds], axis=1)
        return dict(
            box_bits=np.packbits(bits).tobytes(),
            loc_correct=loc_iou > self.loc_iou_threshold)

    def _process_sample(self, sample: dict) -> dict:
        scoremap = read_score_map(sample)
        boxes = read_gt_boxes(sample)
        result = dict(sample_idx=sample.get('sample_idx'))
        if boxes is not None:
            result.update(self._box_results(sample, scoremap, boxes))
        if self.class_scores is not None:
            sample = dict(sample, pred_score=self.class_scores.of(sample))
        if sample.get('pred_score') is not None:
            result['topk_correct'] = self._topk_correct(sample)
        if sample.get('gt_mask') is not None:
            mask = _to_numpy(sample['gt_mask'])
            if mask.ndim == 3 and mask.shape[0] == 1:
                mask = mask[0]
            true_hist, false_hist = mask_score_histograms(
                _map_on_gpu(sample, scoremap), mask, self.cam_thresholds)
            self._add_histograms(true_hist, false_hist)
            result['mask_has_foreground'] = bool(true_hist.sum() > 0)
        return result

    def _predicted_box_iou(self, sample: dict, gt_boxes: np.ndarray
                           ) -> float:
        if sample.get('pred_bboxes') is None:
            raise KeyError("loc_boxes='predicted' needs pred_bboxes in every "
                           f'data sample ({describe_sample(sample)})')
        box = np.trunc(_to_numpy(sample['pred_bboxes']).reshape(-1, 4)[:1])
        return float(box_iou(box, gt_boxes).max())

    def _topk_correct(self, sample: dict) -> Tuple[bool, ...]:
        scores = sample['pred_score']
        if not isinstance(scores, torch.Tensor):
            scores = torch.as_tensor(np.asarray(scores))
        scores = scores.detach().cpu().reshape(-1)
        label = int(_to_numpy(sample['gt_label']).reshape(-1)[0])
        top = torch.topk(scores, min(max(self.topk), scores.numel()))[1]
        top = top.tolist()
        return tuple(label in top[:k] for k in self.topk)

    # ------------------------------------------------------------------ #
    # aggregation
    # ------------------------------------------------------------------ #
    @staticmethod
    def _check_unique(results: List[dict]) -> None:
        indices = [r['sample_idx'] for r in results]
        if any(i is None for i in indices):
            print_log(
                'Some data samples have no sample_idx: cannot check that '
                'every image was evaluated once.',
                logger='current',
                level=logging.WARNING)
            indices = [i for i in indices if i is not None]
        duplicated = [i for i, n in Counter(indices).items() if n > 1]
        if duplicated:
            raise RuntimeError(
                f'WSOLMetric got {len(duplicated)} sample indices more than '
                f'once ({_list_indices(duplicated)}): the evaluation set was '
                'duplicated (e.g. a distributed sampler padding the last '
                'batch), the results would be biased.')

    def _classification(self, results: List[dict]) -> Dict[str, float]:
        """Top-k Cls over the images with class scores, top-k Loc over
        those of them that have GT boxes."""
        subset = [r for r in results if 'topk_correct' in r]
        if not subset:
            return {}
        if len(subset) < len(results):
            print_log(
                f'Only {len(subset)} of {len(results)} images have '
                'pred_score: top-k metrics use those only.',
                logger='current',
                level=logging.WARNING)
        boxed = [r for r in subset if 'loc_correct' in r]
        loc_correct = np.array([r['loc_correct'] for r in boxed], dtype=bool)
        metrics = {}
        for i, k in enumerate(self.topk):
            cls_ok = np.array([r['topk_correct'][i] for r in subset])
            metrics[f'top{k}_cls'] = float(cls_ok.sum() * 100. / len(subset))
            if boxed:
                cls_ok = np.array([r['topk_correct'][i] for r in boxed])
                metrics[f'top{k}_loc'] = float(
                    (cls_ok & loc_correct).sum() * 100. / len(boxed))
        return metrics

    def _correct_counts(self, results: List[dict]) -> np.ndarray:
        """(T, 1 + len(iou_thresholds)) numbers of correct images per CAM
        threshold, summed from the packed bits a chunk at a time."""
        shape = (len(self.cam_thresholds), 1 + len(self.iou_thresholds))
        counts = np.zeros(shape, dtype=np.int64)
        for start in range(0, len(results), _UNPACK_CHUNK):
            chunk = results[start:start + _UNPACK_CHUNK]
            packed = np.frombuffer(
                b''.join(r['box_bits'] for r in chunk),
                dtype=np.uint8).reshape(len(chunk), -1)
            bits = np.unpackbits(
                packed, axis=1, count=shape[0] * shape[1])
            counts += bits.reshape(len(chunk), *shape).sum(
                axis=0, dtype=np.int64)
        return counts

    def _box_metrics(self, results: List[dict]
                     ) -> Tuple[Dict[str, float], dict]:
        """GT-known Loc, MaxBoxAcc and MaxBoxAccV2 of the images with GT
        boxes, and their accuracy-per-threshold curves."""
        if not results:
            return {}, {}
        accuracy = self._correct_counts(results) * 100. / len(results)
        single_acc = accuracy[:, 0]
        best_per_iou = accuracy[:, 1:].max(axis=0)
        loc_correct = np.array([r['loc_correct'] for r in results])

        metrics = dict(
            gt_known_loc=float(loc_correct.sum() * 100. / len(results)),
            max_box_acc=float(single_acc.max()),
            best_cam_threshold=float(
                self.cam_thresholds[int(np.argmax(single_acc))]),
            max_box_acc_v2=float(np.mean(best_per_iou)))
        for t, best in zip(self.iou_thresholds, best_per_iou):
            metrics[f'max_box_acc_v2_iou{_percent_name(t)}'] = float(best)
        return metrics, self._box_curves(accuracy, metrics)

    def _box_curves(self, accuracy: np.ndarray, metrics: dict) -> dict:
        """The box accuracies (percent) per CAM threshold, each with its
        maximum and the (first) threshold reaching it."""

        def curve(values, iou):
            best = int(np.argmax(values))
            return dict(iou=iou, accuracy=values.tolist(),
                        max=float(values[best]),
                        best_threshold=float(self.cam_thresholds[best]))

        return dict(
            max_box_acc=curve(accuracy[:, 0], self.box_acc_iou),
            max_box_acc_v2=dict(
                value=metrics['max_box_acc_v2'],
                curves=[curve(accuracy[:, 1 + i], t)
                        for i, t in enumerate(self.iou_thresholds)]))

    @staticmethod
    def _report_missing_ground_truth(results: List[dict]) -> None:
        """One warning with the images left out of the box metrics and the
        masks without foreground."""
        num = len(results)
        no_box = [r['sample_idx'] for r in results
                  if 'loc_correct' not in r]
        no_fg = sum(1 for r in results
                    if r.get('mask_has_foreground') is False)
        messages = []
        if no_box:
            messages.append(
                f'{len(no_box)} of {num} images have no GT box (sample_idx '
                f'{_list_indices(no_box)}; e.g. all their instance masks are '
                'empty): '
                'MaxBoxAcc, MaxBoxAccV2, GT-known Loc and top-k Loc use the '
                f'other {num - len(no_box)} images, PxAP and top-k Cls still '
                'count them.')
        if no_fg:
            messages.append(
                f'{no_fg} of {num} images have no foreground pixel in '
                'gt_mask: PxAP counts them as all background.')
        if messages:
            print_log('WSOLMetric: ' + ' '.join(messages), logger='current',
                      level=logging.WARNING)

    def _pxap(self, results: List[dict]) -> Tuple[Dict[str, float], dict]:
        """PxAP and its precision-recall curve (the points with at least
        one pixel above the threshold, from the highest threshold down;
        PxAP is ``sum(precision * diff([0, *recall]))``)."""
        subset = [r for r in results if 'mask_has_foreground' in r]
        if not subset:
            return {}, {}
        if len(subset) < len(results):
            print_log(
                f'Only {len(subset)} of {len(results)} images have gt_mask: '
                'PxAP uses those only.',
                logger='current',
                level=logging.WARNING)
        histograms = self._gathered_histograms
        if histograms is None:  # compute_metrics called without evaluate
            histograms = self._local_histograms()
        value = pxap_from_histograms(*histograms)
        precision, recall, defined = pixel_precision_recall(*histograms)
        lower_edges = histogram_edges(self.cam_thresholds)[-2::-1]
        curve = dict(value=value,
                     thresholds=lower_edges[defined].tolist(),
                     precision=precision[defined].tolist(),
                     recall=recall[defined].tolist())
        return {'pxap': value}, curve

    def evaluate(self, size: int) -> dict:
        """Sum the processes' PxAP histograms, each without its last image
        when that image is the distributed sampler's padding (see
        :meth:`_local_histograms`), then evaluate as :class:`BaseMetric`."""
        local = self._local_histograms(size)
        world_size = get_dist_info()[1]
        parts = all_gather_object(local) if world_size > 1 else [local]
        self._gathered_histograms = (sum(p[0] for p in parts),
                                     sum(p[1] for p in parts))
        try:
            return super().evaluate(size)
        finally:
            self._reset_histograms()

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Aggregate the per-image results into the WSOL metrics."""
        self._check_unique(results)
        num_images = len(results)
        print_log(
            f'WSOLMetric: evaluating {num_images} images.', logger='current')
        if num_images == 0:
            return {'num_images': 0}

        self._report_missing_ground_truth(results)

        metrics: Dict[str, Union[float, int]] = {}
        metrics.update(self._classification(results))
        boxed = [r for r in results if 'loc_correct' in r]
        box_metrics, box_curves = self._box_metrics(boxed)
        metrics.update(box_metrics)
        pxap_metrics, pr_curve = self._pxap(results)
        metrics.update(pxap_metrics)
        metrics['num_images'] = int(num_images)

        summary = ', '.join(
            f'{k}: {v}' if isinstance(v, int) else f'{k}: {v:.2f}'
            for k, v in metrics.items())
        print_log(f'WSOL metrics: {summary}', logger='current')
        if box_curves:
            print_log(_best_thresholds_line(box_curves), logger='current')
        if self.curves_file is not None:
            self._write_curves(
                dict(prefix=self.prefix, num_images=int(num_images),
                     num_images_with_boxes=len(boxed),
                     cam_thresholds=self.cam_thresholds.tolist(),
                     **box_curves,
                     **({'pxap': pr_curve} if pr_curve else {})))
        return metrics

    def _write_curves(self, curves: dict) -> None:
        path = self.curves_file
        if not osp.isabs(path):
            log_file = MMLogger.get_current_instance().log_file
            if log_file is not None:
                path = osp.join(osp.dirname(log_file), path)
        folder = osp.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        mmengine.dump(curves, path, indent=1)
        print_log(f'WSOLMetric: wrote the curves to {path} (plot them with '
                  'tools/analysis_tools/plot_curves.py)', logger='current')
