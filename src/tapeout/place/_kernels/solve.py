"""Jacobi-preconditioned conjugate gradient on a CSR matrix (numba, threads over rows).

scipy's ``cg`` spends its time in Python and in BLAS dot products, which spin threads on a busy
machine; this kernel runs the whole iteration in compiled code.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, parallel=True)
def _matvec(indptr, indices, data, vector, out):  # pragma: no cover - numba
    for row in numba.prange(indptr.shape[0] - 1):
        total = 0.0
        for k in range(indptr[row], indptr[row + 1]):
            total += data[k] * vector[indices[k]]
        out[row] = total


@numba.njit(cache=True)
def _dot(a, b):  # pragma: no cover - numba
    total = 0.0
    for k in range(a.shape[0]):
        total += a[k] * b[k]
    return total


@numba.njit(cache=True)
def _pcg(
    indptr, indices, data, rhs, guess, inverse_diagonal, rtol, max_iterations
):  # pragma: no cover
    n = rhs.shape[0]
    x = guess.copy()
    product = np.empty(n)
    _matvec(indptr, indices, data, x, product)
    residual = rhs - product
    z = residual * inverse_diagonal
    direction = z.copy()
    rz = _dot(residual, z)
    bound = rtol * np.sqrt(_dot(rhs, rhs))
    iterations = 0
    while iterations < max_iterations:
        if np.sqrt(_dot(residual, residual)) <= bound:
            break
        iterations += 1
        _matvec(indptr, indices, data, direction, product)
        step = rz / _dot(direction, product)
        for k in range(n):
            x[k] += step * direction[k]
            residual[k] -= step * product[k]
            z[k] = residual[k] * inverse_diagonal[k]
        rz_next = _dot(residual, z)
        beta = rz_next / rz
        rz = rz_next
        for k in range(n):
            direction[k] = z[k] + beta * direction[k]
    return x, iterations


def conjugate_gradient(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    rhs: np.ndarray,
    guess: np.ndarray,
    *,
    rtol: float = 1e-6,
    max_iterations: int = 150,
) -> tuple[np.ndarray, int]:
    """Solve ``A x = rhs`` for a symmetric positive definite CSR matrix ``A``.

    Args:
        indptr, indices, data: the CSR arrays of ``A`` (int64, int64, float64).
        rhs, guess: float64 (n,) right-hand side and start.
        rtol: stop when the residual norm is below this times ``|rhs|``.
        max_iterations: most iterations.

    Returns:
        (float64 (n,) solution, iterations run).
    """
    diagonal = np.zeros(rhs.shape[0])
    rows = np.repeat(np.arange(rhs.shape[0]), np.diff(indptr))
    on_diagonal = rows == indices
    np.add.at(diagonal, rows[on_diagonal], data[on_diagonal])
    inverse = 1.0 / np.where(diagonal > 0, diagonal, 1.0)
    x, iterations = _pcg(
        indptr.astype(np.int64), indices.astype(np.int64), data.astype(np.float64),
        rhs.astype(np.float64), guess.astype(np.float64), inverse, rtol, max_iterations,
    )  # fmt: skip
    return x, int(iterations)
