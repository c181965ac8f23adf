import os
import os.path as osp
from functools import partial
from typing import Dict, Optional, Sequence

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log
from torch.utils.data import get_worker_info

from mmbrain.registry import TRANSFORMS
from ..nsd import BrainCache, NSDFormatError, NSDStimuli
from ..nsd.target_vectors import NPY_SUFFIX, TargetVectors


class _PerProcessFiles:
    """Read-only files opened lazily, once per process (safe with forked
    dataloader workers)."""

    def __init__(self, opener):
        self.opener = opener
        self.files: Dict[str, object] = {}
        self.pid = None

    def __call__(self, path: str):
        if self.pid != os.getpid():
            self.files, self.pid = {}, os.getpid()
        if path not in self.files:
            self.files[path] = self.opener(path)
        return self.files[path]

    def __getstate__(self):
        return dict(opener=self.opener, files={}, pid=None)


@TRANSFORMS.register_module()
class LoadNSDImage(BaseTransform):
    """Read the stimulus: from the NSD image brick when ``img_path`` is
    ``nsd_stimuli.hdf5``, else from the image file (Algonauts).

    Required keys: ``img_path``, ``nsd_id``.
    Added keys: ``img`` ((H, W, 3) uint8, RGB), ``img_shape``, ``ori_shape``.
    """

    def __init__(self):
        self.bricks = _PerProcessFiles(NSDStimuli)

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        if path.endswith('.hdf5'):
            img = self.bricks(path)[results['nsd_id']]
        else:
            img = mmcv.imread(path, channel_order='rgb')
        results['img'] = img
        results['img_shape'] = results['ori_shape'] = img.shape[:2]
        return results


def _open_target_vectors(path: str, file: str) -> TargetVectors:
    """The :class:`TargetVectors` of ``path`` (``file`` as configured),
    opened once per process; a missing one is named with where it was
    looked for."""
    if not osp.isfile(path):
        raise NSDFormatError(
            path, f'no file of target vectors (LoadTargetVectors(file='
            f'{file!r}): a relative file is looked for beside the '
            'sample\'s image)')
    return TargetVectors(path)


@TRANSFORMS.register_module()
class LoadTargetVectors(BaseTransform):
    """Read the sample's image's target vectors from a file indexed by nsdId
    (:mod:`~..nsd.target_vectors`: an HDF5 file of (N_images, F_k) datasets,
    one per key, or an ``.npy`` of one (N_images, F) array): the targets of
    a feature-regression pretraining (``ResponseRegressionPretrainer(
    target='features')``).

    Required keys: ``img_path``, ``nsd_id``, and ``rois`` when ``keys`` is
    None.
    Added keys: ``features`` (list of (F_k,) arrays, as stored, in ``keys``
    order; one for an ``.npy`` file).

    Args:
        file (str): The file. A relative path is taken from the folder of
            the sample's ``img_path`` (for NSD, that of the image brick), so
            the targets follow the dataset's ``data_root``; an absolute
            one is used as it is.
        keys (Sequence[str], optional): The HDF5 datasets to read, in
            order. Defaults to None: the sample's ``rois`` (a target per
            ROI). An ``.npy`` file is read without keys.

    Example:
        >>> # beside nsd_stimuli.hdf5, one dataset per ROI of the dataset
        >>> dict(type='LoadTargetVectors', file='scene_features.h5')
    """

    def __init__(self, file: str, keys: Optional[Sequence[str]] = None):
        if not isinstance(file, str) or not file:
            raise ValueError(f'file must name a file of target vectors, got '
                             f'{file!r}')
        if isinstance(keys, str):
            raise ValueError(f'keys must be a list of names, got {keys!r}')
        if keys is not None and file.endswith(NPY_SUFFIX):
            raise ValueError(f'{file}: an .npy file holds one target and '
                             f'takes no keys, got {list(keys)}')
        self.file = file
        self.keys = None if keys is None else list(keys)
        self.files = _PerProcessFiles(partial(_open_target_vectors,
                                              file=file))

    def transform(self, results: dict) -> dict:
        path = osp.join(osp.dirname(results['img_path']), self.file)
        targets: TargetVectors = self.files(path)
        nsd_id = results['nsd_id']
        if targets.single:
            results['features'] = [targets.row(nsd_id)]
        else:
            keys = results['rois'] if self.keys is None else self.keys
            results['features'] = [targets.row(nsd_id, k) for k in keys]
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(file={self.file!r}, '
                f'keys={self.keys!r})')


@TRANSFORMS.register_module()
class LoadCaption(BaseTransform):
    """Pick one of the image's captions (``NSDBrainDataset(captions_dir=)``
    gives them).

    Required keys: ``captions`` (list of str).
    Added keys: ``caption`` (str).

    Args:
        random (bool): Draw a caption at random at every call (numpy's
            global generator, which mmengine seeds per dataloader worker),
            for training; False takes the first, for testing. Defaults to
            True.
    """

    def __init__(self, random: bool = True):
        self.random = random

    def transform(self, results: dict) -> dict:
        captions = results.get('captions')
        if not captions:
            raise KeyError(
                f'no captions for nsdId {results.get("nsd_id")}: give the '
                'dataset captions_dir=, the folder of COCO\'s '
                'captions_{train,val}2017.json')
        index = np.random.randint(len(captions)) if self.random else 0
        results['caption'] = captions[index]
        return results


@TRANSFORMS.register_module()
class LoadBrainResponses(BaseTransform):
    """Read one sample's per-ROI responses and voxel coordinates from the
    prepared cache (``tools/dataset_converters/prepare_nsd.py``).

    With ``min_ncsnr``, only the reliable voxels are kept: those whose noise
    ceiling SNR (NSD's ``ncsnr``, stored in the cache) reaches it. The kept
    and dropped counts per subject and ROI are logged once.

    Required keys: ``cache_path``, ``cache_index``, ``rois``.
    Added keys: ``fmri`` (list of (V_k,) float32), ``coords`` (list of
    (V_k, 3) float32), one entry per ROI in ``rois`` order.

    Args:
        min_ncsnr (float, optional): Keep voxels with ncsnr >= this.
            Defaults to None (every voxel).
    """

    def __init__(self, min_ncsnr: Optional[float] = None):
        self.min_ncsnr = min_ncsnr
        self.caches = _PerProcessFiles(BrainCache)
        # (cache path, roi) -> (coords of the kept voxels, their index)
        self.voxels: Dict[tuple, tuple] = {}

    def transform(self, results: dict) -> dict:
        cache: BrainCache = self.caches(results['cache_path'])
        results['fmri'], results['coords'] = [], []
        for roi in results['rois']:
            coords, keep = self._voxels(cache, roi)
            values = cache.responses(roi, results['cache_index'])
            results['fmri'].append(values if keep is None else values[keep])
            results['coords'].append(coords)
        return results

    def _voxels(self, cache: BrainCache, roi: str) -> tuple:
        key = (cache.path, roi)
        if key not in self.voxels:
            coords = cache.coords(roi)
            keep = None if self.min_ncsnr is None else self._reliable(
                cache, roi)
            self.voxels[key] = (coords if keep is None else coords[keep],
                                keep)
        return self.voxels[key]

    def _reliable(self, cache: BrainCache, roi: str) -> np.ndarray:
        ncsnr = cache.ncsnr(roi)
        if ncsnr is None:
            raise NSDFormatError(
                cache.path, f'no ncsnr for {roi}: min_ncsnr needs NSD\'s '
                'ncsnr.nii.gz beside the betas when prepare_nsd.py runs')
        keep = np.flatnonzero(ncsnr >= self.min_ncsnr)
        if not len(keep):
            raise NSDFormatError(
                cache.path, f'no voxel of {roi} has ncsnr >= '
                f'{self.min_ncsnr} (the largest is {ncsnr.max():.3f})')
        if get_worker_info() is None:  # once, not once per worker
            print_log(
                f'{osp.basename(cache.path)} {roi}: {len(keep)} reliable '
                f'voxels kept, {len(ncsnr) - len(keep)} dropped (ncsnr >= '
                f'{self.min_ncsnr})',
                logger='current')
        return keep

    def __getstate__(self):
        return dict(self.__dict__, voxels={})
