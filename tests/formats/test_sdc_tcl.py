"""The Tcl subset under the SDC reader: words, substitution, expr, lists, control flow."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.errors import ParseError
from tapeout.formats.tcl import Interpreter, TclObject, parse_tcl, quote_element, to_list, to_text
from tapeout.log import Log


def _run(script: str) -> tuple[Interpreter, list[tuple[str, list, int]]]:
    calls: list[tuple[str, list, int]] = []

    def unknown(name: str, arguments: list, line: int) -> object:
        calls.append((name, arguments, line))
        return ""

    interpreter = Interpreter(Path("t.tcl"), Log(), {}, unknown)
    interpreter.run(script)
    return interpreter, calls


def _value(script: str, name: str = "x") -> str:
    interpreter, _ = _run(script)
    return to_text(interpreter.variables[name])


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("7 / 2", "3"),
        ("-7 / 2", "-4"),
        ("7.0 / 2", "3.5"),
        ("7 % 3", "1"),
        ("2 ** 10", "1024"),
        ("-2 ** 2", "4"),
        ("2 ** 3 ** 2", "512"),
        ("1.1 * 0.2", "0.22000000000000003"),
        (".1 + 1e1", "10.1"),
        ("0x10 + 1", "17"),
        ("double(3)", "3.0"),
        ("int(3.9)", "3"),
        ("round(2.5)", "3"),
        ("abs(-1.5)", "1.5"),
        ("max(1, 4.5, 2)", "4.5"),
        ("min(3, 2)", "2"),
        ("floor(2.7) + ceil(0.1)", "3.0"),
        ("pow(2, 0.5) > 1.41", "1"),
        ("3 > 2 && 1 < 0", "0"),
        ("3 > 2 || 1 < 0", "1"),
        ("!0", "1"),
        ("1 == 1.0", "1"),
        ('"abc" eq "abc"', "1"),
        ('"abc" ne "abd"', "1"),
        ('"b" in {a b c}', "1"),
        ("1 ? 10 : 20", "10"),
        ("0 ? 10 : 1 ? 30 : 40", "30"),
        ("5 & 3 | 8 ^ 1", "9"),
        ("1 << 4 >> 2", "4"),
    ],
)
def test_expr(expression: str, expected: str) -> None:
    assert _value(f"set x [expr {{{expression}}}]") == expected


def test_expr_substitutes_variables_and_commands() -> None:
    script = "set a 2\nset b 3\nset x [expr {$a * [expr $b + 1]}]\nset y [expr $a*$b]"
    interpreter, _ = _run(script)
    assert interpreter.variables["x"] == "8"
    assert interpreter.variables["y"] == "6"


def test_words_braces_quotes_and_backslashes() -> None:
    script = (
        "set a 1\n"
        "set braced {no $a [subst]}\n"
        'set quoted "a=$a [set a] \\t|"\n'
        "set joined ${a}x$a\n"
        "set nested {a {b c} d}\n"
        "set bus {req[3]}\n"
        "set long [list 1 \\\n    2 3]\n"
        "# a comment [with brackets] \\\n  still the comment\n"
        "set after 1; set semi 2\n"
    )
    interpreter, calls = _run(script)
    variables = interpreter.variables
    assert variables["braced"] == "no $a [subst]"
    assert variables["quoted"] == "a=1 1 \t|"
    assert variables["joined"] == "1x1"
    assert to_list(variables["nested"]) == ["a", "b c", "d"]
    assert variables["bus"] == "req[3]"
    assert variables["long"] == ["1", "2", "3"]
    assert variables["semi"] == "2"
    assert calls == []


def test_nested_command_substitution_keeps_objects() -> None:
    interpreter = Interpreter(
        Path("t.tcl"),
        Log(),
        {"get": lambda interp, arguments, line: [TclObject("port", to_text(arguments[0]))]},
        lambda name, arguments, line: "",
    )
    interpreter.run("set p [get [lindex [list a b] 1]]\nset q [lindex $p 0]\nset s x$p")
    assert interpreter.variables["p"] == [TclObject("port", "b")]
    assert interpreter.variables["q"] == TclObject("port", "b")
    assert interpreter.variables["s"] == "xb"


def test_lists() -> None:
    script = (
        "set l [list a {b c} {} d]\n"
        "set n [llength $l]\n"
        "set last [lindex $l end]\n"
        "set second [lindex $l end-2]\n"
        "set found [lsearch $l d]\n"
        "set glob [lsearch {x1 y2 x3} y*]\n"
        "set missing [lsearch $l zz]\n"
        "set cut [lreplace $l 1 2]\n"
        "set range [lrange $l 1 end]\n"
        "set all [concat {1 2} 3 {4 {5 6}}]\n"
        "set removed [delete_from_list {a b c d} {b d}]\n"
        "set joined [join {a b c} ,]\n"
        'set text "$l"\n'
    )
    interpreter, _ = _run(script)
    variables = interpreter.variables
    assert variables["n"] == "4"
    assert variables["last"] == "d"
    assert variables["second"] == "b c"
    assert variables["found"] == "3"
    assert variables["glob"] == "1"
    assert variables["missing"] == "-1"
    assert variables["cut"] == ["a", "d"]
    assert variables["range"] == ["b c", "", "d"]
    assert [to_text(item) for item in variables["all"]] == ["1", "2", "3", "4", "5 6"]
    assert variables["removed"] == ["a", "c"]
    assert variables["joined"] == "a,b,c"
    assert to_text(variables["text"]) == "a {b c} {} d"
    assert to_list(variables["text"]) == ["a", "b c", "", "d"]


@pytest.mark.parametrize("element", ["plain", "", "a b", "x[3]", "{", "a}b", "$v", 'q"', "\\"])
def test_list_quoting_round_trips(element: str) -> None:
    assert to_list(quote_element(element) + " tail") == [element, "tail"]


def test_control_flow() -> None:
    script = (
        "set out {}\n"
        "foreach v {1 2 3} {\n"
        "  if {$v == 1} { lappend out one } elseif {$v == 2} then { lappend out two } "
        "else { lappend out other }\n"
        "}\n"
        "foreach {a b} {1 2 3 4} { lappend pairs $a$b }\n"
        "set i 0\nincr i 5\nappend s x y\n"
    )
    interpreter, _ = _run(script)
    assert interpreter.variables["out"] == ["one", "two", "other"]
    assert interpreter.variables["pairs"] == ["12", "34"]
    assert interpreter.variables["i"] == "5"
    assert interpreter.variables["s"] == "xy"


def test_unknown_commands_report_their_line() -> None:
    _, calls = _run("set a 1\n\nfoo $a [list b]\nforeach v {1} {\n  bar $v\n}\n")
    assert calls == [("foo", ["1", ["b"]], 3), ("bar", ["1"], 5)]


@pytest.mark.parametrize(
    ("script", "message", "line"),
    [
        ("set a {b\n\n", "missing close-brace", 1),
        ("set a 1\nset b [expr {$a +}]\n", "missing operand", 2),
        ("foreach v {1 2} {\n  set x [expr 1/0]\n}\n", "divide by zero", 2),
        ("set a\n", "no such variable", 1),
        ("if {1} \n", "no script", 1),
        ("set x [expr {2 ** 100000}]\n", "exponent too large", 1),
        ("set x [expr {foo(1)}]\n", "unknown math function", 1),
        ("set x [lindex {a {b} c} bad]\n", "bad index", 1),
        ("set x [llength {a {b}c}]\n", "followed by characters", 1),
        ("set x [" * 300 + "\n", "nested too deeply", 1),
    ],
)
def test_errors_have_lines(script: str, message: str, line: int) -> None:
    with pytest.raises(ParseError, match=message) as info:
        _run(script)
    assert info.value.file == "t.tcl"
    assert info.value.line == line


def test_parse_records_command_lines() -> None:
    commands = parse_tcl("a\n\nb [c\nd]\n  e;f\n")
    assert [command.line for command in commands] == [1, 3, 5, 5]
