"""Shared test fixtures: locating ../shared data (fail under CI, skip elsewhere)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TAPEOUT_SHARED", REPO.parent / "shared"))
DATA = Path(__file__).resolve().parent / "data"


def shared_path(relative: str) -> Path:
    """Path of ``relative`` under ../shared; fails under CI and skips elsewhere when missing."""
    path = SHARED / relative
    if not path.exists():
        message = f"shared data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def shared() -> type:
    """The ``shared_path`` function as a fixture: ``shared("pdks/sky130hd/lib/...")``."""
    return shared_path  # type: ignore[return-value]
