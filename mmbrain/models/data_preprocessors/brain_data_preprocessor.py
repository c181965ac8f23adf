from typing import List, Sequence

import numpy as np
import torch
from mmengine.model import ImgDataPreprocessor

from mmbrain.registry import MODELS
from mmbrain.structures import batch_brain
from mmbrain.structures.brain_batch import ArrayLike


@MODELS.register_module()
class BrainDataPreprocessor(ImgDataPreprocessor):
    """Batch images and brain responses for the brain-guided models.

    Images are stacked, cast to float and normalised as in
    :class:`mmengine.model.ImgDataPreprocessor` (``LoadNSDImage`` gives RGB,
    so leave ``bgr_to_rgb`` False). The brain responses are padded by
    :func:`mmbrain.structures.batch_brain`: in the dataloader's workers
    (``brain_collate``), or here for samples collated without it; its
    tensors are moved to the device as they are.

    Returns:
        dict: ``inputs`` with ``img`` (N, 3, H, W); the brain inputs of
        :func:`batch_brain`: per ROI k (lists in ROI order) ``fmri`` (N,
        V_k) and ``mask`` (N, V_k) bool, ``coords`` (S, V_k, 3) once per
        subject and ``rows`` (N,), each sample's row of them, and the host
        ``lengths`` (per ROI, per sample, the voxel count); the (N,) long
        ``subject`` of each sample where the samples carry one, per ROI
        (N, F_k) ``features`` and V augmented ``views`` (N, 3, H', W')
        where they carry them; ``data_samples`` unchanged. Samples without
        fMRI (the caption arm's) get no brain inputs, and samples with
        caption tokens get ``tokens`` (N, L) long.
    """

    def normalise_views(self,
                        views: Sequence[ArrayLike]) -> List[torch.Tensor]:
        """N arrays (V, 3, H, W) uint8 -> V tensors (N, 3, H, W), float and
        normalised as the images are."""
        views = torch.as_tensor(np.stack(views)).to(
            self.device, non_blocking=self._non_blocking).float()
        if self._enable_normalize:
            views = (views - self.mean) / self.std
        return list(views.unbind(1))

    def forward(self, data: dict, training: bool = False) -> dict:
        samples = data['data_samples']
        data = dict(data)  # the caller's batch is left as it was
        brain = data.pop('brain', None)
        if brain is None and 'fmri' in samples[0]:  # not the caption arm's
            brain = batch_brain([s.fmri for s in samples],
                                [s.coords for s in samples],
                                [s.metainfo.get('subject') for s in samples])
        data = super().forward(data, training)
        data['inputs'] = dict(img=data['inputs'])
        if brain is not None:
            data['inputs'].update(self.cast_data(brain))
        if 'tokens' in samples[0]:
            data['inputs']['tokens'] = torch.as_tensor(
                np.stack([s.tokens for s in samples]), device=self.device)
        if 'views' in samples[0]:
            data['inputs']['views'] = self.normalise_views(
                [s.views for s in samples])
        if 'features' in samples[0]:
            data['inputs']['features'] = [
                torch.as_tensor(np.stack(f), device=self.device)
                for f in zip(*(s.features for s in samples))
            ]
        subjects = [s.metainfo.get('subject') for s in samples]
        if None not in subjects:
            data['inputs']['subject'] = torch.tensor(
                subjects, device=self.device)
        return data
