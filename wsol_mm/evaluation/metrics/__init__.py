from .class_scores import ClassScores, DumpClassScores, load_class_scores
from .detection_wsol_metric import DetectionWSOLMetric
from .dump_predictions import DumpWSOLPredictions
from .map_statistics import MapStatistics
from .wsol_metric import WSOLMetric

__all__ = [
    'WSOLMetric', 'DumpWSOLPredictions', 'DumpClassScores', 'ClassScores',
    'load_class_scores', 'MapStatistics', 'DetectionWSOLMetric'
]
