"""Electrostatic density (ePlace): bin grid, Poisson solve by DCT, overflow.

Cells are positive charges equal to their area; the density map is the charge per bin; the
potential solves Poisson's equation with Neumann boundaries, done with scipy's DCT/DST in
O(B log B) for B bins. Minimizing the energy spreads cells evenly.
"""

from __future__ import annotations

import numpy as np
from scipy import fft


def _cosine_coefficients(density: np.ndarray, workers: int = 1) -> np.ndarray:
    """a_uv with density[i, j] = sum a_uv cos(pi u (i+1/2)/n_x) cos(pi v (j+1/2)/n_y)."""
    n_x, n_y = density.shape
    coefficient = fft.dctn(density, type=2, workers=workers) / (n_x * n_y)
    coefficient[0, :] *= 0.5
    coefficient[:, 0] *= 0.5
    return coefficient


def _cosine_synthesis(coefficient: np.ndarray, axis: int, workers: int = 1) -> np.ndarray:
    """sum_k c_k cos(pi k (n+1/2)/N) along ``axis``."""
    size = coefficient.shape[axis]
    scaled = coefficient * size
    index = [slice(None)] * coefficient.ndim
    index[axis] = 0
    scaled[tuple(index)] *= 2.0
    return fft.idct(scaled, type=2, axis=axis, workers=workers)


def _sine_synthesis(coefficient: np.ndarray, axis: int, workers: int = 1) -> np.ndarray:
    """sum_{k>=1} c_k sin(pi k (n+1/2)/N) along ``axis`` (DST-III of the shifted series)."""
    shifted = np.zeros_like(coefficient)
    size = coefficient.shape[axis]
    target = [slice(None)] * coefficient.ndim
    source = [slice(None)] * coefficient.ndim
    target[axis] = slice(0, size - 1)
    source[axis] = slice(1, size)
    shifted[tuple(target)] = 0.5 * coefficient[tuple(source)]
    return fft.dst(shifted, type=3, axis=axis, workers=workers)


def electric_field(
    density: np.ndarray,
    bin_size: tuple[float, float],
    *,
    with_potential: bool = True,
    workers: int = 1,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Potential and electric field of a density map.

    Args:
        density: float64 (n_x, n_y) charge (area) per bin.
        bin_size: (bin_width, bin_height) in coordinate units.
        with_potential: False skips the potential (two transforms of eight); it is then None.
        workers: threads of scipy's transforms.

    Returns:
        (potential, field_x, field_y), each float64 (n_x, n_y); field = -gradient of potential.
    """
    n_x, n_y = density.shape
    w = workers
    coefficient = _cosine_coefficients(density, w)
    k_u = np.pi * np.arange(n_x) / n_x / bin_size[0]
    k_v = np.pi * np.arange(n_y) / n_y / bin_size[1]
    k2 = k_u[:, None] ** 2 + k_v[None, :] ** 2
    k2[0, 0] = 1.0
    a = coefficient / k2
    a[0, 0] = 0.0
    potential = _cosine_synthesis(_cosine_synthesis(a, 0, w), 1, w) if with_potential else None
    field_x = _cosine_synthesis(_sine_synthesis(a * k_u[:, None], 0, w), 1, w)
    field_y = _sine_synthesis(_cosine_synthesis(a * k_v[None, :], 0, w), 1, w)
    return potential, field_x, field_y


def overflow(movable_area: np.ndarray, capacity: np.ndarray, total_movable_area: float) -> float:
    """Density overflow: sum over bins of area above capacity, over all movable area.

    Args:
        movable_area: float64 (n_x, n_y) movable (not filler) cell area per bin.
        capacity: float64 (n_x, n_y) target density times free area per bin.
    """
    return float(np.maximum(movable_area - capacity, 0.0).sum() / max(total_movable_area, 1e-30))
