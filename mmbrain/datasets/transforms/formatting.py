import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmbrain.registry import TRANSFORMS
from mmbrain.structures import BrainDataSample


@TRANSFORMS.register_module()
class PackBrainInputs(BaseTransform):
    """Pack an image and its brain responses for the data preprocessor.

    Returns ``inputs`` ((3, H, W) uint8 tensor, RGB) and ``data_samples`` (a
    :class:`BrainDataSample` with ``fmri``/``coords`` and the ``meta_keys``).
    """

    def __init__(self,
                 meta_keys=('subject', 'nsd_id', 'rois', 'img_shape',
                            'ori_shape')):
        self.meta_keys = meta_keys

    def transform(self, results: dict) -> dict:
        img = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
        sample = BrainDataSample(
            fmri=[torch.from_numpy(np.asarray(f)) for f in results['fmri']],
            coords=[
                torch.from_numpy(np.asarray(c)) for c in results['coords']
            ])
        sample.set_metainfo(
            {k: results[k]
             for k in self.meta_keys if k in results})
        return dict(inputs=torch.from_numpy(img), data_samples=sample)
