"""Synthetic brain data for tests and benchmarks."""
from typing import List, Sequence, Tuple

import torch

from mmbrain.structures import BrainDataSample

# 6 ROIs, a few windows each, as the demo configs expect
DEMO_VOXELS = (120, 30, 40, 25, 35, 200)


def voxel_counts(voxels: Sequence[int], num_samples: int,
                 spread: float = 0.1) -> List[List[int]]:
    """Voxel counts per sample and ROI that differ as subjects do.

    Sample n has ``voxels`` shrunk by ``spread * n / (N - 1)``: the first
    has ``voxels``, the last ``1 - spread`` of them.

    Returns:
        list: N lists of K counts, K = len(voxels).
    """
    return [[int(v * (1 - spread * n / max(num_samples - 1, 1)))
             for v in voxels] for n in range(num_samples)]


def fake_brain_data(
    lengths: Sequence[Sequence[int]],
    seed: int = 0
) -> Tuple[List[List[torch.Tensor]], List[List[torch.Tensor]]]:
    """Random responses and voxel coordinates, seeded.

    Args:
        lengths (Sequence[Sequence[int]]): per sample, the voxel counts
            V_nk of its K ROIs.
        seed (int): seed of the generator.

    Returns:
        tuple: ``fmri`` and ``coords``, per sample K tensors of shape
        (V_nk,) (standard normal) and (V_nk, 3) (normal, std 40 mm).
    """
    g = torch.Generator().manual_seed(seed)
    fmri, coords = [], []
    for lens in lengths:
        fmri.append([torch.randn(v, generator=g) for v in lens])
        coords.append([torch.randn(v, 3, generator=g) * 40 for v in lens])
    return fmri, coords


def fake_brain_batch(num_samples: int = 4,
                     voxels: Sequence[int] = DEMO_VOXELS,
                     img_size: int = 64,
                     seed: int = 0) -> dict:
    """A batch as the pretraining dataloader gives it, with random data.

    Args:
        num_samples (int): N.
        voxels (Sequence[int]): voxels of the K ROIs of the first sample;
            the others have fewer (:func:`voxel_counts`).
        img_size (int): H = W of the images.
        seed (int): seed of the generator.

    Returns:
        dict: ``inputs``, N uint8 images (3, H, W), and ``data_samples``, N
        :class:`BrainDataSample` with float32 numpy ``fmri`` (V_nk,) and
        ``coords`` (V_nk, 3) per ROI, and ``subject`` and ``nsd_id``.
    """
    fmri, coords = fake_brain_data(
        voxel_counts(voxels, num_samples), seed)
    samples = []
    for n in range(num_samples):
        sample = BrainDataSample(
            fmri=[f.numpy() for f in fmri[n]],
            coords=[c.numpy() for c in coords[n]])
        sample.set_metainfo(dict(subject=1 + n % 2, nsd_id=n))
        samples.append(sample)
    g = torch.Generator().manual_seed(seed)
    imgs = torch.randint(0, 256, (num_samples, 3, img_size, img_size),
                         dtype=torch.uint8, generator=g)
    return dict(inputs=list(imgs), data_samples=samples)
