"""Datasets and transforms of wsol_mm."""
from .base_wsol_dataset import BaseWSOLDataset
from .cub import CUB
from .synthetic_cub import SyntheticCUB
from .transforms import *  # noqa: F401,F403
from .wsol_metadata import WSOLMetadataDataset

__all__ = ['BaseWSOLDataset', 'CUB', 'SyntheticCUB', 'WSOLMetadataDataset']
