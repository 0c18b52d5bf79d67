"""Second pass over one Verilog module: nets, leaf instances (bulk), submodule instances, assigns.

The result, a ``ModuleTemplate``, uses module-local net numbers; ``verilog_read`` stamps it out
once per instantiation while flattening the hierarchy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tapeout.db.netlist import CONST0, CONST1, PortDirection
from tapeout.errors import ParseError
from tapeout.formats.verilog_scan import (
    ALL_CONNECTIONS,
    CONNECTION_NETS,
    CONNECTION_TERMS,
    CONNECTIONS,
    DIRECTIONS,
    PLAIN_CONNECTION_TERMS,
    SKIPPED_KINDS,
    ScannedModule,
    SlowStatement,
)
from tapeout.formats.verilog_syntax import (
    GATE_PRIMITIVES,
    KEYWORDS,
    Declaration,
    Tokens,
    number_bits,
)
from tapeout.log import Log

_DIRECTION = {"input": PortDirection.INPUT, "output": PortDirection.OUTPUT}
_HANDLED_WORDS = frozenset(
    """assign input output inout wire reg tri logic uwire wand wor tri0 tri1 supply0 supply1
    parameter localparam specparam""".split()  # noqa: SIM905
)
_BUS_SENTINEL = -3  # a whole multi-bit bus met in a fast connection: parse that statement slowly
_HIER_HINT = "ordered connections need the cell's module definition; use .PIN(net) connections"


@dataclass
class SubInstance:
    """An instance of a defined (hierarchical) module: ``connections[p]`` are local nets, msb first,
    for port ``p`` (``None`` when the port is left open)."""

    name: str
    module: str
    offset: int
    connections: list[list[int] | None]


@dataclass(eq=False)
class ModuleTemplate:
    """One module with local net numbers.

    Attributes:
        ports: port base names in header order; ``port_bits[p]`` their local nets msb first and
            ``port_bit_names[p]`` the bit names (``a[7]`` ... ``a[0]``, or ``a``).
        net_names: local net names (ports first, then declarations, then implicit nets).
        inst_names / inst_masters: leaf instances in statement order.
        pin_inst, pin_term, pin_net: int64 (n_pins,) leaf pins (local instance, index into
            ``terms``, local net), grouped by instance.
        assigns: int64 (k, 2) pairs of local nets joined by ``assign``.
        is_stub: True for a module with ports only (a cell definition: treated as a leaf).
    """

    name: str
    ports: list[str]
    port_direction: list[PortDirection]
    port_bits: list[list[int]]
    port_bit_names: list[list[str]]
    net_names: list[str]
    is_stub: bool
    inst_names: list[str] = field(default_factory=list)
    inst_masters: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    pin_inst: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pin_term: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pin_net: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_instances: list[SubInstance] = field(default_factory=list)
    assigns: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    const_nets: dict[str, int] = field(default_factory=dict)


class _LookupError(Exception):
    def __init__(self, key: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.hint = hint


class _NetLookup(dict[str, int]):
    """Net name (or its text in a connection) -> local net; creates implicit and constant nets."""

    def __init__(self, builder: _ModuleBuilder) -> None:
        super().__init__()
        self.builder = builder

    def __missing__(self, key: str) -> int:
        if key == "":
            return -1
        builder = self.builder
        if key[0] == "\\":
            name = key[1:]
            value = self[name] if name else -1
        elif key in (CONST0, CONST1):
            value = builder.new_net(key)
        elif key.endswith("]") and "[" in key:
            base, _, index = key[:-1].partition("[")
            if base in builder.buses:
                msb, lsb = builder.buses[base]
                raise _LookupError(key, f"bit {index} is outside {base}[{msb}:{lsb}]")
            if base in self:
                raise _LookupError(key, f"{base} is not a bus", "declare it with a range")
            raise _LookupError(key, f"undeclared bus {base}", "declare it: wire [msb:lsb] name;")
        elif key in builder.buses:
            value = _BUS_SENTINEL
        elif key in KEYWORDS:
            raise _LookupError(key, f"keyword {key!r} used as a net name")
        else:
            value = builder.new_net(key)
            builder.implicit += 1
        self[key] = value
        return value


ModuleInfo = Callable[[str], "ModuleTemplate | None"]


class _ModuleBuilder:
    """Builds the ``ModuleTemplate`` of one scanned module."""

    def __init__(self, scanned: ScannedModule, modules: ModuleInfo, log: Log) -> None:
        self.scanned = scanned
        self.module = scanned.text
        self.source = scanned.text.source
        self.modules = modules
        self.log = log
        self.net_names: list[str] = []
        self.nets = _NetLookup(self)
        self.buses: dict[str, tuple[int, int]] = {}
        self.implicit = 0
        self.terms: dict[str, int] = {}
        self.slow_insts: list[tuple[int, str, str, list[tuple[str, int]]]] = []
        self.sub_instances: list[tuple[int, SubInstance]] = []
        self.assigns: list[tuple[int, int]] = []
        self.instance_offsets: dict[str, int] = {}

    def new_net(self, name: str) -> int:
        index = len(self.net_names)
        self.net_names.append(name)
        dict.__setitem__(self.nets, name, index)
        return index

    def error(self, message: str, offset: int, hint: str | None = None) -> ParseError:
        return self.source.error(message, offset, hint)

    # ---- declarations -------------------------------------------------------------------
    def declare(self, declaration: Declaration) -> list[int]:
        """Create the nets of ``declaration`` (ascending bit index); local nets msb first."""
        name, msb, lsb = declaration.name, declaration.msb, declaration.lsb
        if msb is None or lsb is None:
            if name in self.buses:
                raise self.error(f"{name} was declared as a bus before", declaration.offset)
            existing = dict.get(self.nets, name)
            return [existing if existing is not None else self.new_net(name)]
        if name in self.buses:
            if self.buses[name] != (msb, lsb):
                old_msb, old_lsb = self.buses[name]
                raise self.error(
                    f"{name}[{msb}:{lsb}] does not match its earlier range [{old_msb}:{old_lsb}]",
                    declaration.offset,
                )
            return [self.nets[f"{name}[{i}]"] for i in _indices(msb, lsb)]
        if dict.get(self.nets, name) is not None:
            raise self.error(f"{name} was declared as a scalar before", declaration.offset)
        self.buses[name] = (msb, lsb)
        for index in range(min(msb, lsb), max(msb, lsb) + 1):
            bit = f"{name}[{index}]"
            if dict.get(self.nets, bit) is not None:
                raise self.error(
                    f"bit name {bit} is already used by another net", declaration.offset
                )
            self.new_net(bit)
        return [self.nets[f"{name}[{i}]"] for i in _indices(msb, lsb)]

    def declare_all(self) -> tuple[list[str], list[PortDirection], list[list[int]]]:
        """Ports first (header order), then other declarations in statement order."""
        module, scanned = self.module, self.scanned
        directions: dict[str, Declaration] = {}
        for declaration in module.ansi_declarations + scanned.declarations:
            if declaration.kind in DIRECTIONS:
                if declaration.name in directions:
                    raise self.error(
                        f"port {declaration.name} has two direction declarations",
                        declaration.offset,
                    )
                directions[declaration.name] = declaration
        header = {name for name, _ in module.header_ports}
        for name, declaration in directions.items():
            if name not in header:
                raise self.error(
                    f"{declaration.kind} {name} is not in the port list of module {module.name}",
                    declaration.offset,
                )
        ports: list[str] = []
        port_direction: list[PortDirection] = []
        port_bits: list[list[int]] = []
        for name, offset in module.header_ports:
            if name in ports:
                raise self.error(f"port {name} is listed twice", offset)
            port_declaration = directions.get(name)
            if port_declaration is None:
                raise self.error(
                    f"port {name} of module {module.name} has no direction",
                    offset,
                    f"add 'input {name};' or 'output {name};'",
                )
            ports.append(name)
            port_direction.append(_DIRECTION.get(port_declaration.kind, PortDirection.INOUT))
            port_bits.append(self.declare(port_declaration))
        others = [d for d in scanned.declarations if d.kind not in DIRECTIONS]
        wire_statement = scanned.wire_statement
        names = scanned.wire_names
        cursor = 0
        for item in [*others, None]:
            stop = (
                len(names) if item is None else int(np.searchsorted(wire_statement, item.statement))
            )
            if stop > cursor:
                self._declare_scalars(names[cursor:stop])
                cursor = stop
            if item is not None:
                self.declare(item)
        return ports, port_direction, port_bits

    def _declare_scalars(self, names: list[str]) -> None:
        nets = self.nets
        if not self.buses.keys().isdisjoint(names):
            bad = next(name for name in names if name in self.buses)
            raise self._lookup_error(_LookupError(bad, f"{bad} was declared as a bus before"))
        # Ports may be declared again as wires: those names are not new nets.
        fresh = names if nets.keys().isdisjoint(names) else [n for n in names if n not in nets]
        start = len(self.net_names)
        added = dict(zip(fresh, range(start, start + len(fresh)), strict=True))
        if len(added) != len(fresh):
            seen: set[str] = set()
            duplicate = next(n for n in fresh if n in seen or seen.add(n))  # type: ignore[func-returns-value]
            raise self._lookup_error(_LookupError(duplicate, f"wire {duplicate} declared twice"))
        self.net_names.extend(fresh)
        nets.update(added)

    # ---- expressions --------------------------------------------------------------------
    def expression(self, tokens: Tokens) -> tuple[list[int], bool]:
        """Local nets of an expression, msb first (-1 for x/z bits), and whether it is unsized."""
        kind, value, offset = tokens.next()
        if kind == "punct" and value == "{":
            if tokens.peek()[0] == "number" and tokens.peek(1)[1] == "{":
                count = tokens.integer()
                tokens.expect("{")
                inner = self._concatenation(tokens)
                tokens.expect("}")
                tokens.expect("}")
                return inner * count, False
            bits = self._concatenation(tokens)
            tokens.expect("}")
            return bits, False
        if kind == "number":
            try:
                literal, sized = number_bits(value)
            except (ValueError, IndexError) as error:
                raise self.error(f"bad number {value!r}: {error}", offset) from None
            return [self._constant(bit) for bit in literal], not sized
        if kind == "esc" or (kind == "id" and value not in KEYWORDS):
            return self._reference(value, offset, tokens), False
        raise self.error(f"expected an expression, found {value!r}", offset)

    def _concatenation(self, tokens: Tokens) -> list[int]:
        bits: list[int] = []
        while True:
            part, _ = self.expression(tokens)
            bits.extend(part)
            if tokens.at("}"):
                return bits
            tokens.expect(",", "separate concatenation parts with commas")

    def _constant(self, bit: int | None) -> int:
        if bit is None:
            return -1
        return self.nets[CONST1 if bit else CONST0]

    def _reference(self, name: str, offset: int, tokens: Tokens) -> list[int]:
        bus = self.buses.get(name)
        if not tokens.at("["):
            if bus is not None:
                return [dict.__getitem__(self.nets, f"{name}[{i}]") for i in _indices(*bus)]
            existing = dict.get(self.nets, name)
            if existing is None:
                self.implicit += 1
                existing = self.new_net(name)
            return [existing]
        tokens.next()
        first = tokens.integer()
        if tokens.at("+") or tokens.at("-"):
            raise tokens.error("indexed part-selects (+: / -:) are not supported")
        second = first
        if tokens.accept(":"):
            second = tokens.integer()
        tokens.expect("]")
        if bus is None:
            if dict.get(self.nets, name) is not None:
                raise self.error(f"{name} is not a bus", offset, "declare it with a range")
            raise self.error(f"undeclared bus {name}", offset, "declare it: wire [msb:lsb] name;")
        msb, lsb = bus
        low, high = min(msb, lsb), max(msb, lsb)
        for index in (first, second):
            if not low <= index <= high:
                raise self.error(f"bit {index} is outside {name}[{msb}:{lsb}]", offset)
        if first != second and (first > second) != (msb > lsb):
            raise self.error(
                f"part-select {name}[{first}:{second}] runs against its declaration [{msb}:{lsb}]",
                offset,
            )
        return [dict.__getitem__(self.nets, f"{name}[{i}]") for i in _indices(first, second)]

    # ---- statements ---------------------------------------------------------------------
    def statement(self, statement: SlowStatement) -> None:
        word = statement.first_word
        if word in KEYWORDS and word not in _HANDLED_WORDS and word not in GATE_PRIMITIVES:
            raise self.error(
                f"{word!r} is not allowed in a gate-level netlist",
                statement.start,
                "synthesize the design first (tapeout synth)",
            )
        tokens = Tokens(self.source, statement.start, statement.end)
        if not tokens.items:
            return
        if word == "assign":
            self._assign(tokens)
        elif word in SKIPPED_KINDS or word in DIRECTIONS:
            return
        elif word in GATE_PRIMITIVES:
            raise tokens.error(
                f"gate primitive {word!r} is not supported", "map the netlist to library cells"
            )
        elif word in KEYWORDS:
            if word in ("wire", "reg", "tri", "logic", "uwire", "wand", "wor", "tri0", "tri1"):
                return
            if word in ("supply0", "supply1"):
                return
            raise tokens.error(
                f"{word!r} is not allowed in a gate-level netlist",
                "synthesize the design first (tapeout synth)",
            )
        else:
            self._instance(tokens, statement.statement)

    def _assign(self, tokens: Tokens) -> None:
        tokens.next()
        if tokens.at("#"):
            raise tokens.error("delays on assign are not supported in a netlist")
        while True:
            offset = tokens.peek()[2]
            left, _ = self.expression(tokens)
            tokens.expect("=", "write assign lhs = rhs;")
            right_offset = tokens.peek()[2]
            right, unsized = self.expression(tokens)
            self.join(left, right, unsized, offset, right_offset, "assign")
            if tokens.done():
                return
            tokens.expect(",")

    def join(
        self,
        left: list[int],
        right: list[int],
        unsized: bool,
        offset: int,
        right_offset: int,
        what: str,
    ) -> None:
        """Record ``assign left = right`` bit by bit."""
        right = self._fit(right, len(left), unsized, right_offset, what)
        constants = (dict.get(self.nets, CONST0), dict.get(self.nets, CONST1))
        for a, b in zip(left, right, strict=True):
            if a < 0 or a in constants:
                raise self.error(f"the left side of an {what} must be nets", offset)
            if b < 0:
                self.log.warn("VLOG-0004", f"{self.source.path}: x/z bit in an {what} ignored")
                continue
            self.assigns.append((a, b))

    def _fit(self, bits: list[int], width: int, unsized: bool, offset: int, what: str) -> list[int]:
        if len(bits) == width:
            return bits
        if unsized:
            if width <= len(bits):
                return bits[len(bits) - width :]
            return [self.nets[CONST0]] * (width - len(bits)) + bits
        raise self.error(
            f"width mismatch in {what}: {width} bit(s) expected, {len(bits)} given",
            offset,
            "make both sides the same width",
        )

    def _instance(self, tokens: Tokens, statement: int) -> None:
        master, _ = tokens.name("a cell or module name")
        template = self.modules(master)
        hierarchical = template is not None and not template.is_stub
        if tokens.at("#"):
            tokens.next()
            if hierarchical:
                raise tokens.error(
                    f"parameter overrides on module {master} are not supported",
                    "flatten parameters before writing the netlist",
                )
            if not tokens.at("("):
                raise tokens.error("expected '(' after '#'")
            tokens.skip_balanced()
            self.log.warn("VLOG-0005", f"{self.source.path}: parameters of {master} skipped")
        while True:
            name, offset = tokens.name("an instance name")
            if tokens.at("["):
                raise tokens.error("instance arrays are not supported")
            tokens.expect("(", "an instance is written: cell name (.PIN(net), ...);")
            connections = self._connections(tokens)
            self._check_instance_name(name, offset)
            if hierarchical:
                assert template is not None
                self._sub_instance(template, name, offset, connections, statement)
            else:
                self._leaf(master, template, name, offset, connections, statement)
            if tokens.done():
                return
            tokens.expect(",", "end the instance with ';'")

    def _connections(self, tokens: Tokens) -> list[tuple[str | None, int, list[int] | None, bool]]:
        """``(port or None, offset, bits or None, unsized)`` per connection, up to ``)``."""
        result: list[tuple[str | None, int, list[int] | None, bool]] = []
        if tokens.accept(")"):
            return result
        named = tokens.at(".")
        while True:
            offset = tokens.peek()[2]
            if named:
                tokens.expect(".", "do not mix named and ordered connections")
                if tokens.at("*"):
                    raise tokens.error(".* connections are not supported")
                port, offset = tokens.name("a pin name")
                tokens.expect("(", f"write .{port}(net) or .{port}()")
                if tokens.accept(")"):
                    result.append((port, offset, None, False))
                else:
                    bits, unsized = self.expression(tokens)
                    tokens.expect(")")
                    result.append((port, offset, bits, unsized))
            elif tokens.at(",") or tokens.at(")"):
                result.append((None, offset, None, False))
            else:
                if tokens.at("."):
                    raise tokens.error("do not mix named and ordered connections")
                bits, unsized = self.expression(tokens)
                result.append((None, offset, bits, unsized))
            if tokens.accept(")"):
                return result
            tokens.expect(",", "separate connections with commas")

    def _check_instance_name(self, name: str, offset: int) -> None:
        if name in self.instance_offsets:
            raise self.error(
                f"duplicate instance {name}", offset, "instance names must be unique in a module"
            )
        self.instance_offsets[name] = offset

    def _port_bits(
        self,
        template: ModuleTemplate,
        instance: str,
        connections: list[tuple[str | None, int, list[int] | None, bool]],
    ) -> list[list[int] | None]:
        result: list[list[int] | None] = [None] * len(template.ports)
        positions = {name: i for i, name in enumerate(template.ports)}
        for order, (port, offset, bits, unsized) in enumerate(connections):
            if port is None:
                if order >= len(template.ports):
                    raise self.error(
                        f"{instance}: {template.name} has only {len(template.ports)} ports", offset
                    )
                position = order
            elif port not in positions:
                raise self.error(
                    f"{template.name} has no port {port}",
                    offset,
                    f"ports are {', '.join(template.ports[:10])}",
                )
            else:
                position = positions[port]
            if port is not None and result[position] is not None:
                raise self.error(f"port {port} connected twice", offset)
            if bits is not None:
                width = len(template.port_bits[position])
                result[position] = self._fit(
                    bits, width, unsized, offset, f"connection of {template.name} port"
                )
        return result

    def _sub_instance(self, template, name, offset, connections, statement) -> None:  # type: ignore[no-untyped-def]
        bits = self._port_bits(template, name, connections)
        self.sub_instances.append((statement, SubInstance(name, template.name, offset, bits)))

    def _leaf(self, master, template, name, offset, connections, statement) -> None:  # type: ignore[no-untyped-def]
        pins: list[tuple[str, int]] = []
        if template is not None:
            for position, bits in enumerate(self._port_bits(template, name, connections)):
                if bits is not None:
                    names = template.port_bit_names[position]
                    pins.extend((t, n) for t, n in zip(names, bits, strict=True) if n >= 0)
        else:
            for port, port_offset, bits, unsized in connections:
                if port is None:
                    raise self.error(
                        f"ordered connections to cell {master}, which has no module definition",
                        port_offset,
                        _HIER_HINT,
                    )
                if bits is None:
                    continue
                if unsized:
                    bits = bits[-1:]
                if len(bits) == 1:
                    if bits[0] >= 0:
                        pins.append((port, bits[0]))
                    continue
                top = len(bits) - 1
                pins.extend((f"{port}[{top - i}]", n) for i, n in enumerate(bits) if n >= 0)
        self.slow_insts.append((statement, name, master, pins))

    # ---- bulk leaf instances -----------------------------------------------------------
    def fast_instances(
        self,
    ) -> tuple[np.ndarray, list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Leaf instances in simple form, in bulk; others are parsed slowly (see ``statement``)."""
        scanned = self.scanned
        masters, names = scanned.fast_masters, scanned.fast_instances
        connections = scanned.fast_connections
        count = len(masters)
        statements = np.asarray(scanned.fast_statement, dtype=np.int64)
        master_ids_of = {m: i for i, m in enumerate(dict.fromkeys(masters))}
        master_ok = np.array([self._fast_master(m) for m in master_ids_of] + [False], dtype=bool)
        master_id = np.fromiter(map(master_ids_of.__getitem__, masters), np.int64, count)
        fast = master_ok[master_id]
        joined = "\x00".join(connections) + "\x00"
        if ALL_CONNECTIONS.fullmatch(joined) is None:
            fast &= np.fromiter(
                (CONNECTIONS.fullmatch(c) is not None for c in connections), bool, count
            )
        if not fast.all():
            keep = np.flatnonzero(fast).tolist()
            connections = [connections[i] for i in keep]
            joined = "\x00".join(connections) + "\x00"
        else:
            keep = None
        has_escape = "\\" in joined
        nets_text = CONNECTION_NETS.findall(joined)
        if has_escape:
            terms_text = [t for t in CONNECTION_TERMS.findall(joined) if t]
            counts = np.fromiter(
                (
                    len(CONNECTION_NETS.findall(c)) if "\\" in c else c.count("(")
                    for c in connections
                ),
                np.int64,
                len(connections),
            )
        else:
            terms_text = PLAIN_CONNECTION_TERMS.findall(joined)
            counts = np.fromiter(
                map(str.count, connections, ["("] * len(connections)), np.int64, len(connections)
            )
        del joined
        try:
            net_ids = np.fromiter(map(self.nets.__getitem__, nets_text), np.int64, len(nets_text))
        except _LookupError as failure:
            raise self._lookup_error(failure) from None
        del nets_text
        terms = self.terms
        for term in dict.fromkeys(terms_text):
            terms.setdefault(term, len(terms))
        term_ids = np.fromiter(map(terms.__getitem__, terms_text), np.int64, len(terms_text))
        del terms_text
        kept = np.arange(count) if keep is None else np.asarray(keep, dtype=np.int64)
        pin_owner = np.repeat(np.arange(kept.size, dtype=np.int64), counts)
        self._check_stub_pins(master_id[kept][pin_owner], term_ids, master_ids_of)
        bus_pins = net_ids == _BUS_SENTINEL
        keep_inst = np.ones(kept.size, dtype=bool)
        if bus_pins.any():
            keep_inst[pin_owner[bus_pins]] = False
        is_slow = np.ones(count, dtype=bool)
        is_slow[kept[keep_inst]] = False
        slow_positions = np.flatnonzero(is_slow)
        self._reparse(slow_positions)
        pin_keep = keep_inst[pin_owner] & (net_ids >= 0)
        new_index = np.cumsum(keep_inst) - 1
        fast_kept = kept[keep_inst]
        if fast_kept.size != count:
            names = [names[i] for i in fast_kept.tolist()]
            masters = [masters[i] for i in fast_kept.tolist()]
        if any(name[0] == "\\" for name in names):
            names = [name[1:] if name[0] == "\\" else name for name in names]
        inst_names, inst_masters = names, masters
        return (
            statements[fast_kept],
            inst_names,
            inst_masters,
            new_index[pin_owner[pin_keep]],
            term_ids[pin_keep],
            net_ids[pin_keep],
        )

    def _check_stub_pins(
        self, pin_master: np.ndarray, term_ids: np.ndarray, master_ids_of: dict[str, int]
    ) -> None:
        """Pins of cells defined by a stub module must be ports of that module."""
        term_names = list(self.terms)
        for master, index in master_ids_of.items():
            template = self.modules(master)
            if template is None or not template.is_stub:
                continue
            used = np.unique(term_ids[pin_master == index]).tolist()
            unknown = [term_names[t] for t in used if term_names[t] not in template.ports]
            if unknown:
                raise self._lookup_error(
                    _LookupError(
                        f".{unknown[0]}",
                        f"cell {master} has no pin {unknown[0]}",
                        f"its module defines {', '.join(template.ports[:10])}",
                    )
                )

    def _fast_master(self, master: str) -> bool:
        if master in KEYWORDS:
            return False
        template = self.modules(master)
        if template is None:
            return True
        return (
            template.is_stub
            and all(len(bits) == 1 for bits in template.port_bits)
            and (template.port_bit_names == [[p] for p in template.ports])
        )

    def _reparse(self, positions: np.ndarray) -> None:
        """Parse the simple-looking instance statements at ``positions`` with the token parser."""
        scanned = self.scanned
        text = self.source.text
        cursor = self.module.header_end
        import re

        for position in positions.tolist():
            master = scanned.fast_masters[position]
            instance = scanned.fast_instances[position]
            pattern = re.compile(rf"{re.escape(master)}\s++{re.escape(instance)}\s*+\(")
            match = pattern.search(text, cursor, self.module.body_end)
            start = match.start() if match else cursor
            end = text.find(
                ";", (match.end() if match else cursor) + len(scanned.fast_connections[position])
            )
            cursor = end
            self.statement(SlowStatement(scanned.fast_statement[position], start, end, master))

    def _lookup_error(self, failure: _LookupError) -> ParseError:
        text = self.source.text
        offset = text.find(failure.key, self.module.header_end, self.module.body_end)
        return self.error(
            failure.message, offset if offset >= 0 else self.module.header_end, failure.hint
        )


def _indices(msb: int, lsb: int) -> range:
    """Bit indices from ``msb`` to ``lsb`` inclusive (either direction)."""
    return range(msb, lsb - 1, -1) if msb >= lsb else range(msb, lsb + 1)


def build_template(scanned: ScannedModule, modules: ModuleInfo, log: Log) -> ModuleTemplate:
    """The ``ModuleTemplate`` of ``scanned``; ``modules(name)`` gives other modules' templates."""
    builder = _ModuleBuilder(scanned, modules, log)
    ports, port_direction, port_bits = builder.declare_all()
    port_bit_names = [[builder.net_names[n] for n in bits] for bits in port_bits]
    if scanned.is_stub:
        return ModuleTemplate(
            scanned.text.name,
            ports,
            port_direction,
            port_bits,
            port_bit_names,
            builder.net_names,
            True,
        )
    for declaration, value in scanned.supplies:
        for net in builder.declare(declaration):
            builder.assigns.append((net, builder.nets[CONST1 if value else CONST0]))
    for initializer in scanned.initializers:
        tokens = initializer.tokens
        tokens.position = initializer.position
        left = builder.declare(initializer.declaration)
        offset = tokens.peek()[2]
        right, unsized = builder.expression(tokens)
        builder.join(left, right, unsized, initializer.declaration.offset, offset, "initializer")
    for statement in scanned.slow:
        builder.statement(statement)
    fast_statement, inst_names, inst_masters, pin_inst, pin_term, pin_net = builder.fast_instances()
    if builder.implicit:
        log.info(
            "VLOG-0006",
            f"{builder.source.path}: {scanned.text.name}: {builder.implicit} implicit net(s)",
        )
    template = ModuleTemplate(
        scanned.text.name,
        ports,
        port_direction,
        port_bits,
        port_bit_names,
        builder.net_names,
        False,
    )
    _merge_instances(
        builder, template, fast_statement, inst_names, inst_masters, pin_inst, pin_term, pin_net
    )
    template.sub_instances = [s for _, s in sorted(builder.sub_instances, key=lambda x: x[0])]
    template.assigns = np.asarray(builder.assigns, dtype=np.int64).reshape(-1, 2)
    template.terms = list(builder.terms)
    for name in (CONST0, CONST1):
        local = dict.get(builder.nets, name)
        if local is not None:
            template.const_nets[name] = local
    return template


def _merge_instances(
    builder, template, fast_statement, inst_names, inst_masters, pin_inst, pin_term, pin_net
) -> None:  # type: ignore[no-untyped-def]
    """Put fast and slow leaf instances into statement order and check names are unique."""
    slow = builder.slow_insts
    if builder.instance_offsets and not builder.instance_offsets.keys().isdisjoint(inst_names):
        duplicate = next(n for n in inst_names if n in builder.instance_offsets)
        raise builder.error(
            f"duplicate instance {duplicate}",
            builder.instance_offsets[duplicate],
            "instance names must be unique in a module",
        )
    if not slow:
        template.inst_names, template.inst_masters = inst_names, inst_masters
        template.pin_inst, template.pin_term, template.pin_net = pin_inst, pin_term, pin_net
        return
    terms = builder.terms
    slow_pin_inst: list[int] = []
    slow_pin_term: list[int] = []
    slow_pin_net: list[int] = []
    base = len(inst_names)
    for k, (_, _, _, pins) in enumerate(slow):
        for term, net in pins:
            slow_pin_inst.append(base + k)
            slow_pin_term.append(terms.setdefault(term, len(terms)))
            slow_pin_net.append(net)
    statements = np.concatenate([fast_statement, np.asarray([s[0] for s in slow], dtype=np.int64)])
    all_names = inst_names + [s[1] for s in slow]
    all_masters = inst_masters + [s[2] for s in slow]
    order = np.argsort(statements, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    pins_inst = rank[np.concatenate([pin_inst, np.asarray(slow_pin_inst, dtype=np.int64)])]
    pins_term = np.concatenate([pin_term, np.asarray(slow_pin_term, dtype=np.int64)])
    pins_net = np.concatenate([pin_net, np.asarray(slow_pin_net, dtype=np.int64)])
    pin_order = np.argsort(pins_inst, kind="stable")
    order_list = order.tolist()
    template.inst_names = [all_names[i] for i in order_list]
    template.inst_masters = [all_masters[i] for i in order_list]
    template.pin_inst = pins_inst[pin_order]
    template.pin_term = pins_term[pin_order]
    template.pin_net = pins_net[pin_order]
