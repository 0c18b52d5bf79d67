"""Topological levels of the timing graph (Kahn's algorithm over arc arrays)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def levelize(
    n_pins: int, arc_from: np.ndarray, arc_to: np.ndarray, enabled: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Level of every pin (longest arc count from a source) and pins in level order.

    Args:
        arc_from, arc_to: int64 (n_arcs,) arc end pins. enabled: bool (n_arcs,) arcs to use.

    Returns:
        level: int64 (n_pins,), -1 for pins on a cycle; order: int64 (n_ordered,) pins sorted
        by level; the number of pins left unordered (on or behind a cycle).
    """
    n_arcs = arc_from.shape[0]
    in_degree = np.zeros(n_pins, np.int64)
    out_count = np.zeros(n_pins + 1, np.int64)
    for a in range(n_arcs):
        if enabled[a]:
            in_degree[arc_to[a]] += 1
            out_count[arc_from[a] + 1] += 1
    for p in range(n_pins):
        out_count[p + 1] += out_count[p]
    out_arcs = np.empty(out_count[n_pins], np.int64)
    fill = out_count[:-1].copy()
    for a in range(n_arcs):
        if enabled[a]:
            out_arcs[fill[arc_from[a]]] = a
            fill[arc_from[a]] += 1
    level = np.full(n_pins, -1, np.int64)
    queue = np.empty(n_pins, np.int64)
    head = 0
    tail = 0
    for p in range(n_pins):
        if in_degree[p] == 0:
            queue[tail] = p
            tail += 1
            level[p] = 0
    while head < tail:
        p = queue[head]
        head += 1
        for k in range(out_count[p], out_count[p + 1]):
            q = arc_to[out_arcs[k]]
            if level[p] + 1 > level[q]:
                level[q] = level[p] + 1
            in_degree[q] -= 1
            if in_degree[q] == 0:
                queue[tail] = q
                tail += 1
    n_left = n_pins - tail
    for p in range(n_pins):
        if in_degree[p] > 0:
            level[p] = -1
    ordered = queue[:tail]
    order = ordered[np.argsort(level[ordered], kind="mergesort")]
    return level, order, n_left
