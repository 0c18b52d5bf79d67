"""PDK descriptions (site, layers, tie/fill/tap cells, RC, power grid) and locating their files.

``get_platform("sky130hd")`` finds the files under a PDK root (argument, ``$TAPEOUT_PDK_ROOT``,
or the development copy ``../shared/pdks``) and returns a frozen ``Platform``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tapeout.errors import PlatformError
from tapeout.platforms import builtin, ihp_sg13g2, nangate45, sky130hd
from tapeout.platforms.base import LayerRC, Platform, PowerGridRecipe
from tapeout.platforms.resolve import PDK_ROOT_ENV, default_sources, locate_platform

# name -> builder taking the platform's directory (``<root>/<name>``).
_BUILDERS: dict[str, Callable[..., Platform]] = {
    sky130hd.NAME: sky130hd.make_platform,
    nangate45.NAME: nangate45.make_platform,
    ihp_sg13g2.NAME: ihp_sg13g2.make_platform,
}


def list_platforms() -> tuple[str, ...]:
    """Names ``get_platform`` accepts, sorted."""
    return tuple(sorted(_BUILDERS))


def get_platform(name: str, *, pdk_root: Path | None = None) -> Platform:
    """The Platform ``name`` with absolute paths to its files.

    Raises PlatformError for an unknown name (listing the known ones), a missing PDK root, or a
    missing file (naming it and how to fix it).
    """
    builder = _BUILDERS.get(name)
    if builder is None:
        raise PlatformError(
            f"unknown platform {name!r}; known platforms: {', '.join(list_platforms())}"
        )
    directory, source = locate_platform(name, default_sources(pdk_root))
    if source.kind == "builtin":
        return builtin.make_platform(name, directory)
    return builder(directory, source=source.kind)


__all__ = [
    "PDK_ROOT_ENV",
    "LayerRC",
    "Platform",
    "PlatformError",
    "PowerGridRecipe",
    "get_platform",
    "list_platforms",
]
