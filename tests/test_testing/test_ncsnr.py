import numpy as np

from mmbrain.testing import estimate_ncsnr


def test_ncsnr_by_hand():
    """Images 0 and 1 seen twice, image 2 once (left out of the noise).
    Voxel 0: noise (2 + 2) / 2 = 2, total variance 10, ncsnr sqrt(8 / 2);
    voxel 1: no variance across repeats, no noise, ncsnr 0."""
    betas = np.array([[1., 1], [3, 1], [2, 2], [4, 2], [10, 5]])
    images = np.array([0, 0, 1, 1, 2])
    np.testing.assert_allclose(estimate_ncsnr(betas, images), [2., 0.])
