"""Backbones of the WSOL benchmarks, registered in ``wsol_mm``'s MODELS."""
from .inception_v3_wsol import InceptionV3WSOL
from .preact_resnet import PreActResNet
from .resnet_wsol import ResNetWSOL
from .vgg16_gap import VGG16GAP

__all__ = ['InceptionV3WSOL', 'ResNetWSOL', 'VGG16GAP', 'PreActResNet']
