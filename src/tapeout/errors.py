"""The one error hierarchy: every problem a user can cause is a TapeoutError with a location."""

from __future__ import annotations

from pathlib import Path


class TapeoutError(Exception):
    """A problem the user can fix: carries the file, line, column and a hint.

    The command line prints ``str(error)`` as one line and exits non-zero; tracebacks are only
    shown with ``--debug``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.hint = hint

    @property
    def location(self) -> str:
        """``file:line:column`` as far as known, or an empty string."""
        if self.file is None:
            return ""
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class ParseError(TapeoutError):
    """A design file (LEF, DEF, Liberty, Verilog, SDC, SPEF, Bookshelf, TOML) is malformed."""


class InputFileError(TapeoutError):
    """A named input file is missing or unreadable."""


class ConfigError(TapeoutError):
    """A configuration value is unknown, of the wrong type or impossible."""


class DesignError(TapeoutError):
    """The design itself is inconsistent (unknown cell, dangling reference, empty design)."""


class ToolError(TapeoutError):
    """An external engine (Yosys, ngspice, klayout) failed or is missing."""


class PlatformError(TapeoutError):
    """A platform is unknown or its files cannot be found."""


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1
