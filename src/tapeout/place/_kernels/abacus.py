"""Abacus row legalization (Spindler et al., ISPD 2008) as a numba kernel on flat arrays.

Cells, sorted by their wanted x, go one by one into the free row segment where their own move
is smallest; inside a segment, cells form clusters placed at the mean of their members' wanted
positions (snapped to sites), merging with the cluster on their left while they overlap.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True)
def _snap(x, origin, site, low, high):  # pragma: no cover - numba
    snapped = origin + math.floor((x - origin) / site + 0.5) * site
    if snapped < low:
        snapped = low
    if snapped > high:
        snapped = high
    return snapped


@numba.njit(cache=True)
def abacus(
    order,
    want_x,
    want_y,
    width,
    segment_row,
    segment_low,
    segment_high,
    row_y,
    row_site_origin,
    row_site_width,
    row_segment_indptr,
    rows_by_y,
    out_x,
    out_y,
):  # pragma: no cover - numba
    """Legalize cells ``order`` (sorted by wanted x) into segments; returns number not placed.

    Args:
        order: int64 (n,) cells to place, by increasing wanted x.
        want_x, want_y, width: float64 (n_cells,) wanted lower-left corner and width.
        segment_row, segment_low, segment_high: free intervals (int64 row, float64 x range),
            sorted by row; row_segment_indptr: int64 (n_rows+1,) segments of each row.
        row_y, row_site_origin, row_site_width: float64 (n_rows,).
        rows_by_y: int64 (n_rows,) row indices sorted by y.
        out_x, out_y: float64 (n_cells,) results for the cells in ``order``.
    """
    n_segments = segment_low.shape[0]
    n_rows = row_y.shape[0]
    n = order.shape[0]
    used = np.zeros(n_segments)
    top = np.full(n_segments, -1, dtype=np.int64)
    # Clusters: at most one per cell.
    cluster_x = np.zeros(n)
    cluster_e = np.zeros(n)
    cluster_q = np.zeros(n)
    cluster_w = np.zeros(n)
    cluster_prev = np.full(n, -1, dtype=np.int64)
    cluster_first = np.full(n, -1, dtype=np.int64)
    cluster_last = np.full(n, -1, dtype=np.int64)
    cell_next = np.full(n, -1, dtype=np.int64)
    cell_segment = np.full(n, -1, dtype=np.int64)
    n_clusters = 0
    sorted_y = np.empty(n_rows)
    for k in range(n_rows):
        sorted_y[k] = row_y[rows_by_y[k]]
    failed = 0
    for k in range(n):
        cell = order[k]
        x_i = want_x[cell]
        y_i = want_y[cell]
        w_i = width[cell]
        best_cost = np.inf
        best_segment = -1
        # Nearest row by y, then outwards while the vertical move alone can still win.
        start = np.searchsorted(sorted_y, y_i)
        for direction in range(2):
            r = start if direction == 0 else start - 1
            while 0 <= r < n_rows:
                row = rows_by_y[r]
                dy = row_y[row] - y_i
                if dy * dy >= best_cost:
                    break
                for s in range(row_segment_indptr[row], row_segment_indptr[row + 1]):
                    if used[s] + w_i > segment_high[s] - segment_low[s] + 1e-9:
                        continue
                    e = w_i
                    q = w_i * x_i
                    w = w_i
                    c = top[s]
                    origin = row_site_origin[row]
                    site = row_site_width[row]
                    while True:
                        x = _snap(q / e, origin, site, segment_low[s], segment_high[s] - w)
                        if c != -1 and cluster_x[c] + cluster_w[c] > x + 1e-9:
                            q = cluster_q[c] + q - e * cluster_w[c]
                            e = cluster_e[c] + e
                            w = cluster_w[c] + w
                            c = cluster_prev[c]
                        else:
                            break
                    dx = x + w - w_i - x_i
                    cost = dx * dx + dy * dy
                    if cost < best_cost:
                        best_cost = cost
                        best_segment = s
                r = r + 1 if direction == 0 else r - 1
        if best_segment < 0:
            failed += 1
            continue
        s = best_segment
        row = segment_row[s]
        origin = row_site_origin[row]
        site = row_site_width[row]
        used[s] += w_i
        cell_segment[k] = s
        # New cluster of the one cell, then collapse leftwards.
        c = n_clusters
        n_clusters += 1
        cluster_e[c] = w_i
        cluster_q[c] = w_i * x_i
        cluster_w[c] = w_i
        cluster_first[c] = k
        cluster_last[c] = k
        cluster_prev[c] = top[s]
        while True:
            cluster_x[c] = _snap(
                cluster_q[c] / cluster_e[c],
                origin,
                site,
                segment_low[s],
                segment_high[s] - cluster_w[c],
            )
            p = cluster_prev[c]
            if p != -1 and cluster_x[p] + cluster_w[p] > cluster_x[c] + 1e-9:
                cluster_q[p] = cluster_q[p] + cluster_q[c] - cluster_e[c] * cluster_w[p]
                cluster_e[p] += cluster_e[c]
                cluster_w[p] += cluster_w[c]
                cell_next[cluster_last[p]] = cluster_first[c]
                cluster_last[p] = cluster_last[c]
                c = p
            else:
                break
        top[s] = c
    # Positions: walk every segment's clusters.
    for s in range(n_segments):
        c = top[s]
        row = segment_row[s]
        while c != -1:
            x = cluster_x[c]
            member = cluster_first[c]
            while member != -1:
                cell = order[member]
                out_x[cell] = x
                out_y[cell] = row_y[row]
                x += width[cell]
                if member == cluster_last[c]:
                    break
                member = cell_next[member]
            c = cluster_prev[c]
    return failed
