"""build_model: the MILP as a visible list of blocks (each kind's variables and coverage, standards, money)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pulp

from healthplan.optimizer.budget import add_budget, add_earmarks, add_opex_cap
from healthplan.optimizer.decisions import add_decision_rows
from healthplan.optimizer.kinds import enabled_kinds
from healthplan.optimizer.model import Mode, Model
from healthplan.optimizer.phasing import add_year_budgets, year_weights
from healthplan.optimizer.standards import add_standards

if TYPE_CHECKING:
    from healthplan.optimizer.prepare import ModelData


def build_model(data: ModelData, mode: Mode = "optimize") -> Model:
    """Build the whole model (no objective yet: :mod:`optimizer.objective` sets one per lexicographic stage)."""
    t0 = time.perf_counter()
    m = Model(pulp.LpProblem("healthplan", pulp.LpMinimize), data, mode,
              year_weight=year_weights(data.cfg, len(data.years)))
    kinds = enabled_kinds(data.cfg)
    # decisions: new items per site and year (existing stock is constant)
    for k in kinds:
        k.add_variables(m)
    # coverage: MEXCLP for ambulances, maximal covering (or p-median access) for the facility kinds
    for k in kinds:
        k.add_coverage(m)
    # standards (hard rows or soft rows with shortfall), with milestones per year
    add_standards(m)
    # named decisions: must rows, committed items fixed (and off the budget)
    add_decision_rows(m)
    # money: capital budget, earmarks, per-year budgets, running-cost cap
    add_budget(m)
    add_earmarks(m)
    add_year_budgets(m)
    add_opex_cap(m)
    m.build_s = time.perf_counter() - t0
    return m
