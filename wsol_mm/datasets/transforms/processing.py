"""Geometric transforms moving the boxes and the masks with the image.

Boxes are ``x0 y0 x1 y1`` float64 on a continuous grid where pixel ``i``
spans ``[i, i + 1)``: an image of width ``W`` covers ``[0, W]``. Each
transform composes its matrix into ``homography_matrix`` (original image to
network input, see :mod:`wsol_mm.structures.geometry`).
"""
from typing import Callable, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from wsol_mm.registry import TRANSFORMS
from wsol_mm.structures import (horizontal_flip_matrix, record_homography,
                                scale_matrix, translation_matrix)


def _pair(size: Union[int, Sequence[int]], name: str) -> Tuple[int, int]:
    """``size`` as positive ints ``(w, h)``; an int means a square."""
    if isinstance(size, int):
        size = (size, size)
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) <= 0:
        raise ValueError(f'{name} must be a positive int or (w, h), got '
                         f'{size}')
    return size


# Per-pixel label maps that follow the image: the PxAP ground truth and the
# pseudo masks of a segmentation stage.
MASK_KEYS = ('gt_mask', 'pseudo_mask')


def _masks(results: dict) -> Tuple[str, ...]:
    """The keys of ``MASK_KEYS`` present in ``results``."""
    return tuple(key for key in MASK_KEYS if key in results)


# Boxes that follow the image: the ground truth and the pseudo boxes of a box
# regressor's training (SLT-Net).
BOX_KEYS = ('gt_bboxes', 'pseudo_bboxes')


def _move_boxes(results: dict,
                move: Callable[[np.ndarray], np.ndarray]) -> None:
    """Replace every box array of ``BOX_KEYS`` in ``results`` by ``move`` of
    its float64 ``(k, 4)`` copy."""
    for key in BOX_KEYS:
        if key in results:
            boxes = np.array(results[key], dtype=np.float64).reshape(-1, 4)
            results[key] = move(boxes)


@TRANSFORMS.register_module()
class Resize(BaseTransform):
    """Resize the image; boxes (``BOX_KEYS``) follow as ``x * new_w /
    old_w``.

    Exactly one of:

    - ``size=(w, h)``: warp to that size whatever the aspect ratio (the
      wsolevaluation 224x224 test-time resize);
    - ``shorter_side=s``: scale so that the shorter side is ``s``, keeping
      the aspect ratio (the longer side is rounded to the nearest int).

    The box scaling multiplies first and divides second, in float64, so that
    ``int()`` of a resized coordinate equals the protocol's
    ``int(x * 224 / W)``. ``scale_factor`` (w_scale, h_scale) accumulates
    over several resizes; masks use nearest-neighbour interpolation.
    """

    def __init__(self,
                 size: Union[int, Sequence[int], None] = None,
                 shorter_side: Optional[int] = None,
                 interpolation: str = 'bilinear'):
        if (size is None) == (shorter_side is None):
            raise ValueError('give exactly one of size and shorter_side')
        self.size = None if size is None else _pair(size, 'size')
        if shorter_side is not None and int(shorter_side) <= 0:
            raise ValueError(f'shorter_side must be positive, got '
                             f'{shorter_side}')
        self.shorter_side = None if shorter_side is None else int(shorter_side)
        self.interpolation = interpolation

    def _new_size(self, width: int, height: int) -> Tuple[int, int]:
        if self.size is not None:
            return self.size
        side = self.shorter_side
        if width <= height:
            return side, max(1, int(height * side / width + 0.5))
        return max(1, int(width * side / height + 0.5)), side

    def transform(self, results: dict) -> dict:
        img = results['img']
        height, width = img.shape[:2]
        new_w, new_h = self._new_size(width, height)
        return resize(results, width, height, new_w, new_h, self.interpolation)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'shorter_side={self.shorter_side}, '
                f"interpolation='{self.interpolation}')")


def resize(results: dict, width: int, height: int, new_w: int, new_h: int,
           interpolation: str) -> dict:
    """Resize the ``width`` x ``height`` image to ``new_w`` x ``new_h``.

    Boxes (``BOX_KEYS``) scale as ``x * new_w / width`` (multiply first,
    then divide, in float64), the masks (``MASK_KEYS``) are resized with
    nearest neighbours, ``scale_factor`` (w_scale, h_scale) accumulates,
    ``img_shape`` becomes ``(new_h, new_w)`` and the scaling is recorded
    in ``homography_matrix``.
    """
    results['img'] = mmcv.imresize(
        results['img'], (new_w, new_h), interpolation=interpolation)

    def scale(boxes):
        boxes[:, 0::2] = boxes[:, 0::2] * new_w / width
        boxes[:, 1::2] = boxes[:, 1::2] * new_h / height
        return boxes

    _move_boxes(results, scale)
    for key in _masks(results):
        results[key] = mmcv.imresize(
            results[key], (new_w, new_h), interpolation='nearest')
    w_scale, h_scale = results.get('scale_factor', (1.0, 1.0))
    results['scale_factor'] = (w_scale * new_w / width,
                               h_scale * new_h / height)
    results['img_shape'] = (new_h, new_w)
    return record_homography(results,
                             scale_matrix(new_w / width, new_h / height))


def crop(results: dict, x0: int, y0: int, width: int, height: int) -> dict:
    """Cut ``[x0, x0 + width) x [y0, y0 + height)`` out of the image.

    Boxes (``BOX_KEYS``) are shifted by ``(-x0, -y0)`` and clipped to
    ``[0, width] x [0, height]``; a box that falls outside keeps its row
    with zero area. The window is recorded as ``crop_bbox`` (x0, y0, x1,
    y1) and the shift in ``homography_matrix``.
    """
    results['img'] = results['img'][y0:y0 + height, x0:x0 + width]

    def shift(boxes):
        boxes[:, 0::2] = np.clip(boxes[:, 0::2] - x0, 0, width)
        boxes[:, 1::2] = np.clip(boxes[:, 1::2] - y0, 0, height)
        return boxes

    _move_boxes(results, shift)
    for key in _masks(results):
        results[key] = results[key][y0:y0 + height, x0:x0 + width]
    results['img_shape'] = (height, width)
    results['crop_bbox'] = (x0, y0, x0 + width, y0 + height)
    return record_homography(results, translation_matrix(-x0, -y0))


class _BaseCrop(BaseTransform):
    """Crop a fixed ``size=(w, h)`` window (an int means a square)."""

    def __init__(self, size: Union[int, Sequence[int]]):
        self.size = _pair(size, 'size')

    def _offset(self, width: int, height: int) -> Tuple[int, int]:
        raise NotImplementedError

    def transform(self, results: dict) -> dict:
        height, width = results['img'].shape[:2]
        crop_w, crop_h = self.size
        if crop_w > width or crop_h > height:
            raise ValueError(
                f'{self.__class__.__name__}: crop {self.size} is larger than '
                f'the image ({width}, {height}) of '
                f'{results.get("img_path", "<no img_path>")}')
        x0, y0 = self._offset(width - crop_w, height - crop_h)
        return crop(results, x0, y0, crop_w, crop_h)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size})'


@TRANSFORMS.register_module()
class RandomCrop(_BaseCrop):
    """Crop ``size=(w, h)`` at a uniformly random offset (``np.random``)."""

    @cache_randomness
    def _offset(self, max_x: int, max_y: int) -> Tuple[int, int]:
        return (int(np.random.randint(0, max_x + 1)),
                int(np.random.randint(0, max_y + 1)))


@TRANSFORMS.register_module()
class CenterCrop(_BaseCrop):
    """Crop ``size=(w, h)`` from the centre (offsets rounded down)."""

    def _offset(self, max_x: int, max_y: int) -> Tuple[int, int]:
        return max_x // 2, max_y // 2


@TRANSFORMS.register_module()
class RandomFlip(BaseTransform):
    """Flip horizontally with probability ``prob``: ``x -> W - x``.

    ``flip`` tells whether the image is mirrored relative to the file (two
    flips give ``False``), ``flip_direction`` is ``'horizontal'`` or None;
    a flip is recorded in ``homography_matrix``.
    """

    def __init__(self, prob: float = 0.5):
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    @cache_randomness
    def _do_flip(self) -> bool:
        return bool(np.random.rand() < self.prob)

    def transform(self, results: dict) -> dict:
        flipped = bool(results.get('flip', False))
        if self._do_flip():
            width = results['img'].shape[1]
            results['img'] = np.ascontiguousarray(results['img'][:, ::-1])

            def mirror(boxes):
                boxes[:, [0, 2]] = width - boxes[:, [2, 0]]
                return boxes

            _move_boxes(results, mirror)
            for key in _masks(results):
                results[key] = np.ascontiguousarray(results[key][:, ::-1])
            record_homography(results, horizontal_flip_matrix(width))
            flipped = not flipped
        results['flip'] = flipped
        results['flip_direction'] = 'horizontal' if flipped else None
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'
