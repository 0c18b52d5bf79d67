"""Options of the timing engine."""

from __future__ import annotations

from dataclasses import dataclass

from tapeout.errors import ConfigError

WIRE_MODES = ("auto", "ideal", "spef", "placement")


@dataclass(frozen=True, kw_only=True)
class TimingOptions:
    """How to time a design.

    Attributes:
        wires: "ideal" (pin capacitances only), "spef" (parasitics required), "placement"
            (half-perimeter estimate with ``cap_ff_per_um``/``res_ohm_per_um``), or "auto"
            (SPEF when parasitics are given, else ideal).
        cap_ff_per_um, res_ohm_per_um: unit wire capacitance and resistance for "placement".
        report_paths: number of worst paths kept in the report.
        report_endpoints: number of worst endpoints listed per check.
    """

    wires: str = "auto"
    cap_ff_per_um: float = 0.2
    res_ohm_per_um: float = 0.8
    report_paths: int = 1
    report_endpoints: int = 10

    def validate(self) -> None:
        """Raise ConfigError for values out of range."""
        if self.wires not in WIRE_MODES:
            raise ConfigError(
                f"timing wires must be one of {', '.join(WIRE_MODES)}, not {self.wires!r}"
            )
        if self.cap_ff_per_um < 0 or self.res_ohm_per_um < 0:
            raise ConfigError("unit wire R and C must not be negative")
        if self.report_paths < 0 or self.report_endpoints < 0:
            raise ConfigError("report counts must not be negative")
