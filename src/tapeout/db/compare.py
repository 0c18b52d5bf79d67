"""Deep comparison of database objects (dataclasses of numpy arrays), for round-trip tests."""

from __future__ import annotations

import dataclasses
import enum
import math
from typing import Any

import numpy as np

from tapeout.db.names import NameTable


def differences(
    a: Any, b: Any, *, path: str = "", rel_tol: float = 0.0, limit: int = 20
) -> list[str]:
    """Human-readable differences between ``a`` and ``b`` (empty list when equal).

    Walks dataclasses, dicts, lists/tuples, NameTables and numpy arrays. Floats compare with
    relative tolerance ``rel_tol`` (0 = exact); NaN equals NaN. Stops after ``limit`` findings.
    Fields whose name starts with ``_`` are caches and are skipped.
    """
    found: list[str] = []
    _walk(a, b, path or "<root>", rel_tol, found, limit)
    return found


def _walk(a: Any, b: Any, path: str, rel_tol: float, found: list[str], limit: int) -> None:
    if len(found) >= limit:
        return
    if type(a) is not type(b) and not (_is_number(a) and _is_number(b)):
        found.append(f"{path}: type {type(a).__name__} != {type(b).__name__}")
        return
    if isinstance(a, np.ndarray):
        if a.shape != b.shape:
            found.append(f"{path}: shape {a.shape} != {b.shape}")
        elif a.dtype.kind == "f" or b.dtype.kind == "f":
            if not np.allclose(a, b, rtol=rel_tol, atol=0.0, equal_nan=True):
                bad = np.flatnonzero(~np.isclose(a, b, rtol=rel_tol, atol=0.0, equal_nan=True))
                at = np.unravel_index(bad[0], a.shape)
                found.append(f"{path}{list(at)}: {a[at]!r} != {b[at]!r} ({bad.size} differ)")
        elif a.dtype.kind == "O":
            for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
                _walk(x, y, f"{path}[{i}]", rel_tol, found, limit)
        elif not np.array_equal(a, b):
            bad = np.flatnonzero(a != b)
            at = np.unravel_index(bad[0], a.shape)
            found.append(f"{path}{list(at)}: {a[at]!r} != {b[at]!r} ({bad.size} differ)")
        return
    if isinstance(a, NameTable):
        _walk(a.names, b.names, path, rel_tol, found, limit)
        return
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        for f in dataclasses.fields(a):
            if f.name.startswith("_"):
                continue
            _walk(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}", rel_tol, found, limit)
        return
    if isinstance(a, dict):
        if list(a.keys()) != list(b.keys()):
            missing = [k for k in a if k not in b][:3]
            extra = [k for k in b if k not in a][:3]
            if missing or extra:
                found.append(f"{path}: keys only in first {missing}, only in second {extra}")
                return
        for key in a:
            _walk(a[key], b[key], f"{path}[{key!r}]", rel_tol, found, limit)
        return
    if isinstance(a, list | tuple):
        if len(a) != len(b):
            found.append(f"{path}: length {len(a)} != {len(b)}")
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(x, y, f"{path}[{i}]", rel_tol, found, limit)
        return
    if isinstance(a, enum.Enum):
        if a != b:
            found.append(f"{path}: {a!r} != {b!r}")
        return
    if isinstance(a, float) or isinstance(b, float):
        if not (
            (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rel_tol, abs_tol=0.0)
        ):
            found.append(f"{path}: {a!r} != {b!r}")
        return
    if a != b:
        found.append(f"{path}: {a!r} != {b!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
