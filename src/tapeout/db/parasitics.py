"""Extracted parasitics (what a SPEF file holds): per-net RC networks as struct-of-arrays.

Names are stored unescaped and fully resolved (no ``*123`` name-map references): a node is
``inst:PIN`` for an instance pin, ``port`` for a top-level port and ``net:7`` for an internal
node, using ``delimiter`` (normally ``:``) between the owner and the pin or node number.
Capacitances are in fF, resistances in ohm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.names import NameTable


def _empty(dtype: type) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


def _indptr() -> np.ndarray:
    return np.zeros(1, dtype=np.int64)


@dataclass(eq=False)
class SpefHeader:
    """The SPEF header: identification strings, separators and units.

    Attributes:
        standard: the ``*SPEF`` string, e.g. ``ieee 1481-1999``.
        design, date, vendor, program, version: header strings (without quotes).
        design_flow: the ``*DESIGN_FLOW`` strings (without quotes).
        divider: hierarchy divider, usually ``/``.
        delimiter: pin delimiter between an instance (or net) and its pin (or node), usually ``:``.
        bus_delimiter: bus bit brackets, e.g. ``[]``.
        time_unit_ps, cap_unit_ff, res_unit_ohm, inductance_unit_h: the file's unit scale
            factors in ps, fF, ohm and henry (``*T_UNIT 1 NS`` is 1000.0 ps, ``*C_UNIT 1 PF``
            is 1000.0 fF). Values in ``Parasitics`` are already converted to fF and ohm; these
            only say how the file wrote them (the writer uses them again).
    """

    standard: str = "ieee 1481-1999"
    design: str = ""
    date: str = ""
    vendor: str = ""
    program: str = ""
    version: str = ""
    design_flow: list[str] = field(default_factory=list)
    divider: str = "/"
    delimiter: str = ":"
    bus_delimiter: str = "[]"
    time_unit_ps: float = 1000.0
    cap_unit_ff: float = 1000.0
    res_unit_ohm: float = 1.0
    inductance_unit_h: float = 1.0


@dataclass(eq=False)
class Parasitics:
    """Parasitic RC networks of a design's nets.

    Attributes:
        header: units, separators and identification (``SpefHeader``).
        name_map: ``*NAME_MAP`` index -> unescaped name; kept so a written file uses the same
            short references. Names elsewhere are already resolved through it.
        port_names: top-level ports of ``*PORTS`` (unescaped).
        port_direction: int8 (n_ports,) ``PortDirection`` values (I=0, O=1, B=2).
        node_names: every node named in the file (``inst:PIN``, ``port``, ``net:7``).
        net_names: nets with a ``*D_NET`` section, in file order.
        net_total_cap_ff: float64 (n_nets,) total capacitance of each net in fF.
        net_conn_indptr: int64 (n_nets+1,) CSR row pointers of net -> connections.
        conn_node: int32 (n_conns,) node of each ``*CONN`` entry.
        conn_is_port: bool (n_conns,) True for ``*P`` (port), False for ``*I`` (instance pin).
        conn_direction: int8 (n_conns,) ``PortDirection`` value (I=0, O=1, B=2).
        conn_x, conn_y: float64 (n_conns,) ``*C`` coordinates in the file's distance unit (the
            SPEF standard says microns), NaN when absent.
        conn_load_ff: float64 (n_conns,) ``*L`` pin load in fF, NaN when absent.
        conn_driving_cell: int32 (n_conns,) index into ``cell_names`` of ``*D``, -1 when absent.
        cell_names: driving cell names.
        net_cap_indptr: int64 (n_nets+1,) CSR row pointers of net -> capacitors.
        cap_node1: int32 (n_caps,) first node of each ``*CAP`` entry.
        cap_node2: int32 (n_caps,) second node for a coupling capacitor, -1 for ground.
        cap_ff: float64 (n_caps,) capacitance in fF.
        net_res_indptr: int64 (n_nets+1,) CSR row pointers of net -> resistors.
        res_node1, res_node2: int32 (n_res,) the two nodes of each ``*RES`` entry.
        res_ohm: float64 (n_res,) resistance in ohm.
    """

    header: SpefHeader = field(default_factory=SpefHeader)
    name_map: dict[int, str] = field(default_factory=dict)
    port_names: NameTable = field(default_factory=NameTable)
    port_direction: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    node_names: NameTable = field(default_factory=NameTable)
    net_names: NameTable = field(default_factory=NameTable)
    net_total_cap_ff: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    net_conn_indptr: np.ndarray = field(default_factory=_indptr)
    conn_node: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    conn_is_port: np.ndarray = field(default_factory=lambda: _empty(np.bool_))
    conn_direction: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    conn_x: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    conn_y: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    conn_load_ff: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    conn_driving_cell: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    cell_names: NameTable = field(default_factory=NameTable)
    net_cap_indptr: np.ndarray = field(default_factory=_indptr)
    cap_node1: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    cap_node2: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    cap_ff: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    net_res_indptr: np.ndarray = field(default_factory=_indptr)
    res_node1: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    res_node2: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    res_ohm: np.ndarray = field(default_factory=lambda: _empty(np.float64))

    @property
    def n_nets(self) -> int:
        return len(self.net_names)

    def net_caps(self, net: int) -> np.ndarray:
        """Capacitor indices of ``net``: int64 (k,)."""
        return np.arange(self.net_cap_indptr[net], self.net_cap_indptr[net + 1], dtype=np.int64)

    def net_resistors(self, net: int) -> np.ndarray:
        """Resistor indices of ``net``: int64 (k,)."""
        return np.arange(self.net_res_indptr[net], self.net_res_indptr[net + 1], dtype=np.int64)

    def net_conns(self, net: int) -> np.ndarray:
        """Connection indices of ``net``: int64 (k,)."""
        return np.arange(self.net_conn_indptr[net], self.net_conn_indptr[net + 1], dtype=np.int64)

    def __repr__(self) -> str:
        return (
            f"Parasitics({self.header.design!r}: {self.n_nets} nets, "
            f"{len(self.node_names)} nodes, {self.cap_ff.size} caps, {self.res_ohm.size} res)"
        )
