"""Finding a platform's files: PDK-root sources tried in order, and the check that files exist.

A *source* answers "where do the files of platform ``name`` live?". Today there is one kind, a
PDK root directory laid out as ``<root>/<name>/{lef,lib,gds,klayout,cdl}/...``; the roots are
tried in order (explicit argument, ``$TAPEOUT_PDK_ROOT``, the development copy ``../shared/pdks``
beside the repository). The "builtin" source (``platforms/builtin.py``: PyPI files plus our own
Liberty) is appended last, and is the only source for the root name ``builtin``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tapeout.errors import PlatformError

PDK_ROOT_ENV = "TAPEOUT_PDK_ROOT"
_FIX_HINT = f"pass --pdk-root DIR or set {PDK_ROOT_ENV}=DIR (DIR holds <platform>/lef, lib, gds)"


class PlatformSource(Protocol):
    """Somewhere a platform's files may be found."""

    @property
    def label(self) -> str:
        """For messages: ``$TAPEOUT_PDK_ROOT = /opt/pdks``."""
        ...

    @property
    def kind(self) -> str:
        """Recorded in ``Platform.source``: "pdk_root" (later "builtin")."""
        ...

    def locate(self, name: str) -> Path | None:
        """Directory of platform ``name`` under this source, or None when it has none."""
        ...


@dataclass(frozen=True)
class PdkRootSource:
    """A directory holding one sub-directory per platform."""

    root: Path
    label: str
    kind: str = "pdk_root"

    def locate(self, name: str) -> Path | None:
        directory = self.root / name
        return directory if directory.is_dir() else None


def development_pdk_root() -> Path:
    """``../shared/pdks`` next to the repository this package is installed from (editable)."""
    repository = Path(__file__).resolve().parents[3]
    return repository.parent / "shared" / "pdks"


def default_sources(pdk_root: Path | None) -> list[PlatformSource]:
    """The sources to try, in order.

    An explicit ``pdk_root`` (or ``$TAPEOUT_PDK_ROOT``) is the only source when given: a user who
    names a root must not silently get files from somewhere else. A missing explicit root is an
    error right away.
    """
    from tapeout.platforms.builtin import BuiltinSource, is_builtin_root

    if pdk_root is not None:
        if is_builtin_root(pdk_root):
            return [BuiltinSource()]
        return [_explicit_root(Path(pdk_root), "pdk_root argument")]
    environment = os.environ.get(PDK_ROOT_ENV)
    if environment:
        if is_builtin_root(environment):
            return [BuiltinSource()]
        return [_explicit_root(Path(environment), f"${PDK_ROOT_ENV}")]
    sources: list[PlatformSource] = []
    development = development_pdk_root()
    if development.is_dir():
        sources.append(PdkRootSource(development, f"development copy {development}"))
    sources.append(BuiltinSource())  # last: PyPI files + our Liberty (sky130hd only)
    return sources


def _explicit_root(root: Path, origin: str) -> PdkRootSource:
    if not root.is_dir():
        raise PlatformError(
            f"PDK root {root} (from {origin}) does not exist or is not a directory",
            file=root,
            hint=_FIX_HINT,
        )
    return PdkRootSource(root.resolve(), f"{origin} = {root}")


def locate_platform(name: str, sources: Sequence[PlatformSource]) -> tuple[Path, PlatformSource]:
    """First source holding platform ``name``: its directory and the source itself."""
    for source in sources:
        directory = source.locate(name)
        if directory is not None:
            return directory, source
    if not [source for source in sources if source.kind != "builtin"]:
        raise PlatformError(
            f"no PDK root found for platform {name!r}: no pdk_root given, {PDK_ROOT_ENV} unset, "
            f"and no development copy at {development_pdk_root()}",
            hint=_FIX_HINT,
        )
    looked = "; ".join(f"{source.label} (no {name}/ inside)" for source in sources)
    raise PlatformError(f"platform {name!r} not found: looked in {looked}", hint=_FIX_HINT)


def require_file(directory: Path, relative: str, *, platform: str) -> Path:
    """``directory / relative`` when it is a file, else a PlatformError naming it."""
    path = directory / relative
    if not path.is_file():
        raise PlatformError(
            f"platform {platform!r}: missing file {relative} under {directory}",
            file=path,
            hint=f"complete the PDK copy, or point {PDK_ROOT_ENV} at a complete one",
        )
    return path
