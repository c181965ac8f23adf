from .coco_labels import LoadCocoLabels
from .corrupt import SeededCorrupt
from .formatting import PackBrainInputs
from .loading import (LoadBrainResponses, LoadCaption, LoadNSDImage,
                      LoadTargetVectors)
from .tokenization import TokenizeCaption
from .views import AugmentedViews

__all__ = [
    'AugmentedViews', 'LoadBrainResponses', 'LoadCaption', 'LoadCocoLabels',
    'LoadNSDImage', 'LoadTargetVectors', 'PackBrainInputs', 'SeededCorrupt',
    'TokenizeCaption'
]
