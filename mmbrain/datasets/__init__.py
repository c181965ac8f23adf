from .coco_multilabel import CocoMultiLabelDataset
from .collate import brain_collate
from .nsd_dataset import NSDBrainDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['CocoMultiLabelDataset', 'NSDBrainDataset', 'brain_collate']
