"""Ambulances: integer ordinary and negative-pressure vehicles per station, new stations, MEXCLP expected coverage."""

from __future__ import annotations

import numpy as np
import pulp

from healthplan.optimizer.coverage import build_groups, coverage_pairs
from healthplan.optimizer.model import Model, Terms, expr

KIND = "ambulance"


def add_ambulance_variables(m: Model) -> None:
    """New vehicles a_jt^ord, a_jt^np ∈ ℤ≥0 and new-station binaries s_jt at eligible stations.

    Rows: ``amb_capacity_<j>``  Σ_t (a_jt^ord + a_jt^np) ≤ cap_j − existing_j  (vehicles, hard);
    ``amb_station_<j>_<t>``  Σ_{τ≤t} (a^ord + a^np) ≤ (cap_j) · Σ_{τ≤t} s_jτ at sites without vehicles today
    (a new station must be opened, once, at its fixed cost; seed 000 item 12: stations at public hospitals and
    health centres). Existing vehicles are constants and are never removed.
    """
    d, cfg = m.data, m.data.cfg.resources.ambulance
    if not cfg.enabled:
        return
    ordv, npv, stv = m.family("amb_ord"), m.family("amb_np"), m.family("amb_station")
    existing = d.amb_ord + d.amb_np
    for j in np.flatnonzero(d.amb_eligible):
        spare = int(d.amb_capacity[j] - existing[j])
        if spare <= 0:
            continue
        for t in range(m.n_years):
            ordv[(j, t)] = m.var(f"amb_ord_{j}_{t}", 0, spare, cat=pulp.LpInteger)
            npv[(j, t)] = m.var(f"amb_np_{j}_{t}", 0, spare, cat=pulp.LpInteger)
            m.add_cost(KIND, t, ordv[(j, t)], float(d.cost["ambulance_ord"][j]))
            m.add_cost(KIND, t, npv[(j, t)], float(d.cost["ambulance_np"][j]))
        m.add(expr(_new(m, j, m.n_years - 1)) <= spare, f"amb_capacity_{j}")
        if existing[j] == 0:
            for t in range(m.n_years):
                stv[(j, t)] = m.var(f"amb_station_{j}_{t}", 0, 1, cat=pulp.LpBinary)
                m.add_cost(KIND, t, stv[(j, t)], float(d.cost["new_station"][j]))
            for t in range(m.n_years):
                opened = [(v, -float(spare)) for v, _ in m.cumulative("amb_station", j, t)]
                m.add(expr(_new(m, j, t) + opened) <= 0, f"amb_station_{j}_{t}")
            if m.n_years > 1:
                m.add(expr(m.cumulative("amb_station", j, m.n_years - 1)) <= 1, f"amb_station_once_{j}")


def _new(m: Model, j: int, t: int) -> Terms:
    """New vehicles (both types) at site j installed in years 0 … t."""
    return m.cumulative("amb_ord", j, t) + m.cumulative("amb_np", j, t)


def add_ambulance_coverage(m: Model) -> None:
    """MEXCLP expected coverage (Daskin 1983) and plain single coverage, per demand group h and year t.

    Row ``amb_cover_<h>_<t>``: Σ_{k=E_h+1..K} y_hkt ≤ Σ_{j∈N(h)} Σ_{τ≤t} (a_jτ^ord + a_jτ^np), y ∈ [0, 1], where E_h
    is the number of existing vehicles within the drive threshold (response − dispatch, urban/rural; A: Guizhou 2021,
    2020 national guidance) and K = coverage_depth. Expected covered persons = Σ_h P_h Σ_k (1−q) q^(k−1) y_hk
    (the k-th vehicle in reach covers with probability (1−q) q^(k−1)); since these weights decrease in k the LP
    fills levels in order. Single coverage (``ambulance_single``) is y_h1. Soft: enters the objective only.
    """
    d, cfg = m.data, m.data.cfg.resources.ambulance
    if not cfg.enabled:
        return
    eq = m.data.cfg.equity
    by_town = eq.theta is not None and bool({"ambulance", "ambulance_single"} & set(eq.kinds))
    depth, q = cfg.coverage_depth, d.q
    existing = (d.amb_ord + d.amb_np).astype(float)
    candidate = np.zeros(d.n_sites, dtype=bool)
    for j, _ in m.x.get("amb_ord", {}):
        candidate[j] = True
    g = build_groups(d.instance, "ambulance", coverage_pairs(d.instance, d.cfg, "ambulance"), existing, candidate,
                     depth, by_township=by_town)
    m.groups["ambulance"] = g
    level_w = (1 - q) * q ** np.arange(depth)  # probability the k-th vehicle in reach answers
    const_exp = g.population * np.array([level_w[:e].sum() for e in g.existing])
    const_single = g.population * (g.existing >= 1)
    for t in range(m.n_years):
        e_exp: Terms = []
        e_single: Terms = []
        town_exp: dict[str, Terms] = {}
        town_single: dict[str, Terms] = {}
        stock = m.stock_by_site(("amb_ord", "amb_np"), t, -1.0)
        for h in np.flatnonzero([len(s) > 0 for s in g.sites]):
            ys = []
            for k in range(int(g.existing[h]), depth):
                y = m.var(f"amb_cov_{h}_{k + 1}_{t}", 0, 1)
                ys.append((y, 1.0))
                c = float(g.population[h] * level_w[k])
                e_exp.append((y, c))
                town_exp.setdefault(g.township[h], []).append((y, c))
                if k == 0:
                    e_single.append((y, float(g.population[h])))
                    town_single.setdefault(g.township[h], []).append((y, float(g.population[h])))
            supply = [tc for j in g.sites[h] for tc in stock.get(int(j), ())]
            m.add(expr(ys + supply) <= 0, f"amb_cover_{h}_{t}")
        m.covered[("ambulance", t)] = expr(e_exp, float(const_exp.sum()))
        m.covered[("ambulance_single", t)] = expr(e_single, float(const_single.sum()))
        if by_town:
            for town in np.unique(g.township):
                sel = g.township == town
                m.covered_town[("ambulance", t, town)] = expr(town_exp.get(town, []), float(const_exp[sel].sum()))
                m.covered_town[("ambulance_single", t, town)] = expr(
                    town_single.get(town, []), float(const_single[sel].sum())
                )
        m.coverage += [(v, c * cfg.weight * m.year_weight[t]) for v, c in e_exp]
