"""Test-time augmentation that averages the class scores of the views."""
from typing import List, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.model import BaseTTAModel
from mmengine.structures import BaseDataElement

from wsol_mm.registry import MODELS


def _same(a, b) -> bool:
    """Whether two meta or data values are equal (arrays element-wise)."""
    if isinstance(a, (torch.Tensor, np.ndarray)) or \
            isinstance(b, (torch.Tensor, np.ndarray)):
        a, b = (v.detach().cpu().numpy() if isinstance(v, torch.Tensor)
                else np.asarray(v) for v in (a, b))
        return a.shape == b.shape and bool((a == b).all())
    return a == b


def _agreed(items: Sequence[dict]) -> dict:
    """The keys of ``items[0]`` whose value is the same in every item."""
    return {
        key: value
        for key, value in items[0].items()
        if all(key in other and _same(value, other[key])
               for other in items[1:])
    }


@MODELS.register_module()
class AverageClassScoreTTA(BaseTTAModel):
    """Averages ``pred_score`` over the augmented views of each image (e.g.
    the ten crops of :class:`TenCrop`, SLT-Net section 4.1).

    Unlike MMPretrain's ``AverageClsScoreTTA``, which copies the first view's
    sample (hence its ``pred_label`` and crop geometry), the merged sample
    keeps only what every view agrees on: meta information such as
    ``img_path``, ``ori_shape`` and ``sample_idx``, and data such as
    ``gt_label``. View-specific fields (``img_shape``, ``crop_bbox``,
    ``flip``, ``homography_matrix``, boxes, maps) and every ``pred_*`` field
    are dropped; ``pred_score`` is the average and ``pred_label`` its arg
    max, as MMPretrain's ``Accuracy`` and ``DumpClassScores`` read them.

    Args:
        module (dict or nn.Module): The tested model; its ``pred_score`` must
            be class probabilities (softmax), as for MMPretrain classifiers
            and wsol_mm localizers.
        average (str): ``'probability'``: the mean of the views'
            probabilities. ``'logit'``: the softmax of the mean of their
            log-probabilities, which equals the softmax of the mean logits
            (log-softmax shifts each view's logits by a constant); a
            probability that underflowed to 0 stays 0. Defaults to
            ``'probability'``.
        data_preprocessor (dict or nn.Module, optional): See
            ``BaseTTAModel``.
    """

    AVERAGES = ('probability', 'logit')

    def __init__(self, module: Union[dict, nn.Module],
                 average: str = 'probability', data_preprocessor=None):
        if average not in self.AVERAGES:
            raise ValueError(f'average must be one of {self.AVERAGES}, got '
                             f'{average!r}')
        super().__init__(module, data_preprocessor)
        self.average = average

    def merge_preds(self, data_samples_list: List[List[BaseDataElement]]
                    ) -> List[BaseDataElement]:
        return [self._merge(views) for views in data_samples_list]

    def _average_score(self, scores: torch.Tensor) -> torch.Tensor:
        """The merged scores of ``(views, num_classes)`` probabilities."""
        if self.average == 'probability':
            return scores.mean(0)
        tiny = torch.finfo(scores.dtype).tiny
        return scores.clamp_min(tiny).log().mean(0).softmax(0)

    def _merge(self, views: Sequence[BaseDataElement]) -> BaseDataElement:
        for view in views:
            if 'pred_score' not in view:
                raise KeyError(
                    'AverageClassScoreTTA: a view of '
                    f'{view.metainfo.get("img_path", "<no img_path>")} has no '
                    f'pred_score; the model ({type(self.module).__name__}) '
                    'must predict class scores')
        score = self._average_score(
            torch.stack([view.pred_score.float() for view in views]))
        merged = type(views[0])()
        merged.set_metainfo(_agreed([view.metainfo for view in views]))
        data = _agreed([dict(view.items()) for view in views])
        merged.set_data({key: value for key, value in data.items()
                         if not key.startswith('pred_')})
        merged.set_field(score, 'pred_score', dtype=torch.Tensor)
        merged.set_field(score.argmax().reshape(1), 'pred_label',
                         dtype=torch.Tensor)
        return merged
