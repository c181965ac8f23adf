from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.model import ImgDataPreprocessor

from mmbrain.registry import MODELS


ArrayLike = Union[np.ndarray, torch.Tensor]


def pad_voxels(values: Sequence[ArrayLike],
               coords: Sequence[ArrayLike]) -> Tuple[torch.Tensor, ...]:
    """Pad one ROI's responses of several samples to a common length.

    Args:
        values (Sequence[np.ndarray | Tensor]): N arrays of shape (V_i,).
        coords (Sequence[np.ndarray | Tensor]): N arrays of shape (V_i, 3).

    Returns:
        tuple: (N, V) values and (N, V, 3) coords, zero past each sample's
        V_i, and the (N, V) bool mask of real voxels, V = max V_i.
    """
    values = [torch.as_tensor(v) for v in values]
    coords = [torch.as_tensor(c) for c in coords]
    lengths = torch.tensor([len(v) for v in values])
    mask = torch.arange(int(lengths.max()))[None] < lengths[:, None]
    padded = torch.nn.utils.rnn.pad_sequence(values, batch_first=True)
    padded_coords = torch.nn.utils.rnn.pad_sequence(coords, batch_first=True)
    return padded, padded_coords, mask


def pad_rois(
    fmri: Sequence[Sequence[ArrayLike]],
    coords: Sequence[Sequence[ArrayLike]],
    device: Optional[Union[str, torch.device]] = None
) -> Tuple[List[torch.Tensor], List[torch.Tensor], List[torch.Tensor]]:
    """Pad every ROI of a batch with :func:`pad_voxels`.

    Args:
        fmri (Sequence[Sequence[np.ndarray | Tensor]]): per sample, K arrays
            of shape (V_nk,), one per ROI.
        coords (Sequence[Sequence[np.ndarray | Tensor]]): per sample, K
            arrays of shape (V_nk, 3).
        device (str | torch.device, optional): where to put the results.

    Returns:
        tuple: three lists of K tensors, per ROI k: fmri (N, V_k), coords
        (N, V_k, 3) and the bool mask (N, V_k), V_k = max_n V_nk.
    """
    padded = [
        pad_voxels([f[k] for f in fmri], [c[k] for c in coords])
        for k in range(len(fmri[0]))
    ]
    return tuple([t.to(device) for t in part] for part in zip(*padded))


@MODELS.register_module()
class BrainDataPreprocessor(ImgDataPreprocessor):
    """Batch images and brain responses for the brain-guided models.

    Images are stacked, cast to float and normalised as in
    :class:`mmengine.model.ImgDataPreprocessor` (``LoadNSDImage`` gives RGB,
    so leave ``bgr_to_rgb`` False). Each ROI's responses, whose length
    differs between subjects, are padded to the longest in the batch
    (:func:`pad_rois`).

    Returns:
        dict: ``inputs`` with ``img`` (N, 3, H, W), and per ROI k (lists in
        ROI order) ``fmri`` (N, V_k), ``coords`` (N, V_k, 3) and ``mask``
        (N, V_k) bool, the (N,) long ``subject`` of each sample where
        the samples carry one, per ROI (N, F_k) ``features`` and V augmented
        ``views`` (N, 3, H', W') where they carry them; ``data_samples``
        unchanged. Samples without fMRI (the caption arm's) get no
        ``fmri``/``coords``/``mask``, and samples with caption tokens get
        ``tokens`` (N, L) long.
    """

    def normalise_views(self,
                        views: Sequence[ArrayLike]) -> List[torch.Tensor]:
        """N arrays (V, 3, H, W) uint8 -> V tensors (N, 3, H, W), float and
        normalised as the images are."""
        views = torch.as_tensor(np.stack(views), device=self.device).float()
        if self._enable_normalize:
            views = (views - self.mean) / self.std
        return list(views.unbind(1))

    def forward(self, data: dict, training: bool = False) -> dict:
        samples = data['data_samples']
        data = super().forward(data, training)
        data['inputs'] = dict(img=data['inputs'])
        if 'fmri' in samples[0]:  # not in the caption arm's samples
            fmri, coords, masks = pad_rois([s.fmri for s in samples],
                                           [s.coords for s in samples],
                                           self.device)
            data['inputs'].update(fmri=fmri, coords=coords, mask=masks)
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
