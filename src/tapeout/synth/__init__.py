"""RTL to a mapped gate netlist: drives Yosys + ABC (the only place that starts them).

``synthesize(SynthOptions(sources=..., top=..., platform=...), Path("netlist.v"), log=Log())``
returns a ``SynthReport``; see ``driver.py`` for what the netlist guarantees.
"""

from tapeout.synth.driver import synthesize
from tapeout.synth.equivalence import EquivalenceResult, check_equivalence
from tapeout.synth.options import SynthOptions, read_sdc_clock_period_ps
from tapeout.synth.report import SynthReport

__all__ = [
    "EquivalenceResult",
    "SynthOptions",
    "SynthReport",
    "check_equivalence",
    "read_sdc_clock_period_ps",
    "synthesize",
]
