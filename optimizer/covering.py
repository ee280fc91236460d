"""Maximal covering rows (Church & ReVelle 1974) shared by fever, blood and secondary care."""

from __future__ import annotations

import numpy as np

from healthplan.optimizer.coverage import build_access_groups, build_groups, coverage_pairs
from healthplan.optimizer.model import Model, Terms, expr


def add_covering(
    m: Model,
    key: str,
    families: tuple[str, ...],
    existing: np.ndarray,
    *,
    weight: float,
    in_objective: bool,
) -> None:
    """Row ``cover_<key>_<h>_<t>``: c_ht ≤ Σ_{j∈N(h)} Σ_{τ≤t} Σ_f x^f_jτ, c ∈ [0, 1] (persons P_h covered if c = 1).

    N(h) are the candidate sites within the key's access standard; groups already covered by an existing facility
    are constants (existing stock is never removed). ``families`` are the variable families that open a facility
    of this key. Soft: the covered persons enter the objective (weight × year weight) when ``in_objective``.
    """
    d = m.data
    eq = d.cfg.equity
    candidate = np.zeros(d.n_sites, dtype=bool)
    for f in families:
        for j, _ in m.x.get(f, {}):
            candidate[j] = True
    by_town = eq.theta is not None and key in eq.kinds
    g = build_groups(d.instance, key, coverage_pairs(d.instance, d.cfg, key), existing.astype(float), candidate, 1,
                     by_township=by_town)
    m.groups[key] = g
    const = g.population * (g.existing >= 1)
    open_groups = np.flatnonzero([len(s) > 0 for s in g.sites])
    for t in range(m.n_years):
        terms: Terms = []
        town_terms: dict[str, Terms] = {}
        stock = m.stock_by_site(families, t, -1.0)
        for h in open_groups:
            c = m.var(f"cover_{key}_{h}_{t}", 0, 1)
            supply = [tc for j in g.sites[h] for tc in stock.get(int(j), ())]
            m.add(expr([(c, 1.0), *supply]) <= 0, f"cover_{key}_{h}_{t}")
            terms.append((c, float(g.population[h])))
            town_terms.setdefault(g.township[h], []).append((c, float(g.population[h])))
        m.covered[(key, t)] = expr(terms, float(const.sum()))
        if by_town:
            for town in np.unique(g.township):
                m.covered_town[(key, t, town)] = expr(town_terms.get(town, []),
                                                      float(const[g.township == town].sum()))
        if in_objective:
            m.coverage += [(v, c * weight * m.year_weight[t]) for v, c in terms]


def add_access_time(m: Model, key: str, families: tuple[str, ...], existing: np.ndarray, *, weight: float) -> None:
    """p-median access for ``key``: least population-weighted minutes to the nearest facility (Hakimi 1964).

    Rows ``assign_<key>_<h>_<t>``: Σ_j w_hjt ≤ 1 and ``open_<key>_<h>_<j>_<t>``: w_hjt ≤ Σ_{τ≤t} x_jτ, w ∈ [0, 1],
    over the candidate sites j closer to group h than its nearest existing facility (fallback F_h, or the travel
    horizon). Minutes = Σ_h P_h (F_h − Σ_j (F_h − t_hj) w_hj); the objective maximises the saving
    Σ P_h (F_h − t_hj)/H · w_hj in persons (H the horizon), which is the same optimum. Soft (objective only).
    """
    d = m.data
    candidate = np.zeros(d.n_sites, dtype=bool)
    for f in families:
        for j, _ in m.x.get(f, {}):
            candidate[j] = True
    g = build_access_groups(d.instance, key, existing.astype(bool), candidate)
    m.groups[f"{key}_access"] = g
    for t in range(m.n_years):
        stock = m.stock_by_site(families, t, -1.0)
        for h in np.flatnonzero([len(s) > 0 for s in g.sites]):
            ws: Terms = []
            for j, tm in zip(g.sites[h], g.minutes[h], strict=True):
                w = m.var(f"assign_{key}_{h}_{j}_{t}", 0, 1)
                ws.append((w, 1.0))
                opened = list(stock.get(int(j), ()))
                m.add(expr([(w, 1.0), *opened]) <= 0, f"open_{key}_{h}_{j}_{t}")
                saving = float(g.population[h] * (g.fallback[h] - tm) / g.horizon)
                m.coverage.append((w, saving * weight * m.year_weight[t]))
            m.add(expr(ws) <= 1, f"assign_{key}_{h}_{t}")


def add_kind_access(
    m: Model, key: str, families: tuple[str, ...], existing: np.ndarray, *, objective: str,
    weight: float, target_coverage: float | None,
) -> None:
    """Coverage rows and/or p-median access rows of one kind, as its objective, target and equity floor need.

    Coverage (``cover_<key>_*``) is built when the kind's objective is coverage, or a coverage target or an
    equity floor on ``key`` needs the covered persons; access time (``assign_<key>_*``) when the objective is
    ``access_time``.
    """
    eq = m.data.cfg.equity
    need_cover = objective == "coverage" or target_coverage is not None or (
        eq.theta is not None and key in eq.kinds)
    if need_cover:
        add_covering(m, key, families, existing, weight=weight, in_objective=objective == "coverage")
    if objective == "access_time":
        add_access_time(m, key, families, existing, weight=weight)
