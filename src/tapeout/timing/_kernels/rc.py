"""RC-tree reduction of one net: downstream caps, Elmore delays, and the π model (O'Brien–
Savarino) from the first three driving-point admittance moments."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def reduce_rc_tree(
    n_nodes: int,
    root: int,
    node_cap_ff: np.ndarray,
    res_node1: np.ndarray,
    res_node2: np.ndarray,
    res_ohm: np.ndarray,
) -> tuple[np.ndarray, float, float, float]:
    """Elmore delay (ps) of every node and the π model seen from ``root``.

    Args:
        node_cap_ff: float64 (n_nodes,) grounded capacitance at each node (wire + pin caps).
        res_node1, res_node2, res_ohm: the resistors (local node ids). Resistors closing a loop
            are ignored (the tree is the breadth-first spanning tree from ``root``).

    Returns:
        elmore_ps: float64 (n_nodes,) (NaN for nodes not reached), near_ff, resistance_ohm,
        far_ff: the π model (``resistance_ohm = 0`` when the net has no resistance).
    """
    n_res = res_ohm.shape[0]
    degree = np.zeros(n_nodes + 1, np.int64)
    for r in range(n_res):
        degree[res_node1[r] + 1] += 1
        degree[res_node2[r] + 1] += 1
    for i in range(n_nodes):
        degree[i + 1] += degree[i]
    adjacency = np.empty(2 * n_res, np.int64)
    fill = degree[:-1].copy()
    for r in range(n_res):
        adjacency[fill[res_node1[r]]] = r
        fill[res_node1[r]] += 1
        adjacency[fill[res_node2[r]]] = r
        fill[res_node2[r]] += 1
    parent = np.full(n_nodes, -1, np.int64)
    parent_res = np.zeros(n_nodes, np.float64)
    order = np.empty(n_nodes, np.int64)
    seen = np.zeros(n_nodes, np.bool_)
    head = 0
    tail = 1
    order[0] = root
    seen[root] = True
    while head < tail:
        node = order[head]
        head += 1
        for k in range(degree[node], degree[node + 1]):
            r = adjacency[k]
            other = res_node2[r] if res_node1[r] == node else res_node1[r]
            if not seen[other]:
                seen[other] = True
                parent[other] = node
                parent_res[other] = res_ohm[r]
                order[tail] = other
                tail += 1
    # Bottom-up: downstream capacitance and admittance moments y1, y2, y3.
    y1 = np.zeros(n_nodes)
    y2 = np.zeros(n_nodes)
    y3 = np.zeros(n_nodes)
    for i in range(n_nodes):
        if not seen[i]:
            # unreached node: lump its capacitance at the root
            y1[root] += node_cap_ff[i]
    for i in range(tail - 1, -1, -1):
        node = order[i]
        y1[node] += node_cap_ff[node]
        p = parent[node]
        if p >= 0:
            resistance = parent_res[node]
            a1, a2, a3 = y1[node], y2[node], y3[node]
            y1[p] += a1
            y2[p] += a2 - resistance * a1 * a1
            y3[p] += a3 - 2.0 * resistance * a1 * a2 + resistance * resistance * a1 * a1 * a1
    elmore = np.full(n_nodes, np.nan)
    elmore[root] = 0.0
    for i in range(1, tail):
        node = order[i]
        elmore[node] = elmore[parent[node]] + parent_res[node] * y1[node] * 1e-3
    total = y1[root]
    m2 = y2[root]
    m3 = y3[root]
    if m2 == 0.0 or m3 == 0.0:
        return elmore, total, 0.0, 0.0
    far = m2 * m2 / m3
    near = total - far
    resistance = -m3 * m3 / (m2 * m2 * m2)
    if not (far > 0.0 and near >= 0.0 and resistance > 0.0):
        return elmore, total, 0.0, 0.0
    return elmore, near, resistance, far
