from .brain_maps import (encoding_maps, plot_roi_bars, save_brain_maps,
                         voxel_volume)
from .result_plots import plot_loss_curves, plot_study, read_scalars

__all__ = [
    'encoding_maps', 'plot_loss_curves', 'plot_roi_bars', 'plot_study', 'read_scalars',
    'save_brain_maps', 'voxel_volume'
]
