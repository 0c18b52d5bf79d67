"""The Tcl core commands the SDC interpreter knows: variables, expr, lists, if, foreach."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tapeout.formats.tcl import TclError, number_text, parse_number, to_list, to_text
from tapeout.formats.tcl_expr import evaluate_expression

if TYPE_CHECKING:
    from tapeout.formats.tcl import CommandFunction, Interpreter


def _arity(name: str, arguments: list, low: int, high: int, usage: str, line: int) -> None:
    if not low <= len(arguments) <= high:
        raise TclError(f'wrong # args: should be "{name} {usage}"', line)


def _set(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("set", arguments, 1, 2, "varName ?newValue?", line)
    name = to_text(arguments[0])
    if len(arguments) == 2:
        interpreter.variables[name] = arguments[1]
        return arguments[1]
    return interpreter.get_variable(name)


def _unset(interpreter: Interpreter, arguments: list, line: int) -> object:
    for argument in arguments:
        name = to_text(argument)
        if name not in ("-nocomplain", "--"):
            interpreter.variables.pop(name, None)
    return ""


def _incr(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("incr", arguments, 1, 2, "varName ?increment?", line)
    name = to_text(arguments[0])
    current = parse_number(to_text(interpreter.variables.get(name, "0")))
    step = parse_number(to_text(arguments[1])) if len(arguments) == 2 else 1
    if not isinstance(current, int) or not isinstance(step, int):
        raise TclError("expected integer for incr", line)
    value = number_text(current + step)
    interpreter.variables[name] = value
    return value


def _append(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("append", arguments, 1, 1 << 30, "varName ?value ...?", line)
    name = to_text(arguments[0])
    value = to_text(interpreter.variables.get(name, "")) + "".join(map(to_text, arguments[1:]))
    interpreter.variables[name] = value
    return value


def _expr(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("expr", arguments, 1, 1 << 30, "arg ?arg ...?", line)
    return evaluate_expression(interpreter, " ".join(map(to_text, arguments)), line)


def _list(interpreter: Interpreter, arguments: list, line: int) -> object:
    return list(arguments)


def _index(text: str, length: int, line: int) -> int:
    match = re.fullmatch(r"\s*(end)?\s*(?:([+-]?\s*\d+))?\s*", text)
    if match is None or (match.group(1) is None and match.group(2) is None):
        raise TclError(
            f'bad index "{text}": must be integer?[+-]integer? or end?[+-]integer?', line
        )
    offset = int(match.group(2).replace(" ", "")) if match.group(2) else 0
    if match.group(1):
        return length - 1 + offset
    return offset


def _lindex(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("lindex", arguments, 1, 1 << 30, "list ?index ...?", line)
    value = arguments[0]
    for index_value in arguments[1:]:
        items = to_list(value, line)
        index = _index(to_text(index_value), len(items), line)
        if not 0 <= index < len(items):
            return ""
        value = items[index]
    return value


def _llength(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("llength", arguments, 1, 1, "list", line)
    return str(len(to_list(arguments[0], line)))


def _lappend(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("lappend", arguments, 1, 1 << 30, "varName ?value ...?", line)
    name = to_text(arguments[0])
    items = list(to_list(interpreter.variables.get(name, ""), line))
    items.extend(arguments[1:])
    interpreter.variables[name] = items
    return items


def _lrange(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("lrange", arguments, 3, 3, "list first last", line)
    items = to_list(arguments[0], line)
    first = max(0, _index(to_text(arguments[1]), len(items), line))
    last = _index(to_text(arguments[2]), len(items), line)
    return items[first : last + 1]


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Tcl ``string match`` pattern as a regex: ``*``, ``?``, ``[chars]`` and ``\\x``."""
    out: list[str] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "\\" and position + 1 < len(pattern):
            position += 1
            out.append(re.escape(pattern[position]))
        elif char == "[":
            close = pattern.find("]", position + 1)
            if close < 0:
                out.append(re.escape(char))
            else:
                body = pattern[position + 1 : close]
                out.append("[" + body.replace("\\", "\\\\").replace("^", "\\^") + "]")
                position = close
        else:
            out.append(re.escape(char))
        position += 1
    try:
        return re.compile("".join(out), re.S)
    except re.error:
        return re.compile(re.escape(pattern))


def _lsearch(interpreter: Interpreter, arguments: list, line: int) -> object:
    options = [to_text(a) for a in arguments[:-2] if to_text(a).startswith("-")]
    _arity("lsearch", arguments, 2, 2 + len(options), "?-option ...? list pattern", line)
    items = to_list(arguments[-2], line)
    pattern = to_text(arguments[-1])
    if "-exact" in options:
        matches = [i for i, item in enumerate(items) if to_text(item) == pattern]
    elif "-regexp" in options:
        try:
            regex = re.compile(pattern)
        except re.error:
            raise TclError(f"bad regular expression {pattern!r}", line) from None
        matches = [i for i, item in enumerate(items) if regex.search(to_text(item))]
    else:
        glob = _glob_regex(pattern)
        matches = [i for i, item in enumerate(items) if glob.fullmatch(to_text(item))]
    if "-all" in options:
        if "-inline" in options:
            return [items[i] for i in matches]
        return [str(i) for i in matches]
    if "-inline" in options:
        return items[matches[0]] if matches else ""
    return str(matches[0]) if matches else "-1"


def _lreplace(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("lreplace", arguments, 3, 1 << 30, "list first last ?element ...?", line)
    items = list(to_list(arguments[0], line))
    first = max(0, _index(to_text(arguments[1]), len(items), line))
    last = _index(to_text(arguments[2]), len(items), line)
    return items[:first] + list(arguments[3:]) + items[max(first, last + 1) :]


def _concat(interpreter: Interpreter, arguments: list, line: int) -> object:
    items: list = []
    for argument in arguments:
        items.extend(to_list(argument, line))
    return items


def _join(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("join", arguments, 1, 2, "list ?joinString?", line)
    separator = to_text(arguments[1]) if len(arguments) == 2 else " "
    return separator.join(to_text(item) for item in to_list(arguments[0], line))


def _split(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("split", arguments, 1, 2, "string ?splitChars?", line)
    text = to_text(arguments[0])
    characters = to_text(arguments[1]) if len(arguments) == 2 else " \t\n\r"
    if characters == "":
        return list(text)
    return re.split("[" + re.escape(characters) + "]", text)


def _delete_from_list(interpreter: Interpreter, arguments: list, line: int) -> object:
    """OpenROAD's ``delete_from_list list items``: the list without the given items."""
    _arity("delete_from_list", arguments, 2, 2, "list items", line)
    remove = {to_text(item) for item in to_list(arguments[1], line)}
    return [item for item in to_list(arguments[0], line) if to_text(item) not in remove]


def _foreach(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("foreach", arguments, 3, 1 << 30, "varList list ?varList list ...? command", line)
    if len(arguments) % 2 == 0:
        raise TclError('wrong # args: should be "foreach varList list ?...? command"', line)
    body = arguments[-1]
    pairs = [
        ([to_text(name) for name in to_list(arguments[i], line)], to_list(arguments[i + 1], line))
        for i in range(0, len(arguments) - 1, 2)
    ]
    if any(not names for names, _ in pairs):
        raise TclError("foreach varlist is empty", line)
    rounds = max((len(items) + len(names) - 1) // len(names) for names, items in pairs)
    for round_index in range(rounds):
        for names, items in pairs:
            for offset, name in enumerate(names):
                position = round_index * len(names) + offset
                interpreter.variables[name] = items[position] if position < len(items) else ""
        interpreter.evaluate_body(body, line)
    return ""


def _if(interpreter: Interpreter, arguments: list, line: int) -> object:
    position = 0
    while True:
        if position >= len(arguments):
            raise TclError('wrong # args: no expression after "if" or "elseif"', line)
        condition = evaluate_expression(interpreter, to_text(arguments[position]), line)
        position += 1
        if position < len(arguments) and to_text(arguments[position]) == "then":
            position += 1
        if position >= len(arguments):
            raise TclError("wrong # args: no script following if condition", line)
        body = arguments[position]
        position += 1
        number = parse_number(condition)
        truth = condition.lower() in ("true", "yes", "on") or (number is not None and number != 0)
        if number is None and condition.lower() not in ("true", "yes", "on", "false", "no", "off"):
            raise TclError(f'expected boolean value but got "{condition}"', line)
        if truth:
            return interpreter.evaluate_body(body, line)
        if position >= len(arguments):
            return ""
        keyword = to_text(arguments[position])
        if keyword == "elseif":
            position += 1
            continue
        if keyword == "else":
            position += 1
        if position != len(arguments) - 1:
            raise TclError('wrong # args: extra words after "else" clause in "if" command', line)
        return interpreter.evaluate_body(arguments[position], line)


def _puts(interpreter: Interpreter, arguments: list, line: int) -> object:
    words = [to_text(a) for a in arguments if to_text(a) != "-nonewline"]
    if words:
        interpreter.log.info("SDC-0100", f"{interpreter.path}:{line}: puts {words[-1]}")
    return ""


def _string(interpreter: Interpreter, arguments: list, line: int) -> object:
    _arity("string", arguments, 2, 1 << 30, "subcommand ?arg ...?", line)
    subcommand = to_text(arguments[0])
    values = [to_text(a) for a in arguments[1:]]
    if subcommand == "length":
        return str(len(values[0]))
    if subcommand == "tolower":
        return values[0].lower()
    if subcommand == "toupper":
        return values[0].upper()
    if subcommand == "trim":
        return values[0].strip()
    if subcommand in ("equal", "compare", "match", "first", "last") and len(values) >= 2:
        a, b = values[-2], values[-1]
        if subcommand == "equal":
            return "1" if a == b else "0"
        if subcommand == "compare":
            return str((a > b) - (a < b))
        if subcommand == "match":
            return "1" if _glob_regex(a).fullmatch(b) else "0"
        return str(b.find(a) if subcommand == "first" else b.rfind(a))
    raise TclError(f'unsupported "string {subcommand}"', line)


def _return(interpreter: Interpreter, arguments: list, line: int) -> object:
    return arguments[-1] if arguments else ""


CORE: dict[str, CommandFunction] = {
    "set": _set,
    "unset": _unset,
    "incr": _incr,
    "append": _append,
    "expr": _expr,
    "list": _list,
    "lindex": _lindex,
    "llength": _llength,
    "lappend": _lappend,
    "lrange": _lrange,
    "lsearch": _lsearch,
    "lreplace": _lreplace,
    "concat": _concat,
    "join": _join,
    "split": _split,
    "delete_from_list": _delete_from_list,
    "foreach": _foreach,
    "if": _if,
    "puts": _puts,
    "string": _string,
    "return": _return,
}
