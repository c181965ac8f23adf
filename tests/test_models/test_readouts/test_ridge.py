import numpy as np
import pytest
import torch

from mmbrain.models import RidgeCV


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


def test_bad_folds():
    with pytest.raises(ValueError, match='at least 2'):
        RidgeCV([1.], num_folds=1)
