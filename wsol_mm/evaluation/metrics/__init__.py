from .dump_predictions import DumpWSOLPredictions
from .wsol_metric import WSOLMetric

__all__ = ['WSOLMetric', 'DumpWSOLPredictions']
