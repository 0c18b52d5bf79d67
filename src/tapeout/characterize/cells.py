"""The cells we characterize: logic functions, pin roles, and Boolean evaluation.

Functions are our own table (Liberty expression syntax: ``!`` not, ``&`` and, ``|`` or, ``^``
xor, parentheses), keyed by the cell *family* (``nand2`` of ``sky130_fd_sc_hd__nand2_4``). Pin
names are checked against the SPICE ``.subckt`` line of each cell, whose port order the stimuli
follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tapeout.db.logic import evaluate
from tapeout.errors import ParseError
from tapeout.formats.spice import read_subckt

PREFIX = "sky130_fd_sc_hd__"
POWER_PINS = ("VPWR", "VPB")
GROUND_PINS = ("VGND", "VNB")


@dataclass(frozen=True)
class Family:
    """One cell family's logic: inputs, outputs with functions, and its kind.

    ``kind``: "combinational", "flop" (rising-edge D flip-flop), "latch" (active-high D latch),
    "clock_gate" (integrated clock gate: the enable latched while the clock is low, ANDed with
    the clock; its output function names the latch node), "tristate" (an output that follows
    its function while enabled and is high-impedance while ``three_state`` holds), "tie"
    (constant outputs) or "physical" (fill, tap, decap: no logic pins).
    ``clock``: the clock (or latch enable) pin; ``data``: the D pin; ``clear``/``preset``: an
    active-low asynchronous reset/set pin ("" when none); ``three_state``: the
    high-impedance condition of a tri-state cell's outputs, one enable pin or its complement
    ("TE_B", "!TE").
    """

    kind: str
    inputs: tuple[str, ...] = ()
    outputs: dict[str, str] = field(default_factory=dict)
    clock: str = ""
    data: str = ""
    clear: str = ""
    preset: str = ""
    three_state: str = ""


def _comb(inputs: str, **outputs: str) -> Family:
    return Family("combinational", tuple(inputs.split()), dict(outputs))


FAMILIES: dict[str, Family] = {
    "inv": _comb("A", Y="!A"),
    "clkinv": _comb("A", Y="!A"),
    "clkinvlp": _comb("A", Y="!A"),
    "buf": _comb("A", X="A"),
    "clkbuf": _comb("A", X="A"),
    "clkdlybuf4s15": _comb("A", X="A"),
    "clkdlybuf4s25": _comb("A", X="A"),
    "clkdlybuf4s50": _comb("A", X="A"),
    "dlygate4sd1": _comb("A", X="A"),
    "nand2": _comb("A B", Y="!(A&B)"),
    "nand3": _comb("A B C", Y="!(A&B&C)"),
    "nand4": _comb("A B C D", Y="!(A&B&C&D)"),
    "nand2b": _comb("A_N B", Y="!(!A_N&B)"),
    "nand3b": _comb("A_N B C", Y="!(!A_N&B&C)"),
    "nor2": _comb("A B", Y="!(A|B)"),
    "nor3": _comb("A B C", Y="!(A|B|C)"),
    "nor4": _comb("A B C D", Y="!(A|B|C|D)"),
    "nor2b": _comb("A B_N", Y="!(A|!B_N)"),
    "nor3b": _comb("A B C_N", Y="!(A|B|!C_N)"),
    "and2": _comb("A B", X="A&B"),
    "and3": _comb("A B C", X="A&B&C"),
    "and4": _comb("A B C D", X="A&B&C&D"),
    "and2b": _comb("A_N B", X="!A_N&B"),
    "and3b": _comb("A_N B C", X="!A_N&B&C"),
    "or2": _comb("A B", X="A|B"),
    "or3": _comb("A B C", X="A|B|C"),
    "or4": _comb("A B C D", X="A|B|C|D"),
    "or2b": _comb("A B_N", X="A|!B_N"),
    "or3b": _comb("A B C_N", X="A|B|!C_N"),
    "xor2": _comb("A B", X="A^B"),
    "xnor2": _comb("A B", Y="!(A^B)"),
    "xor3": _comb("A B C", X="A^B^C"),
    "xnor3": _comb("A B C", X="!(A^B^C)"),
    "a21oi": _comb("A1 A2 B1", Y="!((A1&A2)|B1)"),
    "a21o": _comb("A1 A2 B1", X="(A1&A2)|B1"),
    "a22oi": _comb("A1 A2 B1 B2", Y="!((A1&A2)|(B1&B2))"),
    "a22o": _comb("A1 A2 B1 B2", X="(A1&A2)|(B1&B2)"),
    "a211oi": _comb("A1 A2 B1 C1", Y="!((A1&A2)|B1|C1)"),
    "a211o": _comb("A1 A2 B1 C1", X="(A1&A2)|B1|C1"),
    "a31oi": _comb("A1 A2 A3 B1", Y="!((A1&A2&A3)|B1)"),
    "a31o": _comb("A1 A2 A3 B1", X="(A1&A2&A3)|B1"),
    "o21ai": _comb("A1 A2 B1", Y="!((A1|A2)&B1)"),
    "o21a": _comb("A1 A2 B1", X="(A1|A2)&B1"),
    "o22ai": _comb("A1 A2 B1 B2", Y="!((A1|A2)&(B1|B2))"),
    "o22a": _comb("A1 A2 B1 B2", X="(A1|A2)&(B1|B2)"),
    "o211ai": _comb("A1 A2 B1 C1", Y="!((A1|A2)&B1&C1)"),
    "o211a": _comb("A1 A2 B1 C1", X="(A1|A2)&B1&C1"),
    "o31ai": _comb("A1 A2 A3 B1", Y="!((A1|A2|A3)&B1)"),
    "o31a": _comb("A1 A2 A3 B1", X="(A1|A2|A3)&B1"),
    "a21boi": _comb("A1 A2 B1_N", Y="!((A1&A2)|!B1_N)"),
    "a21bo": _comb("A1 A2 B1_N", X="(A1&A2)|!B1_N"),
    "a32oi": _comb("A1 A2 A3 B1 B2", Y="!((A1&A2&A3)|(B1&B2))"),
    "a32o": _comb("A1 A2 A3 B1 B2", X="(A1&A2&A3)|(B1&B2)"),
    "a41oi": _comb("A1 A2 A3 A4 B1", Y="!((A1&A2&A3&A4)|B1)"),
    "a41o": _comb("A1 A2 A3 A4 B1", X="(A1&A2&A3&A4)|B1"),
    "a221oi": _comb("A1 A2 B1 B2 C1", Y="!((A1&A2)|(B1&B2)|C1)"),
    "a221o": _comb("A1 A2 B1 B2 C1", X="(A1&A2)|(B1&B2)|C1"),
    "a311oi": _comb("A1 A2 A3 B1 C1", Y="!((A1&A2&A3)|B1|C1)"),
    "a311o": _comb("A1 A2 A3 B1 C1", X="(A1&A2&A3)|B1|C1"),
    "a2111oi": _comb("A1 A2 B1 C1 D1", Y="!((A1&A2)|B1|C1|D1)"),
    "a2bb2oi": _comb("A1_N A2_N B1 B2", Y="!((!A1_N&!A2_N)|(B1&B2))"),
    "o21bai": _comb("A1 A2 B1_N", Y="!((A1|A2)&!B1_N)"),
    "o21ba": _comb("A1 A2 B1_N", X="(A1|A2)&!B1_N"),
    "o32ai": _comb("A1 A2 A3 B1 B2", Y="!((A1|A2|A3)&(B1|B2))"),
    "o32a": _comb("A1 A2 A3 B1 B2", X="(A1|A2|A3)&(B1|B2)"),
    "o41ai": _comb("A1 A2 A3 A4 B1", Y="!((A1|A2|A3|A4)&B1)"),
    "o41a": _comb("A1 A2 A3 A4 B1", X="(A1|A2|A3|A4)&B1"),
    "o221ai": _comb("A1 A2 B1 B2 C1", Y="!((A1|A2)&(B1|B2)&C1)"),
    "o221a": _comb("A1 A2 B1 B2 C1", X="(A1|A2)&(B1|B2)&C1"),
    "o311ai": _comb("A1 A2 A3 B1 C1", Y="!((A1|A2|A3)&B1&C1)"),
    "o311a": _comb("A1 A2 A3 B1 C1", X="(A1|A2|A3)&B1&C1"),
    "o2111ai": _comb("A1 A2 B1 C1 D1", Y="!((A1|A2)&B1&C1&D1)"),
    "o2bb2ai": _comb("A1_N A2_N B1 B2", Y="!((!A1_N|!A2_N)&(B1|B2))"),
    "maj3": _comb("A B C", X="(A&B)|(A&C)|(B&C)"),
    "mux2": _comb("A0 A1 S", X="(A0&!S)|(A1&S)"),
    "mux2i": _comb("A0 A1 S", Y="!((A0&!S)|(A1&S))"),
    "mux4": _comb(
        "A0 A1 A2 A3 S0 S1",
        X="(A0&!S0&!S1)|(A1&S0&!S1)|(A2&!S0&S1)|(A3&S0&S1)",
    ),
    "ha": _comb("A B", COUT="A&B", SUM="A^B"),
    "fa": _comb("A B CIN", COUT="(A&B)|(A&CIN)|(B&CIN)", SUM="A^B^CIN"),
    "conb": Family("tie", (), {"HI": "1", "LO": "0"}),
    "dfxtp": Family("flop", ("CLK", "D"), {"Q": "IQ"}, clock="CLK", data="D"),
    "dfrtp": Family(
        "flop", ("CLK", "D", "RESET_B"), {"Q": "IQ"}, clock="CLK", data="D", clear="RESET_B"
    ),
    "dfstp": Family(
        "flop", ("CLK", "D", "SET_B"), {"Q": "IQ"}, clock="CLK", data="D", preset="SET_B"
    ),
    "dlxtp": Family("latch", ("D", "GATE"), {"Q": "IQ"}, clock="GATE", data="D"),
    "dlclkp": Family("clock_gate", ("CLK", "GATE"), {"GCLK": "CLK&M0"}, clock="CLK", data="GATE"),
    "ebufn": Family("tristate", ("A", "TE_B"), {"Z": "A"}, three_state="TE_B"),
    "einvp": Family("tristate", ("A", "TE"), {"Z": "!A"}, three_state="!TE"),
    "einvn": Family("tristate", ("A", "TE_B"), {"Z": "!A"}, three_state="TE_B"),
    "fill": Family("physical"),
    "tapvpwrvgnd": Family("physical"),
    "decap": Family("physical"),
}

# The default set: family -> drive strengths.
DEFAULT_DRIVES: dict[str, tuple[int, ...]] = {
    "inv": (1, 2, 4, 8),
    "clkinv": (1, 2, 4),
    "buf": (1, 2, 4, 8),
    "clkbuf": (1, 2, 4, 8),
    "clkdlybuf4s25": (1,),
    "dlygate4sd1": (1,),
    "nand2": (1, 2, 4),
    "nand3": (1, 2),
    "nand4": (1, 2),
    "nand2b": (1,),
    "nand3b": (1,),
    "nor2": (1, 2, 4),
    "nor3": (1, 2),
    "nor4": (1, 2),
    "nor2b": (1,),
    "nor3b": (1,),
    "and2": (0, 1, 2),
    "and3": (1, 2),
    "and4": (1, 2),
    "and2b": (1,),
    "and3b": (1,),
    "or2": (0, 1, 2),
    "or3": (1, 2),
    "or4": (1, 2),
    "or2b": (1,),
    "or3b": (1,),
    "xor2": (1, 2),
    "xnor2": (1, 2),
    "xor3": (1,),
    "xnor3": (1,),
    "a21oi": (1, 2),
    "a21o": (1, 2),
    "a22oi": (1, 2),
    "a22o": (1, 2),
    "a211oi": (1, 2),
    "a211o": (1, 2),
    "a31oi": (1,),
    "a31o": (1,),
    "o21ai": (0, 1, 2),
    "o21a": (1, 2),
    "o22ai": (1, 2),
    "o22a": (1, 2),
    "o211ai": (1, 2),
    "o211a": (1, 2),
    "o31ai": (1,),
    "o31a": (1,),
    "a21boi": (0, 1),
    "a21bo": (1,),
    "a32oi": (1,),
    "a32o": (1,),
    "a41oi": (1,),
    "a41o": (1,),
    "a221oi": (1,),
    "a221o": (1,),
    "a311oi": (1,),
    "a311o": (1,),
    "a2111oi": (0,),
    "a2bb2oi": (1,),
    "o21bai": (1,),
    "o21ba": (1,),
    "o32ai": (1,),
    "o32a": (1,),
    "o41ai": (1,),
    "o41a": (1,),
    "o221ai": (1,),
    "o221a": (1,),
    "o311ai": (0,),
    "o311a": (1,),
    "o2111ai": (1,),
    "o2bb2ai": (1,),
    "maj3": (1,),
    "mux2": (1, 2),
    "mux2i": (1,),
    "mux4": (1, 2),
    "ha": (1,),
    "fa": (1,),
    "conb": (1,),
    "dfxtp": (1, 2, 4),
    "dfrtp": (1, 2),
    "dfstp": (1, 2),
    "dlxtp": (1,),
    "dlclkp": (1, 2, 4),
    "ebufn": (1, 2, 4, 8),
    "einvp": (1, 2, 4, 8),
    "einvn": (0, 1, 2, 4, 8),
    "fill": (1, 2, 4, 8),
    "tapvpwrvgnd": (1,),
    "decap": (3, 4, 6, 8, 12),
}


SEQUENTIAL_KINDS = ("flop", "latch", "clock_gate")  # characterized by ``sequential.py``


def enable_pin(family: Family) -> tuple[str, bool]:
    """A tri-state family's enable pin and the level (True = high) at which it drives."""
    condition = family.three_state
    if condition.startswith("!"):
        return condition[1:], True  # high-impedance while the pin is low
    return condition, False


def default_cells() -> list[str]:
    """Names of the default characterized set (``sky130_fd_sc_hd__<family>_<drive>``)."""
    return [
        f"{PREFIX}{family}_{drive}" for family, drives in DEFAULT_DRIVES.items() for drive in drives
    ]


def family_of(cell_name: str) -> str:
    """``nand2`` for ``sky130_fd_sc_hd__nand2_4``; ParseError for a name we do not know."""
    match = re.fullmatch(rf"{PREFIX}(\w+?)_(\d+)", cell_name)
    if match is None or match.group(1) not in FAMILIES:
        known = ", ".join(sorted(FAMILIES))
        raise ParseError(
            f"cell {cell_name!r} is not in the characterization table",
            hint=f"names look like {PREFIX}<family>_<drive>; families: {known}",
        )
    return match.group(1)


def cell_family(cell_name: str) -> Family:
    """The ``Family`` of ``cell_name``."""
    return FAMILIES[family_of(cell_name)]


def subckt_ports(spice_path: Path, cell_name: str) -> list[str]:
    """Port names, in order, of ``.subckt cell_name`` in ``spice_path``."""
    return list(read_subckt(spice_path, cell_name).ports)


def truth_table(family: Family, output: str) -> tuple[np.ndarray, np.ndarray]:
    """All input vectors and the output's value on each.

    Returns ``(vectors, outputs)``: bool ``(2**n, n)`` with input ``j`` of row ``r`` equal to bit
    ``n-1-j`` of ``r`` (the first input is the most significant), and bool ``(2**n,)``.
    """
    count = len(family.inputs)
    rows = np.arange(2**count, dtype=np.int64)
    vectors = ((rows[:, None] >> np.arange(count - 1, -1, -1)[None, :]) & 1).astype(bool)
    values = {name: vectors[:, j] for j, name in enumerate(family.inputs)}
    return vectors, evaluate(family.outputs[output], values)


@dataclass(frozen=True)
class Sensitization:
    """One combinational arc: ``pin`` toggles with the other inputs at ``others`` (name → 0/1);
    ``sense`` is "positive_unate" (output follows) or "negative_unate" (output inverts)."""

    pin: str
    output: str
    others: dict[str, bool]
    sense: str


def all_sensitizations(family: Family, output: str) -> list[Sensitization]:
    """Every side-input vector that makes ``output`` follow or invert an input pin, per pin in
    input order and per pin in binary order of the vector.

    A pin of an AOI gate has several (``a22oi`` A1: B1 B2 = 00, 01, 10), and they differ in
    speed by tens of per cent: how many transistors conduct in parallel beside the switching
    one, and which internal nodes must be charged.
    """
    vectors, outputs = truth_table(family, output)
    count = len(family.inputs)
    arcs: list[Sensitization] = []
    for j, pin in enumerate(family.inputs):
        bit = 1 << (count - 1 - j)
        for row in range(2**count):
            if row & bit:
                continue
            low, high = outputs[row], outputs[row | bit]
            if low == high:
                continue
            sense = "positive_unate" if high else "negative_unate"
            others = {name: bool(vectors[row, k]) for k, name in enumerate(family.inputs) if k != j}
            arcs.append(Sensitization(pin, output, others, sense))
    return arcs


def hidden_vectors(family: Family) -> dict[str, list[dict[str, bool]]]:
    """Per input pin of a combinational cell, the side-input vectors (binary order) under which
    the pin toggles and no output changes: where its internal ("hidden") energy is measured.
    Pins that switch some output under every vector (an inverter's) have none."""
    count = len(family.inputs)
    if not family.outputs:
        return {}
    tables = [truth_table(family, output) for output in family.outputs]
    vectors = tables[0][0]
    hidden: dict[str, list[dict[str, bool]]] = {}
    for j, pin in enumerate(family.inputs):
        bit = 1 << (count - 1 - j)
        rows = [
            row
            for row in range(2**count)
            if not row & bit and all(values[row] == values[row | bit] for _, values in tables)
        ]
        if rows:
            hidden[pin] = [
                {name: bool(vectors[row, k]) for k, name in enumerate(family.inputs) if k != j}
                for row in rows
            ]
    return hidden


def sensitizations(family: Family, output: str) -> list[Sensitization]:
    """Per input pin, the first side-input vector (in binary order) for each sense it has: one
    Liberty arc each.

    A pin of a unate function gets one arc; an XOR input gets two (positive and negative).
    """
    arcs: list[Sensitization] = []
    seen: set[tuple[str, str]] = set()
    for arc in all_sensitizations(family, output):
        if (arc.pin, arc.sense) not in seen:
            seen.add((arc.pin, arc.sense))
            arcs.append(arc)
    return arcs
