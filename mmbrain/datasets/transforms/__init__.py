from .formatting import PackBrainInputs
from .loading import LoadBrainResponses, LoadNSDImage

__all__ = ['LoadBrainResponses', 'LoadNSDImage', 'PackBrainInputs']
