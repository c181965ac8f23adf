from typing import Optional, Sequence

import torch


class RidgeCV:
    """Ridge regression to many outputs, the penalty chosen per output by
    K-fold cross-validation over a grid.

    Closed form through one SVD of the centred features per fold (and one for
    the final fit), shared by every output and every alpha:
    ``W_a = V diag(s / (s^2 + a)) U^T Y``. Each output (voxel) takes the
    alpha with the least summed squared error over the held-out folds.

    Args:
        alphas (Sequence[float]): The grid.
        num_folds (int): Folds of the cross-validation. Defaults to 5.
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
                 num_folds: int = 5,
                 per_output: bool = True,
                 seed: int = 0,
                 dtype: torch.dtype = torch.float32,
                 device: Optional[str] = None):
        if num_folds < 2:
            raise ValueError('num_folds must be at least 2')
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
    def _svd(x: torch.Tensor, y: torch.Tensor):
        """Centred SVD factors: (means, s, V, U^T y)."""
        x_mean, y_mean = x.mean(0), y.mean(0)
        u, s, vh = torch.linalg.svd(x - x_mean, full_matrices=False)
        return x_mean, y_mean, s, vh.T, u.T @ (y - y_mean)

    def fit(self, x, y) -> 'RidgeCV':
        """
        Args:
            x: (N, F) features.
            y: (N, V) responses.
        """
        x, y = self._as(x), self._as(y)
        alphas = self.alphas.to(x.device)
        order = torch.randperm(
            len(x), generator=torch.Generator().manual_seed(self.seed))
        errors = torch.zeros(len(alphas), y.shape[1], dtype=self.dtype,
                             device=x.device)
        for fold in order.chunk(self.num_folds):
            train = torch.ones(len(x), dtype=torch.bool)
            train[fold] = False
            x_mean, y_mean, s, v, uty = self._svd(x[train], y[train])
            xv = (x[~train] - x_mean) @ v  # (n_val, k)
            for a, alpha in enumerate(alphas):
                pred = (xv * (s / (s**2 + alpha))) @ uty + y_mean
                errors[a] += ((pred - y[~train])**2).sum(0)
        self.cv_error_ = errors
        if self.per_output:
            chosen = errors.argmin(0)
        else:
            chosen = errors.sum(1).argmin().expand(y.shape[1])
        self.alpha_ = alphas[chosen]

        x_mean, y_mean, s, v, uty = self._svd(x, y)
        coef = torch.empty(x.shape[1], y.shape[1], dtype=self.dtype,
                           device=x.device)
        for a in chosen.unique():
            cols = chosen == a
            coef[:, cols] = v @ ((s / (s**2 + alphas[a]))[:, None] *
                                 uty[:, cols])
        self.coef_ = coef
        self.intercept_ = y_mean - x_mean @ coef
        return self

    def predict(self, x) -> torch.Tensor:
        """(N, F) features -> (N, V) predicted responses."""
        return self._as(x) @ self.coef_ + self.intercept_
