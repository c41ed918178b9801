"""Transforms of wsol_mm, registered in ``wsol_mm.registry.TRANSFORMS``.

mmcv's ``LoadImageFromFile`` is reachable by that name through MMEngine's
root registry; ``LoadWSOLImageFromFile`` names the file on every failure.
"""
from .boxes_to_mask import BoxesToMask
from .det_instances import ToDetInstances
from .formatting import PackWSOLInputs
from .hide_and_seek import HideAndSeek
from .load_pseudo_box import LoadPseudoBox, read_box_file
from .load_pseudo_mask import LoadPseudoMask, pseudo_mask_path
from .load_wsol_mask import LoadWSOLMask
from .loading import LoadWSOLImageFromFile
from .paired_views import PairedViews
from .processing import CenterCrop, RandomCrop, RandomFlip, Resize, crop
from .random_resized_crop import RandomResizedCrop
from .ten_crop import CornerCrop, TenCrop

__all__ = [
    'PackWSOLInputs', 'LoadWSOLImageFromFile', 'LoadWSOLMask',
    'LoadPseudoMask', 'pseudo_mask_path', 'LoadPseudoBox', 'read_box_file',
    'Resize',
    'RandomCrop', 'CenterCrop', 'RandomFlip', 'RandomResizedCrop',
    'HideAndSeek', 'PairedViews', 'crop', 'CornerCrop',
    'TenCrop', 'ToDetInstances', 'BoxesToMask'
]
