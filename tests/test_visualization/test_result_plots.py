"""Study plots and loss curves: what they read, and that they draw."""
import json

import matplotlib.image as mpimg
import pytest

from mmbrain.visualization import (plot_comparisons, plot_loss_curves,
                                  plot_study, read_scalars)


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


def test_study_plot_draws_every_arm(tmp_path):
    stats = lambda *v: dict(  # noqa: E731
        mean=sum(v) / len(v), std=0.5, values=list(v))
    summary = dict(
        random=dict(APbox=stats(4, 5), mean_r=stats(.5, .52)),
        recommended=dict(APbox=stats(3, 2), retrieval_top5=stats(30, 31),
                         mean_r=stats(.58, .57)))
    out = plot_study(summary, str(tmp_path / 'study.png'))
    image = mpimg.imread(out)
    height, width, _ = image.shape
    assert width > height and image.std() > 0.05


def test_comparison_plot_has_a_panel_per_endpoint(tmp_path):
    def row(arm, metric, mean, p_holm):
        return dict(arm=arm, control='shuffled', metric=metric, mean=mean,
                    low=mean - 1, high=mean + 1, p_holm=p_holm,
                    seeds=[0, 1, 2])

    rows = [row(arm, metric, mean, p) for metric in
            ('probes/presence', 'mIoU', 'APbox')
            for arm, mean, p in (('recommended', 2., .01), ('ssl', -.5, .6))]
    out = plot_comparisons(rows, str(tmp_path / 'comparisons.png'))
    height, width, _ = mpimg.imread(out).shape
    assert width > 2 * height  # three panels side by side, two rows each
    with pytest.raises(ValueError, match='no comparison'):
        plot_comparisons([], str(tmp_path / 'none.png'))
    assert not (tmp_path / 'none.png').exists()
