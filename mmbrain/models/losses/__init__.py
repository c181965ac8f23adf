from .contrastive_loss import (BrainContrastiveLoss, gather_pair,
                               gather_with_grad, symmetric_contrastive_loss)
from .guidance_loss import (BrainGuidanceLoss, brain_guidance_loss,
                            roi_batch_guidance_loss)

__all__ = [
    'BrainContrastiveLoss', 'BrainGuidanceLoss', 'brain_guidance_loss',
    'gather_pair', 'gather_with_grad', 'roi_batch_guidance_loss',
    'symmetric_contrastive_loss'
]
