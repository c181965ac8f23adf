"""Paired statistics against scipy and hand computation."""
import math

import numpy as np
import pytest
from scipy import stats

from mmbrain.utils import read_json
from projects.transfer_study.transfer_study.statistics import (holm, minimum_detectable_effect,
                                            paired_difference)

A = [3.1, 2.2, 4.0, 3.3, 2.9]
B = [2.0, 2.5, 3.1, 2.2, 1.9]


def test_paired_difference_is_scipys_paired_t():
    d = paired_difference(A, B)
    reference = stats.ttest_rel(A, B)
    interval = reference.confidence_interval(0.95)
    assert d.mean == pytest.approx(0.76)
    assert d.sd == pytest.approx(np.std(np.subtract(A, B), ddof=1))
    assert d.p == pytest.approx(reference.pvalue)
    assert (d.low, d.high) == pytest.approx((interval.low, interval.high))
    # by hand: t(4) at 0.975 is 2.7764
    half = 2.7764451 * d.sd / math.sqrt(5)
    assert (d.low, d.high) == pytest.approx((0.76 - half, 0.76 + half))
    assert paired_difference(B, A).mean == pytest.approx(-0.76)


def test_identical_and_constant_differences():
    assert paired_difference([1, 2], [1, 2]).p == 1.0
    shifted = paired_difference([2, 3, 4], [1, 2, 3])
    assert (shifted.mean, shifted.low, shifted.high, shifted.p) == (1, 1, 1,
                                                                    0.)
    with pytest.raises(ValueError, match='at least 2 seeds'):
        paired_difference([1.], [2.])


def test_holm_by_hand():
    # sorted 0.01, 0.03, 0.04 -> x3, x2, x1 = 0.03, 0.06, 0.04 -> monotone
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm([0.02]) == [0.02]


def test_the_minimum_detectable_effect_has_the_power_asked():
    effect = minimum_detectable_effect(sd=2.0, n=5)
    nc = effect * math.sqrt(5) / 2.0
    critical = stats.t.ppf(0.975, 4)
    power = stats.nct.sf(critical, 4, nc) + stats.nct.cdf(-critical, 4, nc)
    assert power == pytest.approx(0.8, abs=1e-6)
    # larger than the normal approximation, which ignores the t's tails
    assert effect > (1.959964 + 0.841621) * 2.0 / math.sqrt(5)
    assert minimum_detectable_effect(2.0, 20) < effect / 2


@pytest.mark.parametrize('n', [2, 3])
def test_the_minimum_detectable_effect_holds_by_monte_carlo(n):
    """At n = 2 scipy's noncentral t gives NaN; the effect found still has
    80% power when the paired t-test is simulated (400,000 studies)."""
    effect = minimum_detectable_effect(sd=1.5, n=n)
    if n == 2:
        assert effect == pytest.approx(11.55 * 1.5, rel=1e-3)
    rng = np.random.default_rng(n)
    d = rng.normal(effect, 1.5, (400_000, n))
    t = d.mean(1) / (d.std(1, ddof=1) / math.sqrt(n))
    power = (np.abs(t) > stats.t.ppf(0.975, n - 1)).mean()
    assert power == pytest.approx(0.8, abs=0.003)


def test_one_seed_has_no_comparison():
    with pytest.raises(ValueError, match='1 seed.*no comparison'):
        minimum_detectable_effect(1.0, 1)


def test_a_two_seed_study_writes_its_comparisons(tmp_path, monkeypatch):
    """Two seeds: every pre-registered comparison has a finite MDE in
    study.json, the one at n = 2."""
    from projects.transfer_study.transfer_study import study as transfer_study

    def fake_run(self, arm, config, seed):
        gain = (arm == 'recommended') * (1 + seed)  # differs by seed
        return dict(APbox=10. + gain, APsegm=5. + gain, mIoU=20. - gain,
                    retrieval_top5=None, mean_r=.5 + .01 * gain,
                    roi_median_r={},
                    probes={})

    monkeypatch.setattr(transfer_study.Study, 'run', fake_run)
    result = transfer_study.run_study(
        dict(recommended=None, shuffled=None), [0, 1], 'data', [1, 2], {},
        'study', root=str(tmp_path))
    written = read_json(str(tmp_path / 'study' / 'study.json'))
    assert written['comparisons'] == result['comparisons']
    assert {row['metric'] for row in written['comparisons']} >= {'APbox'}
    for row in written['comparisons']:
        assert row['n'] == 2
        assert row['mde'] == pytest.approx(
            minimum_detectable_effect(row['sd'], 2))
        assert 0 < row['mde'] < math.inf
