"""The data element that travels between the transforms, models and metrics."""
from typing import Sequence, Union

import numpy as np
import torch
from mmengine.structures import BaseDataElement


# CPU tensors up to this size are pickled inside the data sample's bytes. A
# DataLoader worker otherwise sends every tensor's storage as a file
# descriptor, one socket round trip of the main process each: measured
# 17-20 ms of main-process CPU per batch of 16 CUB samples (gt_label and
# gt_bboxes), 8 ms with the small tensors inline.
INLINE_TENSOR_BYTES = 64 * 1024
_NUMPY_DTYPES = (torch.bool, torch.uint8, torch.int8, torch.int16,
                 torch.int32, torch.int64, torch.float16, torch.float32,
                 torch.float64, torch.complex64, torch.complex128)


def _as_tensor(value, dtype) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.to(dtype)
    return torch.as_tensor(np.asarray(value), dtype=dtype)


def _tensor_from_array(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(array if array.flags.writeable else array.copy())


class _InlineTensor:
    """A small CPU tensor that pickles as its numpy array and unpickles
    (or deep-copies) as a tensor again."""

    def __init__(self, tensor: torch.Tensor):
        self.array = tensor.resolve_conj().resolve_neg().numpy()

    def __reduce__(self):
        return _tensor_from_array, (self.array, )

    @staticmethod
    def accepts(value) -> bool:
        return (type(value) is torch.Tensor and value.device.type == 'cpu'
                and not value.requires_grad and value.dtype in _NUMPY_DTYPES
                and value.numel() * value.element_size()
                <= INLINE_TENSOR_BYTES)


class WSOLDataSample(BaseDataElement):
    """One image of a WSOL dataset, with its annotations and predictions.

    Meta fields (set by the transforms): ``img_path``, ``img_id``,
    ``sample_idx``, ``ori_shape`` and ``img_shape`` as (h, w), ``scale_factor``
    as (w_scale, h_scale), ``flip``.

    Data fields:

    - ``gt_label`` (LongTensor, shape (1,)): the image-level class.
    - ``gt_bboxes`` (DoubleTensor, (k, 4)): boxes ``x0 y0 x1 y1`` on the grid of
      ``img_shape``.
    - ``gt_mask`` (ByteTensor, (h, w)): 0 background, 1 foreground, 255 ignored.
    - ``pseudo_mask`` (ByteTensor, (h, w)): the pseudo label of a
      class-agnostic segmentation stage, 0 background, 1 foreground, 255
      ignored.
    - ``pseudo_bboxes`` (DoubleTensor, (k, 4)): the pseudo box(es) of a box
      regressor's training (SLT-Net), on the grid of ``img_shape``.
    - ``img_view2`` (Tensor, (C, h', w')): a second view of the input
      (:class:`PairedViews`), with ``view2_affine`` in the meta fields.
    - ``pred_score`` (FloatTensor, (num_classes,)): class probabilities.
    - ``gt_score_map`` (FloatTensor, (h, w)): the map the metrics score, on
      the evaluation grid: the min-max normalised class activation map of
      the ground-truth class by default (a CAM's ``test_cfg.score_map``
      chooses another), a segmentor's probabilities or a regressor's box
      as a binary map.
    - ``pred_labels`` (LongTensor, (k,)) and ``pred_score_maps`` (FloatTensor,
      (k, h, w)): the top-k predicted classes and their normalised maps.
    - ``pred_bboxes`` (FloatTensor, (k, 4)): one box per top-k class map.

    Pickling (a DataLoader worker sending the sample, ``copy.deepcopy``)
    writes CPU tensors of at most ``INLINE_TENSOR_BYTES`` as numpy arrays
    inside the pickle instead of sharing their storage; they come back as
    tensors of the same dtype, shape and values.
    """

    def __getstate__(self) -> dict:
        return {key: _InlineTensor(value) if _InlineTensor.accepts(value)
                else value for key, value in self.__dict__.items()}

    def set_gt_label(self, label: Union[int, Sequence[int], torch.Tensor]
                     ) -> 'WSOLDataSample':
        self.gt_label = _as_tensor(label, torch.long).reshape(-1)
        return self

    def set_gt_bboxes(self, boxes) -> 'WSOLDataSample':
        # float64 keeps the protocol's int() truncation of scaled boxes exact.
        self.gt_bboxes = _as_tensor(boxes, torch.float64).reshape(-1, 4)
        return self

    def set_pseudo_bboxes(self, boxes) -> 'WSOLDataSample':
        self.pseudo_bboxes = _as_tensor(boxes, torch.float64).reshape(-1, 4)
        return self

    def set_gt_mask(self, mask) -> 'WSOLDataSample':
        self.gt_mask = _as_tensor(mask, torch.uint8)
        return self

    def set_pseudo_mask(self, mask) -> 'WSOLDataSample':
        self.pseudo_mask = _as_tensor(mask, torch.uint8)
        return self
