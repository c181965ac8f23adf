from .brain_data_sample import BrainDataSample

__all__ = ['BrainDataSample']
