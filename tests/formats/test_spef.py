"""SPEF reader and writer: real OpenRCX output, a hand-written fixture, round trips, errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tapeout.db.compare import differences
from tapeout.db.netlist import PortDirection
from tapeout.errors import ParseError
from tapeout.formats.spef import read_spef, write_spef
from tapeout.log import Log
from tests.conftest import DATA, shared_path

GCD_SPEF = "sta/gcd_sky130hd/gcd_sky130hd.spef"
SMALL = DATA / "spef" / "small.spef"


def _net_section(text: str, reference: str) -> tuple[float, int, int]:
    """Total cap (file units), number of *CAP and *RES lines of net ``reference`` from the text."""
    match = re.search(rf"^\*D_NET {re.escape(reference)} (\S+)\n(.*?)^\*END", text, re.S | re.M)
    assert match is not None
    body = match.group(2)
    caps = body.split("*CAP\n")[1].split("*RES\n")[0].strip().splitlines()
    resistors = body.split("*RES\n")[1].strip().splitlines()
    return float(match.group(1)), len(caps), len(resistors)


def test_gcd_spef_counts_and_spot_checks() -> None:
    path = shared_path(GCD_SPEF)
    text = path.read_text()
    parasitics = read_spef(path)
    assert parasitics.header.design == "gcd"
    assert parasitics.header.cap_unit_ff == 1000.0
    assert parasitics.header.res_unit_ohm == 1.0
    assert parasitics.n_nets == text.count("*D_NET")
    assert parasitics.conn_node.size == len(re.findall(r"^\*[IP] ", text, re.M))
    assert len(parasitics.port_names) == 54
    # *198 is clk: read its numbers straight from the text.
    assert re.search(r"^\*198 clk$", text, re.M)
    total_pf, n_caps, n_res = _net_section(text, "*198")
    net = parasitics.net_names.index("clk")
    assert parasitics.net_total_cap_ff[net] == pytest.approx(total_pf * 1000.0)
    assert parasitics.net_caps(net).size == n_caps
    assert parasitics.net_resistors(net).size == n_res
    first_res = parasitics.net_resistors(net)[0]
    assert parasitics.node_names[parasitics.res_node1[first_res]] == "clk"
    assert parasitics.node_names[parasitics.res_node2[first_res]] == "clk:13"
    assert parasitics.res_ohm[first_res] == pytest.approx(46.6763)
    # Escaped names are stored unescaped; instance pins resolve through the name map.
    assert "ctrl.state.out[1]" in parasitics.net_names
    assert "_411_:D" in parasitics.node_names
    conns = parasitics.net_conns(net)
    assert parasitics.conn_is_port[conns].tolist() == [True, False]
    driving = parasitics.conn_driving_cell[conns[1]]
    assert parasitics.cell_names[driving] == "sky130_fd_sc_hd__clkbuf_4"
    # Every total is at least the sum of the net's ground caps (coupling counted once per side).
    for net_index in range(parasitics.n_nets):
        caps = parasitics.net_caps(net_index)
        assert parasitics.cap_ff[caps].sum() == pytest.approx(
            parasitics.net_total_cap_ff[net_index], rel=1e-3, abs=1e-6
        )


def test_gcd_spef_round_trip(tmp_path: Path) -> None:
    first = read_spef(shared_path(GCD_SPEF))
    write_spef(tmp_path / "gcd.spef", first)
    second = read_spef(tmp_path / "gcd.spef")
    assert differences(first, second) == []
    written = (tmp_path / "gcd.spef").read_text()
    assert "*199 ctrl\\.state\\.out\\[1\\]" in written
    assert "\n*P clk I" in written


def test_small_fixture() -> None:
    log = Log()
    parasitics = read_spef(SMALL, log=log)
    assert "SPEF-0002" in log.ids()  # *R_NET skipped
    assert list(parasitics.net_names) == ["a[0]", "n.odd[0]"]
    assert parasitics.header.time_unit_ps == 1.0
    assert parasitics.header.res_unit_ohm == 1000.0
    assert parasitics.port_direction.tolist() == [PortDirection.INPUT, PortDirection.OUTPUT]
    assert parasitics.net_total_cap_ff.tolist() == [3.5, 2.25]
    assert parasitics.res_ohm.tolist() == pytest.approx([200.0, 100.0, 150.0])
    coupling = np.flatnonzero(parasitics.cap_node2 >= 0)
    assert [parasitics.node_names[parasitics.cap_node2[i]] for i in coupling] == [
        "n.odd[0]:1",
        "u1:A",
    ]
    assert np.isnan(parasitics.conn_x[2]) and parasitics.conn_x[1] == 10.0
    assert parasitics.conn_load_ff[1] == 1.25
    assert parasitics.net_conn_indptr.tolist() == [0, 2, 4]


def test_small_round_trip(tmp_path: Path) -> None:
    first = read_spef(SMALL)
    write_spef(tmp_path / "small.spef", first)
    assert differences(first, read_spef(tmp_path / "small.spef")) == []


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("garbage\n", "not a SPEF file", 1),
        ('*SPEF "x"\n*D_NET n 1.0\n*CAP\n1 a\n*END\n', "bad *CAP entry", 4),
        ('*SPEF "x"\n*D_NET n abc\n*END\n', "bad total capacitance", 2),
        ('*SPEF "x"\n*D_NET n 1\n*CAP\n1 a 0.1\n2 a zz\n*END\n', "bad capacitance", 5),
        ('*SPEF "x"\n*D_NET n 1\n*RES\n1 a b inf\n*END\n', "bad resistance", 4),
        ('*SPEF "x"\n*D_NET *7 1.0\n*END\n', "*7 is not defined", 2),
        ('*SPEF "x"\n*D_NET n 1.0\n*CAP\n1 a 0.1\n', "missing *END", 2),
        ('*SPEF "x"\n*C_UNIT 1 GALLON\n', "bad *C_UNIT", 2),
        ('*SPEF "x"\n*D_NET n 1.0\n*CONN\n*X a I\n*END\n', "bad *CONN entry", 4),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = tmp_path / "bad.spef"
    path.write_text(text)
    with pytest.raises(ParseError, match=re.escape(message)) as info:
        read_spef(path)
    assert info.value.file == str(path)
    assert info.value.line == line


def test_internal_node_coordinates_are_skipped(tmp_path: Path) -> None:
    text = SMALL.read_text().replace("*I *3:A I\n", "*I *3:A I\n*N *2:1 *C 3.0 4.0\n")
    path = tmp_path / "n.spef"
    path.write_text(text)
    log = Log()
    parasitics = read_spef(path, log=log)
    assert "SPEF-0004" in log.ids()
    assert parasitics.net_conn_indptr.tolist() == [0, 2, 4]


def test_angle_bus_delimiter_maps_to_square_brackets(tmp_path: Path) -> None:
    text = SMALL.read_text().replace("*BUS_DELIMITER []", "*BUS_DELIMITER <>")
    path = tmp_path / "angle.spef"
    path.write_text(text.replace("a[0]", "a<0>"))
    parasitics = read_spef(path)
    assert parasitics.port_names[0] == "a[0]"
    assert "n.odd[0]" in parasitics.net_names  # escaped brackets are not bus bits
    write_spef(tmp_path / "out.spef", parasitics)
    assert "*P a<0> I" in (tmp_path / "out.spef").read_text()
    assert differences(parasitics, read_spef(tmp_path / "out.spef")) == []
