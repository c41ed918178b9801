"""Grad-CAM++ (Chattopadhay et al., WACV 2018) as a wsol_mm plugin: loaded by
a config's ``custom_imports = dict(imports=['projects.example_project.
gradcampp'])``."""
from .gradcampp_head import GradCAMPPHead
from .gradient_maps import (gradcam_weights, gradcampp_weights,
                            gradient_class_maps)

__all__ = ['GradCAMPPHead', 'gradcam_weights', 'gradcampp_weights',
           'gradient_class_maps']
