"""Routed wiring as struct-of-arrays: wire segments, vias and patches of signal and special nets.

Regular (signal) routing is indexed by ``Netlist`` net; special (power/ground) routing by the
special net table ``Wires.special_net_names``. Coordinates are int64 DBU.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from tapeout.db.names import NameTable


class RouteStatus(enum.IntEnum):
    """Status of a piece of wiring (DEF ``+ ROUTED`` and friends)."""

    ROUTED = 0
    FIXED = 1
    COVER = 2
    NOSHIELD = 3


class WireShape(enum.IntEnum):
    """Special wiring shape type (DEF ``+ SHAPE``); NONE for plain wiring."""

    NONE = 0
    RING = 1
    PADRING = 2
    BLOCKRING = 3
    STRIPE = 4
    FOLLOWPIN = 5
    IOWIRE = 6
    COREWIRE = 7
    BLOCKWIRE = 8
    BLOCKAGEWIRE = 9
    FILLWIRE = 10
    FILLWIREOPC = 11
    DRCFILL = 12


#: Extension value meaning "not given": the default end style (half the width for signal nets).
DEFAULT_EXTENSION = -1


def _empty(dtype: type) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


@dataclass(eq=False)
class Routing:
    """One set of wiring: segments, vias and rectangular patches, each tagged with its net.

    Attributes:
        seg_net: int32 (n_segs,) net of each segment.
        seg_layer: int32 (n_segs,) index into ``Wires.layers``.
        seg_x0, seg_y0, seg_x1, seg_y1: int64 (n_segs,) centre-line end points (a single point
            when both ends coincide).
        seg_width: int64 (n_segs,) wire width, 0 = the layer's default.
        seg_ext0, seg_ext1: int64 (n_segs,) end extension at each end, -1 = default.
        seg_status: int8 (n_segs,) ``RouteStatus``.
        seg_shape: int8 (n_segs,) ``WireShape``.
        via_net: int32 (n_vias,) net of each via.
        via_name: int32 (n_vias,) index into ``Wires.via_names``.
        via_layer: int32 (n_vias,) the routing layer the via was entered from (DEF needs it).
        via_x, via_y: int64 (n_vias,) via origin.
        via_orient: int8 (n_vias,) ``Orientation``.
        via_width: int64 (n_vias,) width of the wiring statement the via sits in (0 = none).
        via_status: int8 (n_vias,) ``RouteStatus``.
        via_shape: int8 (n_vias,) ``WireShape``.
        via_num_x, via_num_y: int64 (n_vias,) via array size (``DO x BY y``), 1 x 1 normally.
        via_step_x, via_step_y: int64 (n_vias,) via array pitch.
        rect_net: int32 (n_rects,) net of each patch.
        rect_layer: int32 (n_rects,) index into ``Wires.layers``.
        rect: int64 (n_rects, 4) absolute ``x0 y0 x1 y1``.
        rect_status: int8 (n_rects,) ``RouteStatus``.
        rect_shape: int8 (n_rects,) ``WireShape``.
    """

    seg_net: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    seg_layer: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    seg_x0: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    seg_y0: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    seg_x1: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    seg_y1: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    seg_width: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    seg_ext0: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    seg_ext1: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    seg_status: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    seg_shape: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    via_net: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    via_name: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    via_layer: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    via_x: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    via_y: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    via_orient: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    via_width: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    via_status: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    via_shape: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    via_num_x: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    via_num_y: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    via_step_x: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    via_step_y: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    rect_net: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    rect_layer: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    rect: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.int64))
    rect_status: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    rect_shape: np.ndarray = field(default_factory=lambda: _empty(np.int8))

    @property
    def n_segs(self) -> int:
        return int(self.seg_net.shape[0])

    @property
    def n_vias(self) -> int:
        return int(self.via_net.shape[0])

    @property
    def n_rects(self) -> int:
        return int(self.rect_net.shape[0])

    def wirelength(self) -> int:
        """Total Manhattan centre-line length of all segments (DBU)."""
        return int(
            np.abs(self.seg_x1 - self.seg_x0).sum() + np.abs(self.seg_y1 - self.seg_y0).sum()
        )

    def net_wirelength(self, n_nets: int) -> np.ndarray:
        """int64 (n_nets,) Manhattan wire length of each net (DBU)."""
        length = np.abs(self.seg_x1 - self.seg_x0) + np.abs(self.seg_y1 - self.seg_y0)
        return np.bincount(self.seg_net, weights=length, minlength=n_nets).astype(np.int64)


@dataclass(eq=False)
class Wires:
    """Routed wiring of a design.

    Attributes:
        layers: routing/cut layer names used by the wiring (index = layer id here).
        via_names: via definition names used by the wiring.
        net_use: int8 (n_nets,) ``SignalUse`` of each netlist net (DEF ``+ USE``).
        regular: signal wiring; ``*_net`` index netlist nets.
        special_net_names: names of special (power/ground) nets.
        special_net_use: int8 (n_special,) ``SignalUse`` of each special net.
        special_conn_net: int32 (n_conns,) special net of each listed connection.
        special_conn_inst: int32 (n_conns,) netlist instance, -1 for ``*`` (every instance),
            -2 for a top-level ``PIN``.
        special_conn_term: int32 (n_conns,) index into ``special_terms`` (terminal or pin name).
        special_terms: terminal/pin names used by special net connections.
        special: power/ground wiring; ``*_net`` index ``special_net_names``.
    """

    layers: NameTable = field(default_factory=NameTable)
    via_names: NameTable = field(default_factory=NameTable)
    net_use: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    regular: Routing = field(default_factory=Routing)
    special_net_names: NameTable = field(default_factory=NameTable)
    special_net_use: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    special_conn_net: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    special_conn_inst: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    special_conn_term: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    special_terms: NameTable = field(default_factory=NameTable)
    special: Routing = field(default_factory=Routing)

    @classmethod
    def for_nets(cls, n_nets: int) -> Wires:
        """Empty wiring for a netlist with ``n_nets`` nets (all SIGNAL)."""
        return cls(net_use=np.zeros(n_nets, dtype=np.int8))
