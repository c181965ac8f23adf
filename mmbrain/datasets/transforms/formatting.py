import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmbrain.registry import TRANSFORMS
from mmbrain.structures import BrainDataSample


@TRANSFORMS.register_module()
class PackBrainInputs(BaseTransform):
    """Pack an image and its brain responses for the data preprocessor.

    Returns ``inputs`` ((3, H, W) uint8 tensor, RGB) and ``data_samples`` (a
    :class:`BrainDataSample` with ``fmri``/``coords`` where
    ``LoadBrainResponses`` gave them, ``tokens`` ((L,) int64) where
    ``TokenizeCaption`` gave them, ``features`` where
    ``LoadTargetVectors`` gave them, ``views`` where ``AugmentedViews``
    gave them, and the ``meta_keys``).
    The brain arrays stay numpy: dataloader workers send each tensor through
    its own shared-memory segment, which for a dozen small arrays per sample
    made two workers ten times slower than none.
    """

    def __init__(self,
                 meta_keys=('subject', 'nsd_id', 'rois', 'img_shape',
                            'ori_shape')):
        self.meta_keys = meta_keys

    def transform(self, results: dict) -> dict:
        img = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
        sample = BrainDataSample()
        if 'fmri' in results:  # the caption arm loads no fMRI
            sample.fmri = [
                np.asarray(f, dtype=np.float32) for f in results['fmri']
            ]
            sample.coords = [
                np.asarray(c, dtype=np.float32) for c in results['coords']
            ]
        if 'tokens' in results:  # (L,) int64 caption tokens
            sample.tokens = np.asarray(results['tokens'], dtype=np.int64)
        if 'views' in results:  # (V, 3, H', W') uint8
            sample.views = np.stack(
                [v.transpose(2, 0, 1) for v in results['views']])
        if 'features' in results:
            sample.features = [
                np.asarray(f, dtype=np.float32) for f in results['features']
            ]
        sample.set_metainfo(
            {k: results[k]
             for k in self.meta_keys if k in results})
        return dict(inputs=torch.from_numpy(img), data_samples=sample)
