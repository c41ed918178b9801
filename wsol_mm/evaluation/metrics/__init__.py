from .class_scores import ClassScores, DumpClassScores, load_class_scores
from .coco_export import DumpCOCODetections, wsol_to_coco
from .detection_wsol_metric import DetectionWSOLMetric
from .dump_predictions import DumpWSOLPredictions, prediction_record
from .dump_score_maps import DumpScoreMaps
from .map_statistics import MapStatistics
from .wsol_metric import WSOLMetric

__all__ = [
    'WSOLMetric', 'DumpWSOLPredictions', 'DumpClassScores', 'ClassScores',
    'load_class_scores', 'MapStatistics', 'DetectionWSOLMetric',
    'DumpCOCODetections', 'wsol_to_coco', 'prediction_record', 'DumpScoreMaps'
]
