"""A start for a large maximising stage from its relaxation's support (a restricted MILP).

The relaxation of a large phased plan is nearly integral once the ambulance opening rows hold (on the generated
20,000-village 3-year plan 31 of 22,426 integer columns are fractional) but its few fractional columns (a blood
point bought with a year's last 47万元, half a station) cannot be rounded alone: the held shortfall and the year
budgets leave no room. So the relaxation is solved once (interior point), every integer column it leaves at 0 is
fixed at 0, and HiGHS solves the MILP that is left: ≈ 2,300 integer columns instead of 22,426, whose relaxation
is the whole model's. Every plan of it is a plan of the whole model (a column fixed at 0 within its bounds), so
the stage's rows all hold. The relaxation's value is a bound on the stage, kept for the stage's gap when HiGHS
has none of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from math import nan

import highspy
import numpy as np
import pulp

from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.neighbourhoods import feasible
from healthplan.optimizer.solve import highs_model, lp_rows, new_highs, run_guarded, without_implied_rows

# of the seconds given: at most this share for the relaxation (interior point), the rest for the restricted
# MILP. On the generated province the relaxation takes 30–38 s and the restricted MILP ≈ 11 s to its optimum
RELAXATION_SHARE = 0.8
SUPPORT_TOL = 1e-6  # an integer column above this in the relaxation stays free
RESTRICTED_OPTIONS: dict[str, object] = {"mip_heuristic_run_root_reduced_cost": False}


@dataclass(frozen=True)
class Support:
    """What the step did, objectives in the stage's own sense: the relaxation's value (a bound on the stage), the
    integer columns left free of all integer columns, the restricted MILP's plan (NaN without one), the step's
    seconds and of them the relaxation's. A relaxation that ended without its optimum (``ended``: HiGHS's model
    status, or that it did not return in time) leaves the bound NaN; ``relaxation_s`` is then the seconds it ran."""

    bound: float
    free: int
    integer: int
    objective: float
    seconds: float
    relaxation_s: float = 0.0
    ended: str = "Optimal"

    def note(self) -> str:
        """One clause for the stage's message."""
        if not np.isfinite(self.bound):
            return f"; the relaxation gave no bound in {self.relaxation_s:.1f} s ({self.ended})"
        plan = f"its plan {self.objective:,.1f}" if np.isfinite(self.objective) else "no plan"
        return (f"; relaxation {self.bound:,.1f}, the MILP on its support ({self.free:,} of {self.integer:,} "
                f"integer columns free): {plan}, {self.seconds:.1f} s")


def support_plan(prob: pulp.LpProblem, solver: SolverConfig, seconds: float,
                 watch: Callable[[float, float], None] | None = None
                 ) -> tuple[dict[str, float] | None, Support]:
    """A plan of ``prob`` (objective as set now) from the MILP restricted to its relaxation's support, within
    ``seconds``, and what the step found; no plan when the relaxation does not finish in its share of the time
    (the bound is then NaN) or the restricted MILP finds none.

    ``watch``, when given, is called about every second while the step runs with the restricted MILP's best
    plan and the relaxation's value, in the problem's own sense and units (NaN while not known).
    """
    t0 = time.perf_counter()
    full = highs_model(prob)
    model, _ = without_implied_rows(full)  # the same columns; the solves read fewer rows
    lp = model.lp
    col_lo, col_up = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    integer = np.array([v.cat in (pulp.LpInteger, pulp.LpBinary) for v in model.columns], dtype=bool)
    integrality = list(lp.integrality_)
    lp.integrality_ = []
    h = new_highs(solver.model_copy(update={"msg": False}), seconds * RELAXATION_SHARE)
    h.setOptionValue("solver", "ipm")
    h.passModel(lp)
    # in a thread of its own (run_highs, which resets HiGHS's thread scheduler when another solve started it with
    # other threads), so that the watch's clock moves during the 30–40 s of a province's relaxation
    ticking = None if watch is None else (lambda z, b: watch(nan, nan))
    stuck = run_guarded(h, seconds * RELAXATION_SHARE, lp, watch=ticking)
    relaxation_s = time.perf_counter() - t0
    if stuck is not None or h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        ended = "not returned in time" if stuck is not None else h.modelStatusToString(h.getModelStatus())
        return None, Support(nan, 0, int(integer.sum()), nan, relaxation_s, relaxation_s, ended)
    x = np.asarray(h.getSolution().col_value, dtype=float)
    bound = model.sign * float(h.getInfo().objective_function_value) + model.constant
    fixed = integer & (x <= SUPPORT_TOL) & (col_lo <= 0.0)
    lp.col_upper_ = np.where(fixed, np.maximum(col_lo, 0.0), col_up)
    lp.integrality_ = integrality
    left = seconds - (time.perf_counter() - t0)
    free = int(integer.sum() - fixed.sum())
    if left <= 0.05:
        return None, Support(bound, free, int(integer.sum()), np.nan, time.perf_counter() - t0, relaxation_s)
    h = new_highs(solver.model_copy(update={"msg": False}), left, None, RESTRICTED_OPTIONS)
    h.passModel(lp)
    found = None if watch is None else (
        lambda z, b: watch(model.sign * z + model.constant if np.isfinite(z) else nan, bound))
    stuck = run_guarded(h, left, lp, watch=found)
    if stuck is not None:
        y = stuck.get("x")
    else:
        sol = h.getSolution()
        ok = int(h.getInfo().primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)
        y = sol.col_value if ok and sol.value_valid else None
    plan = None
    objective = np.nan
    if y is not None and len(y) == len(model.columns):
        y = np.asarray(y, dtype=float)
        y[integer] = np.round(y[integer])
        # checked on the whole model (every row, the original bounds): a plan of the whole model, or none
        if feasible(lp_rows(full.lp), y, np.asarray(full.lp.row_lower_, dtype=float),
                    np.asarray(full.lp.row_upper_, dtype=float), col_lo, col_up):
            plan = {v.name: float(val) for v, val in zip(model.columns, y.tolist(), strict=True)}
            objective = model.sign * float(model.cost @ y) + model.constant
    return plan, Support(bound, free, int(integer.sum()), objective, time.perf_counter() - t0, relaxation_s)
