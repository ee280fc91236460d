"""build_model: the MILP as a visible list of add_* blocks (variables, coverage, standards, budget, phasing)."""

from __future__ import annotations

import time

import pulp

from healthplan.optimizer.ambulances import add_ambulance_coverage, add_ambulance_variables
from healthplan.optimizer.blood import add_blood_coverage, add_blood_variables
from healthplan.optimizer.budget import add_budget, add_earmarks, add_opex_cap
from healthplan.optimizer.fever import add_fever_coverage, add_fever_variables
from healthplan.optimizer.model import Mode, Model
from healthplan.optimizer.phasing import add_year_budgets, year_weights
from healthplan.optimizer.prepare import ModelData
from healthplan.optimizer.standards import add_standards
from healthplan.optimizer.subcentres import add_secondary_coverage, add_subcentre_variables


def build_model(data: ModelData, mode: Mode = "optimize") -> Model:
    """Build the whole model (no objective yet: :mod:`optimizer.objective` sets one per lexicographic stage)."""
    t0 = time.perf_counter()
    m = Model(pulp.LpProblem("healthplan", pulp.LpMinimize), data, mode,
              year_weight=year_weights(data.cfg, len(data.years)))
    # decisions: new items per site and year (existing stock is constant)
    add_ambulance_variables(m)
    add_fever_variables(m)
    add_blood_variables(m)
    add_subcentre_variables(m)
    # coverage: MEXCLP for ambulances, maximal covering (or p-median access) for the facility kinds
    add_ambulance_coverage(m)
    add_fever_coverage(m)
    add_blood_coverage(m)
    add_secondary_coverage(m)
    # standards (hard rows or soft rows with shortfall), with milestones per year
    add_standards(m)
    # money: capital budget, earmarks, per-year budgets, running-cost cap
    add_budget(m)
    add_earmarks(m)
    add_year_budgets(m)
    add_opex_cap(m)
    m.build_s = time.perf_counter() - t0
    return m
