"""``set_timing_derate``: the design-wide factors and those on named instances, library
cells and nets, resolved for ``timing/constraints.py`` (applied per arc in ``sources.py``)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

import numpy as np

from tapeout.db.constraints import Constraints, TimingDerate
from tapeout.db.netlist import Netlist
from tapeout.log import Log


def _derate_cells(derate: TimingDerate) -> tuple[list[int], list[int], list[int]]:
    """The (kind, path, analysis) indices of ``derate_factors`` one command sets."""
    named = (derate.cell_delay, derate.net_delay, derate.cell_check)
    kinds = [k for k, flag in enumerate(named) if flag] or [0, 1]
    paths = [k for k, flag in enumerate((derate.data, derate.clock)) if flag]
    analyses = [k for k, flag in enumerate((derate.late, derate.early)) if flag]
    return kinds, paths, analyses


def derate_factors(constraints: Constraints, log: Log) -> np.ndarray:
    """``set_timing_derate`` as float64 (3, 2, 2) factors [kind, path, analysis]: kind 0 cell
    delay, 1 net delay, 2 cell check; path 0 data, 1 clock; analysis 0 late, 1 early.

    Each command sets the factors it names, the last one winning, as in OpenSTA: without
    -cell_delay/-net_delay/-cell_check it sets cell and net delays, without -data/-clock both
    paths, without -early/-late both analyses. Commands on named objects are resolved by
    ``object_derates``.
    """
    factors = np.ones((3, 2, 2))
    for derate in constraints.timing_derates:
        if derate.objects:
            continue
        kinds, paths, analyses = _derate_cells(derate)
        for kind in kinds:
            for path in paths:
                factors[kind, path, analyses] = derate.value
    return factors


@dataclass
class ObjectDerates:
    """``set_timing_derate`` on named objects: float64 (3, 2, 2) factors as
    ``derate_factors``, NaN where the object sets none (the next level then applies: an
    instance's own, else its library cell's, else the design's; a net's, else the design's).

    Attributes:
        instances: instance index -> factors; nets: net index -> factors; lib_cells: library
            cell name -> factors.
    """

    instances: dict[int, np.ndarray] = field(default_factory=dict)
    nets: dict[int, np.ndarray] = field(default_factory=dict)
    lib_cells: dict[str, np.ndarray] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.instances or self.nets or self.lib_cells)


def object_derates(constraints: Constraints, netlist: Netlist, log: Log) -> ObjectDerates:
    """The derates of ``set_timing_derate`` commands on cells (instances), nets and library
    cells (``get_lib_cells``, wildcards allowed, a ``library/`` prefix ignored), last command
    winning per factor (cell delays and ``-cell_check`` margins on cells, net delays on
    nets). Other objects (pins, ports) are warned about (STA-0042) and left out."""
    result = ObjectDerates()
    skipped: set[str] = set()
    masters = list(netlist.masters)
    for derate in constraints.timing_derates:
        if not derate.objects:
            continue
        kinds, paths, analyses = _derate_cells(derate)
        for kind_name, name in derate.objects:
            if kind_name == "cell":
                index = netlist.inst_names.get(name)
                table = result.instances if index >= 0 else None
                key: int | str = index
                usable = [kind for kind in kinds if kind in (0, 2)]
            elif kind_name == "net":
                index = netlist.net_names.get(name)
                table = result.nets if index >= 0 else None
                key = index
                usable = [kind for kind in kinds if kind == 1]
            elif kind_name == "lib_cell":
                pattern = name.rsplit("/", 1)[-1]
                for master in masters:
                    if fnmatch.fnmatchcase(master, pattern):
                        factors = result.lib_cells.setdefault(master, np.full((3, 2, 2), np.nan))
                        for kind in (k for k in kinds if k in (0, 2)):
                            for path in paths:
                                factors[kind, path, analyses] = derate.value
                continue
            else:
                skipped.add(f"{kind_name} {name}")
                continue
            if table is None:
                continue
            factors = table.setdefault(key, np.full((3, 2, 2), np.nan))  # type: ignore[arg-type]
            for kind in usable:
                for path in paths:
                    factors[kind, path, analyses] = derate.value
    if skipped:
        log.warn(
            "STA-0042",
            f"set_timing_derate on {sorted(skipped)[:5]} is not applied: those margins or "
            "delays are not derated",
        )
    return result
