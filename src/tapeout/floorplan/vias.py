"""Via arrays and stacks for the power grid, generated from the tech LEF's VIARULE GENERATE.

A via array fills a crossing box of two wires: as many cuts as fit at the rule's cut pitch with
the rule's enclosures inside the box (both enclosure orientations are tried; the most cuts
win). Without a generate rule for a layer pair the tech LEF's fixed via is used. Each distinct
array becomes one DEF via definition (fixed rectangles) whose origin is its lower-left cut.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from tapeout.db.tech import LayerType, Technology, ViaRule
from tapeout.errors import PlatformError
from tapeout.floorplan.core import snap_down
from tapeout.formats.def_common import DefVia
from tapeout.log import Log

Box = tuple[int, int, int, int]


@dataclass
class PlacedVia:
    """One via instance: definition name, bottom routing layer, origin (DBU), metal boxes."""

    name: str
    bottom_layer: str
    x: int
    y: int
    bottom_box: Box
    top_box: Box


@dataclass
class ViaMaker:
    """Makes via arrays between adjacent routing layers and stacks across several."""

    tech: Technology
    log: Log
    definitions: dict[str, DefVia] = field(default_factory=dict)
    _routing: list[str] = field(default_factory=list)
    _cut_between: dict[str, str] = field(default_factory=dict)
    _rules: dict[tuple[str, str], list[ViaRule]] = field(default_factory=dict)
    _cache: dict[tuple, tuple[str, int, int, Box, Box] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        tech = self.tech
        last_routing: str | None = None
        pending_cut: str | None = None
        for layer in tech.layers:
            if layer.type is LayerType.ROUTING:
                if last_routing is not None and pending_cut is not None:
                    self._cut_between[last_routing] = pending_cut
                self._routing.append(layer.name)
                last_routing, pending_cut = layer.name, None
            elif layer.type is LayerType.CUT and last_routing is not None:
                pending_cut = layer.name
        for rule in tech.via_rules.values():
            routing = [
                tech.layers[s.layer].name
                for s in rule.layers
                if s.cut_rect is None and tech.layers[s.layer].type is LayerType.ROUTING
            ]
            if len(routing) != 2 or rule.cut() is None:
                continue
            low, high = sorted(routing, key=self._routing.index)
            self._rules.setdefault((low, high), []).append(rule)

    def level(self, layer: str) -> int:
        """Position of routing ``layer`` from the bottom; PlatformError if it is not routing."""
        if layer not in self._routing:
            raise PlatformError(f"{layer!r} is not a routing layer of the tech LEF")
        return self._routing.index(layer)

    def above(self, layer: str) -> str:
        """The routing layer above routing ``layer``."""
        return self._routing[self.level(layer) + 1]

    def _array(
        self, low: str, high: str, width: int, height: int, margins: tuple[int, ...]
    ) -> tuple[str, int, int, Box, Box] | None:
        """A cut array centred in a ``width`` x ``height`` crossing, or None when none fits.

        ``margins`` (8 ints): how far the bottom and the top layer's wire reaches beyond the
        crossing on the left, bottom, right and top (-1 = unbounded: a landing pad in a stack).
        Returns (definition name, origin x, origin y, bottom box, top box), relative to the
        crossing's lower-left corner.
        """
        key = (low, width, height, margins)
        if key in self._cache:
            return self._cache[key]
        grid = max(self.tech.manufacturing_grid or 1, 1)
        best: tuple[int, tuple] | None = None
        for rule in self._rules.get((low, high), []):
            cut = rule.cut()
            assert cut is not None and cut.cut_rect is not None
            sections = {
                self.tech.layers[s.layer].name: s for s in rule.layers if s.cut_rect is None
            }
            enc_low = sections[low].enclosure or (0, 0)
            enc_high = sections[high].enclosure or (0, 0)
            cut_w = cut.cut_rect[2] - cut.cut_rect[0]
            cut_h = cut.cut_rect[3] - cut.cut_rect[1]
            pitch_x, pitch_y = cut.cut_spacing or (cut_w * 2, cut_h * 2)
            for low_xy in dict.fromkeys([enc_low, enc_low[::-1]]):
                for high_xy in dict.fromkeys([enc_high, enc_high[::-1]]):
                    # Largest cut span per axis: inside the crossing (or one cut where the
                    # crossing is narrower than a cut: its landing pads grow), each metal inside
                    # its wire where the via has one (not a pad).
                    span_x = max(width - 2 * grid, cut_w)
                    span_y = max(height - 2 * grid, cut_h)
                    for metal, (ex, ey) in ((margins[:4], low_xy), (margins[4:], high_xy)):
                        if metal[0] >= 0:
                            limit = width + 2 * min(metal[0], metal[2]) - 2 * ex - 2 * grid
                            span_x = min(span_x, limit)
                        if metal[1] >= 0:
                            limit = height + 2 * min(metal[1], metal[3]) - 2 * ey - 2 * grid
                            span_y = min(span_y, limit)
                    if span_x < cut_w or span_y < cut_h:
                        continue
                    nx, ny = (span_x - cut_w) // pitch_x + 1, (span_y - cut_h) // pitch_y + 1
                    if best is None or nx * ny > best[0]:
                        best = (nx * ny, (rule, cut, low_xy, high_xy, nx, ny,
                                          cut_w, cut_h, pitch_x, pitch_y))  # fmt: skip
        if best is None:
            self._cache[key] = None
            return None
        rule, cut, low_xy, high_xy, nx, ny, cut_w, cut_h, pitch_x, pitch_y = best[1]
        span_x, span_y = (nx - 1) * pitch_x + cut_w, (ny - 1) * pitch_y + cut_h
        origin_x = snap_down((width - span_x) // 2, grid)
        origin_y = snap_down((height - span_y) // 2, grid)
        name = f"{rule.name}_{nx}x{ny}_{low_xy[0]}_{low_xy[1]}_{high_xy[0]}_{high_xy[1]}"
        if name not in self.definitions:
            cut_layer = self.tech.layers[cut.layer].name
            rects = [(-low_xy[0], -low_xy[1], span_x + low_xy[0], span_y + low_xy[1])]
            layers = [low]
            for i in range(nx):
                for j in range(ny):
                    x, y = i * pitch_x, j * pitch_y
                    rects.append((x, y, x + cut_w, y + cut_h))
                    layers.append(cut_layer)
            rects.append((-high_xy[0], -high_xy[1], span_x + high_xy[0], span_y + high_xy[1]))
            layers.append(high)
            self.definitions[name] = DefVia(name=name, rect_layers=layers, rects=rects)
        bottom = (origin_x - low_xy[0], origin_y - low_xy[1],
                  origin_x + span_x + low_xy[0], origin_y + span_y + low_xy[1])  # fmt: skip
        top = (origin_x - high_xy[0], origin_y - high_xy[1],
               origin_x + span_x + high_xy[0], origin_y + span_y + high_xy[1])  # fmt: skip
        result = (name, origin_x, origin_y, bottom, top)
        self._cache[key] = result
        return result

    def _fixed(self, low: str, high: str, box: Box) -> PlacedVia:
        """The tech LEF's fixed via between ``low`` and ``high`` at the box centre."""
        tech = self.tech
        low_i, high_i = tech.layer_index(low), tech.layer_index(high)
        candidates = [
            via for via in tech.vias.values()
            if low_i in via.rect_layer.tolist() and high_i in via.rect_layer.tolist()
        ]  # fmt: skip
        if not candidates:
            raise PlatformError(f"the tech LEF has no via or via rule between {low} and {high}")
        candidates.sort(key=lambda via: not via.default)
        grid = max(tech.manufacturing_grid or 1, 1)
        cx = snap_down((box[0] + box[2]) // 2, grid)
        cy = snap_down((box[1] + box[3]) // 2, grid)
        for via in candidates:
            rects = via.rects
            low_box = rects[via.rect_layer == low_i]
            high_box = rects[via.rect_layer == high_i]
            bottom = (cx + int(low_box[:, 0].min()), cy + int(low_box[:, 1].min()),
                      cx + int(low_box[:, 2].max()), cy + int(low_box[:, 3].max()))  # fmt: skip
            top = (cx + int(high_box[:, 0].min()), cy + int(high_box[:, 1].min()),
                   cx + int(high_box[:, 2].max()), cy + int(high_box[:, 3].max()))  # fmt: skip
            if (_inside(bottom, box) and _inside(top, box)) or via is candidates[-1]:
                if not (_inside(bottom, box) and _inside(top, box)):
                    self.log.warn(
                        "FLOORPLAN-0011",
                        f"via {via.name} does not fit the {box[2] - box[0]} x {box[3] - box[1]} "
                        f"DBU crossing of {low} and {high}",
                    )
                return PlacedVia(via.name, low, cx, cy, bottom, top)
        raise AssertionError("unreachable")

    def via(
        self, low: str, high: str, crossing: Box, low_wire: Box | None, high_wire: Box | None
    ) -> PlacedVia:
        """A via array between adjacent routing layers ``low`` < ``high`` in ``crossing``.

        ``low_wire``/``high_wire``: the wires the via's metal must stay inside (None for a
        landing pad of a stack, which grows to fit).
        """
        margins: list[int] = []
        for wire in (low_wire, high_wire):
            if wire is None:
                margins.extend((-1, -1, -1, -1))
            else:
                margins.extend((crossing[0] - wire[0], crossing[1] - wire[1],
                                wire[2] - crossing[2], wire[3] - crossing[3]))  # fmt: skip
        width, height = crossing[2] - crossing[0], crossing[3] - crossing[1]
        array = self._array(low, high, width, height, tuple(margins))
        if array is None:
            return self._fixed(low, high, crossing)
        name, origin_x, origin_y, bottom, top = array
        x0, y0 = crossing[0], crossing[1]
        return PlacedVia(
            name, low, x0 + origin_x, y0 + origin_y,
            (x0 + bottom[0], y0 + bottom[1], x0 + bottom[2], y0 + bottom[3]),
            (x0 + top[0], y0 + top[1], x0 + top[2], y0 + top[3]),
        )  # fmt: skip

    def stack(
        self, layer_a: str, wire_a: Box, layer_b: str, wire_b: Box
    ) -> tuple[list[PlacedVia], list[tuple[str, Box]]]:
        """Vias joining ``wire_a`` on ``layer_a`` to ``wire_b`` on ``layer_b`` where they cross.

        Returns the vias bottom to top and ``(layer, box)`` landing pads on the layers in
        between: the bounding box of the two vias' metal there.
        """
        crossing = (max(wire_a[0], wire_b[0]), max(wire_a[1], wire_b[1]),
                    min(wire_a[2], wire_b[2]), min(wire_a[3], wire_b[3]))  # fmt: skip
        level_a, level_b = self.level(layer_a), self.level(layer_b)
        if level_a > level_b:
            level_a, level_b, wire_a, wire_b = level_b, level_a, wire_b, wire_a
        vias = [
            self.via(
                self._routing[k], self._routing[k + 1], crossing,
                wire_a if k == level_a else None, wire_b if k + 1 == level_b else None,
            )
            for k in range(level_a, level_b)
        ]  # fmt: skip
        pads: list[tuple[str, Box]] = []
        for below, above in itertools.pairwise(vias):
            a, b = below.top_box, above.bottom_box
            pads.append((above.bottom_layer, (min(a[0], b[0]), min(a[1], b[1]),
                                              max(a[2], b[2]), max(a[3], b[3]))))  # fmt: skip
        return vias, pads


def _inside(inner: Box, outer: Box) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[2] <= outer[2]
        and inner[3] <= outer[3]
    )
