from .base import BaseBrainEncoder
from .brainformer_encoder import BrainformerEncoder
from .linear_encoder import LinearBrainEncoder
from .mindeye_encoder import MindEyeBrainEncoder
from .roi_transformer_block import RoiTransformerBlock

__all__ = [
    'BaseBrainEncoder', 'BrainformerEncoder', 'LinearBrainEncoder',
    'MindEyeBrainEncoder', 'RoiTransformerBlock'
]
