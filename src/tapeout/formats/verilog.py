"""Structural (gate-level) Verilog netlists: ``read_verilog`` and ``write_verilog``.

The reader (``verilog_read`` with ``verilog_syntax``, ``verilog_scan``, ``verilog_module``)
flattens hierarchy into a ``tapeout.db.Netlist``; the writer (``verilog_write``) writes one
flat module that the reader, Yosys and OpenSTA accept.
"""

from __future__ import annotations

from tapeout.formats.verilog_read import read_verilog
from tapeout.formats.verilog_write import format_verilog, write_verilog

__all__ = ["format_verilog", "read_verilog", "write_verilog"]
