from .brain_batch import batch_brain, pad, pad_rois, pad_voxels
from .brain_data_sample import BrainDataSample

__all__ = ['BrainDataSample', 'batch_brain', 'pad', 'pad_rois', 'pad_voxels']
