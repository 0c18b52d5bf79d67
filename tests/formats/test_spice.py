"""Finding a .subckt block in SPICE/CDL text."""

import pytest

from tapeout.errors import ParseError
from tapeout.formats.spice import find_subckt, read_subckt

TEXT = """* two cells
.subckt INV A Y VDD VSS
M0 Y A VSS VSS nfet w=1
+ l=0.15
.ends INV
.SUBCKT BUF A
+ X VDD VSS
X0 A n VDD VSS INV
.ENDS
"""


def test_ports_and_joined_continuations():
    inv = find_subckt(TEXT, "INV")
    assert inv.ports == ("A", "Y", "VDD", "VSS")
    assert inv.lines[1] == "M0 Y A VSS VSS nfet w=1  l=0.15"
    assert inv.lines[-1] == ".ends INV"
    assert find_subckt(TEXT, "BUF").ports == ("A", "X", "VDD", "VSS")


def test_missing_subckt_names_the_file(tmp_path):
    path = tmp_path / "cells.sp"
    path.write_text(TEXT)
    assert read_subckt(path, "INV").name == "INV"
    with pytest.raises(ParseError) as info:
        read_subckt(path, "NAND2")
    assert "cells.sp" in str(info.value) and "NAND2" in str(info.value)
