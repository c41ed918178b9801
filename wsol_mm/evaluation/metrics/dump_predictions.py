"""Writes per-image predictions to a file (``tools/test.py --out``)."""
from typing import Optional, Sequence

import mmengine
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from wsol_mm.registry import METRICS
from wsol_mm.structures.geometry import boxes_to_original, homography_of

RECORD_KEYS = ('img_path', 'img_id', 'sample_idx', 'ori_shape', 'img_shape',
               'gt_label', 'gt_bboxes', 'pred_labels', 'pred_bboxes')


def _to_list(value):
    return value.tolist() if hasattr(value, 'tolist') else value


def prediction_record(sample: dict, strict: bool = True) -> dict:
    """One image's record of ``tools/test.py --out`` (the ``wsol`` format).

    Keys (those the sample has): ``img_path``, ``img_id``, ``sample_idx``,
    ``ori_shape`` and ``img_shape`` (H, W), ``gt_label``, ``gt_bboxes`` and
    ``pred_bboxes`` ((k, 4) ``x0 y0 x1 y1`` on the network input, the grid
    the metrics score), ``pred_labels`` (the top-k classes, one box each),
    ``pred_label_scores`` (their class scores), ``homography_matrix`` (3x3,
    original to input pixels) and ``pred_bboxes_original`` (the predicted
    boxes in original-image pixels, :func:`boxes_to_original` clipped to
    ``ori_shape``). Box corners are continuous pixel coordinates: the
    protocol's ``[x, y, x + w, y + h]`` of a contour spans its pixels.

    A sample whose input differs from its original image without a recorded
    homography (a transform of another package) raises :func:`homography_of`'s
    error, or, unless ``strict``, gets no original-pixel keys.
    """
    record = {key: _to_list(sample[key]) for key in RECORD_KEYS
              if key in sample}
    if 'pred_score' in sample and 'pred_labels' in sample:
        record['pred_label_scores'] = _to_list(
            sample['pred_score'][sample['pred_labels']])
    if 'pred_bboxes' in sample:
        try:
            homography = homography_of(sample)
        except ValueError:
            if strict:
                raise
            return record
        record['homography_matrix'] = homography.tolist()
        record['pred_bboxes_original'] = boxes_to_original(
            sample['pred_bboxes'], homography,
            sample.get('ori_shape')).tolist()
    return record


@METRICS.register_module()
class DumpWSOLPredictions(BaseMetric):
    """Saves, per image, its path, labels, boxes and top-k predictions (not
    the score maps; see :func:`prediction_record`) as ``.json`` or ``.pkl``;
    returns no metric. Samples without a known way back to the original
    image get no original-pixel boxes (``strict=False``)."""

    strict = False

    def __init__(self, out_file: str, collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        if not out_file.endswith(('.json', '.pkl', '.pickle')):
            raise ValueError(f'--out must end in .json or .pkl, got '
                             f'"{out_file}"')
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_file = out_file

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append(prediction_record(sample, self.strict))

    def compute_metrics(self, results: list) -> dict:
        mmengine.dump(results, self.out_file)
        print_log(f'Wrote the predictions of {len(results)} images to '
                  f'{self.out_file}', logger='current')
        return {}
