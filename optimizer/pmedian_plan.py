"""When a scenario is the pure p-median, solve it with :mod:`~healthplan.optimizer.pmedian` and return a Plan.

The pure form: one enabled kind whose objective is ``access_time`` (p-median), of one item type and one
service, one plan year, the lexicographic objective, a budget that buys a count p of points (every eligible
site costs the same), and nothing the p-median cannot express (no coverage target, equity floor on the
service, named decisions, earmarks, yearly budgets or operating-cost cap). Standards are not modelled by the
p-median: the plan it finds is measured with :func:`~healthplan.optimizer.evaluation.evaluate`, and only when
it meets every standard of the scenario is it returned — then it is also the lexicographic optimum (least
shortfall is 0, and it has the least access minutes over all plans within the budget). Otherwise the caller
builds the full model.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from healthplan.optimizer.evaluation import evaluate, service_units, stock_columns
from healthplan.optimizer.kind import FacilityData, ItemType, ResourceKind
from healthplan.optimizer.kinds import enabled_kinds
from healthplan.optimizer.plan import Plan, SolveInfo
from healthplan.optimizer.pmedian import PMedianProblem, PMedianResult, solve_pmedian
from healthplan.optimizer.prepare import ModelData
from healthplan.optimizer.status import Status

# From this many (demand point, eligible site) travel pairs on, a pure p-median goes the Lagrangian way. Why:
# the PuLP model holds one variable and one row per pair (about 1 kB of Python objects each, built pair by
# pair), so at 10⁵–10⁶ pairs building alone takes minutes and gigabytes, and HiGHS's LP of the p-median is
# itself the slow part (995 s for the 600,000 pairs of the 2,000 × 300 anchor). Below it the full model is
# quick and proves the whole lexicographic order (including least cost among equally good plans), so it stays
# the path.
PMEDIAN_MIN_PAIRS = 200_000
SOLVER_NAME = "p-median (Lagrangian + HiGHS)"


@dataclass(frozen=True)
class PureForm:
    """The p-median a scenario reduces to: its kind, item type and service, p and the unit cost (万元)."""

    kind: ResourceKind
    item: ItemType
    service: str
    p: int
    unit_cost_wan: float
    eligible: np.ndarray  # bool per site: may get a new unit
    existing: np.ndarray  # bool per site: gives the service today (the fallback)


def pure_form(data: ModelData) -> PureForm | None:
    """The scenario as a pure p-median, or None when it needs more than the p-median can express."""
    cfg = data.cfg
    kinds = enabled_kinds(cfg)
    if len(kinds) != 1 or cfg.objective.mode != "lexicographic" or len(data.years) != 1:
        return None
    if cfg.decisions or cfg.earmarks_wan or cfg.opex_cap_wan is not None:
        return None
    if cfg.phasing.budgets_wan is not None:
        return None
    k = kinds[0]
    kc = k.settings(cfg)
    services = k.active_services(kc)
    kd = data.kinds.get(k.name)
    if getattr(kc, "objective", None) != "access_time" or getattr(kc, "target_coverage", None) is not None:
        return None
    if not isinstance(kd, FacilityData) or len(k.items) != 1 or len(services) != 1 or kc.weight <= 0:
        return None
    item, svc = k.items[0], services[0].key
    if item.service != svc or (cfg.equity.theta is not None and svc in cfg.equity.kinds):
        return None
    eligible = np.asarray(kd.eligible[item.key], dtype=bool)
    costs = data.cost[item.cost_key][eligible]
    if cfg.budget_wan is None or not costs.size or costs.min() <= 0 or np.ptp(costs) > 1e-9 * costs.max():
        return None
    unit = float(costs[0])
    p = int(math.floor(cfg.budget_wan / unit + 1e-9))
    existing = service_units(data, stock_columns(data, data.instance.sites))[svc] > 0
    return PureForm(k, item, svc, p, unit, eligible, existing)


def eligible_pairs(data: ModelData, form: PureForm) -> int:
    """Travel pairs from an eligible site: what the full model would hold one variable and row for."""
    return int(form.eligible[data.instance.travel.site_idx].sum())


def horizon_minutes(data: ModelData) -> float:
    """The travel horizon: minutes a point with no facility within the cutoff counts (as
    ``add_access_time``)."""
    tt = data.instance.travel
    finite = tt.minutes[np.isfinite(tt.minutes)]
    if np.isfinite(tt.cutoff_minutes):
        return float(tt.cutoff_minutes)
    return float(finite.max()) + 1 if finite.size else 1.0


def problem_of(data: ModelData, form: PureForm) -> tuple[PMedianProblem, np.ndarray]:
    """The p-median over the eligible sites, and the site index (in ``instance.sites``) of each candidate.

    Weights are the persons of each demand point; the fallback F_i is the minutes to the nearest existing
    facility of the service, or the horizon (:func:`horizon_minutes`) when none is within it.
    """
    tt = data.instance.travel
    pop = data.instance.demand["population"].to_numpy(dtype=float)
    fallback = np.full(len(pop), horizon_minutes(data))
    ex = form.existing[tt.site_idx]
    np.minimum.at(fallback, tt.demand_idx[ex], tt.minutes[ex])
    sites = np.flatnonzero(form.eligible)
    local = np.full(len(form.eligible), -1, dtype=np.int64)
    local[sites] = np.arange(sites.size)
    sel = form.eligible[tt.site_idx]
    problem = PMedianProblem.from_pairs(pop, fallback, local[tt.site_idx[sel]], tt.demand_idx[sel],
                                        tt.minutes[sel], sites.size, form.p)
    return problem, sites


def useful_only(problem: PMedianProblem, open_sites: np.ndarray) -> np.ndarray:
    """Drop open sites that serve nobody better than another open site or the fallback (they only cost money).

    The full model's last stage (least cost) would drop them too; here they are removed one at a time, which
    keeps the access minutes and is the least-cost plan whenever such sites are independent of each other.
    """
    kept = np.asarray(open_sites, dtype=np.int64)
    base = problem.cost(kept)
    for j in kept.tolist():
        rest = kept[kept != j]
        if problem.cost(rest) <= base:
            kept = rest
    return kept


def optimize_pure(data: ModelData, form: PureForm, t0: float,
                  progress: Callable[[str], None] | None = None) -> Plan | None:
    """The plan of the pure p-median, or None when that plan misses a standard (the full model must
    decide)."""
    cfg = data.cfg
    problem, sites = problem_of(data, form)
    build_s = time.perf_counter() - t0
    res: PMedianResult = solve_pmedian(problem, time_limit_s=max(cfg.solver.time_limit_s - build_s, 1.0),
                                       gap=cfg.solver.gap, threads=cfg.solver.threads or 1,
                                       msg=cfg.solver.msg,
                                       progress=progress)
    chosen = sites[useful_only(problem, res.open_sites)]
    ids = data.instance.sites.index.astype(str)[chosen]
    items = pd.DataFrame({"site_id": ids, "kind": form.item.key, "year": data.years[0], "quantity": 1,
                          "cost_wan": form.unit_cost_wan, "origin": "optimized"})
    status = Status.OPTIMAL if res.optimal else Status.TIME_LIMIT
    msg = (f"p-median of {problem.n_demand:,} points × {problem.n_sites:,} sites "
           f"({problem.minutes.size:,} pairs), "
           f"p = {form.p}: {res.message}")
    stage = {"stage": "coverage", "status": status.value, "objective": res.cost, "bound": res.bound,
             "gap": res.gap,
             "seconds": round(res.seconds, 4), "message": msg, "bounded": False}
    info = SolveInfo(status=status, solver=SOLVER_NAME, objective=res.cost, bound=res.bound, gap=res.gap,
                     build_s=build_s, solve_s=res.seconds, message=msg, stages=(stage,))
    plan = evaluate(data.instance, cfg, items, solve_info=info, data=data)
    if len(plan.standards) and not plan.standards["met"].astype(bool).all():
        return None
    plan.meta.update({"pmedian": {"person_minutes": res.cost, "bound_person_minutes": res.bound,
                                  "gap": res.gap,
                                  "p": form.p, **res.stats},
                      "n_variables": 0, "n_constraints": 0, "total_s": time.perf_counter() - t0})
    return plan
