"""A small Tcl-subset interpreter for SDC files: words, substitution, expr, lists, if, foreach.

Values are ``str``, ``TclObject`` (a design object handle that SDC object queries return) or
``list`` of values. A word that is exactly one ``$var`` or ``[command]`` keeps the value as is, so
object handles survive being stored in variables; anything else is concatenated as text, with
objects spelled by their name, as Tcl would.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tapeout.errors import ParseError
from tapeout.log import Log


@dataclass(frozen=True)
class TclObject:
    """A design object handle: ``kind`` is port, pin, net, cell, clock, ...; ``name`` its name."""

    kind: str
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass
class Word:
    """One word of a command: ``parts`` of ("text", str), ("var", name), ("command", [Command])."""

    parts: list[tuple[str, object]]
    line: int
    braced: bool = False


@dataclass
class Command:
    """One parsed command: its words and the line where it starts."""

    words: list[Word]
    line: int


class TclError(Exception):
    """An error inside the interpreter; ``line`` is where it happened (or None)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


_BARE_CHUNK = re.compile(r"[^ \t\n\r\f\v;$\[\\]+")
_BARE_CHUNK_NESTED = re.compile(r"[^ \t\n\r\f\v;$\[\]\\]+")
_LIST_WORD = re.compile(r"(?:[^ \t\n\r\f\v\\]|\\.?)+", re.S)
_SPACE = " \t\n\r\f\v"
_QUOTED_CHUNK = re.compile(r'[^"$\[\\]+')
_VAR_NAME = re.compile(r"[A-Za-z0-9_]+(?:::[A-Za-z0-9_]+)*")
_BRACES = re.compile(r"[{}\\]")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_MAX_DEPTH = 200


class _Parser:
    """Recursive-descent parser of Tcl text into Commands (no evaluation)."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.pos = 0
        self.first_line = first_line
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.depth = 0

    def line_at(self, pos: int) -> int:
        return self.first_line + bisect.bisect_left(self.newlines, pos)

    def error(self, message: str, pos: int | None = None) -> TclError:
        return TclError(message, self.line_at(self.pos if pos is None else pos))

    def parse_script(self, nested: bool) -> list[Command]:
        text = self.text
        end = len(text)
        commands: list[Command] = []
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error("commands nested too deeply")
        start = self.pos - 1
        while True:
            while self.pos < end and (text[self.pos] in " \t\r\n;\f\v"):
                self.pos += 1
            if self.pos < end - 1 and text[self.pos] == "\\" and text[self.pos + 1] == "\n":
                self.pos += 2
                continue
            if self.pos >= end:
                if nested:
                    raise self.error("missing close-bracket", start)
                break
            char = text[self.pos]
            if nested and char == "]":
                self.pos += 1
                break
            if char == "#":
                self.skip_comment()
                continue
            line = self.line_at(self.pos)
            words: list[Word] = []
            while True:
                while self.pos < end and text[self.pos] in " \t\r\f\v":
                    self.pos += 1
                if self.pos < end - 1 and text[self.pos] == "\\" and text[self.pos + 1] == "\n":
                    self.pos += 2
                    continue
                if self.pos >= end or text[self.pos] in "\n;" or (nested and text[self.pos] == "]"):
                    break
                words.append(self.parse_word(nested))
            if words:
                commands.append(Command(words, line))
        self.depth -= 1
        return commands

    def skip_comment(self) -> None:
        text = self.text
        while self.pos < len(text):
            newline = text.find("\n", self.pos)
            if newline < 0:
                self.pos = len(text)
                return
            backslashes = 0
            while newline - 1 - backslashes >= self.pos and text[newline - 1 - backslashes] == "\\":
                backslashes += 1
            self.pos = newline + 1
            if backslashes % 2 == 0:
                return

    def check_word_end(self, nested: bool, what: str) -> None:
        if self.pos < len(self.text):
            char = self.text[self.pos]
            if not (char in " \t\r\n;\f\v" or (nested and char == "]")):
                raise self.error(f"extra characters after close-{what}")

    def parse_word(self, nested: bool) -> Word:
        text = self.text
        line = self.line_at(self.pos)
        char = text[self.pos]
        if char == "{":
            content = self.braced()
            self.check_word_end(nested, "brace")
            return Word([("text", content)], line, braced=True)
        if char == '"':
            self.pos += 1
            parts = self.parts(_QUOTED_CHUNK, '"', nested=False)
            if self.pos >= len(text):
                raise self.error('missing "', self.pos - 1)
            self.pos += 1
            self.check_word_end(nested, "quote")
            return Word(parts, line)
        return Word(self.parts(_BARE_CHUNK_NESTED if nested else _BARE_CHUNK, "", nested), line)

    def braced(self) -> str:
        """Text between a ``{`` at ``pos`` and its matching ``}``; ``pos`` moves past it."""
        text = self.text
        start = self.pos
        depth = 0
        position = start
        while True:
            match = _BRACES.search(text, position)
            if match is None:
                raise self.error("missing close-brace", start)
            char = match.group()
            position = match.end()
            if char == "\\":
                position += 1
            elif char == "{":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    break
        self.pos = position
        content = text[start + 1 : position - 1]
        if "\\\n" in content:
            content = re.sub(r"\\\n[ \t]*", " ", content)
        return content

    def parts(
        self, chunk: re.Pattern[str], terminator: str, nested: bool
    ) -> list[tuple[str, object]]:
        text = self.text
        end = len(text)
        parts: list[tuple[str, object]] = []
        while self.pos < end:
            char = text[self.pos]
            if terminator and char == terminator:
                break
            if not terminator and (char in " \t\r\n;\f\v" or (nested and char == "]")):
                break
            match = chunk.match(text, self.pos)
            if match:
                parts.append(("text", match.group()))
                self.pos = match.end()
            elif char == "$":
                parts.append(self.variable())
            elif char == "[":
                self.pos += 1
                parts.append(("command", self.parse_script(nested=True)))
            elif char == "\\":
                parts.append(("text", self.backslash()))
            else:  # a "]" inside quotes of a nested script, or a lone terminator character
                parts.append(("text", char))
                self.pos += 1
        return parts

    def variable(self) -> tuple[str, object]:
        text = self.text
        self.pos += 1
        if self.pos < len(text) and text[self.pos] == "{":
            close = text.find("}", self.pos)
            if close < 0:
                raise self.error("missing close-brace for variable name")
            name = text[self.pos + 1 : close]
            self.pos = close + 1
            return ("var", name)
        match = _VAR_NAME.match(text, self.pos)
        if match is None:
            return ("text", "$")
        self.pos = match.end()
        return ("var", match.group())

    def backslash(self) -> str:
        text = self.text
        if self.pos + 1 >= len(text):
            self.pos += 1
            return "\\"
        char = text[self.pos + 1]
        self.pos += 2
        if char == "\n":
            while self.pos < len(text) and text[self.pos] in " \t":
                self.pos += 1
            return " "
        return _ESCAPES.get(char, char)


def parse_tcl(text: str, first_line: int = 1) -> list[Command]:
    """Commands of a Tcl script; TclError on unbalanced braces, brackets or quotes."""
    return _Parser(text, first_line).parse_script(nested=False)


# ---------------------------------------------------------------------------------------------
# Values


def to_text(value: object) -> str:
    """The Tcl string form of a value."""
    if isinstance(value, str):
        return value
    if isinstance(value, TclObject):
        return value.name
    if isinstance(value, list):
        return " ".join(quote_element(to_text(item)) for item in value)
    return str(value)


def quote_element(text: str) -> str:
    """``text`` as one element of a Tcl list."""
    if text == "":
        return "{}"
    if not re.search(r'[\s{}\[\]$"\\;]', text) and not text.startswith("#"):
        return text
    depth = 0
    balanced = True
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            balanced = False
            break
    if balanced and depth == 0 and not text.endswith("\\"):
        return "{" + text + "}"
    return re.sub(r'([\s{}\[\]$"\\;])', r"\\\1", text)


def to_list(value: object, line: int | None = None) -> list:
    """Elements of a value seen as a Tcl list."""
    if isinstance(value, list):
        return value
    if isinstance(value, TclObject):
        return [value]
    text = to_text(value)
    if not text.strip():
        return []
    items: list = []
    parser = _Parser(text, line or 1)
    end = len(text)
    while True:
        while parser.pos < end and text[parser.pos] in _SPACE:
            parser.pos += 1
        if parser.pos >= end:
            return items
        char = text[parser.pos]
        if char == "{":
            items.append(parser.braced())
        elif char == '"':
            close = parser.pos + 1
            while close < end and text[close] != '"':
                close += 2 if text[close] == "\\" else 1
            if close >= end:
                raise TclError("unmatched open quote in list", line)
            items.append(_unbackslash(text[parser.pos + 1 : close]))
            parser.pos = close + 1
        else:
            match = _LIST_WORD.match(text, parser.pos)
            assert match is not None
            items.append(_unbackslash(match.group()))
            parser.pos = match.end()
            continue
        if parser.pos < end and text[parser.pos] not in _SPACE:
            raise TclError("list element in braces or quotes followed by characters", line)


def _unbackslash(text: str) -> str:
    if "\\" not in text:
        return text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text, flags=re.S)


def parse_number(text: str) -> int | float | None:
    """Tcl number value of ``text`` (int or float), or None when it is not a number."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text, 0) if not re.fullmatch(r"[+-]?0\d+", text) else int(text, 10)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or "_" in text:
        return None
    return value


def number_text(value: int | float | bool) -> str:
    """Tcl spelling of a number result."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    return repr(value)


# ---------------------------------------------------------------------------------------------
# The interpreter

CommandFunction = Callable[["Interpreter", list, int], object]


class Interpreter:
    """Evaluates parsed Tcl with a table of commands; ``unknown`` handles missing ones.

    Errors are ParseErrors naming ``path`` and the line of the failing command.
    """

    def __init__(
        self,
        path: Path,
        log: Log,
        commands: dict[str, CommandFunction],
        unknown: Callable[[str, list, int], object],
    ) -> None:
        from tapeout.formats import tcl_commands

        self.path = path
        self.log = log
        self.variables: dict[str, object] = {}
        self.commands: dict[str, CommandFunction] = dict(tcl_commands.CORE)
        self.commands.update(commands)
        self.unknown = unknown
        self.line = 1
        self._parsed: dict[tuple[str, int], list[Command]] = {}
        self.steps = 0

    def error(self, message: str, line: int | None = None) -> ParseError:
        return ParseError(message, file=self.path, line=line if line is not None else self.line)

    def run(self, text: str) -> object:
        """Parse and evaluate a whole file's text."""
        try:
            return self.evaluate(self.parse(text, 1))
        except TclError as error:
            raise self.error(error.message, error.line) from None
        except RecursionError:
            raise self.error("script nested too deeply") from None

    def parse(self, text: str, first_line: int) -> list[Command]:
        key = (text, first_line)
        commands = self._parsed.get(key)
        if commands is None:
            commands = parse_tcl(text, first_line)
            self._parsed[key] = commands
        return commands

    def evaluate(self, commands: list[Command]) -> object:
        result: object = ""
        for command in commands:
            self.line = command.line
            values = [self.word(word) for word in command.words]
            self.line = command.line
            name = to_text(values[0])
            self.steps += 1
            if self.steps > 10_000_000:
                raise self.error("script runs too long")
            function = self.commands.get(name)
            if function is None:
                result = self.unknown(name, values[1:], command.line)
            else:
                result = function(self, values[1:], command.line)
        return result

    def evaluate_body(self, body: object, line: int) -> object:
        """Evaluate a braced body (a string) whose text starts on ``line``."""
        return self.evaluate(self.parse(to_text(body), line))

    def word(self, word: Word) -> object:
        parts = word.parts
        if word.braced:
            return parts[0][1]
        if len(parts) == 1:
            return self.part(parts[0])
        return "".join(to_text(self.part(part)) for part in parts)

    def part(self, part: tuple[str, object]) -> object:
        kind, payload = part
        if kind == "text":
            return payload
        if kind == "var":
            return self.get_variable(str(payload))
        assert isinstance(payload, list)
        return self.evaluate(payload)

    def get_variable(self, name: str) -> object:
        try:
            return self.variables[name]
        except KeyError:
            raise self.error(f'can\'t read "{name}": no such variable') from None
