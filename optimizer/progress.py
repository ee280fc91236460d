"""Where a running stage solve stands, reported while it runs: a long solve (a province's phased plan takes
minutes) tells the planner how far its best plan is from the bound, not only that it is still running."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

def relative_gap(objective: float, bound: float) -> float:
    """|bound − objective| / |objective| (10⁻⁹ for an objective of 0): how far a plan may be from the best."""
    return abs(bound - objective) / max(abs(objective), 1e-9)


# Seconds between two reports of a running solve: the progress line moves, and a solve of a second or less (the
# demo's) reports nothing.
WATCH_PERIOD_S = 1.0


@dataclass(frozen=True)
class StageProgress:
    """One report of a stage being solved.

    ``stage`` is the lexicographic stage (``shortfall``, ``coverage``, ``cost``, ``hard``, ``weighted``) and
    ``phase`` what runs now: ``solver`` (HiGHS), ``relaxation`` (the relaxation and the MILP on its support of
    large phased plans; :mod:`optimizer.relaxation_support`) or ``windows`` (the window search that follows, before
    HiGHS; :mod:`optimizer.neighbourhoods`). ``seconds`` have passed since the stage began and it may take
    ``limit_s`` in all. ``objective`` is the best plan's value and ``bound`` the best bound, both in the stage's
    own units and sense (weighted persons, shortfall shares, 万元); either is NaN while not known (no plan yet;
    the window search has no bound).
    """

    stage: str
    phase: Literal["solver", "relaxation", "windows"]
    seconds: float
    limit_s: float
    objective: float
    bound: float

    @property
    def gap(self) -> float:
        """|bound − objective| / |objective| (NaN while either is unknown): the stage's relative gap."""
        if not (math.isfinite(self.objective) and math.isfinite(self.bound)):
            return math.nan
        return relative_gap(self.objective, self.bound)


Watch = Callable[[StageProgress], None]
