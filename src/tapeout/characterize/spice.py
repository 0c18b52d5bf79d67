"""Running ngspice in batch and reading its ``.measure`` results.

One ngspice process loads the sky130 models once (seconds) and then simulates a netlist holding
many independent copies of a cell, each with its own stimulus, load and measurements; so one
process gives a whole table. ``run_batch`` runs several netlists in parallel processes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tapeout.errors import ParseError, ToolError
from tapeout.formats.gds_cell import Finger
from tapeout.formats.spice import find_subckt

NGSPICE_ENV = "TAPEOUT_NGSPICE"

# ngspice start-up settings: HSPICE compatibility for the PDK models, and skip the slow model
# parameter checks (they dominate model loading).
SPICEINIT = "set ngbehavior=hsa\nset ng_nomodcheck\nset num_threads=1\n"

_MEASURE = re.compile(
    r"^(?P<name>[a-z_][\w.]*)\s*=\s*(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)", re.M | re.I
)
_FAILED = re.compile(r"^(?P<name>[a-z_][\w.]*)\s*=?\s*failed", re.M | re.I)


def ngspice_path() -> str:
    """The ngspice executable ($TAPEOUT_NGSPICE or ``ngspice`` on PATH); ToolError if absent."""
    configured = os.environ.get(NGSPICE_ENV)
    found = configured or shutil.which("ngspice")
    if not found:
        raise ToolError(
            "ngspice not found",
            hint=f"install it (Debian: apt-get install ngspice) or set {NGSPICE_ENV}",
        )
    return found


@dataclass(frozen=True)
class SpiceResult:
    """What one ngspice run measured: ``measures`` maps lower-case measure names to values (SI
    units: s, A, V·s ...); ``failed`` lists measures ngspice could not take."""

    measures: dict[str, float]
    failed: tuple[str, ...]
    output: str


def run_netlist(
    netlist: str, *, timeout_s: float = 1800.0, keep_dir: Path | None = None
) -> SpiceResult:
    """Simulate ``netlist`` (a complete deck with ``.measure`` lines) with ``ngspice -b``.

    Raises ToolError when ngspice fails to start, exits with an error, or times out.
    """
    executable = ngspice_path()
    with tempfile.TemporaryDirectory(prefix="tapeout-spice-") as scratch:
        directory = Path(scratch) if keep_dir is None else keep_dir
        directory.mkdir(parents=True, exist_ok=True)
        (directory / ".spiceinit").write_text(SPICEINIT)
        deck = directory / "deck.sp"
        deck.write_text(netlist)
        try:
            completed = subprocess.run(
                [executable, "-b", str(deck)],
                cwd=directory,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                env={**os.environ, "HOME": str(directory)},
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise ToolError(f"ngspice ran over {timeout_s:.0f} s", file=deck) from error
        except OSError as error:
            raise ToolError(f"cannot start ngspice ({executable}): {error}") from error
    output = completed.stdout + completed.stderr
    if completed.returncode != 0 or ("Error:" in completed.stdout and "fatal" in output.lower()):
        tail = " | ".join(output.strip().splitlines()[-5:])
        raise ToolError(f"ngspice exited with status {completed.returncode}: {tail}")
    return parse_measures(output)


def parse_measures(output: str) -> SpiceResult:
    """The ``name = value`` lines ngspice prints for ``.measure`` results, and the failed ones."""
    measures = {match["name"].lower(): float(match["value"]) for match in _MEASURE.finditer(output)}
    failed = tuple(
        match["name"].lower() for match in _FAILED.finditer(output) if match["name"] not in measures
    )
    return SpiceResult(measures, failed, output)


def run_batch(netlists: Sequence[str], *, jobs: int | None = None) -> list[SpiceResult]:
    """``run_netlist`` for each netlist, ``jobs`` processes at a time (default: CPU count)."""
    workers = max(1, min(jobs or os.cpu_count() or 1, len(netlists) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run_netlist, netlists))


# ---- transistor netlists -----------------------------------------------------------------------

_DEVICE_PREFIX = "sky130_fd_pr__"
_DROPPED = {"mult", "topography", "area", "perim"}


GATE_SPACE_UM = 0.28  # poly-to-poly space over an uncontacted diffusion shared by a stack


def cdl_to_ngspice(
    text: str,
    cell: str,
    *,
    file: Path | None = None,
    shared_diffusion: bool = True,
    stack_node_resistance: bool = False,
    contacted_nets: Collection[str] = (),
    split_fingers: bool = True,
    layout_fingers: Sequence[Finger] = (),
    terminal_nodes: Mapping[tuple[str, str], str] | None = None,
    shared_contacts: Collection[tuple[str, str]] = (),
) -> str:
    """The ``.subckt`` of ``cell`` from a sky130 CDL netlist, as ngspice lines for the PDK's
    device subcircuits (sizes in µm, to be used with ``.option scale=1e-6``).

    CDL ``M`` lines (``MMN0 Y A VGND VNB nfet_01v8 m=4 w=0.65 l=0.15 mult=1 sa=0.265 sb=0.265
    sd=0.28 ...``) become ``X`` instances of ``sky130_fd_pr__nfet_01v8`` keeping ``m``, ``w``,
    ``l`` and the stress parameters ``sa``/``sb``/``sd``, plus junction areas and perimeters of
    source and drain, which layout extraction would give and the CDL lacks (they matter for
    small loads): a diffusion ``sa`` (``sb``) long beside the gate. A perimeter is BSIM4's
    (``permod = 1``): the gate edge, which the model subtracts and counts with the gate-edge
    sidewall capacitance, plus the diffusion's field edges; a diffusion between two gates has
    field edges only at its two ends, shared by the gates (counting its gate edges as field
    sidewall too added 0.037 fF per µm of NMOS width, 0.092 fF per µm of PMOS width at zero
    bias, to every output or stack node between two gates). With ``shared_diffusion``,
    an internal node joining exactly two diffusions of one transistor type and no gate (the
    node between the transistors of a series stack) is taken as an uncontacted diffusion
    shared in the layout: each side gets half of the 0.28 µm gap as junction, and the stress
    distance reaches across the neighbour's gate to the far end of the strip. With
    ``split_fingers``, a device of ``m`` > 1 gates ``sd`` apart becomes ``m`` instances
    ``X<name>_f<k>`` along one diffusion strip: stress distances grow by the finger pitch
    (``sd + l``) from each end, and the diffusions between gates are shared (``sd / 2`` each);
    with an even ``m`` both ends of the strip are the source's (a stack node's at both ends).

    ``layout_fingers`` (the cell layout's gates, ``formats.gds_cell.Finger``) replace those
    estimates where the layout has them: a device of ``m`` fingers takes ``m`` layout gates of
    its type, gate net and pair of diffusion nets, with their stress distances (through every
    gate on the same diffusion strip: in the layout, transistors of different devices often
    share one strip) and their shares of the diffusion beside them (area and field edges) as
    junctions. A device the
    layout cannot supply (too few such gates) keeps the estimates. ``terminal_nodes`` maps
    ``(net, piece key)`` of a layout gate's diffusion and poly pieces (``Finger.left_node``,
    ``right_node``, ``gate_node``) to the node its terminal connects to, where the net's wiring
    resistance is modelled (``parasitics.resistor_lines``); others connect to the net.

    ``shared_contacts``: the ``(net, piece key)`` of the contacted source/drain pieces whose
    contact resistance is drawn once per piece instead of once per device terminal. The
    models' lump (``nrs``/``nrd`` above) stands for one device's row of contacts; where the
    layout puts two gates beside one contacted piece (the fingers of an x2-x8 device, or two
    devices sharing a drain) their currents share that row. Each such piece becomes a node
    ``<net>__c<key>`` joined to its wiring node by one resistor ``Rcontact<k>`` of the lump
    for the widest gate beside it; the fingers on it get ``nrs``/``nrd`` = 0 there, except a
    narrower gate, which keeps the rest of its own lump (its narrower diffusion and fewer
    contacts) as squares of its terminal, so that a lone narrow device sees what it did.

    Source/drain resistance: the PDK device subcircuits default every terminal to
    ``nrs = nrd = 0.14/w`` squares of a sheet resistance (``rsh``) fitted on contacted devices,
    (89.1/w + 443.5) Ω/sq for ``nfet_01v8``, (361/w + 1489) Ω/sq for ``pfet_01v8_hvt``: about
    125 Ω for an NMOS 0.65 µm wide, 260 Ω for a PMOS 1 µm wide. That lumps the licon contact
    resistance with the diffusion's. With ``stack_node_resistance=False`` (the default) a
    shared stack node (above) not in ``contacted_nets`` (the caller's layout nets with licon/li1
    on them) gets ``nrs``/``nrd`` = 0: no contact, and its 0.28 µm of diffusion between the gates
    (≈ 120 Ω/sq × 0.14/w per side, ~25 Ω) is neglected. Other terminals keep the PDK's
    convention, except on the ``shared_contacts`` pieces (below).
    """
    subckt = find_subckt(text, cell, file=file)
    body = subckt.lines
    ports = set(subckt.ports)
    devices = []
    for line in body:
        fields = line.split()
        if fields and fields[0].upper().startswith("M"):
            if len(fields) < 6:
                raise ParseError(f"short transistor line {line!r}", file=file)
            for field in fields[6:]:
                key, _, value = field.partition("=")
                if key in _NUMERIC and not _is_number(value):
                    raise ParseError(f"{key}={value!r} is not a number in {line!r}", file=file)
            devices.append(fields)
    shared = _stack_nodes(devices, ports) if shared_diffusion else set()
    from_layout: dict[tuple[bool, str, frozenset[str]], list[Finger]] = {}
    for gate in layout_fingers:
        gate_key = (gate.p_type, gate.gate, frozenset((gate.left, gate.right)))
        from_layout.setdefault(gate_key, []).append(gate)
    terminal_nodes = terminal_nodes or {}
    contacts: dict[str, tuple[str, float]] = {}  # piece node -> (wiring node, lump ohms)
    # (line index, "nrd"/"nrs", piece node, the terminal's own lump ohms, model, width)
    on_contacts: list[tuple[int, str, str, float, str, float]] = []
    lines = []
    for line in body:
        fields = line.split()
        if not fields or line.startswith("*"):
            continue
        if not fields[0].upper().startswith("M"):
            lines.append(line)
            continue
        parameters = dict(field.split("=", 1) for field in fields[6:] if "=" in field)
        width = float(parameters.get("w", "0"))
        length = float(parameters.get("l", "0.15"))
        kept = {key: value for key, value in parameters.items() if key not in _DROPPED}
        for terminal, squares in ((3, "nrs"), (1, "nrd")):
            net = fields[terminal]
            if net in shared and not stack_node_resistance and net not in contacted_nets:
                kept[squares] = "0"
        multiplier = int(float(parameters.get("m", "1")))
        finger_space = float(parameters.get("sd", "0"))
        name = f"X{fields[0][1:]}"
        fingers = multiplier
        if not split_fingers or fingers < 2 or finger_space <= 0:
            fingers = 1
        else:
            kept["m"] = "1"
        # The strip's two ends: the source's diffusion on the left (``sa``), on the right
        # (``sb``) the drain's after an odd number of gates, the source's after an even one.
        # An end on a shared stack node is half the gap to the neighbour's gate, and its stress
        # distance reaches across that gate.
        right_net = fields[1] if fingers % 2 else fields[3]
        # (junction length, stress distance, between two gates), left then right
        ends: list[tuple[float, float, bool]] = []
        stressed = fingers > 1  # a lone device without sa/sb keeps the models' default
        for net, side in ((fields[3], "sa"), (right_net, "sb")):
            distance = float(parameters.get(side, "0.265"))
            stressed = stressed or side in parameters or net in shared
            if net in shared:
                ends.append((GATE_SPACE_UM / 2, GATE_SPACE_UM + length + distance, True))
            else:
                ends.append((distance, distance, False))
        pitch = finger_space + length
        layout = None
        if fingers == multiplier:  # one instance per layout gate (not m gates in one)
            layout = _take_gates(from_layout, "pfet" in fields[5], fields, fingers)
        for index in range(fingers):
            finger = dict(kept)
            terminals = " ".join(fields[1:5])
            if layout is not None:
                gate = layout[index]
                source_left = gate.left == fields[3] or gate.right == fields[1]
                source_junction, drain_junction = (
                    (gate.left_junction_um, gate.right_junction_um)
                    if source_left
                    else (gate.right_junction_um, gate.left_junction_um)
                )
                source_field, drain_field = (
                    (gate.left_field_um, gate.right_field_um)
                    if source_left
                    else (gate.right_field_um, gate.left_field_um)
                )
                source_node, drain_node = (
                    (gate.left_node, gate.right_node)
                    if source_left
                    else (gate.right_node, gate.left_node)
                )
                pieces = (drain_node, gate.gate_node, source_node)
                nodes = [
                    terminal_nodes.get((net, piece), net)
                    for net, piece in zip(fields[1:4], pieces, strict=True)
                ]
                lump = _contact_ohms(fields[5], width)
                for position, squares in ((0, "nrd"), (2, "nrs")):
                    net, piece = fields[1 + position], pieces[position]
                    if lump is None or (net, piece) not in shared_contacts:
                        continue
                    node = f"{net}__c{piece}"
                    # the widest gate's lump: the contact row spans the piece's widest side
                    wiring, before = contacts.get(node, (nodes[position], lump))
                    contacts[node] = (wiring, min(before, lump))
                    nodes[position] = node
                    finger[squares] = "0"
                    on_contacts.append((len(lines), squares, node, lump, fields[5], width))
                terminals = " ".join([*nodes, fields[4]])
                finger["sa"] = f"{gate.sa_um:.6g}"
                finger["sb"] = f"{gate.sb_um:.6g}"
            else:
                (source_junction, source_between), (drain_junction, drain_between) = (
                    _finger_junctions(index, fingers, ends[0], ends[1], finger_space)
                )
                # a piece between two gates has field edges only at its two ends
                source_field = 2 * source_junction + (0 if source_between else width)
                drain_field = 2 * drain_junction + (0 if drain_between else width)
            for area, perimeter, junction, field_edges in (
                ("as", "ps", source_junction, source_field),
                ("ad", "pd", drain_junction, drain_field),
            ):
                finger[area] = f"{width * junction:.6g}"
                # BSIM4 (permod = 1) takes the gate edge as part of the perimeter and
                # subtracts it; the rest is the piece's field edges, shared by its gates
                around = 2 * (width + junction) if field_edges is None else width + field_edges
                finger[perimeter] = f"{around:.6g}"
            if stressed and layout is None:
                finger["sa"] = f"{ends[0][1] + index * pitch:.6g}"
                finger["sb"] = f"{ends[1][1] + (fingers - 1 - index) * pitch:.6g}"
            text_parameters = " ".join(f"{key}={value}" for key, value in finger.items())
            instance = name if fingers == 1 else f"{name}_f{index}"
            lines.append(f"{instance} {terminals} {_DEVICE_PREFIX}{fields[5]} {text_parameters}")
    for at, squares, node, lump, model, width in on_contacts:  # a narrower gate's own rest
        rest = lump - contacts[node][1]
        if rest > 0:
            fields = lines[at].split()
            fields[fields.index(f"{squares}=0")] = (
                f"{squares}={rest / _sheet_ohms(model, width):.6g}"
            )
            lines[at] = " ".join(fields)
    end_line = next(
        (at for at in range(len(lines) - 1, -1, -1) if lines[at].upper().startswith(".ENDS")),
        len(lines),
    )
    lines[end_line:end_line] = [
        f"Rcontact{index} {node} {wiring} {ohms:.4g}"
        for index, (node, (wiring, ohms)) in enumerate(sorted(contacts.items()))
    ]
    return "\n".join(lines) + "\n"


# The models' source/drain sheet resistance rsh = a / w + b (Ω/sq, w in µm), times their
# default nrs = nrd = 0.14 / w squares (models_fet.spice of the continuous models).
CONTACT_SHEET = {"nfet_01v8": (89.1, 443.5), "pfet_01v8_hvt": (361.0, 1489.0)}


def _contact_ohms(model: str, width_um: float) -> float | None:
    """The models' lumped source/drain resistance of one terminal of a ``model`` device
    ``width_um`` wide (None: a device type without a known lump)."""
    if model not in CONTACT_SHEET or width_um <= 0:
        return None
    return 0.14 / width_um * _sheet_ohms(model, width_um)


def _sheet_ohms(model: str, width_um: float) -> float:
    """The models' source/drain sheet resistance (Ω/sq) of a ``model`` device ``width_um`` wide."""
    a, b = CONTACT_SHEET[model]
    return a / width_um + b


_NUMERIC = ("w", "l", "m", "sa", "sb", "sd")  # the parameters we compute with


def _take_gates(
    from_layout: dict[tuple[bool, str, frozenset[str]], list[Finger]],
    p_type: bool,
    fields: list[str],
    count: int,
) -> list[Finger] | None:
    """``count`` layout gates for the CDL device ``fields`` (drain, gate, source at 1-3),
    removed from ``from_layout``: those with its gate and both diffusion nets, else (a
    schematic net the layout comparer could not pair, which the layout may even split in two)
    those with one of its diffusion nets and an unpaired one (``""``). None: not enough."""
    drain, gate, source = fields[1:4]
    for nets in ((drain, source), (drain, ""), ("", source)):
        key = (p_type, gate, frozenset(nets))
        pool = from_layout.get(key, [])
        if len(pool) >= count:
            from_layout[key] = pool[count:]
            return pool[:count]
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _finger_junctions(
    index: int,
    fingers: int,
    left_end: tuple[float, float, bool],
    right_end: tuple[float, float, bool],
    finger_space: float,
) -> tuple[tuple[float, bool], tuple[float, bool]]:
    """Junction lengths (µm beside the gate) of the source and drain of finger ``index`` of a
    device laid out as ``fingers`` gates in one diffusion strip, the source on the left, each
    with whether that diffusion lies between two gates: the regions between gates
    (``finger_space`` wide) alternate source/drain and are shared by the two fingers beside
    them; the strip's two ends are ``left_end`` (before the first gate) and ``right_end``
    (after the last), each (length, stress distance, between gates). One finger: its own
    ends."""
    if fingers == 1:
        return (left_end[0], left_end[2]), (right_end[0], right_end[2])
    left, right = index, index + 1  # diffusion regions 0 .. fingers

    def length(region: int) -> tuple[float, bool]:
        if region == 0:
            return left_end[0], left_end[2]
        if region == fingers:
            return right_end[0], right_end[2]
        return finger_space / 2, True

    source, drain = (left, right) if index % 2 == 0 else (right, left)
    return length(source), length(drain)


def _stack_nodes(devices: list[list[str]], ports: set[str]) -> set[str]:
    """Internal nodes joining exactly two same-type diffusions and no gate."""
    diffusions: dict[str, list[str]] = {}
    gates: set[str] = set()
    for fields in devices:
        kind = "p" if "pfet" in fields[5] else "n"
        gates.add(fields[2])
        for node in (fields[1], fields[3]):
            diffusions.setdefault(node, []).append(kind)
    return {
        node
        for node, kinds in diffusions.items()
        if node not in ports and node not in gates and len(kinds) == 2 and kinds[0] == kinds[1]
    }
