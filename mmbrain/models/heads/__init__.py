from .base import BaseAlignHead, BaseBrainHead, BaseReadoutHead
from .brain_align_head import BrainAlignHead
from .cross_modal_fusion import CrossModalFusion
from .response_readout_head import ResponseReadoutHead
from .roi_attention_pool import RoiAttentionPool

__all__ = [
    'BaseAlignHead', 'BaseBrainHead', 'BaseReadoutHead', 'BrainAlignHead',
    'CrossModalFusion', 'ResponseReadoutHead', 'RoiAttentionPool'
]
