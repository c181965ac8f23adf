from .contrastive_loss import (BrainContrastiveLoss, gather_pair,
                               gather_with_grad, symmetric_contrastive_loss)
from .guidance_loss import (BrainGuidanceLoss, brain_guidance_loss,
                            roi_batch_guidance_loss)
from .multilabel_bce_loss import MultiLabelBCELoss, multilabel_bce
from .roi_balanced_mse_loss import RoiBalancedMSELoss, roi_balanced_mse
from .soft_contrastive_loss import (BiMixCoLoss, SoftCLIPLoss, mixco,
                                    soft_clip_loss, soft_cross_entropy)

__all__ = [
    'BiMixCoLoss', 'BrainContrastiveLoss', 'BrainGuidanceLoss',
    'MultiLabelBCELoss', 'RoiBalancedMSELoss', 'SoftCLIPLoss',
    'brain_guidance_loss', 'gather_pair', 'gather_with_grad', 'mixco',
    'multilabel_bce', 'roi_balanced_mse',
    'roi_batch_guidance_loss', 'soft_clip_loss', 'soft_cross_entropy',
    'symmetric_contrastive_loss'
]
