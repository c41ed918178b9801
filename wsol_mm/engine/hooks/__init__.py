from .class_similarity_hook import ClassSimilarityHook
from .epoch_progress_hook import EpochProgressHook
from .num_class_check_hook import NumClassCheckHook
from .wsol_visualization_hook import WSOLVisualizationHook

__all__ = [
    'NumClassCheckHook', 'WSOLVisualizationHook', 'ClassSimilarityHook',
    'EpochProgressHook'
]
