"""Structural Verilog text handling: comment stripping, module splitting, tokens and literals.

Used by the netlist reader (``verilog_module``/``verilog_read``); nothing here knows the netlist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tapeout.errors import ParseError, line_column
from tapeout.log import Log

IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_$]*+"
ESCAPED = r"\\\S++"
SIMPLE_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")

KEYWORDS = frozenset(
    """always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config
    deassign default defparam design disable edge else end endcase endconfig endfunction
    endgenerate endmodule endprimitive endspecify endtable endtask event for force forever
    fork function generate genvar highz0 highz1 if ifnone incdir include initial inout input
    instance integer join large liblist library localparam macromodule medium module nand
    negedge nmos nor noshowcancelled not notif0 notif1 or output parameter pmos posedge
    primitive pull0 pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent rcmos real
    realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled
    signed small specify specparam strong0 strong1 supply0 supply1 table task time tran
    tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand
    weak0 weak1 while wire wor xnor xor logic bit byte int""".split()  # noqa: SIM905
)
GATE_PRIMITIVES = frozenset(
    """and nand or nor xor xnor buf not bufif0 bufif1 notif0 notif1 pullup pulldown cmos rcmos
    nmos pmos rnmos rpmos tran rtran tranif0 tranif1 rtranif0 rtranif1""".split()  # noqa: SIM905
)
# Compiler directives that do not change a gate-level netlist's meaning.
HARMLESS_DIRECTIVES = frozenset(
    """timescale default_nettype celldefine endcelldefine resetall nounconnected_drive
    unconnected_drive suppress_faults nosuppress_faults enable_portfaults disable_portfaults
    delay_mode_path delay_mode_unit delay_mode_zero delay_mode_distributed""".split()  # noqa: SIM905
)

_NOT_NEWLINE = re.compile(r"[^\n]")
_SPECIFY = re.compile(r"(?<![\w$\\])specify\b.*?\bendspecify\b", re.S)

_TOKEN = re.compile(
    r"""\s*+(?:
    (?P<esc>\\\S++)
    |(?P<number>(?:\d[\d_]*+\s*+)?'[sS]?[bBoOdDhH]\s*+[0-9a-fA-FxXzZ?_]++|\d[\d_]*+)
    |(?P<id>[A-Za-z_][A-Za-z0-9_$]*+)
    |(?P<string>"(?:[^"\\\n]|\\.)*+")
    |(?P<punct>[(){}\[\]:;,.#=+\-*@])
    |(?P<bad>\S))""",
    re.X,
)


@dataclass
class Source:
    """One Verilog file's text (comments blanked so offsets still match the file)."""

    path: str
    text: str

    def error(self, message: str, offset: int, hint: str | None = None) -> ParseError:
        """A ParseError at character ``offset`` of this file."""
        offset = max(0, min(offset, len(self.text)))
        line, column = line_column(self.text, offset)
        return ParseError(message, file=self.path, line=line, column=column, hint=hint)


def strip_comments(source_text: str, path: str, log: Log) -> str:
    """``source_text`` with comments, ``(* attributes *)`` and harmless directives blanked.

    Blanking keeps every other character at its offset, so error positions stay exact. Escaped
    identifiers and strings are kept as they are (``\\a//b`` is a name, not a comment).
    """
    source = Source(path, source_text)
    if "\x00" in source_text:
        raise source.error("NUL byte in Verilog text", source_text.index("\x00"), "binary file?")
    text = source_text
    if any(mark in text for mark in _MARKS):
        text = _blank_comments(source, log)
    if "specify" in text:
        blocks = _SPECIFY.findall(text)
        if blocks:
            text = _SPECIFY.sub(lambda m: _NOT_NEWLINE.sub(" ", m.group(0)), text)
            log.warn("VLOG-0002", f"{path}: skipped {len(blocks)} specify block(s)")
    return text


_MARKS = ("//", "/*", "(*", "`", '"')
_SEARCHED = ("//", "*", "`", '"')  # one-character needles search fastest
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_DIRECTIVE = re.compile(r"`([A-Za-z_]\w*)")
_NON_SPACE = re.compile(r"\S*")


def token_start(text: str, index: int) -> int:
    """Start of the whitespace-free run that holds ``index`` (looking back 4096 characters)."""
    start = index
    limit = max(0, index - 4096)
    while start > limit and not text[start - 1].isspace():
        start -= 1
    return start


def _blank_comments(source: Source, log: Log) -> str:
    # str.find per marker is much faster than a regex scan over a large netlist.
    text = source.text
    next_at = {mark: text.find(mark) for mark in _SEARCHED}
    pieces: list[str] = []
    cursor = 0
    skipped: set[str] = set()
    while True:
        live = [(index, mark) for mark, index in next_at.items() if index >= 0]
        if not live:
            break
        start, mark = min(live)
        if mark == "*":  # single-character search, then look at the character before
            if start > 0 and text[start - 1] in "/(":
                start, mark = start - 1, text[start - 1] + "*"
            else:
                next_at["*"] = text.find("*", start + 1)
                continue
        first = token_start(text, start)
        if "\\" in text[first:start]:  # inside an escaped identifier
            end = _NON_SPACE.match(text, start).end()  # type: ignore[union-attr]
            blank = False
        elif mark == "//":
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            blank = True
        elif mark == "/*":
            end = text.find("*/", start + 2)
            if end < 0:
                raise source.error("unterminated /* comment", start, "close it with */")
            end, blank = end + 2, True
        elif mark == "(*":
            if text.startswith("(*)", start):
                end, blank = start + 3, False
            else:
                end = text.find("*)", start + 2)
                if end < 0:
                    raise source.error("unterminated (* attribute", start, "close it with *)")
                end, blank = end + 2, True
        elif mark == "`":
            match = _DIRECTIVE.match(text, start)
            name = match.group(1) if match else ""
            if name not in HARMLESS_DIRECTIVES:
                raise source.error(
                    f"compiler directive `{name} is not supported in a gate-level netlist",
                    start,
                    "preprocess the file first (e.g. with Yosys or iverilog -E)",
                )
            skipped.add(name)
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            blank = True
        else:
            match = _STRING.match(text, start)
            if match is None:
                raise source.error("unterminated string", start)
            end, blank = match.end(), False
        if blank:
            pieces.append(text[cursor:start])
            comment = text[start:end]
            pieces.append(_NOT_NEWLINE.sub(" ", comment) if "\n" in comment else " " * len(comment))
            cursor = end
        for other, index in next_at.items():
            if 0 <= index < end:
                next_at[other] = text.find(other, end)
    if skipped:
        log.info("VLOG-0001", f"{source.path}: ignored directives {sorted(skipped)}")
    pieces.append(text[cursor:])
    return "".join(pieces)


@dataclass
class ModuleText:
    """Where one module sits in its file: header ``[start, header_end)``, body up to ``end``."""

    name: str
    source: Source
    start: int
    name_offset: int
    header_end: int
    body_end: int
    header_ports: list[tuple[str, int]] = field(default_factory=list)
    ansi_declarations: list[Declaration] = field(default_factory=list)


@dataclass
class Declaration:
    """``input [7:0] a`` or ``wire b``: one declared name with its kind and optional range."""

    kind: str
    name: str
    msb: int | None
    lsb: int | None
    offset: int
    statement: int = -1


def _keyword_positions(text: str, word: str, prefixes: tuple[str, ...] = ()) -> list[int]:
    """Offsets where ``word`` (or a prefix + ``word``) stands as a keyword (not part of a name,
    not in an escaped name); the offset is that of ``word``."""
    found: list[int] = []
    start = 0
    size = len(word)
    while True:
        index = text.find(word, start)
        if index < 0:
            return found
        start = index + size
        head = index
        for prefix in prefixes:
            if text.startswith(prefix, index - len(prefix)) and index >= len(prefix):
                head = index - len(prefix)
                break
        before = text[head - 1] if head > 0 else " "
        after = text[index + size] if index + size < len(text) else " "
        if before.isalnum() or before in "_$\\" or after.isalnum() or after in "_$":
            continue
        if "\\" in text[token_start(text, head) : head + 1]:
            continue
        found.append(index)


def split_modules(source: Source) -> list[ModuleText]:
    """The modules of ``source`` with their header ports; anything else outside them is an error."""
    text = source.text
    # One scan for "module" finds endmodule and macromodule too; a primitive block ends up as
    # text outside a module (an error).
    starts: list[tuple[int, str]] = []
    for index in _keyword_positions(text, "module", ("end", "macro")):
        if text.startswith("end", index - 3) and index >= 3:
            starts.append((index - 3, "endmodule"))
        elif text.startswith("macro", index - 5) and index >= 5:
            starts.append((index - 5, "module"))
        else:
            starts.append((index, "module"))
    modules: list[ModuleText] = []
    cursor = 0
    open_module: ModuleText | None = None
    for index, word in starts:
        if word == "module":
            if open_module is not None:
                raise source.error(
                    f"module {open_module.name} has no endmodule before the next module",
                    index,
                    "add endmodule",
                )
            _expect_blank(source, cursor, index)
            open_module = _parse_header(source, index)
        else:
            if open_module is None:
                raise source.error("endmodule without module", index)
            if index < open_module.header_end:
                raise source.error("endmodule inside a module header", index)
            open_module.body_end = index
            modules.append(open_module)
            open_module = None
            cursor = index + len("endmodule")
    if open_module is not None:
        raise source.error(
            f"module {open_module.name} has no endmodule", len(text), "the file may be truncated"
        )
    _expect_blank(source, cursor, len(text))
    return modules


def _expect_blank(source: Source, start: int, end: int) -> None:
    stripped = source.text[start:end].strip()
    if stripped:
        offset = start + source.text[start:end].index(stripped[0])
        raise source.error(
            f"unexpected text outside a module: {stripped[:30]!r}",
            offset,
            "a netlist holds only module ... endmodule blocks",
        )


_HEADER_END = re.compile(r"(?:[^;\\]++|\\\S*+)*+;")


class Tokens:
    """The tokens of one statement: ``(kind, text, offset)`` with kind id/esc/number/string/punct.

    Escaped identifiers keep their name without the backslash and kind ``esc``.
    """

    def __init__(self, source: Source, start: int, end: int) -> None:
        self.source = source
        self.items: list[tuple[str, str, int]] = []
        self.position = 0
        self.end_offset = end
        for match in _TOKEN.finditer(source.text, start, end):
            kind = match.lastgroup or "bad"
            text = match.group(kind)
            offset = match.start(kind)
            if kind == "bad":
                hint = (
                    "operators are not allowed in a gate-level netlist; map it to cells first"
                    if text in "~&|^!<>?%/"
                    else None
                )
                raise source.error(f"unexpected character {text!r}", offset, hint)
            if kind == "esc":
                text = text[1:]
            self.items.append((kind, text, offset))

    def peek(self, ahead: int = 0) -> tuple[str, str, int]:
        """The token ``ahead`` places on, or ``("end", "", offset)`` past the last one."""
        index = self.position + ahead
        if index < len(self.items):
            return self.items[index]
        return ("end", "", self.end_offset)

    def next(self) -> tuple[str, str, int]:
        """Consume and return the next token (``end`` kind at the end)."""
        token = self.peek()
        self.position += 1
        return token

    def at(self, text: str) -> bool:
        """True if the next token is punctuation or keyword ``text``."""
        kind, value, _ = self.peek()
        return value == text and kind in ("punct", "id")

    def accept(self, text: str) -> bool:
        """Consume the next token if it is ``text``."""
        if self.at(text):
            self.position += 1
            return True
        return False

    def expect(self, text: str, hint: str | None = None) -> int:
        """Consume ``text`` or raise a ParseError; returns its offset."""
        kind, value, offset = self.peek()
        if value != text or kind not in ("punct", "id"):
            raise self.error(f"expected {text!r}, found {_describe(kind, value)}", hint=hint)
        self.position += 1
        return offset

    def name(self, what: str) -> tuple[str, int]:
        """Consume an identifier (plain or escaped) naming ``what``."""
        kind, value, offset = self.peek()
        if kind == "esc" or (kind == "id" and value not in KEYWORDS):
            self.position += 1
            return value, offset
        raise self.error(f"expected {what}, found {_describe(kind, value)}")

    def integer(self) -> int:
        """Consume a plain decimal integer (range bounds, replication counts)."""
        kind, value, offset = self.peek()
        if kind != "number" or "'" in value:
            raise self.error(f"expected an integer, found {_describe(kind, value)}")
        self.position += 1
        number = int(value.replace("_", ""))
        if number > 1 << 24:
            raise self.source.error(f"integer {number} is too large here", offset)
        return number

    def done(self) -> bool:
        """True when all tokens are consumed."""
        return self.position >= len(self.items)

    def error(self, message: str, hint: str | None = None) -> ParseError:
        """A ParseError at the next token."""
        return self.source.error(message, self.peek()[2], hint)

    def skip_balanced(self) -> None:
        """Consume a parenthesised group starting at ``(`` (parameter lists we do not use)."""
        depth = 0
        while True:
            kind, value, _ = self.next()
            if kind == "end":
                raise self.error("unbalanced parentheses")
            if kind == "punct" and value == "(":
                depth += 1
            elif kind == "punct" and value == ")":
                depth -= 1
                if depth == 0:
                    return


def _describe(kind: str, value: str) -> str:
    if kind == "end":
        return "end of statement"
    if kind == "esc":
        return f"\\{value}"
    return repr(value)


def parse_range(tokens: Tokens) -> tuple[int, int] | None:
    """``[msb:lsb]`` if the next tokens are a range, else None."""
    if not tokens.accept("["):
        return None
    msb = tokens.integer()
    tokens.expect(":", "ranges are written [msb:lsb]")
    lsb = tokens.integer()
    tokens.expect("]")
    return msb, lsb


_DIRECTIONS = ("input", "output", "inout")
_NET_TYPES = ("wire", "reg", "tri", "logic", "uwire", "wand", "wor", "tri0", "tri1")


def _parse_header(source: Source, start: int) -> ModuleText:
    """Parse ``module name #(...) (ports);`` starting at the ``module`` keyword."""
    match = _HEADER_END.match(source.text, start)
    if match is None:
        raise source.error("module header has no terminating ';'", start)
    tokens = Tokens(source, start, match.end() - 1)
    tokens.next()  # module / macromodule
    name, name_offset = tokens.name("a module name")
    module = ModuleText(name, source, start, name_offset, match.end(), match.end())
    if tokens.at("#"):
        tokens.next()
        if not tokens.at("("):
            raise tokens.error("expected '(' after '#'")
        tokens.skip_balanced()
    if tokens.accept("(") and not tokens.accept(")"):
        _parse_port_list(tokens, module)
    if not tokens.done():
        raise tokens.error("unexpected text in the module header")
    return module


def _parse_port_list(tokens: Tokens, module: ModuleText) -> None:
    direction: str | None = None
    port_range: tuple[int, int] | None = None
    while True:
        kind, value, _ = tokens.peek()
        if kind == "id" and value in _DIRECTIONS:
            tokens.next()
            direction = value
            port_range = None
            if tokens.peek()[0] == "id" and tokens.peek()[1] in _NET_TYPES:
                tokens.next()
            tokens.accept("signed")
            port_range = parse_range(tokens)
        elif kind == "punct" and value in (".", "{"):
            raise tokens.error(
                "port expressions in the module header are not supported",
                hint="declare ports by name",
            )
        elif direction is not None and tokens.at("["):
            raise tokens.error("a range must follow the port direction")
        name, offset = tokens.name("a port name")
        module.header_ports.append((name, offset))
        if direction is not None:
            msb, lsb = port_range if port_range else (None, None)
            module.ansi_declarations.append(Declaration(direction, name, msb, lsb, offset))
        if tokens.accept(")"):
            return
        tokens.expect(",", "separate ports with commas")


def number_bits(text: str) -> tuple[list[int | None], bool]:
    """Bits of a Verilog literal, most significant first, and whether it was sized.

    ``None`` stands for an x or z bit. Unsized literals (``5``, ``'b1``) are 32 bits wide.
    """
    compact = "".join(text.split()).replace("_", "")
    if "'" not in compact:
        value = int(compact)
        return [(value >> i) & 1 for i in range(31, -1, -1)], False
    size_text, rest = compact.split("'", 1)
    sized = bool(size_text)
    width = int(size_text) if sized else 32
    if width == 0 or width > 1 << 20:
        raise ValueError(f"literal width {width} is out of range")
    if rest[0] in "sS":
        rest = rest[1:]
    base, digits = rest[0].lower(), rest[1:].lower()
    bits: list[int | None] = []
    if base == "d":
        if any(c in "xz?" for c in digits):
            bits = [None] * width
        else:
            value = int(digits)
            bits = [(value >> i) & 1 for i in range(width - 1, -1, -1)]
        return bits, sized
    per_digit = {"b": 1, "o": 3, "h": 4}[base]
    for digit in digits:
        if digit in "xz?":
            bits.extend([None] * per_digit)
        else:
            value = int(digit, 16)
            if value >= 1 << per_digit:
                raise ValueError(f"digit {digit!r} is not valid in base {base}")
            bits.extend((value >> i) & 1 for i in range(per_digit - 1, -1, -1))
    if len(bits) < width:
        pad: int | None = None if bits and bits[0] is None else 0
        bits = [pad] * (width - len(bits)) + bits
    return bits[len(bits) - width :], sized
