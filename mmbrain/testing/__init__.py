from ._utils import fake_brain_batch, fake_brain_data, voxel_counts

__all__ = ['fake_brain_batch', 'fake_brain_data', 'voxel_counts']
