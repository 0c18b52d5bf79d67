"""The design database: technology, cell library, netlist, physical data, wires, constraints.

Everything is numpy struct-of-arrays with int64 database units (DBU) for coordinates.
"""

from tapeout.db.design import Design
from tapeout.db.library import CellView, Library
from tapeout.db.names import NameTable
from tapeout.db.netlist import CONST0, CONST1, Netlist, NetlistBuilder, PortDirection

__all__ = [
    "CONST0",
    "CONST1",
    "CellView",
    "Design",
    "Library",
    "NameTable",
    "Netlist",
    "NetlistBuilder",
    "PortDirection",
]
