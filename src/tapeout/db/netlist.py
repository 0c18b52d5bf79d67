"""The flat gate-level netlist as struct-of-arrays: instances, ports, nets and pins.

A *pin* is one connection of a net: either an instance terminal (``pin_inst >= 0``, ``pin_term``
indexes ``terms``, the table of master pin names such as ``A`` or ``Q``) or a top-level port
(``pin_inst == -1``, ``pin_term`` is the port index). Bus bits are separate ports and nets named
``name[3]``. Constant drivers are the nets named ``1'b0`` and ``1'b1`` (see ``CONST0``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from tapeout.db.names import NameTable

CONST0 = "1'b0"
CONST1 = "1'b1"


class PortDirection(enum.IntEnum):
    """Direction of a top-level port or a master pin."""

    INPUT = 0
    OUTPUT = 1
    INOUT = 2
    FEEDTHRU = 3


def _empty(dtype: type) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


@dataclass(eq=False)
class Netlist:
    """A flat netlist.

    Attributes:
        top: name of the top module.
        masters: cell type names used by instances (master id = index).
        terms: master pin names (``A``, ``X``, ``Q``, ...) shared by all masters.
        inst_names: instance names; hierarchical names keep their ``/`` or ``.`` separators.
        inst_master: int32 (n_insts,) master id of each instance.
        port_names: top-level port names (bus bits as ``a[3]``).
        port_direction: int8 (n_ports,) ``PortDirection`` values.
        net_names: net names.
        pin_inst: int32 (n_pins,) instance of each pin, -1 for a top-level port.
        pin_term: int32 (n_pins,) index into ``terms``, or the port index when ``pin_inst == -1``.
        pin_net: int32 (n_pins,) net of each pin.
        net_pin_indptr: int64 (n_nets+1,) CSR row pointers of net -> pins.
        net_pin_indices: int64 (n_pins,) pins of each net, in pin order within a net.
    """

    top: str = "top"
    masters: NameTable = field(default_factory=NameTable)
    terms: NameTable = field(default_factory=NameTable)
    inst_names: NameTable = field(default_factory=NameTable)
    inst_master: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    port_names: NameTable = field(default_factory=NameTable)
    port_direction: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    net_names: NameTable = field(default_factory=NameTable)
    pin_inst: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    pin_term: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    pin_net: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    net_pin_indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    net_pin_indices: np.ndarray = field(default_factory=lambda: _empty(np.int64))

    @property
    def n_insts(self) -> int:
        return len(self.inst_names)

    @property
    def n_nets(self) -> int:
        return len(self.net_names)

    @property
    def n_ports(self) -> int:
        return len(self.port_names)

    @property
    def n_pins(self) -> int:
        return int(self.pin_net.shape[0])

    def build_index(self) -> None:
        """Recompute the net -> pin CSR from ``pin_net`` (call after changing pins)."""
        order = np.argsort(self.pin_net, kind="stable")
        counts = np.bincount(self.pin_net, minlength=self.n_nets)
        self.net_pin_indptr = np.zeros(self.n_nets + 1, dtype=np.int64)
        np.cumsum(counts, out=self.net_pin_indptr[1:])
        self.net_pin_indices = order.astype(np.int64, copy=False)

    def net_pins(self, net: int) -> np.ndarray:
        """Pin indices of ``net``: int64 (k,)."""
        return self.net_pin_indices[self.net_pin_indptr[net] : self.net_pin_indptr[net + 1]]

    def inst_pin_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """Instance -> pin CSR ``(indptr int64 (n_insts+1,), indices int64 (k,))``.

        Port pins (``pin_inst == -1``) are left out.
        """
        inst_pins = np.flatnonzero(self.pin_inst >= 0)
        owners = self.pin_inst[inst_pins]
        order = np.argsort(owners, kind="stable")
        counts = np.bincount(owners, minlength=self.n_insts)
        indptr = np.zeros(self.n_insts + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return indptr, inst_pins[order].astype(np.int64)

    def pin_name(self, pin: int) -> str:
        """``inst/TERM`` for an instance pin, the port name for a port pin."""
        inst = int(self.pin_inst[pin])
        if inst < 0:
            return self.port_names[int(self.pin_term[pin])]
        return f"{self.inst_names[inst]}/{self.terms[int(self.pin_term[pin])]}"

    def constant_value(self, net: int) -> int | None:
        """0 or 1 when ``net`` is a constant net (``1'b0``/``1'b1``), else None."""
        name = self.net_names[net]
        if name == CONST0:
            return 0
        if name == CONST1:
            return 1
        return None

    def __repr__(self) -> str:
        return (
            f"Netlist({self.top!r}: {self.n_insts} insts, {self.n_nets} nets, "
            f"{self.n_ports} ports, {self.n_pins} pins)"
        )


class NetlistBuilder:
    """Grows a netlist one instance/port/connection at a time, then freezes it to arrays.

    Readers with millions of objects may fill the arrays directly instead; this is the easy path.
    """

    def __init__(self, top: str = "top") -> None:
        self.top = top
        self.masters = NameTable()
        self.terms = NameTable()
        self.inst_names = NameTable()
        self.port_names = NameTable()
        self.net_names = NameTable()
        self._inst_master: list[int] = []
        self._port_direction: list[int] = []
        self._pin_inst: list[int] = []
        self._pin_term: list[int] = []
        self._pin_net: list[int] = []

    def add_instance(self, name: str, master: str) -> int:
        """Add instance ``name`` of cell ``master``; ValueError if the name exists."""
        if name in self.inst_names:
            raise ValueError(f"duplicate instance {name!r}")
        self._inst_master.append(self.masters.add(master))
        return self.inst_names.add(name)

    def add_port(self, name: str, direction: PortDirection) -> int:
        """Add top-level port ``name``; ValueError if it exists."""
        if name in self.port_names:
            raise ValueError(f"duplicate port {name!r}")
        self._port_direction.append(int(direction))
        return self.port_names.add(name)

    def net(self, name: str) -> int:
        """Index of net ``name``, created if new."""
        return self.net_names.add(name)

    def connect(self, inst: int, term: str, net: int) -> int:
        """Connect terminal ``term`` of instance ``inst`` to ``net``; returns the pin index."""
        self._pin_inst.append(inst)
        self._pin_term.append(self.terms.add(term))
        self._pin_net.append(net)
        return len(self._pin_net) - 1

    def connect_port(self, port: int, net: int) -> int:
        """Connect top-level port ``port`` to ``net``; returns the pin index."""
        self._pin_inst.append(-1)
        self._pin_term.append(port)
        self._pin_net.append(net)
        return len(self._pin_net) - 1

    def build(self) -> Netlist:
        """The frozen netlist with its CSR index."""
        netlist = Netlist(
            top=self.top,
            masters=self.masters,
            terms=self.terms,
            inst_names=self.inst_names,
            inst_master=np.asarray(self._inst_master, dtype=np.int32),
            port_names=self.port_names,
            port_direction=np.asarray(self._port_direction, dtype=np.int8),
            net_names=self.net_names,
            pin_inst=np.asarray(self._pin_inst, dtype=np.int32),
            pin_term=np.asarray(self._pin_term, dtype=np.int32),
            pin_net=np.asarray(self._pin_net, dtype=np.int32),
        )
        netlist.build_index()
        return netlist
