from .geometry import (HOMOGRAPHY_KEY, boxes_to_original, homography_of,
                       horizontal_flip_matrix, inverse_warp, maps_to_original,
                       record_homography, scale_matrix, translation_matrix)
from .wsol_data_sample import WSOLDataSample

__all__ = [
    'WSOLDataSample', 'HOMOGRAPHY_KEY', 'boxes_to_original', 'homography_of',
    'horizontal_flip_matrix', 'inverse_warp', 'maps_to_original',
    'record_homography', 'scale_matrix', 'translation_matrix'
]
