"""GoogLeNet Resize: a random-area, random-aspect crop resized to a size.

The augmentation of "Improved Techniques for WSOL" (crop 8-100 % of the
area, aspect ratio 3/4-4/3, resize to the input size), with the boxes and
the mask carried along.
"""
from typing import Sequence, Tuple, Union

from mmpretrain.datasets.transforms import \
    RandomResizedCrop as MMPretrainRandomResizedCrop

from wsol_mm.registry import TRANSFORMS
from .processing import _pair, crop, resize


@TRANSFORMS.register_module()
class RandomResizedCrop(MMPretrainRandomResizedCrop):
    """Box-aware version of MMPretrain's ``RandomResizedCrop``.

    The window is sampled by MMPretrain's ``rand_crop_params`` (``np.random``,
    centre crop after ``max_attempts`` failures), cut with :func:`crop`
    (boxes shifted and clipped, ``crop_bbox`` recorded on the grid of the
    input image) and resized to ``size`` with :func:`resize`: boxes scale as
    ``x * size_w / crop_w``, the masks are resized with nearest neighbours,
    ``scale_factor`` accumulates and ``img_shape`` becomes ``(h, w)``.

    Args:
        size (int | (w, h)): Output size (wsol_mm's (w, h) order, unlike
            MMPretrain's ``scale`` which is (h, w)).
        crop_ratio_range (tuple): Area fraction range. Defaults to
            (0.08, 1.0).
        aspect_ratio_range (tuple): Width / height range, sampled
            log-uniformly. Defaults to (3 / 4, 4 / 3).
        max_attempts (int): Tries before the centre-crop fallback.
        interpolation (str): Image interpolation. Defaults to 'bilinear'.
    """

    def __init__(self,
                 size: Union[int, Sequence[int]],
                 crop_ratio_range: Tuple[float, float] = (0.08, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (3. / 4., 4. / 3.),
                 max_attempts: int = 10,
                 interpolation: str = 'bilinear'):
        self.size = _pair(size, 'size')
        super().__init__(
            scale=(self.size[1], self.size[0]),
            crop_ratio_range=tuple(crop_ratio_range),
            aspect_ratio_range=tuple(aspect_ratio_range),
            max_attempts=max_attempts,
            interpolation=interpolation,
            backend='cv2')

    def transform(self, results: dict) -> dict:
        y0, x0, crop_h, crop_w = self.rand_crop_params(results['img'])
        results = crop(results, int(x0), int(y0), int(crop_w), int(crop_h))
        new_w, new_h = self.size
        return resize(results, crop_w, crop_h, new_w, new_h,
                      self.interpolation)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'crop_ratio_range={self.crop_ratio_range}, '
                f'aspect_ratio_range='
                f'{tuple(round(r, 4) for r in self.aspect_ratio_range)}, '
                f'max_attempts={self.max_attempts}, '
                f"interpolation='{self.interpolation}')")
