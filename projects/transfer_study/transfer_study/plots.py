"""The study's plots: its endpoints per arm, and its paired comparisons."""
from typing import Dict, Optional, Sequence

import numpy as np
from scipy.stats import t as t_dist

from mmbrain.visualization.canvas import agg_figure
from .hypotheses import ENDPOINTS, FROZEN_ENDPOINTS

ALL_ENDPOINTS = {**ENDPOINTS, **FROZEN_ENDPOINTS}

# the controls, and the positive controls (green), apart from the brain arms
CONTROL_COLORS = {'random': '0.55', 'shuffled': '#d98c1f',
                  'ssl+shuffled': '#e8b26a', 'labels': '#2d7a47',
                  'oracle': '#3a9a5b', 'voxel-encoding': '#7cc48f'}


def plot_study(summary: Dict[str, Dict[str, dict]],
               out_file: str,
               metrics: Sequence[str] = tuple(ALL_ENDPOINTS),
               gates: Optional[Dict[str, dict]] = None,
               title: Optional[str] = None,
               columns: int = 5) -> str:
    """One panel per metric, one horizontal bar per arm: the mean over
    seeds, its 95% t interval (two seeds or more) and each seed as a dot;
    the endpoints the gate passes first, each panel saying how the gate
    judged it.

    Args:
        summary (dict): arm -> metric -> ``{'mean', 'std', 'values'}``, the
            ``summary`` of a transfer study's ``study.json``; a metric an
            arm lacks (random init has no retrieval) leaves its bar out.
        out_file (str): The PNG to write.
        metrics (Sequence[str]): Panels, in order (after the gated ones).
        gates (dict, optional): The study's ``gate`` (metric ->
            ``{'passed', ...}``).
        title (str, optional): Figure title.
        columns (int): Panels per row.

    Returns:
        str: ``out_file``.
    """
    arms = list(summary)
    metrics = [m for m in metrics if any(m in summary[a] for a in arms)]
    if not metrics:
        raise ValueError(f'{out_file}: no arm has any of the metrics '
                         f'{list(metrics)}')
    gates = gates or {}
    # gated first, then those the gate fails, then those it did not judge
    metrics.sort(key=lambda m: 0 if gates.get(m, {}).get('passed') else
                 1 if m in gates else 2)
    ncols = min(columns, len(metrics))
    nrows = -(-len(metrics) // ncols)
    fig = agg_figure(
        figsize=(2.7 * ncols + 1.2, (0.3 * len(arms) + 1.1) * nrows + 0.4),
        layout='tight')
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel()
    rows = range(len(arms))[::-1]  # the first arm on top
    for ax, metric in zip(axes, metrics):
        for row, arm in zip(rows, arms):
            stats = summary[arm].get(metric)
            if stats is None:
                continue
            values = stats['values']
            color = CONTROL_COLORS.get(arm, '#3b6fb6')
            half = (t_dist.ppf(0.975, len(values) - 1) * stats['std'] /
                    np.sqrt(len(values)) if len(values) > 1 else None)
            ax.barh(row, stats['mean'], color=color, alpha=0.75, height=0.7,
                    xerr=half, error_kw=dict(capsize=2, lw=1))
            ax.plot(values, [row] * len(values), 'k.', ms=3)
        if 'random' in arms and metric in summary['random']:
            ax.axvline(summary['random'][metric]['mean'], color='0.4',
                       ls='--', lw=0.8)
        judged = ('' if metric not in gates else '\ngate: passed'
                  if gates[metric]['passed'] else '\ngate: not passed')
        ax.set_title(ALL_ENDPOINTS.get(metric, metric) + judged, fontsize=8,
                     color='black' if not judged or gates[metric]['passed']
                     else '0.45')
        ax.tick_params(labelsize=7)
        ax.grid(axis='x', alpha=0.3)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    for ax in axes[::ncols]:
        ax.set_yticks(list(rows), arms)
    seeds = max(len(s['values']) for a in arms for s in summary[a].values())
    default = (f'mean over {seeds} seeds, 95% t interval; dots: seeds'
               if seeds > 1 else 'one seed (no intervals)')
    if 'random' in arms:
        default += '; dashed: random init'
    fig.suptitle(title or default, fontsize=9)
    fig.savefig(out_file, dpi=110)
    return out_file


# panels per row of a comparisons figure
COMPARISON_COLUMNS = 4


def plot_comparisons(comparisons: Sequence[dict],
                     out_file: str,
                     alpha: float = 0.05,
                     title: Optional[str] = None) -> str:
    """A forest plot of a study's paired comparisons: one panel per
    endpoint (in its own units, ``COMPARISON_COLUMNS`` panels a row), one
    row per pair, the mean difference with its 95% interval. Filled blue:
    the first arm better (mean > 0, Holm p below ``alpha``); filled red:
    worse; hollow: not resolved.

    Args:
        comparisons (Sequence[dict]): Rows with ``arm``, ``control``,
            ``metric``, ``mean``, ``low``, ``high`` and ``p_holm``, the
            ``comparisons`` of a transfer study's ``study.json``.
        out_file (str): The PNG to write.
        alpha (float): Significance level of the Holm p. Defaults to 0.05.
        title (str, optional): Figure title.

    Returns:
        str: ``out_file``.
    """
    if not comparisons:
        raise ValueError(f'{out_file}: no comparison to draw')
    metrics = list(dict.fromkeys(r['metric'] for r in comparisons))
    pairs = list(dict.fromkeys((r['arm'], r['control']) for r in comparisons))
    rows = dict(zip(pairs, range(len(pairs))[::-1]))  # the first on top
    cols = min(len(metrics), COMPARISON_COLUMNS)
    grid_rows = -(-len(metrics) // cols)
    fig = agg_figure(
        figsize=(2.5 * cols + 2.2,
                 (0.42 * len(pairs) + 1.0) * grid_rows + 0.4),
        layout='tight')
    grid = fig.subplots(grid_rows, cols, sharey=True, squeeze=False)
    axes = grid.ravel()
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    for ax, metric in zip(axes, metrics):
        for r in comparisons:
            if r['metric'] != metric:
                continue
            resolved = r['p_holm'] < alpha
            color = '#3b6fb6' if r['mean'] > 0 else '#c0392b'
            y = rows[(r['arm'], r['control'])]
            ax.errorbar(r['mean'], y, xerr=[[r['mean'] - r['low']],
                                            [r['high'] - r['mean']]],
                        fmt='o', color=color, ms=5, capsize=2, lw=1.2,
                        mfc=color if resolved else 'white')
            ax.annotate(f'p {r["p_holm"]:.2g}', (r['high'], y),
                        xytext=(3, 0), textcoords='offset points',
                        va='center', fontsize=6.5, color='0.3')
        ax.axvline(0, color='0.4', ls='--', lw=0.8)
        ax.set_title(ALL_ENDPOINTS.get(metric) or
                     metric.split('/')[-1].replace('_', ' ') + ' probe',
                     fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(axis='x', alpha=0.3)
        ax.margins(x=0.25)
    for ax in grid[:, 0]:
        ax.set_yticks(list(rows.values()), [f'{a} - {c}' for a, c in rows])
    seeds = max(len(r.get('seeds', ())) for r in comparisons)
    fig.suptitle(title or (
        f'paired difference over {seeds} seeds, 95% interval; filled: Holm '
        f'p < {alpha}'), fontsize=9)
    fig.savefig(out_file, dpi=110)
    return out_file
