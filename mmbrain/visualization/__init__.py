from .brain_maps import (encoding_maps, plot_roi_bars, save_brain_maps,
                         voxel_volume)
from .loss_curves import plot_loss_curves, read_scalars
from .roi_attention import (RoiAlignmentScores, draw_roi_panels,
                            roi_attention_maps, roi_gradcam_maps, roi_maps)

__all__ = [
    'RoiAlignmentScores', 'draw_roi_panels', 'roi_attention_maps',
    'roi_gradcam_maps', 'roi_maps', 'encoding_maps', 'plot_loss_curves',
    'plot_roi_bars', 'read_scalars',
    'save_brain_maps', 'voxel_volume'
]
