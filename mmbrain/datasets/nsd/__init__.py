from .betas import read_session_betas
from .expdesign import ExpDesign, load_expdesign
from .layout import NSDFormatError, ROI_GROUPS
from .prepare import open_cache, prepare_subject
from .rois import ROIVoxels, load_roi_voxels
from .stim_info import StimInfo, load_stim_info
from .stimuli import NSDStimuli

__all__ = [
    'ExpDesign', 'NSDFormatError', 'NSDStimuli', 'ROIVoxels', 'ROI_GROUPS',
    'StimInfo', 'load_expdesign', 'load_roi_voxels', 'load_stim_info',
    'open_cache', 'prepare_subject', 'read_session_betas'
]
