"""Standards: fleet ratio, negative-pressure share, fever mandates, blood points, sub-centres, one-per-THC, equity,
coverage targets — each hard, soft (shortfall variable, weighted) or off, with milestones per year."""

from __future__ import annotations

import numpy as np
import pulp

from healthplan.optimizer.model import Model, StandardSpec, Terms, expr
from healthplan.optimizer.phasing import milestone_factors

SOURCES: dict[str, str] = {
    "amb_fleet_ratio": "1 per 30,000 urban / 10,000 rural persons (B: 国卫医发〔2020〕19号; seed 000 item 8)",
    "amb_np_share": "negative-pressure share ≥ 40 % (A via news: 2020 national guidance; seed 000 item 20)",
    "amb_one_per_thc": "≥ 1 ambulance per township health centre (A via news: Guizhou 2021 plan)",
    "fever_clinic_mandate": "fever clinic at every eligible hospital (B: Shandong rule; A: 2022 national notice)",
    "fever_room_mandate": "fever room at every township/community health centre (A via news: 2022 notice)",
    "blood_min_points": "≥ N fixed blood-collection points (A: seed 000 item 9)",
    "subcentre_target": "target number of sub-centres (seed 003: Guang'an plans 5)",
    "equity": "each township's covered share ≥ θ (scenario equity floor)",
    "target_coverage": "share of the population covered (scenario coverage target)",
}


def _units(m: Model, family: str, mask: np.ndarray, t: int) -> Terms:
    """New units of ``family`` installed by year t at sites in ``mask``."""
    return [(v, 1.0) for (j, s), v in m.x.get(family, {}).items() if s <= t and mask[j]]


def collect_standards(m: Model) -> list[StandardSpec]:
    """The standards of the enabled kinds, with their level expressions per year (existing stock as constant)."""
    d, r = m.data, m.data.cfg.resources
    T = range(m.n_years)
    out: list[StandardSpec] = []
    all_sites = np.ones(d.n_sites, dtype=bool)
    if r.ambulance.enabled:
        a = r.ambulance
        fleet0 = float(d.amb_ord.sum() + d.amb_np.sum())
        fleet = {t: _units(m, "amb_ord", all_sites, t) + _units(m, "amb_np", all_sites, t) for t in T}
        out.append(StandardSpec("amb_fleet_ratio", {t: expr(fleet[t], fleet0) for t in T}, d.notes["fleet_required"],
                                a.fleet.mode, a.fleet.weight, "vehicles", SOURCES["amb_fleet_ratio"]))
        # NP share as a linear row: NP − share × fleet ≥ 0 (vehicles); milestones scale the share.
        np_level = {}
        for t in T:
            npt = expr(_units(m, "amb_np", all_sites, t), float(d.amb_np.sum()))
            np_level[t] = npt - a.np_share * expr(fleet[t], fleet0)
        out.append(StandardSpec("amb_np_share", np_level, 0.0, a.np_share_rule.mode, a.np_share_rule.weight,
                                "vehicles", SOURCES["amb_np_share"], integer=False))
        if a.one_per_thc.mode != "off":
            have = d.thc & ((d.amb_ord + d.amb_np) > 0)
            need = np.flatnonzero(d.thc & ~have)
            lv = {}
            for t in T:
                zs: Terms = []
                for j in need:
                    z = m.var(f"amb_thc_has_{j}_{t}", 0, 1)
                    new = _units(m, "amb_ord", _one(d.n_sites, j), t) + _units(m, "amb_np", _one(d.n_sites, j), t)
                    m.add(expr([(z, 1.0)] + [(v, -1.0) for v, _ in new]) <= 0, f"amb_thc_has_{j}_{t}")
                    zs.append((z, 1.0))
                lv[t] = expr(zs, float(have.sum()))
            out.append(StandardSpec("amb_one_per_thc", lv, float(d.thc.sum()), a.one_per_thc.mode,
                                    a.one_per_thc.weight, "sites", SOURCES["amb_one_per_thc"]))
    if r.fever.enabled:
        f = r.fever
        has_c = d.clinic_mandated & d.clinic_has
        out.append(StandardSpec(
            "fever_clinic_mandate",
            {t: expr(_units(m, "fever_clinic", d.clinic_mandated, t), float(has_c.sum())) for t in T},
            float(d.clinic_mandated.sum()), f.clinic_mandate.mode, f.clinic_mandate.weight, "sites",
            SOURCES["fever_clinic_mandate"]))
        has_r = d.room_mandated & (d.room_has | d.clinic_has)
        out.append(StandardSpec(
            "fever_room_mandate",
            {t: expr(_units(m, "fever_room", d.room_mandated, t) + _units(m, "fever_clinic", d.room_mandated, t),
                     float(has_r.sum())) for t in T},
            float(d.room_mandated.sum()), f.room_mandate.mode, f.room_mandate.weight, "sites",
            SOURCES["fever_room_mandate"]))
    if r.blood.enabled:
        b = r.blood
        out.append(StandardSpec(
            "blood_min_points", {t: expr(_units(m, "blood", all_sites, t), float(d.blood_has.sum())) for t in T},
            float(b.min_points), b.min_points_rule.mode, b.min_points_rule.weight, "sites",
            SOURCES["blood_min_points"]))
    if r.subcentre.enabled and r.subcentre.target_count is not None:
        s = r.subcentre
        out.append(StandardSpec(
            "subcentre_target", {t: expr(_units(m, "subcentre", all_sites, t), float(d.sub_has.sum())) for t in T},
            float(s.target_count), s.target_rule.mode, s.target_rule.weight, "sites", SOURCES["subcentre_target"]))
    out += _equity(m) + _targets(m)
    return [s for s in out if s.mode != "off"]


def _one(n: int, j: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[j] = True
    return mask


def _equity(m: Model) -> list[StandardSpec]:
    """Equity floor per township and key: covered persons in g ≥ θ × population of g (soft or hard)."""
    eq = m.data.cfg.equity
    if eq.theta is None or eq.rule.mode == "off":
        return []
    pop = m.data.instance.demand.groupby(m.data.instance.demand["township"].astype(str))["population"].sum()
    out = []
    for key in eq.kinds:
        towns = sorted({k[2] for k in m.covered_town if k[0] == key})
        for town in towns:
            lv = {t: m.covered_town[(key, t, town)] for t in range(m.n_years)}
            out.append(StandardSpec(f"equity_{key}_{town}", lv, float(eq.theta * pop[town]), eq.rule.mode,
                                    eq.rule.weight, "persons", SOURCES["equity"], integer=False))
    return out


def coverable_population(m: Model, key: str) -> float:
    """Persons that some existing or candidate facility of ``key`` can reach (the most any plan can cover)."""
    g = m.groups.get(key)
    if g is None:
        return 0.0
    reach = (g.existing >= 1) | np.array([len(s) > 0 for s in g.sites])
    return float(g.population[reach].sum())


def _targets(m: Model) -> list[StandardSpec]:
    """Coverage targets: covered persons ≥ min(target × population, coverable population).

    Only in min-budget mode (hard there; optimize maximises coverage anyway). Capping at the coverable population makes ``1.0`` mean
    "everyone reachable", as the set-covering problem does; the plan notes the cap.
    """
    r = m.data.cfg.resources
    total = float(m.data.instance.population)
    specs = []
    for key, target, kind in (("ambulance_single", r.ambulance.target_coverage, r.ambulance),
                              ("fever", r.fever.target_coverage, r.fever),
                              ("blood", r.blood.target_coverage, r.blood),
                              ("secondary", r.subcentre.target_coverage, r.subcentre)):
        if target is None or not kind.enabled or (key, 0) not in m.covered or m.mode != "min_budget":
            continue
        gkey = "ambulance" if key == "ambulance_single" else key
        req = min(target * total, coverable_population(m, gkey))
        mode = "hard"
        lv = {t: m.covered[(key, t)] for t in range(m.n_years)}
        specs.append(StandardSpec(f"{key}_target_coverage", lv, req, mode, 1.0, "persons", SOURCES["target_coverage"],
                                  integer=False))
    return specs


def add_standards(m: Model) -> None:
    """Rows ``std_<name>_<t>``: level_t + σ_t ≥ μ_t × required (σ ≥ 0 only when soft; hard rows have none).

    μ_t is the milestone share of year t (final year 1.0). The stage-1 objective term of a soft standard is
    weight × σ_t in its natural unit (vehicles, sites), so one missing vehicle or fever room counts 1; the
    person-based standards (equity floors, coverage targets) enter as a share of the required persons
    (σ_t / required) so that a few hundred persons do not outweigh a missing clinic. In min-budget mode hard rows
    get an elastic variable whose total is minimised first (zero unless out of reach at any budget).
    """
    m.standards = collect_standards(m)
    mu = milestone_factors(m.data.cfg, m.n_years)
    for s in m.standards:
        for t in range(m.n_years):
            if mu[t] <= 0:
                continue
            if s.name == "amb_np_share":
                # milestone on a share: NP ≥ μ share × fleet, i.e. level + (1 − μ) share × fleet ≥ 0
                a = m.data.cfg.resources.ambulance
                lhs = s.level[t] + (1 - mu[t]) * a.np_share * _fleet_expr(m, t)
                rhs = 0.0
            else:
                lhs = s.level[t]
                rhs = mu[t] * s.required
                if s.integer:
                    rhs = float(np.ceil(rhs - 1e-9))
            s.required_by_year[t] = rhs
            name = f"std_{s.name}_{t}"
            if s.mode == "soft":
                sigma = m.var(f"short_{s.name}_{t}", 0)
                m.add(lhs + sigma >= rhs, name)
                m.shortfall.append((sigma, s.weight / _scale(s)))
            elif m.mode == "min_budget":
                # elastic hard row: a positive optimum of the first stage proves no budget can meet it
                sigma = m.var(f"elastic_{s.name}_{t}", 0)
                m.add(lhs + sigma >= rhs, name)
                m.elastic.append((sigma, 1.0 / _scale(s)))
                m.elastic_vars.setdefault(s.name, []).append(sigma)
            else:
                m.add(lhs >= rhs, name)


def _scale(s: StandardSpec) -> float:
    """Divisor of a shortfall in stage 1: the required persons for person-based standards, else 1."""
    return max(s.required, 1.0) if s.unit == "persons" else 1.0


def _fleet_expr(m: Model, t: int) -> pulp.LpAffineExpression:
    """Total fleet (existing + new) by year t, vehicles."""
    d = m.data
    alls = np.ones(d.n_sites, dtype=bool)
    return expr(_units(m, "amb_ord", alls, t) + _units(m, "amb_np", alls, t), float(d.amb_ord.sum() + d.amb_np.sum()))
