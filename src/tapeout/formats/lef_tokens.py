"""LEF tokens: one compiled regex over the whole text, a cursor over the token list, and lazy
file:line locations for errors and warnings (offsets are recomputed only when needed)."""

from __future__ import annotations

import math
import re
from pathlib import Path

from tapeout.errors import ParseError, line_column
from tapeout.log import Log

# A comment (no group: findall gives ""), a string (may span lines; an unterminated one runs to
# the end), a semicolon, or a run of other non-space characters.
_TOKEN = re.compile(r'#[^\n]*|("[^"]*"?|;|[^\s;#"]+)')

# Largest coordinate we accept, microns: keeps DBU values far inside int64.
_MAX_MICRONS = 1e9


# Standard LEF statements that PDKs carry and this flow does not use yet (antenna, current
# density, metal density, extra units): reported at INFO level so every read stays quiet.
KNOWN_UNUSED = frozenset(
    {
        "USEMINSPACING", "TIME", "CAPACITANCE", "RESISTANCE", "POWER", "CURRENT", "VOLTAGE",
        "FREQUENCY", "PROPERTYDEFINITIONS", "ANTENNAMODEL", "ANTENNADIFFSIDEAREARATIO",
        "ANTENNADIFFAREARATIO", "ANTENNAAREARATIO", "ANTENNASIDEAREARATIO",
        "ANTENNACUMAREARATIO", "ANTENNACUMDIFFAREARATIO", "ANTENNACUMSIDEAREARATIO",
        "ANTENNACUMDIFFSIDEAREARATIO", "ANTENNAAREAFACTOR", "ANTENNASIDEAREAFACTOR",
        "ANTENNAGATEAREA", "ANTENNADIFFAREA", "ANTENNAPARTIALMETALAREA",
        "ANTENNAPARTIALMETALSIDEAREA", "ANTENNAPARTIALCUTAREA", "ANTENNAMAXAREACAR",
        "ANTENNAMAXSIDEAREACAR", "ANTENNAMAXCUTCAR", "DCCURRENTDENSITY", "ACCURRENTDENSITY",
        "MINENCLOSEDAREA", "MAXIMUMDENSITY", "MINIMUMDENSITY", "DENSITYCHECKWINDOW",
        "DENSITYCHECKSTEP", "FILLACTIVESPACING", "NAMESCASESENSITIVE", "SOURCE",
    }
)  # fmt: skip


class LefCursor:
    """Tokens of one LEF file and the position of the parser in them.

    ``tokens`` never contains comments. ``dbu_per_micron`` converts lengths. Skipped statements
    are counted per keyword and reported once per file by ``report_skipped``.
    """

    def __init__(self, text: str, path: Path, log: Log, dbu_per_micron: int) -> None:
        self.text = text
        self.path = path
        self.log = log
        self.tokens: list[str] = [token for token in _TOKEN.findall(text) if token]
        self.count = len(self.tokens)
        self.i = 0
        self.dbu_per_micron = dbu_per_micron
        self._skipped: dict[str, list[int]] = {}
        # Open blocks (description, token index of the opening keyword) for end-of-file errors.
        self.blocks: list[tuple[str, int]] = []

    # -- locations ---------------------------------------------------------------------------

    def offsets(self, indices: list[int]) -> dict[int, int]:
        """Character offset of each token index (one pass over the text; past the end = EOF)."""
        wanted = sorted(set(indices))
        found: dict[int, int] = {}
        if not wanted:
            return found
        position = 0
        k = 0
        for match in _TOKEN.finditer(self.text):
            if match.group(1) is None:
                continue
            while k < len(wanted) and wanted[k] == position:
                found[wanted[k]] = match.start()
                k += 1
            if k == len(wanted):
                break
            position += 1
        for index in wanted[k:]:
            found[index] = len(self.text)
        return found

    def location(self, index: int) -> tuple[int, int]:
        """1-based (line, column) of token ``index``."""
        return line_column(self.text, self.offsets([index])[index])

    def error(self, message: str, index: int | None = None, hint: str | None = None) -> ParseError:
        """A ParseError at token ``index`` (default: the current token)."""
        if index is None:
            index = self.i
        index = min(index, self.count)
        line, column = self.location(index)
        if index >= self.count and "end of file" not in message:
            message = f"{message} (unexpected end of file)"
        return ParseError(message, file=self.path, line=line, column=column, hint=hint)

    def skipped(self, keyword: str, index: int) -> None:
        """Remember that a statement ``keyword`` at token ``index`` was skipped."""
        entry = self._skipped.get(keyword)
        if entry is None:
            self._skipped[keyword] = [index, 1]
        else:
            entry[1] += 1

    def warn_at(self, msg_id: str, message: str, index: int) -> None:
        """A warning naming file:line of token ``index``."""
        line, _ = self.location(index)
        self.log.warn(msg_id, f"{self.path}:{line}: {message}")

    def report_skipped(self) -> None:
        """One LEF-0002 warning per skipped keyword, naming the first file:line."""
        if not self._skipped:
            return
        offsets = self.offsets([first for first, _ in self._skipped.values()])
        for keyword, (first, times) in self._skipped.items():
            line, _ = line_column(self.text, offsets[first])
            more = f" ({times} times in this file)" if times > 1 else ""
            text = f"{self.path}:{line}: skipped unsupported statement {keyword}{more}"
            # Well-formed LEF the flow has no use for (yet) is news, not a problem.
            if keyword.split()[-1] in KNOWN_UNUSED:
                self.log.info("LEF-0002", text)
            else:
                self.log.warn("LEF-0002", text)
        self._skipped.clear()

    # -- reading -----------------------------------------------------------------------------

    def next(self) -> str:
        """The current token; advances. ParseError at the end of the file."""
        i = self.i
        if i >= self.count:
            if self.blocks:
                what, start = self.blocks[-1]
                raise self.error(
                    f"{what} has no END: the file ends first",
                    start,
                    hint="add the END line, or check whether the file was truncated",
                )
            raise self.error("unexpected end of file", i, hint="the file looks truncated")
        self.i = i + 1
        return self.tokens[i]

    def peek(self) -> str:
        """The current token without advancing ("" at the end)."""
        return self.tokens[self.i] if self.i < self.count else ""

    def keyword(self) -> str:
        """The current token upper-cased (LEF keywords are case-insensitive); advances."""
        return self.next().upper()

    def name(self) -> str:
        """A name token (not ``;``); advances."""
        token = self.next()
        if token == ";":
            raise self.error("expected a name, found ';'", self.i - 1)
        return token

    def expect(self, keyword: str) -> None:
        """Consume ``keyword`` (case-insensitive) or raise."""
        token = self.next()
        if token.upper() != keyword:
            raise self.error(f"expected {keyword}, found {token!r}", self.i - 1)

    def end_statement(self) -> None:
        """Consume the ``;`` that ends a statement."""
        token = self.next()
        if token != ";":
            raise self.error(
                f"expected ';', found {token!r}", self.i - 1, hint="a statement ends with ' ;'"
            )

    def number(self) -> float:
        """A finite number; advances."""
        token = self.next()
        try:
            value = float(token)
        except ValueError:
            raise self.error(f"expected a number, found {token!r}", self.i - 1) from None
        if not math.isfinite(value) or abs(value) > _MAX_MICRONS:
            raise self.error(f"number out of range: {token!r}", self.i - 1)
        return value

    def integer(self) -> int:
        """An integer (written as an integer or as a float with no fraction); advances."""
        value = self.number()
        if value != int(value):
            raise self.error(f"expected an integer, found {value!r}", self.i - 1)
        return int(value)

    def length(self) -> int:
        """A length in microns, returned in DBU (rounded); advances."""
        return round(self.number() * self.dbu_per_micron)

    def area(self) -> int:
        """An area in square microns, returned in DBU squared (rounded); advances."""
        return round(self.number() * self.dbu_per_micron * self.dbu_per_micron)

    def is_number(self) -> bool:
        """Whether the current token parses as a number."""
        try:
            float(self.peek())
        except ValueError:
            return False
        return True

    def skip_statement(self, keyword: str, start: int) -> None:
        """Skip to just after the next ``;`` and record ``keyword`` as skipped."""
        self.skipped(keyword, start)
        tokens = self.tokens
        i = self.i
        while i < self.count and tokens[i] != ";":
            i += 1
        if i >= self.count:
            self.i = i
            raise self.error(f"statement {keyword} has no ';'", start, hint="add ' ;'")
        self.i = i + 1

    def skip_block(self, keyword: str, start: int, end_words: tuple[str, ...]) -> None:
        """Skip to just after ``END <w>`` for any ``w`` in ``end_words`` (exact, or upper-cased
        for keywords) and record ``keyword`` as skipped."""
        self.skipped(keyword, start)
        tokens = self.tokens
        i = self.i
        last = self.count - 1
        while i < last:
            if tokens[i].upper() == "END":
                following = tokens[i + 1]
                if following in end_words or following.upper() in end_words:
                    self.i = i + 2
                    return
            i += 1
        self.i = self.count
        raise self.error(
            f"{keyword} block has no END {end_words[0]}", start, hint=f"add END {end_words[0]}"
        )

    def skip_until(self, keyword: str, start: int, end_word: str) -> None:
        """Skip to just after the token ``end_word`` (BEGINEXT ... ENDEXT)."""
        self.skipped(keyword, start)
        tokens = self.tokens
        i = self.i
        while i < self.count and tokens[i].upper() != end_word:
            i += 1
        if i >= self.count:
            self.i = i
            raise self.error(f"{keyword} has no {end_word}", start, hint=f"add {end_word}")
        self.i = i + 1

    def open(self, what: str, start: int) -> None:
        """Note that block ``what`` (e.g. "LAYER met1") opened at token ``start``."""
        self.blocks.append((what, start))

    def end_block(self, name: str, what: str, start: int) -> None:
        """After ``END``: the block name must repeat ``name``; closes the innermost block."""
        if self.i >= self.count:
            raise self.error(f"{what} {name} has no END {name}", start, hint=f"add END {name}")
        token = self.next()
        if token != name:
            raise self.error(
                f"END {token} does not close {what} {name}",
                self.i - 1,
                hint=f"the {what} started here must end with END {name}",
            )
        if self.blocks:
            self.blocks.pop()
