from .formatting import PackBrainInputs
from .loading import (LoadBrainResponses, LoadCaption, LoadNSDImage,
                      LoadTargetVectors)
from .tokenization import TokenizeCaption
from .views import AugmentedViews

__all__ = [
    'AugmentedViews', 'LoadBrainResponses', 'LoadCaption', 'LoadNSDImage',
    'LoadTargetVectors', 'PackBrainInputs', 'TokenizeCaption'
]
