"""A library cell's physical view (LEF MACRO): size, site, pins with their shapes, obstructions.

All coordinates are int64 DBU in the macro's own LEF frame (as written in the file, before the
``ORIGIN`` shift). Layer references are indices into ``Technology.layers``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.netlist import PortDirection


@dataclass(eq=False)
class Shapes:
    """Rectangles and polygons on layers.

    ``rects``: int64 (k, 4) x0, y0, x1, y1 (x0 <= x1, y0 <= y1), DBU; ``rect_layer``: int64 (k,)
    layer index. ``polygons``: list of int64 (n_i, 2) vertex arrays, DBU; ``polygon_layer``:
    int64 (p,) layer index.
    """

    rects: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.int64))
    rect_layer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    polygons: list[np.ndarray] = field(default_factory=list)
    polygon_layer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.rects) + len(self.polygons)

    def rects_on(self, layer: int) -> np.ndarray:
        """int64 (j, 4) rectangles on layer index ``layer``."""
        return self.rects[self.rect_layer == layer]


@dataclass(eq=False)
class MacroPin:
    """A macro pin: direction, use, LEF SHAPE class, and its ports' geometry.

    ``use`` is the LEF USE (SIGNAL, POWER, GROUND, CLOCK, ANALOG, SCAN, RESET; SIGNAL when
    absent). ``shape_class`` is the LEF SHAPE (ABUTMENT, RING, FEEDTHRU) or "".
    """

    name: str
    direction: PortDirection = PortDirection.INPUT
    tristate: bool = False
    use: str = "SIGNAL"
    shape_class: str = ""
    ports: list[Shapes] = field(default_factory=list)

    def rects(self) -> np.ndarray:
        """int64 (k, 4) rectangles of all ports together, DBU."""
        if not self.ports:
            return np.zeros((0, 4), dtype=np.int64)
        return np.concatenate([port.rects for port in self.ports])

    def rect_layers(self) -> np.ndarray:
        """int64 (k,) layer index of each rectangle of ``rects()``."""
        if not self.ports:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([port.rect_layer for port in self.ports])


@dataclass(eq=False)
class Macro:
    """One LEF MACRO.

    ``class_name`` is the LEF CLASS with its subclass ("CORE", "CORE TIEHIGH", "BLOCK", "PAD
    INPUT", "ENDCAP PRE" …). ``origin_*``, ``width``, ``height``, ``foreign_*``: DBU.
    ``symmetry``: subset of "X Y R90" as written. ``pins`` keeps LEF order.
    """

    name: str
    class_name: str = "CORE"
    origin_x: int = 0
    origin_y: int = 0
    width: int = 0
    height: int = 0
    foreign_name: str | None = None
    foreign_x: int = 0
    foreign_y: int = 0
    site: str | None = None
    symmetry: str = ""
    pins: dict[str, MacroPin] = field(default_factory=dict)
    obstructions: Shapes = field(default_factory=Shapes)
    properties: dict[str, str] = field(default_factory=dict)
    """``PROPERTY name value`` as written in the LEF (strings keep their quotes)."""

    @property
    def area(self) -> int:
        """Width x height, DBU squared."""
        return self.width * self.height

    def power_pins(self) -> list[MacroPin]:
        """Pins with USE POWER or GROUND, in LEF order."""
        return [pin for pin in self.pins.values() if pin.use in ("POWER", "GROUND")]
