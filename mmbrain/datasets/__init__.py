from .collate import brain_collate
from .nsd_dataset import NSDBrainDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['NSDBrainDataset', 'brain_collate']
