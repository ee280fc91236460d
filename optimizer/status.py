"""Solver outcomes mapped onto healthplan's own vocabulary: a time-limited answer is never 'optimal'."""

from __future__ import annotations

from enum import StrEnum


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
