from .brain_batch import batch_brain, pad
from .brain_data_sample import BrainDataSample

__all__ = ['BrainDataSample', 'batch_brain', 'pad']
