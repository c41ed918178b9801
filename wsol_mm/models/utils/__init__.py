from .score_maps import normalize_score_maps, resize_score_maps

__all__ = ['normalize_score_maps', 'resize_score_maps']
