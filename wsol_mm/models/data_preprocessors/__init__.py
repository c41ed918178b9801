from .wsol_data_preprocessor import WSOLDataPreprocessor

__all__ = ['WSOLDataPreprocessor']
