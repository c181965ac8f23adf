"""Paired comparisons of two arms over seeds: the mean difference, its
interval, a p-value, Holm's correction over several comparisons and the
smallest effect the seeds can detect."""
import math
from dataclasses import asdict, dataclass
from typing import Dict, List, Sequence

import numpy as np
from scipy import optimize, stats


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


def minimum_detectable_effect(sd: float,
                              n: int,
                              alpha: float = 0.05,
                              power: float = 0.8) -> float:
    """The smallest true mean difference that a two-sided paired t-test at
    ``alpha`` detects with probability ``power``, for differences of std
    ``sd`` over ``n`` seeds (the noncentral t, solved exactly)."""
    if n < 2:
        raise ValueError('a paired test needs at least 2 seeds')
    if sd == 0:
        return 0.
    df, critical = n - 1, stats.t.ppf(1 - alpha / 2, n - 1)

    def shortfall(effect):
        nc = effect * math.sqrt(n) / sd
        return (stats.nct.sf(critical, df, nc) +
                stats.nct.cdf(-critical, df, nc)) - power

    high = sd
    while shortfall(high) < 0:
        high *= 2
    return float(optimize.brentq(shortfall, 0., high, xtol=1e-10 * sd))
