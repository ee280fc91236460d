"""Every solver construction: HiGHS (through highspy's public API) by default, CBC (PuLP's own classes) as fallback.

The model is built with PuLP; HiGHS is driven directly. :func:`highs_model` turns the problem into a
``highspy.HighsLp`` using only PuLP's public API (``variables()``, ``constraints``, ``objective``, ``sense``,
variable bounds and categories), :func:`solve` runs it and writes the column values back with the public
``LpVariable.varValue``. Columns follow ``prob.variables()`` (sorted by name), rows the order the constraints were
added, so the same model always reaches HiGHS in the same order.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import highspy
import numpy as np
import pulp
import scipy.sparse as sp

from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.implied_rows import implied_covering_rows
from healthplan.optimizer.progress import WATCH_PERIOD_S, relative_gap
from healthplan.optimizer.status import PULP_CODES, Status, from_highs, from_pulp

RANDOM_SEED = 20240601  # fixed so the same inputs give the same plan
FEASIBILITY_TOL = 1e-7  # HiGHS's mip_feasibility_tolerance (its default is 1e-6)
# HiGHS's root reduced-cost heuristic (a sub-MIP on the columns the root's reduced costs leave free) is off: the
# 3-year demo's coverage stage 3.7–4.2 → 2.5–2.7 s, the 20,000 × 1,500 province's one-year plan 40.1 → 29.0 s,
# the 2,000 × 300 set cover 8.2 → 4.9 s; the generated 2,500- and 5,000-village 3-year plans stop at 180 s
# either way (gaps 12.0 % and 3.15 % without it, 179 % and 2.59 % with it). HiGHS before 1.11 has no such option.
OPTIONAL_OPTIONS: dict[str, object] = {"mip_heuristic_run_root_reduced_cost": False}
READBACK_RTOL = 1e-6  # relative agreement between HiGHS's objective and the one its column values give
# a HiGHS run still going this long after its time limit is stuck (README, "Solver settings"): its last
# improving plan is taken without it
GUARD_GRACE_MIN_S = 30.0
GUARD_GRACE_SHARE = 0.1
# A coverage maximisation's relaxation (rows y_g ≤ Σ x_j, most tight at an optimum) is highly degenerate: HiGHS's
# dual simplex crawls through it (the 20,000 × 1,500 MCLP: 46,471 iterations, 38 s for the first LP of a 45 s
# solve), while interior point with crossover takes 6 s (benchmarks/spopt_anchor.py). MCLPs of 3,034–11,934 rows
# and 33,000–153,000 nonzeros solved 1.35–7.4× faster. Where the first LP is quick anyway, the other starting basis
# only sends the search elsewhere: the generated 600-village 3-year plan (1,710 rows, 25,227 nonzeros) took
# 11.7 s instead of 1.2 s for its coverage stage, so small models keep simplex; so do minimisations (least cost,
# set covering), where simplex was as fast or faster. HiGHS uses the method for its first LP only; the nodes
# start from that LP's basis with simplex.
ROOT_IPM_MIN_NONZEROS = 25_000
ROOT_IPM_MIN_ROWS = 2_500

# PuLP (status, sol_status) → Status, kept under its old name for callers and tests.
map_status = from_pulp


@dataclass(frozen=True)
class StageResult:
    """One solve: status, objective, proven bound, relative gap and seconds."""

    status: Status
    solver: str
    objective: float
    bound: float
    gap: float
    seconds: float
    message: str = ""
    bounded: bool = False  # a tie-break stage stopped at its own share of the time, not at the run's limit


@dataclass(frozen=True)
class HighsModel:
    """A PuLP problem as HiGHS sees it: the ``HighsLp``, its columns in order, and how to read it back.

    ``sign`` is −1 for a maximisation (HiGHS is handed min −f, as PuLP's own interface did) and +1 otherwise;
    ``cost`` is HiGHS's column cost vector (sign applied), ``constant`` the objective's constant term, which
    HiGHS never sees (so its relative gap is the gap of the variable part, as before).
    """

    lp: highspy.HighsLp
    columns: list[pulp.LpVariable]
    cost: np.ndarray
    sign: float
    constant: float


_BANNER = threading.Lock()
_banner_shown = False


def _swallow_banner() -> None:
    """Construct the process's first HiGHS object with stdout closed: HiGHS prints its banner then, once."""
    global _banner_shown  # noqa: PLW0603 (one flag per process, like HiGHS's own)
    with _BANNER:
        if _banner_shown:
            return
        _banner_shown = True
        try:
            sys.stdout.flush()
            saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        except (OSError, ValueError):  # no file descriptor 1 (embedded interpreters): let the banner through
            return
        try:
            os.dup2(null, 1)
            highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(null)
            os.close(saved)


def constraints_of(prob: pulp.LpProblem) -> list[pulp.LpConstraint]:
    """The problem's constraints in the order they were added.

    PuLP ≥ 3.3 spells this ``prob.constraints()`` (a list; the dict view is deprecated for PuLP 4); before, the
    public ``prob.constraints`` is an ordered dict name → constraint.
    """
    rows = prob.constraints
    return rows() if callable(rows) else list(rows.values())


def highs_model(prob: pulp.LpProblem) -> HighsModel:
    """The HiGHS model of ``prob``, built row-wise in one pass from PuLP's public API.

    Columns are ``prob.variables()`` (sorted by name), rows are :func:`constraints_of` in order; zero
    coefficients are dropped, as PuLP's own interface drops them.
    """
    inf = highspy.kHighsInf
    columns = prob.variables()
    n = len(columns)
    sign = -1.0 if prob.sense == pulp.LpMaximize else 1.0
    objective = prob.objective if prob.objective is not None else pulp.LpAffineExpression()
    lower = np.array([-inf if v.lowBound is None else v.lowBound for v in columns], dtype=float)
    upper = np.array([inf if v.upBound is None else v.upBound for v in columns], dtype=float)
    integer = np.array([v.cat in (pulp.LpInteger, pulp.LpBinary) for v in columns], dtype=bool)
    # Variables are found by identity: id() of each term's variable, looked up among the columns' ids with one
    # vectorised search (a per-term Python dict lookup doubles the build time of a province model).
    col_ids = np.fromiter(map(id, columns), dtype=np.int64, count=n)
    by_id = np.argsort(col_ids)
    sorted_ids = col_ids[by_id]

    def positions(ids: np.ndarray) -> np.ndarray:
        k = np.minimum(np.searchsorted(sorted_ids, ids), max(n - 1, 0))
        if len(ids) and (n == 0 or not np.array_equal(sorted_ids[k], ids)):
            raise ValueError("a term's variable is not among prob.variables()")
        return by_id[k]

    cost = np.zeros(n)
    cost[positions(np.fromiter(map(id, objective.keys()), dtype=np.int64))] = list(objective.values())
    cost *= sign
    term_ids, coefs, lengths, row_lo, row_up = [], [], [], [], []
    for con in constraints_of(prob):
        term_ids.extend(map(id, con.keys()))
        coefs.extend(con.values())
        lengths.append(len(con))
        rhs = -con.constant  # PuLP keeps the right-hand side as a constant on the left
        row_lo.append(rhs if con.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ) else -inf)
        row_up.append(rhs if con.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ) else inf)
    value = np.array(coefs, dtype=float)
    index = positions(np.array(term_ids, dtype=np.int64))
    row_of = np.repeat(np.arange(len(lengths)), lengths)
    keep = value != 0
    index, value, row_of = index[keep], value[keep], row_of[keep]
    starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of, minlength=len(lengths)), out=starts[1:])
    rows = sp.csr_matrix((value, index, starts), shape=(len(lengths), n))
    lp = rowwise_lp(cost, lower, upper, rows, np.array(row_lo, dtype=float), np.array(row_up, dtype=float))
    if integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
                           for b in integer]
    return HighsModel(lp, columns, cost, sign, float(objective.constant))


def rowwise_lp(cost: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray, rows: sp.csr_matrix,
                row_lower: np.ndarray, row_upper: np.ndarray) -> highspy.HighsLp:
    """A ``HighsLp`` with the matrix ``rows`` (row-wise, as built) and these bounds; integrality left unset."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = rows.shape[1], rows.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, col_lower, col_upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = rows.shape[1], rows.shape[0]
    lp.a_matrix_.start_ = rows.indptr.astype(np.int32)
    lp.a_matrix_.index_ = rows.indices.astype(np.int32)
    lp.a_matrix_.value_ = rows.data
    return lp


def lp_rows(lp: highspy.HighsLp) -> sp.csr_matrix:
    """The constraint matrix of a ``HighsLp`` built by :func:`rowwise_lp` (row-wise), as a CSR matrix."""
    a = lp.a_matrix_
    return sp.csr_matrix((np.asarray(a.value_, dtype=float), np.asarray(a.index_, dtype=np.int64),
                          np.asarray(a.start_, dtype=np.int64)), shape=(lp.num_row_, lp.num_col_))


def without_implied_rows(model: HighsModel) -> tuple[HighsModel, int]:
    """``model`` without the covering rows other rows imply (:mod:`optimizer.implied_rows`), and how many went.

    The columns stay as they are, so a start and the solution need no mapping."""
    lp = model.lp
    if lp.num_row_ == 0:
        return model, 0
    a = lp_rows(lp)
    lower, upper = np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float)
    col_lower, col_upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    drop = implied_covering_rows(a, lower, upper, col_lower, col_upper)
    if not drop.any():
        return model, 0
    out = rowwise_lp(np.asarray(lp.col_cost_, dtype=float), col_lower, col_upper, a[~drop], lower[~drop],
                      upper[~drop])
    out.integrality_ = lp.integrality_
    return replace(model, lp=out), int(drop.sum())


def new_highs(cfg: SolverConfig, time_limit_s: float, abs_gap: float | None = None,
              extra: Mapping[str, object] | None = None) -> highspy.Highs:
    """A configured HiGHS: one thread unless asked, the fixed seed, no log unless ``cfg.msg``.

    ``abs_gap`` sets HiGHS's absolute MIP gap (objective units) when a stage knows how close is close enough;
    ``extra`` are further HiGHS options of one solve (e.g. heuristics off for a MILP expected to have no plan),
    set like :data:`OPTIONAL_OPTIONS`: where this HiGHS has them.
    """
    if not cfg.msg:
        _swallow_banner()
    h = highspy.Highs()
    options: dict[str, object] = {
        "output_flag": bool(cfg.msg),
        "time_limit": float(time_limit_s),
        "mip_rel_gap": float(cfg.gap),
        "threads": int(cfg.threads or 1),
        "random_seed": RANDOM_SEED % 2**31,
        "mip_feasibility_tolerance": FEASIBILITY_TOL,
    }
    if abs_gap is not None:
        options["mip_abs_gap"] = float(abs_gap)
    for name, val in options.items():
        if h.setOptionValue(name, val) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS refused option {name}={val!r}")
    # heuristics' switches appeared in HiGHS 1.11 (the floor is 1.10): kError from a HiGHS without one leaves
    # its default; a solve's own ``extra`` wins over the defaults
    for name, val in {**OPTIONAL_OPTIONS, **(extra or {})}.items():
        h.setOptionValue(name, val)
    return h


def root_lp_method(cfg: SolverConfig, model: HighsModel) -> str:
    """HiGHS's ``mip_lp_solver`` for ``model``: ``ipx`` or ``simplex`` (``cfg.root_lp``; ``auto``: ipx for a
    maximisation of at least ROOT_IPM_MIN_NONZEROS nonzeros and ROOT_IPM_MIN_ROWS rows)."""
    if cfg.root_lp != "auto":
        return "ipx" if cfg.root_lp == "ipm" else "simplex"
    return "ipx" if slow_first_lp(model.lp) and model.sign < 0 else "simplex"


def slow_first_lp(lp: highspy.HighsLp) -> bool:
    """Whether ``lp`` is large enough (ROOT_IPM_MIN_ROWS rows, ROOT_IPM_MIN_NONZEROS nonzeros) that a degenerate
    relaxation of it is worth interior point."""
    return len(lp.a_matrix_.value_) >= ROOT_IPM_MIN_NONZEROS and lp.num_row_ >= ROOT_IPM_MIN_ROWS


def run_highs(h: highspy.Highs) -> None:
    """``h.run()``, once more after resetting HiGHS's thread scheduler if the first run was refused."""
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kNotset:
        # HiGHS keeps one thread scheduler per process: if another solve (e.g. spopt, or a parent process
        # before a fork) started it with a different thread count, our `threads` option is refused. Reset it.
        highspy.Highs.resetGlobalScheduler(True)
        h.run()


def run_guarded(h: highspy.Highs, time_limit_s: float, lp: highspy.HighsLp, grace_s: float | None = None,
                watch: Callable[[float, float], None] | None = None) -> dict[str, object] | None:
    """:func:`run_highs` in a thread of its own, waited for at most ``time_limit_s`` + ``grace_s`` (default
    :func:`guard_grace_s`).

    ``None`` when HiGHS returned (read it as usual). Otherwise HiGHS is stuck past its limit (HiGHS 1.16 can stay
    in the presolve of nested RENS sub-MIPs for good; README, "Solver settings"): it is left running in its
    daemon thread, never touched again, and the last improving solution it reported is returned (keys ``x``,
    the column values; ``bound``, its dual bound in HiGHS's own sense; empty when it reported none). HiGHS
    releases the GIL while it solves, so the wait is not blocked, and Ctrl-C reaches it (the solve goes on in
    its daemon thread until the process ends). ``lp`` is the model ``h`` was given: a reported plan whose values
    do not give the objective HiGHS reports with it is not kept.

    ``watch``, when given, is called from the waiting thread about every :data:`~optimizer.progress.WATCH_PERIOD_S`
    while HiGHS runs, with its best objective and dual bound as HiGHS last reported them in its own sense (a
    minimisation; ±inf while unknown, as in presolve or an LP), read by its MIP interrupt callback.
    """
    best: dict[str, object] = {}
    cost, offset = np.asarray(lp.col_cost_, dtype=float), float(lp.offset_)

    def keep(e) -> None:  # noqa: ANN001 - highspy's callback event
        sol = e.data_out.mip_solution
        # highspy before 1.11 hands a pointer wrapper that only knows its values given their number
        x = np.array(sol.to_array(len(cost)) if hasattr(sol, "to_array") else sol, dtype=float)
        reported = float(e.data_out.objective_function_value)
        if len(x) != len(cost) or abs(float(cost @ x) + offset - reported) > READBACK_RTOL * max(1.0, abs(reported)):
            return  # values that are not the plan HiGHS reports (highspy 1.10 can hand a stale vector)
        # one assignment, so the waiting thread never reads a plan with another plan's bound
        best["plan"] = (x, float(e.data_out.mip_dual_bound))

    def seen(e) -> None:  # noqa: ANN001 - highspy's callback event; one assignment, read by the waiting thread
        best["now"] = (float(e.data_out.mip_primal_bound), float(e.data_out.mip_dual_bound))

    h.cbMipImprovingSolution.subscribe(keep)
    if watch is not None:
        h.cbMipInterrupt.subscribe(seen)
    worker = threading.Thread(target=run_highs, args=(h,), name="highs", daemon=True)
    t0 = time.perf_counter()
    worker.start()
    deadline = t0 + time_limit_s + (guard_grace_s(time_limit_s) if grace_s is None else grace_s)
    if watch is None:
        worker.join(max(deadline - time.perf_counter(), 0.0))
    else:
        while worker.is_alive() and (left := deadline - time.perf_counter()) > 0:
            worker.join(min(WATCH_PERIOD_S, left))
            if worker.is_alive():
                # nothing reported yet (presolve, a root LP, an LP): the caller's clock still moves
                watch(*best.get("now", (np.inf, -np.inf)))  # type: ignore[misc]
    if worker.is_alive():
        plan = best.get("plan")
        return {} if plan is None else {"x": plan[0], "bound": plan[1]}
    h.cbMipImprovingSolution.unsubscribe(keep)
    if watch is not None:
        h.cbMipInterrupt.unsubscribe(seen)
    return None


def guard_grace_s(time_limit_s: float) -> float:
    """Seconds a HiGHS run may go past its time limit before its plan is taken without it (it normally stops
    within a second or two of the limit; a run of minutes may finish the node it is in)."""
    return max(GUARD_GRACE_MIN_S, GUARD_GRACE_SHARE * time_limit_s)


def _set_start(h: highspy.Highs, model: HighsModel, start: dict[str, float]) -> None:
    """Hand HiGHS a (partial) start: the values of the named columns; HiGHS completes the rest."""
    cols = [(i, float(start[v.name])) for i, v in enumerate(model.columns) if v.name in start]
    if cols:
        idx = np.array([c[0] for c in cols], dtype=np.int32)
        val = np.array([c[1] for c in cols], dtype=float)
        h.setSolution(len(cols), idx, val)


def _prepared(prob: pulp.LpProblem, cfg: SolverConfig, time_limit_s: float, start: dict[str, float] | None,
              abs_gap: float | None, extra: Mapping[str, object] | None) -> tuple[HighsModel, highspy.Highs]:
    """A configured HiGHS holding ``prob`` as it is now (implied covering rows dropped) and its start."""
    model, _ = without_implied_rows(highs_model(prob))
    h = new_highs(cfg, time_limit_s, abs_gap, extra)
    h.setOptionValue("mip_lp_solver", root_lp_method(cfg, model))
    h.passModel(model.lp)
    if start:
        _set_start(h, model, start)
    return model, h


def solve_in_background(prob: pulp.LpProblem, cfg: SolverConfig, time_limit_s: float,
                        abs_gap: float | None = None, highs_options: Mapping[str, object] | None = None
                        ) -> Callable[[], tuple[StageResult, dict[str, float]]]:
    """Start one HiGHS solve of ``prob`` in a thread of its own (HiGHS releases the GIL) and return a function
    that waits for it (at most its time limit and the guard's grace) and returns its result and, when it has a
    plan, the plan's values by variable name (else an empty dict).

    The model is read here, so later edits to ``prob`` or its variables do not reach the solve, and the solution
    is never written into the variables. Two such solves of one thread each run side by side with the results
    they have one after the other (each its own ``Highs``; ``tests/test_held_shortfall.py``).
    """
    if cfg.name != "highs":
        raise ValueError("a background solve needs HiGHS")
    t0 = time.perf_counter()
    limit = max(time_limit_s, 0.01)
    model, h = _prepared(prob, cfg, limit, None, abs_gap, highs_options)
    box: dict[str, object] = {"done": t0}

    def go() -> None:
        box["stuck"] = run_guarded(h, limit, model.lp)
        box["done"] = time.perf_counter()

    worker = threading.Thread(target=go, name="highs-background", daemon=True)
    worker.start()

    def result() -> tuple[StageResult, dict[str, float]]:
        worker.join()
        stuck = box.get("stuck")
        secs = float(box["done"]) - t0  # its own seconds, not the caller's wait
        if isinstance(stuck, dict):
            status, x, bound, msg = _stuck_outcome(model, stuck, secs, limit)
            gap = np.nan
        else:
            status, x, bound, gap, msg, _ = _outcome(h, model)
        if x is None:
            return StageResult(status, "highs", np.nan, np.nan, np.nan, secs, msg), {}
        obj = model.sign * float(model.cost @ x) + model.constant
        if isinstance(stuck, dict) and np.isfinite(bound):
            gap = relative_gap(obj, bound)
        elif not np.isfinite(bound) and status == Status.OPTIMAL:  # an LP: the optimum is its own bound
            bound = obj
        values = {v.name: val for v, val in zip(model.columns, x.tolist(), strict=True)}
        return _finish(StageResult(status, "highs", obj, bound, gap, secs, msg)), values

    return result


def _solve_highs(prob: pulp.LpProblem, cfg: SolverConfig, time_limit_s: float,
                 start: dict[str, float] | None, abs_gap: float | None = None,
                 extra: Mapping[str, object] | None = None,
                 watch: Callable[[float, float], None] | None = None) -> StageResult:
    """One HiGHS run on ``prob``; values written back to the variables when there is a plan."""
    t0 = time.perf_counter()
    model, h = _prepared(prob, cfg, time_limit_s, start, abs_gap, extra)
    report = None
    if watch is not None:
        def report(primal: float, dual: float) -> None:
            # HiGHS minimises sign × f: back to the model's own sense (±inf, not known yet, becomes NaN)
            watch(*(model.sign * v + model.constant if np.isfinite(v) else np.nan for v in (primal, dual)))

    stuck = run_guarded(h, time_limit_s, model.lp, watch=report)
    if stuck is not None:
        return _abandoned(prob, model, stuck, time.perf_counter() - t0, time_limit_s)
    status, x, bound, gap, msg, reported = _outcome(h, model)
    secs = time.perf_counter() - t0
    if x is not None:
        if start and abs(float(model.cost @ x) - reported) > READBACK_RTOL * max(1.0, abs(reported)):
            # HiGHS 1.16 can hand back the start vector instead of its incumbent after a warm start (seen when
            # presolve settles the model): the values then disagree with HiGHS's own objective. Solve again cold.
            again = _solve_highs(prob, cfg, max(time_limit_s - secs, 0.01), None, abs_gap, extra, watch)
            return replace(again, seconds=again.seconds + secs)
        _write_values(model, x)
    prob.assignStatus(*PULP_CODES.get(status, PULP_CODES[Status.ERROR]))
    if x is None:
        return StageResult(status, "highs", np.nan, np.nan, np.nan, secs, msg)
    obj = float(pulp.value(prob.objective) or 0.0) if prob.objective is not None else 0.0
    if not np.isfinite(bound) and status == Status.OPTIMAL:  # an LP (no MIP search): the optimum is its own bound
        bound, gap = obj, 0.0
    return _finish(StageResult(status, "highs", obj, bound, gap, secs, msg))


def _outcome(h: highspy.Highs, model: HighsModel) -> tuple[Status, np.ndarray | None, float, float, str, float]:
    """What a HiGHS run that returned gives: status, the column values (``None`` without a plan), its dual bound
    and gap in the model's own sense (NaN without a MIP bound), its message and the objective HiGHS reports."""
    info = h.getInfo()
    model_status = h.getModelStatus()
    has_incumbent = int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)
    status = from_highs(model_status.name, has_incumbent)
    solution = h.getSolution()
    x = np.asarray(solution.col_value, dtype=float)
    if status.has_plan and model.columns and not (solution.value_valid and len(x) == len(model.columns)):
        status = Status.ERROR  # HiGHS claims a solution but hands back no column values
    bound, gap = np.nan, np.nan
    if status.has_plan and int(info.mip_node_count) >= 0 and np.isfinite(info.mip_dual_bound):
        # HiGHS was handed −f for a maximisation, so its dual bound changes sign on the way back
        bound = float(info.mip_dual_bound) * model.sign + model.constant
        gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else np.nan
    msg = f"HiGHS: {h.modelStatusToString(model_status)}"
    return status, (x if status.has_plan else None), bound, gap, msg, float(info.objective_function_value)


def _write_values(model: HighsModel, x: np.ndarray) -> None:
    """HiGHS's column values into the PuLP variables (``varValue``), in the model's column order."""
    for v, val in zip(model.columns, x.tolist(), strict=True):
        v.varValue = val


def _stuck_outcome(model: HighsModel, best: dict[str, object], secs: float, time_limit_s: float
                   ) -> tuple[Status, np.ndarray | None, float, str]:
    """What a HiGHS run that did not return (:func:`run_guarded`) leaves: TIME_LIMIT with the last improving
    plan it reported (its values and dual bound, the model's sense), or ERROR without a plan; and the message."""
    status = from_highs("kTimeLimit", "x" in best)
    msg = (f"HiGHS: did not return {secs - time_limit_s:.0f} s after its time limit of {time_limit_s:.0f} s "
           "(HiGHS 1.16 can stay in the presolve of nested sub-MIPs); left running in the background")
    if "x" not in best:
        return status, None, np.nan, msg + ", no plan reported before"
    bound = float(best["bound"]) * model.sign + model.constant
    return status, np.asarray(best["x"], dtype=float), bound, msg + "; its last improving plan is kept"


def _abandoned(prob: pulp.LpProblem, model: HighsModel, best: dict[str, object], secs: float,
               time_limit_s: float) -> StageResult:
    """:func:`_stuck_outcome` with its plan written to the variables."""
    status, x, bound, msg = _stuck_outcome(model, best, secs, time_limit_s)
    prob.assignStatus(*PULP_CODES.get(status, PULP_CODES[Status.ERROR]))
    if x is None:
        return StageResult(status, "highs", np.nan, np.nan, np.nan, secs, msg)
    _write_values(model, x)
    obj = float(pulp.value(prob.objective) or 0.0) if prob.objective is not None else 0.0
    gap = relative_gap(obj, bound) if np.isfinite(bound) else np.nan
    return _finish(StageResult(status, "highs", obj, bound, gap, secs, msg))


def cbc_solver(cfg: SolverConfig, time_limit_s: float, warm_start: bool = False,
               abs_gap: float | None = None) -> pulp.LpSolver:
    """CBC through PuLP's public solver classes: a system ``cbc`` if there is one, else PuLP's bundled CBC."""
    kw = {"gapAbs": abs_gap} if abs_gap is not None else {}
    kw |= {"msg": cfg.msg, "timeLimit": time_limit_s, "gapRel": cfg.gap, "threads": cfg.threads or 1,
          "warmStart": warm_start, "options": [f"randomSeed {RANDOM_SEED % 2**31}"]}
    coin = pulp.COIN_CMD(**kw)
    if coin.available():  # a system CBC: PuLP 4's way
        return coin
    with warnings.catch_warnings():  # PuLP 3.3 deprecates its bundled CBC; still the fallback we ship
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**kw)


def _solve_cbc(prob: pulp.LpProblem, cfg: SolverConfig, time_limit_s: float,
               start: dict[str, float] | None, abs_gap: float | None = None) -> StageResult:
    """One CBC run through PuLP (``prob.solve``); CBC reports no bound to PuLP, so only OPTIMAL gets one."""
    if start:
        for v in prob.variables():
            if v.name in start:
                v.setInitialValue(start[v.name])
    solver = cbc_solver(cfg, time_limit_s, warm_start=bool(start), abs_gap=abs_gap)
    t0 = time.perf_counter()
    try:
        prob.solve(solver)
    except pulp.PulpSolverError as exc:
        return StageResult(Status.ERROR, "cbc", np.nan, np.nan, np.nan, time.perf_counter() - t0, str(exc))
    secs = time.perf_counter() - t0
    status = from_pulp(prob.status, prob.sol_status)
    obj = pulp.value(prob.objective) if status.has_plan else np.nan
    obj = float(obj) if obj is not None else 0.0
    bound, gap = (obj, 0.0) if status == Status.OPTIMAL else (np.nan, np.nan)
    return _finish(StageResult(status, "cbc", obj, bound, gap, secs))


def _finish(res: StageResult) -> StageResult:
    """An OPTIMAL stage has gap 0 when the solver gave none; a TIME_LIMIT one without a bound has gap ∞."""
    if res.status == Status.OPTIMAL and not np.isfinite(res.gap):
        return replace(res, gap=0.0)
    if res.status == Status.TIME_LIMIT and not np.isfinite(res.gap):
        return replace(res, gap=float("inf"))  # stopped without a proven bound: unknown, never hidden as 0
    return res


def solve(prob: pulp.LpProblem, cfg: SolverConfig, time_limit_s: float,
          start: dict[str, float] | None = None, abs_gap: float | None = None,
          highs_options: Mapping[str, object] | None = None,
          watch: Callable[[float, float], None] | None = None) -> StageResult:
    """Solve ``prob`` once; read status, objective, bound and gap (bound/gap NaN where the solver gives none).

    Parameters
    ----------
    prob
        The PuLP problem; its variables receive the solution (``varValue``) when there is a plan, and its
        ``status``/``sol_status`` are set with ``assignStatus``.
    cfg
        Solver name (``highs`` or ``cbc``), relative gap, threads and log flag.
    time_limit_s
        Seconds this solve may take (at least 0.01).
    start
        Optional warm start: variable name → value (a partial start is completed by the solver).
    abs_gap
        Optional absolute MIP gap (objective units; the solver's default otherwise), e.g. a folded stage's
        :attr:`optimizer.fold.Fold.abs_gap`.
    highs_options
        Optional further HiGHS options of this solve (CBC ignores them).
    watch
        Optional: called about once a second while HiGHS runs with its best objective and bound so far in the
        problem's own sense (NaN while unknown). CBC reports nothing while it runs.
    """
    limit = max(time_limit_s, 0.01)
    if cfg.name == "highs":
        return _solve_highs(prob, cfg, limit, start, abs_gap, highs_options, watch)
    return _solve_cbc(prob, cfg, limit, start, abs_gap)
