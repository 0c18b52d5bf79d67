"""Liberty syntax: one compiled regex turns the whole text into statements, one pass nests them.

The result is a light tree of ``SyntaxGroup`` objects holding raw attribute text; turning it
into database objects is ``formats/liberty.py``'s job. Positions are kept as statement numbers
(cheap); the file line of a statement is computed only when an error needs it.
"""

from __future__ import annotations

import re
from pathlib import Path

from tapeout.errors import ParseError, line_column

_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
# One statement per match. Groups: 1 name, 2 ':' of a simple attribute, 3 its value,
# 4 arguments of a complex attribute or group header, 5 '{' opening a group, 6 '}',
# 7 a comment, 8 any other character (an error). Leading blanks and line-continuation
# backslashes are skipped; a statement's ';' is optional at the end of a line.
_STATEMENT = re.compile(
    r"""[\s\\]*+(?:
      ([A-Za-z_][\w.\[\]]*+)[ \t]*+(?:
          (:)[ \t]*+(QUOTED|[^;\n"{}\s]*+(?:[ \t]++[^;\n"{}\s]++)*+)[ \t\r]*+(?:;|(?=[\n}])|\Z)
        | \(([^"()]*+(?:QUOTED[^"()]*+)*+)\)\s*+(\{|;?)
      )
    | (\})\s*+;?
    | (/\*.*?\*/|//[^\n]*+)
    | (.)
    )""".replace("QUOTED", _STRING),
    re.VERBOSE | re.DOTALL,
)


class SyntaxGroup:
    """One ``kind (args) { ... }`` group with raw attribute text.

    ``simple``: ``(name, raw value, statement)``, value as written (quotes kept).
    ``complex``: ``(name, raw arguments, statement)``. ``statement`` numbers locate errors.
    """

    __slots__ = ("args", "complex", "groups", "kind", "simple", "statement")

    def __init__(self, kind: str, args: str, statement: int) -> None:
        self.kind = kind
        self.args = args
        self.statement = statement
        self.simple: list[tuple[str, str, int]] = []
        self.complex: list[tuple[str, str, int]] = []
        self.groups: list[SyntaxGroup] = []


class LibertySource:
    """The text of one Liberty file and its name, for locating errors."""

    def __init__(self, text: str, path: str | Path) -> None:
        self.text = text
        self.path = str(path)

    def statement_line(self, statement: int) -> int:
        """1-based line of statement number ``statement`` (-1: end of file)."""
        text = self.text
        if statement < 0:
            return line_column(text, len(text.rstrip()))[0]
        for number, match in enumerate(_STATEMENT.finditer(text)):
            if number == statement:
                whole = match.group()
                offset = match.start() + len(whole) - len(whole.lstrip(" \t\r\n\\"))
                return line_column(text, offset)[0]
        return line_column(text, len(text))[0]

    def error(self, statement: int, message: str, hint: str | None = None) -> ParseError:
        """A ParseError at statement ``statement`` of this file."""
        return ParseError(message, file=self.path, line=self.statement_line(statement), hint=hint)


def parse_groups(source: LibertySource) -> SyntaxGroup:
    """The top-level group (normally ``library``) of ``source``; ParseError when malformed."""
    statements = _STATEMENT.findall(source.text)
    root = SyntaxGroup("", "", -1)
    stack = [root]
    current = root
    for number, (name, colon, value, args, opener, close, _comment, bad) in enumerate(statements):
        if name:
            if colon:
                current.simple.append((name, value, number))
            elif opener == "{":
                group = SyntaxGroup(name, args, number)
                current.groups.append(group)
                stack.append(group)
                current = group
            else:
                current.complex.append((name, args, number))
        elif close:
            if len(stack) == 1:
                raise source.error(number, "'}' without a matching group")
            stack.pop()
            current = stack[-1]
        elif bad:
            raise source.error(number, _describe_unexpected(source, number))
    if len(stack) > 1:
        raise source.error(
            -1,
            f"file ends inside {stack[-1].kind} ({stack[-1].args.strip()}): missing '}}'",
            hint="the file may be truncated",
        )
    if len(root.groups) != 1 or root.simple or root.complex:
        raise source.error(
            root.groups[1].statement if len(root.groups) > 1 else 0,
            "expected exactly one top-level library group",
        )
    return root.groups[0]


def _describe_unexpected(source: LibertySource, statement: int) -> str:
    for number, match in enumerate(_STATEMENT.finditer(source.text)):
        if number == statement:
            rest = source.text[match.start() :].lstrip(" \t\r\n\\")
            snippet = rest.split("\n", 1)[0][:40]
            return f"cannot parse statement starting {snippet!r}"
    return "unexpected text"


def split_arguments(args: str) -> list[str]:
    """Arguments of ``name (a, "b, c", d)`` without quotes: ``["a", "b, c", "d"]``."""
    if '"' not in args:
        return [part.strip() for part in args.split(",")] if args.strip() else []
    stripped = args.strip()
    if stripped.count('"') == 2 and stripped[0] == '"' and stripped[-1] == '"':
        return [stripped[1:-1]]  # the common case: one quoted name
    return [
        quoted if quoted or not plain else plain.strip()
        for quoted, plain in _ARGUMENT.findall(args)
        if quoted or plain.strip()
    ]


_ARGUMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|([^",]+)')


def unquote(value: str) -> str:
    """A simple attribute's text without surrounding quotes."""
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value
