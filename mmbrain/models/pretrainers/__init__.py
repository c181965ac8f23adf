from .base import BasePretrainer
from .brain_guided_pretrainer import BrainGuidedPretrainer
from .caption_contrastive_pretrainer import CaptionContrastivePretrainer
from .response_regression_pretrainer import ResponseRegressionPretrainer

__all__ = [
    'BasePretrainer', 'BrainGuidedPretrainer', 'CaptionContrastivePretrainer',
    'ResponseRegressionPretrainer'
]
