"""Improving a stage's start by re-solving a few nearby sites at a time (a large-neighbourhood search).

A maximising stage of a large phased model can stop at its time limit still holding the previous stage's plan: on
the generated 20,000-village 3-year plan HiGHS spends the coverage stage on its root (interior point, cuts) and
finds nothing better than the least-shortfall plan, which places its units with no regard to coverage.

Given a feasible plan x⁰ of the stage's model, a *window* frees the decisions of a few nearby sites (every family,
every year) and every column that is not a site's decision and shares a row with them (covering, shortfall and
MEXCLP variables); all other columns keep their value. The sub-model is the rows that touch a free column, with the
fixed columns' part moved into the row bounds. Any plan of it, with the fixed columns, is a plan of the whole
model, and the plan in hand is a plan of it (its start): the stage's objective can only improve, and the budget
rows, the held shortfall and every standard hold as they did. Windows come from two partitions of the sites into
cells of at most :data:`WINDOW_SITES` sites (recursive halving at the median, along x first, then along y first), so
a unit can move across the boundary of one partition inside the other's cells.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import pulp
import scipy.sparse as sp

from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.progress import WATCH_PERIOD_S
from healthplan.optimizer.solve import highs_model, lp_rows, new_highs, rowwise_lp, run_guarded

# Measured on the generated 20,000-village 3-year plan, 30 s of search each (2026-11-29): 24 sites 8.83 M weighted
# persons (72 windows), without RENS/RINS 8.97 M, also without presolve 9.09 M (96 windows); so with 48 sites
# 9.16 M (30 windows), but in a whole 180 s run 9.50 M against 9.22–9.92 M with 24 (runs vary by ±4 %); 96 sites
# 8.83 M (windows stop at their limit). A window is small: HiGHS's heuristics and presolve cost more than they
# find in it.
WINDOW_SITES = 24  # sites per window (a cell of the partitions)
WINDOW_LIMIT_S = 5.0  # at most this many seconds per window
# seconds a window's HiGHS may run past its limit before it counts as stuck (it normally stops within a
# second; the stage solves' longer grace would hold the search for half a minute)
WINDOW_GRACE_S = 2.0
WINDOW_GAP = 1e-4  # relative gap of a window's solve: a window is small, so nearly exact
WINDOW_OPTIONS: dict[str, object] = {"mip_heuristic_run_rens": False, "mip_heuristic_run_rins": False,
                                     "presolve": "off"}  # further HiGHS options of a window's solve
FEASIBILITY = 1e-6  # a plan whose rows or bounds are off by more than this (+ 10⁻⁹ of the activity) is refused


@dataclass(frozen=True)
class Improvement:
    """What the search did: windows solved, of which improved, the objective before and after (the stage's
    sense), seconds, and passes over the windows (a pass after the first solves only the windows that see a
    value changed since they were last solved)."""

    windows: int
    improved: int
    before: float
    after: float
    seconds: float
    passes: int = 1

    def note(self) -> str:
        """One clause for the stage's message."""
        return (f"; the previous stage's plan improved by re-solving {self.windows} windows of nearby sites "
                f"in {self.passes} pass{'es' if self.passes != 1 else ''} ({self.improved} better): "
                f"{self.before:,.1f} → {self.after:,.1f} in {self.seconds:.1f} s")


def site_windows(xy: np.ndarray, size: int = WINDOW_SITES) -> list[np.ndarray]:
    """Cells of at most ``size`` sites (indices into ``xy``, metres), from two recursive median halvings: one
    splitting along x first, one along y first (then alternating). Sites without coordinates are windows of
    ``size`` in index order."""
    n = len(xy)
    ok = np.isfinite(xy).all(axis=1) if n else np.zeros(0, dtype=bool)
    out: list[np.ndarray] = []
    for axis0 in (0, 1):
        stack = [(np.flatnonzero(ok), axis0)]
        cells: list[np.ndarray] = []
        while stack:
            idx, axis = stack.pop()
            if len(idx) <= size:
                if len(idx):
                    cells.append(idx)
                continue
            order = idx[np.argsort(xy[idx, axis], kind="stable")]
            half = len(order) // 2
            stack += [(order[half:], 1 - axis), (order[:half], 1 - axis)]
        out += cells
    rest = np.flatnonzero(~ok)
    out += [rest[i:i + size] for i in range(0, len(rest), size)]
    return out


def improve_start(prob: pulp.LpProblem, start: dict[str, float], site_of: dict[str, int], xy: np.ndarray,
                  solver: SolverConfig, seconds: float, window_sites: int = WINDOW_SITES,
                  watch: Callable[[float], None] | None = None) -> tuple[dict[str, float], Improvement | None]:
    """``start`` improved window by window (cells of at most ``window_sites`` sites) for ``prob``'s objective
    (as set now) within ``seconds``.

    ``site_of`` maps each site decision's variable name to its site (index into ``xy``). Returns the start
    unchanged and ``None`` when it is not a complete feasible plan of ``prob``. ``watch``, when given, is called
    with the plan's objective (the problem's own sense) after a window, at most about once a second.
    """
    t0 = time.perf_counter()
    model = highs_model(prob)
    lp = model.lp
    n = len(model.columns)
    names = [v.name for v in model.columns]
    if n == 0 or any(name not in start or start[name] is None for name in names):
        return start, None
    a = lp_rows(lp)
    by_col = a.tocsc()
    row_lo, row_up = np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float)
    col_lo, col_up = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    cost = np.asarray(lp.col_cost_, dtype=float)  # HiGHS minimises: a maximisation's costs carry −1
    integer = np.array([v.cat in (pulp.LpInteger, pulp.LpBinary) for v in model.columns], dtype=bool)
    x = np.array([float(start[name]) for name in names])
    x[integer] = np.round(x[integer])
    if not feasible(a, x, row_lo, row_up, col_lo, col_up):
        return start, None
    site = np.array([site_of.get(name, -1) for name in names], dtype=np.int64)
    decision = site >= 0
    before = float(cost @ x)
    windows = improved = passes = 0
    reported = t0
    cfg = solver.model_copy(update={"gap": WINDOW_GAP, "msg": False})
    cells = site_windows(xy, window_sites)
    # A window is solved again in a later pass only when a value it sees (its own columns and every column of
    # its rows) changed since it was last solved: otherwise its subproblem, and so its answer, is the same.
    solved_at: dict[int, int] = {}  # window → the solve count when it was last solved
    changed_at = np.full(n, -1, dtype=np.int64)  # column → the solve count when its value last changed
    done = False
    while not done:
        passes += 1
        better_before = improved
        for w, cell in enumerate(cells):
            left = seconds - (time.perf_counter() - t0)
            if left <= 0.05:
                done = True
                break
            window = _window(decision & np.isin(site, cell), decision, a, by_col)
            if window is None:
                continue
            cols, rows, part = window
            if w in solved_at and changed_at[part.indices].max(initial=-1) <= solved_at[w]:
                continue
            y, stuck = _solve_window(x, cols, rows, part, cost, col_lo, col_up, row_lo, row_up, integer, cfg,
                                     min(WINDOW_LIMIT_S, left))
            windows += 1
            solved_at[w] = windows
            if y is not None:
                trial = x.copy()
                trial[cols] = y
                if float(cost @ trial) < float(cost @ x) - 1e-9 * max(1.0, abs(float(cost @ x))) and feasible(
                        part, trial, row_lo[rows], row_up[rows], col_lo, col_up):
                    changed_at[cols[trial[cols] != x[cols]]] = windows
                    x = trial
                    improved += 1
            if stuck:  # its HiGHS still runs in its thread and keeps a core busy: the search ends
                done = True
                break
            if watch is not None and time.perf_counter() - reported >= WATCH_PERIOD_S:
                reported = time.perf_counter()
                watch(model.sign * float(cost @ x) + model.constant)
        if improved == better_before:  # a whole pass without a better plan: every window is at its best
            done = True
    after = float(cost @ x)
    out = {**start, **dict(zip(names, x.tolist(), strict=True))}
    sign = model.sign
    return out, Improvement(windows, improved, sign * before + model.constant, sign * after + model.constant,
                            time.perf_counter() - t0, passes)


def _window(core: np.ndarray, decision: np.ndarray, a: sp.csr_matrix, by_col: sp.csc_matrix
            ) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix] | None:
    """The free columns of a window (``core``: its sites' decisions, and every other column that is not a site
    decision and shares a row with them), the rows those columns appear in, and those rows of ``a``; ``None``
    for a window without decisions."""
    if not core.any():
        return None
    touched = np.unique(by_col[:, np.flatnonzero(core)].indices)
    hop = np.zeros(len(core), dtype=bool)
    hop[a[touched].indices] = True
    cols = np.flatnonzero(core | (hop & ~decision))
    rows = np.unique(by_col[:, cols].indices)
    return cols, rows, a[rows]


def _solve_window(x: np.ndarray, cols: np.ndarray, rows: np.ndarray, part: sp.csr_matrix, cost: np.ndarray,
                  col_lo: np.ndarray, col_up: np.ndarray, row_lo: np.ndarray, row_up: np.ndarray,
                  integer: np.ndarray, cfg: SolverConfig, limit: float) -> tuple[np.ndarray | None, bool]:
    """HiGHS on the window (``cols`` free, every other column fixed at ``x``), started from ``x``: the free
    columns' new values (integers rounded; ``None`` when it has none) and whether HiGHS was still running
    :data:`WINDOW_GRACE_S` past ``limit`` (then left in its thread, its last reported plan taken;
    ``solve.run_guarded``)."""
    free = np.zeros(len(x), dtype=bool)
    free[cols] = True
    moved = part @ np.where(free, 0.0, x)
    sub_lp = rowwise_lp(cost[cols], col_lo[cols], col_up[cols], part[:, cols].tocsr(), row_lo[rows] - moved,
                        row_up[rows] - moved)
    sub_lp.integrality_ = [highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
                           for b in integer[cols]]
    h = new_highs(cfg, limit, None, WINDOW_OPTIONS)
    h.passModel(sub_lp)
    h.setSolution(len(cols), np.arange(len(cols), dtype=np.int32), x[cols])
    stuck = run_guarded(h, limit, sub_lp, WINDOW_GRACE_S)
    if stuck is not None:
        y = stuck.get("x")
    else:
        sol = h.getSolution()
        y = sol.col_value if sol.value_valid else None
    if y is None or len(y) != len(cols):
        return None, stuck is not None
    y = np.asarray(y, dtype=float)
    y[integer[cols]] = np.round(y[integer[cols]])
    return y, stuck is not None


def feasible(a: sp.csr_matrix, x: np.ndarray, row_lo: np.ndarray, row_up: np.ndarray, col_lo: np.ndarray,
              col_up: np.ndarray) -> bool:
    """Whether ``x`` keeps the rows ``a`` and the column bounds within :data:`FEASIBILITY`, absolute (plus 10⁻⁹
    of a row's activity for rounding in long sums: a budget row of 200,000万元 may be off by 0.0002万元, not by
    the 0.2万元 a relative tolerance would allow)."""
    ax = a @ x
    tol = FEASIBILITY + 1e-9 * np.abs(ax)
    rows_ok = bool(np.all(ax >= row_lo - tol) and np.all(ax <= row_up + tol))
    cols_ok = bool(np.all(x >= col_lo - FEASIBILITY) and np.all(x <= col_up + FEASIBILITY))
    return rows_ok and cols_ok
