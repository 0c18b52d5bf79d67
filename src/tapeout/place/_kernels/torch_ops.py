"""The torch path of global placement's objective: the numba kernels' maths as tensor ops.

Runs on an NVIDIA GPU when torch sees one (else on the CPU). Everything is float64 so the result
matches the numba path to rounding. The Poisson solve uses dense cosine/sine bases (exactly the
series of ``reference.electric_field``), which is fast on a GPU for grids up to ~1024 bins a side.
Imports torch: only loaded when ``PlaceOptions(backend="torch")`` asks for it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch


def pick_device() -> torch.device:
    """The first CUDA device when there is one, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class TorchEvaluator:
    """Same interface and results as ``tapeout.place.evaluate.NumbaEvaluator``."""

    def __init__(self, inputs: Any, device: torch.device | None = None) -> None:
        self.device = device or pick_device()
        s = inputs
        self.inputs = s
        self.n_movable = int(s.movable.size)
        self.n_all = int(s.charge_width.size)
        d = self.device

        def tensor(array: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
            return torch.as_tensor(np.ascontiguousarray(array), dtype=dtype, device=d)

        degree = np.diff(s.net_pin_indptr)
        pin_net = np.repeat(np.arange(degree.size), degree)
        weight = np.where(s.net_active & (degree >= 2), s.net_weight, 0.0)
        self.n_nets = int(degree.size)
        self.pin_net = tensor(pin_net, torch.int64)
        self.pin_cell = tensor(s.pin_cell, torch.int64)
        self.pin_weight = tensor(weight[pin_net])
        self.net_weight = tensor(s.net_weight * (degree >= 2))
        self.offset_x = tensor(s.pin_offset_x)
        self.offset_y = tensor(s.pin_offset_y)
        self.centre_x = tensor(s.centre_x)
        self.centre_y = tensor(s.centre_y)
        self.movable = tensor(s.movable, torch.int64)
        self.charge_width = tensor(s.charge_width)
        self.charge_height = tensor(s.charge_height)
        self.charge_scale = tensor(s.charge_scale)
        self.width = tensor(s.width)
        self.height = tensor(s.height)
        self.fixed_charge = tensor(s.fixed_charge)
        self.capacity = tensor(s.capacity)
        n_x, n_y = s.shape
        i = torch.arange(n_x, dtype=torch.float64, device=d) + 0.5
        j = torch.arange(n_y, dtype=torch.float64, device=d) + 0.5
        w_u = math.pi * torch.arange(n_x, dtype=torch.float64, device=d) / n_x
        w_v = math.pi * torch.arange(n_y, dtype=torch.float64, device=d) / n_y
        self.cos_x = torch.cos(torch.outer(w_u, i))
        self.cos_y = torch.cos(torch.outer(w_v, j))
        self.sin_x = torch.sin(torch.outer(w_u, i))
        self.sin_y = torch.sin(torch.outer(w_v, j))
        norm_x = torch.full((n_x,), 2.0 / n_x, dtype=torch.float64, device=d)
        norm_x[0] = 1.0 / n_x
        norm_y = torch.full((n_y,), 2.0 / n_y, dtype=torch.float64, device=d)
        norm_y[0] = 1.0 / n_y
        self.analysis_x = norm_x[:, None] * self.cos_x
        self.analysis_y = norm_y[:, None] * self.cos_y
        k_u = w_u / s.bin_size[0]
        k_v = w_v / s.bin_size[1]
        k2 = k_u[:, None] ** 2 + k_v[None, :] ** 2
        k2[0, 0] = 1.0
        self.inverse_k2 = 1.0 / k2
        self.inverse_k2[0, 0] = 0.0
        self.k_u = k_u
        self.k_v = k_v

    # --- wirelength -------------------------------------------------------------------------
    def _wa(self, coordinate: torch.Tensor, gamma: float) -> torch.Tensor:
        """Per-pin WA gradient along one axis (nets by ``pin_net``)."""
        n = self.n_nets
        high = torch.full((n,), -math.inf, dtype=torch.float64, device=self.device)
        high = high.scatter_reduce(0, self.pin_net, coordinate, "amax")
        low = torch.full((n,), math.inf, dtype=torch.float64, device=self.device)
        low = low.scatter_reduce(0, self.pin_net, coordinate, "amin")
        a = torch.exp((coordinate - high[self.pin_net]) / gamma)
        b = torch.exp((low[self.pin_net] - coordinate) / gamma)
        zeros = torch.zeros(n, dtype=torch.float64, device=self.device)
        sum_a = zeros.index_add(0, self.pin_net, a)
        sum_b = zeros.index_add(0, self.pin_net, b)
        plus = zeros.index_add(0, self.pin_net, coordinate * a) / sum_a
        minus = zeros.index_add(0, self.pin_net, coordinate * b) / sum_b
        d_plus = a / sum_a[self.pin_net] * (1.0 + (coordinate - plus[self.pin_net]) / gamma)
        d_minus = b / sum_b[self.pin_net] * (1.0 - (coordinate - minus[self.pin_net]) / gamma)
        return self.pin_weight * (d_plus - d_minus)

    def _hpwl(self, pin_x: torch.Tensor, pin_y: torch.Tensor) -> float:
        total = 0.0
        for coordinate in (pin_x, pin_y):
            n = self.n_nets
            high = torch.full((n,), -math.inf, dtype=torch.float64, device=self.device)
            high = high.scatter_reduce(0, self.pin_net, coordinate, "amax")
            low = torch.full((n,), math.inf, dtype=torch.float64, device=self.device)
            low = low.scatter_reduce(0, self.pin_net, coordinate, "amin")
            span = torch.nan_to_num(high - low, nan=0.0, posinf=0.0, neginf=0.0)
            total += float(torch.sum(self.net_weight * span))
        return total

    # --- density ----------------------------------------------------------------------------
    def _overlaps(
        self, low: torch.Tensor, size: torch.Tensor, origin: float, bin_size: float, n_bins: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(bin index (n, k) clamped, overlap length (n, k)) of intervals with the bins."""
        span = math.ceil(float(size.max()) / bin_size) + 1 if size.numel() else 1
        first = torch.floor((low - origin) / bin_size).to(torch.int64)
        index = first[:, None] + torch.arange(span, device=self.device)[None, :]
        bin_low = origin + index.to(torch.float64) * bin_size
        overlap = torch.minimum(low[:, None] + size[:, None], bin_low + bin_size) - torch.maximum(
            low[:, None], bin_low
        )
        valid = (index >= 0) & (index < n_bins) & (overlap > 0)
        overlap = torch.where(valid, overlap, torch.zeros_like(overlap))
        return index.clamp(0, n_bins - 1), overlap

    def _spread(self, cx, cy, w, h, scale) -> torch.Tensor:  # type: ignore[no-untyped-def]
        s = self.inputs
        n_x, n_y = s.shape
        ix, ox = self._overlaps(cx - w / 2, w, s.origin[0], s.bin_size[0], n_x)
        iy, oy = self._overlaps(cy - h / 2, h, s.origin[1], s.bin_size[1], n_y)
        area = scale[:, None, None] * ox[:, :, None] * oy[:, None, :]
        flat = ix[:, :, None] * n_y + iy[:, None, :]
        out = torch.zeros(n_x * n_y, dtype=torch.float64, device=self.device)
        out.index_add_(0, flat.reshape(-1), area.reshape(-1))
        return out.reshape(n_x, n_y)

    def _gather(self, cx, cy, w, h, scale, field):  # type: ignore[no-untyped-def]
        s = self.inputs
        n_x, n_y = s.shape
        ix, ox = self._overlaps(cx - w / 2, w, s.origin[0], s.bin_size[0], n_x)
        iy, oy = self._overlaps(cy - h / 2, h, s.origin[1], s.bin_size[1], n_y)
        area = ox[:, :, None] * oy[:, None, :]
        values = field[ix[:, :, None], iy[:, None, :]]
        return scale * torch.sum(area * values, dim=(1, 2))

    def _field(self, density: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        coefficient = self.analysis_x @ density @ self.analysis_y.T
        a = coefficient * self.inverse_k2
        field_x = self.sin_x.T @ (a * self.k_u[:, None]) @ self.cos_y
        field_y = self.cos_x.T @ (a * self.k_v[None, :]) @ self.sin_y
        return field_x, field_y

    # --- the objective ----------------------------------------------------------------------
    def evaluate(
        self, position: np.ndarray, gamma: float
    ) -> tuple[np.ndarray, np.ndarray, float, float]:
        """(wire gradient, density gradient, overflow, HPWL); gradients (2, n_all) numpy."""
        s = self.inputs
        p = torch.as_tensor(position, dtype=torch.float64, device=self.device)
        m = self.n_movable
        centre_x = self.centre_x.clone()
        centre_y = self.centre_y.clone()
        centre_x[self.movable] = p[0, :m]
        centre_y[self.movable] = p[1, :m]
        pin_x = centre_x[self.pin_cell] + self.offset_x
        pin_y = centre_y[self.pin_cell] + self.offset_y
        n_cells = centre_x.numel()
        wire = torch.zeros((2, self.n_all), dtype=torch.float64, device=self.device)
        for axis, pins in enumerate((pin_x, pin_y)):
            per_cell = torch.zeros(n_cells, dtype=torch.float64, device=self.device)
            per_cell.index_add_(0, self.pin_cell, self._wa(pins, gamma))
            wire[axis, :m] = per_cell[self.movable]
        wire[1] /= s.squeeze
        charge = self._spread(p[0], p[1], self.charge_width, self.charge_height, self.charge_scale)
        ones = torch.ones(m, dtype=torch.float64, device=self.device)
        movable_charge = self._spread(p[0, :m], p[1, :m], self.width, self.height, ones)
        field_x, field_y = self._field(charge + self.fixed_charge)
        args = (p[0], p[1], self.charge_width, self.charge_height, self.charge_scale)
        density = -torch.stack([self._gather(*args, field_x), self._gather(*args, field_y)])
        over = float(
            torch.clamp(movable_charge - self.capacity, min=0.0).sum() / max(s.movable_area, 1e-30)
        )
        value = self._hpwl(pin_x, pin_y / s.squeeze)
        return wire.cpu().numpy(), density.cpu().numpy(), over, value
