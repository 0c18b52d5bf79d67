"""Fuzzing the design configuration: every mutation loads or raises one located ConfigError."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tapeout.cli import main
from tapeout.errors import ConfigError, InputFileError, TapeoutError
from tapeout.flow.config import SCHEMA, load_config
from tests.flow.test_config import GOOD
from tests.fuzzing import mutate

VALID = GOOD  # a configuration using every key

# Values a user (or a bad editor) may put anywhere: wrong types, huge and negative numbers,
# non-finite floats, unicode, control characters, paths that cannot exist.
BAD_VALUES = [
    "1e999",
    "-1e999",
    "inf",
    "nan",
    "-0.0",
    "99999999999999999999999999",
    "9" * 400,
    "9" * 5000,
    "-9223372036854775808",
    "0x7fffffffffffffff",
    "-5",
    "true",
    "[]",
    "[1, 2]",
    "{}",
    "{ a = 1 }",
    '""',
    '"\\u0000"',
    '"é✓\U0001f600"',
    '"' + "a" * 5000 + '"',
    '"../../../../../../etc/passwd"',
    '"/"',
    '"src/gcd.v\\u0000x"',
    "1979-05-27T07:32:00Z",
    "'''\nmulti\nline'''",
]
GARBAGE = ["\x00", "\xff", "=", "[", "]", "[[", '"', "'''", "{", "}", ",", "#", "\\", "é", "\u202e"]


@pytest.fixture
def design_dir(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "gcd.v").write_text("module gcd(); endmodule\n")
    (tmp_path / "src" / "extra.v").write_text("module extra(); endmodule\n")
    return tmp_path


def wrong_value(text: str, rng: random.Random) -> str:
    """One ``key = value`` line gets a value of another type or range."""
    lines = text.splitlines(keepends=True)
    keyed = [index for index, line in enumerate(lines) if " = " in line]
    index = rng.choice(keyed)
    key = lines[index].split(" = ", 1)[0]
    lines[index] = f"{key} = {rng.choice(BAD_VALUES)}\n"
    return "".join(lines)


def mutant(rng: random.Random) -> str:
    text = wrong_value(VALID, rng) if rng.random() < 0.4 else mutate(VALID, rng, garbage=GARBAGE)
    if rng.random() < 0.3:
        text = mutate(text, rng, garbage=GARBAGE)
    return text


def check_located(error: TapeoutError, path: Path, text: str) -> None:
    assert isinstance(error, ConfigError | InputFileError), repr(error)
    assert error.file == str(path), error
    assert "\n" not in str(error).strip(), repr(str(error))
    if isinstance(error, ConfigError):
        assert error.line is not None and 1 <= error.line <= text.count("\n") + 1, error


@pytest.mark.parametrize("seed", range(3))
def test_mutations_load_or_raise_located_errors(design_dir: Path, seed: int) -> None:
    rng = random.Random(seed)
    path = design_dir / "design.toml"
    outcomes = {"loaded": 0, "error": 0}
    for _ in range(150):
        text = mutant(rng)
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        try:
            config = load_config(path)
        except TapeoutError as error:
            check_located(error, path, text)
            outcomes["error"] += 1
        else:
            assert config.design.top and config.design.sources
            outcomes["loaded"] += 1
    assert outcomes["loaded"] > 5 and outcomes["error"] > 50, outcomes


@pytest.mark.parametrize(
    "key", sorted({key for section in SCHEMA.values() for key in section} | {"WIDTH"})
)
def test_every_bad_value_on_every_key(design_dir: Path, key: str) -> None:
    path = design_dir / "design.toml"
    for value in BAD_VALUES:
        text = (
            VALID if f"\n{key} = " in VALID else VALID.replace("[synth]\n", f"{key} = 1\n[synth]\n")
        )
        text = text.replace("WIDTH = 16", f"WIDTH = {value}") if key == "WIDTH" else text
        text = "".join(
            f"{key} = {value}\n" if line.startswith(f"{key} = ") else line
            for line in text.splitlines(keepends=True)
        )
        path.write_text(text, encoding="utf-8")
        try:
            load_config(path)
        except TapeoutError as error:
            check_located(error, path, text)


def test_cli_gives_one_line_and_exit_1(
    design_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(99)
    path = design_dir / "design.toml"
    failures = 0
    for _ in range(12):
        text = mutant(rng)
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        try:
            load_config(path)
        except TapeoutError:
            pass
        else:
            continue  # a valid mutant would start a real run
        failures += 1
        status = main(["run", str(path), "--run-dir", str(design_dir / "run"), "--to", "synth"])
        captured = capsys.readouterr()
        assert status == 1, captured.err
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
        assert str(path) in lines[0] and "Traceback" not in captured.err
        assert not (design_dir / "run").exists()  # nothing is made for a bad configuration
    assert failures >= 5
    assert (design_dir / "src" / "gcd.v").read_text() == "module gcd(); endmodule\n"


def test_cli_missing_and_directory_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (tmp_path / "absent.toml", tmp_path):
        assert main(["run", str(path)]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and str(path) in err and "\n" not in err


@pytest.mark.parametrize(
    "text",
    [
        '[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\n"a\\nb" = 1\n',
        '["x\\ny"]\nz = 1\n',
        '"k\\ne" = 1\n',
        '[design]\ntop = "gcd"\nsources = ["src/gcd.v"]\nplatform = "a\\nb"\n',
        '[design]\ntop = "gcd"\nsources = ["src/\\r\\n.v"]\n',
    ],
)
def test_control_characters_stay_on_one_line(design_dir: Path, text: str) -> None:
    path = design_dir / "design.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    check_located(info.value, path, text)
