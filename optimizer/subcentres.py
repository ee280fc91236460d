"""Sub-centre upgrades of eligible central township health centres; secondary-care coverage."""

from __future__ import annotations

import numpy as np
import pulp

from healthplan.optimizer.covering import add_kind_access
from healthplan.optimizer.model import Model, expr

KIND = "subcentre"


def add_subcentre_variables(m: Model) -> None:
    """Binaries u_jt at eligible sites (level, beds, population within access, minutes from the county hospital).

    Rows ``sub_once_<j>``: Σ_t u_jt ≤ 1; ``sub_spacing_<a>_<b>``: Σ_t (u_at + u_bt) ≤ 1 for two sites closer than
    ``min_spacing_minutes`` (hard; a site near an existing sub-centre cannot be upgraded). Eligibility and
    spacing are ASSUMPTION rules (no verified provincial criteria); cost 1,800万元 (C: Hubei Tongcheng 2024).
    """
    d, cfg = m.data, m.data.cfg.resources.subcentre
    if not cfg.enabled:
        return
    fam = m.family("subcentre")
    blocked = np.zeros(d.n_sites, dtype=bool)
    for a, b in d.sub_conflicts:
        if d.sub_has[a]:
            blocked[b] = True
        if d.sub_has[b]:
            blocked[a] = True
    for j in np.flatnonzero(d.sub_eligible & ~blocked):
        for t in range(m.n_years):
            fam[(j, t)] = m.var(f"sub_{j}_{t}", 0, 1, cat=pulp.LpBinary)
            m.add_cost(KIND, t, fam[(j, t)], float(d.cost["subcentre"][j]))
        if m.n_years > 1:
            m.add(expr(m.cumulative("subcentre", j, m.n_years - 1)) <= 1, f"sub_once_{j}")
    last = m.n_years - 1
    for a, b in d.sub_conflicts:
        terms = m.cumulative("subcentre", int(a), last) + m.cumulative("subcentre", int(b), last)
        if terms and not (d.sub_has[a] or d.sub_has[b]):
            m.add(expr(terms) <= 1, f"sub_spacing_{a}_{b}")


def add_secondary_coverage(m: Model) -> None:
    """Secondary care within ``access_minutes`` (B: one-hour circle): secondary-level hospitals + sub-centres."""
    d, cfg = m.data, m.data.cfg.resources.subcentre
    if not cfg.enabled:
        return
    add_kind_access(m, "secondary", ("subcentre",), d.secondary_has, objective=cfg.objective, weight=cfg.weight,
                    target_coverage=cfg.target_coverage)
