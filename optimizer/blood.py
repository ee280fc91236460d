"""Fixed blood-collection points at candidate sites: maximal covering, or p-median access time."""

from __future__ import annotations

import numpy as np
import pulp

from healthplan.optimizer.covering import add_kind_access
from healthplan.optimizer.model import Model, expr

KIND = "blood"


def add_blood_variables(m: Model) -> None:
    """Binaries b_jt at candidate sites (cfg.candidates) without a point today; ``blood_once_<j>``: Σ_t b_jt ≤ 1.

    Unit cost as configured (no sourced default: the ASSUMPTION constant is flagged in the plan).
    """
    d, cfg = m.data, m.data.cfg.resources.blood
    if not cfg.enabled:
        return
    fam = m.family("blood")
    for j in np.flatnonzero(d.blood_eligible & _undominated(m)):
        for t in range(m.n_years):
            fam[(j, t)] = m.var(f"blood_{j}_{t}", 0, 1, cat=pulp.LpBinary)
            m.add_cost(KIND, t, fam[(j, t)], float(d.cost["blood"][j]))
        if m.n_years > 1:
            m.add(expr(m.cumulative("blood", j, m.n_years - 1)) <= 1, f"blood_once_{j}")


def _undominated(m: Model) -> np.ndarray:
    """Drop candidate j when another candidate j' covers a superset of j's uncovered points at no greater cost.

    Exchange argument: in any plan using j, swapping j for j' (when j' is not in the plan) keeps the count and
    does not lower coverage or raise cost; if j' is in the plan, j adds no coverage and only serves as a filler
    for the minimum-points standard, a role the cheapest dominated candidates fill at least as well. So the rule
    keeps the k = min_points − existing cheapest dominated candidates (ties by site order) and drops the rest.
    It applies when the objective is ``coverage`` and no blood equity floor splits points by township. Other
    kinds are not reduced (mandates, capacities and spacing make their sites distinct).
    """
    d, cfg = m.data, m.data.cfg.resources.blood
    keep = np.ones(d.n_sites, dtype=bool)
    if cfg.objective != "coverage":
        return keep
    if d.cfg.equity.theta is not None and "blood" in d.cfg.equity.kinds:
        return keep
    from healthplan.optimizer.coverage import coverage_pairs  # local: only this reduction needs the raw pairs

    s_idx, d_idx = coverage_pairs(d.instance, d.cfg, "blood")
    # Demand points already covered by an existing point add nothing: domination is judged on the rest.
    covered = np.zeros(len(d.instance.demand), dtype=bool)
    covered[d_idx[d.blood_has[s_idx]]] = True
    sel = d.blood_eligible[s_idx] & ~covered[d_idx]
    from scipy import sparse

    a = sparse.csr_matrix((np.ones(sel.sum()), (s_idx[sel], d_idx[sel])), shape=(d.n_sites, len(covered)))
    cand = np.flatnonzero(d.blood_eligible)
    sub = a[cand]
    inter = (sub @ sub.T).toarray()  # |cand|² shared points: candidates are few hundred at most
    size = np.asarray(sub.sum(axis=1)).ravel()
    cost = d.cost["blood"][cand]
    contains = inter >= size[:, None] - 1e-9  # row r's set ⊆ column c's set
    cheaper = cost[None, :] <= cost[:, None] + 1e-9
    strictly = (inter < size[None, :] - 1e-9) | (cost[None, :] < cost[:, None] - 1e-9)
    earlier = np.arange(len(cand))[None, :] < np.arange(len(cand))[:, None]
    dominated = (contains & cheaper & (strictly | earlier))
    np.fill_diagonal(dominated, False)
    gone = np.flatnonzero(dominated.any(axis=1))
    fillers = int(max(cfg.min_points - d.blood_has.sum(), 0)) if cfg.min_points_rule.mode != "off" else 0
    if fillers:
        gone = gone[np.lexsort((gone, cost[gone]))][fillers:]  # keep the cheapest k as count fillers
    keep[cand[gone]] = False
    return keep


def add_blood_coverage(m: Model) -> None:
    """Blood-point coverage within ``access_minutes`` (ASSUMPTION: primary-care access), or p-median access time."""
    d, cfg = m.data, m.data.cfg.resources.blood
    if not cfg.enabled:
        return
    add_kind_access(m, "blood", ("blood",), d.blood_has, objective=cfg.objective, weight=cfg.weight,
                    target_coverage=cfg.target_coverage)
