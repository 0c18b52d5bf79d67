"""Tcl ``expr``: arithmetic, comparison and logic with math functions, for the SDC interpreter."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from tapeout.formats.tcl import TclError, _Parser, number_text, parse_number, to_text

if TYPE_CHECKING:
    from tapeout.formats.tcl import Interpreter

Number = int | float
_NUMBER = re.compile(r"(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (
    "**", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
    "+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "|", "^", "?", ":", "(", ")", ",",
)  # fmt: skip
_WORD_OPERATORS = {"eq", "ne", "in", "ni"}
_BINARY_PRECEDENCE = {
    "||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
    "==": 6, "!=": 6, "eq": 6, "ne": 6, "in": 6, "ni": 6,
    "<": 7, ">": 7, "<=": 7, ">=": 7,
    "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10, "**": 12,
}  # fmt: skip
_BOOLEANS = {"true": 1, "yes": 1, "on": 1, "false": 0, "no": 0, "off": 0}


class _Expression:
    """Tokenizes with substitution, then evaluates by precedence climbing."""

    def __init__(self, interpreter: Interpreter, text: str, line: int) -> None:
        self.interpreter = interpreter
        self.line = line
        self.tokens: list[tuple[str, object]] = []
        self.tokenize(text)
        self.position = 0

    def error(self, message: str) -> TclError:
        return TclError(message, self.line)

    def tokenize(self, text: str) -> None:
        parser = _Parser(text, self.line)
        end = len(text)
        tokens = self.tokens
        while True:
            while parser.pos < end and text[parser.pos] in " \t\r\n\f\v":
                parser.pos += 1
            if parser.pos >= end:
                return
            char = text[parser.pos]
            match = _NUMBER.match(text, parser.pos)
            if match:
                value = parse_number(match.group())
                if value is None:
                    raise self.error(f"bad number {match.group()!r} in expression")
                tokens.append(("value", value))
                parser.pos = match.end()
            elif char == "$":
                kind, payload = parser.variable()
                found = self.interpreter.get_variable(str(payload)) if kind == "var" else payload
                tokens.append(("value", to_text(found)))
            elif char == "[":
                parser.pos += 1
                commands = parser.parse_script(nested=True)
                tokens.append(("value", to_text(self.interpreter.evaluate(commands))))
            elif char == "{":
                tokens.append(("value", parser.braced()))
            elif char == '"':
                parser.pos += 1
                parts = parser.parts(re.compile(r'[^"$\[\\]+'), '"', nested=False)
                if parser.pos >= end:
                    raise self.error("missing close-quote in expression")
                parser.pos += 1
                tokens.append(
                    ("value", "".join(to_text(self.interpreter.part(part)) for part in parts))
                )
            elif match := _IDENTIFIER.match(text, parser.pos):
                word = match.group()
                parser.pos = match.end()
                if word in _WORD_OPERATORS:
                    tokens.append(("operator", word))
                elif word.lower() in _BOOLEANS:
                    tokens.append(("value", _BOOLEANS[word.lower()]))
                else:
                    tokens.append(("function", word))
            else:
                for operator in _OPERATORS:
                    if text.startswith(operator, parser.pos):
                        tokens.append(("operator", operator))
                        parser.pos += len(operator)
                        break
                else:
                    raise self.error(f"invalid character {char!r} in expression")

    def peek(self) -> tuple[str, object] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, object]:
        token = self.peek()
        if token is None:
            raise self.error("missing operand at end of expression")
        self.position += 1
        return token

    def expect(self, operator: str) -> None:
        token = self.take()
        if token != ("operator", operator):
            raise self.error(f"expected {operator!r} in expression")

    def evaluate(self) -> object:
        if not self.tokens:
            raise self.error("empty expression")
        value = self.ternary()
        if self.peek() is not None:
            raise self.error(f"unexpected {self.peek()[1]!r} in expression")  # type: ignore[index]
        return value

    def ternary(self) -> object:
        condition = self.binary(1)
        if self.peek() == ("operator", "?"):
            self.take()
            when_true = self.ternary()
            self.expect(":")
            when_false = self.ternary()
            return when_true if self.truth(condition) else when_false
        return condition

    def binary(self, minimum: int) -> object:
        left = self.unary()
        while True:
            token = self.peek()
            if token is None or token[0] != "operator":
                return left
            operator = str(token[1])
            precedence = _BINARY_PRECEDENCE.get(operator)
            if precedence is None or precedence < minimum:
                return left
            self.take()
            # ** is right associative, the rest left associative.
            right = self.binary(precedence if operator == "**" else precedence + 1)
            left = self.apply(operator, left, right)

    def unary(self) -> object:
        token = self.take()
        kind, payload = token
        if kind == "operator" and payload in ("-", "+", "!", "~"):
            operand = self.unary()
            if payload == "!":
                return 0 if self.truth(operand) else 1
            number = self.number(operand, str(payload))
            if payload == "-":
                return -number
            if payload == "~":
                if not isinstance(number, int):
                    raise self.error("can't use floating-point value as operand of '~'")
                return ~number
            return number
        if kind == "operator" and payload == "(":
            value = self.ternary()
            self.expect(")")
            return value
        if kind == "value":
            return payload
        if kind == "function":
            self.expect("(")
            arguments: list[object] = []
            if self.peek() != ("operator", ")"):
                arguments.append(self.ternary())
                while self.peek() == ("operator", ","):
                    self.take()
                    arguments.append(self.ternary())
            self.expect(")")
            return self.call(str(payload), arguments)
        raise self.error(f"unexpected {payload!r} in expression")

    def number(self, value: object, operator: str) -> Number:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int | float):
            return value
        number = parse_number(to_text(value))
        if number is None:
            raise self.error(f"can't use non-numeric string {value!r} as operand of {operator!r}")
        return number

    def truth(self, value: object) -> bool:
        if isinstance(value, str) and value.lower() in _BOOLEANS:
            return bool(_BOOLEANS[value.lower()])
        return self.number(value, "boolean") != 0

    def apply(self, operator: str, left: object, right: object) -> object:
        if operator in ("eq", "ne"):
            same = to_text(left) == to_text(right)
            return int(same if operator == "eq" else not same)
        if operator in ("in", "ni"):
            from tapeout.formats.tcl import to_list

            found = to_text(left) in [to_text(item) for item in to_list(right, self.line)]
            return int(found if operator == "in" else not found)
        if operator in ("&&", "||"):
            if operator == "&&":
                return int(self.truth(left) and self.truth(right))
            return int(self.truth(left) or self.truth(right))
        if operator in ("==", "!=", "<", ">", "<=", ">="):
            a = left if isinstance(left, int | float) else parse_number(to_text(left))
            b = right if isinstance(right, int | float) else parse_number(to_text(right))
            if a is None or b is None:
                a, b = to_text(left), to_text(right)  # type: ignore[assignment]
            result = {
                "==": a == b,
                "!=": a != b,
                "<": a < b,  # type: ignore[operator]
                ">": a > b,  # type: ignore[operator]
                "<=": a <= b,  # type: ignore[operator]
                ">=": a >= b,  # type: ignore[operator]
            }[operator]
            return int(result)
        a = self.number(left, operator)
        b = self.number(right, operator)
        if operator == "+":
            return a + b
        if operator == "-":
            return a - b
        if operator == "*":
            return a * b
        if operator == "/":
            if b == 0:
                raise self.error("divide by zero")
            if isinstance(a, int) and isinstance(b, int):
                return a // b
            return a / b
        if operator == "%":
            if not (isinstance(a, int) and isinstance(b, int)):
                raise self.error("can't use floating-point value as operand of '%'")
            if b == 0:
                raise self.error("divide by zero")
            return a % b
        if operator == "**":
            if isinstance(a, int) and isinstance(b, int):
                if b < 0:
                    return 0 if abs(a) > 1 else a**b
                if b > 4096 and abs(a) > 1:
                    raise self.error("exponent too large")
                return a**b
            try:
                return math.pow(a, b)
            except (OverflowError, ValueError):
                raise self.error("domain error or overflow in '**'") from None
        if not (isinstance(a, int) and isinstance(b, int)):
            raise self.error(f"can't use floating-point value as operand of {operator!r}")
        if operator in ("<<", ">>"):
            if b < 0 or b > 4096:
                raise self.error("shift amount out of range")
            return a << b if operator == "<<" else a >> b
        return {"&": a & b, "|": a | b, "^": a ^ b}[operator]

    def call(self, name: str, arguments: list[object]) -> object:
        numbers = [self.number(argument, name) for argument in arguments]
        one: dict[str, Callable[[Number], Number]] = {
            "abs": abs,
            "double": float,
            "int": _to_int,
            "wide": _to_int,
            "entier": _to_int,
            "round": _round,
            "floor": math.floor,
            "ceil": math.ceil,
            "sqrt": math.sqrt,
            "exp": math.exp,
            "log": math.log,
            "log10": math.log10,
            "sin": math.sin,
            "cos": math.cos,
            "tan": math.tan,
            "atan": math.atan,
            "bool": lambda x: int(x != 0),
        }
        two: dict[str, Callable[[Number, Number], Number]] = {
            "pow": math.pow,
            "fmod": math.fmod,
            "hypot": math.hypot,
            "atan2": math.atan2,
        }
        try:
            if name in one:
                if len(numbers) != 1:
                    raise self.error(f"{name}() takes one argument")
                result = one[name](numbers[0])
                return float(result) if name in ("floor", "ceil") else result
            if name in two:
                if len(numbers) != 2:
                    raise self.error(f"{name}() takes two arguments")
                return two[name](numbers[0], numbers[1])
            if name in ("min", "max"):
                if not numbers:
                    raise self.error(f"{name}() needs at least one argument")
                return min(numbers) if name == "min" else max(numbers)
        except (ValueError, OverflowError, ZeroDivisionError):
            raise self.error(f"domain error in {name}()") from None
        raise self.error(f"unknown math function {name!r}")


def _to_int(value: Number) -> int:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not finite")
    return int(value)


def _round(value: Number) -> int:
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        raise ValueError("not finite")
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def evaluate_expression(interpreter: Interpreter, text: str, line: int) -> str:
    """Value of Tcl expression ``text`` as Tcl text (``"0.22000000000000003"``, ``"10"``)."""
    value = _Expression(interpreter, text, line).evaluate()
    if isinstance(value, int | float):
        return number_text(value)
    return to_text(value)
