"""MindEye2's preprocessed NSD (the ``renorm`` release), read as a source of
the same cache as raw NSD.

``betas_all_subjXX_fp32_renorm.hdf5``
    Key ``betas``, float32, (T x sessions, V). Row ``(session - 1) * T +
    trial`` in time order (T = 750 in NSD); columns are the voxels where
    ``nsdgeneral.nii.gz`` equals 1, in C order over the volume (X, Y, Z) as
    nibabel reads it. GLMsingle's ``betas_fithrf_GLMdenoise_RR``, z-scored
    once per voxel over the non-shared1000 trials of all sessions pooled
    (ddof 1), shared1000 rows included. Per voxel that is an affine map of
    the raw betas, which a z-score within a session removes: z-scoring the
    rows per session gives the raw route's responses.
``coco_images_224_float16.hdf5``
    Key ``images``, (73000, 3, 224, 224) float16 in [0, 1]; row k is the
    image of nsdId k (read by :class:`..stimuli.NSDStimuli`).
``wds/subjXX/{train,test,new_test}/*.tar`` (optional)
    Each sample's ``behav.npy`` is (1, 17): column 0 the 0-based nsdId,
    column 5 the betas row, -1 where missing; it is checked against the
    experiment design.

The older releases (``betas_all_subjXX.hdf5``, float16, and ``_fp32``)
were withdrawn and are refused.
"""
import glob
import io
import os.path as osp
import tarfile

import numpy as np

from .hdf5 import open_hdf5, read, require_dataset
from .layout import NSDFormatError, require_file

TRIALS_PER_SESSION = 750  # NSD's
BETAS_FILE = 'betas_all_subj{:02d}_fp32_renorm.hdf5'
WITHDRAWN = ('betas_all_subj{:02d}.hdf5', 'betas_all_subj{:02d}_fp32.hdf5')
IMAGES_FILE = 'coco_images_224_float16.hdf5'
IMAGE_SIZE = 224
BEHAV_IMAGE, BEHAV_ROW = 0, 5  # columns of behav.npy


def betas_path(mindeye2_dir: str, subject: int) -> str:
    """The subject's ``renorm`` betas file, which must exist.

    Raises:
        NSDFormatError: Missing, or only a withdrawn release is there.
    """
    path = osp.join(mindeye2_dir, BETAS_FILE.format(subject))
    if not osp.isfile(path):
        for name in WITHDRAWN:
            old = osp.join(mindeye2_dir, name.format(subject))
            if osp.isfile(old):
                raise NSDFormatError(
                    old, 'a withdrawn MindEye2 release (not renormalised); '
                    f'mmbrain reads {osp.basename(path)}, the fp32 renorm '
                    'release, in its place')
    return require_file(path)


def release_sessions(path: str, num_voxels: int, mask_path: str,
                     trials_per_session: int, max_sessions: int) -> int:
    """The sessions of a betas file, checked against the nsdgeneral mask
    ``mask_path`` (``num_voxels`` ones) without reading its rows.

    Raises:
        NSDFormatError: A missing ``betas`` key, another dtype, a column
            count other than the mask's, or rows that are not
            ``trials_per_session`` x sessions (at most ``max_sessions``).
    """
    with open_hdf5(path) as f:
        rows, columns = require_dataset(f, 'betas', (None, None),
                                        np.float32).shape
    if columns != num_voxels:
        raise NSDFormatError(
            path, f'{columns} columns, but {mask_path} has {num_voxels} '
            'voxels equal to 1 (one column per nsdgeneral voxel): the betas '
            'of another subject, or another mask?')
    sessions, extra = divmod(rows, trials_per_session)
    if extra or not 0 < sessions <= max_sessions:
        raise NSDFormatError(
            path, f'{rows} rows are not {trials_per_session} trials x '
            f'1-{max_sessions} sessions')
    return sessions


def read_release_session(path: str, session: int, trials_per_session: int,
                         columns: np.ndarray) -> np.ndarray:
    """(T, len(columns)) float32: the rows of one session (1-based), at
    the given columns."""
    with open_hdf5(path) as f:
        rows = read(f['betas'], np.s_[(session - 1) * trials_per_session:
                                      session * trials_per_session])
    return np.ascontiguousarray(rows[:, columns])


def read_behav(wds_dir: str, subject: int) -> np.ndarray:
    """(n, 17) every ``behav.npy`` row of the subject's webdataset shards
    (``wds/subjXX/*/*.tar``); (0, 17) where there are none."""
    rows = []
    for shard in sorted(glob.glob(
            osp.join(wds_dir, f'subj{subject:02d}', '*', '*.tar'))):
        try:
            with tarfile.open(shard) as tar:
                for member in tar:
                    if member.name.endswith('.behav.npy'):
                        rows.append(np.load(io.BytesIO(
                            tar.extractfile(member).read())).reshape(-1, 17))
        except (tarfile.TarError, ValueError) as e:
            raise NSDFormatError(shard, f'not a readable shard ({e})') from e
    return np.concatenate(rows) if rows else np.zeros((0, 17))


def check_behav(wds_dir: str, subject: int, trial_ids: np.ndarray) -> int:
    """Every (image, betas row) pair of the webdataset against the design's
    ``trial_ids`` (the nsdId of each row); returns the pairs checked.

    Raises:
        NSDFormatError: A row past the betas, or an image other than the
            design's, naming the first few.
    """
    behav = read_behav(wds_dir, subject)
    pairs = behav[:, [BEHAV_IMAGE, BEHAV_ROW]].astype(np.int64)
    pairs = pairs[(pairs >= 0).all(1)]
    where = osp.join(wds_dir, f'subj{subject:02d}')
    past = pairs[pairs[:, 1] >= len(trial_ids)]
    if len(past):
        raise NSDFormatError(
            where, f'behav.npy names betas rows {past[:3, 1].tolist()}, past '
            f'the {len(trial_ids)} rows of the betas file')
    wrong = pairs[trial_ids[pairs[:, 1]] != pairs[:, 0]]
    if len(wrong):
        shown = ', '.join(f'row {r}: nsdId {i}, the design {trial_ids[r]}'
                          for i, r in wrong[:3])
        raise NSDFormatError(
            where, f'{len(wrong)} of {len(pairs)} behav.npy rows disagree '
            f'with the experiment design ({shown})')
    return len(pairs)
