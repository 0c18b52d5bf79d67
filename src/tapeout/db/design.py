"""The Design: the one object every stage reads and updates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tapeout.db.library import Library
from tapeout.db.netlist import Netlist

if TYPE_CHECKING:
    from tapeout.db.constraints import Constraints
    from tapeout.db.parasitics import Parasitics
    from tapeout.db.physical import Physical
    from tapeout.db.tech import Technology
    from tapeout.db.wires import Wires


@dataclass(eq=False)
class Design:
    """Technology, library, netlist, physical data, wires, constraints and parasitics.

    Arrays in ``physical`` and ``wires`` are indexed like ``netlist``'s instances, ports and nets.
    Parts not yet known are None (no placement before floorplanning, no SPEF before extraction).
    """

    name: str
    tech: Technology | None = None
    library: Library = field(default_factory=Library)
    netlist: Netlist = field(default_factory=Netlist)
    physical: Physical | None = None
    wires: Wires | None = None
    constraints: Constraints | None = None
    parasitics: Parasitics | None = None
