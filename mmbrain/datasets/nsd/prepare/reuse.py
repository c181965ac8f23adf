"""A complete cache found in place: reused only if it holds the ROIs asked
for and its raw files are unchanged (otherwise the error says what
differs), and a cache of version 2 upgraded in place."""
import json
import os.path as osp
from typing import Dict, Sequence

import h5py
import numpy as np
from nibabel.affines import apply_affine

from ..cache import CACHE_VERSION, BrainCache, volume_attrs
from ..layout import NSDFormatError
from .inputs import fingerprint, load_subject_voxels


def check_reuse(path: str, root: str, rois: Sequence[str],
                sources: Dict[str, list]) -> Dict:
    """The report of a complete cache that holds ``rois``, whose raw files
    are unchanged, and which no new raw file (a session) would enter.

    Args:
        sources (dict): :func:`.inputs.source_files` of this request.

    Raises:
        NSDFormatError: Naming the cache and saying what differs.
    """
    with BrainCache(path) as cache:
        problems = []
        missing = [r for r in rois if r not in cache.rois]
        if missing:
            problems.append(f'it lacks ROIs {missing} (it holds '
                            f'{cache.rois})')
        changed = [
            name for name, stamp in cache.sources.items()
            if not osp.isfile(osp.join(root, name))
            or fingerprint(osp.join(root, name)) != stamp
        ]
        if changed:
            problems.append('these raw files were removed or changed since '
                            f'(size or time): {changed}')
        added = [name for name in sources if name not in cache.sources]
        if added and not missing:
            problems.append(f'these raw files are new: {added}')
        if problems:
            raise NSDFormatError(
                path, 'is complete, but ' + '; '.join(problems) +
                '. Pass --force (force=True) to rebuild it')
        return cache.report


def add_volume(path: str, root: str, subject: int):
    """Upgrade a version-2 cache in place to version 3, which adds the
    volume (shape and affine of the ROI masks) that ``ijk`` indexes.

    Raises:
        NSDFormatError: Naming the cache, when the masks no longer map its
            voxel indices to its coordinates (prepare it again with
            ``--force``).
    """
    with h5py.File(path, 'r+') as f:
        rois = json.loads(f.attrs['rois'])
        voxels = load_subject_voxels(root, subject, rois)
        for roi in rois:
            mm = apply_affine(voxels.affine, f[f'rois/{roi}/ijk'][()])
            if not np.allclose(mm, f[f'rois/{roi}/coords'][()], atol=1e-3):
                raise NSDFormatError(
                    path, f'its {roi} voxels are not where the ROI masks '
                    'put them now; prepare it again with --force')
        f.attrs.update(volume_attrs(voxels.volume_shape, voxels.affine),
                       version=CACHE_VERSION)
