"""Boolean functions of library cells (Liberty ``function`` strings) evaluated over arrays."""

from __future__ import annotations

import re

import numpy as np

from tapeout.errors import ParseError

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_][\w\[\]]*)|(?P<const>[01])|(?P<op>[!&|^()']))")


def evaluate(expression: str, values: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate a Liberty Boolean ``expression`` over bool arrays (one per pin name).

    Precedence, tightest first: ``!`` (prefix) / ``'`` (postfix), ``&`` (or juxtaposition),
    ``^``, ``|``. Returns a bool array broadcast from the inputs; ParseError on bad syntax.
    """
    tokens: list[str] = []
    position = 0
    text = expression.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ParseError(f"bad character in function {expression!r} at {position}")
        tokens.append(match.group("name") or match.group("const") or match.group("op"))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    shape = np.broadcast_shapes(*(np.shape(value) for value in values.values())) if values else ()
    parser = _ExpressionParser(tokens, values, shape, expression)
    result = parser.parse_or()
    if parser.position != len(tokens):
        raise ParseError(f"unexpected {tokens[parser.position]!r} in function {expression!r}")
    return np.broadcast_to(result, shape).copy()


class _ExpressionParser:
    def __init__(
        self, tokens: list[str], values: dict[str, np.ndarray], shape: tuple[int, ...], text: str
    ) -> None:
        self.tokens = tokens
        self.values = values
        self.shape = shape
        self.text = text
        self.position = 0

    def _peek(self) -> str:
        return self.tokens[self.position] if self.position < len(self.tokens) else ""

    def parse_or(self) -> np.ndarray:
        result = self.parse_xor()
        while self._peek() == "|":
            self.position += 1
            result = result | self.parse_xor()
        return result

    def parse_xor(self) -> np.ndarray:
        result = self.parse_and()
        while self._peek() == "^":
            self.position += 1
            result = result ^ self.parse_and()
        return result

    def parse_and(self) -> np.ndarray:
        result = self.parse_unary()
        while self._peek() == "&" or (self._peek() not in ("", "|", "^", ")", "'")):
            if self._peek() == "&":
                self.position += 1
            result = result & self.parse_unary()
        return result

    def parse_unary(self) -> np.ndarray:
        token = self._peek()
        if token == "!":
            self.position += 1
            return ~self.parse_unary()
        if token == "(":
            self.position += 1
            result = self.parse_or()
            if self._peek() != ")":
                raise ParseError(f"missing ')' in function {self.text!r}")
            self.position += 1
        elif token in ("0", "1"):
            self.position += 1
            result = np.full(self.shape, token == "1")
        elif token and token not in "&|^)'":
            self.position += 1
            if token not in self.values:
                raise ParseError(f"unknown pin {token!r} in function {self.text!r}")
            result = np.asarray(self.values[token], dtype=bool)
        else:
            raise ParseError(f"unexpected end or {token!r} in function {self.text!r}")
        while self._peek() == "'":
            self.position += 1
            result = ~result
        return result
