"""Every PuLP solver construction: HiGHS (highspy) by default, CBC as fallback; status, bound and gap read back."""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from dataclasses import dataclass

import highspy
import numpy as np
import pulp

from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.status import Status

RANDOM_SEED = 20240601  # fixed so the same inputs give the same plan


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


def map_status(status: int, sol_status: int) -> Status:
    """PuLP (status, sol_status) → Status. An integer-feasible incumbent (sol_status 2) is TIME_LIMIT, never OPTIMAL."""
    if status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal:
        return Status.OPTIMAL
    if sol_status == pulp.LpSolutionIntegerFeasible:
        return Status.TIME_LIMIT
    if status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        return Status.INFEASIBLE
    if status == pulp.LpStatusUnbounded or sol_status == pulp.LpSolutionUnbounded:
        return Status.UNBOUNDED
    return Status.ERROR


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


class _HiGHS(pulp.HiGHS):
    """PuLP's highspy interface plus a start solution (column values by variable name) before ``run``."""

    def __init__(self, start: dict[str, float] | None = None, **kw: object):
        super().__init__(**kw)
        self.start = start or {}

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        if not self.msg:
            _swallow_banner()
        super().createAndConfigureSolver(lp)

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        """Pass the whole model to HiGHS at once (row-wise arrays) instead of one addCol/addRow call per item.

        Same result as PuLP's own builder (columns in ``lp.variables()`` order, rows in insertion order, a
        maximisation handed over as min −f), several times faster on large models.
        """
        inf = highspy.kHighsInf
        variables = lp.variables()
        for i, v in enumerate(variables):
            v.index = i
        mult = -1.0 if lp.sense == pulp.LpMaximize else 1.0
        obj = lp.objective
        cost = np.array([obj.get(v, 0.0) for v in variables], dtype=float) * mult
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], dtype=float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in variables], dtype=float)
        integer = np.array([v.cat == pulp.LpInteger and self.mip for v in variables], dtype=bool)
        starts, index, value, row_lo, row_up = [0], [], [], [], []
        for i, con in enumerate(lp._constraints.values()):
            con.index = i
            for v, c in con.items():
                if c != 0:
                    index.append(v.index)
                    value.append(c)
            starts.append(len(index))
            lo, up = con.getLb(), con.getUb()
            row_lo.append(-inf if lo is None else lo)
            row_up.append(inf if up is None else up)
        model = highspy.HighsLp()
        model.num_col_ = len(variables)
        model.num_row_ = len(row_lo)
        model.col_cost_ = cost
        model.col_lower_ = lower
        model.col_upper_ = upper
        model.row_lower_ = np.array(row_lo, dtype=float)
        model.row_upper_ = np.array(row_up, dtype=float)
        model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        model.a_matrix_.num_col_ = len(variables)
        model.a_matrix_.num_row_ = len(row_lo)
        model.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        model.a_matrix_.index_ = np.array(index, dtype=np.int32)
        model.a_matrix_.value_ = np.array(value, dtype=float)
        if integer.any():
            model.integrality_ = [highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
                                  for b in integer]
        lp.solverModel.passModel(model)

    def callSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        if self.start:
            cols = [(v.index, self.start[v.name]) for v in lp.variables() if v.name in self.start]
            if cols:
                idx = np.array([c[0] for c in cols], dtype=np.int32)
                val = np.array([c[1] for c in cols], dtype=float)
                lp.solverModel.setSolution(len(cols), idx, val)
        h = lp.solverModel
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kNotset:
            # HiGHS keeps one thread scheduler per process: if another solve (e.g. spopt) started it with a
            # different thread count, our `threads` option is refused. Reset it and run again.
            highspy.Highs.resetGlobalScheduler(True)
            h.run()


def make_solver(cfg: SolverConfig, time_limit_s: float, start: dict[str, float] | None = None) -> pulp.LpSolver:
    """The configured solver: HiGHS with one thread and a fixed seed by default, or CBC (``name: cbc``)."""
    threads = cfg.threads or 1
    if cfg.name == "highs":
        return _HiGHS(start=start, msg=cfg.msg, timeLimit=time_limit_s, gapRel=cfg.gap, threads=threads,
                      random_seed=RANDOM_SEED % 2**31, mip_feasibility_tolerance=1e-7)
    kw = {"msg": cfg.msg, "timeLimit": time_limit_s, "gapRel": cfg.gap, "threads": threads,
          "warmStart": bool(start), "options": [f"randomSeed {RANDOM_SEED % 2**31}"]}
    coin = pulp.COIN_CMD(**kw)
    if coin.available():  # a system CBC: PuLP 4's way
        return coin
    with warnings.catch_warnings():  # PuLP 3.3 deprecates its bundled CBC; still the fallback we ship
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**kw)


def _readback_ok(prob: pulp.LpProblem) -> bool:
    """True when the variable values PuLP read back reproduce HiGHS's reported objective (within 1e-6 rel.)."""
    h = getattr(prob, "solverModel", None)
    if h is None or prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return True
    reported = float(h.getInfo().objective_function_value) * (-1.0 if prob.sense == pulp.LpMaximize else 1.0)
    got = pulp.value(prob.objective)
    got = 0.0 if got is None else float(got) - float(prob.objective.constant)
    return abs(got - reported) <= 1e-6 * max(1.0, abs(reported))


def solve(prob: pulp.LpProblem, cfg: SolverConfig, time_limit_s: float,
          start: dict[str, float] | None = None) -> StageResult:
    """Solve ``prob`` once; read status, objective, bound and gap (bound/gap NaN where the solver gives none)."""
    if start and cfg.name == "cbc":
        for v in prob.variables():
            if v.name in start:
                v.setInitialValue(start[v.name])
    solver = make_solver(cfg, max(time_limit_s, 0.01), start)
    t0 = time.perf_counter()
    try:
        prob.solve(solver)
    except pulp.PulpSolverError as exc:
        return StageResult(Status.ERROR, cfg.name, np.nan, np.nan, np.nan, time.perf_counter() - t0, str(exc))
    secs = time.perf_counter() - t0
    if start and cfg.name == "highs" and not _readback_ok(prob):
        # HiGHS 1.16 can hand back the start vector instead of its incumbent after a warm start (seen when
        # presolve settles the model): the values then disagree with HiGHS's own objective. Solve again cold.
        return solve(prob, cfg, time_limit_s - secs, None)
    status = map_status(prob.status, prob.sol_status)
    obj = pulp.value(prob.objective) if status.has_plan else np.nan
    obj = float(obj) if obj is not None else 0.0
    bound, gap, msg = np.nan, np.nan, ""
    if cfg.name == "highs" and getattr(prob, "solverModel", None) is not None:
        h = prob.solverModel
        info = h.getInfo()
        ms = h.modelStatusToString(h.getModelStatus())
        msg = f"HiGHS: {ms}"
        if ms.lower().startswith("time limit") and status == Status.OPTIMAL:
            status = Status.TIME_LIMIT  # defensive: PuLP's table already maps it to integer-feasible
        if int(info.mip_node_count) >= 0 and np.isfinite(info.mip_dual_bound):
            # PuLP hands HiGHS −f for a maximisation, so the dual bound changes sign on the way back
            bound = float(info.mip_dual_bound) * (-1.0 if prob.sense == pulp.LpMaximize else 1.0)
            gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else np.nan
        elif status == Status.OPTIMAL:
            bound, gap = obj, 0.0
    elif status == Status.OPTIMAL:
        bound, gap = obj, 0.0
    if status == Status.OPTIMAL and not np.isfinite(gap):
        gap = 0.0
    if status == Status.TIME_LIMIT and not np.isfinite(gap):
        gap = float("inf")  # stopped without a proven bound: the gap is unknown, never hidden as 0
    return StageResult(status, cfg.name, obj, bound, gap, secs, msg)
