"""Logistic regression by iteratively reweighted least squares (Newton's method), with standard errors.

`y` may be fractional (a probability rather than a 0/1 outcome): the log-likelihood stays concave and the
maximiser is the model's best fit to those probabilities. The acceptance benchmark uses that to compute the
coefficients a fit converges to on infinite data (the true probabilities as `y`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def _sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))
    return out


class LogisticRegression:
    """P(y = 1) = sigmoid(intercept + X·coef). Standard errors from the inverse Hessian at the optimum."""

    def __init__(self, max_iter: int = 50, tol: float = 1e-10) -> None:
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        n, k = X.shape
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        design = np.empty((n, k + 1))
        design[:, 0] = 1.0
        design[:, 1:] = X
        mean = float(np.clip(np.average(y, weights=w), 1e-9, 1 - 1e-9))
        beta = np.zeros(k + 1)
        beta[0] = np.log(mean / (1 - mean))
        previous = -np.inf
        self.converged_ = False
        for iteration in range(1, self.max_iter + 1):
            eta = design @ beta
            p = _sigmoid(eta)
            gradient = design.T @ (w * (y - p))
            hessian = (design * (w * p * (1 - p))[:, None]).T @ design
            step = np.linalg.solve(hessian + 1e-12 * np.eye(k + 1), gradient)
            # step halving keeps each Newton step an ascent step (separation, bad starting point)
            loglik = previous
            for _ in range(30):
                candidate = beta + step
                eta = design @ candidate
                loglik = float(np.sum(w * (y * eta - np.logaddexp(0.0, eta))))
                if loglik >= previous - 1e-12:
                    break
                step /= 2
            beta = candidate
            self.n_iter_ = iteration
            if abs(loglik - previous) <= self.tol * (1 + abs(loglik)) or np.max(np.abs(step)) < 1e-10:
                self.converged_ = True
                previous = loglik
                break
            previous = loglik
        p = _sigmoid(design @ beta)
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design
        self.cov_ = np.linalg.pinv(hessian)
        self.intercept_ = float(beta[0])
        self.coef_ = beta[1:].copy()
        se = np.sqrt(np.maximum(np.diag(self.cov_), 0.0))
        self.intercept_se_ = float(se[0])
        self.coef_se_ = se[1:]
        self.loglik_ = previous
        return self

    def decision_function(self, X: Any) -> FloatArray:
        out: FloatArray = self.intercept_ + np.asarray(X, dtype=np.float64) @ self.coef_
        return out

    def predict_proba(self, X: Any) -> FloatArray:
        return _sigmoid(self.decision_function(X))
