"""Datasets and transforms of wsol_mm."""
from .base_wsol_dataset import BaseWSOLDataset
from .cub import CUB
from .dataset_wrappers import RelabelDataset, SubsampleDataset
from .fgvc_aircraft import CropBottomBanner, FGVCAircraft
from .ilsvrc import ILSVRC
from .inatloc500 import INatLoc500
from .label_hierarchy import LabelHierarchy
from .openimages import OpenImages30k
from .samplers import *  # noqa: F401,F403
from .synthetic_cub import SyntheticCUB
from .synthetic_inatloc import SyntheticINatLoc500
from .tiny_imagenet import TinyImageNet
from .transforms import *  # noqa: F401,F403
from .wsol_metadata import WSOLMetadataDataset

__all__ = [
    'BaseWSOLDataset', 'CUB', 'CropBottomBanner', 'FGVCAircraft', 'ILSVRC',
    'INatLoc500', 'LabelHierarchy', 'OpenImages30k', 'RelabelDataset',
    'SubsampleDataset', 'SyntheticCUB', 'SyntheticINatLoc500', 'TinyImageNet',
    'WSOLMetadataDataset'
]
