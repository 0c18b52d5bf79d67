"""The IO pin constraint file format."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.errors import InputFileError, ParseError
from tapeout.formats.pin_constraints import (
    PinConstraint,
    parse_pin_constraints,
    read_pin_constraints,
)


def test_parse_sides_positions_and_comments() -> None:
    text = "# pins\nclk left 20  # the clock\n\nreq_* TOP\nresp_* e 12.5\n"
    assert parse_pin_constraints(text) == (
        PinConstraint("clk", "left", 20.0),
        PinConstraint("req_*", "top", None),
        PinConstraint("resp_*", "right", 12.5),
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("clk", "expected"),
        ("clk left 1 2", "expected"),
        ("clk middle", "unknown side"),
        ("clk left abc", "bad position"),
        ("clk left -3", "bad position"),
        ("clk left nan", "bad position"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "pins.txt"
    path.write_text(f"a top\n{line}\n")
    with pytest.raises(ParseError, match=message) as error:
        read_pin_constraints(path)
    assert error.value.file == str(path) and error.value.line == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        read_pin_constraints(tmp_path / "none.txt")
