"""The study's plots: that they draw every arm and endpoint."""
import matplotlib.image as mpimg
import pytest

from projects.transfer_study.transfer_study.plots import (plot_comparisons,
                                                         plot_study)


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
