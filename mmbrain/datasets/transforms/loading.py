import os
import os.path as osp
from typing import Dict, Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log
from torch.utils.data import get_worker_info

from mmbrain.registry import TRANSFORMS
from ..demo.features_file import features_path, read_scene_features
from ..nsd import BrainCache, NSDFormatError, NSDStimuli


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


@TRANSFORMS.register_module()
class LoadSceneFeatures(BaseTransform):
    """Read the demo image's own per-ROI-group features (the generator's,
    which drive its synthetic brains; ``scene_features.h5`` beside the image
    brick), standardised: the oracle arm's regression targets.

    Required keys: ``img_path`` (the brick), ``nsd_id``, ``rois``.
    Added keys: ``features`` (list of (F_k,) float32, in ``rois`` order).
    """

    def __init__(self):
        self.files = _PerProcessFiles(read_scene_features)

    def transform(self, results: dict) -> dict:
        path = features_path(results['img_path'])
        features = self.files(path)
        nsd_id = results['nsd_id']
        rows = len(next(iter(features.values())))
        if nsd_id >= rows:
            raise NSDFormatError(path, f'nsdId {nsd_id} outside its {rows} '
                                 'images')
        results['features'] = [features[roi][nsd_id] for roi in
                               results['rois']]
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
