from .adl import ADL
from .cutmix import CutMix
from .layer_hooks import OutputRecorder, insert_after, named_submodule
from .gaussian_prior import (GaussianPriorEnhance, gaussian_prior_maps,
                             weighted_moments)
from .hide_patches import HidePatches
from .nmf import nmf_masks, nmf_rank1
from .pseudo_boxes import (box_score_map, boxes_from_score_maps,
                           denormalize_boxes, normalize_boxes)
from .pseudo_masks import double_threshold
from .score_maps import normalize_score_maps, resize_score_maps

__all__ = [
    'ADL', 'CutMix', 'HidePatches', 'normalize_score_maps',
    'resize_score_maps',
    'weighted_moments', 'gaussian_prior_maps', 'GaussianPriorEnhance',
    'double_threshold', 'nmf_masks', 'nmf_rank1', 'OutputRecorder',
    'insert_after', 'named_submodule', 'boxes_from_score_maps',
    'box_score_map', 'normalize_boxes', 'denormalize_boxes'
]
