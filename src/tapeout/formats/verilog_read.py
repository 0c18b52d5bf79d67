"""Reading structural Verilog into a flat ``Netlist``: files -> modules -> top -> flattened arrays.

Hierarchy is flattened with ``/`` joining instance names (``u_core/_123_``) and internal nets
(``u_core/n5``). ``assign`` merges nets; the surviving name is a constant (``1'b0``/``1'b1``)
if one is involved, else the first top-level port, else the first-declared net. The result is
canonical: ports' nets first (port order), other nets in creation order, constants last; leaf
instances in statement order (a module's own leaf instances, then each submodule's, in order).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tapeout.db.names import NameTable
from tapeout.db.netlist import CONST0, CONST1, Netlist
from tapeout.errors import InputFileError, ParseError
from tapeout.fileio import read_text
from tapeout.formats.verilog_module import ModuleTemplate, build_template
from tapeout.formats.verilog_scan import ScannedModule, scan_module
from tapeout.formats.verilog_syntax import Source, split_modules, strip_comments
from tapeout.log import Log

_MAX_DEPTH = 64


def read_verilog(
    path_or_paths: str | Path | Sequence[str | Path],
    *,
    top: str | None = None,
    log: Log | None = None,
) -> Netlist:
    """Read gate-level Verilog file(s) and flatten module ``top`` into a ``Netlist``.

    Args:
        path_or_paths: one file or several (``.gz`` allowed); modules may be spread over them.
        top: the top module; default: the one module no other module instantiates.
        log: receives warnings (``VLOG-xxxx``); a fresh ``Log`` when None.

    Modules not defined in the files are leaf cells (their pins become ``terms``); modules
    defined with ports only (cell stubs) are leaf cells too, with a known port order.
    Raises ParseError (file, line, column, hint) for malformed input.
    """
    log = log if log is not None else Log()
    # Millions of small objects: the cycle collector would rescan them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(path_or_paths, top, log)
    finally:
        if collecting:
            gc.enable()


def _read(paths: str | Path | Sequence[str | Path], top: str | None, log: Log) -> Netlist:
    path_list = [paths] if isinstance(paths, str | Path) else list(paths)
    if not path_list:
        raise InputFileError("no Verilog file given", hint="pass at least one netlist file")
    scanned: dict[str, ScannedModule] = {}
    for path in path_list:
        source = Source(
            str(path), strip_comments(read_text(path, what="Verilog file"), str(path), log)
        )
        for module in split_modules(source):
            if module.name in scanned:
                first = scanned[module.name].text
                raise source.error(
                    f"module {module.name} is defined twice",
                    module.name_offset,
                    f"first definition in {first.source.path}",
                )
            scanned[module.name] = scan_module(module, log)
    if not scanned:
        raise ParseError(
            "no module found", file=str(path_list[0]), line=1, hint="is this a Verilog netlist?"
        )
    top_name = _choose_top(scanned, top, str(path_list[0]))
    templates: dict[str, ModuleTemplate] = {}
    building: list[str] = []

    def template_of(name: str) -> ModuleTemplate | None:
        if name not in scanned:
            return None
        if name in templates:
            return templates[name]
        if name in building or len(building) > _MAX_DEPTH:
            module = scanned[name].text
            raise module.source.error(
                f"module {name} instantiates itself (through {' -> '.join(building)})",
                module.name_offset,
            )
        building.append(name)
        template = build_template(scanned[name], template_of, log)
        building.pop()
        templates[name] = template
        return template

    top_template = template_of(top_name)
    assert top_template is not None
    netlist = _Flattener(templates, scanned).flatten(top_template)
    log.info(
        "VLOG-0007",
        f"read {top_name}: {netlist.n_insts} instances, {netlist.n_nets} nets, "
        f"{netlist.n_ports} ports",
    )
    return netlist


def _choose_top(scanned: dict[str, ScannedModule], top: str | None, first_path: str) -> str:
    if top is not None:
        if top not in scanned:
            found = ", ".join(sorted(scanned)[:20])
            raise ParseError(
                f"top module {top} not found",
                file=first_path,
                line=1,
                hint=f"modules found: {found}",
            )
        return top
    used: set[str] = set()
    for scanned_module in scanned.values():
        used |= scanned_module.used_masters
    roots = [name for name in scanned if name not in used]
    candidates = [name for name in roots if not scanned[name].is_stub] or roots
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        first = next(iter(scanned.values())).text
        raise first.source.error(
            "every module is instantiated by another: no top module",
            first.name_offset,
            "pass top=<module name>",
        )
    second = scanned[candidates[1]].text
    raise second.source.error(
        f"several top module candidates: {', '.join(sorted(candidates)[:20])}",
        second.name_offset,
        "choose one with top=<module name>",
    )


class _Flattener:
    """Stamps module templates out into global arrays."""

    def __init__(self, templates: dict[str, ModuleTemplate], scanned: dict[str, ScannedModule]):
        self.templates = templates
        self.scanned = scanned
        self.net_names: list[str] = []
        self.inst_names: list[str] = []
        self.inst_masters: list[str] = []
        self.terms: dict[str, int] = {}
        self.pin_inst: list[np.ndarray] = []
        self.pin_term: list[np.ndarray] = []
        self.pin_net: list[np.ndarray] = []
        self.assigns: list[np.ndarray] = []
        self.constants: dict[str, int] = {}

    def _constant(self, name: str) -> int:
        if name not in self.constants:
            self.constants[name] = len(self.net_names)
            self.net_names.append(name)
        return self.constants[name]

    def instantiate(
        self, template: ModuleTemplate, prefix: str, ports: list[np.ndarray | None] | None
    ) -> np.ndarray:
        """Add ``template``'s contents; ``ports[p]`` global nets (msb first, -1 open) or None."""
        local_count = len(template.net_names)
        to_global = np.full(local_count, -1, dtype=np.int64)
        if ports is not None:
            for bits, connected in zip(template.port_bits, ports, strict=True):
                if connected is not None:
                    to_global[np.asarray(bits, dtype=np.int64)] = connected
        for name in (CONST0, CONST1):
            local = template.const_nets.get(name)
            if local is not None:
                to_global[local] = self._constant(name)
        fresh = np.flatnonzero(to_global < 0)
        start = len(self.net_names)
        to_global[fresh] = np.arange(start, start + fresh.size)
        names = template.net_names
        if fresh.size != local_count:
            names = [names[i] for i in fresh.tolist()]
        self.net_names.extend([prefix + n for n in names] if prefix else names)
        base = len(self.inst_names)
        self.inst_names.extend(
            [prefix + n for n in template.inst_names] if prefix else template.inst_names
        )
        self.inst_masters.extend(template.inst_masters)
        if template.pin_inst.size:
            term_map = np.array(
                [self.terms.setdefault(t, len(self.terms)) for t in template.terms], dtype=np.int64
            )
            self.pin_inst.append(template.pin_inst + base)
            self.pin_term.append(term_map[template.pin_term])
            self.pin_net.append(to_global[template.pin_net])
        if template.assigns.size:
            self.assigns.append(to_global[template.assigns])
        for sub in template.sub_instances:
            child = self.templates[sub.module]
            connections: list[np.ndarray | None] = []
            for wanted in sub.connections:
                if wanted is None:
                    connections.append(None)
                else:
                    local_bits = np.asarray(wanted, dtype=np.int64)
                    connections.append(np.where(local_bits >= 0, to_global[local_bits], -1))
            self.instantiate(child, f"{prefix}{sub.name}/", connections)
        return to_global

    def flatten(self, top: ModuleTemplate) -> Netlist:
        to_global = self.instantiate(top, "", None)
        port_names: list[str] = []
        port_direction: list[int] = []
        port_nets: list[int] = []
        for bits, direction in zip(top.port_bits, top.port_direction, strict=True):
            for local in sorted(bits):  # creation order = ascending bit index
                port_names.append(top.net_names[local])
                port_direction.append(int(direction))
                port_nets.append(int(to_global[local]))
        n_nets = len(self.net_names)
        n_ports = len(port_names)
        pin_inst = _concat(self.pin_inst)
        pin_term = _concat(self.pin_term)
        pin_net = _concat(self.pin_net)
        port_net_array = np.asarray(port_nets, dtype=np.int64)
        # Survivor priority of merged nets: constants, then ports in order, then creation order.
        key = np.arange(n_nets, dtype=np.int64) + n_ports + 2
        key[port_net_array] = 2 + np.arange(n_ports)
        for name, net in self.constants.items():
            key[net] = 0 if name == CONST0 else 1
        representative = np.arange(n_nets, dtype=np.int64)
        if self.assigns:
            _merge(np.concatenate(self.assigns), key, representative)
        pin_net = representative[pin_net]
        port_net_array = representative[port_net_array]
        alive = representative == np.arange(n_nets)
        used = np.zeros(n_nets, dtype=bool)
        used[pin_net] = True
        used[port_net_array] = True
        for net in self.constants.values():
            alive[net] &= used[net]
        order_key = np.where(
            key < 2, n_nets + n_ports + 2 + key, np.where(key < n_ports + 2, key - 2, key)
        )
        survivors = np.flatnonzero(alive)
        survivor_key = order_key[survivors]
        if survivor_key.size and np.any(survivor_key[1:] < survivor_key[:-1]):
            survivors = survivors[np.argsort(survivor_key, kind="stable")]
        new_id = np.full(n_nets, -1, dtype=np.int64)
        new_id[survivors] = np.arange(survivors.size)
        names = self.net_names
        net_names = [names[i] for i in survivors.tolist()]
        master_index = {m: i for i, m in enumerate(dict.fromkeys(self.inst_masters))}
        inst_master = np.fromiter(
            map(master_index.__getitem__, self.inst_masters), np.int32, len(self.inst_masters)
        )
        term_names = list(self.terms)
        if pin_term.size:
            # First occurrence of each term: in a fancy assignment the last write wins.
            first = np.full(len(term_names), pin_term.size, dtype=np.int64)
            first[pin_term[::-1]] = np.arange(pin_term.size - 1, -1, -1)
            unique = np.flatnonzero(first < pin_term.size)
            unique = unique[np.argsort(first[unique], kind="stable")]
            remap = np.full(len(term_names), -1, dtype=np.int64)
            remap[unique] = np.arange(unique.size)
            pin_term = remap[pin_term]
            term_names = [term_names[i] for i in unique.tolist()]
        else:
            term_names = []
        netlist = Netlist(
            top=top.name,
            masters=NameTable(master_index),
            terms=NameTable(term_names),
            inst_names=self._table(self.inst_names, "instance", top),
            inst_master=inst_master,
            port_names=NameTable(port_names),
            port_direction=np.asarray(port_direction, dtype=np.int8),
            net_names=self._table(net_names, "net", top),
            pin_inst=np.concatenate([np.full(n_ports, -1, np.int32), pin_inst.astype(np.int32)]),
            pin_term=np.concatenate(
                [np.arange(n_ports, dtype=np.int32), pin_term.astype(np.int32)]
            ),
            pin_net=np.concatenate([new_id[port_net_array], new_id[pin_net]]).astype(np.int32),
        )
        netlist.build_index()
        return netlist

    def _table(self, names: list[str], what: str, top: ModuleTemplate) -> NameTable:
        table = NameTable.__new__(NameTable)
        table.names = names
        table._index = dict(zip(names, range(len(names)), strict=True))  # faster than NameTable()
        if len(table._index) == len(names):
            return table
        seen: set[str] = set()
        duplicate = next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
        raise self._duplicate_error(duplicate, what, top)

    def _duplicate_error(self, name: str, what: str, top: ModuleTemplate) -> ParseError:
        """Locate the second definition of instance/net ``name`` in the files."""
        local = name.rsplit("/", 1)[-1]
        pattern = re.compile(rf"(?<![\w$\\])\\?{re.escape(local)}(?![\w$])\s*\(")
        hits: list[tuple[ScannedModule, int]] = []
        for module in self.scanned.values():
            text = module.text
            hits.extend(
                (module, m.start())
                for m in pattern.finditer(text.source.text, text.header_end, text.body_end)
            )
            if len(hits) >= 2:
                break
        if what == "instance" and len(hits) >= 2:
            module, offset = hits[1]
            return module.text.source.error(
                f"duplicate instance {name}", offset, "instance names must be unique"
            )
        module = self.scanned[top.name]
        return module.text.source.error(
            f"{what} name {name} is defined twice (after flattening the hierarchy)",
            module.text.name_offset,
            "an escaped name may equal a flattened hierarchical name",
        )


def _concat(chunks: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)


def _merge(pairs: np.ndarray, key: np.ndarray, representative: np.ndarray) -> None:
    """Union the net pairs (int64 (k, 2)); each set's root is its member with the smallest key."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:
            parent[x], x = root, parent[x]
        return root

    keys: list[int] = key.tolist()
    for a, b in pairs.tolist():
        root_a, root_b = find(a), find(b)
        if root_a == root_b:
            continue
        if keys[root_a] <= keys[root_b]:
            parent[root_b] = root_a
        else:
            parent[root_a] = root_b
    for x in parent:
        representative[x] = find(x)
