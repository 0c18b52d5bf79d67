"""Pictures for the HTML report: the layout (headless KLayout), a density heat map, a histogram.

The layout picture is a PNG made by ``klayout.lay.LayoutView`` without a GUI; the heat map and
histogram are inline SVG text, so the report needs no plotting library and no external files.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tapeout.errors import InputFileError

# A perceptually even ramp (viridis anchors), dark = low, yellow = high.
_RAMP = np.array(
    [
        [68, 1, 84],
        [59, 82, 139],
        [33, 145, 140],
        [94, 201, 98],
        [253, 231, 37],
    ],
    dtype=np.float64,
)


def render_layout_png(
    path: Path,
    *,
    width_px: int = 800,
    height_px: int = 800,
    lef_files: Sequence[Path] = (),
    layer_properties: Path | None = None,
) -> bytes:
    """A PNG of the layout file ``path`` (GDS/OASIS, or DEF with ``lef_files``) fitted to size.

    ``layer_properties`` is a KLayout ``.lyp`` file giving layer colours. Raises InputFileError
    when KLayout cannot read the file.
    """
    import klayout.db as kdb
    import klayout.lay as klay

    view = klay.LayoutView()
    view.set_config("background-color", "#ffffff")
    view.set_config("grid-visible", "false")
    view.set_config("text-visible", "false")
    options = kdb.LoadLayoutOptions()
    if lef_files:
        lefdef = options.lefdef_config  # a copy: set it back below
        lefdef.lef_files = [str(lef) for lef in lef_files]
        lefdef.read_lef_with_def = False
        lefdef.macro_resolution_mode = 1  # draw the LEF abstracts (else cells stay empty ghosts)
        options.lefdef_config = lefdef
    try:
        view.load_layout(str(path), options, True)
    except RuntimeError as error:
        raise InputFileError(f"KLayout cannot read the layout: {error}", file=path) from None
    if layer_properties is not None and layer_properties.is_file():
        view.load_layer_props(str(layer_properties))
    view.max_hier()
    view.zoom_fit()
    pixels = view.get_pixels_with_options(width_px, height_px, 0, 0, 0.0, kdb.DBox())
    data: bytes = pixels.to_png_data()
    return data


def _ramp_color(fraction: float) -> str:
    position = min(max(fraction, 0.0), 1.0) * (len(_RAMP) - 1)
    low = math.floor(position)
    high = min(low + 1, len(_RAMP) - 1)
    mix = _RAMP[low] + (_RAMP[high] - _RAMP[low]) * (position - low)
    red, green, blue = (round(channel) for channel in mix)
    return f"#{red:02x}{green:02x}{blue:02x}"


def density_heat_map_svg(density: np.ndarray, *, cell_px: int = 12, max_value: float = 1.0) -> str:
    """Inline SVG of a placement density grid.

    ``density``: float64 (rows, columns), row 0 at the bottom of the core, values are cell area
    / bin area. Colours run from 0 to ``max(max_value, density.max())``; a legend shows the scale.
    """
    grid = np.asarray(density, dtype=np.float64)
    if grid.ndim != 2 or grid.size == 0:
        raise ValueError("density must be a non-empty 2-D array")
    rows, columns = grid.shape
    top = max(max_value, float(np.nanmax(grid)))
    width, height = columns * cell_px, rows * cell_px
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 70}" height="{height}" '
        f'viewBox="0 0 {width + 70} {height}" role="img" aria-label="placement density">'
    ]
    for row in range(rows):
        y = (rows - 1 - row) * cell_px  # row 0 at the bottom
        for column in range(columns):
            value = grid[row, column]
            color = _ramp_color(value / top if top > 0 else 0.0)
            parts.append(
                f'<rect x="{column * cell_px}" y="{y}" width="{cell_px}" height="{cell_px}" '
                f'fill="{color}"><title>{value:.3f}</title></rect>'
            )
    steps = 20
    for step in range(steps):
        fraction = 1 - step / (steps - 1)
        parts.append(
            f'<rect x="{width + 10}" y="{step * height / steps:.2f}" width="14" '
            f'height="{height / steps + 0.5:.2f}" fill="{_ramp_color(fraction)}"/>'
        )
    parts.append(f'<text x="{width + 28}" y="12" font-size="11">{top:.2f}</text>')
    parts.append(f'<text x="{width + 28}" y="{height - 2}" font-size="11">0</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_svg(
    values: np.ndarray,
    *,
    bins: int = 30,
    unit: str = "ps",
    title: str = "",
    width_px: int = 640,
    height_px: int = 240,
) -> str:
    """Inline SVG histogram of ``values`` (float64 (n,)); bars below zero are drawn red."""
    data = np.asarray(values, dtype=np.float64)
    data = data[np.isfinite(data)]
    if data.size == 0:
        raise ValueError("no finite values to draw")
    low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(data, bins=bins, range=(low, high))
    left, bottom = 50, 30
    plot_width, plot_height = width_px - left - 10, height_px - bottom - 20
    tallest = max(int(counts.max()), 1)
    bar = plot_width / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_px}" height="{height_px}" '
        f'viewBox="0 0 {width_px} {height_px}" role="img" aria-label="{html.escape(title)}">',
        f'<line x1="{left}" y1="{20 + plot_height}" x2="{left + plot_width}" '
        f'y2="{20 + plot_height}" stroke="#333"/>',
        f'<line x1="{left}" y1="20" x2="{left}" y2="{20 + plot_height}" stroke="#333"/>',
        f'<text x="{left - 6}" y="26" font-size="11" text-anchor="end">{tallest}</text>',
        f'<text x="{left - 6}" y="{20 + plot_height}" font-size="11" text-anchor="end">0</text>',
    ]
    for index, count in enumerate(counts):
        bar_height = plot_height * count / tallest
        color = "#d62728" if edges[index + 1] <= 0 else "#1f77b4"
        parts.append(
            f'<rect x="{left + index * bar:.2f}" y="{20 + plot_height - bar_height:.2f}" '
            f'width="{max(bar - 1, 1):.2f}" height="{bar_height:.2f}" fill="{color}">'
            f"<title>{edges[index]:.1f} .. {edges[index + 1]:.1f} {unit}: {count}</title></rect>"
        )
    for fraction in (0.0, 0.5, 1.0):
        value = low + (high - low) * fraction
        parts.append(
            f'<text x="{left + plot_width * fraction:.1f}" y="{height_px - 6}" font-size="11" '
            f'text-anchor="middle">{value:.1f} {html.escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
