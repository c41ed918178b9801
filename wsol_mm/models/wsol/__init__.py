from .base_localizer import BaseLocalizer
from .cam import CAM
from .center_gaussian import CenterGaussian

__all__ = ['BaseLocalizer', 'CAM', 'CenterGaussian']
