"""Kernels against their slow references, on random inputs and a synthetic netlist."""

from __future__ import annotations

import numpy as np
import pytest

from tapeout.db.constraints import Clock, Constraints, PortDelay
from tapeout.db.liberty import LibertyLibrary, LutTable
from tapeout.db.synthetic import make_netlist
from tapeout.timing import Timer
from tapeout.timing._kernels.dmp import dmp_gate, dmp_load
from tapeout.timing._kernels.lookup import lookup_table
from tapeout.timing._kernels.rc import reduce_rc_tree
from tapeout.timing._kernels.reference import lookup_reference, propagate_reference
from tapeout.timing.delay import TableStoreBuilder


def random_store(rng: np.random.Generator, n_tables: int = 20):
    library = LibertyLibrary("test")
    builder = TableStoreBuilder()
    for _ in range(n_tables):
        nx, ny = rng.integers(1, 8, size=2)
        x = np.sort(rng.uniform(0.01, 2.0, nx))
        y = np.sort(rng.uniform(0.0005, 0.2, ny))
        table = LutTable(
            template="t",
            values=rng.uniform(0.0, 1.0, (nx, ny)),
            index_1=np.unique(x) if nx > 1 else x[:1],
            index_2=np.unique(y) if ny > 1 else y[:1],
            variable_1="input_net_transition",
            variable_2="total_output_net_capacitance",
        )
        if table.index_1.size != nx or table.index_2.size != ny:
            continue
        builder.add(table, library)
    return builder.build()


def test_lookup_matches_reference_inside_and_outside() -> None:
    rng = np.random.default_rng(1)
    store = random_store(rng)
    arrays = store.arrays()
    for table in range(store.table_nx.size):
        for _ in range(50):
            x = rng.uniform(-500.0, 3000.0)  # ps, beyond both ends
            y = rng.uniform(-50.0, 300.0)  # fF
            assert lookup_table(table, x, y, *arrays) == pytest.approx(
                lookup_reference(table, x, y, *arrays), rel=1e-9, abs=1e-9
            )


def test_lookup_is_exact_on_breakpoints_and_linear_outside() -> None:
    library = LibertyLibrary("test")
    builder = TableStoreBuilder()
    table = LutTable(
        template="t",
        values=np.array([[1.0, 2.0], [3.0, 5.0]]),
        index_1=np.array([0.1, 0.2]),
        index_2=np.array([0.01, 0.02]),
        variable_1="input_net_transition",
        variable_2="total_output_net_capacitance",
    )
    store_id = builder.add(table, library)
    store = builder.build()
    # ns -> ps and pF -> fF
    assert store.lookup(store_id, 200.0, 20.0) == pytest.approx(5000.0)
    assert store.lookup(store_id, 100.0, 10.0) == pytest.approx(1000.0)
    # linear extrapolation from the last two breakpoints along x
    assert store.lookup(store_id, 300.0, 10.0) == pytest.approx(5000.0)


def test_transposed_table_axes() -> None:
    """A table whose first variable is the load is stored with slew first."""
    library = LibertyLibrary("test")
    builder = TableStoreBuilder()
    table = LutTable(
        template="t",
        values=np.array([[1.0, 3.0], [2.0, 5.0]]),  # rows: load, columns: slew
        index_1=np.array([0.01, 0.02]),
        index_2=np.array([0.1, 0.2]),
        variable_1="total_output_net_capacitance",
        variable_2="input_net_transition",
    )
    store_id = builder.add(table, library)
    store = builder.build()
    assert store.lookup(store_id, 200.0, 10.0) == pytest.approx(3000.0)
    assert store.lookup(store_id, 100.0, 20.0) == pytest.approx(2000.0)


def synthetic_timer(library: LibertyLibrary, n_insts: int, seed: int) -> Timer:
    netlist = make_netlist(n_insts, seed=seed, n_inputs=8, n_outputs=8)
    inputs = [("port", f"in[{i}]") for i in range(8)]
    outputs = [("port", f"out[{i}]") for i in range(8)]
    constraints = Constraints(
        clocks={"clk": Clock("clk", 2000.0, [0.0, 1000.0], [("port", "clk")])},
        input_delays=[PortDelay(inputs, "clk", 100.0)],
        output_delays=[PortDelay(outputs, "clk", 100.0)],
        input_transitions_ps={ref: 50.0 for ref in inputs},
    )
    timer = Timer(netlist, [library], constraints)
    timer.update()
    return timer


def test_propagation_matches_reference(sky130_library: LibertyLibrary) -> None:
    timer = synthetic_timer(sky130_library, 300, seed=5)
    graph = timer.graph
    # The reference has no ideal clock network: compare on data pins only.
    source = timer.source_arrival_max.copy()
    arrival, slew = propagate_reference(
        graph.order,
        graph.arc_from,
        graph.arc_to,
        graph.arc_kind,
        graph.arc_delay_table,
        graph.arc_slew_table,
        timer.wires.load_cap_ff,
        graph.tables.arrays(),
        source,
        timer.source_slew_ps,
    )
    data = ~timer.clock_network
    timed = np.isfinite(timer.arrival_max_ps) & data[:, None]
    assert timed.sum() > 100
    np.testing.assert_allclose(timer.arrival_max_ps[timed], arrival[timed], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(timer.slew_max_ps[data], slew[data], rtol=1e-9, atol=1e-6)


def test_synthetic_netlist_times_every_flop(sky130_library: LibertyLibrary) -> None:
    timer = synthetic_timer(sky130_library, 500, seed=2)
    pins, slack = timer.endpoint_slacks("setup")
    n_flops = int((timer.netlist.inst_master == 5).sum())
    assert pins.size >= n_flops and np.isfinite(slack).all()
    hold_pins, hold = timer.endpoint_slacks("hold")
    assert hold_pins.size >= n_flops and (hold > -1000).all()


def test_rc_tree_pi_model_of_a_chain() -> None:
    # root -R- a -R- b with caps at a and b: y1 = C_total, Elmore(b) = R(Ca+Cb) + R Cb
    caps = np.array([0.0, 2.0, 3.0])
    elmore, near, resistance, far = reduce_rc_tree(
        3, 0, caps, np.array([0, 1]), np.array([1, 2]), np.array([100.0, 200.0])
    )
    assert elmore[2] == pytest.approx((100 * 5 + 200 * 3) * 1e-3)
    assert near + far == pytest.approx(5.0)
    assert resistance > 0 and far > 0


def test_dmp_on_a_nearly_lumped_load_gives_the_table(sky130_library: LibertyLibrary) -> None:
    builder = TableStoreBuilder()
    cell = sky130_library.cells["sky130_fd_sc_hd__inv_2"]
    arc = cell.pins["Y"].timing[0]
    delay_id = builder.add(arc.cell_rise, sky130_library)
    slew_id = builder.add(arc.rise_transition, sky130_library)
    store = builder.build()
    state = np.zeros(6)
    delay, _slew = dmp_gate(
        delay_id, slew_id, 50.0, 5.0, 1e-4, 5.0, 0.5, 0.2, 0.8, *store.arrays(), state
    )
    assert delay == pytest.approx(store.lookup(delay_id, 50.0, 10.0), rel=0.01)
    # a resistive load shields its far capacitance: less delay than the lumped total
    delay_pi, slew_pi = dmp_gate(
        delay_id, slew_id, 50.0, 2.0, 2.0, 8.0, 0.5, 0.2, 0.8, *store.arrays(), state
    )
    assert delay_pi < store.lookup(delay_id, 50.0, 10.0)
    wire_delay, load_slew = dmp_load(5.0, 2.0, 2.0, 8.0, 0.5, 0.2, 0.8, state)
    assert wire_delay > 0 and load_slew >= slew_pi
