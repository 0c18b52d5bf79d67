"""The technology: database units, layers with their rules and RC, fixed vias, via rules, sites.

Filled from a technology LEF by ``tapeout.formats.lef.read_lef``. Every length is an int64
database unit (DBU: LEF microns x ``dbu_per_micron``, rounded); areas are DBU squared. Quantities
that are not lengths carry their unit in the field name.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np


class LayerType(enum.Enum):
    """LEF layer ``TYPE``."""

    ROUTING = "ROUTING"
    CUT = "CUT"
    MASTERSLICE = "MASTERSLICE"
    OVERLAP = "OVERLAP"
    IMPLANT = "IMPLANT"


class LayerDirection(enum.Enum):
    """Preferred routing direction of a routing layer (NONE for other layers)."""

    NONE = "NONE"
    HORIZONTAL = "HORIZONTAL"
    VERTICAL = "VERTICAL"
    DIAG45 = "DIAG45"
    DIAG135 = "DIAG135"


def _empty_int64(*shape: int) -> np.ndarray:
    return np.zeros(shape if shape else (0,), dtype=np.int64)


@dataclass(eq=False)
class EndOfLineSpacing:
    """``SPACING spacing ENDOFLINE eol_width WITHIN within ;`` (all DBU)."""

    spacing: int
    eol_width: int
    within: int


@dataclass(eq=False)
class AdjacentCutSpacing:
    """``SPACING spacing ADJACENTCUTS cuts WITHIN within ;`` of a cut layer (lengths DBU)."""

    spacing: int
    cuts: int
    within: int


@dataclass(eq=False)
class CutEnclosure:
    """``ENCLOSURE [BELOW|ABOVE] overhang1 overhang2 ;`` of a cut layer (DBU).

    ``side`` is "BELOW", "ABOVE" or "BOTH" (the statement named no side). ``preferred`` marks
    ``PREFERENCLOSURE``.
    """

    side: str
    overhang1: int
    overhang2: int
    preferred: bool = False


@dataclass(eq=False)
class Layer:
    """One LEF layer with the rules and parasitics the flow uses.

    Absent values are None. ``spacing_table_*`` hold a PARALLELRUNLENGTH spacing table:
    ``spacing_table[i, j]`` (DBU) is the spacing for wires wider than ``spacing_table_width[i]``
    running in parallel longer than ``spacing_table_length[j]``.
    """

    name: str
    type: LayerType
    direction: LayerDirection = LayerDirection.NONE
    pitch_x: int | None = None
    pitch_y: int | None = None
    offset_x: int | None = None
    offset_y: int | None = None
    width: int | None = None
    min_width: int | None = None
    max_width: int | None = None
    spacing: int | None = None
    spacing_table_length: np.ndarray = field(default_factory=_empty_int64)
    """int64 (n_length,) parallel run lengths, DBU."""
    spacing_table_width: np.ndarray = field(default_factory=_empty_int64)
    """int64 (n_width,) wire widths, DBU."""
    spacing_table: np.ndarray = field(default_factory=lambda: _empty_int64(0, 0))
    """int64 (n_width, n_length) spacings, DBU."""
    end_of_line_spacing: list[EndOfLineSpacing] = field(default_factory=list)
    adjacent_cut_spacing: list[AdjacentCutSpacing] = field(default_factory=list)
    enclosures: list[CutEnclosure] = field(default_factory=list)
    min_area: int | None = None
    """Minimum area, DBU squared."""
    thickness: int | None = None
    height: int | None = None
    resistance_ohm_per_square: float | None = None
    resistance_ohm_per_cut: float | None = None
    capacitance_pf_per_um2: float | None = None
    edge_capacitance_pf_per_um: float | None = None
    properties: dict[str, str] = field(default_factory=dict)
    """``PROPERTY name value`` as written in the LEF (strings keep their quotes)."""

    def enclosure(self, side: str) -> tuple[int, int] | None:
        """First non-preferred enclosure (overhang1, overhang2) in DBU for "BELOW" or "ABOVE"."""
        for rule in self.enclosures:
            if not rule.preferred and rule.side in (side, "BOTH"):
                return rule.overhang1, rule.overhang2
        return None


@dataclass(eq=False)
class Via:
    """A fixed via: named rectangles on its layers, relative to the via origin.

    ``rects``: int64 (k, 4) x0, y0, x1, y1 in DBU; ``rect_layer``: int64 (k,) index into
    ``Technology.layers``.
    """

    name: str
    default: bool = False
    rects: np.ndarray = field(default_factory=lambda: _empty_int64(0, 4))
    rect_layer: np.ndarray = field(default_factory=_empty_int64)
    resistance_ohm: float | None = None


@dataclass(eq=False)
class ViaRuleLayer:
    """One ``LAYER`` section of a ``VIARULE ... GENERATE``.

    Routing layers carry ``enclosure`` (overhang1, overhang2, DBU); the cut layer carries
    ``cut_rect`` (x0, y0, x1, y1, DBU) and ``cut_spacing`` (x, y centre pitch, DBU).
    """

    layer: int
    enclosure: tuple[int, int] | None = None
    width_range: tuple[int, int] | None = None
    cut_rect: tuple[int, int, int, int] | None = None
    cut_spacing: tuple[int, int] | None = None
    resistance_ohm: float | None = None


@dataclass(eq=False)
class ViaRule:
    """``VIARULE name GENERATE [DEFAULT]``: how to build vias between two routing layers."""

    name: str
    default: bool = False
    layers: list[ViaRuleLayer] = field(default_factory=list)

    def cut(self) -> ViaRuleLayer | None:
        """The layer section with the cut rectangle, if any."""
        for section in self.layers:
            if section.cut_rect is not None:
                return section
        return None


@dataclass(eq=False)
class Site:
    """A placement site: ``class_name`` (CORE, PAD …), ``symmetry`` ("X Y R90" subset), DBU size."""

    name: str
    class_name: str
    symmetry: str
    width: int
    height: int


@dataclass(eq=False)
class Technology:
    """Units, layers (in LEF order), fixed vias, via rules and sites of a process."""

    dbu_per_micron: int = 1000
    manufacturing_grid: int | None = None
    """Manufacturing grid in DBU."""
    bus_bit_chars: str = "[]"
    divider_char: str = "/"
    layers: list[Layer] = field(default_factory=list)
    vias: dict[str, Via] = field(default_factory=dict)
    via_rules: dict[str, ViaRule] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    _layer_index: dict[str, int] = field(default_factory=dict)

    def add_layer(self, layer: Layer) -> int:
        """Append ``layer`` (or replace one of the same name) and return its index."""
        index = self._layer_index.get(layer.name)
        if index is None and len(self._layer_index) != len(self.layers):
            self._reindex()
            index = self._layer_index.get(layer.name)
        if index is not None:
            self.layers[index] = layer
            return index
        self.layers.append(layer)
        self._layer_index[layer.name] = len(self.layers) - 1
        return len(self.layers) - 1

    def _reindex(self) -> None:
        self._layer_index = {layer.name: i for i, layer in enumerate(self.layers)}

    def layer_index(self, name: str) -> int:
        """Index of layer ``name`` in ``layers``; KeyError when unknown."""
        if len(self._layer_index) != len(self.layers):
            self._reindex()
        return self._layer_index[name]

    def layer(self, name: str) -> Layer:
        """The layer called ``name``; KeyError when unknown."""
        return self.layers[self.layer_index(name)]

    def has_layer(self, name: str) -> bool:
        """Whether a layer called ``name`` exists."""
        if len(self._layer_index) != len(self.layers):
            self._reindex()
        return name in self._layer_index

    def routing_layers(self) -> list[Layer]:
        """ROUTING layers bottom to top (LEF order)."""
        return [layer for layer in self.layers if layer.type is LayerType.ROUTING]

    def routing_layer_indices(self) -> np.ndarray:
        """int64 (n_routing,) indices into ``layers`` of the routing layers, bottom to top."""
        return np.array(
            [i for i, layer in enumerate(self.layers) if layer.type is LayerType.ROUTING],
            dtype=np.int64,
        )

    def um(self, dbu: int | float | np.ndarray) -> float | np.ndarray:
        """Microns of a DBU length (scalar or array)."""
        return dbu / self.dbu_per_micron

    def dbu(self, um: float | np.ndarray) -> int | np.ndarray:
        """DBU of a micron length, rounded to the nearest unit (int, or int64 array)."""
        if isinstance(um, np.ndarray):
            return np.rint(um * self.dbu_per_micron).astype(np.int64)
        return round(um * self.dbu_per_micron)
