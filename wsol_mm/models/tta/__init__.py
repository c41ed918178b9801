from .average_class_score_tta import AverageClassScoreTTA

__all__ = ['AverageClassScoreTTA']
