"""The design configuration: parsing, defaults, and errors naming key, file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.errors import ConfigError, InputFileError
from tapeout.flow.config import SCHEMA, describe_schema, load_config

GOOD = """\
# a comment
[design]
name = "my_gcd"
top = "gcd"
sources = ["src/gcd.v", "src/extra.v"]
platform = "nangate45"
clock_period_ns = 2.5
clock_port = "clock"
include_dirs = ["src"]
defines = ["SIM", "WIDTH=8"]
parameters = { WIDTH = 16, NAME = "x" }

[synth]
extra_dont_use = ["*_1"]
equivalence_check = true

[floorplan]
utilization = 0.35
aspect_ratio = 2
core_margin_um = 0

[place]
density = 0.65
"""


@pytest.fixture
def design_dir(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "gcd.v").write_text("module gcd(); endmodule\n")
    (tmp_path / "src" / "extra.v").write_text("module extra(); endmodule\n")
    (tmp_path / "constraint.sdc").write_text("create_clock -period 5 [get_ports clk]\n")
    return tmp_path


def write(directory: Path, text: str) -> Path:
    path = directory / "design.toml"
    path.write_text(text)
    return path


def test_good_config(design_dir: Path) -> None:
    config = load_config(write(design_dir, GOOD))
    design = config.design
    assert config.path == design_dir / "design.toml"
    assert design.name == "my_gcd"
    assert design.sources == (design_dir / "src" / "gcd.v", design_dir / "src" / "extra.v")
    assert design.platform == "nangate45"
    assert design.clock_period_ns == 2.5
    assert design.clock_port == "clock"
    assert design.include_dirs == (design_dir / "src",)
    assert design.defines == ("SIM", "WIDTH=8")
    assert design.parameters == (("WIDTH", "16"), ("NAME", "x"))
    assert config.synth.extra_dont_use == ("*_1",)
    assert config.synth.equivalence_check is True
    assert config.synth.flatten is True
    assert config.floorplan.utilization == 0.35
    assert config.floorplan.aspect_ratio == 2.0
    assert config.floorplan.core_margin_um == 0.0
    assert config.place.density == 0.65


def test_defaults(design_dir: Path) -> None:
    config = load_config(write(design_dir, '[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\n'))
    assert config.design.name == "gcd"
    assert config.design.platform == "sky130hd"
    assert config.design.sdc is None and config.design.clock_period_ns is None
    assert config.floorplan.utilization == 0.5
    assert config.floorplan.core_margin_um is None
    assert config.place.density == 0.6


def test_sdc_path_resolved(design_dir: Path) -> None:
    text = '[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\nsdc = "constraint.sdc"\n'
    assert load_config(write(design_dir, text)).design.sdc == design_dir / "constraint.sdc"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[design]\ntop = "gcd"\nsources = ["src/nope.v"]\n', 3, "design.sources: file not found"),
        ('[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\nplatform = "sky131"\n', 4, "sky131"),
        (GOOD.replace("utilization", "utilisation"), 18, "floorplan.utilisation: unknown key"),
        (GOOD.replace("0.35", "-0.4"), 18, "floorplan.utilization: must be greater than 0"),
        (GOOD.replace("0.35", "1.5"), 18, "floorplan.utilization"),
        (GOOD.replace("2.5", "0"), 7, "design.clock_period_ns: must be a positive"),
        (GOOD.replace("2.5", "5000000000.0"), 7, "is the unit right?"),
        (GOOD.replace("0.65", '"high"'), 23, "place.density: must be a number, got string"),
        (GOOD.replace("equivalence_check = true", "equivalence_check = 1"), 15, "true or false"),
        (GOOD.replace("[place]", "[plase]"), 22, "unknown section [plase]"),
        ('[design]\nsources = ["src/gcd.v"]\n', 1, "missing required key 'top'"),
        ('[design]\ntop = "gcd"\nsources = []\n', 3, "design.sources: must name at least one"),
        ('[design]\ntop = "gcd"\nsources = ["src/gcd.v"\n', 3, "malformed TOML"),
        ('[design]\ntop = "gcd"\ntop = "x"\nsources = ["src/gcd.v"]\n', 3, "malformed TOML"),
        ("[synth]\nflatten = true\n", 1, "missing section [design]"),
        ('name = "x"\n[design]\ntop = "gcd"\n', 1, "unknown top-level key 'name'"),
        (
            '[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\nsdc = "constraint.sdc"\n'
            "clock_period_ns = 5\n",
            5,
            "either sdc or clock_period_ns",
        ),
        ('[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\nsdc = "x.sdc"\n', 4, "x.sdc"),
        ('[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\nname = "a/b"\n', 4, "design.name"),
        ('[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\ndefines = ["1X"]\n', 4, "NAME=VALUE"),
        ('[design]\ntop = "gcd"\nsources = "src/gcd.v"\n', 3, "must be an array of strings"),
        ("[design]\ntop = 'gcd'\nsources = ['src/gcd.v']\ninclude_dirs = ['inc']\n", 4, "inc"),
    ],
)
def test_bad_config_names_key_file_and_line(
    design_dir: Path, text: str, line: int, message: str
) -> None:
    path = write(design_dir, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert error.file == str(path)
    assert error.line == line, str(error)
    assert message in str(error)


def test_typo_suggests_closest_key(design_dir: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(design_dir, GOOD.replace("density", "densty")))
    assert caught.value.hint == "did you mean density?"


def test_dotted_keys_are_located(design_dir: Path) -> None:
    text = '[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\n\nplace.density = 2\n'
    # "place.density" inside [design] is the key design.place: unknown.
    with pytest.raises(ConfigError, match=r"design\.place: unknown key") as caught:
        load_config(write(design_dir, text))
    assert caught.value.line == 5


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="configuration file not found"):
        load_config(tmp_path / "absent.toml")


def test_schema_is_documented() -> None:
    text = describe_schema()
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text
        for key in keys:
            assert f"  {key}:" in text
