"""ngspice output parsing, CDL conversion, deck text (no simulation)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tapeout.characterize.cells import FAMILIES, all_sensitizations
from tapeout.characterize.measure import (
    PIN_CAP_LOAD_FRACTION,
    PIN_CAP_SLEW_NS,
    PIN_CAP_WINDOW,
    START_S,
    Grid,
    combinational_deck,
)
from tapeout.characterize.spice import cdl_to_ngspice, parse_measures
from tapeout.characterize.stimuli import pwl_points, ramp_time_s
from tapeout.errors import ParseError
from tapeout.formats.gds_cell import Finger

CDL = """* comment
.SUBCKT sky130_fd_sc_hd__nand2_1 A B VGND VNB VPB VPWR Y
MMP0 Y A VPWR VPB pfet_01v8_hvt m=1 w=1.0 l=0.15 mult=1 sa=0.265
+ sb=0.265 sd=0.28 topography=normal area=0.063 perim=1.14
MMN0 Y A sndA VNB nfet_01v8 m=2 w=0.65 l=0.15 mult=1 sa=0.265 sb=0.3
+ sd=0.28 topography=normal area=0.063 perim=1.14
.ENDS sky130_fd_sc_hd__nand2_1
"""


def test_parse_measures() -> None:
    output = (
        "da0                 =  2.184728e-11 targ=  5.301806e-10 trig=  5.083334e-10\n"
        "l3 = -1.5e-12\n"
        "sr12 = 7\n"
        "tb4                 =  failed\n"
        "print: result = 2.500000e-10\n"
    )
    result = parse_measures(output)
    assert result.measures["da0"] == pytest.approx(2.184728e-11)
    assert result.measures["l3"] == pytest.approx(-1.5e-12)
    assert result.measures["sr12"] == 7.0
    assert "tb4" in result.failed and "tb4" not in result.measures


def test_cdl_to_ngspice() -> None:
    text = cdl_to_ngspice(CDL, "sky130_fd_sc_hd__nand2_1")
    lines = text.strip().splitlines()
    assert lines[0] == ".SUBCKT sky130_fd_sc_hd__nand2_1 A B VGND VNB VPB VPWR Y"
    assert lines[-1].upper().startswith(".ENDS")
    pmos = lines[1].split()
    assert pmos[:6] == ["XMP0", "Y", "A", "VPWR", "VPB", "sky130_fd_pr__pfet_01v8_hvt"]
    parameters = dict(field.split("=") for field in pmos[6:])
    assert parameters["w"] == "1.0" and parameters["sa"] == "0.265" and parameters["m"] == "1"
    assert "mult" not in parameters and "area" not in parameters
    assert float(parameters["as"]) == pytest.approx(0.265)
    assert float(parameters["ps"]) == pytest.approx(2 * 1.265)
    whole = cdl_to_ngspice(CDL, "sky130_fd_sc_hd__nand2_1", split_fingers=False)
    nmos = dict(field.split("=") for field in whole.splitlines()[2].split()[6:])
    assert nmos["m"] == "2"
    assert float(nmos["ad"]) == pytest.approx(0.65 * 0.3)


def test_cdl_errors_name_the_file() -> None:
    with pytest.raises(ParseError, match=r"no \.SUBCKT"):
        cdl_to_ngspice(CDL, "sky130_fd_sc_hd__inv_1")
    for good, bad in (
        ("m=2 ", "m=2x "),
        ("w=0.65 ", "w=0.65.1 "),
        ("sb=0.3\n", "sb=\n"),
        ("sa=0.265 ", "sa=a "),
    ):
        broken = CDL.replace(good, bad, 1)
        assert broken != CDL
        with pytest.raises(ParseError, match="is not a number") as caught:
            cdl_to_ngspice(broken, "sky130_fd_sc_hd__nand2_1", file=Path("cells.cdl"))
        assert caught.value.file == "cells.cdl"


def test_fingers_are_split_along_their_diffusion() -> None:
    """m=4 gates in one strip: each finger's stress distances grow by the finger pitch
    (sd + l) from its end of the strip, and the diffusions between gates are shared."""
    cdl = CDL.replace("m=2 w=0.65", "m=4 w=0.65").replace("MMN0 Y A sndA VNB", "MMN0 Y A VGND VNB")
    lines = [
        line.split()
        for line in cdl_to_ngspice(cdl, "sky130_fd_sc_hd__nand2_1").splitlines()
        if line.startswith("XMN0")
    ]
    assert [fields[0] for fields in lines] == [f"XMN0_f{index}" for index in range(4)]
    fingers = [dict(field.split("=") for field in fields[6:]) for fields in lines]
    pitch = 0.28 + 0.15
    for index, finger in enumerate(fingers):
        assert finger["m"] == "1"
        assert float(finger["sa"]) == pytest.approx(0.265 + index * pitch)
        assert float(finger["sb"]) == pytest.approx(0.3 + (3 - index) * pitch)
    sources = [float(finger["as"]) for finger in fingers]
    drains = [float(finger["ad"]) for finger in fingers]
    # regions S D S D S: the ends (0.265, then 0.3 long) and three shared 0.28 µm regions
    half = 0.65 * 0.14
    assert sources == pytest.approx([0.65 * 0.265, half, half, 0.65 * 0.3])
    assert drains == pytest.approx([half] * 4)
    total_drain = sum(drains)
    assert total_drain == pytest.approx(2 * 0.65 * 0.28)  # two shared drain regions


def test_stacked_transistors_share_diffusion() -> None:
    stack = CDL.replace(
        ".ENDS",
        "MMN1 sndA B VGND VNB nfet_01v8 m=2 w=0.65 l=0.15 mult=1 sa=0.265 sb=0.265 sd=0.28\n.ENDS",
    )
    lines = cdl_to_ngspice(
        stack, "sky130_fd_sc_hd__nand2_1", split_fingers=False, stack_node_resistance=True
    ).splitlines()
    upper = dict(field.split("=") for field in lines[2].split()[6:])  # Y A sndA: sndA is source
    lower = dict(field.split("=") for field in lines[3].split()[6:])  # sndA B VGND: drain
    assert float(upper["sa"]) == pytest.approx(0.28 + 0.15 + 0.265)
    assert float(upper["as"]) == pytest.approx(0.65 * 0.14)
    assert float(upper["ad"]) == pytest.approx(0.65 * 0.3)  # Y: a contacted output diffusion
    assert float(lower["sb"]) == pytest.approx(0.695) and float(lower["sa"]) == 0.265
    # perimeters: the gate edge (BSIM4 subtracts it) and the field edges; the stack node
    # lies between two gates, so its only field edges are its ends, 0.28 µm each, half each
    assert float(upper["ps"]) == pytest.approx(0.65 + 0.28)
    assert float(upper["pd"]) == pytest.approx(0.65 + 0.65 + 2 * 0.3)  # an end: its far side too
    plain = cdl_to_ngspice(
        stack, "sky130_fd_sc_hd__nand2_1", shared_diffusion=False, split_fingers=False
    )
    assert "sa=0.265" in plain.splitlines()[2]
    assert "nrs=" not in lines[2] and "nrd=" not in lines[3]  # the PDK's default 0.14/w


def test_even_fingers_on_a_stack_node() -> None:
    """m=2 with its source on a stack node: the strip reads sndA | A | Y | A | sndA, so both
    ends are the stack node's (half the gap, stress across the neighbour's gate) and Y is the
    shared middle."""
    stack = CDL.replace(
        ".ENDS",
        "MMN1 sndA B VGND VNB nfet_01v8 m=2 w=0.65 l=0.15 mult=1 sa=0.265 sb=0.265 sd=0.28\n.ENDS",
    )
    fingers = [
        dict(field.split("=") for field in line.split()[6:])
        for line in cdl_to_ngspice(stack, "sky130_fd_sc_hd__nand2_1").splitlines()
        if line.startswith("XMN0")
    ]
    half = 0.65 * 0.14
    # the gap, the neighbour's gate and the CDL's own strip ends (sa 0.265, sb 0.3)
    left, right = 0.28 + 0.15 + 0.265, 0.28 + 0.15 + 0.3
    pitch = 0.28 + 0.15
    for index, finger in enumerate(fingers):
        assert float(finger["as"]) == pytest.approx(half)  # sndA, at either end
        assert float(finger["ad"]) == pytest.approx(half)  # Y, shared between the two
        assert float(finger["pd"]) == pytest.approx(0.65 + 0.28)  # no field edge along gates
        assert float(finger["sa"]) == pytest.approx(left + index * pitch)
        assert float(finger["sb"]) == pytest.approx(right + (1 - index) * pitch)


def test_layout_fingers_replace_the_estimates() -> None:
    """Gates found in the layout give each finger its stress distances and junctions (matched
    by type, gate and diffusion nets, source and drain either way round); a device the layout
    does not supply keeps the estimates."""
    layout = [  # Y | A | sndA | A | Y on one strip with a long tail of other gates on the right
        Finger(False, "A", "Y", "sndA", 0.65, 0.15, 0.26, 2.1, 0.26, 0.135),
        Finger(False, "A", "sndA", "Y", 0.65, 0.15, 0.68, 1.68, 0.135, 0.135),
        Finger(True, "B", "Y", "VPWR", 1.0, 0.15, 0.3, 0.3, 0.3, 0.3),  # no such device
    ]
    lines = cdl_to_ngspice(CDL, "sky130_fd_sc_hd__nand2_1", layout_fingers=layout).splitlines()
    fingers = [dict(f.split("=") for f in line.split()[6:]) for line in lines if "XMN0" in line]
    assert [float(finger["sa"]) for finger in fingers] == [0.26, 0.68]
    assert [float(finger["sb"]) for finger in fingers] == [2.1, 1.68]
    # MMN0 Y A sndA: the source is sndA, on the right of the first gate, the left of the second
    assert float(fingers[0]["as"]) == pytest.approx(0.65 * 0.135)
    assert float(fingers[0]["ad"]) == pytest.approx(0.65 * 0.26)
    assert float(fingers[1]["as"]) == pytest.approx(0.65 * 0.135)
    assert float(fingers[1]["ps"]) == pytest.approx(2 * (0.65 + 0.135))
    # with the layout's field edges, the perimeter is the gate edge (which BSIM4 subtracts)
    # and the field share: a piece between two gates has no field edge along them
    bordered = [gate._replace(left_field_um=0.135, right_field_um=1.17) for gate in layout]
    text = cdl_to_ngspice(CDL, "sky130_fd_sc_hd__nand2_1", layout_fingers=bordered)
    first = next(line for line in text.splitlines() if line.startswith("XMN0_f0"))
    finger = dict(field.split("=") for field in first.split()[6:])
    assert float(finger["ps"]) == pytest.approx(0.65 + 1.17)  # sndA, on the right
    assert float(finger["pd"]) == pytest.approx(0.65 + 0.135)  # Y, on the left
    assert float(finger["as"]) == pytest.approx(0.65 * 0.135)  # areas as before
    estimated = cdl_to_ngspice(CDL, "sky130_fd_sc_hd__nand2_1")
    pmos = [line for line in lines if line.startswith("XMP0")]
    assert pmos == [line for line in estimated.splitlines() if line.startswith("XMP0")]
    short = cdl_to_ngspice(CDL, "sky130_fd_sc_hd__nand2_1", layout_fingers=layout[:1])
    assert short == estimated  # one gate for a device of two: the estimates stay
    # the layout splits sndA in two nets the comparer could not pair (""): Y and "" still fit
    unpaired = [gate._replace(left=gate.left.replace("sndA", "")) for gate in layout[:2]]
    unpaired = [gate._replace(right=gate.right.replace("sndA", "")) for gate in unpaired]
    split = cdl_to_ngspice(CDL, "sky130_fd_sc_hd__nand2_1", layout_fingers=unpaired)
    assert [line for line in split.splitlines() if "XMN0" in line] == [
        line for line in lines if "XMN0" in line
    ]


def test_layout_fingers_connect_to_their_wiring_nodes() -> None:
    """With the wiring's resistance, a finger's drain, gate and source go to the nodes of
    the diffusion and poly pieces it sits on (source and drain either way round); a piece
    with no node of its own (an uncontacted stack node) stays on the net."""
    layout = [
        Finger(False, "A", "Y", "sndA", 0.65, 0.15, 0.26, 2.1, 0.26, 0.135, "nd0", "nd1", "g0"),
        Finger(False, "A", "sndA", "Y", 0.65, 0.15, 0.68, 1.68, 0.135, 0.135, "nd1", "nd2", "g1"),
    ]
    nodes = {("Y", "nd0"): "Y__nd0", ("Y", "nd2"): "Y", ("A", "g1"): "A__g1"}
    text = cdl_to_ngspice(
        CDL, "sky130_fd_sc_hd__nand2_1", layout_fingers=layout, terminal_nodes=nodes
    )
    terminals = [line.split()[1:5] for line in text.splitlines() if "XMN0" in line]
    assert terminals == [["Y__nd0", "A", "sndA", "VNB"], ["Y", "A__g1", "sndA", "VNB"]]
    plain = cdl_to_ngspice(CDL, "sky130_fd_sc_hd__nand2_1", layout_fingers=layout)
    assert " Y__" not in plain and "A__g1" not in plain


def _two_pmos(width_b: float, *, first: bool = False) -> tuple[str, list[Finger]]:
    """CDL's nand2_1 with a second PMOS (gate B, ``width_b`` µm; before MMP0 if ``first``)
    and the layout of the two: MMP0 on pieces pd0|pd1, MMP1 on pd1|pd2 (pd1 their drain)."""
    device = f"MMP1 Y B VPWR VPB pfet_01v8_hvt m=1 w={width_b} l=0.15\n"
    before = "MMP0" if first else ".ENDS"
    layout = [
        Finger(True, "A", "VPWR", "Y", 1.0, 0.15, 0.26, 0.68, 0.26, 0.135, "pd0", "pd1", "g0"),
        Finger(True, "B", "Y", "VPWR", width_b, 0.15, 0.68, 0.26, 0.135, 0.26, "pd1", "pd2", "g1"),
    ]
    return CDL.replace(before, device + before, 1), layout


def test_shared_contacts_are_one_resistor_per_piece() -> None:
    """Two PMOS fingers beside one contacted drain piece share its contact row: one
    resistor of the models' lump (0.14/w squares of 361/w + 1489 Ω/sq: 259 Ω at 1 µm) from
    the piece to its wiring node, the fingers without their own there; a piece not listed,
    and the NMOS stack node, keep the models' per-terminal convention."""
    cdl, layout = _two_pmos(1.0)
    text = cdl_to_ngspice(
        cdl,
        "sky130_fd_sc_hd__nand2_1",
        layout_fingers=layout,
        terminal_nodes={("Y", "pd1"): "Y__pd1"},
        shared_contacts={("Y", "pd1"), ("VPWR", "pd0")},
    )
    lines = text.splitlines()
    pmos = [line.split() for line in lines if line.startswith("XMP")]
    assert [fields[1] for fields in pmos] == ["Y__cpd1", "Y__cpd1"]
    assert [fields[3] for fields in pmos] == ["VPWR__cpd0", "VPWR"]
    assert all("nrd=0" in fields for fields in pmos)
    assert ["nrs=0" in fields for fields in pmos] == [True, False]
    contacts = [line.split() for line in lines if line.startswith("Rcontact")]
    assert [fields[1:3] for fields in contacts] == [["VPWR__cpd0", "VPWR"], ["Y__cpd1", "Y__pd1"]]
    assert float(contacts[1][3]) == pytest.approx(0.14 * (361 + 1489), rel=1e-3)
    assert lines[-1].upper().startswith(".ENDS")
    assert "Rcontact" not in cdl_to_ngspice(cdl, "sky130_fd_sc_hd__nand2_1", layout_fingers=layout)


def test_a_shared_contact_takes_the_widest_gates_lump() -> None:
    """A piece between a 1 µm and a 0.42 µm PMOS (an AND's output inverter beside its
    NAND): the shared resistor is the 1 µm device's lump (259 Ω), whichever comes first, and
    the narrow device keeps the rest of its own (~780 Ω in all) on its terminal, as before."""
    for narrow_first in (False, True):
        cdl, layout = _two_pmos(0.42, first=narrow_first)
        text = cdl_to_ngspice(
            cdl,
            "sky130_fd_sc_hd__nand2_1",
            layout_fingers=layout,
            shared_contacts={("Y", "pd1")},
        )
        lines = text.splitlines()
        contacts = [line.split() for line in lines if line.startswith("Rcontact")]
        assert [fields[1:3] for fields in contacts] == [["Y__cpd1", "Y"]]
        assert float(contacts[0][3]) == pytest.approx(0.14 * (361 + 1489), rel=1e-3)
        # the narrow gate keeps the rest of its own lump in its drain squares
        narrow = next(line.split() for line in lines if line.startswith("XMP1"))
        wide = next(line.split() for line in lines if line.startswith("XMP0"))
        assert narrow[1] == wide[1] == "Y__cpd1" and "nrd=0" in wide
        squares = float(next(field for field in narrow if field.startswith("nrd="))[4:])
        sheet = 361 / 0.42 + 1489
        rest = 0.14 / 0.42 * sheet - 0.14 * (361 + 1489)
        assert squares * sheet == pytest.approx(rest, rel=1e-4)


def test_uncontacted_stack_node_without_resistance() -> None:
    stack = CDL.replace(
        ".ENDS",
        "MMN1 sndA B VGND VNB nfet_01v8 m=2 w=0.65 l=0.15 mult=1 sa=0.265 sb=0.265 sd=0.28\n.ENDS",
    )
    name = "sky130_fd_sc_hd__nand2_1"
    lines = cdl_to_ngspice(
        stack, name, stack_node_resistance=False, split_fingers=False
    ).splitlines()
    upper = dict(field.split("=") for field in lines[2].split()[6:])  # Y A sndA
    lower = dict(field.split("=") for field in lines[3].split()[6:])  # sndA B VGND
    assert upper["nrs"] == "0" and "nrd" not in upper  # Y is contacted: PDK default
    assert lower["nrd"] == "0" and "nrs" not in lower
    contacted = cdl_to_ngspice(stack, name, stack_node_resistance=False, contacted_nets={"sndA"})
    assert "nrs=" not in contacted and "nrd=" not in contacted


def test_pwl_points() -> None:
    assert pwl_points([], initial=True) == "0 1.8 1e-6 1.8"
    points = pwl_points([(1e-9, 1e-10, True), (5e-9, 1e-10, False)], initial=False).split()
    times = [float(value) for value in points[0::2]]
    assert times == sorted(times)
    assert [float(value) for value in points[1::2]] == [0, 0, 1.8, 1.8, 0]
    assert ramp_time_s(0.06) == pytest.approx(1e-10)


def test_combinational_deck() -> None:
    family = FAMILIES["nand2"]
    grid = Grid(np.array([0.01, 0.1]), {"Y": np.array([0.001, 0.01, 0.05])})
    subckt = cdl_to_ngspice(CDL, "sky130_fd_sc_hd__nand2_1")
    ports = ["A", "B", "VGND", "VNB", "VPB", "VPWR", "Y"]
    deck, plan = combinational_deck(
        "sky130_fd_sc_hd__nand2_1", family, grid, subckt=subckt, models="m.spice", ports=ports
    )
    text = deck.text()
    # 2 arcs x 6 grid points + 2 pin-capacitance runs + 2 pins x 2 slews with the output
    # held (A toggles under B = 0, B under A = 0) + 4 leakage runs
    assert deck.runs == 2 * 6 + 2 + 2 * 2 + 4
    assert plan.hidden["A"].shape == (1, 2)
    assert text.count("\ntran ") == deck.runs
    assert "X0 k0_a k0_b 0 0 vdd0 vdd0 k0_y sky130_fd_sc_hd__nand2_1" in text
    assert '.lib "m.spice" tt' in text and ".option scale=1e-6" in text
    assert [entry.arc.pin for entry in plan.arcs] == ["A", "B"]
    assert plan.arcs[0].rise_runs.shape == (2, 3)
    assert plan.arcs[0].fall_runs is plan.arcs[0].rise_runs  # one vector for both edges
    assert len(plan.leakage) == 4
    # Input charge is measured in the pin-capacitance runs only, over the middle of the ramp.
    charges = [line for line in deck.control if line.startswith("meas tran i")]
    assert len(charges) == 2 * 2  # 2 pins x (rise, fall)
    ramp = ramp_time_s(PIN_CAP_SLEW_NS)
    low, high = PIN_CAP_WINDOW
    first = charges[0].split()
    assert first[4:6] == ["i(v0_a)", f"from={START_S + low * ramp:.6e}"]
    assert first[6] == f"to={START_S + high * ramp:.6e}"
    # ... with the output at a fixed fraction of its largest load (0.05 pF here).
    run = deck.control[: deck.control.index(charges[0])]
    load = [line for line in run if line.startswith("alter c0_y")][-1]
    assert load == f"alter c0_y {PIN_CAP_LOAD_FRACTION * 0.05e-12:.6e}"


def test_sequential_deck_names_are_unique() -> None:
    """Every value read back (measures outside the bisection loops, printed results) has its
    own name: a clash once let setup/hold results overwrite clock-arc transitions."""
    from tapeout.characterize.sequential import sequential_deck

    family = FAMILIES["dfrtp"]
    grid = Grid(np.linspace(0.01, 1.5, 7), {"Q": np.geomspace(0.0005, 0.16, 7)})
    ports = ["CLK", "D", "RESET_B", "VGND", "VNB", "VPB", "VPWR", "Q"]
    deck, _ = sequential_deck(
        "sky130_fd_sc_hd__dfrtp_1", family, grid, subckt="", models="m", ports=ports
    )
    names, depth = [], 0
    for line in deck.control:
        text = line.strip()
        if text.startswith(("repeat", "if ")):
            depth += 1
        elif text == "end" and depth:
            depth -= 1
        elif depth == 0 and text.startswith(("meas tran ", "print ")):
            names.append(text.split()[2] if text.startswith("meas") else text.split()[1])
    assert len(names) == len(set(names)) > 49 * 3


def test_async_arcs_keep_the_slower_clock_state() -> None:
    """A clear/preset arc is simulated with the clock low and high (the second stage open, its
    input fighting the forcing); the slower state's tables are kept, and a state that measured
    nothing never wins."""
    from tapeout.characterize.sequential import read_sequential, sequential_deck
    from tapeout.characterize.spice import SpiceResult

    family = FAMILIES["dfstp"]
    grid = Grid(np.array([0.01, 0.5]), {"Q": np.array([0.001, 0.01])})
    ports = ["CLK", "D", "SET_B", "VGND", "VNB", "VPB", "VPWR", "Q"]
    _, plan = sequential_deck(
        "sky130_fd_sc_hd__dfstp_1", family, grid, subckt="", models="m", ports=ports
    )
    low, high = plan["SET_B"]
    assert low.shape == high.shape == (2, 2) and not set(low.ravel()) & set(high.ravel())
    for slow, fast, picked in ((high, low, 300e-12), (low, high, 300e-12)):
        measures = {f"a{k}": 300e-12 for k in slow.ravel()}
        measures |= {f"a{k}": 240e-12 for k in fast.ravel()}
        measures |= {f"b{k}": 50e-12 for k in np.concatenate([slow.ravel(), fast.ravel()])}
        result = read_sequential(
            "sky130_fd_sc_hd__dfstp_1", family, grid, plan, SpiceResult(measures, (), "")
        )
        (preset,) = [arc for arc in result.arcs if arc.timing_type == "preset"]
        assert np.allclose(preset.cell_rise, picked * 1e9)
    measures = {f"a{k}": 240e-12 for k in low.ravel()}  # the high state measured nothing
    result = read_sequential(
        "sky130_fd_sc_hd__dfstp_1", family, grid, plan, SpiceResult(measures, (), "")
    )
    (preset,) = [arc for arc in result.arcs if arc.timing_type == "preset"]
    assert np.allclose(preset.cell_rise, 0.24)


def test_pulse_widths_read_back() -> None:
    """A min_pulse_width entry is the worse of the Q edges tried; a bisection that passed at
    every width tried lies within its resolution of the floor (the full ramp) and reads as it;
    a bisection that printed nothing drops the row."""
    from tapeout.characterize.batch import _missing_entries
    from tapeout.characterize.bisection import pulse_floor_ns, pulse_label
    from tapeout.characterize.measure import CellResult
    from tapeout.characterize.sequential import (
        CONSTRAINT_SLEWS_NS,
        PulseWidthTables,
        _pulse_widths,
    )

    values = {}
    for i, slew in enumerate(CONSTRAINT_SLEWS_NS):
        floor_s = pulse_floor_ns(float(slew)) * 1e-9
        values[pulse_label("CLK", True, True, i)] = max(floor_s + 0.2e-12, 0.15e-9)
        values[pulse_label("CLK", True, False, i)] = max(floor_s + 0.2e-12, 0.17e-9)
    row = _pulse_widths(values, "CLK", True, (True, False))
    assert row[0] == pytest.approx(0.17)  # the falling Q needs the wider pulse
    assert row[1:].tolist() == [pulse_floor_ns(0.5), pulse_floor_ns(1.5)]  # 0.8333, 2.5
    assert pulse_floor_ns(0.5) == pytest.approx(0.5 / 0.6)
    del values[pulse_label("CLK", True, False, 2)]
    row = _pulse_widths(values, "CLK", True, (True, False))
    assert np.isfinite(row[:2]).all() and np.isnan(row[2])
    # an unmeasured side is counted as missing and left out of the Liberty
    tables = PulseWidthTables("CLK", row, row[::-1].copy(), CONSTRAINT_SLEWS_NS)
    result = CellResult("dfxtp_1", FAMILIES["dfxtp"], Grid(CONSTRAINT_SLEWS_NS, {}))
    result.constraints.append(tables)
    assert _missing_entries(result) == 2

    def build(template, values, *axes):
        return values

    arc = tables.timing_arc("constraint_3_0_1", build)
    assert arc.timing_type == "min_pulse_width" and arc.related_pin == "CLK"
    assert arc.rise_constraint is None and arc.fall_constraint is None
    tables.fall_constraint = np.array([0.2, 0.9, 2.5])
    arc = tables.timing_arc("constraint_3_0_1", build)
    assert arc.rise_constraint is None and arc.fall_constraint.tolist() == [0.2, 0.9, 2.5]


def test_combinational_deck_worst_vectors() -> None:
    """An arc whose output rise and fall are slowest under different side inputs gets a grid
    of runs for each."""
    from tapeout.characterize.cells import all_sensitizations

    family = FAMILIES["a21oi"]
    grid = Grid(np.array([0.01, 0.1]), {"Y": np.array([0.001, 0.01])})
    ports = ["A1", "A2", "B1", "VGND", "VNB", "VPB", "VPWR", "Y"]
    b1 = [v for v in all_sensitizations(family, "Y") if v.pin == "B1"]
    worst = {("Y", "B1", "negative_unate"): (b1[2], b1[0])}
    deck, _ = combinational_deck(
        "sky130_fd_sc_hd__a21oi_1", family, grid, subckt="", models="m.spice", ports=ports
    )
    deck_worst, plan_worst = combinational_deck(
        "sky130_fd_sc_hd__a21oi_1",
        family,
        grid,
        subckt="",
        models="m.spice",
        ports=ports,
        worst=worst,
    )
    assert deck_worst.runs == deck.runs + 4  # one more 2 x 2 grid
    entry = next(entry for entry in plan_worst.arcs if entry.arc.pin == "B1")
    assert entry.rise_vector == b1[2] and entry.fall_vector == b1[0]
    assert not np.array_equal(entry.rise_runs, entry.fall_runs)


def test_pin_capacitance_averages_every_sensitizing_vector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pin's capacitance is the mean over the side-input states that pass it to an output,
    not whichever state comes first: xor3's C sees different pass-gate nodes per state."""
    from tapeout.characterize import measure
    from tapeout.characterize.measure import PIN_CAP_VECTORS, pin_cap_vectors, read_combinational
    from tapeout.characterize.spice import SpiceResult

    def per_pin(family: str) -> dict[str, list]:
        pins: dict[str, list] = {}
        for vector, output in pin_cap_vectors(FAMILIES[family]):
            assert output in FAMILIES[family].outputs
            pins.setdefault(vector.pin, []).append(dict(vector.others))
        return pins

    assert per_pin("nand2") == {"A": [{"B": True}], "B": [{"A": True}]}
    xor3 = per_pin("xor3")
    assert [len(vectors) for vectors in xor3.values()] == [4, 4, 4]
    # A full adder's vectors sensitize SUM and COUT alike: each side state once.
    fa = per_pin("fa")
    assert all(len(vectors) == 4 for vectors in fa.values())
    assert all(len({tuple(sorted(v.items())) for v in vs}) == 4 for vs in fa.values())
    every = [arc.others for arc in all_sensitizations(FAMILIES["mux4"], "X") if arc.pin == "S0"]
    assert per_pin("mux4")["S0"] == every and len(every) == PIN_CAP_VECTORS == 16
    monkeypatch.setattr(measure, "PIN_CAP_VECTORS", 4)  # more vectors than that: spread
    assert per_pin("mux4")["S0"] == [every[0], every[5], every[10], every[15]]

    # Read back: the mean of each vector's charge (a failed measure left out).
    family = FAMILIES["xor2"]
    grid = Grid(np.array([0.1]), {"X": np.array([0.001, 0.01, 0.05])})
    subckt = cdl_to_ngspice(CDL.replace("nand2_1 A B", "xor2_1 A B"), "sky130_fd_sc_hd__xor2_1")
    ports = ["A", "B", "VGND", "VNB", "VPB", "VPWR", "X"]
    _, plan = combinational_deck(
        "sky130_fd_sc_hd__xor2_1", family, grid, subckt=subckt, models="m.spice", ports=ports
    )
    assert {pin: len(runs) for pin, runs in plan.pin_caps.items()} == {"A": 2, "B": 2}
    step_v = 1.8 * (PIN_CAP_WINDOW[1] - PIN_CAP_WINDOW[0])
    (a0, a1), (b0, b1) = plan.pin_caps["A"], plan.pin_caps["B"]
    measures = {f"ia{a0}": 2e-15 * step_v, f"ia{a1}": -4e-15 * step_v, f"ib{a0}": 1e-15 * step_v}
    measures |= {f"ia{b0}": 5e-15 * step_v, f"ib{b0}": 5e-15 * step_v}
    measures |= {f"ia{b1}": 5e-15 * step_v, f"ib{b1}": 5e-15 * step_v}
    cell = read_combinational(
        "sky130_fd_sc_hd__xor2_1", family, grid, plan, SpiceResult(measures, (), "")
    )
    assert cell.pin_rise_cap_pf["A"] == pytest.approx(0.003)
    assert cell.pin_fall_cap_pf["A"] == pytest.approx(0.001)
    assert cell.pin_rise_cap_pf["B"] == pytest.approx(0.005)


EBUFN_CDL = """.SUBCKT sky130_fd_sc_hd__ebufn_1 A TE_B VGND VNB VPB VPWR Z
MMN0 Z net35 sndA VNB nfet_01v8 m=1 w=0.65 l=0.15
MMN1 sndA net39 VGND VNB nfet_01v8 m=1 w=0.65 l=0.15
MMIN1 net39 TE_B VGND VNB nfet_01v8 m=1 w=0.42 l=0.15
MI6 net35 A VGND VNB nfet_01v8 m=1 w=0.42 l=0.15
MMP0 VPWR TE_B sndTEB VPB pfet_01v8_hvt m=1 w=0.94 l=0.15
MMP1 sndTEB net35 Z VPB pfet_01v8_hvt m=1 w=1.0 l=0.15
MMIP1 net39 TE_B VPWR VPB pfet_01v8_hvt m=1 w=0.64 l=0.15
MI5 net35 A VPWR VPB pfet_01v8_hvt m=1 w=0.64 l=0.15
.ENDS sky130_fd_sc_hd__ebufn_1
"""


def test_tristate_deck() -> None:
    """The tri-state deck: a programmable pull on Z (off unless a run sets it), the data arc
    with the output enabled, one enable run per grid point, one disable run per slew and
    edge, every value read back under its own name."""
    from tapeout.characterize.tristate import DISABLE_FRACTION, tristate_deck

    name = "sky130_fd_sc_hd__ebufn_1"
    grid = Grid(np.array([0.01, 0.1]), {"Z": np.array([0.001, 0.01, 0.05])})
    subckt = cdl_to_ngspice(EBUFN_CDL, name)
    ports = ["A", "TE_B", "VGND", "VNB", "VPB", "VPWR", "Z"]
    deck, plan = tristate_deck(
        name, FAMILIES["ebufn"], grid, subckt=subckt, models="m.spice", ports=ports
    )
    text = deck.text()
    assert "B0_z k0_z k0_z_pull I = v(k0_z_g) * (v(k0_z) - v(k0_z_pull))" in text
    assert text.count("\ntran ") == deck.runs
    # every run sets the pull: off (zero conductance) in the data arc's runs
    assert text.count("alter @v0_z_g[pwl]") == deck.runs
    (entry,) = plan.base.arcs
    assert entry.arc.others == {"TE_B": False}  # enabled
    assert plan.enable.shape == (2, 3) and len(np.unique(plan.enable)) == 6
    assert [runs.shape for runs in plan.disable] == [(2,), (2,)]
    assert len(plan.output_cap) == 2 and plan.base.hidden["A"].shape == (1, 2)
    # The disable criterion: the current into Z (held at half the supply) falls to a tenth.
    k = int(plan.disable[1][0])
    lines = deck.control
    assert f"let zt{k} = zi{k} * {DISABLE_FRACTION:g}" in lines
    (released,) = [line for line in lines if line.startswith(f"meas tran zd{k} ")]
    assert "trig v(k0_te_b) val=0.9 rise=1" in released and "val=$&zt" in released
    names = [line.split()[2] for line in lines if line.startswith("meas tran ")]
    assert len(names) == len(set(names))
