from .brain_align_head import BrainAlignHead

__all__ = ['BrainAlignHead']
