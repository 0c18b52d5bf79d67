"""Random but realistic netlists of any size, for benchmarks and scale tests.

Cells come from a small generic menu (inverters, 2/3-input gates, flops) whose names can be mapped
to any platform's masters; nets have the fanout spread of synthesized logic (mostly 1-4 sinks,
a long tail), and every net has exactly one driver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tapeout.db.names import NameTable
from tapeout.db.netlist import Netlist


@dataclass(frozen=True)
class CellKind:
    """A master of the synthetic menu: its name, input terminals and one output terminal."""

    master: str
    inputs: tuple[str, ...]
    output: str


SKY130_MENU: tuple[CellKind, ...] = (
    CellKind("sky130_fd_sc_hd__inv_1", ("A",), "Y"),
    CellKind("sky130_fd_sc_hd__nand2_1", ("A", "B"), "Y"),
    CellKind("sky130_fd_sc_hd__nor2_1", ("A", "B"), "Y"),
    CellKind("sky130_fd_sc_hd__a21oi_1", ("A1", "A2", "B1"), "Y"),
    CellKind("sky130_fd_sc_hd__buf_1", ("A",), "X"),
    CellKind("sky130_fd_sc_hd__dfxtp_1", ("D", "CLK"), "Q"),
)
_MENU_WEIGHTS = np.array([0.2, 0.25, 0.15, 0.15, 0.1, 0.15])


def make_netlist(
    n_insts: int,
    *,
    seed: int = 0,
    n_inputs: int = 64,
    n_outputs: int = 64,
    menu: tuple[CellKind, ...] = SKY130_MENU,
    weights: np.ndarray | None = None,
    logic_depth: int | None = None,
) -> Netlist:
    """A connected random netlist with ``n_insts`` instances (deterministic for ``seed``).

    Each instance drives one net; inputs connect to earlier drivers with a locality bias so the
    netlist has the clustered structure of real logic. Flops' ``CLK`` pins go to port ``clk``.

    ``logic_depth``: when given, every gate gets a random level in ``1..logic_depth`` (flops 0)
    and takes its inputs only from lower levels (an input that would not is redirected to the
    nearest earlier flop, or a port), so no path between flops is longer than ``logic_depth``
    gates, as in synthesized logic. When None, gates feed from any earlier gate and paths grow
    with the netlist (thousands of levels at 1M instances): a stress case for timing.
    """
    rng = np.random.default_rng(seed)
    weights = _MENU_WEIGHTS if weights is None else weights
    kinds = rng.choice(len(menu), size=n_insts, p=weights / weights.sum()).astype(np.int32)
    terms = NameTable()
    for kind in menu:
        for t in (*kind.inputs, kind.output):
            terms.add(t)

    ports = (
        ["clk"] + [f"in[{i}]" for i in range(n_inputs)] + [f"out[{i}]" for i in range(n_outputs)]
    )
    directions = [0] + [0] * n_inputs + [1] * n_outputs
    # Nets: one per port input (clk + inputs) then one per instance output.
    n_in_nets = 1 + n_inputs
    net_names = ["clk"] + [f"in[{i}]" for i in range(n_inputs)] + [f"n{i}" for i in range(n_insts)]
    inst_names = [f"g{i}" for i in range(n_insts)]

    n_terms_of = np.array([len(k.inputs) + 1 for k in menu], dtype=np.int64)
    per_inst = n_terms_of[kinds]
    n_inst_pins = int(per_inst.sum())
    starts = np.zeros(n_insts + 1, dtype=np.int64)
    np.cumsum(per_inst, out=starts[1:])
    pin_inst = np.repeat(np.arange(n_insts, dtype=np.int32), per_inst)
    local = np.arange(n_inst_pins, dtype=np.int64) - starts[pin_inst]
    term_table = np.full((len(menu), int(n_terms_of.max())), -1, dtype=np.int32)
    is_output = np.zeros_like(term_table, dtype=bool)
    is_clock = np.zeros_like(term_table, dtype=bool)
    for k, kind in enumerate(menu):
        names = (*kind.inputs, kind.output)
        for j, t in enumerate(names):
            term_table[k, j] = terms.index(t)
            is_output[k, j] = j == len(names) - 1
            is_clock[k, j] = t == "CLK"
    pin_term = term_table[kinds[pin_inst], local]
    out_mask = is_output[kinds[pin_inst], local]
    clk_mask = is_clock[kinds[pin_inst], local]

    pin_net = np.empty(n_inst_pins, dtype=np.int64)
    pin_net[out_mask] = n_in_nets + pin_inst[out_mask]
    pin_net[clk_mask] = 0
    sink = ~out_mask & ~clk_mask
    sink_inst = pin_inst[sink].astype(np.int64)
    # Locality: most inputs come from a driver a short (geometric) distance back.
    back = rng.geometric(0.02, size=sink_inst.size)
    source = sink_inst - back
    far = rng.random(sink_inst.size) < 0.03
    source[far] = rng.integers(-n_inputs, np.maximum(sink_inst[far], 1))
    if logic_depth is not None:
        source = _bound_depth(source, sink_inst, kinds, menu, logic_depth, n_inputs, rng)
    from_port = source < 0
    pin_net[sink] = np.where(
        from_port, 1 + (np.abs(source) % max(n_inputs, 1)), n_in_nets + np.maximum(source, 0)
    )
    # Outputs watch the last instances' nets.
    out_nets = n_in_nets + (n_insts - 1 - np.arange(n_outputs) % max(n_insts, 1))
    port_pin_net = np.concatenate([np.arange(n_in_nets), out_nets]).astype(np.int64)

    netlist = Netlist(
        top=f"synthetic_{n_insts}",
        masters=NameTable(k.master for k in menu),
        terms=terms,
        inst_names=NameTable(inst_names),
        inst_master=kinds,
        port_names=NameTable(ports),
        port_direction=np.asarray(directions, dtype=np.int8),
        net_names=NameTable(net_names),
        pin_inst=np.concatenate([np.full(len(ports), -1, np.int32), pin_inst]),
        pin_term=np.concatenate([np.arange(len(ports), dtype=np.int32), pin_term]),
        pin_net=np.concatenate([port_pin_net, pin_net]).astype(np.int32),
    )
    netlist.build_index()
    return netlist


def _bound_depth(
    source: np.ndarray,
    sink_inst: np.ndarray,
    kinds: np.ndarray,
    menu: tuple[CellKind, ...],
    logic_depth: int,
    n_inputs: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Redirect gate inputs so levels strictly increase along every gate-to-gate connection.

    source: int64 (k,) driving instance per sink pin (negative: a port); sink_inst: int64 (k,).
    """
    if logic_depth < 1:
        raise ValueError("logic_depth must be at least 1")
    sequential = np.array(["CLK" in kind.inputs for kind in menu])[kinds]
    level = np.where(sequential, 0, rng.integers(1, logic_depth + 1, size=kinds.size))
    # Index of the nearest flop at or before each instance (-1: none yet).
    last_flop = np.maximum.accumulate(np.where(sequential, np.arange(kinds.size), -1))
    source = source.copy()
    gate_sink = ~sequential[sink_inst]
    from_gate = source >= 0
    bad = gate_sink & from_gate
    bad[bad] = level[source[bad]] >= level[sink_inst[bad]]
    redirected = last_flop[source[bad]]
    # No earlier flop: take a primary input instead (negative source = port).
    source[bad] = np.where(redirected >= 0, redirected, -1 - (source[bad] % max(n_inputs, 1)))
    return source
