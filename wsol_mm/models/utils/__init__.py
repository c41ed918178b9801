from .optional_pretrained import OptionalPretrained
from .score_maps import normalize_score_maps, resize_score_maps

__all__ = ['OptionalPretrained', 'normalize_score_maps', 'resize_score_maps']
