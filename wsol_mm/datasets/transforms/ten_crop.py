"""Ten-crop test-time augmentation: four corners + centre, each also flipped.

SLT-Net (Guo et al., CVPR 2021, section 4.1) takes "ten crop augmentations
to get final classification results": after the resize to 256x256 (320x320
for InceptionV3), the 224 (299) crops at the four corners and the centre of
the image and of its horizontal flip, whose class scores are averaged (the
TTA model, e.g. ``AverageClassScoreTTA``).
"""
from typing import List, Optional, Sequence, Tuple, Union

from mmcv.transforms import TestTimeAug

from wsol_mm.registry import TRANSFORMS
from .processing import CenterCrop, RandomFlip, _BaseCrop


@TRANSFORMS.register_module()
class CornerCrop(_BaseCrop):
    """Crop ``size=(w, h)`` at a corner of the image.

    Args:
        size (int or (w, h)): The crop size.
        corner (str): One of ``CORNERS``.
    """

    CORNERS = ('top_left', 'top_right', 'bottom_left', 'bottom_right')

    def __init__(self, size: Union[int, Sequence[int]], corner: str):
        super().__init__(size)
        if corner not in self.CORNERS:
            raise ValueError(f'corner must be one of {self.CORNERS}, got '
                             f'{corner!r}')
        self.corner = corner

    def _offset(self, max_x: int, max_y: int) -> Tuple[int, int]:
        x0 = max_x if self.corner.endswith('right') else 0
        y0 = max_y if self.corner.startswith('bottom') else 0
        return x0, y0

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f"corner='{self.corner}')")


@TRANSFORMS.register_module()
class TenCrop(TestTimeAug):
    """MMCV's ``TestTimeAug`` over the ten crops of ``size``.

    The views come in torchvision's ``TenCrop`` order: the image, then its
    horizontal flip (``RandomFlip(prob=0)`` / ``RandomFlip(prob=1)``), each
    cut at top-left, top-right, bottom-left, bottom-right (``CornerCrop``)
    and centre (``CenterCrop``, offsets rounded down; torchvision rounds
    half to even, the same offsets for 256 -> 224 and 320 -> 299). Every view
    then goes through ``pack``; each records its own ``homography_matrix``,
    ``crop_bbox`` and ``flip``.

    Args:
        size (int or (w, h)): The crop size, e.g. 224 after a 256x256 resize.
        pack (list[dict], optional): The transforms applied to every view
            after its crop. Defaults to MMPretrain's packing,
            ``[dict(type='mmpretrain.PackInputs')]``;
            ``[dict(type='PackWSOLInputs')]`` for wsol_mm models.
    """

    def __init__(self, size: Union[int, Sequence[int]],
                 pack: Optional[List[dict]] = None):
        if pack is None:
            pack = [dict(type='mmpretrain.PackInputs')]
        if not isinstance(pack, (list, tuple)) or not pack:
            raise ValueError('pack must be a non-empty list of transforms, '
                             f'got {pack!r}')
        flips = [RandomFlip(prob=0.0), RandomFlip(prob=1.0)]
        crops = [CornerCrop(size, corner) for corner in CornerCrop.CORNERS]
        crops.append(CenterCrop(size))
        super().__init__(transforms=[flips, crops, list(pack)])
