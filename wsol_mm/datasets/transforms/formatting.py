"""Pack a transformed result dict into model inputs and a data sample."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from wsol_mm.registry import TRANSFORMS
from wsol_mm.structures.wsol_data_sample import WSOLDataSample


def image_tensor(img) -> torch.Tensor:
    """An HWC (or HW) image array as a CHW tensor of its dtype."""
    img = np.asarray(img)
    if img.ndim == 2:
        img = img[..., None]
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))


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

    SLT-Net's inputs are packed too: ``pseudo_bboxes`` (a box stage's pseudo
    box on the input grid, float64 (k, 4)) and the second view of
    :class:`PairedViews`, ``img_view2``, as a CHW tensor like ``inputs``
    (its size may differ from the input's), with its transform
    ``view2_affine`` (2x3, input to view-2 pixels), ``view2_scale`` and
    ``view2_flip`` as meta information.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('img_path', 'img_id',
                                             'sample_idx', 'ori_shape',
                                             'img_shape', 'scale_factor',
                                             'flip', 'homography_matrix',
                                             'view2_affine', 'view2_scale',
                                             'view2_flip')):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        inputs = image_tensor(results['img'])
        sample = WSOLDataSample()
        if 'gt_label' in results:
            sample.set_gt_label(results['gt_label'])
        if 'gt_bboxes' in results:
            sample.set_gt_bboxes(results['gt_bboxes'])
        if 'gt_mask' in results:
            sample.set_gt_mask(results['gt_mask'])
        if 'pseudo_mask' in results:
            sample.set_pseudo_mask(results['pseudo_mask'])
        if 'pseudo_bboxes' in results:
            sample.set_pseudo_bboxes(results['pseudo_bboxes'])
        if 'img_view2' in results:
            sample.img_view2 = image_tensor(results['img_view2'])
        sample.set_metainfo(
            {key: results[key] for key in self.meta_keys if key in results})
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
