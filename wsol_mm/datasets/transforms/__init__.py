"""Transforms of wsol_mm, registered in ``wsol_mm.registry.TRANSFORMS``.

mmcv's ``LoadImageFromFile`` is reachable by that name through MMEngine's
root registry; ``LoadWSOLImageFromFile`` names the file on every failure.
"""
from .formatting import PackWSOLInputs
from .loading import LoadWSOLImageFromFile
from .processing import CenterCrop, RandomCrop, RandomFlip, Resize, crop

__all__ = [
    'PackWSOLInputs', 'LoadWSOLImageFromFile', 'Resize', 'RandomCrop',
    'CenterCrop', 'RandomFlip', 'crop'
]
