import numpy as np
import pytest
from scipy.stats import pearsonr

from mmbrain.evaluation import (BrainEncodingMetric, encoding_scores,
                                noise_ceiling, noise_normalized_score,
                                pearson_per_voxel)


def test_pearson_equals_scipy_per_voxel():
    rng = np.random.default_rng(0)
    target = rng.normal(size=(50, 30))
    pred = 0.5 * target + rng.normal(size=(50, 30))
    r = pearson_per_voxel(pred, target)
    expected = [pearsonr(pred[:, v], target[:, v])[0] for v in range(30)]
    np.testing.assert_allclose(r, expected, rtol=1e-10)
    assert pearson_per_voxel(np.ones((5, 1)), target[:5, :1])[0] == 0


def test_roi_median_and_noise_normalized_by_hand():
    # ROI a: r = 1, -1, 0.8 ; ROI b: r = 2 / sqrt(10)
    t = np.array([1., 2, 3, 4])
    pred_a = np.stack([t, -t, [1., 3, 2, 4]], 1)
    target_a = np.stack([t, t, t], 1)
    r_a = [1., -1., pearsonr([1, 3, 2, 4], t)[0]]  # 0.8
    pred_b = np.array([[1.], [0], [1], [2]])
    target_b = np.array([[1.], [2], [3], [4]])
    r_b = 2 / 10**0.5
    ceilings = [np.array([0.5, 0.5, 0.8]), np.array([0.1])]
    out = encoding_scores([pred_a, pred_b], [target_a, target_b], ['a', 'b'],
                          ceilings)
    assert out['mean_r'] == pytest.approx((sum(r_a) + r_b) / 4)
    assert out['median_r/a'] == pytest.approx(r_a[2])
    assert out['median_r/b'] == pytest.approx(r_b)
    assert out['roi_median_r'] == pytest.approx((r_a[2] + r_b) / 2)
    # per voxel: min(100, 100 * max(r, 0)^2 / NC)
    scores = [100., 0., 100 * r_a[2]**2 / 0.8, 100.]  # 1st and r_b capped
    assert min(100, 100 * r_b**2 / 0.1) == 100.
    assert out['noise_normalized'] == pytest.approx(sum(scores) / 4)


def test_noise_normalized_edge_cases():
    r = np.array([0.5, 0.5, -0.3])
    np.testing.assert_allclose(
        noise_normalized_score(r, np.array([0.25, 0., 0.5])), [100, 0, 0])


def test_noise_ceiling_from_ncsnr():
    # ncsnr 1 averaged over 3 trials: 1 / (1 + 1/3) = 0.75
    assert noise_ceiling(np.array([1.]), 3)[0] == pytest.approx(0.75)


def test_metric_collects_samples():
    rng = np.random.default_rng(1)
    gt = [rng.normal(size=(20, 4)), rng.normal(size=(20, 2))]
    pred = [g + rng.normal(size=g.shape) for g in gt]
    metric = BrainEncodingMetric()
    metric.process(None, [
        dict(pred_fmri=[p[i] for p in pred], gt_fmri=[g[i] for g in gt],
             rois=('x', 'y')) for i in range(20)
    ])
    out = metric.compute_metrics(metric.results)
    assert out == pytest.approx(encoding_scores(pred, gt, ['x', 'y']))
    assert 'noise_normalized' not in out


def test_metric_averages_over_subjects():
    """Samples of two subjects (whose voxels differ) are scored per
    subject, and the figures averaged."""
    rng = np.random.default_rng(2)
    parts = {}
    for subject, voxels in ((1, 5), (2, 3)):
        gt = [rng.normal(size=(10, voxels))]
        parts[subject] = (gt, [g + rng.normal(size=g.shape) for g in gt])
    metric = BrainEncodingMetric()
    metric.process(None, [
        dict(pred_fmri=[p[i] for p in pred], gt_fmri=[g[i] for g in gt],
             rois=('x', ), subject=subject)
        for subject, (gt, pred) in parts.items() for i in range(10)
    ])
    out = metric.compute_metrics(metric.results)
    each = [encoding_scores(pred, gt, ['x']) for gt, pred in parts.values()]
    assert out == pytest.approx({k: (each[0][k] + each[1][k]) / 2
                                 for k in each[0]})


def test_median_per_area_by_hand():
    # ROI a's three voxels have r = 1, -1, 0.8 (as above); areas FFA-1
    # (voxels 0 and 2) and OFA (voxel 1)
    t = np.array([1., 2, 3, 4])
    pred = np.stack([t, -t, [1., 3, 2, 4]], 1)
    target = np.stack([t, t, t], 1)
    areas = [np.array(['FFA-1', 'OFA', 'FFA-1'])]
    out = encoding_scores([pred], [target], ['a'], areas=areas)
    assert out['median_r/a/FFA-1'] == pytest.approx((1 + 0.8) / 2)
    assert out['median_r/a/OFA'] == pytest.approx(-1)
    assert out['median_r/a'] == pytest.approx(0.8)
    with pytest.raises(ValueError, match=r'a: \(2,\) area names for \(3,\) '
                       'voxels'):
        encoding_scores([pred], [target], ['a'], areas=[areas[0][:2]])

    # the metric, over two subjects: an area one subject lacks is averaged
    # over the other
    metric = BrainEncodingMetric(areas=True)
    second = [np.array(['FFA-1', 'FFA-1', 'V1v'])]
    metric.process(None, [
        dict(pred_fmri=[pred[i]], gt_fmri=[target[i]], rois=('a', ),
             subject=s, areas=a)
        for s, a in ((1, areas), (2, second)) for i in range(4)
    ])
    out = metric.compute_metrics(metric.results)
    assert out['median_r/a/FFA-1'] == pytest.approx((0.9 + 0) / 2)
    assert out['median_r/a/OFA'] == pytest.approx(-1)
    assert out['median_r/a/V1v'] == pytest.approx(0.8)
    # asked for areas, given none
    with pytest.raises(ValueError, match=r"needs each sample's 'areas'"):
        BrainEncodingMetric(areas=True).process(
            None, [dict(pred_fmri=[pred[0]], gt_fmri=[target[0]])])
    assert 'median_r/a/OFA' not in BrainEncodingMetric().compute_metrics(
        metric.results)
