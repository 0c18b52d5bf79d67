"""Liberty writer: ``db.liberty`` objects → Liberty text that our reader reads back equal.

Floats are written with ``repr`` (shortest text that reads back to the same float64), tables
always with explicit indices, strings quoted. Unmodelled attributes are written as read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tapeout.db.liberty import (
    POWER_TABLE_NAMES,
    SEQUENTIAL_EXPRESSIONS,
    TIMING_TABLE_NAMES,
    InternalPower,
    LibertyBus,
    LibertyCell,
    LibertyLibrary,
    LibertyPin,
    LutTable,
    TimingArc,
)
from tapeout.fileio import atomic_write

_LIBRARY_NUMBERS = (
    "nom_process",
    "nom_voltage",
    "nom_temperature",
    "input_threshold_pct_rise",
    "input_threshold_pct_fall",
    "output_threshold_pct_rise",
    "output_threshold_pct_fall",
    "slew_lower_threshold_pct_rise",
    "slew_lower_threshold_pct_fall",
    "slew_upper_threshold_pct_rise",
    "slew_upper_threshold_pct_fall",
    "slew_derate_from_library",
    "default_max_transition",
    "default_max_capacitance",
    "default_input_pin_cap",
    "default_output_pin_cap",
    "default_inout_pin_cap",
    "default_fanout_load",
    "default_cell_leakage_power",
)
_PIN_NUMBERS = (
    "capacitance",
    "rise_capacitance",
    "fall_capacitance",
    "max_capacitance",
    "min_capacitance",
    "max_transition",
)


def write_liberty(path: str | Path, library: LibertyLibrary) -> None:
    """Write ``library`` to ``path`` (``.gz`` compresses) atomically."""
    lines: list[str] = []
    _library(lines, library)
    with atomic_write(path) as handle:
        handle.write("\n".join(lines))
        handle.write("\n")


def liberty_text(library: LibertyLibrary) -> str:
    """``library`` as Liberty text."""
    lines: list[str] = []
    _library(lines, library)
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return f'"{text}"'


def _numbers(array: np.ndarray) -> str:
    return ", ".join(map(repr, array.tolist()))


def _attributes(lines: list[str], pad: str, attributes: dict[str, str]) -> None:
    for name, value in attributes.items():
        lines.append(f"{pad}{name} : {value} ;")


def _complex(lines: list[str], pad: str, attributes: list[tuple[str, str]]) -> None:
    for name, args in attributes:
        lines.append(f"{pad}{name} ({args}) ;")


def _library(lines: list[str], library: LibertyLibrary) -> None:
    lines.append(f"library ({_quote(library.name)}) {{")
    pad = "  "
    _complex(lines, pad, library.complex_attributes)
    lines.append(f"{pad}delay_model : {library.delay_model} ;")
    for name in (
        "time_unit",
        "voltage_unit",
        "current_unit",
        "leakage_power_unit",
        "pulling_resistance_unit",
    ):
        lines.append(f"{pad}{name} : {_quote(getattr(library, name))} ;")
    multiple, unit = library.capacitive_load_unit
    lines.append(f"{pad}capacitive_load_unit ({multiple!r}, {unit}) ;")
    for name in _LIBRARY_NUMBERS:
        value = getattr(library, name)
        if value is not None:
            lines.append(f"{pad}{name} : {value!r} ;")
    _attributes(lines, pad, library.attributes)
    for template in library.templates.values():
        lines.append(f"{pad}{template.kind} ({_quote(template.name)}) {{")
        for k, variable in enumerate(template.variables, start=1):
            lines.append(f"{pad}  variable_{k} : {variable} ;")
        for k, index in enumerate(template.indices, start=1):
            lines.append(f'{pad}  index_{k} ("{_numbers(index)}") ;')
        lines.append(f"{pad}}}")
    for bus_type in library.bus_types.values():
        lines.append(f"{pad}type ({_quote(bus_type.name)}) {{")
        lines.append(f"{pad}  base_type : {bus_type.base_type} ;")
        lines.append(f"{pad}  data_type : {bus_type.data_type} ;")
        lines.append(f"{pad}  bit_width : {bus_type.bit_width} ;")
        lines.append(f"{pad}  bit_from : {bus_type.bit_from} ;")
        lines.append(f"{pad}  bit_to : {bus_type.bit_to} ;")
        lines.append(f"{pad}  downto : {'true' if bus_type.downto else 'false'} ;")
        _attributes(lines, pad + "  ", bus_type.attributes)
        lines.append(f"{pad}}}")
    for conditions in library.operating_conditions.values():
        lines.append(f"{pad}operating_conditions ({_quote(conditions.name)}) {{")
        for name in ("process", "voltage", "temperature"):
            value = getattr(conditions, name)
            if value is not None:
                lines.append(f"{pad}  {name} : {value!r} ;")
        if conditions.tree_type:
            lines.append(f"{pad}  tree_type : {conditions.tree_type} ;")
        _attributes(lines, pad + "  ", conditions.attributes)
        lines.append(f"{pad}}}")
    # Defaults after the groups they name: OpenSTA warns of a default it has not seen defined.
    if library.default_operating_conditions:
        lines.append(
            f"{pad}default_operating_conditions : {_quote(library.default_operating_conditions)} ;"
        )
    for wire_load in library.wire_loads.values():
        lines.append(f"{pad}wire_load ({_quote(wire_load.name)}) {{")
        lines.append(f"{pad}  capacitance : {wire_load.capacitance!r} ;")
        lines.append(f"{pad}  resistance : {wire_load.resistance!r} ;")
        lines.append(f"{pad}  slope : {wire_load.slope!r} ;")
        if wire_load.area is not None:
            lines.append(f"{pad}  area : {wire_load.area!r} ;")
        for fanout, length in wire_load.fanout_length:
            lines.append(f"{pad}  fanout_length ({fanout}, {length!r}) ;")
        lines.append(f"{pad}}}")
    if library.default_wire_load:
        lines.append(f"{pad}default_wire_load : {_quote(library.default_wire_load)} ;")
    for cell in library.cells.values():
        _cell(lines, pad, cell)
    lines.append("}")


def _cell(lines: list[str], pad: str, cell: LibertyCell) -> None:
    inner = pad + "  "
    lines.append(f"{pad}cell ({_quote(cell.name)}) {{")
    lines.append(f"{inner}area : {cell.area!r} ;")
    if cell.dont_use:
        lines.append(f"{inner}dont_use : true ;")
    if cell.dont_touch:
        lines.append(f"{inner}dont_touch : true ;")
    if cell.cell_leakage_power is not None:
        lines.append(f"{inner}cell_leakage_power : {cell.cell_leakage_power!r} ;")
    if cell.cell_footprint:
        lines.append(f"{inner}cell_footprint : {_quote(cell.cell_footprint)} ;")
    _attributes(lines, inner, cell.attributes)
    _complex(lines, inner, cell.complex_attributes)
    for pg_pin in cell.pg_pins.values():
        lines.append(f"{inner}pg_pin ({_quote(pg_pin.name)}) {{")
        if pg_pin.voltage_name:
            lines.append(f"{inner}  voltage_name : {pg_pin.voltage_name} ;")
        if pg_pin.pg_type:
            lines.append(f"{inner}  pg_type : {pg_pin.pg_type} ;")
        _attributes(lines, inner + "  ", pg_pin.attributes)
        lines.append(f"{inner}}}")
    for leakage in cell.leakage_power:
        lines.append(f"{inner}leakage_power () {{")
        lines.append(f"{inner}  value : {leakage.value!r} ;")
        if leakage.when:
            lines.append(f"{inner}  when : {_quote(leakage.when)} ;")
        if leakage.related_pg_pin:
            lines.append(f"{inner}  related_pg_pin : {_quote(leakage.related_pg_pin)} ;")
        _attributes(lines, inner + "  ", leakage.attributes)
        lines.append(f"{inner}}}")
    for sequential in cell.sequential:
        variables = ", ".join(_quote(name) for name in sequential.variables)
        lines.append(f"{inner}{sequential.kind} ({variables}) {{")
        for name in SEQUENTIAL_EXPRESSIONS:
            value = getattr(sequential, name)
            if value:
                lines.append(f"{inner}  {name} : {_quote(value)} ;")
        _attributes(lines, inner + "  ", sequential.attributes)
        lines.append(f"{inner}}}")
    if cell.statetable is not None:
        table = cell.statetable
        nodes = f"{_quote(table.input_nodes)}, {_quote(table.internal_nodes)}"
        lines.append(f"{inner}statetable ({nodes}) {{")
        lines.append(f"{inner}  table : {_quote(table.table)} ;")
        _attributes(lines, inner + "  ", table.attributes)
        lines.append(f"{inner}}}")
    for pin in cell.pins.values():
        _pin(lines, inner, pin, "pin")
    for bus in cell.buses.values():
        _bus(lines, inner, bus)
    lines.append(f"{pad}}}")


def _bus(lines: list[str], pad: str, bus: LibertyBus) -> None:
    extra = []
    if bus.bus_type:
        extra.append(f"{pad}  bus_type : {_quote(bus.bus_type)} ;")
    if bus.members:
        extra.append(f"{pad}  members ({', '.join(_quote(m) for m in bus.members)}) ;")
    members = list(bus.pins.values())
    _pin(lines, pad, bus.pin, bus.kind, extra, members)


def _pin(
    lines: list[str],
    pad: str,
    pin: LibertyPin,
    kind: str,
    extra: list[str] | None = None,
    members: list[LibertyPin] | None = None,
) -> None:
    inner = pad + "  "
    lines.append(f"{pad}{kind} ({_quote(pin.name)}) {{")
    if extra:
        lines.extend(extra)
    if pin.direction:
        lines.append(f"{inner}direction : {pin.direction} ;")
    for name in _PIN_NUMBERS:
        value = getattr(pin, name)
        if value is not None:
            lines.append(f"{inner}{name} : {value!r} ;")
    if pin.function:
        lines.append(f"{inner}function : {_quote(pin.function)} ;")
    if pin.three_state:
        lines.append(f"{inner}three_state : {_quote(pin.three_state)} ;")
    if pin.clock:
        lines.append(f"{inner}clock : true ;")
    _attributes(lines, inner, pin.attributes)
    _complex(lines, inner, pin.complex_attributes)
    for arc in pin.timing:
        _timing(lines, inner, arc)
    for power in pin.internal_power:
        _power(lines, inner, power)
    for member in members or ():
        _pin(lines, inner, member, "pin")
    lines.append(f"{pad}}}")


def _timing(lines: list[str], pad: str, arc: TimingArc) -> None:
    inner = pad + "  "
    lines.append(f"{pad}timing () {{")
    if arc.related_pin:
        lines.append(f"{inner}related_pin : {_quote(arc.related_pin)} ;")
    lines.append(f"{inner}timing_type : {arc.timing_type} ;")
    if arc.timing_sense:
        lines.append(f"{inner}timing_sense : {arc.timing_sense} ;")
    if arc.when:
        lines.append(f"{inner}when : {_quote(arc.when)} ;")
    if arc.related_output_pin:
        lines.append(f"{inner}related_output_pin : {_quote(arc.related_output_pin)} ;")
    _attributes(lines, inner, arc.attributes)
    for name in TIMING_TABLE_NAMES:
        table = getattr(arc, name)
        if table is not None:
            _table(lines, inner, name, table)
    lines.append(f"{pad}}}")


def _power(lines: list[str], pad: str, power: InternalPower) -> None:
    inner = pad + "  "
    lines.append(f"{pad}internal_power () {{")
    if power.related_pin:
        lines.append(f"{inner}related_pin : {_quote(power.related_pin)} ;")
    if power.when:
        lines.append(f"{inner}when : {_quote(power.when)} ;")
    if power.related_pg_pin:
        lines.append(f"{inner}related_pg_pin : {_quote(power.related_pg_pin)} ;")
    _attributes(lines, inner, power.attributes)
    for name in POWER_TABLE_NAMES:
        table = getattr(power, name)
        if table is not None:
            _table(lines, inner, name, table)
    lines.append(f"{pad}}}")


def _table(lines: list[str], pad: str, kind: str, table: LutTable) -> None:
    inner = pad + "  "
    lines.append(f"{pad}{kind} ({_quote(table.template)}) {{")
    for k, index in enumerate(table.indices, start=1):
        lines.append(f'{inner}index_{k} ("{_numbers(index)}") ;')
    values = table.values
    if values.ndim <= 1:
        lines.append(f'{inner}values ("{_numbers(values.reshape(-1))}") ;')
    else:
        rows = values.reshape(-1, values.shape[-1])
        text = ", \\\n".join(f'{inner}  "{_numbers(row)}"' for row in rows)
        lines.append(f"{inner}values ( \\\n{text}) ;")
    lines.append(f"{pad}}}")
