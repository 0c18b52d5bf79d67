"""Log lines with stable ids (``[WARN LEF-0003] ...``) that tests and users can grep."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

_logger = logging.getLogger("tapeout")
_PYTHON_LEVEL = {"INFO": logging.INFO, "WARN": logging.WARNING, "ERROR": logging.ERROR}


@dataclass
class Log:
    """Collects messages of one step and forwards them to the ``tapeout`` logger.

    ``messages`` keeps ``(level, id, text)`` so reports and tests can inspect them;
    ``echo=False`` keeps them without forwarding (a second reading of a file already read).
    """

    messages: list[tuple[str, str, str]] = field(default_factory=list)
    max_repeats: int = 20
    echo: bool = True
    _counts: dict[str, int] = field(default_factory=dict)

    def _emit(self, level: str, msg_id: str, text: str) -> None:
        self.messages.append((level, msg_id, text))
        if not self.echo:
            return
        key = f"{level} {msg_id}"
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        python_level = _PYTHON_LEVEL[level]
        if count > self.max_repeats:
            if count == self.max_repeats + 1:
                _logger.log(
                    python_level, "[%s %s] further messages with this id suppressed", level, msg_id
                )
            return
        _logger.log(python_level, "[%s %s] %s", level, msg_id, text)

    def info(self, msg_id: str, text: str) -> None:
        """An informational line, e.g. ``log.info("LEF-0001", "read 437 macros")``."""
        self._emit("INFO", msg_id, text)

    def warn(self, msg_id: str, text: str) -> None:
        """Something the user should know about that does not stop the step."""
        self._emit("WARN", msg_id, text)

    def error(self, msg_id: str, text: str) -> None:
        """An error that is reported but does not raise (the caller decides)."""
        self._emit("ERROR", msg_id, text)

    def count(self, level: str) -> int:
        """Number of messages recorded at ``level`` ("INFO", "WARN", "ERROR")."""
        return sum(1 for lvl, _, _ in self.messages if lvl == level)

    def ids(self) -> list[str]:
        """All message ids in order, for tests."""
        return [msg_id for _, msg_id, _ in self.messages]
