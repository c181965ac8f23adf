import sys
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.utils import ProgressBar


class RidgeCV:
    """Ridge regression to many outputs, the penalty chosen per output by
    cross-validation over a grid.

    Closed form through the eigendecomposition of the centred features'
    Gram matrix ``X^T X = V diag(e) V^T``, shared by every output and every
    alpha: ``W_a = V diag(1 / (e + a)) V^T X^T Y``. By default the
    cross-validation is leave-one-out, which needs no other decomposition:
    the held-out residual of image i is ``r_i / (1 - h_ii)`` with ``h`` the
    diagonal of the hat matrix (intercept included). With ``num_folds`` it is
    K-fold over the splits of :meth:`folds`, one decomposition per fold.
    Each output (voxel) takes the alpha with the least summed held-out
    squared error.

    Args:
        alphas (Sequence[float]): The grid.
        num_folds (int, optional): K of K-fold; None for leave-one-out.
            Defaults to None.
        per_output (bool): An alpha per output (else one for all, the best
            total error). Defaults to True.
        seed (int): Shuffles the rows before cutting folds. Defaults to 0.
        dtype (torch.dtype): Computation type. Defaults to float32.
        device (str, optional): Where to compute; default the inputs'.

    Attributes (after :meth:`fit`):
        alpha_ (Tensor): (V,) chosen alphas.
        cv_error_ (Tensor): (A, V) summed held-out squared errors.
        coef_ (Tensor): (F, V).
        intercept_ (Tensor): (V,).
    """

    def __init__(self,
                 alphas: Sequence[float],
                 num_folds: Optional[int] = None,
                 per_output: bool = True,
                 seed: int = 0,
                 dtype: torch.dtype = torch.float32,
                 device: Optional[str] = None):
        if num_folds is not None and num_folds < 2:
            raise ValueError('num_folds must be at least 2 (or None for '
                             'leave-one-out)')
        self.alphas = torch.as_tensor(list(alphas), dtype=dtype)
        self.num_folds = num_folds
        self.per_output = per_output
        self.seed = seed
        self.dtype = dtype
        self.device = device

    def _as(self, x) -> torch.Tensor:
        x = torch.as_tensor(x)
        return x.to(device=self.device or x.device, dtype=self.dtype)

    @staticmethod
    def _decompose(x: torch.Tensor, y: torch.Tensor):
        """Means, eigenvalues e and vectors V of the centred Gram matrix,
        and V^T X^T Y."""
        x_mean, y_mean = x.mean(0), y.mean(0)
        xc = x - x_mean
        evals, v = torch.linalg.eigh(xc.T @ xc)
        return x_mean, y_mean, evals.clamp(min=0), v, v.T @ (
            xc.T @ (y - y_mean))

    def _loo_errors(self, x, y, alphas, step, x_mean, y_mean, e, v, vxy):
        xv = (x - x_mean) @ v  # (N, F)
        yc = y - y_mean
        errors = []
        for alpha in alphas:
            scaled = xv / (e + alpha)
            hat = 1 / len(x) + (scaled * xv).sum(1)  # (N,) diag of H
            resid = (yc - scaled @ vxy) / (1 - hat)[:, None]
            errors.append((resid**2).sum(0))
            step()
        return torch.stack(errors)

    def folds(self, num_samples: int) -> List[Tuple[np.ndarray, np.ndarray]]:
        """The cross-validation splits of :meth:`fit` on N rows: the rows
        shuffled with ``seed``, cut by ``torch.chunk`` into ``num_folds``
        validation sets of ``ceil(N / K)`` rows (the last smaller; fewer
        sets when N is small). For leave-one-out, the N one-row splits that
        :meth:`fit` solves in closed form (N arrays of N - 1 rows: for
        comparisons on small N, not what :meth:`fit` builds).

        Returns:
            list[tuple[ndarray, ndarray]]: Per fold (train, val), sorted row
            indices, (N - n_k,) and (n_k,); the vals partition ``range(N)``.
        """
        rows = np.arange(num_samples)
        if self.num_folds is None:
            return [(np.delete(rows, i), rows[i:i + 1]) for i in rows]
        order = torch.randperm(
            num_samples, generator=torch.Generator().manual_seed(self.seed))
        vals = [np.sort(c.numpy()) for c in order.chunk(self.num_folds)]
        return [(np.setdiff1d(rows, val), val) for val in vals]

    def _kfold_errors(self, x, y, alphas, folds, step):
        errors = torch.zeros(len(alphas), y.shape[1], dtype=self.dtype,
                             device=x.device)
        for split in folds:
            train, val = (torch.from_numpy(i).to(x.device) for i in split)
            x_mean, y_mean, e, v, vxy = self._decompose(x[train], y[train])
            xv = (x[val] - x_mean) @ v  # (n_val, F)
            for a, alpha in enumerate(alphas):
                pred = (xv / (e + alpha)) @ vxy + y_mean
                errors[a] += ((pred - y[val])**2).sum(0)
            step()
        return errors

    def fit(self, x, y, progress: bool = False) -> 'RidgeCV':
        """
        Args:
            x: (N, F) features.
            y: (N, V) responses.
            progress (bool): Show mmengine's ``ProgressBar`` over the
                decomposition, the alphas (leave-one-out) or the folds, and
                the final weights.
        """
        x, y = self._as(x), self._as(y)
        alphas = self.alphas.to(x.device)
        folds = None if self.num_folds is None else self.folds(len(x))
        bar = None
        if progress:
            steps = 2 + (len(alphas) if folds is None else len(folds))
            bar = ProgressBar(steps, file=sys.stdout)
        step = bar.update if bar else lambda: None
        factors = self._decompose(x, y)
        step()
        if folds is None:
            errors = self._loo_errors(x, y, alphas, step, *factors)
        else:
            errors = self._kfold_errors(x, y, alphas, folds, step)
        self.cv_error_ = errors
        if self.per_output:
            chosen = errors.argmin(0)
        else:
            chosen = errors.sum(1).argmin().expand(y.shape[1])
        self.alpha_ = alphas[chosen]

        x_mean, y_mean, e, v, vxy = factors
        coef = torch.empty(x.shape[1], y.shape[1], dtype=self.dtype,
                           device=x.device)
        for a in chosen.unique():
            cols = chosen == a
            coef[:, cols] = v @ (vxy[:, cols] / (e + alphas[a])[:, None])
        self.coef_ = coef
        self.intercept_ = y_mean - x_mean @ coef
        step()
        if bar:
            print(flush=True)
        return self

    def predict(self, x) -> torch.Tensor:
        """(N, F) features -> (N, V) predicted responses."""
        return self._as(x) @ self.coef_ + self.intercept_


def neg_summed_sq_error(y_true, y_pred):
    """:class:`RidgeCV`'s criterion as a himalaya ``score_func``: (n, V)
    targets and (n, V) or (A, n, V) predictions -> (V,) or (A, V) minus the
    summed squared error. Its mean over folds ranks alphas as ours does
    (himalaya's default, the mean squared error per fold, weighs unequal
    folds unequally)."""
    return -((y_pred - y_true)**2).sum(-2)
