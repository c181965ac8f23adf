from .brain_align_head import BrainAlignHead
from .cross_modal_fusion import CrossModalFusion
from .roi_attention_pool import RoiAttentionPool

__all__ = ['BrainAlignHead', 'CrossModalFusion', 'RoiAttentionPool']
