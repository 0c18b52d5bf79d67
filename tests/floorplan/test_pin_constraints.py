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


def test_fuzz_parses_or_names_the_line() -> None:
    import random

    random.seed(5)
    base = "clk left 20\nreq_* top\nresp_[0] e 12.5\n# comment\nrst bottom 3\n"
    tokens = ["left", "up", "-1", "1e400", "x", "#", "\x00", "\n", "  ", "3.5", "[", "*"]
    for _ in range(300):
        text = list(base)
        for _ in range(random.randint(1, 4)):
            position = random.randrange(len(text) + 1)
            if random.random() < 0.5 and text:
                del text[position : position + random.randint(1, 5)]
            else:
                text.insert(position, random.choice(tokens))
        mutated = "".join(text)
        try:
            parsed = parse_pin_constraints(mutated, "fuzz.txt")
        except ParseError as error:
            assert error.file == "fuzz.txt" and error.line is not None and error.line >= 1
        else:
            assert all(c.side in ("left", "right", "top", "bottom") for c in parsed)
