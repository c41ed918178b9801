from .acol import ACoL
from .base_localizer import BaseLocalizer
from .box_regressor import BoxRegressor
from .cam import CAM
from .center_gaussian import CenterGaussian
from .class_agnostic_segmentor import ClassAgnosticSegmentor
from .feature_localizer import FeatureLocalizer
from .mff_net import MFFNet
from .slt_net import SLTNet
from .spg import SPG

__all__ = [
    'ACoL', 'BaseLocalizer', 'CAM', 'CenterGaussian', 'ClassAgnosticSegmentor',
    'FeatureLocalizer', 'MFFNet', 'SPG', 'BoxRegressor',
    'SLTNet'
]
