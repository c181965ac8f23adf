from .brain_data_preprocessor import BrainDataPreprocessor, pad_voxels

__all__ = ['BrainDataPreprocessor', 'pad_voxels']
