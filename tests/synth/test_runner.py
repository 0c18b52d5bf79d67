"""Reading Yosys's output: errors with file and line, warnings with ids."""

from __future__ import annotations

from tapeout.errors import DesignError, ParseError, ToolError
from tapeout.log import Log
from tapeout.synth.runner import error_from_output, surface_warnings


def test_verilog_syntax_error_has_file_and_line() -> None:
    error = error_from_output("bad.v:2: ERROR: syntax error, unexpected ';'\n")
    assert isinstance(error, ParseError)
    assert (error.file, error.line) == ("bad.v", 2)
    assert "syntax error" in error.message


def test_located_error_with_column_range() -> None:
    error = error_from_output(
        "x\n/a/b c.v:12.5-12.9: ERROR: Identifier `\\q' is implicitly declared.\n"
    )
    assert isinstance(error, ParseError)
    assert (error.file, error.line, error.column) == ("/a/b c.v", 12, 5)


def test_plain_error_becomes_design_error() -> None:
    error = error_from_output(
        "ERROR: Module `\\nope' referenced in module `\\top' is not part of the design.\n"
    )
    assert isinstance(error, DesignError)
    assert "nope" in str(error)


def test_no_message_is_a_tool_error() -> None:
    assert isinstance(error_from_output("Segmentation fault\n"), ToolError)


def test_warnings_get_ids_and_are_deduplicated() -> None:
    log = Log()
    text = (
        "Warning: Latch inferred for signal `\\top.\\q' from process ...\n"
        "Warning: Latch inferred for signal `\\top.\\q' from process ...\n"
        'ABC: Warning: Detected 9 multi-output cells (for example, "fa_1").\n'
        "Warning: Wire top.\\x is used but has no driver.\n"
        "Warning: something else\n"
    )
    warnings = surface_warnings(text, log)
    assert len(warnings) == 3
    assert log.ids() == ["SYN-0010", "SYN-0012", "SYN-0019"]
