from .cam_head import CAMHead
from .class_agnostic_seg_head import ClassAgnosticSegHead

__all__ = ['CAMHead', 'ClassAgnosticSegHead']
