from .betas import read_session_betas
from .cache import BrainCache, CacheWriter, cache_path
from .captions import NSDCaptions, captions_path, load_coco_captions
from .expdesign import ExpDesign, load_expdesign
from .layout import NSDFormatError, ROI_GROUPS
from .prepare import prepare_subject
from .rois import ROIVoxels, load_roi_voxels
from .stim_info import StimInfo, load_stim_info
from .writing import CacheWriteError, SubjectLock, SubjectLockedError
from .stimuli import NSDStimuli, resize_stimuli

__all__ = [
    'BrainCache', 'CacheWriteError', 'CacheWriter', 'ExpDesign',
    'NSDCaptions', 'NSDFormatError', 'NSDStimuli', 'ROIVoxels', 'ROI_GROUPS',
    'StimInfo', 'SubjectLock', 'SubjectLockedError', 'cache_path',
    'captions_path', 'load_coco_captions', 'load_expdesign',
    'load_roi_voxels', 'load_stim_info', 'prepare_subject',
    'read_session_betas', 'resize_stimuli'
]
