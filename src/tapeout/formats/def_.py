"""DEF 5.8 (Design Exchange Format): read into and write from the design database.

``read_def`` returns a ``DefResult`` (netlist, physical data, wiring, VIAS definitions);
``write_def`` writes them back. The work is done in ``def_read``, ``def_statements`` and
``def_write``; this module is the public face.
"""

from tapeout.formats.def_common import DefResult, DefVia
from tapeout.formats.def_read import read_def, via_layers_from_tech
from tapeout.formats.def_write import write_def

__all__ = ["DefResult", "DefVia", "read_def", "via_layers_from_tech", "write_def"]
