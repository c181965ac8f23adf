from .captions import LoadCaption, TokenizeCaption
from .formatting import PackBrainInputs
from .loading import LoadBrainResponses, LoadNSDImage, LoadSceneFeatures

__all__ = [
    'LoadBrainResponses', 'LoadCaption', 'LoadNSDImage', 'LoadSceneFeatures',
    'PackBrainInputs', 'TokenizeCaption'
]
