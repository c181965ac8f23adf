import numpy as np
import pytest

from mmbrain.testing import estimate_ncsnr


def test_ncsnr_by_hand():
    """Images 0 and 1 seen twice, image 2 once (left out of the noise).
    Voxel 0: noise (2 + 2) / 2 = 2, total variance 10, ncsnr sqrt(8 / 2);
    voxel 1: no variance across repeats, no noise, ncsnr 0."""
    betas = np.array([[1., 1], [3, 1], [2, 2], [4, 2], [10, 5]])
    images = np.array([0, 0, 1, 1, 2])
    np.testing.assert_allclose(estimate_ncsnr(betas, images), [2., 0.])


def test_measured_from_the_raw_betas_by_hand(mini_nsd, tmp_path):
    """``measure_ncsnr`` reads a subject's sessions (int16 / 300, spatial
    axes reversed on disk), z-scores each per voxel, maps trials to images
    through the design and leaves out the voxel that is constant in
    session 2; by hand from the stored values."""
    from mmbrain.testing.ncsnr import measure_ncsnr
    root = mini_nsd.build(tmp_path)
    ijk = [(0, 0, 0), (1, 0, 0)]  # prf-visualrois without (2, 1, 1)
    sessions = []
    for session in (1, 2):
        values = np.array([[mini_nsd.betas(2, session)[t, i, j, k] / 300
                            for i, j, k in ijk]
                           for t in range(mini_nsd.trials)])
        sessions.append((values - values.mean(0)) / values.std(0))
    images = [mini_nsd.subjectim[1][c] for c in mini_nsd.masterordering]
    np.testing.assert_allclose(
        measure_ncsnr(root, 2, 'prf-visualrois'),
        estimate_ncsnr(np.concatenate(sessions), np.array(images)),
        rtol=1e-5)


def test_summary_by_hand():
    """Eleven voxels 0.0..1.0: median 0.5, 10th percentile 0.1, 90th 0.9,
    two of eleven below 0.2; the median three-trial noise ceiling is that
    of ncsnr 0.5, 0.25 / (0.25 + 1/3)."""
    from mmbrain.testing.ncsnr import ncsnr_summary
    summary = ncsnr_summary(np.arange(11) / 10)
    assert summary == pytest.approx(dict(
        median=0.5, p10=0.1, p90=0.9, below=2 / 11,
        noise_ceiling=100 * 0.25 / (0.25 + 1 / 3)))
