"""Path exceptions resolved onto the timing graph's pins: false paths, multicycle paths,
max/min delays and clock groups, with OpenSTA's priorities; and the pin lookup of SDC object
references that constraint resolution shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.constraints import Constraints, ObjectRef, PathException
from tapeout.db.netlist import Netlist
from tapeout.log import Log

EXCEPTION_TYPE_PRIORITY = {
    "false_path": 3000,
    "max_delay": 2000,
    "min_delay": 2000,
    "multicycle_path": 1000,
}
TO_PINS_PRIORITY = 32


@dataclass(eq=False)
class FromException:
    """A false path, multicycle path or max/min delay with ``-from``, ``-through`` or ``-to``
    clocks (every max/min delay comes here; plain ``-to`` pin false/multicycle paths are
    arrays on ``ResolvedConstraints``).

    It applies to the paths launched by a clock in ``from_clocks`` or starting at a pin in
    ``from_pins`` (input ports, register clock pins: the Timer gives those start points launch
    passes of their own) that pass the ``throughs`` pin sets in order.

    Attributes:
        false_setup, false_hold: the path is false for setup (and recovery) / hold (removal).
        multicycle_setup, multicycle_hold: multipliers (None: not set by this exception).
        from_clocks: clock indices; from_pins: int64 (k,) pins named by ``-from`` (ports,
            instance pins, every pin of a named instance; the Timer keeps the start points);
            from_all: no ``-from`` (every launch).
        targets: bool (n_pins,) endpoints it applies to, or None for every endpoint.
        to_clocks: capture clock indices it applies to (None: every capture clock).
        from_registers: ``-from [all_registers]`` (every register clock pin).
        max_delay_ps, min_delay_ps: ``set_max_delay``/``set_min_delay``: the path's required
            time is its launch edge plus this (less the setup / plus the hold time, or less
            the output delay) instead of the capture clock edge.
        priority: OpenSTA's priority (the highest matching exception of a path wins).
        points: the exception's ``-from``/``-through``/``-to`` objects as text (multicycle
            ``-setup`` and ``-hold`` on the same points merge into one exception).
        throughs: int64 (k,) pins of each ``-through`` list (a net: its pins; an instance:
            its pins), in SDC order; through_rfs: per list, the path's transition at its
            pins (0 ``-rise_through``, 1 ``-fall_through``, None either).
        launch_rf: ``-rise_from``/``-fall_from`` clocks: the launching clock edge (0 rise,
            1 fall; None either); start_rf: ``-rise_from``/``-fall_from`` pins, ports or
            instances: the transition at the start pin (a port's data, a register clock
            pin's clock); capture_rf: ``-rise_to``/``-fall_to`` clocks: the capturing
            edge; data_rf: ``-rise_to``/``-fall_to`` pins or ``-rise``/``-fall``: the data
            transition at the endpoint.
    """

    false_setup: bool
    false_hold: bool
    multicycle_setup: int | None
    multicycle_hold: int | None
    from_clocks: set[int]
    from_pins: np.ndarray
    targets: np.ndarray | None
    from_all: bool = False
    to_clocks: set[int] | None = None
    throughs: list[np.ndarray] = field(default_factory=list)
    through_rfs: list[int | None] = field(default_factory=list)
    from_registers: bool = False
    max_delay_ps: float | None = None
    min_delay_ps: float | None = None
    priority: int = 0
    points: str = ""
    launch_rf: int | None = None
    start_rf: int | None = None
    capture_rf: int | None = None
    data_rf: int | None = None


class PinResolver:
    """SDC object references (ports, pins, nets, instances, all_inputs/all_outputs) to the
    netlist's pin indices; an unknown object warns ``STA-0010`` and gives none."""

    def __init__(self, netlist: Netlist, log: Log) -> None:
        self.netlist = netlist
        self.log = log
        port_pins = np.flatnonzero(netlist.pin_inst < 0)
        self.port_pin = {netlist.port_names[int(netlist.pin_term[p])]: int(p) for p in port_pins}
        self._inst_pins: dict[str, int] | None = None

    def pins(self, refs: list[ObjectRef]) -> list[int]:
        result: list[int] = []
        for kind, name in refs:
            if kind == "port":
                pin = self.port_pin.get(name)
                if pin is not None:
                    result.append(pin)
                    continue
            elif kind == "pin":
                if self._inst_pins is None:
                    netlist = self.netlist
                    self._inst_pins = {
                        netlist.pin_name(p): p
                        for p in range(netlist.n_pins)
                        if netlist.pin_inst[p] >= 0
                    }
                pin = self._inst_pins.get(name)
                if pin is not None:
                    result.append(pin)
                    continue
            elif kind == "net":
                net = self.netlist.net_names.get(name)
                if net >= 0:
                    result.extend(int(p) for p in self.netlist.net_pins(net))
                    continue
            elif kind == "cell":
                inst = self.netlist.inst_names.get(name)
                if inst >= 0:
                    result.extend(np.flatnonzero(self.netlist.pin_inst == inst).tolist())
                    continue
            elif kind == "all_inputs":
                result.extend(
                    p
                    for port, p in self.port_pin.items()
                    if self.netlist.port_direction[self.netlist.port_names.index(port)] != 1
                )
                continue
            elif kind == "all_outputs":
                result.extend(
                    p
                    for port, p in self.port_pin.items()
                    if self.netlist.port_direction[self.netlist.port_names.index(port)] == 1
                )
                continue
            self.log.warn("STA-0010", f"constraint object {kind} {name} not found; ignored")
        return result


def resolve_exceptions(
    constraints: Constraints,
    clock_names: list[str],
    resolver: PinResolver,
    clock_index: dict[str, int],
    n_pins: int,
    log: Log,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[FromException]]:
    """The SDC's path exceptions and ``set_clock_groups`` on the graph's pins: plain ``-to``
    pin false paths and multicycle paths as per-pin arrays (false endpoints, setup and hold
    multipliers), every other exception as a ``FromException``."""
    false_endpoints = np.zeros(n_pins, dtype=bool)
    multicycle_setup = np.ones(n_pins, dtype=np.int64)
    multicycle_hold = np.zeros(n_pins, dtype=np.int64)
    from_exceptions: list[FromException] = []
    group_exceptions = _clock_group_exceptions(constraints, clock_names, log)
    for exception in [*constraints.exceptions, *group_exceptions]:
        if exception.kind not in EXCEPTION_TYPE_PRIORITY:
            log.warn("STA-0014", f"{exception.kind} is not supported yet; ignored")
            continue
        if (
            exception.kind in ("max_delay", "min_delay")
            or exception.from_objects
            or exception.through
            or any(kind == "clock" for kind, _ in exception.to_objects)
            or (exception.kind == "false_path" and not (exception.setup and exception.hold))
            or (exception.from_rf, exception.to_rf, exception.end_rf) != (None, None, None)
        ):
            resolved_from = _resolve_from(exception, resolver, clock_index, n_pins, log)
            if resolved_from is not None:
                _merge_or_append(from_exceptions, resolved_from)
            continue
        targets = (
            resolver.pins(exception.to_objects) if exception.to_objects else list(range(n_pins))
        )
        if exception.kind == "false_path":
            false_endpoints[targets] = True
        elif exception.hold and not exception.setup:
            multicycle_hold[targets] = exception.multiplier
        else:
            multicycle_setup[targets] = exception.multiplier
    return false_endpoints, multicycle_setup, multicycle_hold, from_exceptions


def _clock_group_exceptions(
    constraints: Constraints, clock_names: list[str], log: Log
) -> list[PathException]:
    """``set_clock_groups`` as false paths between its groups, both ways (asynchronous and
    exclusive groups alike: no path between them is timed, as in OpenSTA). A single ``-group``
    stands against every other clock."""
    known = set(clock_names)
    exceptions = []
    for entry in constraints.clock_groups:
        groups = [[name for name in group if name in known] for group in entry.groups]
        unknown = sorted({name for group in entry.groups for name in group} - known)
        if unknown:
            log.warn("STA-0016", f"set_clock_groups names unknown clocks {unknown}; ignored")
        if len(groups) == 1:
            groups.append([name for name in clock_names if name not in groups[0]])
        for i, first in enumerate(groups):
            for j, second in enumerate(groups):
                if i != j and first and second:
                    exceptions.append(
                        PathException(
                            "false_path",
                            from_objects=[("clock", name) for name in first],
                            to_objects=[("clock", name) for name in second],
                        )
                    )
    return exceptions


def _priority(exception: PathException) -> int:
    """OpenSTA's exception priority: the type, then how specific the path points are (start
    pins, end pins, ``-through``, start clocks, end clocks); the highest matching one wins."""
    priority = EXCEPTION_TYPE_PRIORITY[exception.kind]
    if any(kind != "clock" for kind, _ in exception.from_objects):
        priority += 64
    if any(kind != "clock" for kind, _ in exception.to_objects):
        priority += TO_PINS_PRIORITY
    if exception.through:
        priority += 16
    if any(kind == "clock" for kind, _ in exception.from_objects):
        priority += 8
    if any(kind == "clock" for kind, _ in exception.to_objects):
        priority += 4
    return priority


def _merge_or_append(exceptions: list[FromException], new: FromException) -> None:
    """Append ``new``; a multicycle ``-setup`` and ``-hold`` pair on the same path points is
    one exception with both multipliers (as in OpenSTA)."""
    if new.multicycle_setup is not None or new.multicycle_hold is not None:
        for old in exceptions:
            if old.points == new.points and (
                old.multicycle_setup is not None or old.multicycle_hold is not None
            ):
                if new.multicycle_setup is not None:
                    old.multicycle_setup = new.multicycle_setup
                if new.multicycle_hold is not None:
                    old.multicycle_hold = new.multicycle_hold
                return
    exceptions.append(new)


def _resolve_from(
    exception: PathException,
    resolver: PinResolver,
    clock_index: dict[str, int],
    n_pins: int,
    log: Log,
) -> FromException | None:
    """An exception with ``-from`` clocks or pins (ports, instance pins, instances), with
    ``-through`` pin lists, or with ``-to`` clocks; None (with a warning) when it cannot apply."""
    clocks: set[int] = set()
    ports: list[ObjectRef] = []
    registers = False
    for kind, name in exception.from_objects:
        if kind == "clock" and name in clock_index:
            clocks.add(clock_index[name])
        elif kind in ("port", "all_inputs", "pin", "cell"):
            ports.append((kind, name))
        elif kind == "all_registers" and "-data_pins" not in name and "-output_pins" not in name:
            registers = True
        else:
            log.warn(
                "STA-0016",
                f"{exception.kind} -from {kind} {name} is not supported yet (clocks, ports, "
                "pins and instances are); ignored",
            )
            return None
    throughs = []
    for refs in exception.through:
        pins = np.unique(np.asarray(resolver.pins(refs), dtype=np.int64))
        if pins.size == 0:
            log.warn("STA-0015", f"{exception.kind} -through matches no pin; ignored")
            return None
        throughs.append(pins)
    to_clocks = {clock_index[name] for kind, name in exception.to_objects if kind == "clock"}
    if any(kind == "clock" and name not in clock_index for kind, name in exception.to_objects):
        log.warn("STA-0016", f"{exception.kind} -to names an unknown clock; ignored")
        return None
    to_pins = [(kind, name) for kind, name in exception.to_objects if kind != "clock"]
    # the launching clock edge (-rise_from/-fall_from on clocks only; on start pins it
    # selects the transition there, ``start_rf``)
    launch_rf = exception.from_rf if len(clocks) == len(exception.from_objects) else None
    # -rise_to/-fall_to on pins and ports and -rise/-fall select the data transition at the
    # endpoint; -rise_to/-fall_to on clocks the capturing edge (as Debian sta does).
    data_rf = exception.to_rf if to_pins and exception.to_rf is not None else exception.end_rf
    capture_rf = exception.to_rf if not to_pins else None
    targets = None
    if to_pins:
        targets = np.zeros(n_pins, dtype=bool)
        targets[resolver.pins(to_pins)] = True
    false = exception.kind == "false_path"
    setup_multiplier = hold_multiplier = None
    if exception.kind == "multicycle_path":
        if exception.hold and not exception.setup:
            hold_multiplier = exception.multiplier
        else:
            setup_multiplier = exception.multiplier
    return FromException(
        false_setup=false and exception.setup,
        false_hold=false and exception.hold,
        multicycle_setup=setup_multiplier,
        multicycle_hold=hold_multiplier,
        max_delay_ps=exception.value_ps if exception.kind == "max_delay" else None,
        min_delay_ps=exception.value_ps if exception.kind == "min_delay" else None,
        from_clocks=clocks,
        from_pins=np.unique(np.asarray(resolver.pins(ports), dtype=np.int64)),
        targets=targets,
        from_all=not exception.from_objects,
        to_clocks=to_clocks or None,
        throughs=throughs,
        through_rfs=exception.through_edges(),
        from_registers=registers,
        priority=_priority(exception),
        points=repr(
            (
                exception.from_objects,
                exception.through,
                exception.through_rf,
                exception.to_objects,
                exception.from_rf,
                exception.to_rf,
                exception.end_rf,
            )
        ),
        launch_rf=launch_rf,
        start_rf=exception.from_rf if ports or registers else None,
        capture_rf=capture_rf,
        data_rf=data_rf,
    )
