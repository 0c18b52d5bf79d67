"""Gradients of global placement's objective, behind one interface for the numba and torch paths.

``make_evaluator(inputs, backend)`` returns an object whose ``evaluate(position, gamma)`` gives
the wirelength gradient, the density (electrostatic energy) gradient, the overflow and the HPWL
at ``position`` (float64 (2, n_movable + n_fillers) centres). The Nesterov driver does not know
which backend computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from tapeout.errors import ConfigError
from tapeout.place._kernels.density import gather_field, spread_charge_and_area
from tapeout.place._kernels.wirelength import WirelengthWorkspace, wa_gradient_and_hpwl
from tapeout.place.density import electric_field, overflow


@dataclass(eq=False)
class ObjectiveInputs:
    """Constant arrays of one global placement run (see ``PlacementProblem`` for pin/net ones).

    Attributes:
        centre_x, centre_y: float64 (n_cells,) cell centres; movable entries are overwritten.
        movable: int64 (n_movable,) movable cells, in position order.
        net_active: bool (n_nets,) nets in the wirelength.
        charge_width, charge_height, charge_scale: float64 (n_all,) stretched charge rectangles
            of the movable cells then the fillers, and their area scale.
        width, height: float64 (n_movable,) real sizes, for the overflow.
        origin, bin_size, shape: the bin grid.
        fixed_charge, capacity: float64 (n_x, n_y) charge of non-free area; target free area.
        movable_area: total movable area. squeeze: y compression of rows with gaps (1 = none).
    """

    pin_cell: np.ndarray
    pin_offset_x: np.ndarray
    pin_offset_y: np.ndarray
    net_pin_indptr: np.ndarray
    net_weight: np.ndarray
    net_active: np.ndarray
    cell_pin_indptr: np.ndarray
    cell_pin_indices: np.ndarray
    centre_x: np.ndarray
    centre_y: np.ndarray
    movable: np.ndarray
    charge_width: np.ndarray
    charge_height: np.ndarray
    charge_scale: np.ndarray
    width: np.ndarray
    height: np.ndarray
    origin: tuple[float, float]
    bin_size: tuple[float, float]
    shape: tuple[int, int]
    fixed_charge: np.ndarray
    capacity: np.ndarray
    movable_area: float
    squeeze: float


class NumbaEvaluator:
    """The CPU path: numba kernels and scipy's DCT."""

    def __init__(self, inputs: ObjectiveInputs) -> None:
        self.inputs = inputs
        self.n_movable = inputs.movable.size
        self.n_all = inputs.charge_width.size

        self.workspace = WirelengthWorkspace(inputs.pin_cell.shape[0], inputs.net_weight.shape[0])
        # The pins of each movable cell in position order (a CSR over positions), so summing
        # pin gradients into cells reads the CSR in order whatever order ``movable`` has.
        first = inputs.cell_pin_indptr[inputs.movable]
        count = inputs.cell_pin_indptr[inputs.movable + 1] - first
        self.position_pin_indptr = np.zeros(self.n_movable + 1, dtype=np.int64)
        np.cumsum(count, out=self.position_pin_indptr[1:])
        offset = np.repeat(first - self.position_pin_indptr[:-1], count)
        self.position_pin_indices = inputs.cell_pin_indices[
            offset + np.arange(self.position_pin_indptr[-1])
        ].astype(np.int64)
        self.positions = np.arange(self.n_movable, dtype=np.int64)

    def evaluate(
        self, position: np.ndarray, gamma: float
    ) -> tuple[np.ndarray, np.ndarray, float, float]:
        """(wire gradient, density gradient, overflow, HPWL); gradients (2, n_all)."""
        s = self.inputs
        s.centre_x[s.movable] = position[0, : self.n_movable]
        s.centre_y[s.movable] = position[1, : self.n_movable]
        wire = np.zeros((2, self.n_all))
        value = wa_gradient_and_hpwl(
            s.centre_x, s.centre_y, s.pin_cell, s.pin_offset_x, s.pin_offset_y,
            s.net_pin_indptr, s.net_weight, s.net_active, gamma, self.position_pin_indptr,
            self.position_pin_indices, self.positions, wire, y_scale=1.0 / s.squeeze,
            workspace=self.workspace,
        )  # fmt: skip
        grid = (s.origin, s.bin_size)
        charge, movable_charge = spread_charge_and_area(
            position[0], position[1], s.charge_width, s.charge_height, s.charge_scale, s.width,
            s.height, *grid, s.shape,
        )  # fmt: skip
        charge += s.fixed_charge
        _, field_x, field_y = electric_field(
            charge, s.bin_size, with_potential=False, workers=numba.get_num_threads()
        )
        force_x, force_y = gather_field(
            position[0], position[1], s.charge_width, s.charge_height, s.charge_scale, *grid,
            field_x, field_y,
        )  # fmt: skip
        density = np.stack([force_x, force_y])
        density *= -1.0
        over = overflow(movable_charge, s.capacity, s.movable_area)
        return wire, density, over, value


def make_evaluator(inputs: ObjectiveInputs, backend: str) -> NumbaEvaluator:
    """The evaluator of ``backend`` ("numba", or "torch" on a GPU when one is present)."""
    if backend == "numba":
        return NumbaEvaluator(inputs)
    if backend == "torch":
        try:
            from tapeout.place._kernels.torch_ops import TorchEvaluator
        except ImportError as error:  # torch is an optional dependency
            raise ConfigError(
                "backend 'torch' needs PyTorch", hint="pip install 'tapeout[gpu]'"
            ) from error
        return TorchEvaluator(inputs)  # type: ignore[return-value]
    raise ConfigError(f"unknown placement backend {backend!r}")
