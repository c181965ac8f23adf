from .brain_data_preprocessor import (BrainDataPreprocessor, pad_rois,
                                      pad_voxels)

__all__ = ['BrainDataPreprocessor', 'pad_rois', 'pad_voxels']
