"""GDSII output: a placed/routed DEF merged with the standard cells' real layouts, via KLayout.

KLayout's LEF/DEF reader builds the top cell from the DEF (rows of instances, routing, pins,
vias) and, with ``macro_resolution_mode = 2``, takes each macro's geometry from the cell GDS
libraries instead of the LEF abstract. The result is written as GDSII atomically.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tapeout.errors import DesignError, InputFileError, ParseError, ToolError
from tapeout.fileio import output_mode
from tapeout.log import Log

if TYPE_CHECKING:
    import klayout.db as kdb

# KLayout appends "(line=12, cell=, file=x.def)" to reader errors.
_KLAYOUT_LINE = re.compile(r"\(line=(\d+)")


@dataclass(frozen=True)
class GdsReport:
    """What ``merge_gds`` wrote.

    Attributes:
        path: the GDS file.
        top_name: name of the top cell.
        dbu_um: database unit of the GDS in µm (0.001 = 1 nm).
        bbox_dbu: (x_low, y_low, x_high, y_high) of the top cell in database units.
        instance_count: cell instances placed in the top cell (components and vias).
        cell_names: the cells the top cell instantiates, sorted.
        layers: (layer, datatype) pairs present in the output, sorted.
    """

    path: Path
    top_name: str
    dbu_um: float
    bbox_dbu: tuple[int, int, int, int]
    instance_count: int
    cell_names: tuple[str, ...]
    layers: tuple[tuple[int, int], ...]


def _klayout() -> Any:
    try:
        import klayout.db as kdb
    except ImportError as error:  # pragma: no cover - klayout is a dependency
        raise ToolError(
            f"KLayout's Python module is not available: {error}",
            hint="pip install klayout",
        ) from None
    return kdb


def _require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise InputFileError(f"{what} not found", file=path, hint="check the path")
    return path.resolve()


def _load_options(kdb: Any, layer_map: Path | None, log: Log) -> kdb.LoadLayoutOptions:
    """Reader options: a KLayout technology (.lyt) carries suffix rules and a layer map; any
    other file is a LEF/DEF layer map file (``Metal1 NET,SPNET 8 0`` lines)."""
    if layer_map is None:
        log.warn(
            "GDS-0002",
            "no layer map: DEF routing and pins get layer numbers KLayout chooses; pass the "
            "platform's klayout_layer_map or klayout_tech",
        )
        return kdb.LoadLayoutOptions()
    layer_map = _require_file(layer_map, "KLayout layer map")
    if layer_map.suffix == ".lyt":
        technology = kdb.Technology()
        try:
            technology.load(str(layer_map))
        except RuntimeError as error:
            raise ParseError(f"cannot read KLayout technology: {error}", file=layer_map) from None
        options: kdb.LoadLayoutOptions = technology.load_layout_options
        return options
    options = kdb.LoadLayoutOptions()
    config = options.lefdef_config
    config.map_file = str(layer_map)
    options.lefdef_config = config
    return options


def _read_layout(kdb: Any, path: Path, options: Any | None, what: str) -> kdb.Layout:
    layout = kdb.Layout()
    try:
        if options is None:
            layout.read(str(path))
        else:
            layout.read(str(path), options)
    except RuntimeError as error:
        text = str(error).removesuffix(" in Layout.read")
        match = _KLAYOUT_LINE.search(text)
        line = int(match.group(1)) if match else None
        raise ParseError(f"KLayout cannot read {what}: {text}", file=path, line=line) from None
    return layout


def merge_gds(
    out_path: Path,
    *,
    def_path: Path,
    lef_paths: Sequence[Path],
    cell_gds: Sequence[Path],
    layer_map: Path | None = None,
    top_name: str | None = None,
    log: Log | None = None,
) -> GdsReport:
    """Write ``out_path`` (GDSII): the DEF's layout with every macro's real cell layout.

    Args:
        out_path: GDS to write (``.gds``; ``.gds.gz`` is compressed); written atomically.
        def_path: placed (and possibly routed) DEF.
        lef_paths: tech LEF first, then cell LEFs (only these are read, never LEFs that happen
            to sit beside the DEF).
        cell_gds: GDS libraries holding the macros' layouts, searched in order by cell name.
        layer_map: LEF/DEF -> GDS layer mapping: a KLayout technology ``.lyt`` (sky130hd's
            ``Platform.klayout_tech``) or a layer map file (ihp-sg13g2's
            ``Platform.klayout_layer_map``). None lets KLayout number DEF layers (warning).
        top_name: name of the top cell; the DEF's DESIGN name when None.

    Raises DesignError naming the macros that no cell GDS holds (nothing is written then),
    ParseError/InputFileError for unreadable inputs.
    """
    log = log or Log()
    kdb = _klayout()
    out_path = Path(out_path)
    def_path = _require_file(Path(def_path), "DEF file")
    lefs = [str(_require_file(Path(path), "LEF file")) for path in lef_paths]
    libraries = [
        _read_layout(kdb, _require_file(Path(path), "cell GDS"), None, "cell GDS")
        for path in cell_gds
    ]
    options = _load_options(kdb, None if layer_map is None else Path(layer_map), log)
    config = options.lefdef_config
    config.lef_files = lefs
    config.read_lef_with_def = False
    # 2 = never use LEF geometry: every macro comes from ``macro_layouts`` (looked up by name).
    config.macro_resolution_mode = 2
    config.macro_layouts = libraries
    # Outlines are only drawn for the die area here (macros come from GDS, not LEF); keep them
    # when the layer map names an outline layer (sky130's prBoundary), so the GDS has the die's
    # extent even where no shape reaches the edge.
    config.produce_cell_outlines = bool(layer_map is not None and config.cell_outline_layer)
    options.lefdef_config = config
    layout = _read_layout(kdb, def_path, options, "DEF")

    tops = layout.top_cells()
    if len(tops) != 1:
        names = ", ".join(cell.name for cell in tops) or "none"
        raise DesignError(
            f"DEF produced {len(tops)} top cells ({names}), expected 1", file=def_path
        )
    top = tops[0]
    # A ghost cell is a macro the reader could not fill: no GDS layout (or no LEF macro).
    missing = sorted(cell.name for cell in layout.each_cell() if cell.is_ghost_cell())
    if missing:
        shown = ", ".join(missing[:20]) + (
            f" … {len(missing) - 20} more" if len(missing) > 20 else ""
        )
        raise DesignError(
            f"{len(missing)} cells have no GDS layout: {shown}",
            file=def_path,
            hint="add the GDS libraries that hold them to cell_gds",
        )
    if top_name is not None and top_name != top.name:
        if layout.has_cell(top_name):
            raise DesignError(f"top name {top_name!r} is already a cell name", file=def_path)
        top.name = top_name

    _write_atomically(kdb, layout, out_path)
    box = top.bbox()
    layers = sorted(
        (layout.get_info(index).layer, layout.get_info(index).datatype)
        for index in layout.layer_indexes()
        if not layout.get_info(index).is_named()
    )
    report = GdsReport(
        path=out_path,
        top_name=top.name,
        dbu_um=float(layout.dbu),
        bbox_dbu=(box.left, box.bottom, box.right, box.top),
        instance_count=int(top.child_instances()),
        cell_names=tuple(sorted({layout.cell(index).name for index in top.each_child_cell()})),
        layers=tuple(layers),
    )
    log.info(
        "GDS-0001",
        f"wrote {out_path}: top {report.top_name}, {report.instance_count} instances of "
        f"{len(report.cell_names)} cells",
    )
    return report


def _write_atomically(kdb: Any, layout: kdb.Layout, out_path: Path) -> None:
    """Write GDSII to a temporary name beside ``out_path``, then rename it over ``out_path``."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # KLayout compresses when the name ends in .gz: keep the suffixes on the temporary name.
    suffix = ".gds.gz" if out_path.name.endswith(".gz") else ".gds"
    fd, temporary = tempfile.mkstemp(
        prefix=f".{out_path.name}.", suffix=suffix, dir=out_path.parent
    )
    os.fchmod(fd, output_mode(out_path))
    os.close(fd)
    options = kdb.SaveLayoutOptions()
    options.format = "GDS2"
    try:
        layout.write(temporary, options)
        os.replace(temporary, out_path)
    except RuntimeError as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise ToolError(f"KLayout cannot write GDS: {error}", file=out_path) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
