from .atomic_hdf5 import AtomicHDF5, CacheWriteError
from .betas import read_session_betas
from .cache import BrainCache, CacheWriter, cache_path
from .coco_captions import NSDCaptions, captions_path, load_coco_captions
from .expdesign import ExpDesign, load_expdesign
from .layout import (NSDFormatError, ROI_GROUPS, find_sessions,
                     prepare_command)
from .prepare import prepare_subject
from .rois import ROIVoxels, load_roi_voxels
from .stim_info import StimInfo, load_stim_info
from .stimuli import NSDStimuli, resize_stimuli
from .subject_lock import SubjectLock, SubjectLockedError
from .target_vectors import TargetVectors, write_target_vectors

__all__ = [
    'AtomicHDF5', 'BrainCache', 'CacheWriteError', 'CacheWriter',
    'ExpDesign', 'NSDCaptions', 'NSDFormatError', 'NSDStimuli', 'ROIVoxels',
    'ROI_GROUPS', 'StimInfo', 'SubjectLock', 'SubjectLockedError',
    'TargetVectors', 'cache_path', 'captions_path', 'find_sessions',
    'load_coco_captions', 'load_expdesign', 'load_roi_voxels',
    'load_stim_info', 'prepare_command', 'prepare_subject',
    'read_session_betas', 'resize_stimuli', 'write_target_vectors'
]
