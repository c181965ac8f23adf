"""What the transfer study reports from its runs: mean ± std per arm, the
paired comparisons its verdict rests on, and tables.

``runs`` is ``arm -> seed -> run``, a run being the
:data:`~.hypotheses.ENDPOINTS` and :data:`~.hypotheses.FROZEN_ENDPOINTS` of
one arm and seed (None where the arm has no such figure),
``roi_median_r`` (ROI group -> median r) and, where the scene probes ran,
``probes`` (probe -> score).
"""
import statistics
from typing import Dict, List, Optional, Sequence, Tuple

from .arms import PAPER_ROWS
from .hypotheses import (ALPHA, ENDPOINTS, FROZEN_ENDPOINTS, GATE_ARM,
                         GATE_BASELINE, GATE_MARGINS, JUDGED_ENDPOINTS,
                         TARGET)

# figures in r, shown with 3 digits; the others are points (percent)
IN_R = ('mean_r', 'rsa/mean', 'rsa_normalised/mean')
from .statistics import holm, minimum_detectable_effect, paired_difference

Runs = Dict[str, Dict[int, dict]]


def endpoint(run: dict, metric: str) -> Optional[float]:
    """A run's figure ``metric`` (``probes/<probe>`` for a probe); None
    where it has none."""
    if metric.startswith('probes/'):
        return run.get('probes', {}).get(metric.split('/', 1)[1])
    return run.get(metric)


def summarise(runs: Runs) -> Dict[str, dict]:
    """Per arm and endpoint: mean, std over seeds (ddof 1; 0 for one seed)
    and the per-seed values."""
    summary = {}
    for arm, seeds in runs.items():
        summary[arm] = {}
        for metric in (*ENDPOINTS, *FROZEN_ENDPOINTS):
            values = [
                r[metric] for r in seeds.values()
                if r.get(metric) is not None
            ]
            if values:
                summary[arm][metric] = dict(
                    mean=statistics.mean(values),
                    std=statistics.stdev(values) if len(values) > 1 else 0.,
                    values=values)
    return summary


def paired(runs: Runs, arm: str, control: str, metric: str):
    """The seeds both arms have ``metric`` for, and its values in each
    arm on those seeds: (seeds, arm values, control values)."""
    seeds = [
        s for s in runs[arm] if s in runs[control]
        and endpoint(runs[arm][s], metric) is not None
        and endpoint(runs[control][s], metric) is not None
    ]
    return (seeds, [endpoint(runs[arm][s], metric) for s in seeds],
            [endpoint(runs[control][s], metric) for s in seeds])


def _holm_rows(rows: List[dict]) -> List[dict]:
    """Sets each row's ``p_holm`` (Holm over all ``rows``) and ``better``
    (mean > 0, p_holm < :data:`ALPHA`)."""
    for row, p in zip(rows, holm([row['p'] for row in rows])):
        row['p_holm'] = p
        row['better'] = bool(row['mean'] > 0 and p < ALPHA)
    return rows


def _differences(runs: Runs, arm: str, controls: Sequence[str],
                 metrics: Sequence[str]) -> List[dict]:
    """``arm`` minus each control on each metric over the seeds both ran
    (a pair with fewer than 2 left out), before any correction."""
    rows = []
    for control in controls:
        for metric in metrics:
            seeds, a, b = paired(runs, arm, control, metric)
            if len(seeds) < 2:
                continue
            d = paired_difference(a, b)
            rows.append(
                dict(arm=arm, control=control, metric=metric, seeds=seeds,
                     **d.to_dict(), mde=minimum_detectable_effect(d.sd, d.n)))
    return rows


def compare(runs: Runs,
            arm: str,
            controls: Sequence[str],
            metrics: Sequence[str] = JUDGED_ENDPOINTS) -> List[dict]:
    """``arm`` minus each control on each metric, paired by seed (the seeds
    both ran; a pair with fewer than 2 is left out): the mean difference,
    its 95% interval, the paired t-test's p, that p Holm-corrected over all
    the pairs returned (``p_holm``), the minimum detectable effect at 80%
    power (``mde``) and whether ``arm`` is better (mean > 0, p_holm <
    :data:`ALPHA`)."""
    return _holm_rows(_differences(runs, arm, controls, metrics))


def against(runs: Runs, baseline: str,
            metrics: Sequence[str] = JUDGED_ENDPOINTS) -> List[dict]:
    """Every other arm minus ``baseline`` (the shared starting point), as
    :func:`compare` gives it, Holm-corrected over all these rows."""
    return _holm_rows([
        row for arm in runs if arm != baseline
        for row in _differences(runs, arm, [baseline], metrics)
    ])


def compare_pairs(runs: Runs,
                  pairs: Sequence[Tuple[str, str]],
                  metrics: Sequence[str] = JUDGED_ENDPOINTS) -> List[dict]:
    """Each pair's first arm minus its second on each metric, as
    :func:`compare` gives it, Holm-corrected over all these rows; pairs
    with an arm not run are left out."""
    return _holm_rows([
        row for arm, control in pairs if arm in runs and control in runs
        for row in _differences(runs, arm, [control], metrics)
    ])


def target_met(comparisons: List[dict],
               target: Sequence[Tuple[str, str]] = TARGET
               ) -> Dict[str, bool]:
    """Per metric compared: is every pair of ``target`` better (mean > 0,
    Holm p < :data:`ALPHA`)? A metric a pair lacks is not met."""
    better = {(r['arm'], r['control'], r['metric']): r['better']
              for r in comparisons}
    metrics = dict.fromkeys(r['metric'] for r in comparisons)
    return {m: all(better.get((a, b, m), False) for a, b in target)
            for m in metrics}


def verdict(comparisons: List[dict]) -> Dict[str, bool]:
    """Per metric compared: is the arm better than every control?"""
    out = {}
    for row in comparisons:
        out[row['metric']] = out.get(row['metric'], True) and row['better']
    return out


def gate(runs: Runs,
         metrics: Sequence[str] = JUDGED_ENDPOINTS,
         arm: str = GATE_ARM) -> Dict[str, dict]:
    """Per endpoint: does ``arm`` (the positive control) beat
    :data:`GATE_BASELINE` by its :data:`GATE_MARGINS` (see there), paired
    by seed? ``mean``, ``low`` (the interval's lower end; None for one
    seed), ``margin``, ``seeds`` and ``passed``. Empty without both
    arms."""
    if arm not in runs or GATE_BASELINE not in runs:
        return {}
    out = {}
    for metric in metrics:
        seeds, a, b = paired(runs, arm, GATE_BASELINE, metric)
        if not seeds:
            continue
        if len(seeds) > 1:
            d = paired_difference(a, b)
            mean, low = d.mean, d.low
        else:
            mean, low = a[0] - b[0], None
        margin = GATE_MARGINS[metric]
        out[metric] = dict(
            mean=mean, low=low, margin=margin, seeds=len(seeds),
            passed=bool(mean >= margin and (low is None or low > 0)))
    return out


def gate_table(gates: Dict[str, dict], arm: str = GATE_ARM) -> str:
    """One line per endpoint: the control ``arm``'s gain over the starting
    point, the margin it must reach, and whether it does."""
    gain = f'{arm} - {GATE_BASELINE}'
    lines = [f'{"endpoint":<30}{gain:>18}{"95% low":>10}{"margin":>8}  '
             'passes']
    for metric, g in gates.items():
        digits = 3 if metric in IN_R else 2
        low = '-' if g['low'] is None else f'{g["low"]:.{digits}f}'
        lines.append(f'{metric:<30}{g["mean"]:>18.{digits}f}{low:>10}'
                     f'{g["margin"]:>8g}  {"yes" if g["passed"] else "no"}')
    return '\n'.join(lines)


def _arm_width(arms) -> int:
    return max(13, max(map(len, arms)) + 2)


def comparison_table(comparisons: List[dict]) -> str:
    """One line per compared pair and metric."""
    width = max([13] + [len(f'{r["arm"]} - {r["control"]}') + 2
                        for r in comparisons])
    column = max([8] + [len(r['metric']) + 2 for r in comparisons])
    lines = [f'{"arm - control":<{width}}{"metric":>{column}}{"mean":>9}'
             f'{"95% interval":>20}{"p":>8}{"p (Holm)":>10}{"MDE":>8}']
    for r in comparisons:
        digits = 3 if r['metric'] in IN_R else 2
        pair = f'{r["arm"]} - {r["control"]}'
        interval = f'{r["low"]:.{digits}f} to {r["high"]:.{digits}f}'
        lines.append(
            f'{pair:<{width}}{r["metric"]:>{column}}{r["mean"]:>9.{digits}f}'
            f'{interval:>20}{r["p"]:>8.3f}{r["p_holm"]:>10.3f}'
            f'{r["mde"]:>8.{digits}f}')
    return '\n'.join(lines)


def _mean_table(runs: Runs, key: str, digits: int, column: int = 15) -> str:
    """The mean over seeds of each entry of the runs' ``key`` dict, in
    columns of ``column`` characters."""
    first = next(iter(next(iter(runs.values())).values()))
    names = list(first[key])
    width = _arm_width(runs)
    lines = [f'{"arm":<{width}}' +
             ''.join(f'{n[:column - 1]:>{column}}' for n in names)]
    for arm, seeds in runs.items():
        means = [
            statistics.mean(run[key][name] for run in seeds.values())
            for name in names
        ]
        lines.append(f'{arm:<{width}}' +
                     ''.join(f'{m:>{column}.{digits}f}' for m in means))
    return '\n'.join(lines)


def roi_table(runs: Runs) -> str:
    """Median r per ROI of the held-out subject, mean over seeds."""
    return _mean_table(runs, 'roi_median_r', 3)


def probe_table(runs: Runs) -> str:
    """Each probe's score, mean over seeds."""
    return _mean_table(runs, 'probes', 2, column=23)


def format_table(summary: Dict[str, dict]) -> str:
    """mean ± std per arm (a line) and endpoint of
    :data:`~.hypotheses.ENDPOINTS` (a column)."""
    width = _arm_width(summary)
    lines = [f'{"arm":<{width}}' + ''.join(f'{m:>17}' for m in ENDPOINTS)]
    for arm, metrics in summary.items():
        lines.append(f'{arm:<{width}}' + ''.join(
            f'{_mean_std(m, metrics[m]):>17}' if m in metrics else
            f'{"-":>17}' for m in ENDPOINTS))
    return '\n'.join(lines)


def endpoint_table(summary: Dict[str, dict],
                   endpoints: Sequence[str] = tuple(FROZEN_ENDPOINTS)) -> str:
    """mean ± std per endpoint (a line) and arm (a column)."""
    width = max(len(m) for m in endpoints) + 2
    column = max([15] + [len(a) + 2 for a in summary])
    lines = [f'{"endpoint":<{width}}' +
             ''.join(f'{a:>{column}}' for a in summary)]
    for metric in endpoints:
        lines.append(f'{metric:<{width}}' + ''.join(
            f'{_mean_std(metric, summary[a][metric]):>{column}}'
            if metric in summary[a] else f'{"-":>{column}}'
            for a in summary))
    return '\n'.join(lines)


def _mean_std(metric: str, stats: dict) -> str:
    digits = 3 if metric in IN_R else 1
    return f'{stats["mean"]:.{digits}f} ± {stats["std"]:.{digits}f}'


def ablation_table(summary: Dict[str, dict]) -> str:
    """Table 3's shape: box AP, mask AP, mIoU and held-out mean r per arm
    (mean ± std), with the paper's ConvNeXt-S row where it has one (its
    PCC is the Algonauts score, not our mean r: compare directions)."""
    cols = ('APbox', 'APsegm', 'mIoU', 'mean_r')
    width = _arm_width(summary)
    lines = [f'{"arm":<{width}}' + ''.join(f'{c:>16}' for c in cols) +
             '   paper: box / mask / mIoU / PCC']
    for arm, metrics in summary.items():
        cells = [
            ('{mean:.3f} ± {std:.3f}' if c == 'mean_r' else
             '{mean:.1f} ± {std:.1f}').format(**metrics[c])
            if c in metrics else '-' for c in cols
        ]
        paper = PAPER_ROWS.get(arm)
        lines.append(f'{arm:<{width}}' + ''.join(f'{c:>16}' for c in cells) +
                     ('   ' + ' / '.join(f'{v:g}' for v in paper)
                      if paper else '   -'))
    return '\n'.join(lines)
