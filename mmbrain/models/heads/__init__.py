from .brain_align_head import BrainAlignHead
from .roi_attention_pool import RoiAttentionPool

__all__ = ['BrainAlignHead', 'RoiAttentionPool']
