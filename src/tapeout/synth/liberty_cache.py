"""Plain-text copies of (gzipped) Liberty files for Yosys and ABC, cached by content hash."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

from tapeout.errors import InputFileError
from tapeout.fileio import atomic_write

CACHE_ENV = "TAPEOUT_CACHE"


def cache_directory() -> Path:
    """``$TAPEOUT_CACHE`` or ``~/.cache/tapeout``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "tapeout"


def plain_liberty(path: Path) -> Path:
    """A path Yosys and ABC can read: ``path`` itself, or its decompressed copy in the cache.

    Yosys's ``read_liberty`` and ABC's ``read_lib`` do not read gzip; the copy is keyed by the
    SHA-256 of the compressed bytes, so a changed file gets a fresh copy and a rerun reuses it.
    """
    path = Path(path)
    if path.suffix != ".gz":
        if not path.is_file():
            raise InputFileError("Liberty file not found", file=path)
        return path
    try:
        compressed = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read Liberty file: {error}", file=path) from None
    digest = hashlib.sha256(compressed).hexdigest()[:16]
    target = cache_directory() / "liberty" / digest / path.name.removesuffix(".gz")
    if target.is_file():
        return target
    try:
        text = gzip.decompress(compressed)
    except (OSError, EOFError) as error:
        raise InputFileError(f"cannot decompress Liberty file: {error}", file=path) from None
    with atomic_write(target, "wb") as handle:
        handle.write(text)
    return target
