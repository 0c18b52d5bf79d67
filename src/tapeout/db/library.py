"""The cell library: physical macros (from LEF) joined by name with timing cells (from Liberty)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tapeout.db.liberty import LibertyCell, LibertyLibrary
    from tapeout.db.macro import Macro


@dataclass(frozen=True)
class CellView:
    """One cell as the flow sees it: its LEF macro and its Liberty cell, either may be absent."""

    name: str
    macro: Macro | None
    timing: LibertyCell | None


@dataclass(eq=False)
class Library:
    """Macros and Liberty libraries of a design, looked up by cell name.

    ``macros`` keeps LEF order. ``liberty`` holds one or more Liberty libraries (the first that
    has a cell wins, as in OpenSTA's link order).
    """

    macros: dict[str, Macro] = field(default_factory=dict)
    liberty: list[LibertyLibrary] = field(default_factory=list)

    def timing_cell(self, name: str) -> LibertyCell | None:
        """The Liberty cell called ``name`` from the first library that has it."""
        for lib in self.liberty:
            cell = lib.cells.get(name)
            if cell is not None:
                return cell
        return None

    def cell(self, name: str) -> CellView:
        """Macro and timing of cell ``name``; KeyError when neither LEF nor Liberty has it."""
        macro = self.macros.get(name)
        timing = self.timing_cell(name)
        if macro is None and timing is None:
            raise KeyError(name)
        return CellView(name, macro, timing)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self.macros or self.timing_cell(name) is not None)

    def cell_names(self) -> list[str]:
        """Names known to LEF or Liberty, LEF order first."""
        names = list(self.macros)
        seen = set(names)
        for lib in self.liberty:
            names.extend(n for n in lib.cells if n not in seen and not seen.add(n))  # type: ignore[func-returns-value]
        return names
