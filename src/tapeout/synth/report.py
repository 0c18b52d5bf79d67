"""The synthesis report: cell count, area by cell type, flops, warnings, equivalence verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class SynthReport:
    """What ``synthesize`` measured on the mapped netlist.

    area_um2 and area_by_cell are Liberty cell areas (µm²) summed over instances; flop_count
    counts flip-flops and latches; equivalent is None when no equivalence check ran.
    """

    top: str
    platform: str
    cell_count: int
    area_um2: float
    flop_count: int
    area_by_cell: dict[str, float] = field(default_factory=dict)
    count_by_cell: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    runtime_s: float = 0.0
    equivalent: bool | None = None
    sequential_area_um2: float = 0.0
    clock_period_ps: float | None = None
    yosys_version: str = ""

    def metrics(self) -> dict[str, float | int]:
        """Metrics with OpenROAD-flow-scripts' names where it has one."""
        metrics: dict[str, float | int] = {
            "synth__design__instance__area__stdcell": round(self.area_um2, 4),
            "synth__design__instance__count__stdcell": self.cell_count,
            "synth__design__instance__count__sequential": self.flop_count,
            "synth__design__instance__area__sequential": round(self.sequential_area_um2, 4),
            "synth__design__warnings__count": len(self.warnings),
            "synth__runtime__seconds": round(self.runtime_s, 3),
        }
        if self.equivalent is not None:
            metrics["synth__design__equivalent"] = int(self.equivalent)
        return metrics

    def to_json(self) -> dict[str, object]:
        """Everything, JSON-ready, with the metrics under ``"metrics"``."""
        data: dict[str, object] = asdict(self)
        data["metrics"] = self.metrics()
        return data

    def summary(self) -> str:
        """A few lines for people: totals, then the ten largest cell types by area."""
        lines = [
            f"design {self.top} on {self.platform}: {self.cell_count} cells, "
            f"{self.area_um2:.2f} um^2 ({self.flop_count} flops/latches, "
            f"{self.sequential_area_um2:.2f} um^2 sequential), {self.runtime_s:.1f} s",
        ]
        if self.equivalent is not None:
            lines.append(f"equivalence check: {'passed' if self.equivalent else 'FAILED'}")
        largest = sorted(self.area_by_cell.items(), key=lambda item: -item[1])[:10]
        for cell, area in largest:
            lines.append(f"  {cell:40s} {self.count_by_cell.get(cell, 0):7d} {area:12.2f}")
        return "\n".join(lines)


def make_report(
    *,
    top: str,
    platform: str,
    counts: dict[str, int],
    cell_areas_um2: dict[str, float],
    sequential_types: set[str],
    warnings: list[str],
    runtime_s: float,
    equivalent: bool | None,
    clock_period_ps: float | None,
    yosys_version: str,
) -> SynthReport:
    """Totals from per-type instance ``counts`` and the Liberty ``cell_areas_um2``."""
    area_by_cell = {cell: count * cell_areas_um2.get(cell, 0.0) for cell, count in counts.items()}
    flop_count = sum(count for cell, count in counts.items() if cell in sequential_types)
    sequential_area = sum(area for cell, area in area_by_cell.items() if cell in sequential_types)
    return SynthReport(
        top=top,
        platform=platform,
        cell_count=sum(counts.values()),
        area_um2=sum(area_by_cell.values()),
        flop_count=flop_count,
        area_by_cell=dict(sorted(area_by_cell.items())),
        count_by_cell=dict(sorted(counts.items())),
        warnings=warnings,
        runtime_s=runtime_s,
        equivalent=equivalent,
        sequential_area_um2=sequential_area,
        clock_period_ps=clock_period_ps,
        yosys_version=yosys_version,
    )
