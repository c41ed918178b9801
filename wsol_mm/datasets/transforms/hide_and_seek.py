"""Hide-and-Seek (Singh & Lee, ICCV 2017): hide random grid patches."""
from typing import Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from wsol_mm.registry import TRANSFORMS

IMAGENET_BGR_MEAN = (103.53, 116.28, 123.675)


def fill_value(fill: Sequence[float], img: np.ndarray) -> np.ndarray:
    """``fill`` (one value, or one per channel) as pixels of ``img``.

    A 2-D image takes the mean of the values; a 3-D one a value per channel
    (one value is repeated). Rounded for integer images, cast to their dtype.
    """
    value = np.asarray(fill, dtype=np.float64)
    channels = 1 if img.ndim == 2 else img.shape[2]
    if img.ndim == 2:
        value = value.mean()
    elif value.size == 1:
        value = np.repeat(value, channels)
    elif value.size != channels:
        raise ValueError(f'fill {fill} does not match the {channels} '
                         f'channels of the image')
    if np.issubdtype(img.dtype, np.integer):
        value = np.round(value)
    return value.astype(img.dtype)


@TRANSFORMS.register_module()
class HideAndSeek(BaseTransform):
    """Split the image into ``S x S`` pixel patches; hide each with ``p``.

    ``S`` is a patch side in pixels, as in Singh & Lee, whose patch sizes
    (16, 32, 44, 56 on 224 px ImageNet crops) are pixel sizes; "Improved
    Techniques for WSOL" uses the "mixed" setting with {0, 4, 8, 16} on
    64 px Tiny ImageNet images. Per call ``S`` is drawn uniformly from
    ``grid_sizes`` (0: nothing hidden). Patches start at the top-left
    corner; those on the right / bottom border are cut by the image border.
    Hidden pixels take ``fill``, the dataset mean (pixel values in the
    image's channel order, BGR after loading), rounded for integer images.
    Boxes and masks are unchanged. A training-only transform.

    Adds ``hide_grid_size`` (the ``S`` drawn) and ``hidden_patches``, a
    boolean ``(ceil(h / S), ceil(w / S))`` array (``(0, 0)`` when ``S = 0``)
    whose ``[r, c]`` says whether rows ``r*S:(r+1)*S`` x columns
    ``c*S:(c+1)*S`` were hidden.

    Args:
        grid_sizes (Sequence[int]): Candidate patch sides in pixels.
        hide_prob (float): Probability of hiding each patch.
        fill (float | Sequence[float]): Value of hidden pixels, one per
            channel or one for all. Defaults to ImageNet's BGR mean.
    """

    def __init__(self,
                 grid_sizes: Sequence[int] = (0, 4, 8, 16),
                 hide_prob: float = 0.5,
                 fill: Union[float, Sequence[float]] = IMAGENET_BGR_MEAN):
        grid_sizes = tuple(int(s) for s in grid_sizes)
        if not grid_sizes or min(grid_sizes) < 0:
            raise ValueError(f'grid_sizes must be non-negative ints, got '
                             f'{grid_sizes}')
        if not 0 <= hide_prob <= 1:
            raise ValueError(f'hide_prob must be in [0, 1], got {hide_prob}')
        self.grid_sizes = grid_sizes
        self.hide_prob = float(hide_prob)
        self.fill = tuple(float(v) for v in np.atleast_1d(fill))

    @cache_randomness
    def _draw(self, height: int, width: int) -> Tuple[int, np.ndarray]:
        size = self.grid_sizes[np.random.randint(len(self.grid_sizes))]
        if size == 0:
            return 0, np.zeros((0, 0), dtype=bool)
        shape = (-(-height // size), -(-width // size))
        return size, np.random.rand(*shape) < self.hide_prob

    def transform(self, results: dict) -> dict:
        img = results['img']
        height, width = img.shape[:2]
        size, hidden = self._draw(height, width)
        if hidden.any():
            pixels = hidden.repeat(size, axis=0).repeat(size, axis=1)
            img = img.copy()
            img[pixels[:height, :width]] = fill_value(self.fill, img)
            results['img'] = img
        results['hide_grid_size'] = size
        results['hidden_patches'] = hidden
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(grid_sizes={self.grid_sizes}, '
                f'hide_prob={self.hide_prob}, fill={self.fill})')
