"""Class predictions of a separate classifier, saved and looked up by image.

SPOL and ISIC take the localizer's box and the class of a separate
classifier: the classifier's test run writes its scores with
:class:`DumpClassScores`, ``WSOLMetric(class_scores=FILE)`` reads them back.
"""
import os.path as osp
from typing import Optional, Sequence

import mmengine
import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from wsol_mm.registry import METRICS


def _image_key(img_path: str) -> str:
    return osp.normpath(img_path)


class ClassScores:
    """Scores (n, num_classes) of images, looked up by ``img_path``."""

    def __init__(self, img_paths: Sequence[str], scores: np.ndarray,
                 source: str = '<memory>'):
        scores = np.asarray(scores, dtype=np.float32)
        if scores.ndim != 2 or len(scores) != len(img_paths):
            raise ValueError(f'{source}: expected one score row per image, '
                             f'got {len(img_paths)} images and scores of '
                             f'shape {scores.shape}')
        self.source = source
        self.scores = scores
        self.rows = {_image_key(p): i for i, p in enumerate(img_paths)}

    def of(self, sample: dict) -> np.ndarray:
        """The scores of the image of a data sample (a dict)."""
        img_path = sample.get('img_path')
        row = None if img_path is None else self.rows.get(
            _image_key(img_path))
        if row is None:
            raise KeyError(f'{self.source} has no class scores for the image '
                           f'{img_path}: was the classifier tested on the '
                           'same split?')
        return self.scores[row]


def load_class_scores(path: str) -> ClassScores:
    """Read a file written by :class:`DumpClassScores`."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'class scores file not found: {path}')
    content = mmengine.load(path)
    if not isinstance(content, dict) or \
            {'img_paths', 'scores'} - set(content):
        raise ValueError(f'{path} is not a class scores file (a dict with '
                         'img_paths and scores)')
    return ClassScores(content['img_paths'], content['scores'], source=path)


@METRICS.register_module()
class DumpClassScores(BaseMetric):
    """Saves every image's ``pred_score`` (any model whose data samples carry
    ``img_path`` and ``pred_score``: wsol_mm localizers, MMPretrain
    classifiers) to ``out_file`` (.pkl); returns no metric."""

    def __init__(self, out_file: str, collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_file = out_file

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if sample.get('pred_score') is None:
                continue
            score = sample['pred_score']
            if hasattr(score, 'cpu'):
                score = score.detach().float().cpu().numpy()
            self.results.append((sample['img_path'], np.asarray(score)))

    def compute_metrics(self, results: list) -> dict:
        if not results:
            print_log('DumpClassScores: the model predicts no class scores; '
                      f'{self.out_file} is not written', logger='current')
            return {}
        mmengine.mkdir_or_exist(osp.dirname(osp.abspath(self.out_file)))
        mmengine.dump(
            dict(img_paths=[path for path, _ in results],
                 scores=np.stack([score for _, score in results])),
            self.out_file)
        print_log(f'Wrote the class scores of {len(results)} images to '
                  f'{self.out_file}', logger='current')
        return {}
