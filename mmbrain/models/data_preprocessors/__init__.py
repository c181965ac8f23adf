from .brain_data_preprocessor import BrainDataPreprocessor

__all__ = ['BrainDataPreprocessor']
