"""A second, transformed view of the image for SLT-Net's VST loss.

``PairedViews`` adds the view; :func:`wsol_mm.structures.inverse_warp`
brings a map computed on it back onto the original's grid. Coordinates are
continuous: pixel ``i`` spans ``[i, i + 1)``, an image of width ``W`` covers
``[0, W]``.
"""
from typing import Optional, Sequence, Tuple, Union

import cv2
import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmpretrain.datasets.transforms import ColorJitter

from wsol_mm.registry import TRANSFORMS
from wsol_mm.structures.geometry import horizontal_flip_matrix, scale_matrix
from .hide_and_seek import IMAGENET_BGR_MEAN, fill_value

SCALE_MODES = ('resize', 'zoom')


def _shift_hue(img: np.ndarray, factor: float) -> np.ndarray:
    """Rotate the hue of a BGR image by ``factor`` turns (mmcv's
    ``adjust_hue`` overflows for negative factors under NumPy 2)."""
    if img.ndim != 3 or img.shape[2] != 3:
        return img
    hsv = cv2.cvtColor(
        np.clip(img, 0, 255).astype(np.uint8), cv2.COLOR_BGR2HSV_FULL)
    shift = int(round(factor * 255))
    hsv[..., 0] = ((hsv[..., 0].astype(np.int32) + shift) % 256).astype(
        np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL).astype(img.dtype)


def _pixel_centre_matrix(affine: np.ndarray) -> np.ndarray:
    """The same map for OpenCV's coordinates, where pixel centres are
    integers: ``u = x - 0.5``."""
    matrix = np.array(affine, dtype=np.float64)
    matrix[:, 2] += 0.5 * matrix[:, :2].sum(axis=1) - 0.5
    return matrix


@TRANSFORMS.register_module()
class PairedViews(BaseTransform):
    """Keep ``img``; add ``img_view2 = g(img)``, SLT-Net's transformed view.

    ``g`` (SLT-Net Eq. 10: colour jitter, horizontal flip, scale; the paper
    gives neither order, ranges nor probabilities) is applied in this order:
    colour jitter (factors and order drawn by MMPretrain's ``ColorJitter``),
    scale by ``s``, horizontal flip with probability ``flip_prob``. ``s`` is
    drawn uniformly from ``scale_range``, or uniformly among
    ``scale_choices`` when given (discrete scales give views of equal sizes
    that a model can batch). The scale depends on ``scale_mode``:

    - ``'resize'`` (default, the paper: ``I^t`` is ``W' x H'``, Eq. 11): the
      whole image is resized with OpenCV to ``W' = max(d, round(s * W / d) *
      d)`` (rounded half up; ``d = size_divisor``), ``H'`` likewise, so the
      view differs in size from ``img``. No border, no padding::

          x' = (W' / W) * x                  (flipped: x' -> W' - x')
          y' = (H' / H) * y

    - ``'zoom'``: the view keeps the original's size, scaled by ``s`` about
      the image centre (``s > 1`` zooms in and cuts the border, ``s < 1``
      zooms out: view-2 pixels whose centre comes from outside the
      original's ``[0, W] x [0, H]`` take ``fill``, edge pixels are
      replicated up to that border)::

          x' = s * (x - W / 2) + W / 2       (flipped: x' -> W - x')
          y' = s * (y - H / 2) + H / 2

    The geometric part is stored as ``view2_affine``, a float64 2x3 matrix
    ``A`` with ``[x', y'] = A @ [x, y, 1]`` from original to view-2
    continuous coordinates; it is the exact transform (in 'resize' its
    scales are ``W' / W`` and ``H' / H``, not ``s``). ``view2_scale`` (``s``
    as drawn) and ``view2_flip`` record the draws. Boxes and masks are left
    alone (they describe the original view). Training-only.

    Args:
        color_jitter (dict, optional): ``ColorJitter``'s ``brightness``,
            ``contrast``, ``saturation`` and ``hue`` ranges, applied with
            OpenCV; None for no jitter. Default 0.4 / 0.4 / 0.4 / 0.1 (our
            choice).
        flip_prob (float): Probability of the horizontal flip; 0.5 (our
            choice).
        scale_range (tuple): ``(min, max)`` of ``s``; (0.75, 1.25) is our
            choice.
        scale_choices (Sequence[float], optional): Discrete values of ``s``
            drawn with equal probability; overrides ``scale_range``.
        scale_mode (str): 'resize' (the whole image, new size) or 'zoom'
            (about the centre, same size).
        size_divisor (int): 'resize' rounds ``W'`` and ``H'`` to multiples
            of it (e.g. the localizer's stride, for whole feature cells).
        interpolation (str): 'bilinear' or 'nearest' for the image warp
            (nearest: OpenCV's centre-aligned ``INTER_NEAREST_EXACT`` in
            'resize'). Bilinear downscaling does not antialias.
        fill (float | Sequence[float]): Value of the padded border of a
            'zoom' view, the dataset mean in the image's channel order by
            default.
    """

    _CV2_FLAGS = dict(bilinear=cv2.INTER_LINEAR, nearest=cv2.INTER_NEAREST)
    _CV2_RESIZE_FLAGS = dict(
        bilinear=cv2.INTER_LINEAR, nearest=cv2.INTER_NEAREST_EXACT)

    def __init__(self,
                 color_jitter: Optional[dict] = dict(
                     brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1),
                 flip_prob: float = 0.5,
                 scale_range: Tuple[float, float] = (0.75, 1.25),
                 scale_choices: Optional[Sequence[float]] = None,
                 scale_mode: str = 'resize',
                 size_divisor: int = 1,
                 interpolation: str = 'bilinear',
                 fill: Union[float, Sequence[float]] = IMAGENET_BGR_MEAN):
        if not 0 <= flip_prob <= 1:
            raise ValueError(f'flip_prob must be in [0, 1], got {flip_prob}')
        scale_range = tuple(float(s) for s in scale_range)
        if len(scale_range) != 2 or not 0 < scale_range[0] <= scale_range[1]:
            raise ValueError(f'scale_range must be 0 < min <= max, got '
                             f'{scale_range}')
        if scale_choices is not None:
            scale_choices = tuple(float(s) for s in scale_choices)
            if not scale_choices or min(scale_choices) <= 0:
                raise ValueError(f'scale_choices must be positive scales, '
                                 f'got {scale_choices}')
        if scale_mode not in SCALE_MODES:
            raise ValueError(f'scale_mode must be one of {SCALE_MODES}, got '
                             f'{scale_mode!r}')
        if int(size_divisor) != size_divisor or size_divisor < 1:
            raise ValueError(f'size_divisor must be an integer >= 1, got '
                             f'{size_divisor}')
        if interpolation not in self._CV2_FLAGS:
            raise ValueError(f'interpolation must be one of '
                             f'{tuple(self._CV2_FLAGS)}, got {interpolation}')
        self.color_jitter = None if color_jitter is None else dict(
            color_jitter)
        self._jitter = None
        if color_jitter is not None:
            self._jitter = ColorJitter(**{'backend': 'cv2', **color_jitter})
        self.flip_prob = float(flip_prob)
        self.scale_range = scale_range
        self.scale_choices = scale_choices
        self.scale_mode = scale_mode
        self.size_divisor = int(size_divisor)
        self.interpolation = interpolation
        self.fill = tuple(float(v) for v in np.atleast_1d(fill))

    @cache_randomness
    def _draw(self) -> Tuple[bool, float]:
        flip = bool(np.random.rand() < self.flip_prob)
        if self.scale_choices is not None:
            index = np.random.randint(len(self.scale_choices))
            return flip, self.scale_choices[index]
        return flip, float(np.random.uniform(*self.scale_range))

    @staticmethod
    def affine_matrix(width: int, height: int, scale: float,
                      flip: bool) -> np.ndarray:
        """``A`` (2x3, float64) of a 'zoom': a centred scale then an
        optional flip."""
        affine = np.array([[scale, 0., (1 - scale) * width / 2],
                           [0., scale, (1 - scale) * height / 2]])
        if flip:
            affine[0] = [-scale, 0., width - affine[0, 2]]
        return affine

    @staticmethod
    def resize_matrix(width: int, height: int, view_w: int, view_h: int,
                      flip: bool) -> np.ndarray:
        """``A`` (2x3, float64) of a 'resize' from ``width`` x ``height`` to
        ``view_w`` x ``view_h``, then an optional flip."""
        matrix = scale_matrix(view_w / width, view_h / height)
        if flip:
            matrix = horizontal_flip_matrix(view_w) @ matrix
        return matrix[:2]

    def view_size(self, width: int, height: int,
                  scale: float) -> Tuple[int, int]:
        """``(W', H')`` of a 'resize' view: ``s`` times the size, rounded
        half up to a multiple of ``size_divisor`` (at least one)."""
        divisor = self.size_divisor
        return tuple(
            max(divisor, int(np.floor(scale * side / divisor + 0.5)) *
                divisor) for side in (width, height))

    @staticmethod
    def _outside(affine: np.ndarray, height: int, width: int) -> np.ndarray:
        """Pixels of view 2 whose centre maps outside the original image."""
        inverse = np.linalg.inv(np.vstack([affine, [0., 0., 1.]]))[:2]
        ys, xs = np.mgrid[0:height, 0:width] + 0.5
        src_x = inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]
        src_y = inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]
        return (src_x < 0) | (src_x > width) | (src_y < 0) | (src_y > height)

    def _color_jitter(self, img: np.ndarray) -> np.ndarray:
        """MMPretrain's ``ColorJitter`` draw (random order and factors),
        applied with mmcv's OpenCV ops and :func:`_shift_hue`."""
        order, brightness, contrast, saturation, hue = \
            self._jitter._rand_params()
        for index in order:
            if index == 0 and brightness is not None:
                img = mmcv.adjust_brightness(img, brightness, backend='cv2')
            elif index == 1 and contrast is not None:
                img = mmcv.adjust_contrast(img, contrast, backend='cv2')
            elif index == 2 and saturation is not None:
                img = mmcv.adjust_color(img, alpha=saturation, backend='cv2')
            elif index == 3 and hue is not None:
                img = _shift_hue(img, hue)
        return img

    def _zoom(self, view2: np.ndarray, scale: float, flip: bool
              ) -> Tuple[np.ndarray, np.ndarray]:
        height, width = view2.shape[:2]
        affine = self.affine_matrix(width, height, scale, flip)
        # Edge pixels are replicated up to the image's border [0, W] x
        # [0, H]; pixels whose centre comes from outside it take ``fill``.
        warped = cv2.warpAffine(
            np.ascontiguousarray(view2), _pixel_centre_matrix(affine),
            (width, height),
            flags=self._CV2_FLAGS[self.interpolation],
            borderMode=cv2.BORDER_REPLICATE)
        if view2.ndim == 3 and warped.ndim == 2:  # OpenCV drops one channel
            warped = warped[..., None]
        warped[self._outside(affine, height, width)] = fill_value(
            self.fill, view2)
        return warped, affine

    def _resize(self, view2: np.ndarray, scale: float, flip: bool
                ) -> Tuple[np.ndarray, np.ndarray]:
        height, width = view2.shape[:2]
        view_w, view_h = self.view_size(width, height, scale)
        # OpenCV's resize samples at (u + 0.5) * W / W' - 0.5: pixel
        # centres match, i.e. x' = (W' / W) x in continuous coordinates.
        resized = cv2.resize(
            np.ascontiguousarray(view2), (view_w, view_h),
            interpolation=self._CV2_RESIZE_FLAGS[self.interpolation])
        if view2.ndim == 3 and resized.ndim == 2:  # OpenCV drops one channel
            resized = resized[..., None]
        if flip:
            resized = np.ascontiguousarray(resized[:, ::-1])
        return resized, self.resize_matrix(width, height, view_w, view_h,
                                           flip)

    def transform(self, results: dict) -> dict:
        img = results['img']
        view2 = img
        if self._jitter is not None:
            view2 = self._color_jitter(img.copy())
        flip, scale = self._draw()
        scale_view = self._resize if self.scale_mode == 'resize' else \
            self._zoom
        view2, affine = scale_view(view2, scale, flip)
        results['img_view2'] = view2
        results['view2_affine'] = affine
        results['view2_scale'] = scale
        results['view2_flip'] = flip
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(color_jitter={self.color_jitter}, '
                f'flip_prob={self.flip_prob}, '
                f'scale_range={self.scale_range}, '
                f'scale_choices={self.scale_choices}, '
                f"scale_mode='{self.scale_mode}', "
                f'size_divisor={self.size_divisor}, '
                f"interpolation='{self.interpolation}', fill={self.fill})")
