"""Writing a flat ``Netlist`` as one structural Verilog module (read by us, Yosys and OpenSTA).

Bit names ``a[0]`` ... ``a[7]`` become ``[7:0] a`` buses where the bits are contiguous and in
order; other names that are not plain identifiers are escaped (``\\u_core/n5 ``). Constant nets
are written as ``1'b0``/``1'b1``; a port whose net has another name gets an ``assign``. Output
is deterministic, and reading it back gives the same netlist when it came from ``read_verilog``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tapeout import __version__
from tapeout.db.netlist import CONST0, CONST1, Netlist, PortDirection
from tapeout.errors import DesignError
from tapeout.fileio import atomic_write
from tapeout.formats.verilog_syntax import KEYWORDS

_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")
_ALL_SIMPLE = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_$]*\n)*")
_BIT = re.compile(r"(.+)\[(\d+)\]\Z", re.S)
_DIRECTION_WORD = {
    PortDirection.INPUT: "input",
    PortDirection.OUTPUT: "output",
    PortDirection.INOUT: "inout",
    PortDirection.FEEDTHRU: "inout",
}
_WIRE_LINE_CHARS = 90


def write_verilog(path: str | Path, netlist: Netlist) -> None:
    """Write ``netlist`` to ``path`` (atomically; ``.gz`` compresses)."""
    text = format_verilog(netlist)
    with atomic_write(path) as handle:
        handle.write(text)


def format_verilog(netlist: Netlist) -> str:
    """The Verilog text of ``netlist`` (one flat module)."""
    writer = _Writer(netlist)
    return writer.text()


def identifier(name: str) -> str:
    """``name`` as a Verilog identifier: as is when plain, else escaped (with a trailing space)."""
    if _SIMPLE.match(name) and name not in KEYWORDS:
        return name
    if not name or any(c.isspace() for c in name) or not name.isprintable():
        raise DesignError(
            f"name {name!r} cannot be written in Verilog", hint="rename it without whitespace"
        )
    return f"\\{name} "


def _identifiers(names: list[str]) -> list[str]:
    if _ALL_SIMPLE.fullmatch(
        "\n".join(names) + "\n" if names else ""
    ) and not KEYWORDS.intersection(names):
        return names
    return [identifier(name) for name in names]


def _bits(names: list[str]) -> list[tuple[str, int] | None]:
    """``(base, index)`` for names like ``a[3]``, else None."""
    result: list[tuple[str, int] | None] = [None] * len(names)
    for i, name in enumerate(names):
        if name.endswith("]"):
            match = _BIT.match(name)
            if match and (match.group(2) == "0" or not match.group(2).startswith("0")):
                result[i] = (match.group(1), int(match.group(2)))
    return result


def _runs(bits: list[tuple[str, int] | None]) -> dict[str, tuple[int, int, int, int]]:
    """Bases whose bits form one ascending contiguous run: base -> (first pos, count, lo, hi).

    Bases with several runs get ``count == -1`` (not groupable).
    """
    runs: dict[str, tuple[int, int, int, int]] = {}
    previous: tuple[str, int] | None = None
    for position, bit in enumerate(bits):
        if bit is None:
            previous = None
            continue
        base, index = bit
        if previous is not None and previous[0] == base and previous[1] + 1 == index:
            first, count, low, _ = runs[base]
            if count >= 0:
                runs[base] = (first, count + 1, low, index)
        elif base in runs:
            runs[base] = (0, -1, 0, 0)
        else:
            runs[base] = (position, 1, index, index)
        previous = bit
    return runs


class _Writer:
    def __init__(self, netlist: Netlist) -> None:
        self.netlist = netlist
        self.lines: list[str] = []

    def text(self) -> str:
        netlist = self.netlist
        port_names = netlist.port_names.names
        net_names = netlist.net_names.names
        port_pins = np.flatnonzero(netlist.pin_inst < 0)
        port_net = np.full(netlist.n_ports, -1, dtype=np.int64)
        port_net[netlist.pin_term[port_pins]] = netlist.pin_net[port_pins]
        port_direction = [PortDirection(int(d)) for d in netlist.port_direction]

        # Ports: group bus bits that are contiguous, in order and of one direction.
        port_bits = _bits(port_names)
        port_runs = _runs(port_bits)
        port_set = set(port_names)
        net_set = netlist.net_names
        bus_ports: dict[str, tuple[int, int, int, int]] = {}
        for base, run in port_runs.items():
            first, count, _, _ = run
            if (
                count > 0
                and base not in port_set
                and len({port_direction[i] for i in range(first, first + count)}) == 1
                and (base not in net_set or base in port_set)
            ):
                bus_ports[base] = run
        port_ref: list[str] = []
        header: list[str] = []
        declarations: list[str] = []
        for p, name in enumerate(port_names):
            bit = port_bits[p]
            if bit is not None and bit[0] in bus_ports:
                base, index = bit
                first, count, low, high = bus_ports[base]
                port_ref.append(f"{identifier(base)}[{index}]")
                if p == first:
                    header.append(identifier(base))
                    word = _DIRECTION_WORD[port_direction[p]]
                    declarations.append(f"  {word} [{high}:{low}] {identifier(base)};\n")
            else:
                port_ref.append(identifier(name))
                header.append(port_ref[-1])
                declarations.append(f"  {_DIRECTION_WORD[port_direction[p]]} {port_ref[-1]};\n")

        # Nets: port nets keep the port's text; constants are literals; others are wires.
        net_ref: list[str | None] = [None] * len(net_names)
        for value_name in (CONST0, CONST1):
            net = netlist.net_names.get(value_name)
            if net >= 0:
                net_ref[net] = value_name
        for p, name in enumerate(port_names):
            net = netlist.net_names.get(name)
            if net >= 0 and net_ref[net] is None:
                if port_net[p] != net and port_net[p] >= 0 and net not in port_net:
                    raise DesignError(
                        f"net {name} has the name of port {name} but is not connected to it",
                        hint="rename the net",
                    )
                net_ref[net] = port_ref[p]
        wire_positions = [i for i, ref in enumerate(net_ref) if ref is None]
        wire_names = (
            net_names
            if len(wire_positions) == len(net_names)
            else [net_names[i] for i in wire_positions]
        )
        wire_bits = _bits(wire_names)
        wire_runs = _runs(wire_bits)
        wire_set = set(wire_names)
        bus_wires = {
            base: run
            for base, run in wire_runs.items()
            if run[1] > 0
            and _SIMPLE.match(base) is not None  # escaped bases stay scalars (reader's fast path)
            and base not in KEYWORDS
            and base not in wire_set
            and base not in port_set
            and base not in bus_ports
        }
        refs = _identifiers(wire_names)
        pending: list[str] = []
        width = 0
        for k, position in enumerate(wire_positions):
            bit = wire_bits[k]
            if bit is not None and bit[0] in bus_wires:
                base, index = bit
                first, _, low, high = bus_wires[base]
                net_ref[position] = f"{identifier(base)}[{index}]"
                if k == first:
                    self._flush_wires(declarations, pending)
                    declarations.append(f"  wire [{high}:{low}] {identifier(base)};\n")
                continue
            ref = refs[k]
            net_ref[position] = ref
            if ref[0] == "\\":
                self._flush_wires(declarations, pending)
                declarations.append(f"  wire {ref};\n")
            else:
                pending.append(ref)
                width = width + len(ref) + 2 if len(pending) > 1 else len(ref)
                if width > _WIRE_LINE_CHARS:
                    self._flush_wires(declarations, pending)
        self._flush_wires(declarations, pending)

        out = [
            f"// Written by tapeout {__version__}\n",
            f"module {identifier(netlist.top)} ({', '.join(header)});\n",
        ]
        out.extend(declarations)
        out.extend(self._instances([ref or "" for ref in net_ref]))
        for p in range(netlist.n_ports):
            net = int(port_net[p])
            if net < 0 or net_ref[net] == port_ref[p]:
                continue
            net_text = net_ref[net]
            is_port_net = net_names[net] in port_set
            if (
                port_direction[p] == PortDirection.INPUT
                and not is_port_net
                and net_text
                not in (
                    CONST0,
                    CONST1,
                )
            ):
                out.append(f"  assign {net_text} = {port_ref[p]};\n")
            else:
                out.append(f"  assign {port_ref[p]} = {net_text};\n")
        out.append("endmodule\n")
        return "".join(out)

    @staticmethod
    def _flush_wires(declarations: list[str], pending: list[str]) -> None:
        if pending:
            declarations.append(f"  wire {', '.join(pending)};\n")
            pending.clear()

    def _instances(self, net_ref: list[str]) -> list[str]:
        netlist = self.netlist
        if netlist.n_insts == 0:
            return []
        indptr, pins = netlist.inst_pin_csr()
        term_names = netlist.terms.names
        grouped_terms = np.array([n.endswith("]") for n in term_names] + [False], dtype=bool)
        term_ref = [identifier(t) for t in term_names]
        pin_terms = netlist.pin_term[pins]
        pin_nets = netlist.pin_net[pins]
        texts = [
            f".{t}({n})"
            for t, n in zip(
                map(term_ref.__getitem__, pin_terms.tolist()),
                map(net_ref.__getitem__, pin_nets.tolist()),
                strict=True,
            )
        ]
        special = set()
        if grouped_terms.any():
            owner = netlist.pin_inst[pins]
            special = set(np.unique(owner[grouped_terms[pin_terms]]).tolist())
        master_ref = [identifier(m) for m in netlist.masters.names]
        inst_ref = _identifiers(netlist.inst_names.names)
        masters = list(map(master_ref.__getitem__, netlist.inst_master.tolist()))
        bounds = indptr.tolist()
        lines = []
        for i, (master, name) in enumerate(zip(masters, inst_ref, strict=True)):
            start, stop = bounds[i], bounds[i + 1]
            if i in special:
                body = self._grouped_pins(
                    pin_terms[start:stop].tolist(),
                    pin_nets[start:stop].tolist(),
                    net_ref,
                    texts[start:stop],
                )
            else:
                body = ", ".join(texts[start:stop])
            lines.append(f"  {master} {name} ({body});\n")
        return lines

    def _grouped_pins(
        self, terms: list[int], nets: list[int], net_ref: list[str], texts: list[str]
    ) -> str:
        """Pins of one instance with ``D[3]``-style terms joined into ``.D({...})`` when whole."""
        names = [self.netlist.terms.names[t] for t in terms]
        bits = _bits(names)
        counts: dict[str, int] = {}
        for bit in bits:
            if bit is not None:
                counts[bit[0]] = counts.get(bit[0], 0) + 1
        plain = set(names)
        parts: list[str] = []
        k = 0
        while k < len(terms):
            bit = bits[k]
            if (
                bit is not None
                and _SIMPLE.match(bit[0])
                and bit[0] not in plain
                and bit[0] not in KEYWORDS
            ):
                base, index = bit
                size = counts[base]
                run = bits[k : k + size]
                if (
                    size > 1
                    and index == size - 1
                    and all(
                        b is not None and b[0] == base and b[1] == size - 1 - j
                        for j, b in enumerate(run)
                    )
                ):
                    members = ", ".join(net_ref[n] for n in nets[k : k + size])
                    parts.append(f".{base}({{{members}}})")
                    k += size
                    continue
            parts.append(texts[k])
            k += 1
        return ", ".join(parts)
