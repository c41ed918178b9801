from .cutmix import CutMix
from .score_maps import normalize_score_maps, resize_score_maps

__all__ = ['CutMix', 'normalize_score_maps', 'resize_score_maps']
