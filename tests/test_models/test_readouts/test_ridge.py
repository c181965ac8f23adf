import numpy as np
import pytest
import torch
from himalaya.backend import get_backend, set_backend
from himalaya.ridge import RidgeCV as HimalayaRidgeCV

from mmbrain.models import RidgeCV
from mmbrain.models.readouts import neg_summed_sq_error


def test_equals_normal_equations():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 7)), rng.normal(size=(40, 5))
    alpha = 3.0
    ridge = RidgeCV([alpha], dtype=torch.float64).fit(x, y)
    xc, yc = x - x.mean(0), y - y.mean(0)
    coef = np.linalg.solve(xc.T @ xc + alpha * np.eye(7), xc.T @ yc)
    np.testing.assert_allclose(ridge.coef_.numpy(), coef, rtol=1e-9)
    np.testing.assert_allclose(
        ridge.predict(x).numpy(),
        (x - x.mean(0)) @ coef + y.mean(0),
        rtol=1e-9)


def brute_force_cv(x, y, alphas, folds):
    """Held-out squared error per alpha and output, each fold solved with
    numpy.linalg.solve."""
    errors = np.zeros((len(alphas), y.shape[1]))
    for fold in folds:
        train = np.ones(len(x), bool)
        train[fold] = False
        xm, ym = x[train].mean(0), y[train].mean(0)
        xc, yc = x[train] - xm, y[train] - ym
        for a, alpha in enumerate(alphas):
            w = np.linalg.solve(xc.T @ xc + alpha * np.eye(x.shape[1]),
                                xc.T @ yc)
            errors[a] += (((x[fold] - xm) @ w + ym - y[fold])**2).sum(0)
    return errors


def test_picks_the_alpha_cross_validation_should_pick():
    rng = np.random.default_rng(0)
    n, f = 60, 20
    x = rng.normal(size=(n, f))
    w = rng.normal(size=(f, 1))
    # outputs 0-2: clean linear signal (small alpha best); 3-5: pure noise
    # (large alphas best)
    y = np.concatenate([x @ w + 0.01 * rng.normal(size=(n, 3)),
                        rng.normal(size=(n, 3))], 1)
    alphas = [1e-3, 1e-1, 1e1, 1e3, 1e5]
    ridge = RidgeCV(alphas, num_folds=4, dtype=torch.float64).fit(x, y)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    folds = [c.numpy() for c in order.chunk(4)]
    expected = brute_force_cv(x, y, alphas, folds)
    np.testing.assert_allclose(ridge.cv_error_.numpy(), expected, rtol=1e-8)
    chosen = ridge.alpha_.numpy()
    np.testing.assert_array_equal(chosen,
                                  np.array(alphas)[expected.argmin(0)])
    assert (chosen[:3] <= 1e-1).all() and (chosen[3:] >= 1e3).all()

    single = RidgeCV(alphas, num_folds=4, per_output=False,
                     dtype=torch.float64).fit(x, y)
    assert len(set(single.alpha_.tolist())) == 1
    assert single.alpha_[0] == alphas[expected.sum(1).argmin()]


def test_leave_one_out_equals_refitting_without_each_image():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(25, 6)), rng.normal(size=(25, 4))
    y[:, :2] += x @ rng.normal(size=(6, 2))
    alphas = [1e-2, 1., 1e2]
    ridge = RidgeCV(alphas, dtype=torch.float64).fit(x, y)
    expected = brute_force_cv(x, y, alphas, [[i] for i in range(25)])
    np.testing.assert_allclose(ridge.cv_error_.numpy(), expected, rtol=1e-8)
    np.testing.assert_array_equal(ridge.alpha_.numpy(),
                                  np.array(alphas)[expected.argmin(0)])


def test_folds_partition_the_rows():
    folds = RidgeCV([1.], num_folds=5).folds(63)
    assert [len(val) for _, val in folds] == [13, 13, 13, 13, 11]
    rows = np.arange(63)
    np.testing.assert_array_equal(
        np.sort(np.concatenate([val for _, val in folds])), rows)
    for train, val in folds:
        np.testing.assert_array_equal(np.sort(np.r_[train, val]), rows)
    again = RidgeCV([1.], num_folds=5).folds(63)
    other = RidgeCV([1.], num_folds=5, seed=1).folds(63)
    assert all((a == b).all() for (_, a), (_, b) in zip(folds, again))
    assert not all((a == b).all() for (_, a), (_, b) in zip(folds, other))
    loo = RidgeCV([1.]).folds(4)
    assert [val.tolist() for _, val in loo] == [[0], [1], [2], [3]]
    assert loo[2][0].tolist() == [0, 1, 3]


@pytest.fixture
def himalaya_backend():
    """Restores himalaya's backend after the test."""
    before = get_backend()
    yield
    set_backend(before)


@pytest.mark.parametrize('backend', ['numpy', 'torch'])
@pytest.mark.parametrize('num_folds', [5, None])
def test_same_as_himalaya_on_the_same_folds(num_folds, backend,
                                            himalaya_backend):
    """Himalaya's RidgeCV on our folds (unequal: 13 x 4 and 11; or the 63 of
    leave-one-out), grid, criterion and centring: the same alphas, cv
    errors and predictions, to 1e-6 relative (float64)."""
    rng = np.random.default_rng(0)
    n, f, v = 63, 20, 30
    x = rng.normal(size=(n, f))
    snr = np.logspace(-2, 0.5, v)
    y = x @ rng.normal(size=(f, v)) * snr + rng.normal(size=(n, v)) + 3
    alphas = [10.0**k for k in range(-2, 4)]
    ours = RidgeCV(alphas, num_folds=num_folds, dtype=torch.float64)
    ours.fit(x, y)
    folds = ours.folds(n)
    set_backend(backend)
    theirs = HimalayaRidgeCV(
        alphas, fit_intercept=True, cv=folds,
        solver_params=dict(score_func=neg_summed_sq_error)).fit(x, y)
    b = get_backend()

    assert len(ours.alpha_.unique()) >= 3
    np.testing.assert_allclose(
        b.to_numpy(theirs.best_alphas_), ours.alpha_.numpy(), rtol=1e-9)
    np.testing.assert_allclose(
        -b.to_numpy(theirs.cv_scores_) * len(folds),
        ours.cv_error_.min(0).values.numpy(),
        rtol=1e-6)
    x_test = rng.normal(size=(40, f))
    ours_pred = ours.predict(x_test).numpy()
    np.testing.assert_allclose(
        b.to_numpy(theirs.predict(x_test)),
        ours_pred,
        rtol=1e-6,
        atol=1e-6 * ours_pred.std())


def test_bad_folds():
    with pytest.raises(ValueError, match='at least 2'):
        RidgeCV([1.], num_folds=1)


@pytest.mark.parametrize('num_folds', [None, 3])
def test_progress_bar_counts_the_steps(num_folds, capsys):
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(30, 4, generator=g), torch.randn(30, 5, generator=g)
    quiet = RidgeCV([0.1, 1., 10.], num_folds=num_folds).fit(x, y)
    shown = RidgeCV([0.1, 1., 10.], num_folds=num_folds).fit(
        x, y, progress=True)
    # decomposition, 3 alphas or 3 folds, the final weights
    assert '5/5' in capsys.readouterr().out
    assert torch.equal(quiet.coef_, shown.coef_)
