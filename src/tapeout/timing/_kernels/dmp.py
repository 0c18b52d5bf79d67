"""Effective capacitance of a gate driving a π load (Dartu, Menezes, Pileggi, "Performance
computation for precharacterized CMOS gates with RC loads", IEEE TCAD 15(5), 1996).

The gate is a Thevenin source: a ramp starting at ``t0`` lasting ``dt`` behind a resistance
``rd``. Three equations fix ``t0``, ``dt`` and ``ceff``: the source driving ``ceff`` crosses the
low slew threshold and the delay threshold when the Liberty table (evaluated at ``ceff``) says,
and delivers the same charge as into the π load over the ramp. The gate delay is the table
delay at ``ceff``; the driver slew is measured on the source's response on the π load; each
load's delay and slew are measured on that response through one more pole (the Elmore delay).

Units: ps, fF, kΩ (kΩ × fF = ps). Thresholds are fractions of the supply (0.5, 0.2, 0.8).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from tapeout.timing._kernels.lookup import lookup_table

_PARAM_TOLERANCE = 0.01
_TIME_TOLERANCE = 0.01


@njit(cache=True, inline="always")
def _exp(x: float) -> float:
    return 0.0 if x < -50.0 else math.exp(x)


@njit(cache=True)
def _pi_poles(rd: float, near: float, rpi: float, far: float) -> tuple:
    """Poles and ramp-response residues of source (rd) -> π (near, rpi, far).

    Returns (p1, p2, b, c, d): unit-ramp response ``v0(t) = t + b + c e^{-p1 t} + d e^{-p2 t}``.
    """
    a = rd * near * rpi * far
    bb = rd * (near + far) + rpi * far
    root = math.sqrt(max(bb * bb - 4.0 * a, 0.0))
    p1 = (bb + root) / (2.0 * a)
    p2 = (bb - root) / (2.0 * a)
    tau_z = rpi * far
    b = tau_z - bb
    c = (1.0 - tau_z * p1) * p1 * p2 / (p1 * p1 * (p2 - p1))
    d = (1.0 - tau_z * p2) * p1 * p2 / (p2 * p2 * (p1 - p2))
    return p1, p2, b, c, d


@njit(cache=True, inline="always")
def _ramp_cap(t: float, tau: float) -> float:
    """Unit-ramp response of an RC (time constant tau) for t >= 0."""
    if t <= 0.0:
        return 0.0
    return t - tau * (1.0 - _exp(-t / tau))


@njit(cache=True, inline="always")
def _y_cap(t: float, t0: float, dt: float, tau: float) -> float:
    """Response to the 0->1 ramp from t0 lasting dt on a capacitor through rd (tau = rd*C)."""
    t1 = t - t0
    if t1 <= 0.0:
        return 0.0
    if t1 <= dt:
        return _ramp_cap(t1, tau) / dt
    return (_ramp_cap(t1, tau) - _ramp_cap(t1 - dt, tau)) / dt


@njit(cache=True, inline="always")
def _ramp_pi(t: float, p1: float, p2: float, b: float, c: float, d: float) -> float:
    if t <= 0.0:
        return 0.0
    return t + b + c * _exp(-p1 * t) + d * _exp(-p2 * t)


@njit(cache=True, inline="always")
def _ramp_load(t: float, p1: float, p2: float, p3: float, b: float, c: float, d: float) -> float:
    """Unit-ramp response at a load behind one more pole p3 (1 / Elmore delay)."""
    if t <= 0.0:
        return 0.0
    c3 = c * p3 / (p3 - p1)
    d3 = d * p3 / (p3 - p2)
    b3 = b - 1.0 / p3
    e3 = -(b3 + c3 + d3)
    return t + b3 + c3 * _exp(-p1 * t) + d3 * _exp(-p2 * t) + e3 * _exp(-p3 * t)


@njit(cache=True)
def _wave(t, t0, dt, p1, p2, p3, b, c, d) -> float:
    """Response to the source ramp: at the driver (p3 <= 0) or at a load (p3 > 0)."""
    t1 = t - t0
    if t1 <= 0.0:
        return 0.0
    if p3 > 0.0:
        if t1 <= dt:
            return _ramp_load(t1, p1, p2, p3, b, c, d) / dt
        return (_ramp_load(t1, p1, p2, p3, b, c, d) - _ramp_load(t1 - dt, p1, p2, p3, b, c, d)) / dt
    if t1 <= dt:
        return _ramp_pi(t1, p1, p2, b, c, d) / dt
    return (_ramp_pi(t1, p1, p2, b, c, d) - _ramp_pi(t1 - dt, p1, p2, b, c, d)) / dt


@njit(cache=True)
def _crossing(level, low, high, t0, dt, p1, p2, p3, b, c, d) -> float:
    """Time the (monotonic) response crosses ``level`` in [low, high]; NaN if it does not."""
    if _wave(high, t0, dt, p1, p2, p3, b, c, d) < level:
        return np.nan
    for _ in range(100):
        middle = 0.5 * (low + high)
        if _wave(middle, t0, dt, p1, p2, p3, b, c, d) < level:
            low = middle
        else:
            high = middle
        if high - low <= 1e-4 * max(abs(middle), 1.0):
            break
    return 0.5 * (low + high)


@njit(cache=True)
def _table_point(delay_table, slew_table, in_slew, cap, nx, ny, xo, yo, vo, axes, values):
    delay = lookup_table(delay_table, in_slew, cap, nx, ny, xo, yo, vo, axes, values)
    slew = 0.0
    if slew_table >= 0:
        slew = lookup_table(slew_table, in_slew, cap, nx, ny, xo, yo, vo, axes, values)
    return delay, slew


@njit(cache=True, inline="always")
def _cap_partials(t1: float, tau: float, rd: float) -> tuple:
    """Unit-ramp response on a capacitor and its derivatives in t and in C (t1 > 0)."""
    e = _exp(-t1 / tau)
    return t1 - tau * (1.0 - e), 1.0 - e, rd * ((1.0 + t1 / tau) * e - 1.0)


@njit(cache=True)
def _y_row(t, t0, dt, ceff, rd, row):
    """Partials of the capacitive ramp response at ``t`` in (t0, dt, ceff).

    As in the DMP reference implementation the crossing times are held fixed (their
    dependence on ``ceff`` through the table is left out), which shapes the Newton steps.
    """
    t1 = t - t0
    tau = rd * ceff
    if t1 <= 0.0:
        row[0] = 0.0
        row[1] = 0.0
        row[2] = 0.0
        return
    y1, dy1, dc1 = _cap_partials(t1, tau, rd)
    if t1 <= dt:
        row[0] = -dy1 / dt
        row[1] = -y1 / (dt * dt)
        row[2] = dc1 / dt
        return
    y2, dy2, dc2 = _cap_partials(t1 - dt, tau, rd)
    row[0] = -(dy1 - dy2) / dt
    row[1] = -(y1 + y2) / (dt * dt) + dy2 / dt
    row[2] = (dc1 - dc2) / dt


@njit(cache=True)
def _equations(
    x,
    rd,
    total,
    p1,
    p2,
    b,
    c,
    d,
    delay_table,
    slew_table,
    in_slew,
    vth,
    vl,
    vh,
    nx,
    ny,
    xo,
    yo,
    vo,
    axes,
    values,
    out,
    jacobian,
):
    """DMP residuals and Jacobian at x = (t0, dt, ceff); False when x leaves the valid region.

    Residuals: (low-threshold crossing, delay-threshold crossing, charge balance).
    """
    t0, dt, ceff = x[0], x[1], x[2]
    if ceff < 0.0 or ceff > total or dt <= 0.0:
        return False
    t_vth, slew = _table_point(
        delay_table, slew_table, in_slew, ceff, nx, ny, xo, yo, vo, axes, values
    )
    if slew <= 0.0:
        return False
    t_vl = t_vth - slew * (vth - vl) / (vh - vl)
    tau = rd * ceff
    out[0] = _y_cap(t_vl, t0, dt, tau) - vl
    out[1] = _y_cap(t_vth, t0, dt, tau) - vth
    window = slew / (vh - vl)
    if window > 1.4 * dt:
        window = 1.4 * dt
    charge_pi = -(
        b * window + c / p1 * (1.0 - _exp(-p1 * window)) + d / p2 * (1.0 - _exp(-p2 * window))
    )
    charge_ceff = tau * window - tau * tau * (1.0 - _exp(-window / tau))
    out[2] = (charge_pi - charge_ceff) / (rd * window * dt)
    _y_row(t_vl, t0, dt, ceff, rd, jacobian[0])
    _y_row(t_vth, t0, dt, ceff, rd, jacobian[1])
    e1 = _exp(-p1 * dt)
    e2 = _exp(-p2 * dt)
    ec = _exp(-dt / tau)
    # Charge-balance partials with the window taken as dt.
    jacobian[2, 0] = 0.0
    jacobian[2, 1] = (
        b * dt
        - c * dt * e1
        + (2.0 * c / p1) * (1.0 - e1)
        - d * dt * e2
        + (2.0 * d / p2) * (1.0 - e2)
        + tau * (dt + dt * ec - 2.0 * tau * (1.0 - ec))
    ) / (rd * dt * dt * dt)
    jacobian[2, 2] = (2.0 * tau - dt - (2.0 * tau + dt) * ec) / (dt * dt)
    return True


@njit(cache=True)
def _solve(
    x,
    rd,
    total,
    p1,
    p2,
    b,
    c,
    d,
    delay_table,
    slew_table,
    in_slew,
    vth,
    vl,
    vh,
    nx,
    ny,
    xo,
    yo,
    vo,
    axes,
    values,
) -> bool:
    """Newton-Raphson on the three DMP equations until every step is under 1 %."""
    f = np.zeros(3)
    jacobian = np.zeros((3, 3))
    for _ in range(100):
        if not _equations(
            x,
            rd,
            total,
            p1,
            p2,
            b,
            c,
            d,
            delay_table,
            slew_table,
            in_slew,
            vth,
            vl,
            vh,
            nx,
            ny,
            xo,
            yo,
            vo,
            axes,
            values,
            f,
            jacobian,
        ):
            return False
        if abs(np.linalg.det(jacobian)) < 1e-300:
            return False
        delta = np.linalg.solve(jacobian, -f)
        converged = True
        for i in range(3):
            if abs(delta[i]) > abs(x[i]) * _PARAM_TOLERANCE:
                converged = False
            x[i] += delta[i]
        if converged:
            return True
    return False


@njit(cache=True)
def dmp_gate(
    delay_table,
    slew_table,
    in_slew,
    near,
    rpi,
    far,
    vth,
    vl,
    vh,
    nx,
    ny,
    xo,
    yo,
    vo,
    axes,
    values,
    state,
):
    """Gate delay and driver slew (ps) into a π load; fills ``state`` for ``dmp_load``.

    ``state``: float64 (6,) written as (valid, t0, dt, rd, vo_delay, driver_slew).
    """
    total = near + far
    state[0] = 0.0
    delay, slew = _table_point(
        delay_table, slew_table, in_slew, total, nx, ny, xo, yo, vo, axes, values
    )
    state[5] = slew
    if slew_table < 0:
        return delay, slew
    d_plus, _ = _table_point(
        delay_table, slew_table, in_slew, total + 1.0, nx, ny, xo, yo, vo, axes, values
    )
    rd = -math.log(vth) * abs(d_plus - delay) / 1.0
    if rd < 1e-5 or rpi < rd * 1e-3 or far <= 0.0 or far < near * 1e-3 or rpi <= 0.0:
        return delay, slew
    if near < far * 1e-3:
        near = far * 1e-3  # nearly no near capacitance: keep the two-pole form well defined
    p1, p2, b, c, d = _pi_poles(rd, near, rpi, far)
    x = np.empty(3)
    solved = False
    for start in (total, near):
        t_vth, table_slew = _table_point(
            delay_table, slew_table, in_slew, start, nx, ny, xo, yo, vo, axes, values
        )
        dt = table_slew / (vh - vl)
        x[0] = t_vth + math.log(1.0 - vth) * rd * start - vth * dt
        x[1] = dt
        x[2] = start
        if _solve(
            x,
            rd,
            total,
            p1,
            p2,
            b,
            c,
            d,
            delay_table,
            slew_table,
            in_slew,
            vth,
            vl,
            vh,
            nx,
            ny,
            xo,
            yo,
            vo,
            axes,
            values,
        ):
            solved = True
            break
    if not solved:
        return delay, slew
    ceff = min(x[2], total)
    t0, dt = x[0], x[1]
    delay, table_slew = _table_point(
        delay_table, slew_table, in_slew, ceff, nx, ny, xo, yo, vo, axes, values
    )
    upper = t0 + dt + total * (rd + rpi) * 2.0
    t_mid = _crossing(vth, t0, upper, t0, dt, p1, p2, 0.0, b, c, d)
    t_low = _crossing(vl, t0, upper, t0, dt, p1, p2, 0.0, b, c, d)
    t_high = _crossing(vh, t0, upper, t0, dt, p1, p2, 0.0, b, c, d)
    if np.isnan(t_mid) or np.isnan(t_low) or np.isnan(t_high):
        state[5] = table_slew
        return delay, table_slew
    slew = t_high - t_low
    state[0] = 1.0
    state[1] = t0
    state[2] = dt
    state[3] = rd
    state[4] = t_mid
    state[5] = slew
    return delay, slew


@njit(cache=True)
def dmp_load(elmore, near, rpi, far, vth, vl, vh, state):
    """Wire delay and load slew (ps) at a load with Elmore delay ``elmore`` (ps)."""
    driver_slew = state[5]
    if state[0] == 0.0 or elmore <= 0.0 or elmore < driver_slew * 1e-3:
        return elmore, driver_slew
    t0, dt, rd, vo_delay = state[1], state[2], state[3], state[4]
    if near < far * 1e-3:
        near = far * 1e-3
    p1, p2, b, c, d = _pi_poles(rd, near, rpi, far)
    p3 = 1.0 / elmore
    if abs(p3 - p1) < 1e-12 * p1 or abs(p3 - p2) < 1e-12 * p2:
        p3 *= 1.0 + 1e-6
    upper = t0 + dt + (near + far) * (rd + rpi) * 2.0 + 2.0 * elmore
    t_mid = _crossing(vth, t0, upper, t0, dt, p1, p2, p3, b, c, d)
    t_low = _crossing(vl, t0, upper, t0, dt, p1, p2, p3, b, c, d)
    t_high = _crossing(vh, t0, upper, t0, dt, p1, p2, p3, b, c, d)
    if np.isnan(t_mid) or np.isnan(t_low) or np.isnan(t_high):
        return elmore, driver_slew
    delay = t_mid - vo_delay
    slew = t_high - t_low
    if delay < 0.0:
        delay = elmore
    if slew < driver_slew:
        slew = driver_slew
    return delay, slew
