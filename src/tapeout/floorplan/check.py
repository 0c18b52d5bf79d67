"""Geometry checks of a floorplan on ``klayout.db`` Regions: supply connectivity and grid rules.

* Supply connectivity: per special net, each routing layer's shapes are merged into pieces; a
  cut (from the net's vias) joins the piece below and the piece above that contain its centre;
  union-find over those joins gives the number of connected pieces (1 for a good grid). Cuts
  with no metal on one side are counted as dangling.
* Rules from the tech LEF on all special-net shapes and IO pins of each layer: minimum width
  (``MINWIDTH`` or ``WIDTH``), minimum spacing (``SPACING`` or the first entry of the spacing
  table, and its wide-metal rows by width and parallel run length), minimum area, and for
  each cut layer the ``ENCLOSURE`` of every cut by the metal below and above (either
  orientation of the two overhangs) and the cut spacing.
* Shorts: metal shared by two special nets on a layer.
* IO pins: centre on a track of the pin's layer, no two pins overlapping or touching.
* Rows: both boundaries of every row covered by rails on the rail layer.

Special wiring paths are read as rectangles with flush ends (no extension).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.netlist import Netlist
from tapeout.db.physical import Physical
from tapeout.db.tech import LayerType, Technology
from tapeout.db.wires import Wires
from tapeout.floorplan.core import track_positions
from tapeout.formats.def_common import DefVia

#: net name -> layer name -> int64 (k, 4) rectangles.
NetShapes = dict[str, dict[str, np.ndarray]]


@dataclass(eq=False)
class GeometryReport:
    """Counts of problems found; ``clean()`` when there are none."""

    supply_pieces: dict[str, int] = field(default_factory=dict)
    shorts: dict[str, int] = field(default_factory=dict)
    dangling_cuts: dict[str, int] = field(default_factory=dict)
    width_errors: dict[str, int] = field(default_factory=dict)
    spacing_errors: dict[str, int] = field(default_factory=dict)
    area_errors: dict[str, int] = field(default_factory=dict)
    enclosure_errors: dict[str, int] = field(default_factory=dict)
    cut_spacing_errors: dict[str, int] = field(default_factory=dict)
    pins_off_track: int = 0
    pin_overlaps: int = 0
    rows_without_rails: int = 0
    n_shapes: int = 0
    n_cuts: int = 0

    def problems(self) -> list[str]:
        """One line per kind of problem found (empty when clean)."""
        lines = [f"{net}: {n} separate pieces" for net, n in self.supply_pieces.items() if n != 1]
        for title, table in (
            ("shorts between supplies", self.shorts),
            ("dangling cuts", self.dangling_cuts),
            ("min width", self.width_errors),
            ("min spacing", self.spacing_errors),
            ("min area", self.area_errors),
            ("via enclosure", self.enclosure_errors),
            ("cut spacing", self.cut_spacing_errors),
        ):
            lines.extend(f"{title} on {name}: {n}" for name, n in table.items() if n)
        if self.pins_off_track:
            lines.append(f"{self.pins_off_track} IO pins off track")
        if self.pin_overlaps:
            lines.append(f"{self.pin_overlaps} IO pin overlaps")
        if self.rows_without_rails:
            lines.append(f"{self.rows_without_rails} rows not covered by rails")
        return lines

    def clean(self) -> bool:
        return not self.problems()


def _via_shapes(
    name: str, vias: dict[str, DefVia], tech: Technology
) -> list[tuple[str, tuple[int, int, int, int]]]:
    """(layer, rect) of via definition ``name``: DEF VIAS first, then the tech LEF's vias."""
    if name in vias:
        via = vias[name]
        return list(zip(via.rect_layers, via.rects, strict=True))
    if name in tech.vias:
        via_lef = tech.vias[name]
        return [
            (tech.layers[int(layer)].name, tuple(int(v) for v in rect))  # type: ignore[misc]
            for layer, rect in zip(via_lef.rect_layer, via_lef.rects, strict=True)
        ]
    return []


def special_shapes(wires: Wires, vias: dict[str, DefVia], tech: Technology) -> NetShapes:
    """Rectangles of every special net by layer: RECTs, paths (flush ends) and via geometry."""
    collected: dict[str, dict[str, list[np.ndarray]]] = {}
    routing = wires.special
    names = wires.special_net_names.names

    def add(net: int, layer: str, rects: np.ndarray) -> None:
        collected.setdefault(names[net], {}).setdefault(layer, []).append(rects)

    for layer in np.unique(routing.rect_layer):
        chosen = routing.rect_layer == layer
        for net in np.unique(routing.rect_net[chosen]):
            add(
                int(net), wires.layers[int(layer)], routing.rect[chosen & (routing.rect_net == net)]
            )
    if routing.n_segs:
        half = routing.seg_width // 2
        x0 = np.minimum(routing.seg_x0, routing.seg_x1)
        x1 = np.maximum(routing.seg_x0, routing.seg_x1)
        y0 = np.minimum(routing.seg_y0, routing.seg_y1)
        y1 = np.maximum(routing.seg_y0, routing.seg_y1)
        vertical = x0 == x1
        rects = np.stack(
            [np.where(vertical, x0 - half, x0), np.where(vertical, y0, y0 - half),
             np.where(vertical, x1 + half, x1), np.where(vertical, y1, y1 + half)], axis=1,
        )  # fmt: skip
        keep = half > 0
        for i in np.flatnonzero(keep):
            add(int(routing.seg_net[i]), wires.layers[int(routing.seg_layer[i])], rects[i : i + 1])
    for name_id in np.unique(routing.via_name):
        geometry = _via_shapes(wires.via_names[int(name_id)], vias, tech)
        if not geometry:
            continue
        chosen = np.flatnonzero(routing.via_name == name_id)
        for net in np.unique(routing.via_net[chosen]):
            mine = chosen[routing.via_net[chosen] == net]
            origins = []
            for i in mine:
                nx, ny = int(routing.via_num_x[i]), int(routing.via_num_y[i])
                gx, gy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
                origins.append(
                    np.stack([routing.via_x[i] + gx.ravel() * routing.via_step_x[i],
                              routing.via_y[i] + gy.ravel() * routing.via_step_y[i]], axis=1)
                )  # fmt: skip
            xy = np.concatenate(origins)
            for layer, rect in geometry:
                offset = np.array(rect, np.int64)
                add(int(net), layer, np.tile(xy, 2) + offset)
    return {
        net: {layer: np.concatenate(parts) for layer, parts in layers.items()}
        for net, layers in collected.items()
    }


def _region(rects: np.ndarray):  # type: ignore[no-untyped-def]
    import klayout.db as kdb

    boxes = [kdb.Box(x0, y0, x1, y1) for x0, y0, x1, y1 in rects.tolist()]
    return kdb.Region(boxes)  # type: ignore[arg-type]


def _cut_neighbours(tech: Technology) -> dict[str, tuple[str, str]]:
    """Cut layer name -> (routing layer below, routing layer above), from LEF layer order."""
    result: dict[str, tuple[str, str]] = {}
    below: str | None = None
    pending: list[str] = []
    for layer in tech.layers:
        if layer.type is LayerType.ROUTING:
            if below is not None:
                for cut in pending:
                    result[cut] = (below, layer.name)
            below, pending = layer.name, []
        elif layer.type is LayerType.CUT:
            pending.append(layer.name)
    return result


def _locate(polygons: list, boxes: np.ndarray, points: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    """int64 (n_points,) index of the polygon containing each point, -1 for none."""
    import klayout.db as kdb

    found = np.full(points.shape[0], -1, np.int64)
    if points.shape[0] == 0 or not polygons:
        return found
    order = np.argsort(points[:, 0], kind="stable")
    xs = points[order, 0]
    for index, (polygon, box) in enumerate(zip(polygons, boxes.tolist(), strict=True)):
        lo, hi = np.searchsorted(xs, box[0], "left"), np.searchsorted(xs, box[2], "right")
        candidates = order[lo:hi]
        ys = points[candidates, 1]
        candidates = candidates[(ys >= box[1]) & (ys <= box[3]) & (found[candidates] < 0)]
        if candidates.shape[0] == 0:
            continue
        if polygon.is_box():
            found[candidates] = index
            continue
        for point in candidates.tolist():
            if polygon.inside(kdb.Point(int(points[point, 0]), int(points[point, 1]))):
                found[point] = index
    return found


def supply_pieces(layers: dict[str, np.ndarray], tech: Technology) -> tuple[int, int]:
    """(connected pieces, dangling cuts) of one net's shapes by layer."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    neighbours = _cut_neighbours(tech)
    pieces: dict[str, tuple[list, np.ndarray, int]] = {}  # type: ignore[type-arg]
    n_nodes = 0
    for layer, rects in layers.items():
        if layer in neighbours or not tech.has_layer(layer):
            continue
        polygons = list(_region(rects).merged().each())
        boxes = np.array(
            [[p.bbox().left, p.bbox().bottom, p.bbox().right, p.bbox().top] for p in polygons],
            np.int64,
        ).reshape(-1, 4)
        pieces[layer] = (polygons, boxes, n_nodes)
        n_nodes += len(polygons)
    edges_a: list[np.ndarray] = []
    edges_b: list[np.ndarray] = []
    dangling = 0
    for layer, rects in layers.items():
        if layer not in neighbours:
            continue
        centres = np.stack([(rects[:, 0] + rects[:, 2]) // 2, (rects[:, 1] + rects[:, 3]) // 2], 1)
        ends = []
        for metal in neighbours[layer]:
            if metal not in pieces:
                ends.append(np.full(centres.shape[0], -1, np.int64))
                continue
            polygons, boxes, first = pieces[metal]
            found = _locate(polygons, boxes, centres)
            ends.append(np.where(found >= 0, found + first, -1))
        good = (ends[0] >= 0) & (ends[1] >= 0)
        dangling += int((~good).sum())
        edges_a.append(ends[0][good])
        edges_b.append(ends[1][good])
    if n_nodes == 0:
        return 0, dangling
    a = np.concatenate(edges_a) if edges_a else np.zeros(0, np.int64)
    b = np.concatenate(edges_b) if edges_b else np.zeros(0, np.int64)
    graph = coo_matrix((np.ones(a.shape[0]), (a, b)), shape=(n_nodes, n_nodes))
    count, _ = connected_components(graph, directed=False)
    return int(count), dangling


def _min_spacing(tech: Technology, layer: str) -> int | None:
    rule = tech.layer(layer)
    values = [v for v in (rule.spacing,) if v]
    if rule.spacing_table.size:
        values.append(int(rule.spacing_table[0, 0]))
    return min(values) if values else None


def _wide_spacing_errors(region, rule, min_spacing: int) -> int:  # type: ignore[no-untyped-def]
    """Violations of the PARALLELRUNLENGTH table's wide-metal rows: pairs of facing edges
    closer than ``table[i, j]`` over more than ``length[j]`` where one side is wider than
    ``width[i]``."""
    import klayout.db as kdb

    table = rule.spacing_table
    found = kdb.Region()
    for i in range(1, table.shape[0]):
        threshold = int(rule.spacing_table_width[i])
        wide = region.sized(-(threshold // 2 + 1)).sized(threshold // 2 + 1)
        if wide.is_empty():
            continue
        for j in range(table.shape[1]):
            spacing = int(table[i, j])
            if spacing <= min_spacing:
                continue
            length = int(rule.spacing_table_length[j]) + 1
            pairs = region.space_check(spacing, False, kdb.Metrics.Projection, None, length, None)
            if pairs.count():
                found += pairs.polygons(1).interacting(wide)
    return found.merged().count()  # one per gap, however many table entries it breaks


def _check_rules(by_layer: dict[str, np.ndarray], tech: Technology, report: GeometryReport) -> None:
    import klayout.db as kdb

    neighbours = _cut_neighbours(tech)
    merged: dict[str, object] = {}
    for layer, rects in by_layer.items():
        if not tech.has_layer(layer):
            continue
        region = _region(rects).merged()
        merged[layer] = region
        rule = tech.layer(layer)
        if layer in neighbours:
            spacing = rule.spacing
            if spacing:
                report.cut_spacing_errors[layer] = region.space_check(spacing).count()
            continue
        width = rule.min_width or rule.width
        if width:
            report.width_errors[layer] = region.width_check(width).count()
        spacing = _min_spacing(tech, layer)
        if spacing:
            report.spacing_errors[layer] = region.space_check(spacing).count()
            report.spacing_errors[layer] += _wide_spacing_errors(region, rule, spacing)
        if rule.min_area:
            report.area_errors[layer] = region.with_area(0, rule.min_area, False).count()
    for cut, (below, above) in neighbours.items():
        if cut not in by_layer:
            continue
        rule = tech.layer(cut)
        cuts = _region(by_layer[cut])
        cuts.merged_semantics = False
        failed = 0
        for side, metal_name in (("BELOW", below), ("ABOVE", above)):
            enclosure = rule.enclosure(side)
            if enclosure is None:
                continue
            metal = merged.get(metal_name, kdb.Region())
            failed += _unenclosed(cuts, metal, enclosure)
        report.enclosure_errors[cut] = failed


def _centres(region) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    return {(p.bbox().center().x, p.bbox().center().y) for p in region.each()}


def _unenclosed(cuts, metal, enclosure: tuple[int, int]) -> int:  # type: ignore[no-untyped-def]
    """Cuts not enclosed by ``metal`` with (o1, o2) overhangs in either orientation."""
    import klayout.db as kdb

    first, second = enclosure, enclosure[::-1]
    grown = cuts.sized(first[0], first[1], 2)
    if (grown.merged() - metal).is_empty():
        return 0  # every cut enclosed: the common, fast case
    grown.merged_semantics = False
    suspects = grown.not_inside(metal)
    suspects.merged_semantics = False
    # back to the cuts themselves, then the other orientation
    candidates = kdb.Region([p.bbox().enlarged(-first[0], -first[1]) for p in suspects.each()])
    candidates.merged_semantics = False
    if first == second:
        return len(_centres(candidates))
    regrown = candidates.sized(second[0], second[1], 2)
    regrown.merged_semantics = False
    bad = regrown.not_inside(metal)
    bad.merged_semantics = False
    return len(_centres(bad))


def check_floorplan(
    netlist: Netlist,
    physical: Physical,
    wires: Wires,
    vias: dict[str, DefVia],
    tech: Technology,
    *,
    rail_layer: str | None,
) -> GeometryReport:
    """Check supply connectivity, grid rules, IO pins and rail coverage (see the module doc).

    Args:
        vias: DEF via definitions the special wiring uses (tech LEF vias are found too).
        rail_layer: layer of the follow-pin rails; None skips the row coverage check.
    """
    report = GeometryReport()
    shapes = special_shapes(wires, vias, tech)
    neighbours = _cut_neighbours(tech)
    by_layer: dict[str, list[np.ndarray]] = {}
    for net, layers in shapes.items():
        pieces, dangling = supply_pieces(layers, tech)
        report.supply_pieces[net] = pieces
        report.dangling_cuts[net] = dangling
        for layer, rects in layers.items():
            by_layer.setdefault(layer, []).append(rects)
            if layer in neighbours:
                report.n_cuts += rects.shape[0]
            else:
                report.n_shapes += rects.shape[0]
    _check_shorts(shapes, report)
    pin_rects = _pin_rects(physical)
    for layer_id in np.unique(physical.shape_layer):
        chosen = physical.shape_layer == layer_id
        by_layer.setdefault(physical.layers[int(layer_id)], []).append(pin_rects[chosen])
    _check_rules({k: np.concatenate(v) for k, v in by_layer.items()}, tech, report)
    _check_pins(physical, pin_rects, report)
    if rail_layer is not None and physical.n_rows:
        rails = [layers[rail_layer] for layers in shapes.values() if rail_layer in layers]
        report.rows_without_rails = _rows_without_rails(
            physical, np.concatenate(rails) if rails else np.zeros((0, 4), np.int64), tech
        )
    return report


def _check_shorts(shapes: NetShapes, report: GeometryReport) -> None:
    """Pieces of metal shared by two different special nets, per layer."""
    nets = list(shapes)
    layers = {layer for by_layer in shapes.values() for layer in by_layer}
    for layer in sorted(layers):
        count = 0
        for i, net_a in enumerate(nets):
            for net_b in nets[i + 1 :]:
                if layer in shapes[net_a] and layer in shapes[net_b]:
                    region_a = _region(shapes[net_a][layer]).merged()
                    region_b = _region(shapes[net_b][layer]).merged()
                    count += region_a.interacting(region_b).count()
        report.shorts[layer] = count


def _pin_rects(physical: Physical) -> np.ndarray:
    """int64 (n_shapes, 4) absolute IO pin rectangles (orientation N assumed)."""
    owner = np.repeat(np.arange(physical.port_x.shape[0]), np.diff(physical.port_shape_indptr))
    offset = np.stack([physical.port_x[owner], physical.port_y[owner]], 1)
    return physical.shape_rect + np.tile(offset, 2)


def _check_pins(physical: Physical, pin_rects: np.ndarray, report: GeometryReport) -> None:
    off = 0
    for layer_id in np.unique(physical.shape_layer):
        chosen = physical.shape_layer == layer_id
        rects = pin_rects[chosen]
        name = physical.layers[int(layer_id)]
        horizontal = (rects[:, 2] - rects[:, 0]) >= (rects[:, 3] - rects[:, 1])
        centre_x = (rects[:, 0] + rects[:, 2]) // 2
        centre_y = (rects[:, 1] + rects[:, 3]) // 2
        y_tracks = track_positions(physical, name, 1)
        x_tracks = track_positions(physical, name, 0)
        on_track = np.where(horizontal, np.isin(centre_y, y_tracks), np.isin(centre_x, x_tracks))
        off += int((~on_track).sum())
        region = _region(rects)
        report.pin_overlaps += rects.shape[0] - region.merged().count()
    report.pins_off_track = off


def _rows_without_rails(physical: Physical, rails: np.ndarray, tech: Technology) -> int:
    import klayout.db as kdb

    rail_region = _region(rails).merged()
    x0 = physical.row_x
    x1 = physical.row_x + physical.row_num_x * physical.row_step_x
    bad = 0
    top = physical.row_y + _row_heights(physical, tech)
    for row in range(physical.n_rows):
        for y in (int(physical.row_y[row]), int(top[row])):
            edge = kdb.Region(kdb.Box(int(x0[row]), y - 1, int(x1[row]), y + 1))
            if not edge.not_(rail_region).is_empty():
                bad += 1
                break
    return bad


def _row_heights(physical: Physical, tech: Technology) -> np.ndarray:
    """int64 (n_rows,) height of each row's site (tech LEF), else the smallest row pitch."""
    heights = np.zeros(physical.n_rows, np.int64)
    for index, name in enumerate(physical.sites):
        site = tech.sites.get(name)
        if site is not None:
            heights[physical.row_site == index] = site.height
    if np.any(heights == 0):
        ys = np.unique(physical.row_y)
        if ys.shape[0] < 2:
            raise ValueError("row height unknown: the rows' site is not in the tech LEF")
        heights[heights == 0] = int(np.diff(ys).min())
    return heights
