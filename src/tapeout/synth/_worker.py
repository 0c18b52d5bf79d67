"""Runs inside the Yosys subprocess: executes a job's steps with pyosys.

``python -m tapeout.synth._worker job.json``. A Yosys error ends this process (exit 1, the message
on stderr), which is why the driver never imports pyosys itself. Messages for the driver are lines
``TAPEOUT-<KIND>: <json>`` on stderr.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_INDEX = re.compile(r"\[\d+\]$")


def _say(kind: str, payload: Any) -> None:
    sys.stdout.flush()
    print(f"TAPEOUT-{kind}: {json.dumps(payload)}", file=sys.stderr, flush=True)


def _modules(design: Any) -> list[str]:
    names = []
    for name, module in design.modules_.items():
        if module.get_blackbox_attribute():
            continue
        text = name.str().removeprefix("$abstract")
        names.append(text[1:] if text.startswith("\\") else text)
    return sorted(names)


def check_top(design: Any, top: str) -> None:
    """Exit with the list of modules when ``top`` is not among them (before ``hierarchy``)."""
    modules = _modules(design)
    if top not in modules:
        _say("UNKNOWN-TOP", {"top": top, "modules": modules})
        sys.exit(2)


def _wire_prefix(name: str) -> str | None:
    """Instance path in a flattened public wire name: ``u_alu.sum[3]`` -> ``u_alu``."""
    if not name.startswith("\\"):
        return None
    head, separator, _ = _INDEX.sub("", name[1:]).rpartition(".")
    return head if separator else ""


def rename_cells(module: Any) -> int:
    """Give auto-named cells public names carrying their instance path: ``u_alu._12_``.

    A cell takes the path of the public nets it drives, else of the public nets it reads, else
    of its neighbours' (two rounds through internal nets). Returns the number renamed.
    """
    from pyosys import libyosys as ys

    auto_cells = [cell for name, cell in module.cells_.items() if not name.isPublic()]
    cell_wires: list[list[tuple[str, bool]]] = []
    wire_cells: dict[str, list[int]] = {}
    for index, cell in enumerate(auto_cells):
        wires = []
        for port, signal in cell.connections().items():
            is_output = bool(cell.output(port))
            for bit in signal.to_sigbit_vector():
                if bit.wire is not None:
                    wire_name = bit.wire.name.str()
                    wires.append((wire_name, is_output))
                    wire_cells.setdefault(wire_name, []).append(index)
        cell_wires.append(wires)
    prefixes: list[str | None] = [None] * len(auto_cells)
    for index, wires in enumerate(cell_wires):
        votes: Counter[str] = Counter()
        for wire_name, is_output in wires:
            prefix = _wire_prefix(wire_name)
            if prefix is not None:
                votes[prefix] += 2 if is_output else 1
        if votes:
            prefixes[index] = votes.most_common(1)[0][0]
    for _ in range(2):
        updates = {}
        for index, wires in enumerate(cell_wires):
            if prefixes[index] is not None:
                continue
            votes = Counter()
            for wire_name, _is_output in wires:
                for neighbour in wire_cells.get(wire_name, ()):
                    prefix = prefixes[neighbour]
                    if prefix is not None:
                        votes[prefix] += 1
            if votes:
                updates[index] = votes.most_common(1)[0][0]
        for index, prefix in updates.items():
            prefixes[index] = prefix
    taken = {name.str() for name in module.cells_.keys()}  # noqa: SIM118 (pyosys dict)
    serial = 0
    for cell, prefix in zip(auto_cells, prefixes, strict=True):
        while True:
            serial += 1
            new_name = f"\\{prefix}._{serial}_" if prefix else f"\\_{serial}_"
            if new_name not in taken:
                break
        taken.add(new_name)
        module.rename(cell, ys.IdString(new_name))
    return len(auto_cells)


def map_clock_gates(design: Any, gate: list[str]) -> int:
    """Replace ``clock & latch(D, open while clock low)`` by the library clock gate ``gate``.

    ``gate``: [cell, clock pin, enable pin, gated-clock pin]. Runs on word-level RTLIL after
    ``opt`` (one-bit ``$dlatch`` with EN_POLARITY 0, one-bit ``$and``); the latch goes away with
    the next clean-up when nothing else reads it. Returns the number of gates made.
    """
    from pyosys import libyosys as ys

    def name(text: str) -> Any:
        return ys.IdString(text)

    cell_type, clock_pin, enable_pin, output_pin = gate
    made = 0
    for module in user_modules(design):
        latches: dict[str, tuple[str, Any]] = {}
        for cell in list(module.cells_.values()):
            if (
                cell.type.str() == "$dlatch"
                and cell.getParam(name("\\WIDTH")).as_int() == 1
                and cell.getParam(name("\\EN_POLARITY")).as_int() == 0
            ):
                enable = ys.log_signal(cell.getPort(name("\\EN")))
                latches[ys.log_signal(cell.getPort(name("\\Q")))] = (
                    enable,
                    cell.getPort(name("\\D")),
                )
        if not latches:
            continue
        for cell in list(module.cells_.values()):
            if cell.type.str() != "$and" or cell.getParam(name("\\Y_WIDTH")).as_int() != 1:
                continue
            a_port, b_port = cell.getPort(name("\\A")), cell.getPort(name("\\B"))
            a_text, b_text = ys.log_signal(a_port), ys.log_signal(b_port)
            for clock, latched in ((a_port, b_text), (b_port, a_text)):
                clock_text = ys.log_signal(clock)
                if latched in latches and latches[latched][0] == clock_text:
                    made += 1
                    new = module.addCell(name(f"$clock_gate${made}"), name("\\" + cell_type))
                    new.setPort(name("\\" + clock_pin), clock)
                    new.setPort(name("\\" + enable_pin), latches[latched][1])
                    new.setPort(name("\\" + output_pin), cell.getPort(name("\\Y")))
                    module.remove(cell)
                    break
    return made


def drop_simulation_statements(design: Any, commands: list[str]) -> list[list[str]]:
    """Run ``commands`` (which remove the simulation-only cells); return what they removed.

    Each entry is [kind, source]: kind "display" for a ``$print`` cell, else the assertion's
    flavor (assert, assume, cover, live, fair); source is the cell's ``src`` attribute.
    """
    from pyosys import libyosys as ys

    flavor = ys.IdString("\\FLAVOR")
    found = []
    for cell in user_cells(design):
        cell_type = cell.type.str()
        if cell_type == "$print":
            kind = "display"
        elif cell_type == "$check":
            kind = cell.getParam(flavor).decode_string()
        elif cell_type in ("$assert", "$assume", "$cover", "$live", "$fair"):
            kind = cell_type[1:]
        else:
            continue
        found.append([kind, cell.get_src_attribute()])
    for command in commands:
        ys.run_pass(command)
    return sorted(found)


def check_tristates(design: Any) -> None:
    """Exit naming the tri-state buffers left (``tribuf -logic`` keeps those driving ports):
    [what Yosys prints for the output signal (``\\pad``, ``$ternary$...``), src] each."""
    from pyosys import libyosys as ys

    output = ys.IdString("\\Y")
    found = [
        [ys.log_signal(cell.getPort(output)), cell.get_src_attribute()]
        for cell in user_cells(design)
        if cell.type.str() in ("$tribuf", "$_TBUF_")
    ]
    if found:
        _say("TRISTATES", sorted(found))
        sys.exit(2)


def map_tristates(design: Any, cell_spec: list[str]) -> int:
    """Replace each ``$_TBUF_`` (A, E, Y: Y = E ? A : 'z) by the library tri-state buffer
    ``cell_spec`` = [cell, data pin, enable pin, "low"/"high", output pin], an inverter
    (``$_NOT_``, which ABC maps) before an active-low enable. Returns the number mapped."""
    from pyosys import libyosys as ys

    cell_type, data_pin, enable_pin, level, output_pin = cell_spec
    made = 0
    for module in user_modules(design):
        for cell in list(module.cells_.values()):
            if cell.type.str() != "$_TBUF_":
                continue
            made += 1
            enable = cell.getPort(ys.IdString("\\E"))
            if level == "low":
                inverted = module.addWire(ys.IdString(f"$tristate_enable${made}"))
                module.addNotGate(
                    ys.IdString(f"$tristate_enable_not${made}"),
                    enable.as_bit(),
                    ys.SigBit(inverted),
                )
                enable = ys.SigSpec(inverted)
            new = module.addCell(ys.IdString(f"$tristate${made}"), ys.IdString("\\" + cell_type))
            new.setPort(ys.IdString("\\" + data_pin), cell.getPort(ys.IdString("\\A")))
            new.setPort(ys.IdString("\\" + enable_pin), enable)
            new.setPort(ys.IdString("\\" + output_pin), cell.getPort(ys.IdString("\\Y")))
            module.remove(cell)
    return made


def expose_tristates(design: Any, top: str) -> int:
    """Make the tri-state buffers of ``top`` provable: each becomes an AND of data and enable
    (``$tribuf``/``$_TBUF_`` have no SAT model), and each driven bit's enable becomes an output
    port ``<bit name>$tristate_enable``. Matching both signals by name proves the same value
    whenever driven and the same high-impedance condition. Returns the bits exposed."""
    from pyosys import libyosys as ys

    module = design.module(ys.IdString("\\" + top))
    if module is None:
        return 0
    exposed = 0
    for cell in list(module.cells_.values()):
        cell_type = cell.type.str()
        if cell_type not in ("$tribuf", "$_TBUF_"):
            continue
        enable_port = "\\EN" if cell_type == "$tribuf" else "\\E"
        data = cell.getPort(ys.IdString("\\A"))
        enable = cell.getPort(ys.IdString(enable_port))
        output = cell.getPort(ys.IdString("\\Y"))
        for bit in output.to_sigbit_vector():
            if bit.wire is None:
                continue
            name = bit.wire.name.str()
            if bit.wire.width > 1:
                name += f"[{bit.offset + bit.wire.start_offset}]"
            wire = module.addWire(ys.IdString(name + "$tristate_enable"))
            wire.port_output = True
            module.connect(ys.SigSpec(wire), enable)
            exposed += 1
        module.remove(cell)
        width = output.size()
        module.addAnd(ys.IdString(f"$tristate_and${exposed}"), data, enable.repeat(width), output)
    module.fixup_ports()
    return exposed


def list_memories(design: Any) -> list[list[Any]]:
    """[name, words, bits per word, src] of each written memory (a ``$mem_v2`` cell with write
    ports), largest first. Read-only ones (ROMs, case tables) become logic, not flops."""
    from pyosys import libyosys as ys

    size, width, memid, writes = (
        ys.IdString(name) for name in ("\\SIZE", "\\WIDTH", "\\MEMID", "\\WR_PORTS")
    )
    found = []
    for cell in user_cells(design):
        if cell.type.str() == "$mem_v2" and cell.getParam(writes).as_int() > 0:
            name = cell.getParam(memid).decode_string().removeprefix("\\")
            words, bits = cell.getParam(size).as_int(), cell.getParam(width).as_int()
            found.append([name, words, bits, cell.get_src_attribute()])
    return sorted(found, key=lambda entry: (-entry[1] * entry[2], entry[0]))


def library_cell_areas(design: Any) -> dict[str, float]:
    """Area (µm², from Liberty) of each blackbox module, i.e. each library cell."""
    from pyosys import libyosys as ys

    area_id = ys.IdString("\\area")
    areas = {}
    for name, module in design.modules_.items():
        if module.get_blackbox_attribute():
            text = module.get_string_attribute(area_id) if module.has_attribute(area_id) else ""
            try:
                areas[name.str().removeprefix("\\")] = float(text)
            except ValueError:
                areas[name.str().removeprefix("\\")] = 0.0
    return areas


def cell_type_counts(design: Any, top: str) -> dict[str, int]:
    """Number of cells of each type under the top module, submodules expanded (leaf cells)."""
    from pyosys import libyosys as ys

    memo: dict[str, Counter[str]] = {}

    def count(module_name: str, depth: int) -> Counter[str]:
        if module_name in memo:
            return memo[module_name]
        module = design.module(ys.IdString(module_name))
        counts: Counter[str] = Counter()
        if module is not None and depth < 64:
            for cell in module.cells_.values():
                cell_type = cell.type.str()
                child = design.module(cell.type)
                if child is not None and not child.get_blackbox_attribute():
                    counts.update(count(cell_type, depth + 1))
                else:
                    counts[cell_type.removeprefix("\\")] += 1
        memo[module_name] = counts
        return counts

    return dict(count("\\" + top, 0))


def user_modules(design: Any) -> list[Any]:
    """The non-blackbox modules of the design (``$paramod...`` specializations included)."""
    return [module for module in design.modules_.values() if not module.get_blackbox_attribute()]


def user_cells(design: Any) -> list[Any]:
    """Every cell of the non-blackbox modules."""
    return [cell for module in user_modules(design) for cell in module.cells_.values()]


def run_job(job: dict[str, Any]) -> None:
    """Execute the steps of ``job`` in order; see ``tapeout.synth.runner`` for their kinds."""
    from pyosys import libyosys as ys

    design = ys.yosys_get_design()
    for step in job["steps"]:
        kind = step["kind"]
        if kind == "commands":
            for command in step["commands"]:
                ys.run_pass(command)
        elif kind == "check_top":
            check_top(design, step["top"])
        elif kind == "map_clock_gates":
            _say("CLOCK-GATES", map_clock_gates(design, step["gate"]))
        elif kind == "check_tristates":
            check_tristates(design)
        elif kind == "expose_tristates":
            _say("TRISTATES-EXPOSED", expose_tristates(design, step["top"]))
        elif kind == "map_tristates":
            _say("TRISTATES-MAPPED", map_tristates(design, step["cell"]))
        elif kind == "list_memories":
            _say("MEMORIES", list_memories(design))
        elif kind == "drop_simulation":
            _say("SIMULATION-ONLY", drop_simulation_statements(design, step["commands"]))
        elif kind == "rename":
            renamed = sum(rename_cells(module) for module in user_modules(design))
            _say("RENAMED", renamed)
        elif kind == "record_types":
            _say(
                "TYPES",
                {
                    "key": step["key"],
                    "library": library_cell_areas(design),
                    "counts": cell_type_counts(design, step["top"]),
                },
            )
        else:
            raise ValueError(f"unknown step kind {kind!r}")
    _say("DONE", True)


def main(argv: list[str]) -> None:
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    run_job(job)
    sys.stdout.flush()
    sys.stderr.flush()
    # pyosys 0.70 can crash while the interpreter tears down its objects: leave without it.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
