"""Liberty (.lib, .lib.gz) reader: syntax tree from ``liberty_syntax`` → ``db.liberty`` objects.

Table values of the whole file are converted to float64 in one numpy call at the end; index
arrays repeat a lot and are shared (read-only) between tables. The writer lives in
``liberty_write.py`` and is re-exported here.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from tapeout.db.liberty import (
    POWER_TABLE_NAMES,
    SEQUENTIAL_EXPRESSIONS,
    TIMING_TABLE_NAMES,
    BusType,
    InternalPower,
    LeakagePower,
    LibertyBus,
    LibertyCell,
    LibertyLibrary,
    LibertyPin,
    LutTable,
    LutTemplate,
    OperatingConditions,
    PgPin,
    Sequential,
    StateTable,
    TimingArc,
    WireLoad,
)
from tapeout.fileio import read_text
from tapeout.formats.liberty_syntax import (
    LibertySource,
    SyntaxGroup,
    parse_groups,
    split_arguments,
    unquote,
)
from tapeout.formats.liberty_write import write_liberty
from tapeout.log import Log

__all__ = ["read_liberty", "read_liberty_text", "write_liberty"]

# Simple attributes modelled as fields: name → "f" float, "s" string, "b" boolean, "i" integer.
_LIBRARY_FIELDS = {
    "delay_model": "s",
    "nom_process": "f",
    "nom_voltage": "f",
    "nom_temperature": "f",
    "default_operating_conditions": "s",
    "input_threshold_pct_rise": "f",
    "input_threshold_pct_fall": "f",
    "output_threshold_pct_rise": "f",
    "output_threshold_pct_fall": "f",
    "slew_lower_threshold_pct_rise": "f",
    "slew_lower_threshold_pct_fall": "f",
    "slew_upper_threshold_pct_rise": "f",
    "slew_upper_threshold_pct_fall": "f",
    "slew_derate_from_library": "f",
    "default_max_transition": "f",
    "default_max_capacitance": "f",
    "default_input_pin_cap": "f",
    "default_output_pin_cap": "f",
    "default_inout_pin_cap": "f",
    "default_fanout_load": "f",
    "default_cell_leakage_power": "f",
    "default_wire_load": "s",
}
_CELL_FIELDS = {
    "area": "f",
    "dont_use": "b",
    "dont_touch": "b",
    "cell_leakage_power": "f",
    "cell_footprint": "s",
}
_PIN_FIELDS = {
    "direction": "s",
    "capacitance": "f",
    "rise_capacitance": "f",
    "fall_capacitance": "f",
    "max_capacitance": "f",
    "min_capacitance": "f",
    "max_transition": "f",
    "function": "s",
    "three_state": "s",
    "clock": "b",
}
_TIMING_FIELDS = {
    "related_pin": "s",
    "timing_type": "s",
    "timing_sense": "s",
    "when": "s",
    "related_output_pin": "s",
}
_POWER_FIELDS = {"related_pin": "s", "when": "s", "related_pg_pin": "s"}
_LEAKAGE_FIELDS = {"value": "f", "when": "s", "related_pg_pin": "s"}
_PG_PIN_FIELDS = {"voltage_name": "s", "pg_type": "s"}
_SEQUENTIAL_FIELDS = dict.fromkeys(SEQUENTIAL_EXPRESSIONS, "s")
_CONDITIONS_FIELDS = {"process": "f", "voltage": "f", "temperature": "f", "tree_type": "s"}
_WIRE_LOAD_FIELDS = {"capacitance": "f", "resistance": "f", "slope": "f", "area": "f"}
_BUS_TYPE_FIELDS = {
    "base_type": "s",
    "data_type": "s",
    "bit_width": "i",
    "bit_from": "i",
    "bit_to": "i",
    "downto": "b",
}

# Unit attributes: name → (SI field, {suffix: scale}).
_UNITS = {
    "time_unit": (
        "time_unit_s",
        {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15},
    ),
    "voltage_unit": ("voltage_unit_v", {"v": 1.0, "mv": 1e-3, "uv": 1e-6, "kv": 1e3}),
    "current_unit": ("current_unit_a", {"a": 1.0, "ma": 1e-3, "ua": 1e-6, "na": 1e-9, "pa": 1e-12}),
    "leakage_power_unit": (
        "leakage_power_unit_w",
        {"w": 1.0, "mw": 1e-3, "uw": 1e-6, "nw": 1e-9, "pw": 1e-12, "fw": 1e-15},
    ),
    "pulling_resistance_unit": (
        "pulling_resistance_unit_ohm",
        {"ohm": 1.0, "kohm": 1e3, "mohm": 1e6},
    ),
}
_CAPACITANCE_SCALE = {"f": 1.0, "mf": 1e-3, "uf": 1e-6, "nf": 1e-9, "pf": 1e-12, "ff": 1e-15}
_UNIT_TEXT = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)\s*([A-Za-z]+)\s*")
_BOOLEANS = {"true": True, "false": False}


def read_liberty(path: str | Path, *, log: Log | None = None) -> LibertyLibrary:
    """Read the Liberty file ``path`` (``.lib`` or ``.lib.gz``).

    Unsupported groups are skipped with one ``LIB-0001`` warning per group kind. Malformed input
    raises ParseError with the file and line; a missing file raises InputFileError.
    """
    text = read_text(path, what="Liberty file")
    return read_liberty_text(text, path, log=log)


def read_liberty_text(
    text: str, path: str | Path = "<text>", *, log: Log | None = None
) -> LibertyLibrary:
    """Read Liberty from ``text``; ``path`` only names the source in errors."""
    source = LibertySource(text, path)
    root = parse_groups(source)
    if root.kind != "library":
        raise source.error(root.statement, f"expected a library group, found {root.kind!r}")
    reader = _Reader(source, log if log is not None else Log())
    library = reader.library(root)
    reader.finish()
    return library


class _Reader:
    """Turns syntax groups into database objects; collects table values for one bulk parse."""

    def __init__(self, source: LibertySource, log: Log) -> None:
        self.source = source
        self.log = log
        self.templates: dict[str, LutTemplate] = {}
        self.index_cache: dict[str, np.ndarray] = {}
        # (table, raw values text, shape, statement) awaiting the bulk conversion.
        self.pending: list[tuple[LutTable, str, tuple[int, ...], int]] = []
        self.skipped: dict[tuple[str, str], int] = {}

    # -- values -------------------------------------------------------------------------------

    def number(self, value: str, statement: int, name: str) -> float:
        try:
            return float(unquote(value))
        except ValueError:
            raise self.source.error(
                statement, f"{name}: expected a number, got {value!r}"
            ) from None

    def integer(self, value: str, statement: int, name: str) -> int:
        try:
            return int(unquote(value))
        except ValueError:
            raise self.source.error(
                statement, f"{name}: expected an integer, got {value!r}"
            ) from None

    def boolean(self, value: str, statement: int, name: str) -> bool:
        flag = _BOOLEANS.get(unquote(value).strip().lower())
        if flag is None:
            raise self.source.error(statement, f"{name}: expected true or false, got {value!r}")
        return flag

    def apply(self, target: object, group: SyntaxGroup, fields: dict[str, str]) -> None:
        """Set ``target``'s modelled simple attributes; keep the others verbatim."""
        attributes: dict[str, str] = target.attributes  # type: ignore[attr-defined]
        for name, value, statement in group.simple:
            kind = fields.get(name)
            if kind is None:
                attributes[name] = value
            elif kind == "s":
                setattr(target, name, unquote(value))
            elif kind == "f":
                setattr(target, name, self.number(value, statement, name))
            elif kind == "b":
                setattr(target, name, self.boolean(value, statement, name))
            else:
                setattr(target, name, self.integer(value, statement, name))

    def skip(self, group: SyntaxGroup, parent: str) -> None:
        key = (parent, group.kind)
        self.skipped[key] = self.skipped.get(key, 0) + 1

    def skip_children(self, group: SyntaxGroup) -> None:
        for child in group.groups:
            self.skip(child, group.kind)

    def index(self, raw: str, statement: int) -> np.ndarray:
        array = self.index_cache.get(raw)
        if array is None:
            text = raw.replace('"', " ").replace(",", " ").replace("\\", " ")
            try:
                array = np.array(text.split(), dtype=np.float64)
            except ValueError:
                raise self.source.error(statement, f"bad number in index ({raw.strip()})") from None
            if array.size == 0:
                raise self.source.error(statement, "empty index")
            array.flags.writeable = False
            self.index_cache[raw] = array
        return array

    # -- groups -------------------------------------------------------------------------------

    def library(self, group: SyntaxGroup) -> LibertyLibrary:
        names = split_arguments(group.args)
        library = LibertyLibrary(name=names[0] if names else "")
        for name, value, statement in group.simple:
            unit = _UNITS.get(name)
            if unit is not None:
                text = unquote(value)
                setattr(library, name, text)
                setattr(library, unit[0], self.unit_scale(text, unit[1], statement, name))
        self.apply(library, group, _LIBRARY_FIELDS)
        for name in _UNITS:
            library.attributes.pop(name, None)
        for name, args, statement in group.complex:
            if name == "capacitive_load_unit":
                parts = split_arguments(args)
                scale = _CAPACITANCE_SCALE.get(parts[1].lower()) if len(parts) == 2 else None
                if scale is None:
                    raise self.source.error(
                        statement,
                        f"capacitive_load_unit ({args.strip()}): expected (number, ff|pf|...)",
                    )
                multiple = self.number(parts[0], statement, name)
                library.capacitive_load_unit = (multiple, parts[1])
                library.capacitive_load_unit_f = multiple * scale
            else:
                library.complex_attributes.append((name, args))
        for child in group.groups:
            if child.kind.endswith("_template"):
                template = self.template(child)
                library.templates[template.name] = template
        for child in group.groups:
            kind = child.kind
            if kind == "cell":
                cell = self.cell(child)
                library.cells[cell.name] = cell
            elif kind.endswith("_template"):
                continue
            elif kind == "operating_conditions":
                conditions = OperatingConditions(self.first_argument(child))
                self.apply(conditions, child, _CONDITIONS_FIELDS)
                self.skip_children(child)
                library.operating_conditions[conditions.name] = conditions
            elif kind == "wire_load":
                wire_load = self.wire_load(child)
                library.wire_loads[wire_load.name] = wire_load
            elif kind == "type":
                bus_type = BusType(self.first_argument(child))
                self.apply(bus_type, child, _BUS_TYPE_FIELDS)
                self.skip_children(child)
                library.bus_types[bus_type.name] = bus_type
            else:
                self.skip(child, "library")
        return library

    def unit_scale(self, text: str, scales: dict[str, float], statement: int, name: str) -> float:
        match = _UNIT_TEXT.fullmatch(text)
        scale = scales.get(match.group(2).lower()) if match else None
        if match is None or scale is None:
            raise self.source.error(
                statement,
                f"{name}: cannot read unit {text!r}",
                hint=f"expected a number and one of {', '.join(scales)}",
            )
        return float(match.group(1)) * scale

    def first_argument(self, group: SyntaxGroup) -> str:
        names = split_arguments(group.args)
        if not names:
            raise self.source.error(group.statement, f"{group.kind} group needs a name")
        return names[0]

    def template(self, group: SyntaxGroup) -> LutTemplate:
        self.skip_children(group)
        template = LutTemplate(self.first_argument(group), group.kind)
        variables: dict[int, str] = {}
        for name, value, _ in group.simple:
            if name.startswith("variable_") and name[9:].isdigit():
                variables[int(name[9:])] = unquote(value)
        template.variables = [variables[k] for k in sorted(variables)]
        indices: dict[int, np.ndarray] = {}
        for name, args, statement in group.complex:
            if name.startswith("index_") and name[6:].isdigit():
                indices[int(name[6:])] = self.index(args, statement)
        template.indices = [indices[k] for k in sorted(indices)]
        self.templates[template.name] = template
        return template

    def wire_load(self, group: SyntaxGroup) -> WireLoad:
        self.skip_children(group)
        wire_load = WireLoad(self.first_argument(group))
        for name, value, statement in group.simple:
            if name in _WIRE_LOAD_FIELDS:
                setattr(wire_load, name, self.number(value, statement, name))
        for name, args, statement in group.complex:
            if name == "fanout_length":
                parts = split_arguments(args)
                if len(parts) < 2:
                    raise self.source.error(statement, "fanout_length needs (fanout, length)")
                fanout = self.integer(parts[0], statement, name)
                wire_load.fanout_length.append((fanout, self.number(parts[1], statement, name)))
        return wire_load

    def cell(self, group: SyntaxGroup) -> LibertyCell:
        cell = LibertyCell(self.first_argument(group))
        self.apply(cell, group, _CELL_FIELDS)
        cell.complex_attributes = [(name, args) for name, args, _ in group.complex]
        for child in group.groups:
            kind = child.kind
            if kind == "pin":
                for name in split_arguments(child.args):
                    cell.pins[name] = self.pin(child, name)
            elif kind == "leakage_power":
                leakage = LeakagePower(float("nan"))
                self.apply(leakage, child, _LEAKAGE_FIELDS)
                self.skip_children(child)
                cell.leakage_power.append(leakage)
            elif kind == "pg_pin":
                pg_pin = PgPin(self.first_argument(child))
                self.apply(pg_pin, child, _PG_PIN_FIELDS)
                self.skip_children(child)
                cell.pg_pins[pg_pin.name] = pg_pin
            elif kind in ("ff", "latch", "ff_bank", "latch_bank"):
                sequential = Sequential(kind, split_arguments(child.args))
                self.apply(sequential, child, _SEQUENTIAL_FIELDS)
                self.skip_children(child)
                cell.sequential.append(sequential)
            elif kind == "statetable":
                nodes = [*split_arguments(child.args), "", ""]
                statetable = StateTable(nodes[0], nodes[1])
                self.apply(statetable, child, {"table": "s"})
                self.skip_children(child)
                cell.statetable = statetable
            elif kind in ("bus", "bundle"):
                bus = self.bus(child)
                cell.buses[bus.name] = bus
            else:
                self.skip(child, "cell")
        return cell

    def bus(self, group: SyntaxGroup) -> LibertyBus:
        name = self.first_argument(group)
        bus = LibertyBus(name, group.kind, self.pin(group, name))
        bus.bus_type = unquote(bus.pin.attributes.pop("bus_type", ""))
        for attribute in list(bus.pin.complex_attributes):
            if attribute[0] == "members":
                bus.members = split_arguments(attribute[1])
                bus.pin.complex_attributes.remove(attribute)
        for child in group.groups:
            if child.kind == "pin":
                for pin_name in split_arguments(child.args):
                    bus.pins[pin_name] = self.pin(child, pin_name)
        return bus

    def pin(self, group: SyntaxGroup, name: str) -> LibertyPin:
        pin = LibertyPin(name)
        self.apply(pin, group, _PIN_FIELDS)
        pin.complex_attributes = [(attribute, args) for attribute, args, _ in group.complex]
        for child in group.groups:
            kind = child.kind
            if kind == "timing":
                arc = TimingArc()
                self.apply(arc, child, _TIMING_FIELDS)
                for table_group in child.groups:
                    if table_group.kind in TIMING_TABLE_NAMES:
                        setattr(arc, table_group.kind, self.table(table_group))
                    else:
                        self.skip(table_group, "timing")
                pin.timing.append(arc)
            elif kind == "internal_power":
                power = InternalPower()
                self.apply(power, child, _POWER_FIELDS)
                for table_group in child.groups:
                    if table_group.kind in POWER_TABLE_NAMES:
                        setattr(power, table_group.kind, self.table(table_group))
                    else:
                        self.skip(table_group, "internal_power")
                pin.internal_power.append(power)
            elif kind == "pin" and group.kind in ("bus", "bundle"):
                continue
            else:
                self.skip(child, group.kind)
        return pin

    def table(self, group: SyntaxGroup) -> LutTable:
        self.skip_children(group)
        names = split_arguments(group.args)
        template_name = names[0] if names else "scalar"
        template = self.templates.get(template_name)
        indices: list[np.ndarray | None] = [None, None, None]
        values_raw = None
        values_statement = group.statement
        for name, args, statement in group.complex:
            if name == "values":
                values_raw = args
                values_statement = statement
            elif name in ("index_1", "index_2", "index_3"):
                indices[int(name[6]) - 1] = self.index(args, statement)
        if values_raw is None:
            raise self.source.error(group.statement, f"{group.kind} table has no values")
        variables = ["", "", ""]
        if template is not None:
            for k, index in enumerate(template.indices[:3]):
                if indices[k] is None:
                    indices[k] = index
            for k, variable in enumerate(template.variables[:3]):
                variables[k] = variable
        elif template_name != "scalar":
            self.skipped[("template", template_name)] = 1
        axes: list[np.ndarray] = []
        for axis in indices:
            if axis is None:
                break
            axes.append(axis)
        padded = [*axes, _EMPTY_VALUES, _EMPTY_VALUES, _EMPTY_VALUES]
        table = LutTable(
            template_name,
            _EMPTY_VALUES,
            index_1=padded[0],
            index_2=padded[1],
            index_3=padded[2],
            variable_1=variables[0],
            variable_2=variables[1],
            variable_3=variables[2],
        )
        shape = tuple(axis.size for axis in axes)
        self.pending.append((table, values_raw, shape, values_statement))
        return table

    def finish(self) -> None:
        """Convert all pending table values at once and report skipped groups."""
        tokens: list[str] = []
        counts: list[int] = []
        for _table, raw, shape, statement in self.pending:
            parts = raw.replace('"', " ").replace(",", " ").replace("\\", " ").split()
            expected = math.prod(shape)
            if len(parts) != expected:
                raise self.source.error(
                    statement,
                    f"values has {len(parts)} numbers, the table's indices need {expected}"
                    f" (shape {shape})",
                )
            tokens += parts
            counts.append(len(parts))
        try:
            flat = np.array(tokens, dtype=np.float64)
        except ValueError:
            for _table, raw, _shape, statement in self.pending:
                for part in raw.replace('"', " ").replace(",", " ").replace("\\", " ").split():
                    try:
                        float(part)
                    except ValueError:
                        raise self.source.error(
                            statement, f"bad number {part!r} in values"
                        ) from None
            flat = np.array([float(token) for token in tokens], dtype=np.float64)
        offset = 0
        for (table, _raw, shape, _statement), count in zip(self.pending, counts, strict=True):
            table.values = flat[offset : offset + count].reshape(shape)
            offset += count
        self.pending = []
        for (parent, kind), count in self.skipped.items():
            if parent == "template":
                self.log.warn(
                    "LIB-0002",
                    f"{self.source.path}: table template {kind!r} is not defined; "
                    "tables using it keep their own indices",
                )
            else:
                self.log.warn(
                    "LIB-0001",
                    f"{self.source.path}: skipped {count} unsupported {kind!r} group(s) in "
                    f"{parent}",
                )


_EMPTY_VALUES = np.zeros(0, dtype=np.float64)
_EMPTY_VALUES.flags.writeable = False
