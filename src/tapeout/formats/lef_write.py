"""LEF 5.8 writer: Technology and macros back to text that our reader and KLayout read."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from tapeout.db.macro import Macro, Shapes
from tapeout.db.tech import Layer, LayerDirection, Technology
from tapeout.fileio import atomic_write


def write_lef(path: Path, tech: Technology, macros: Mapping[str, Macro]) -> None:
    """Write ``tech`` (units, sites, layers, vias, via rules) and ``macros`` as one LEF 5.8 file.

    Written atomically (a temporary file renamed over ``path``).
    """
    with atomic_write(path) as handle:
        handle.write(lef_text(tech, macros))


def lef_text(tech: Technology, macros: Mapping[str, Macro]) -> str:
    """The LEF 5.8 text of ``tech`` and ``macros``."""
    writer = _Writer(tech)
    writer.header(macros)
    for site in tech.sites.values():
        writer.lines += [
            f"SITE {site.name}",
            f"  CLASS {site.class_name} ;",
            *([f"  SYMMETRY {site.symmetry} ;"] if site.symmetry else []),
            f"  SIZE {writer.um(site.width)} BY {writer.um(site.height)} ;",
            f"END {site.name}",
            "",
        ]
    for layer in tech.layers:
        writer.layer(layer)
    writer.vias()
    writer.via_rules()
    for macro in macros.values():
        writer.macro(macro)
    writer.lines.append("END LIBRARY")
    writer.lines.append("")
    return "\n".join(writer.lines)


def _property_type(value: str) -> str:
    if value.startswith('"'):
        return "STRING"
    try:
        int(value)
    except ValueError:
        try:
            float(value)
        except ValueError:
            return "STRING"
        return "REAL"
    return "INTEGER"


class _Writer:
    def __init__(self, tech: Technology) -> None:
        self.tech = tech
        self.lines: list[str] = []
        self.dbu = tech.dbu_per_micron
        # One more decimal than the DBU needs: reading back rounds to the same integer.
        self.decimals = max(1, math.ceil(math.log10(self.dbu)) + 1)

    def um(self, value: int) -> str:
        text = f"{value / self.dbu:.{self.decimals}f}".rstrip("0")
        return text + "0" if text.endswith(".") else text

    def um_area(self, value: int) -> str:
        return repr(value / (self.dbu * self.dbu))

    def header(self, macros: Mapping[str, Macro]) -> None:
        tech = self.tech
        self.lines += [
            "VERSION 5.8 ;",
            f'BUSBITCHARS "{tech.bus_bit_chars}" ;',
            f'DIVIDERCHAR "{tech.divider_char}" ;',
            "",
            "UNITS",
            f"  DATABASE MICRONS {tech.dbu_per_micron} ;",
            "END UNITS",
            "",
        ]
        if tech.manufacturing_grid is not None:
            self.lines += [f"MANUFACTURINGGRID {self.um(tech.manufacturing_grid)} ;", ""]
        definitions: dict[tuple[str, str], str] = {}
        for layer in tech.layers:
            for name, value in layer.properties.items():
                definitions.setdefault(("LAYER", name), _property_type(value))
        for macro in macros.values():
            for name, value in macro.properties.items():
                definitions.setdefault(("MACRO", name), _property_type(value))
        if definitions:
            self.lines.append("PROPERTYDEFINITIONS")
            self.lines += [
                f"  {owner} {name} {kind} ;" for (owner, name), kind in definitions.items()
            ]
            self.lines += ["END PROPERTYDEFINITIONS", ""]

    def layer(self, layer: Layer) -> None:
        um = self.um
        out = [f"LAYER {layer.name}", f"  TYPE {layer.type.value} ;"]
        if layer.direction is not LayerDirection.NONE:
            out.append(f"  DIRECTION {layer.direction.value} ;")
        for keyword, x, y in (
            ("PITCH", layer.pitch_x, layer.pitch_y),
            ("OFFSET", layer.offset_x, layer.offset_y),
        ):
            if x is not None and y is not None:
                out.append(f"  {keyword} {um(x)} ;" if x == y else f"  {keyword} {um(x)} {um(y)} ;")
        for keyword, value in (
            ("WIDTH", layer.width),
            ("MINWIDTH", layer.min_width),
            ("MAXWIDTH", layer.max_width),
            ("SPACING", layer.spacing),
        ):
            if value is not None:
                out.append(f"  {keyword} {um(value)} ;")
        if layer.spacing_table.size:
            out.append("  SPACINGTABLE")
            lengths = " ".join(um(int(v)) for v in layer.spacing_table_length)
            out.append(f"    PARALLELRUNLENGTH {lengths}")
            for width, row in zip(layer.spacing_table_width, layer.spacing_table, strict=True):
                out.append(f"    WIDTH {um(int(width))} " + " ".join(um(int(v)) for v in row))
            out[-1] += " ;"
        for rule in layer.end_of_line_spacing:
            out.append(
                f"  SPACING {um(rule.spacing)} ENDOFLINE {um(rule.eol_width)} "
                f"WITHIN {um(rule.within)} ;"
            )
        for cut in layer.adjacent_cut_spacing:
            out.append(
                f"  SPACING {um(cut.spacing)} ADJACENTCUTS {cut.cuts} WITHIN {um(cut.within)} ;"
            )
        for enclosure in layer.enclosures:
            keyword = "PREFERENCLOSURE" if enclosure.preferred else "ENCLOSURE"
            side = "" if enclosure.side == "BOTH" else f" {enclosure.side}"
            out.append(f"  {keyword}{side} {um(enclosure.overhang1)} {um(enclosure.overhang2)} ;")
        if layer.min_area is not None:
            out.append(f"  AREA {self.um_area(layer.min_area)} ;")
        for keyword, value in (("THICKNESS", layer.thickness), ("HEIGHT", layer.height)):
            if value is not None:
                out.append(f"  {keyword} {um(value)} ;")
        if layer.resistance_ohm_per_square is not None:
            out.append(f"  RESISTANCE RPERSQ {layer.resistance_ohm_per_square!r} ;")
        if layer.resistance_ohm_per_cut is not None:
            out.append(f"  RESISTANCE {layer.resistance_ohm_per_cut!r} ;")
        if layer.capacitance_pf_per_um2 is not None:
            out.append(f"  CAPACITANCE CPERSQDIST {layer.capacitance_pf_per_um2!r} ;")
        if layer.edge_capacitance_pf_per_um is not None:
            out.append(f"  EDGECAPACITANCE {layer.edge_capacitance_pf_per_um!r} ;")
        out += [f"  PROPERTY {name} {value} ;" for name, value in layer.properties.items()]
        out += [f"END {layer.name}", ""]
        self.lines += out

    def shapes(self, shapes: Shapes, indent: str) -> None:
        """LAYER/RECT/POLYGON lines, a LAYER line whenever the layer changes (order kept)."""
        names = [layer.name for layer in self.tech.layers]
        um = self.um
        current = -1
        for rect, layer in zip(shapes.rects.tolist(), shapes.rect_layer.tolist(), strict=True):
            if layer != current:
                self.lines.append(f"{indent}LAYER {names[layer]} ;")
                current = layer
            self.lines.append(
                f"{indent}  RECT {um(rect[0])} {um(rect[1])} {um(rect[2])} {um(rect[3])} ;"
            )
        for polygon, layer in zip(shapes.polygons, shapes.polygon_layer.tolist(), strict=True):
            if layer != current:
                self.lines.append(f"{indent}LAYER {names[layer]} ;")
                current = layer
            points = " ".join(f"{um(x)} {um(y)}" for x, y in polygon.tolist())
            self.lines.append(f"{indent}  POLYGON {points} ;")

    def vias(self) -> None:
        for via in self.tech.vias.values():
            self.lines.append(f"VIA {via.name}" + (" DEFAULT" if via.default else ""))
            if via.resistance_ohm is not None:
                self.lines.append(f"  RESISTANCE {via.resistance_ohm!r} ;")
            self.shapes(Shapes(rects=via.rects, rect_layer=via.rect_layer), "  ")
            self.lines += [f"END {via.name}", ""]

    def via_rules(self) -> None:
        um = self.um
        names = [layer.name for layer in self.tech.layers]
        for rule in self.tech.via_rules.values():
            self.lines.append(
                f"VIARULE {rule.name} GENERATE" + (" DEFAULT" if rule.default else "")
            )
            for section in rule.layers:
                self.lines.append(f"  LAYER {names[section.layer]} ;")
                if section.width_range is not None:
                    low, high = section.width_range
                    self.lines.append(f"    WIDTH {um(low)} TO {um(high)} ;")
                if section.enclosure is not None:
                    self.lines.append(
                        f"    ENCLOSURE {um(section.enclosure[0])} {um(section.enclosure[1])} ;"
                    )
                if section.cut_rect is not None:
                    self.lines.append(
                        "    RECT " + " ".join(um(v) for v in section.cut_rect) + " ;"
                    )
                if section.cut_spacing is not None:
                    x, y = section.cut_spacing
                    self.lines.append(f"    SPACING {um(x)} BY {um(y)} ;")
                if section.resistance_ohm is not None:
                    self.lines.append(f"    RESISTANCE {section.resistance_ohm!r} ;")
            self.lines += [f"END {rule.name}", ""]

    def macro(self, macro: Macro) -> None:
        um = self.um
        out = self.lines
        out += [f"MACRO {macro.name}", f"  CLASS {macro.class_name} ;"]
        if macro.foreign_name is not None:
            out.append(
                f"  FOREIGN {macro.foreign_name} {um(macro.foreign_x)} {um(macro.foreign_y)} ;"
            )
        out.append(f"  ORIGIN {um(macro.origin_x)} {um(macro.origin_y)} ;")
        out.append(f"  SIZE {um(macro.width)} BY {um(macro.height)} ;")
        if macro.symmetry:
            out.append(f"  SYMMETRY {macro.symmetry} ;")
        if macro.site is not None:
            out.append(f"  SITE {macro.site} ;")
        for pin in macro.pins.values():
            out.append(f"  PIN {pin.name}")
            out.append(
                f"    DIRECTION {pin.direction.name}" + (" TRISTATE ;" if pin.tristate else " ;")
            )
            out.append(f"    USE {pin.use} ;")
            if pin.shape_class:
                out.append(f"    SHAPE {pin.shape_class} ;")
            for port in pin.ports:
                out.append("    PORT")
                self.shapes(port, "      ")
                out.append("    END")
            out.append(f"  END {pin.name}")
        if len(macro.obstructions):
            out.append("  OBS")
            self.shapes(macro.obstructions, "    ")
            out.append("  END")
        out += _properties(macro.properties.items(), "  ")
        out += [f"END {macro.name}", ""]


def _properties(items: Iterable[tuple[str, str]], indent: str) -> list[str]:
    return [f"{indent}PROPERTY {name} {value} ;" for name, value in items]


__all__ = ["lef_text", "write_lef"]
