"""Raw NSD -> the per-subject cache (:mod:`..cache`) that the dataset reads.

Two stages, both resumable, with memory bounded by one session and one
block of images, whatever the number of sessions and images:

1. Per session (:mod:`.sessions`, ``subjXX_trials/sessionNN.h5``): the
   betas of every voxel in any of the ROIs are z-scored per voxel over the
   session's trials and written sorted by nsdId.
2. Averaging (:mod:`.averaging`, ``subjXX.h5``): the z-scores are averaged
   over the repeats of each image, a block of images at a time, straight
   into the cache, and for the test images shown 2 or more times, over
   their odd- and their even-numbered trials apart (the split halves of a
   noise ceiling). Voxels that are NaN or constant in any session are
   dropped and counted.

Every input is read and checked before stage 1 (:mod:`.inputs`), a few
trials of each session's betas among them, and the subject's lock is held
throughout (:mod:`.subject`), so two preparations of a subject never write
at once. A complete cache is reused only if it holds the ROIs asked for,
its raw files (masks and label tables among them) are unchanged in size,
time and content, and its checksums pass; otherwise the error says what
differs or which dataset is damaged (:mod:`.reuse`).
"""
from .averaging import (average_repeats, read_trial_ids, split_half_sums,
                        write_averages)
from .inputs import (SubjectInputs, SubjectVoxels, check_inputs,
                     content_digest, disk_needed, fingerprint,
                     load_subject_voxels, source_files)
from .reuse import check_reuse
from .sessions import (SESSION_VERSION, prepare_sessions, session_file,
                       write_session, zscore_session)
from .subject import prepare_subject, write_cache

__all__ = [
    'SESSION_VERSION', 'SubjectInputs', 'SubjectVoxels', 'average_repeats',
    'check_inputs', 'check_reuse', 'content_digest', 'disk_needed',
    'fingerprint', 'load_subject_voxels', 'prepare_sessions',
    'prepare_subject', 'read_trial_ids', 'session_file', 'source_files',
    'split_half_sums', 'write_averages', 'write_cache', 'write_session',
    'zscore_session'
]
