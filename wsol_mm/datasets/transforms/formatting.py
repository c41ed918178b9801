"""Pack a transformed result dict into model inputs and a data sample."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from wsol_mm.registry import TRANSFORMS
from wsol_mm.structures.wsol_data_sample import WSOLDataSample


@TRANSFORMS.register_module()
class PackWSOLInputs(BaseTransform):
    """Produce ``dict(inputs=..., data_samples=...)``.

    ``inputs`` is the image as a CHW tensor of the image's dtype (uint8 after
    :class:`LoadImageFromFile`). The :class:`WSOLDataSample` gets
    ``gt_label``, ``gt_bboxes`` (float64), ``gt_mask`` and ``pseudo_mask``
    through its setters when those keys are present, and the ``meta_keys``
    found in the results as meta information, among them
    ``homography_matrix`` (original image to input pixels, recorded by the
    geometric transforms; see :mod:`wsol_mm.structures.geometry`).
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('img_path', 'img_id',
                                             'sample_idx', 'ori_shape',
                                             'img_shape', 'scale_factor',
                                             'flip', 'homography_matrix')):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        img = np.asarray(results['img'])
        if img.ndim == 2:
            img = img[..., None]
        inputs = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0,
                                                                     1)))
        sample = WSOLDataSample()
        if 'gt_label' in results:
            sample.set_gt_label(results['gt_label'])
        if 'gt_bboxes' in results:
            sample.set_gt_bboxes(results['gt_bboxes'])
        if 'gt_mask' in results:
            sample.set_gt_mask(results['gt_mask'])
        if 'pseudo_mask' in results:
            sample.set_pseudo_mask(results['pseudo_mask'])
        sample.set_metainfo(
            {key: results[key] for key in self.meta_keys if key in results})
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
