"""Firth-penalised logistic regression (Firth 1993; Heinze and Schemper 2002).

The maximum-likelihood logit has no finite estimate when a covariate separates the outcomes (a
territory where all 5 leavers succeed): its coefficient runs to infinity and its standard error
with it, so the adjusted rate reads "100 % (100 % to 100 %)". Firth's penalty, half the log
determinant of the Fisher information, removes the first-order bias of the estimates and keeps
them finite under separation. With one binary covariate the estimates equal the log odds of the
2 x 2 table with 0.5 added to each cell.

Written here rather than taken from a package: the estimator is twenty lines of numpy on top of
what the kit already has, where the ``firthmodels`` package would bring scikit-learn with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit


@dataclass(frozen=True)
class FirthFit:
    """Coefficients, their covariance (inverse Fisher information at the estimate) and the fitted
    probabilities of a Firth logit."""

    params: np.ndarray
    cov: np.ndarray
    fitted: np.ndarray
    iterations: int


def _penalised_loglik(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> float:
    eta = X @ beta
    p = expit(eta)
    w = p * (1 - p)
    sign, logdet = np.linalg.slogdet((X.T * w) @ X)
    if sign <= 0:
        return -np.inf
    # log p = -log(1 + e^-eta); log(1 - p) = -log(1 + e^eta)
    return float(-(y * np.logaddexp(0, -eta) + (1 - y) * np.logaddexp(0, eta)).sum() + 0.5 * logdet)


def firth_logit(X: np.ndarray, y: np.ndarray, max_iterations: int = 100, tolerance: float = 1e-8) -> FirthFit:
    """Fit a Firth-penalised logit of ``y`` (0 or 1) on the design ``X`` (rows: persons, columns:
    coefficients, an intercept included) by Newton-Raphson on the modified score
    ``X' (y - p + h (1/2 - p))``, ``h`` the diagonal of the hat matrix, with step halving.

    Raises ``ValueError`` when ``X`` has dependent columns (the model is not identifiable)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError("colonnes du modèle dépendantes : modèle non identifiable")
    beta = np.zeros(X.shape[1])
    current = _penalised_loglik(X, y, beta)
    for iteration in range(1, max_iterations + 1):
        p = expit(X @ beta)
        w = p * (1 - p)
        covariance = np.linalg.inv((X.T * w) @ X)
        hat = w * np.einsum("ij,jk,ik->i", X, covariance, X)
        step = covariance @ (X.T @ (y - p + hat * (0.5 - p)))
        for _ in range(30):
            candidate = _penalised_loglik(X, y, beta + step)
            if candidate >= current - 1e-12:
                break
            step = step / 2
        beta = beta + step
        current = _penalised_loglik(X, y, beta)
        if np.max(np.abs(step)) < tolerance:
            break
    p = expit(X @ beta)
    covariance = np.linalg.inv((X.T * (p * (1 - p))) @ X)
    return FirthFit(beta, covariance, p, iteration)
