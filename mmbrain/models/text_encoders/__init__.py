from .base import BaseTextEncoder
from .caption_transformer import CaptionTransformer

__all__ = ['BaseTextEncoder', 'CaptionTransformer']
