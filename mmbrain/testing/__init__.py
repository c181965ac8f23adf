"""Code for tests and benchmarks only; the package itself never imports it.
"""
from ._utils import fake_brain_batch, fake_brain_data, voxel_counts
from .literal import literal_brainformer
from .ncsnr import estimate_ncsnr

__all__ = [
    'estimate_ncsnr', 'fake_brain_batch', 'fake_brain_data',
    'literal_brainformer', 'voxel_counts'
]
