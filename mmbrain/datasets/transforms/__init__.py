from .formatting import PackBrainInputs
from .loading import LoadBrainResponses, LoadNSDImage, LoadSceneFeatures

__all__ = [
    'LoadBrainResponses', 'LoadNSDImage', 'LoadSceneFeatures',
    'PackBrainInputs'
]
