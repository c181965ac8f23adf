"""Paired comparisons of two arms over seeds: the mean difference, its
interval, a p-value, Holm's correction over several comparisons and the
smallest effect the seeds can detect."""
import math
from dataclasses import asdict, dataclass
from typing import Dict, List, Sequence

import numpy as np
from scipy import integrate, optimize, stats


@dataclass
class PairedDifference:
    """``a - b`` over seeds paired by seed.

    Attributes:
        mean (float): mean difference.
        low, high (float): its two-sided confidence interval (t).
        p (float): two-sided p-value of the paired t-test.
        sd (float): std of the differences (ddof 1).
        n (int): seeds.
    """
    mean: float
    low: float
    high: float
    p: float
    sd: float
    n: int

    def to_dict(self) -> Dict[str, float]:
        return asdict(self)


def paired_difference(a: Sequence[float],
                      b: Sequence[float],
                      confidence: float = 0.95) -> PairedDifference:
    """The paired t statistics of ``a - b`` (both (n, ), n >= 2, the same
    seeds in the same order)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if d.ndim != 1 or len(d) < 2:
        raise ValueError(f'a paired comparison needs two equal-length '
                         f'series of at least 2 seeds, got {len(a)} and '
                         f'{len(b)}')
    n, mean, sd = len(d), float(d.mean()), float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * se
    if se == 0:
        p = 1.0 if mean == 0 else 0.0
    else:
        p = float(2 * stats.t.sf(abs(mean) / se, n - 1))
    return PairedDifference(mean, float(mean - half), float(mean + half), p,
                            sd, n)


def holm(pvalues: Sequence[float]) -> List[float]:
    """Holm's step-down adjusted p-values, in the order given: the k-th
    smallest p becomes ``max_{j <= k} min(1, (m - j + 1) p_(j))``."""
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p, kind='stable')
    scaled = np.minimum(1., (len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted.tolist()


def paired_t_power(effect: float,
                   sd: float,
                   n: int,
                   alpha: float = 0.05) -> float:
    """The probability that a two-sided paired t-test at ``alpha`` over
    ``n`` seeds rejects when the differences have mean ``effect`` and std
    ``sd``.

    With z = mean / (sd / sqrt(n)) ~ N(delta, 1), delta = effect sqrt(n) /
    sd, and u = sample sd / sd ~ chi(n - 1) / sqrt(n - 1), the test rejects
    when |z| > c u (c: the t critical value); the power is the integral
    over u of Phi(delta - c u) + Phi(-delta - c u). It is the noncentral t's
    two tails, computed where scipy's ``nct`` returns NaN (n = 2, delta
    above about 12).
    """
    df = n - 1
    critical = stats.t.ppf(1 - alpha / 2, df)
    delta = effect * math.sqrt(n) / sd

    def rejects(s):  # s = u sqrt(df) ~ chi(df)
        u = s / math.sqrt(df)
        return stats.chi.pdf(s, df) * (
            stats.norm.cdf(delta - critical * u) +
            stats.norm.cdf(-delta - critical * u))

    mode = math.sqrt(max(df - 1, 0))  # split the range at chi's mode
    return float(
        integrate.quad(rejects, 0, mode + 1)[0] +
        integrate.quad(rejects, mode + 1, np.inf)[0])


def minimum_detectable_effect(sd: float,
                              n: int,
                              alpha: float = 0.05,
                              power: float = 0.8) -> float:
    """The smallest true mean difference that a two-sided paired t-test at
    ``alpha`` detects with probability ``power``, for differences of std
    ``sd`` over ``n`` seeds (:func:`paired_t_power`, solved exactly).

    Raises:
        ValueError: ``n < 2``: one seed has no paired test.
    """
    if n < 2:
        raise ValueError(f'{n} seed(s): a paired test needs at least 2, so '
                         'there is no comparison and no minimum detectable '
                         'effect')
    if sd == 0:
        return 0.

    def shortfall(effect):
        return paired_t_power(effect, sd, n, alpha) - power

    high = sd
    while shortfall(high) < 0:
        high *= 2
    return float(optimize.brentq(shortfall, 0., high, xtol=1e-10 * sd))
