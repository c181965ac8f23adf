"""Training curves from mmengine's scalar log."""
import glob
import json
import os.path as osp
from typing import List, Optional, Sequence

from .canvas import agg_figure


def read_scalars(work_dir: str) -> List[dict]:
    """Training rows (those with a ``loss``) of mmengine's
    ``<timestamp>/vis_data/scalars.json`` in ``work_dir``, over every run
    (a resumed run's later rows replace the earlier ones of its steps),
    sorted by step."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise FileNotFoundError(f'{work_dir}: no */vis_data/scalars.json '
                                "(mmengine's LocalVisBackend log)")
    rows = {}
    for path in files:
        with open(path) as f:
            for line in f:
                row = json.loads(line)
                if 'loss' in row:
                    rows[row['step']] = row
    if not rows:
        raise ValueError(f'{work_dir}: its scalar logs {files} hold no '
                         'training row (no "loss")')
    return [rows[step] for step in sorted(rows)]


def plot_loss_curves(work_dir: str,
                     out_file: str,
                     keys: Optional[Sequence[str]] = None,
                     title: Optional[str] = None) -> str:
    """The pretraining curves of a work dir, one panel per scalar against
    the iteration: by default every ``loss*`` and the ``temperature``.

    Returns:
        str: ``out_file``.
    """
    rows = read_scalars(work_dir)
    logged = list(dict.fromkeys(k for r in rows for k in r))
    if keys is None:
        keys = [k for k in logged if k.startswith('loss') or
                k == 'temperature']
    keys = [k for k in keys if k in logged]
    if not keys:
        raise ValueError(f'{work_dir}: none of the scalars asked for is '
                         f'logged (it has {logged})')
    fig = agg_figure(figsize=(3 * len(keys), 2.6), layout='tight')
    axes = fig.subplots(1, len(keys), squeeze=False)
    for ax, key in zip(axes[0], keys):
        points = [(r['step'], r[key]) for r in rows if key in r]
        ax.plot(*zip(*points), lw=1.2)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel('iteration', fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(title or work_dir, fontsize=9)
    fig.savefig(out_file, dpi=110)
    return out_file
