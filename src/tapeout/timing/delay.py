"""Liberty NLDM tables as flat arrays, and their lookup (bilinear, linear extrapolation).

Every table is stored with its axes normalized to ``(x, y)``: ``x`` is a transition (the input
slew of a delay table, the related-pin slew of a constraint table) in ps, ``y`` the output load
in fF (delay tables) or the constrained-pin slew in ps (constraint tables). Values are in ps.
Lookup interpolates bilinearly and extrapolates linearly beyond the table, as OpenSTA's
``Table2::findValue`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.liberty import LibertyLibrary, LutTable
from tapeout.timing._kernels.lookup import lookup_table

X_VARIABLES = frozenset(
    {"input_net_transition", "input_transition_time", "related_pin_transition", ""}
)
Y_VARIABLES = frozenset({"total_output_net_capacitance", "constrained_pin_transition"})
_CAP_VARIABLES = frozenset({"total_output_net_capacitance"})


@dataclass(eq=False)
class TableStore:
    """All lookup tables of a timing graph, flattened.

    Attributes:
        table_nx, table_ny: int64 (n_tables,) number of x and y breakpoints (1 for a missing axis).
        table_x_offset, table_y_offset: int64 (n_tables,) start of each axis in ``axes``.
        table_value_offset: int64 (n_tables,) start of the ``(nx, ny)`` row-major values.
        axes: float64 breakpoints (ps or fF). values: float64 table values in ps.
    """

    table_nx: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    table_ny: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    table_x_offset: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    table_y_offset: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    table_value_offset: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    axes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    values: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays kernels take, in the order of ``lookup_table``'s table arguments."""
        return (
            self.table_nx,
            self.table_ny,
            self.table_x_offset,
            self.table_y_offset,
            self.table_value_offset,
            self.axes,
            self.values,
        )

    def lookup(self, table: int, x: float, y: float) -> float:
        """Value of ``table`` at transition ``x`` (ps) and load/slew ``y`` (fF or ps), in ps."""
        return float(lookup_table(table, x, y, *self.arrays()))


class TableStoreBuilder:
    """Collects Liberty tables (deduplicated by identity) and freezes them into a TableStore."""

    def __init__(self) -> None:
        self._ids: dict[int, int] = {}
        self._keep: list[LutTable] = []
        self._nx: list[int] = []
        self._ny: list[int] = []
        self._x_offset: list[int] = []
        self._y_offset: list[int] = []
        self._value_offset: list[int] = []
        self._axes: list[np.ndarray] = []
        self._values: list[np.ndarray] = []
        self._n_axes = 0
        self._n_values = 0

    def add(self, table: LutTable | None, library: LibertyLibrary) -> int:
        """Id of ``table`` in the store (added on first use); -1 for None."""
        if table is None:
            return -1
        known = self._ids.get(id(table))
        if known is not None:
            return known
        time_ps = library.time_unit_s * 1e12
        cap_ff = library.capacitive_load_unit_f * 1e15
        x_axis = np.array([0.0])
        y_axis = np.array([0.0])
        values = np.asarray(table.values, dtype=np.float64) * time_ps
        variables = [table.variable_1, table.variable_2, table.variable_3]
        indices = [table.index_1, table.index_2, table.index_3]
        n_dims = values.ndim
        x_dim = y_dim = -1
        for dim in range(n_dims):
            variable = variables[dim]
            scale = cap_ff if variable in _CAP_VARIABLES else time_ps
            axis = np.asarray(indices[dim], dtype=np.float64) * scale
            if variable in Y_VARIABLES and y_dim < 0:
                y_axis, y_dim = axis, dim
            elif x_dim < 0:
                x_axis, x_dim = axis, dim
            else:
                y_axis, y_dim = axis, dim
        if n_dims > 2:  # 3-D tables: take the first slice of the third axis
            values = values[..., 0]
            n_dims = 2
        if n_dims == 0:
            grid = values.reshape(1, 1)
        elif n_dims == 1:
            grid = values.reshape(-1, 1) if x_dim == 0 else values.reshape(1, -1)
        else:
            grid = values if x_dim == 0 else values.T
        grid = np.ascontiguousarray(grid)
        if x_axis.size != grid.shape[0]:
            x_axis = np.zeros(grid.shape[0])
        if y_axis.size != grid.shape[1]:
            y_axis = np.zeros(grid.shape[1])
        index = len(self._nx)
        self._nx.append(grid.shape[0])
        self._ny.append(grid.shape[1])
        self._x_offset.append(self._n_axes)
        self._axes.append(x_axis)
        self._n_axes += x_axis.size
        self._y_offset.append(self._n_axes)
        self._axes.append(y_axis)
        self._n_axes += y_axis.size
        self._value_offset.append(self._n_values)
        self._values.append(grid.ravel())
        self._n_values += grid.size
        self._ids[id(table)] = index
        self._keep.append(table)  # keeps id() stable while building
        return index

    def build(self) -> TableStore:
        """The frozen store."""

        def ints(values: list[int]) -> np.ndarray:
            return np.asarray(values, dtype=np.int64)

        def floats(parts: list[np.ndarray]) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, np.float64)

        return TableStore(
            table_nx=ints(self._nx),
            table_ny=ints(self._ny),
            table_x_offset=ints(self._x_offset),
            table_y_offset=ints(self._y_offset),
            table_value_offset=ints(self._value_offset),
            axes=floats(self._axes),
            values=floats(self._values),
        )
