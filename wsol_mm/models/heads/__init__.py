from .acol_head import ACoLHead
from .box_regression_head import BoxRegressionHead
from .cam_head import CAMHead
from .class_agnostic_seg_head import ClassAgnosticSegHead
from .spg_head import SPGHead

__all__ = ['ACoLHead', 'CAMHead', 'ClassAgnosticSegHead', 'SPGHead',
           'BoxRegressionHead']
