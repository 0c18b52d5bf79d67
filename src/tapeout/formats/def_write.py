"""DEF 5.8 writer: netlist + physical data + wiring -> a DEF file (atomically, in bulk)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from tapeout.db.netlist import Netlist
from tapeout.db.physical import Physical
from tapeout.db.wires import Routing, Wires
from tapeout.errors import DesignError
from tapeout.fileio import atomic_write
from tapeout.formats.def_common import (
    DIRECTION_NAME,
    ORIENT_NAME,
    ROUTE_NAME,
    SHAPE_NAME,
    STATUS_NAME,
    USE_NAME,
    DefVia,
)

_CHUNK = 100_000


def write_def(
    path: str | Path,
    netlist: Netlist,
    physical: Physical,
    wires: Wires | None = None,
    *,
    vias: dict[str, DefVia] | None = None,
    design: str | None = None,
    version: str = "5.8",
) -> None:
    """Write a DEF file.

    Args:
        path: output file (``.gz`` compresses); written to a temporary name, then renamed.
        netlist: instances become COMPONENTS, ports PINS, nets NETS.
        physical: die, rows, tracks, gcell grid, placement, pin shapes, blockages; its instance
            and port arrays must be aligned with ``netlist``.
        wires: regular wiring (into NETS), special nets (SPECIALNETS), net uses; None = unrouted.
        vias: via definitions for the VIAS section.
        design: DESIGN name (default ``netlist.top``).

    Raises:
        DesignError: ``physical`` is not aligned with ``netlist``.
    """
    for what, count, expected in (
        ("instances", physical.inst_x.shape[0], netlist.n_insts),
        ("ports", physical.port_x.shape[0], netlist.n_ports),
    ):
        if count != expected:
            raise DesignError(
                f"physical data has {count} {what} but the netlist has {expected}",
                file=path,
                hint="start from Physical.for_netlist(netlist)",
            )
    wires = wires if wires is not None else Wires.for_nets(netlist.n_nets)
    with atomic_write(path) as handle:
        _write_header(handle, physical, design or netlist.top, version)
        if vias:
            handle.write(f"VIAS {len(vias)} ;\n")
            handle.writelines(_via_line(via) for via in vias.values())
            handle.write("END VIAS\n\n")
        _write_components(handle, netlist, physical)
        _write_pins(handle, netlist, physical)
        _write_blockages(handle, netlist, physical)
        _write_special_nets(handle, netlist, wires)
        _write_nets(handle, netlist, wires)
        handle.write("END DESIGN\n")


def _write_header(handle: IO, physical: Physical, design: str, version: str) -> None:
    lines = [
        f"VERSION {version} ;",
        'DIVIDERCHAR "/" ;',
        'BUSBITCHARS "[]" ;',
        f"DESIGN {design} ;",
        f"UNITS DISTANCE MICRONS {physical.dbu_per_micron} ;",
    ]
    if physical.die_area.shape[0]:
        lines.append(
            "DIEAREA " + " ".join(f"( {x} {y} )" for x, y in physical.die_area.tolist()) + " ;"
        )
    lines.append("")
    sites = physical.sites.names
    rows = zip(
        physical.row_names.names, physical.row_site.tolist(), physical.row_x.tolist(),
        physical.row_y.tolist(), physical.row_orient.tolist(), physical.row_num_x.tolist(),
        physical.row_num_y.tolist(), physical.row_step_x.tolist(), physical.row_step_y.tolist(),
        strict=True,
    )  # fmt: skip
    lines += [
        f"ROW {n} {sites[s]} {x} {y} {ORIENT_NAME[o]} DO {nx} BY {ny} STEP {sx} {sy} ;"
        for n, s, x, y, o, nx, ny, sx, sy in rows
    ]
    layers = physical.layers.names
    tracks = zip(
        physical.track_layer.tolist(), physical.track_direction.tolist(),
        physical.track_start.tolist(), physical.track_count.tolist(), physical.track_step.tolist(),
        strict=True,
    )  # fmt: skip
    lines += [
        f"TRACKS {'XY'[d]} {s} DO {c} STEP {p} LAYER {layers[layer]} ;"
        for layer, d, s, c, p in tracks
    ]
    gcells = zip(
        physical.gcell_direction.tolist(), physical.gcell_start.tolist(),
        physical.gcell_count.tolist(), physical.gcell_step.tolist(), strict=True,
    )  # fmt: skip
    lines += [f"GCELLGRID {'XY'[d]} {s} DO {c} STEP {p} ;" for d, s, c, p in gcells]
    handle.write("\n".join(lines) + "\n\n")


def _points(values: tuple[int, ...] | list[int]) -> str:
    return " ".join(f"( {values[i]} {values[i + 1]} )" for i in range(0, len(values), 2))


def _via_line(via: DefVia) -> str:
    parts = [f"- {via.name}"]
    if via.viarule:
        parts.append(f"+ VIARULE {via.viarule}")
    for keyword, value in (("CUTSIZE", via.cut_size), ("LAYERS", via.layers),
                           ("CUTSPACING", via.cut_spacing), ("ENCLOSURE", via.enclosure),
                           ("ROWCOL", via.rowcol), ("ORIGIN", via.origin),
                           ("OFFSET", via.offset)):  # fmt: skip
        if value:
            parts.append(f"+ {keyword} " + " ".join(str(v) for v in value))
    if via.pattern:
        parts.append(f"+ PATTERN {via.pattern}")
    for layer, rect in zip(via.rect_layers, via.rects, strict=True):
        parts.append(f"+ RECT {layer} {_points(rect)}")
    for layer, polygon in zip(via.polygon_layers, via.polygons, strict=True):
        parts.append(f"+ POLYGON {layer} {_points(polygon)}")
    return "\n  ".join(parts) + " ;\n"


def _ranges(n: int) -> Iterator[slice]:
    for start in range(0, n, _CHUNK):
        yield slice(start, min(n, start + _CHUNK))


def _write_components(handle: IO, netlist: Netlist, physical: Physical) -> None:
    n = netlist.n_insts
    handle.write(f"COMPONENTS {n} ;\n")
    masters = netlist.masters.names
    halo_of = {
        int(inst): f" + HALO{' SOFT' if soft else ''} {' '.join(map(str, size))}"
        for inst, size, soft in zip(
            physical.halo_inst.tolist(), physical.halo_size.tolist(),
            physical.halo_soft.tolist(), strict=True,
        )
    }  # fmt: skip
    for part in _ranges(n):
        rows = zip(
            netlist.inst_names.names[part], netlist.inst_master[part].tolist(),
            physical.inst_status[part].tolist(), physical.inst_x[part].tolist(),
            physical.inst_y[part].tolist(), physical.inst_orient[part].tolist(), strict=True,
        )  # fmt: skip
        handle.write(
            "".join(
                f"- {name} {masters[m]} + {STATUS_NAME[s]} ( {x} {y} ) {ORIENT_NAME[o]} ;\n"
                if s
                else f"- {name} {masters[m]} + UNPLACED ;\n"
                for name, m, s, x, y, o in rows
            )
            if not halo_of
            else "".join(
                (
                    f"- {name} {masters[m]} + {STATUS_NAME[s]} ( {x} {y} ) {ORIENT_NAME[o]}"
                    if s
                    else f"- {name} {masters[m]} + UNPLACED"
                )
                + halo_of.get(inst, "")
                + " ;\n"
                for inst, (name, m, s, x, y, o) in enumerate(rows, part.start)
            )
        )
    handle.write("END COMPONENTS\n\n")


def _port_nets(netlist: Netlist) -> np.ndarray:
    """int64 (n_ports,) net of each port (the first when several), -1 when unconnected."""
    port_net = np.full(netlist.n_ports, -1, dtype=np.int64)
    port_pins = np.flatnonzero(netlist.pin_inst < 0)[::-1]
    port_net[netlist.pin_term[port_pins]] = netlist.pin_net[port_pins]
    return port_net


def _write_pins(handle: IO, netlist: Netlist, physical: Physical) -> None:
    handle.write(f"PINS {netlist.n_ports} ;\n")
    port_net = _port_nets(netlist).tolist()
    layers = physical.layers.names
    lines = []
    for port, name in enumerate(netlist.port_names.names):
        parts = [f"- {name}"]
        if port_net[port] >= 0:
            parts.append(f"+ NET {netlist.net_names[port_net[port]]}")
        if physical.port_special[port]:
            parts.append("+ SPECIAL")
        parts.append(f"+ DIRECTION {DIRECTION_NAME[int(netlist.port_direction[port])]}")
        parts.append(f"+ USE {USE_NAME[int(physical.port_use[port])]}")
        shape_layers, rects = physical.port_shapes(port)
        for layer, rect in zip(shape_layers.tolist(), rects.tolist(), strict=True):
            parts.append(f"+ LAYER {layers[layer]} {_points(rect)}")
        status = int(physical.port_status[port])
        if status:
            parts.append(
                f"+ {STATUS_NAME[status]} ( {physical.port_x[port]} {physical.port_y[port]} ) "
                f"{ORIENT_NAME[int(physical.port_orient[port])]}"
            )
        lines.append("\n  ".join(parts) + " ;\n")
    handle.writelines(lines)
    handle.write("END PINS\n\n")


def _write_blockages(handle: IO, netlist: Netlist, physical: Physical) -> None:
    n = physical.n_blockages
    if n == 0:
        return
    handle.write(f"BLOCKAGES {n} ;\n")
    layers = physical.layers.names
    indptr = physical.blockage_rect_indptr.tolist()
    for b in range(n):
        layer = int(physical.blockage_layer[b])
        flags = int(physical.blockage_flags[b])
        parts = [f"- LAYER {layers[layer]}" if layer >= 0 else "- PLACEMENT"]
        component = int(physical.blockage_component[b])
        if component >= 0:
            parts.append(f"+ COMPONENT {netlist.inst_names[component]}")
        for bit, keyword in ((1, "SLOTS"), (2, "FILLS"), (4, "PUSHDOWN"), (8, "EXCEPTPGNET"),
                             (16, "SOFT")):  # fmt: skip
            if flags & bit:
                parts.append(f"+ {keyword}")
        if physical.blockage_spacing[b]:
            parts.append(f"+ SPACING {physical.blockage_spacing[b]}")
        density = float(physical.blockage_density[b])
        if density == density:
            parts.append(f"+ PARTIAL {density!r}")
        for rect in physical.blockage_rects[indptr[b] : indptr[b + 1]].tolist():
            parts.append(f"RECT {_points(rect)}")
        handle.write(" ".join(parts) + " ;\n")
    handle.write("END BLOCKAGES\n\n")


def _by_net(net: np.ndarray, n_nets: int) -> tuple[list[int], list[int]]:
    """Order of items sorted by net (stable) and CSR pointers, as lists."""
    order = np.argsort(net, kind="stable")
    indptr = np.zeros(n_nets + 1, dtype=np.int64)
    np.cumsum(np.bincount(net, minlength=n_nets), out=indptr[1:])
    return order.tolist(), indptr.tolist()


class _WiringWriter:
    """Turns one Routing into DEF wiring text per net (segments, then vias, then patches)."""

    def __init__(self, routing: Routing, wires: Wires, n_nets: int, special: bool) -> None:
        self.routing = routing
        self.layers = wires.layers.names
        self.via_names = wires.via_names.names
        self.special = special
        self.segs = _by_net(routing.seg_net, n_nets)
        self.vias = _by_net(routing.via_net, n_nets)
        self.rects = _by_net(routing.rect_net, n_nets)
        r = routing
        self.seg_columns = [c.tolist() for c in (r.seg_layer, r.seg_x0, r.seg_y0, r.seg_x1,
                            r.seg_y1, r.seg_width, r.seg_ext0, r.seg_ext1, r.seg_status,
                            r.seg_shape)]  # fmt: skip
        self.via_columns = [c.tolist() for c in (r.via_name, r.via_layer, r.via_x, r.via_y,
                            r.via_orient, r.via_width, r.via_status, r.via_shape, r.via_num_x,
                            r.via_num_y, r.via_step_x, r.via_step_y)]  # fmt: skip
        self.rect_columns = [r.rect_layer.tolist(), r.rect.tolist(), r.rect_status.tolist(),
                             r.rect_shape.tolist()]  # fmt: skip

    def has_wiring(self, net: int) -> bool:
        return any(ptr[net + 1] > ptr[net] for _, ptr in (self.segs, self.vias, self.rects))

    def _head(self, layer: int, width: int, shape: int) -> str:
        if not self.special:
            return self.layers[layer]
        shape_text = f" + SHAPE {SHAPE_NAME[shape]}" if shape else ""
        return f"{self.layers[layer]} {width}{shape_text}"

    def net_text(self, net: int) -> str:
        """`` + ROUTED ... NEW ...`` wiring of ``net`` (empty string if none)."""
        parts: list[str] = []
        status_open = -1

        def start(status: int) -> None:
            nonlocal status_open
            if status == status_open:
                parts.append("\n    NEW ")
            else:
                parts.append(f"\n  + {ROUTE_NAME[status]} ")
                status_open = status

        order, indptr = self.segs
        layer, x0, y0, x1, y1, width, e0, e1, status, shape = self.seg_columns
        for i in order[indptr[net] : indptr[net + 1]]:
            start(status[i])
            ext0 = f" {e0[i]}" if e0[i] >= 0 else ""
            ext1 = f" {e1[i]}" if e1[i] >= 0 else ""
            parts.append(
                f"{self._head(layer[i], width[i], shape[i])} "
                f"( {x0[i]} {y0[i]}{ext0} ) ( {x1[i]} {y1[i]}{ext1} )"
            )
        order, indptr = self.vias
        name, vlayer, x, y, orient, vwidth, vstatus, vshape, nx, ny, sx, sy = self.via_columns
        for i in order[indptr[net] : indptr[net + 1]]:
            orient_text = f" {ORIENT_NAME[orient[i]]}" if orient[i] else ""
            if vlayer[i] < 0:
                shape_text = f" + SHAPE {SHAPE_NAME[vshape[i]]}" if vshape[i] else ""
                parts.append(
                    f"\n  + {ROUTE_NAME[vstatus[i]]}{shape_text} + VIA {self.via_names[name[i]]}"
                    f"{orient_text} ( {x[i]} {y[i]} )"
                )
                status_open = -1
                continue
            start(vstatus[i])
            array = f" DO {nx[i]} BY {ny[i]} STEP {sx[i]} {sy[i]}" if nx[i] * ny[i] != 1 else ""
            parts.append(
                f"{self._head(vlayer[i], vwidth[i], vshape[i])} ( {x[i]} {y[i]} ) "
                f"{self.via_names[name[i]]}{orient_text}{array}"
            )
        order, indptr = self.rects
        rlayer, rect, rstatus, rshape = self.rect_columns
        for i in order[indptr[net] : indptr[net + 1]]:
            a, b, c, d = rect[i]
            if self.special:
                shape_text = f" + SHAPE {SHAPE_NAME[rshape[i]]}" if rshape[i] else ""
                parts.append(
                    f"\n  + {ROUTE_NAME[rstatus[i]]}{shape_text} + RECT {self.layers[rlayer[i]]} "
                    f"( {a} {b} ) ( {c} {d} )"
                )
                status_open = -1
            else:
                start(rstatus[i])
                parts.append(f"{self.layers[rlayer[i]]} ( {a} {b} ) RECT ( 0 0 {c - a} {d - b} )")
        return "".join(parts)


def _write_special_nets(handle: IO, netlist: Netlist, wires: Wires) -> None:
    n = len(wires.special_net_names)
    if n == 0:
        return
    handle.write(f"SPECIALNETS {n} ;\n")
    writer = _WiringWriter(wires.special, wires, n, special=True)
    order, indptr = _by_net(wires.special_conn_net, n)
    inst = wires.special_conn_inst.tolist()
    term = wires.special_conn_term.tolist()
    for net, name in enumerate(wires.special_net_names.names):
        conns = []
        for i in order[indptr[net] : indptr[net + 1]]:
            owner = (
                "*" if inst[i] == -1 else "PIN" if inst[i] == -2 else netlist.inst_names[inst[i]]
            )
            conns.append(f" ( {owner} {wires.special_terms[term[i]]} )")
        use = int(wires.special_net_use[net])
        use_text = f"\n  + USE {USE_NAME[use]}" if use else ""
        handle.write(f"- {name}{''.join(conns)}{writer.net_text(net)}{use_text} ;\n")
    handle.write("END SPECIALNETS\n\n")


def _write_nets(handle: IO, netlist: Netlist, wires: Wires) -> None:
    n = netlist.n_nets
    handle.write(f"NETS {n} ;\n")
    writer = _WiringWriter(wires.regular, wires, n, special=False)
    routed = np.zeros(n, dtype=bool)
    for routing_net in (wires.regular.seg_net, wires.regular.via_net, wires.regular.rect_net):
        routed[routing_net] = True
    inst_names = netlist.inst_names.names
    port_names = netlist.port_names.names
    terms = netlist.terms.names
    indptr = netlist.net_pin_indptr
    net_use = wires.net_use if wires.net_use.shape[0] == n else np.zeros(n, np.int8)
    for part in _ranges(n):
        first, last = int(indptr[part.start]), int(indptr[part.stop])
        pins = netlist.net_pin_indices[first:last]
        pin_text = [
            f" ( {inst_names[i]} {terms[t]} )" if i >= 0 else f" ( PIN {port_names[t]} )"
            for i, t in zip(
                netlist.pin_inst[pins].tolist(), netlist.pin_term[pins].tolist(), strict=True
            )
        ]
        bounds = (indptr[part.start : part.stop + 1] - first).tolist()
        names = netlist.net_names.names[part]
        uses = net_use[part].tolist()
        wired = routed[part].tolist()
        lines = []
        for k, name in enumerate(names):
            net = part.start + k
            wiring = writer.net_text(net) if wired[k] else ""
            use = f" + USE {USE_NAME[uses[k]]}" if uses[k] else ""
            lines.append(f"- {name}{''.join(pin_text[bounds[k] : bounds[k + 1]])}{wiring}{use} ;\n")
        handle.write("".join(lines))
    handle.write("END NETS\n\n")
