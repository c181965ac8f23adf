import os
from typing import Dict

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmbrain.registry import TRANSFORMS
from ..nsd import BrainCache, NSDStimuli


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
class LoadBrainResponses(BaseTransform):
    """Read one sample's per-ROI responses and voxel coordinates from the
    prepared cache (``tools/dataset_converters/prepare_nsd.py``).

    Required keys: ``cache_path``, ``cache_index``, ``rois``.
    Added keys: ``fmri`` (list of (V_k,) float32), ``coords`` (list of
    (V_k, 3) float32), one entry per ROI in ``rois`` order.
    """

    def __init__(self):
        self.caches = _PerProcessFiles(BrainCache)
        self.coords: Dict[tuple, np.ndarray] = {}

    def transform(self, results: dict) -> dict:
        cache: BrainCache = self.caches(results['cache_path'])
        index = results['cache_index']
        results['fmri'] = [
            cache.responses(roi, index) for roi in results['rois']
        ]
        results['coords'] = []
        for roi in results['rois']:
            key = (results['cache_path'], roi)
            if key not in self.coords:
                self.coords[key] = cache.coords(roi)
            results['coords'].append(self.coords[key])
        return results

    def __getstate__(self):
        return dict(self.__dict__, coords={})
