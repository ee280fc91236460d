"""Solver outcomes mapped onto healthplan's own vocabulary: a time-limited answer is never 'optimal'.

Two solvers report in two vocabularies: HiGHS (read through highspy, :func:`from_highs`) and PuLP's status codes
for CBC (:func:`from_pulp`). Both map here, so the rule "an incumbent without a proof is TIME_LIMIT" is one rule.
"""

from __future__ import annotations

from enum import StrEnum

import pulp


class Status(StrEnum):
    """Outcome of a solve (or of a baseline evaluation, which solves nothing)."""

    OPTIMAL = "optimal"  # proven optimal within the requested gap
    TIME_LIMIT = "time_limit"  # stopped by the time limit with an incumbent; see the gap
    INFEASIBLE = "infeasible"  # hard standards / budget cannot hold together
    UNBOUNDED = "unbounded"
    ERROR = "error"  # solver failed, or stopped without any incumbent
    BASELINE = "baseline"  # no optimisation: the county as it is today

    @property
    def has_plan(self) -> bool:
        """True when there is a usable plan (optimal or time-limited incumbent)."""
        return self in (Status.OPTIMAL, Status.TIME_LIMIT, Status.BASELINE)


# HiGHS model statuses by name (``highspy.HighsModelStatus.<name>``), so this module needs no highspy import.
# kModelEmpty: no columns and every row holds at 0, i.e. solved (PuLP used to add a dummy column instead).
HIGHS_SOLVED = frozenset({"kOptimal", "kModelEmpty"})
# Stopped early by a limit or an interrupt: TIME_LIMIT with an incumbent, ERROR without one.
HIGHS_STOPPED = frozenset({"kTimeLimit", "kIterationLimit", "kInterrupt", "kHighsInterrupt", "kObjectiveBound",
                           "kObjectiveTarget", "kSolutionLimit", "kMemoryLimit"})
# kUnboundedOrInfeasible (a MIP whose relaxation is unbounded) counts as infeasible, as PuLP counted it.
HIGHS_INFEASIBLE = frozenset({"kInfeasible", "kUnboundedOrInfeasible"})
HIGHS_UNBOUNDED = frozenset({"kUnbounded"})
# Anything else (kNotset, kLoadError, kModelError, kPresolveError, kSolveError, kPostsolveError, kUnknown): ERROR.


def from_highs(model_status: str, has_incumbent: bool) -> Status:
    """HiGHS model status name (e.g. ``"kTimeLimit"``) and whether HiGHS holds a feasible solution → Status.

    A run stopped by any limit keeps its incumbent as TIME_LIMIT, never OPTIMAL; without one it is ERROR.
    """
    if model_status in HIGHS_SOLVED:
        return Status.OPTIMAL
    if model_status in HIGHS_STOPPED:
        return Status.TIME_LIMIT if has_incumbent else Status.ERROR
    if model_status in HIGHS_INFEASIBLE:
        return Status.INFEASIBLE
    if model_status in HIGHS_UNBOUNDED:
        return Status.UNBOUNDED
    return Status.ERROR


def from_pulp(status: int, sol_status: int) -> Status:
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


# Status → PuLP (status, sol_status), recorded on the problem with the public ``LpProblem.assignStatus`` so code
# that reads ``prob.status`` sees the same answer as the StageResult.
PULP_CODES: dict[Status, tuple[int, int]] = {
    Status.OPTIMAL: (pulp.LpStatusOptimal, pulp.LpSolutionOptimal),
    Status.TIME_LIMIT: (pulp.LpStatusNotSolved, pulp.LpSolutionIntegerFeasible),
    Status.INFEASIBLE: (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible),
    Status.UNBOUNDED: (pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded),
    Status.ERROR: (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound),
}
