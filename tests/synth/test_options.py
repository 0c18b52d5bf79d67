"""SynthOptions validation and the SDC clock period."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.errors import ConfigError, InputFileError, ParseError
from tapeout.synth import SynthOptions, read_sdc_clock_period_ps
from tests.conftest import DATA

FEATURES = DATA / "synth" / "features.v"


def options(**changes: object) -> SynthOptions:
    values: dict[str, object] = {"sources": (FEATURES,), "top": "features"}
    values.update(changes)
    return SynthOptions(**values)  # type: ignore[arg-type]


def test_valid_options_pass() -> None:
    options().validate()
    options(clock_period_ps=1000.0, defines=(("SYNTHESIS", ""),)).validate()


@pytest.mark.parametrize(
    "changes",
    [
        {"sources": ()},
        {"top": ""},
        {"top": "has space"},
        {"clock_period_ps": 0.0},
        {"clock_period_ps": -5.0},
        {"defines": (("1BAD", "x"),)},
        {"parameters": (("WIDTH", ""),)},
        {"parameters": (("WIDTH", "3; rm"),)},
        {"extra_dont_use": ("two words",)},
        {"frontend": "vhdl"},
    ],
)
def test_impossible_values_raise_config_error(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        options(**changes).validate()


def test_missing_files_raise_input_file_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        options(sources=(tmp_path / "missing.v",)).validate()
    assert caught.value.file == str(tmp_path / "missing.v")
    with pytest.raises(InputFileError):
        options(sdc=tmp_path / "missing.sdc").validate()
    with pytest.raises(InputFileError):
        options(include_dirs=(tmp_path / "nowhere",)).validate()


def test_frontend_choice() -> None:
    assert not options().uses_slang()
    assert options(sources=(DATA / "synth" / "sv_pipeline.sv",)).uses_slang()
    assert options(frontend="slang").uses_slang()
    assert not options(
        sources=(DATA / "synth" / "sv_pipeline.sv",), frontend="verilog"
    ).uses_slang()


def test_sdc_period_through_a_variable(tmp_path: Path) -> None:
    sdc = tmp_path / "c.sdc"
    sdc.write_text(
        "current_design gcd\nset clk_period 1.1\n"
        "create_clock -name core_clock -period $clk_period [get_ports clk]\n"
    )
    assert read_sdc_clock_period_ps(sdc) == pytest.approx(1100.0)
    assert options(sdc=sdc).resolved_clock_period_ps() == pytest.approx(1100.0)
    assert options(sdc=sdc, clock_period_ps=500.0).resolved_clock_period_ps() == 500.0


def test_sdc_period_literal_and_units(tmp_path: Path) -> None:
    sdc = tmp_path / "c.sdc"
    sdc.write_text("set_units -time ps\ncreate_clock -name clk -period 750 [get_ports {clk}]\n")
    assert read_sdc_clock_period_ps(sdc) == pytest.approx(750.0)
    sdc.write_text("# no clock here\nset_input_delay 1 [all_inputs]\n")
    assert read_sdc_clock_period_ps(sdc) is None


def test_sdc_bad_period_names_the_line(tmp_path: Path) -> None:
    sdc = tmp_path / "c.sdc"
    sdc.write_text("\n\ncreate_clock -period $undefined [get_ports clk]\n")
    with pytest.raises(ParseError) as caught:
        read_sdc_clock_period_ps(sdc)
    assert caught.value.line == 3


def test_reference_sdc_periods() -> None:
    from tests.conftest import shared_path

    gcd = shared_path("designs/gcd/sky130hd/constraint.sdc")
    node = shared_path("designs/dynamic_node/nangate45/constraint.sdc")
    assert read_sdc_clock_period_ps(gcd) == pytest.approx(1100.0)
    assert read_sdc_clock_period_ps(node) == pytest.approx(6000.0)
