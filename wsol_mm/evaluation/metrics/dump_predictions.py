"""Writes per-image predictions to a file (``tools/test.py --out``)."""
from typing import Optional, Sequence

import mmengine
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from wsol_mm.registry import METRICS


def _to_list(value):
    return value.tolist() if hasattr(value, 'tolist') else value


@METRICS.register_module()
class DumpWSOLPredictions(BaseMetric):
    """Saves, per image, its path, labels, boxes and top-k predictions (not
    the score maps) as ``.json`` or ``.pkl``; returns no metric."""

    def __init__(self, out_file: str, collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        if not out_file.endswith(('.json', '.pkl', '.pickle')):
            raise ValueError(f'--out must end in .json or .pkl, got '
                             f'"{out_file}"')
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_file = out_file

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            record = {key: _to_list(sample[key]) for key in (
                'img_path', 'sample_idx', 'img_shape', 'gt_label',
                'gt_bboxes', 'pred_labels', 'pred_bboxes') if key in sample}
            if 'pred_score' in sample and 'pred_labels' in sample:
                record['pred_label_scores'] = _to_list(
                    sample['pred_score'][sample['pred_labels']])
            self.results.append(record)

    def compute_metrics(self, results: list) -> dict:
        mmengine.dump(results, self.out_file)
        print_log(f'Wrote the predictions of {len(results)} images to '
                  f'{self.out_file}', logger='current')
        return {}
