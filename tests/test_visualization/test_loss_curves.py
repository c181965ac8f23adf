"""Loss curves: what they read from mmengine's scalar log, and that they
draw."""
import json

import matplotlib.image as mpimg
import pytest

from mmbrain.visualization import plot_loss_curves, read_scalars


def write_log(work_dir, timestamp, rows):
    log = work_dir / timestamp / 'vis_data'
    log.mkdir(parents=True)
    (log / 'scalars.json').write_text(''.join(
        json.dumps(r) + '\n' for r in rows))


@pytest.fixture
def resumed_run(tmp_path):
    """A run killed after step 20 and resumed from step 10, with a
    validation row (no loss) in between."""
    write_log(tmp_path, '20260101_000000', [
        dict(loss=3., loss_contrastive=2., temperature=.07, step=10),
        dict(loss=2.5, loss_contrastive=1.8, temperature=.06, step=20),
        {'retrieval/i2b_top5': 40., 'step': 1},
    ])
    write_log(tmp_path, '20260101_010000', [
        dict(loss=2.4, loss_contrastive=1.7, temperature=.06, step=20),
        dict(loss=2., loss_contrastive=1.5, temperature=.05, step=30),
    ])
    return tmp_path


def test_scalars_of_a_resumed_run(resumed_run):
    rows = read_scalars(str(resumed_run))
    assert [r['step'] for r in rows] == [10, 20, 30]
    assert [r['loss'] for r in rows] == [3., 2.4, 2.]  # resumed row wins


def test_loss_curves_draw(resumed_run, tmp_path):
    out = plot_loss_curves(str(resumed_run), str(tmp_path / 'curves.png'))
    height, width, _ = mpimg.imread(out).shape
    assert width > 2 * height  # three panels side by side
    with pytest.raises(FileNotFoundError, match='scalars.json'):
        plot_loss_curves(str(tmp_path / 'nothing'), str(tmp_path / 'x.png'))
