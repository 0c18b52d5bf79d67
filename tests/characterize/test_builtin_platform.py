"""The built-in sky130hd platform: source order, the ``builtin`` root name, its files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tapeout import cli
from tapeout.characterize.fetch import Sky130Files
from tapeout.flow.config import load_config
from tapeout.formats.lef import read_lef
from tapeout.formats.liberty import read_liberty
from tapeout.platforms import get_platform, resolve
from tapeout.platforms.builtin import LAYER_MAP, LIBERTY, BuiltinSource


def test_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(resolve.PDK_ROOT_ENV, raising=False)
    sources = resolve.default_sources(None)
    assert isinstance(sources[-1], BuiltinSource)  # tried last
    assert resolve.default_sources(Path("builtin")) == [BuiltinSource()]
    monkeypatch.setenv(resolve.PDK_ROOT_ENV, "builtin")
    assert resolve.default_sources(None) == [BuiltinSource()]
    monkeypatch.setenv(resolve.PDK_ROOT_ENV, str(tmp_path))
    assert all(source.kind == "pdk_root" for source in resolve.default_sources(None))
    assert BuiltinSource().locate("nangate45") is None


CONFIG = """[design]
top = "top"
sources = ["top.v"]
clock_period_ns = 5.0
"""


def test_flow_takes_builtin_as_its_pdk_root(
    sky130_files: Sky130Files, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``builtin`` names the built-in platforms in a config's ``pdk_root`` and in
    ``tapeout run --pdk-root`` (not a folder of that name beside the config or here)."""
    monkeypatch.delenv(resolve.PDK_ROOT_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "top.v").write_text(
        "module top(input clk, input a, output reg q); always @(posedge clk) q <= ~a; endmodule\n"
    )
    config = tmp_path / "top.toml"
    config.write_text(CONFIG.replace("[design]\n", '[design]\npdk_root = "builtin"\n'))
    assert load_config(config).design.pdk_root == Path("builtin")
    config.write_text(CONFIG)
    run_dir = tmp_path / "run"
    args = ["run", str(config), "--pdk-root", "builtin", "--to", "synth", "--run-dir", str(run_dir)]
    assert cli.main([*args, "-q"]) == 0
    assert json.loads((run_dir / "run.json").read_text())["pdk_root"] == "builtin"
    assert (run_dir / "01_synth" / "top.v").is_file()


def test_packaged_files() -> None:
    assert LAYER_MAP.is_file()
    assert "met1     NET,SPNET,PIN,LEFPIN,VIA 68 20" in LAYER_MAP.read_text()


def test_builtin_platform(sky130_files: Sky130Files, monkeypatch: pytest.MonkeyPatch) -> None:
    if not LIBERTY.is_file():
        pytest.skip("the characterized Liberty is not generated yet")
    monkeypatch.delenv(resolve.PDK_ROOT_ENV, raising=False)
    platform = get_platform("sky130hd", pdk_root=Path("builtin"))
    assert platform.source == "builtin" and platform.site == "unithd"
    assert all(path.is_file() for path in platform.files())
    library = read_liberty(platform.liberty[0])
    lef = read_lef([platform.tech_lef, *platform.cell_lefs])
    assert "unithd" in lef.tech.sites
    for name in ("inv_1", "nand2_1", "dfxtp_1", "conb_1", "buf_4"):
        assert f"sky130_fd_sc_hd__{name}" in library.cells
    missing = [name for name in library.cells if name not in lef.macros]
    assert missing == []
    assert platform.tie_high[0] in library.cells and platform.min_buffer[0] in library.cells
    inverter = library.cells["sky130_fd_sc_hd__inv_1"]
    assert inverter.pins["Y"].timing[0].cell_rise is not None
    assert inverter.area == pytest.approx(3.7536)
    # every flip-flop and latch carries its minimum pulse widths: clock (both phases of a
    # flop, a latch's enable high) and clear/preset low, never below the edges' full ramp
    for name, cell in library.cells.items():
        if not cell.sequential:
            continue
        pulses = {
            pin: arc
            for pin, item in cell.pins.items()
            for arc in item.timing
            if arc.timing_type == "min_pulse_width"
        }
        flop = cell.sequential[0].kind == "ff"
        clock = cell.sequential[0].clocked_on if flop else cell.sequential[0].enable
        assert clock in pulses, name
        assert pulses[clock].rise_constraint is not None
        assert (pulses[clock].fall_constraint is not None) == flop
        for arc in pulses.values():
            for table in (arc.rise_constraint, arc.fall_constraint):
                if table is not None:
                    assert (table.values >= table.index_1 / 0.6 - 1e-6).all(), name


def test_rtl_clock_gate_maps_to_the_builtin_clock_gate_and_is_timed(
    sky130_files: Sky130Files, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The built-in Liberty has the integrated clock gate (dlclkp): RTL clock gating maps to
    it as on the official platform (before: a latch and an AND gate), and timing checks its
    enable against the clock with the characterized setup/hold."""
    from tapeout.db.constraints import Clock, Constraints, PortDelay
    from tapeout.formats.verilog import read_verilog
    from tapeout.log import Log
    from tapeout.synth import SynthOptions, synthesize
    from tapeout.timing import Timer

    monkeypatch.delenv(resolve.PDK_ROOT_ENV, raising=False)
    source = Path(__file__).resolve().parents[1] / "data" / "synth" / "explicit_clock_gate.v"
    options = SynthOptions(
        sources=(source,),
        top="explicit_clock_gate",
        platform="sky130hd",
        pdk_root=Path("builtin"),
        equivalence_check=True,
    )
    log = Log(echo=False)
    report = synthesize(options, tmp_path / "gated.v", log=log)
    assert report.equivalent is True
    assert report.count_by_cell["sky130_fd_sc_hd__dlclkp_1"] == 1
    assert report.flop_count == 4  # the latch went into the gate
    platform = get_platform("sky130hd", pdk_root=Path("builtin"))
    netlist = read_verilog(tmp_path / "gated.v", top="explicit_clock_gate")
    constraints = Constraints(
        clocks={"clk": Clock("clk", 2000.0, [0.0, 1000.0], [("port", "clk")])},
        input_delays=[PortDelay([("port", "en")], "clk", 1500.0)],
    )
    timer = Timer(netlist, [read_liberty(platform.liberty[0])], constraints)
    timer.update()
    pins, slack = timer.endpoint_slacks("setup")
    names = {
        netlist.pin_name(int(pin)): float(value) for pin, value in zip(pins, slack, strict=True)
    }
    (gate_pin,) = [name for name in names if name.endswith("/GATE")]
    # the enable, arriving 1.5 ns into a 2 ns cycle, meets the next rising edge less the
    # gate's setup time (0.1-0.4 ns)
    assert 100.0 < names[gate_pin] < 400.0


def test_tristate_ports_map_to_the_builtin_tristate_buffer(
    sky130_files: Sky130Files, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The built-in Liberty has the tri-state buffers (ebufn): synthesis finds them as it does
    in the official library (function one input, three_state the other) and maps tri-state
    port drivers to them instead of refusing; timing reads their enable and disable arcs."""
    from tapeout.formats.verilog import read_verilog
    from tapeout.log import Log
    from tapeout.synth import SynthOptions, synthesize
    from tapeout.synth.liberty_cache import library_facts

    monkeypatch.delenv(resolve.PDK_ROOT_ENV, raising=False)
    platform = get_platform("sky130hd", pdk_root=Path("builtin"))
    buffers = {cell.name: cell for cell in library_facts(platform.liberty[0]).tristate_buffers}
    assert sorted(buffers) == [f"sky130_fd_sc_hd__ebufn_{drive}" for drive in (1, 2, 4, 8)]
    assert all(
        (cell.data_pin, cell.enable_pin, cell.enable_low, cell.output_pin)
        == ("A", "TE_B", True, "Z")
        for cell in buffers.values()
    )
    library = read_liberty(platform.liberty[0])
    for name in ("einvp_1", "einvn_0"):  # inverting: no buffer, but in the library
        assert library.cells[f"sky130_fd_sc_hd__{name}"].pins["Z"].three_state
    source = tmp_path / "pad.v"
    source.write_text(
        "module pad(input oe, input d, inout io, output q);\n"
        "  assign io = oe ? d : 1'bz;\n  assign q = io;\nendmodule\n"
    )
    options = SynthOptions(
        sources=(source,),
        top="pad",
        platform="sky130hd",
        pdk_root=Path("builtin"),
        equivalence_check=True,
    )
    log = Log(echo=False)
    report = synthesize(options, tmp_path / "pad_out.v", log=log)
    assert report.equivalent is True
    mapped = [text for _, ident, text in log.messages if ident == "SYN-0006"]
    assert len(mapped) == 1 and "sky130_fd_sc_hd__ebufn_" in mapped[0]
    netlist = read_verilog(tmp_path / "pad_out.v", top="pad")
    masters = {netlist.masters[int(master)] for master in netlist.inst_master}
    (tristate,) = [name for name in masters if "ebufn" in name]
    kinds = {arc.timing_type for arc in library.cells[tristate].pins["Z"].timing}
    assert kinds == {"combinational", "three_state_enable", "three_state_disable"}
