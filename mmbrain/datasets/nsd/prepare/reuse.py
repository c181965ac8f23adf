"""A complete cache found in place: reused only if it holds the ROIs asked
for, its raw files are unchanged (otherwise the error says what differs)
and every chunk passes its checksum."""
import os.path as osp
from typing import Dict, Sequence

from ..cache import BrainCache
from ..layout import NSDFormatError
from .inputs import fingerprint


def check_reuse(path: str, root: str, rois: Sequence[str],
                sources: Dict[str, list]) -> Dict:
    """The report of a complete cache that holds ``rois``, whose raw files
    are unchanged (size, time and content, :func:`.inputs.fingerprint`),
    which no new raw file (a session) would enter, and which is undamaged
    (:meth:`..cache.BrainCache.verify`).

    Args:
        sources (dict): :func:`.inputs.source_files` of this request.

    Raises:
        NSDFormatError: Naming the cache and saying what differs, or the
            damaged dataset.
    """
    with BrainCache(path) as cache:
        problems = []
        missing = [r for r in rois if r not in cache.rois]
        if missing:
            problems.append(f'it lacks ROIs {missing} (it holds '
                            f'{cache.rois})')
        # this request's fingerprints; those of files it does not read (the
        # masks of other ROIs) taken now
        changed = [
            name for name, stamp in cache.sources.items()
            if not osp.isfile(osp.join(root, name)) or (sources.get(
                name) or fingerprint(osp.join(root, name))) != stamp
        ]
        if changed:
            problems.append('these raw files were removed or changed since '
                            f'(size, time or content): {changed}')
        added = [name for name in sources if name not in cache.sources]
        if added and not missing:
            problems.append(f'these raw files are new: {added}')
        if problems:
            raise NSDFormatError(
                path, 'is complete, but ' + '; '.join(problems) +
                '. Pass --force (force=True) to rebuild it')
        cache.verify()
        return cache.report
