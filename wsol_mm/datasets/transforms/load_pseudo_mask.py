"""Load the pseudo mask a pseudo-mask stage wrote for an image."""
import os.path as osp

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from wsol_mm.registry import TRANSFORMS


def pseudo_mask_path(mask_dir: str, img_id: str) -> str:
    """Where the pseudo mask of ``img_id`` lives: ``<mask_dir>/<img_id
    without its extension>.png`` (sub-folders of the id are kept)."""
    return osp.join(mask_dir, osp.splitext(img_id)[0] + '.png')


@TRANSFORMS.register_module()
class LoadPseudoMask(BaseTransform):
    """Read ``results['pseudo_mask']`` (uint8: 0 background, 1 foreground,
    255 ignored) from ``mask_dir``; put it right after the image loading, the
    geometric transforms then move it with the image.

    In a multi-stage config ``mask_dir='stage:<name>'`` is replaced by the
    mask folder of that pseudo-mask stage.

    Raises:
        FileNotFoundError: no mask for the image (the message names both).
        ValueError: the mask is not one 8-bit channel, or its size differs
            from the image's.
    """

    def __init__(self, mask_dir: str):
        self.mask_dir = mask_dir

    def transform(self, results: dict) -> dict:
        path = pseudo_mask_path(self.mask_dir, results['img_id'])
        mask = cv2.imread(path, cv2.IMREAD_UNCHANGED) if osp.isfile(path) \
            else None
        if mask is None:
            raise FileNotFoundError(
                f'no readable pseudo mask {path} for the image '
                f'{results.get("img_path")}: run the pseudo-mask stage again')
        if mask.ndim != 2 or mask.dtype != np.uint8:
            raise ValueError(f'the pseudo mask {path} must be a one-channel '
                             f'8-bit PNG, got shape {mask.shape} and '
                             f'{mask.dtype}')
        height, width = results['img'].shape[:2]
        if mask.shape != (height, width):
            raise ValueError(
                f'the pseudo mask {path} is {mask.shape[1]}x{mask.shape[0]} '
                f'but the image {results.get("img_path")} is '
                f'{width}x{height}')
        results['pseudo_mask'] = mask
        return results

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(mask_dir='{self.mask_dir}')"
