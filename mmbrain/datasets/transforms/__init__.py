from .captions import LoadCaption, TokenizeCaption
from .formatting import PackBrainInputs
from .loading import LoadBrainResponses, LoadNSDImage, LoadSceneFeatures
from .views import AugmentedViews

__all__ = [
    'AugmentedViews', 'LoadBrainResponses', 'LoadCaption', 'LoadNSDImage',
    'LoadSceneFeatures', 'PackBrainInputs', 'TokenizeCaption'
]
