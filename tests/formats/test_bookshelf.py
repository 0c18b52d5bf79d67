"""Bookshelf reader/writer: DREAMPlace's golden parse, ibm01 counts, round trip, to_netlist."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tapeout.db.compare import differences
from tapeout.db.netlist import PortDirection
from tapeout.errors import InputFileError, ParseError
from tapeout.formats.bookshelf import (
    FIXED,
    FIXED_NI,
    MOVABLE,
    ORIENTATIONS,
    read_bookshelf,
    write_bookshelf,
)
from tapeout.log import Log
from tests.conftest import DATA, shared_path

SIMPLE = "benchmarks/bookshelf/dreamplace_simple/simple.aux.gz"
IBM01 = "benchmarks/bookshelf/ibm01/ibm01.aux.gz"


def _golden(path: Path) -> dict[str, str]:
    """``key = value`` lines of DREAMPlace's golden dump."""
    values = {}
    with gzip.open(path, "rt") as handle:
        for line in handle:
            key, _, value = line.partition(" = ")
            values[key.strip()] = value.strip()
    return values


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.strip("[]").split(",") if item.strip()]


def test_simple_matches_dreamplace_golden() -> None:
    design = read_bookshelf(shared_path(SIMPLE))
    golden = _golden(shared_path("benchmarks/bookshelf/dreamplace_simple/simple.golden.gz"))
    assert design.n_nodes == int(golden["num_nodes"])
    assert design.n_terminals == int(golden["num_terminals"])
    # DREAMPlace puts terminals last; we keep the file's order, so compare node by node name.
    golden_names = _list(golden["node_names"])
    assert sorted(design.node_names) == sorted(golden_names)
    ours = np.array([design.node_names.index(name) for name in golden_names])
    for array, key in (
        (design.node_x, "node_x"),
        (design.node_y, "node_y"),
        (design.node_width, "node_size_x"),
        (design.node_height, "node_size_y"),
    ):
        expected_values = np.array(_list(golden[key]), dtype=float)
        np.testing.assert_array_equal(array[ours], expected_values, key)
    orients = [ORIENTATIONS[code] for code in design.node_orient[ours]]
    assert orients == _list(golden["node_orient"])
    # Terminals o8 and o9 carry /Fixed in mixed case.
    assert [design.node_names[i] for i in np.flatnonzero(design.node_fixed == FIXED)] == [
        "o8",
        "o9",
    ]

    # Pins: golden reorders nets and pins and measures offsets from the lower-left corner, so
    # compare each net's multiset of (node, direction, offset from lower-left).
    golden_nets = _list(golden["net_names"])
    assert sorted(golden_nets) == sorted(design.net_names)
    pin_node = [int(v) for v in _list(golden["pin2node_map"])]
    pin_net = [int(v) for v in _list(golden["pin2net_map"])]
    pin_x = [float(v) for v in _list(golden["pin_offset_x"])]
    pin_y = [float(v) for v in _list(golden["pin_offset_y"])]
    pin_dir = _list(golden["pin_direct"])
    expected: dict[str, Counter] = {name: Counter() for name in golden_nets}
    for node, net, x, y, direction in zip(pin_node, pin_net, pin_x, pin_y, pin_dir, strict=True):
        expected[golden_nets[net]][(golden_names[node], direction, x, y)] += 1
    ours_ll_x = design.pin_offset_x + design.node_width[design.pin_node] / 2
    ours_ll_y = design.pin_offset_y + design.node_height[design.pin_node] / 2
    names = {int(PortDirection.INPUT): "INPUT", int(PortDirection.OUTPUT): "OUTPUT"}
    for net, name in enumerate(design.net_names):
        found: Counter = Counter()
        for pin in range(design.net_pin_indptr[net], design.net_pin_indptr[net + 1]):
            key = (
                design.node_names[int(design.pin_node[pin])],
                names[int(design.pin_direction[pin])],
                float(ours_ll_x[pin]),
                float(ours_ll_y[pin]),
            )
            found[key] += 1
        assert found == expected[name], name
    movable_pins = int(np.count_nonzero(~design.node_is_terminal[design.pin_node]))
    assert movable_pins == int(golden["num_movable_pins"])

    rows = re.findall(r"\(([^)]*)\)", golden["rows"])
    expected_rows = [tuple(float(v) for v in row.split(",")) for row in rows]
    ours_rows = list(
        zip(
            design.row_x,
            design.row_y,
            design.row_x + design.row_num_sites * design.row_site_width,
            design.row_y + design.row_height,
            strict=True,
        )
    )
    assert ours_rows == expected_rows
    assert float(design.row_site_width[0]) == float(golden["site_width"])
    assert design.hpwl() == pytest.approx(3068.0)  # README's reference HPWL


def test_ibm01_counts_match_headers() -> None:
    design = read_bookshelf(shared_path(IBM01))
    assert design.name == "ibm01"
    assert (design.n_nodes, design.n_terminals) == (12282, 246)
    assert (design.n_nets, design.n_pins, design.n_rows) == (11507, 44266, 64)
    assert np.all(design.row_height == 64) and np.all(design.row_num_sites == 4528)
    # Terminals are not /FIXED in the .pl, but fixed because .nodes marks them terminal.
    assert np.all(design.node_fixed == MOVABLE)
    assert int(np.count_nonzero(design.node_is_fixed())) == 246
    p1 = design.node_names.index("p1")
    assert (design.node_x[p1], design.node_y[p1]) == (-15.0, 4421.0)
    assert np.all(design.pin_offset_x == 0.5)
    assert design.net_names[0] == "net0"  # ibm01's nets are unnamed
    assert np.all(design.node_weight == 1.0)  # its .wts weighs nodes, not nets
    assert design.hpwl() == pytest.approx(102677.5)  # README's reference HPWL


@pytest.mark.parametrize("relative", [SIMPLE, IBM01])
def test_round_trip(relative: str, tmp_path: Path) -> None:
    first = read_bookshelf(shared_path(relative))
    aux = write_bookshelf(tmp_path, first.name, first)
    second = read_bookshelf(aux)
    assert differences(first, second) == []


def test_round_trip_gzip_and_flags(tmp_path: Path) -> None:
    design = read_bookshelf(DATA / "bookshelf" / "tiny.aux")
    assert list(design.node_names) == ["a", "b", "t0", "t1"]
    assert list(design.node_is_terminal_ni) == [False, False, False, True]
    assert design.node_fixed[design.node_names.index("t1")] == FIXED_NI
    assert ORIENTATIONS[design.node_orient[1]] == "FS"
    assert design.net_weight.tolist() == [2.5, 1.0]
    assert design.pin_direction.tolist() == [1, 0, 2, 0]
    assert design.row_site_spacing.tolist() == [1.0, 1.0, 1.0]  # defaults to the site width
    assert design.row_x.tolist() == [0.0, 0.0, 20.0]  # two sub-rows in the second row
    copy = read_bookshelf(write_bookshelf(tmp_path, "copy", design))
    copy.name = design.name
    assert differences(design, copy) == []


def test_to_netlist() -> None:
    design = read_bookshelf(shared_path(SIMPLE))
    converted = design.to_netlist()
    netlist = converted.netlist
    assert netlist.n_insts == 10 and netlist.n_nets == 8 and netlist.n_pins == 26
    assert netlist.n_ports == 0
    np.testing.assert_array_equal(netlist.pin_inst, design.pin_node)
    np.testing.assert_array_equal(netlist.pin_net, design.pin_net)
    assert netlist.masters[netlist.inst_master[0]] == "W16_H24"
    o8 = netlist.inst_names.index("o8")
    assert netlist.masters[netlist.inst_master[o8]] == "TERMINAL_W40_H40"
    fixed = [netlist.inst_names[i] for i in np.flatnonzero(converted.inst_fixed)]
    assert fixed == ["o8", "o9"]
    master = netlist.inst_master[0]
    assert (converted.master_width[master], converted.master_height[master]) == (16.0, 24.0)
    # o0 has 6 pins: terms P0..P5, each used once on o0.
    o0_terms = sorted(netlist.terms[t] for t in netlist.pin_term[netlist.pin_inst == 0])
    assert o0_terms == [f"P{i}" for i in range(6)]
    np.testing.assert_array_equal(converted.pin_offset_x, design.pin_offset_x)


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        read_bookshelf(tmp_path / "absent.aux")
    (tmp_path / "x.aux").write_text("RowBasedPlacement : x.nodes x.nets\n")
    with pytest.raises(InputFileError) as caught:
        read_bookshelf(tmp_path / "x.aux")
    assert caught.value.file is not None and caught.value.file.endswith("x.nodes")
    (tmp_path / "y.aux").write_text("RowBasedPlacement : y.pl\n")
    with pytest.raises(ParseError, match=r"no \.nodes"):
        read_bookshelf(tmp_path / "y.aux")


@pytest.mark.parametrize(
    ("kind", "text", "message", "line"),
    [
        ("nodes", "UCLA nodes 1.0\nNumNodes : 1\n a 1\n", "expected '<name>", 3),
        ("nodes", "UCLA nodes 1.0\nNumNodes : 2\n a 1 1\n", "NumNodes says 2", 3),
        ("nodes", "UCLA nodes 1.0\n a 1 1 pad\n", "unknown node kind", 2),
        ("nodes", "UCLA nodes 1.0\n a 1 nan\n", "not finite", 2),
        ("nets", "UCLA nets 1.0\nNetDegree : 2 n\n a I : 0 0\n", "file ends inside", 3),
        ("nets", "UCLA nets 1.0\nNetDegree : 1 n\n zz I : 0 0\n", "unknown node 'zz'", 3),
        ("nets", "UCLA nets 1.0\nNetDegree : 1 n\n a X : 0 0\n", "pin direction", 3),
        ("pl", "UCLA pl 1.0\n a 1 2 : Q\n", "unknown orientation", 2),
        ("scl", "UCLA scl 1.0\nCoreRow Horizontal\n Coordinate : 0\n", "ends inside", 3),
    ],
)
def test_parse_errors_name_file_and_line(
    tmp_path: Path, kind: str, text: str, message: str, line: int
) -> None:
    files = {
        "nodes": "UCLA nodes 1.0\n a 1 1\n",
        "nets": "UCLA nets 1.0\nNetDegree : 1 n\n a I : 0 0\n",
        "pl": "UCLA pl 1.0\n a 0 0 : N\n",
        "scl": "UCLA scl 1.0\n",
    }
    files[kind] = text
    for name, content in files.items():
        (tmp_path / f"d.{name}").write_text(content)
    (tmp_path / "d.aux").write_text("RowBasedPlacement : d.nodes d.nets d.pl d.scl\n")
    with pytest.raises(ParseError, match=message) as caught:
        read_bookshelf(tmp_path / "d.aux", log=Log())
    assert caught.value.file == str(tmp_path / f"d.{kind}")
    assert caught.value.line == line
