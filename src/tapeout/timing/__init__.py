"""Static timing analysis: delay calculation, timing graph, SDC, reports, incremental updates.

``analyze(design, options=..., log=...) -> TimingReport`` times a Design once; ``make_timer``
returns a ``Timer`` for incremental use (``resize``, ``set_parasitics``, ``update``,
``worst_slack``). See README "Static timing".
"""

from tapeout.timing.analysis import analyze, make_timer
from tapeout.timing.incremental import Timer
from tapeout.timing.options import TimingOptions
from tapeout.timing.report import TimingReport, build_report, format_report

__all__ = [
    "Timer",
    "TimingOptions",
    "TimingReport",
    "analyze",
    "build_report",
    "format_report",
    "make_timer",
]
