"""Independent brute-force enumerator and evaluator of plans (shares only the contracts with optimizer/).

Everything here is written from the contracts (``geodata.instance``, ``optimizer.config``, ``optimizer.plan``)
and the issue text, never from ``optimizer/`` code, so that it can check the optimizer's answers:

- :func:`prepare` turns an Instance and an OptimizerConfig into dense coverage sets, eligible sites and costs;
- :func:`enumerate_plans` lists every plan of a small instance as an integer matrix (plans × decisions);
- :func:`measure` evaluates any such matrix at once (numpy over plans × demand points): cost per year, persons
  covered per coverage key and year (expected coverage ``1 − q^n`` for ``ambulance``; the objective values
  ``1 − q^min(n, K)`` as the model does),
  standards shortfalls, feasibility;
- :func:`brute_force` picks the lexicographic optimum (least weighted shortfall, most weighted coverage, least
  cost) and :func:`brute_min_budget` the least capital that meets the hard standards and coverage targets;
- :func:`items_to_plan` reads ``Plan.items`` back into a decision vector, so a solver's plan is re-measured
  here;
- classic special cases: :func:`mclp_bruteforce`, :func:`lscp_bruteforce`, :func:`pmedian_value`,
  :func:`read_orlib_pmed`.

Semantics encoded (from the issue, DESIGN.md §4 and optimizer/config.py field descriptions):

- fever coverage: demand point i is covered when a site with a fever clinic or fever room (existing or new)
  lies within ``access_minutes(urban_i)``; blood: an existing or new blood point within
  ``blood.access_minutes``; secondary: a ``secondary_levels`` hospital or a sub-centre (existing or new)
  within ``subcentre.access_minutes``;
- ambulances: n_i = vehicles (existing + new, ordinary + negative-pressure) at stations with ``minutes /
  ambulance_speed_factor <= drive_minutes(urban_i)``; expected coverage share ``1 − q^n_i`` (objective: min(n_i, K)) with q =
  ``busy_fraction`` and K = ``coverage_depth`` (Daskin 1983: the m-th vehicle adds (1 − q) q^(m − 1)); single
  coverage ``n_i > 0``;
- station capacity: existing + new vehicles ≤ ``station_capacity`` (0 ⇒ ``default_station_capacity``); a
  station without existing vehicles pays ``new_station_cost_wan`` once, in the first year it gets a vehicle;
- standards, shortfalls in natural units: fleet (whole vehicles) ≥ ⌈urban/urban_pop_per_vehicle +
  rural/rural_pop_per_vehicle⌉; negative-pressure vehicles ≥ np_share × fleet (fractional vehicles short);
  fever clinics missing at ``clinic_levels`` sites; fever rooms (a clinic counts) missing at ``room_levels``
  sites; blood points (existing + new) ≥ ``min_points``; sub-centres (existing + new) ≥ ``target_count``;
  central/ordinary THCs without a vehicle (``one_per_thc``); equity floor (hard only): every township's
  covered persons ≥ θ × its population per listed key. Each holds as level_t ≥ μ_t × required in every year
  with μ_t > 0 (``milestones``; default: the last year); a soft standard's shortfall counts in every year
  with μ_t > 0 (without milestones: the last year only);
- per-site cost overrides ``site_costs_wan[site][item]`` with the items ambulance_ord, ambulance_np,
  new_station, fever_clinic, fever_room, blood, subcentre, <type>_centre; sub-centre eligibility by level,
  beds and population within ``subcentre.access_minutes`` of the site;
- weighted coverage = Σ_years year_weight × Σ_kinds weight_kind × persons covered (ambulance: expected
  persons);
- phasing: cumulative stock, spend per year ≤ the year's budget (cumulative when ``carry_over``);
- critical-care centres (``resources.critical_care``, issue 9 §3 and the scenario keys of KEYS.md): per
  centre type (chest_pain, stroke, trauma) a binary designation per site and year, built at most once; a site
  may hold several types. Eligible: the kind and the type switched on, a site of ``critical_care.levels`` with
  ``beds ≥ min_beds``, no centre of the type there yet (facility column ``<type>_centre``, absent = none).
  Coverage key ``<type>``: a centre of the type (existing or new) within the type's ``access_minutes``;
  objective weight ``critical_care.weight`` on each type's covered persons. Unit cost the type's
  ``unit_cost_wan`` (per-site key ``<type>_centre``), paid by the kind ``critical_care`` (earmarks,
  ``Plan.spend``). Standard ``<type>_full_coverage`` (persons): covered ≥ ``coverage_share`` × the persons any
  existing or eligible centre of the type can reach; a soft one enters the first stage as weight × shortfall ÷
  max(required persons, 1) (optimizer/standards.py ``add_standards``: person-based standards count as a share
  of the required persons).

Parts of the configuration this module does not model raise ``NotImplementedError`` so that a test can never
silently compare against the wrong semantics.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from healthplan.geodata.instance import Instance
from healthplan.geodata.levels import HOSPITAL_LEVELS, Level
from healthplan.optimizer.config import (
    BLOOD_COST_ASSUMPTION_WAN,
    CENTRE_COST_ASSUMPTION_WAN,
    ROOM_COST_ASSUMPTION_WAN,
    OptimizerConfig,
)

# Decision kinds of the enumerator; ambulance vehicles are two decisions per station and year.
CENTRE_TYPES = ("chest_pain", "stroke", "trauma")  # critical-care centre types = their coverage keys
CENTRE_KINDS = tuple(f"{t}_centre" for t in CENTRE_TYPES)  # their Plan.items kinds and facility columns
BINARY_KINDS = ("fever_clinic", "fever_room", "blood", "subcentre", *CENTRE_KINDS)
AMB_KINDS = ("amb_ord", "amb_np")
# Plan.items kind → the config kind that pays for it (earmarks are per config kind).
SPEND_KIND = {
    "amb_ord": "ambulance", "amb_np": "ambulance", "station": "ambulance",
    "fever_clinic": "fever", "fever_room": "fever", "blood": "blood", "subcentre": "subcentre",
    **{k: "critical_care" for k in CENTRE_KINDS},
}
# Coverage keys of each config kind (objective terms, the plan's coverage summary).
KIND_KEYS = {"ambulance": ("ambulance", "ambulance_single"), "fever": ("fever",), "blood": ("blood",),
             "subcentre": ("secondary",), "critical_care": CENTRE_TYPES}
# the "township health centres" of the one-ambulance rule (Guizhou 2021): central and ordinary THCs
THC_LEVELS = (Level.CENTRAL_THC, Level.THC)
EPS = 1e-7  # persons / 万元 / vehicles: values closer than this are ties (all test data are integers or simple)


@dataclass(frozen=True)
class Decision:
    """One integer decision: ``kind`` at site position ``site`` in year position ``year``, 0 … ``upper``."""

    kind: str
    site: int
    year: int
    upper: int


@dataclass
class Prepared:
    """Dense, explicit semantics of one (Instance, OptimizerConfig) pair; arrays by site/demand position."""

    instance: Instance
    cfg: OptimizerConfig
    years: list[int]
    year_weights: np.ndarray  # (T,)
    pop: np.ndarray  # (D,) persons
    urban: np.ndarray  # (D,) bool
    minutes: np.ndarray  # (S, D) ordinary minutes, inf = unreachable
    cover: dict[str, np.ndarray]  # key → (S, D) bool: site j would cover i for that key
    enabled: list[str]
    eligible: dict[str, np.ndarray]  # decision kind → (S,) bool
    existing: dict[str, np.ndarray]  # decision kind → (S,) int stock today
    unit_cost: dict[str, np.ndarray]  # decision kind → (S,) 万元 per unit
    station_cost: np.ndarray  # (S,) 万元 to open a station (0 where vehicles exist already)
    capacity: np.ndarray  # (S,) most vehicles at the station (existing + new)
    secondary_base: np.ndarray  # (S,) bool: gives secondary care without any upgrade
    decisions: list[Decision] = field(default_factory=list)


def _levels(sites: pd.DataFrame) -> np.ndarray:
    return np.array([Level(v) for v in sites["level"]], dtype=object)


def _in(levels: np.ndarray, allowed) -> np.ndarray:
    allowed = {Level(a) for a in allowed}
    return np.array([lv in allowed for lv in levels], dtype=bool)


def prepare(instance: Instance, cfg: OptimizerConfig, *, amb_max_new: int | None = None) -> Prepared:
    """Derive coverage sets, eligibility, stock and costs; list the decisions for :func:`enumerate_plans`.

    ``amb_max_new`` caps new vehicles of each type per station and year for the enumeration (the capacity
    still applies); ``None`` means the station's free capacity.
    """
    res = cfg.resources
    _refuse_unmodelled(cfg)
    demand, sites = instance.demand, instance.sites
    pop = demand["population"].to_numpy(dtype=float)
    urban = demand["urban"].to_numpy(dtype=bool)
    minutes = instance.travel.dense()
    levels = _levels(sites)
    n_sites = len(sites)
    years = list(cfg.phasing.years) or [cfg.plan_year]
    if cfg.phasing.year_weights is not None:
        yw = np.asarray(cfg.phasing.year_weights, dtype=float)
    elif len(years) == 1:
        yw = np.ones(1)
    else:
        raise NotImplementedError("multi-year tests must set phasing.year_weights explicitly")

    fever_lim = np.where(urban, res.fever.access_minutes_urban, res.fever.access_minutes_rural)
    amb_lim = np.where(urban, res.ambulance.drive_minutes(True), res.ambulance.drive_minutes(False))
    tol = 1e-9
    cover = {
        "fever": minutes <= fever_lim[None, :] + tol,
        "blood": minutes <= res.blood.access_minutes + tol,
        "secondary": minutes <= res.subcentre.access_minutes + tol,
        "ambulance": minutes / instance.ambulance_speed_factor <= amb_lim[None, :] + tol,
        **{t: minutes <= getattr(res.critical_care, t).access_minutes + tol for t in CENTRE_TYPES},
    }
    col = lambda name, dtype: sites[name].to_numpy(dtype=dtype)  # noqa: E731
    existing = {
        "fever_clinic": col("fever_clinic", bool).astype(int),
        "fever_room": col("fever_room", bool).astype(int),
        "blood": col("blood_point", bool).astype(int),
        "subcentre": col("subcentre", bool).astype(int),
        "amb_ord": col("amb_ord", int),
        "amb_np": col("amb_np", int),
        # an absent centre column means no centre of that type anywhere
        **{k: (col(k, bool) if k in sites else np.zeros(n_sites, dtype=bool)).astype(int)
           for k in CENTRE_KINDS},
    }
    has_fever = (existing["fever_clinic"] + existing["fever_room"]) > 0
    eligible = {k: np.zeros(n_sites, dtype=bool) for k in (*BINARY_KINDS, *AMB_KINDS)}
    if res.fever.enabled:
        # a hospital with only a fever room may still get the clinic its mandate asks for
        clinic_level = _in(levels, res.fever.clinic_levels)
        eligible["fever_clinic"] = clinic_level & (existing["fever_clinic"] == 0)
        eligible["fever_room"] = _in(levels, res.fever.room_levels) & ~has_fever & ~clinic_level
    if res.blood.enabled:
        cand = res.blood.candidates
        if cand == "all":
            mask = np.ones(n_sites, dtype=bool)
        elif cand == "candidates":
            mask = col("candidate", bool) | (levels == Level.CANDIDATE)
        elif cand == "hospitals":
            mask = _in(levels, HOSPITAL_LEVELS)
        else:
            mask = sites.index.isin(list(cand))
        eligible["blood"] = mask & (existing["blood"] == 0)
    if res.subcentre.enabled:
        el = res.subcentre.eligibility
        # persons within the sub-centre access time of each site (eligibility: min_population)
        catchment = cover["secondary"].astype(float) @ pop
        eligible["subcentre"] = (
            _in(levels, el.levels) & (col("beds", int) >= el.min_beds) & (existing["subcentre"] == 0)
            & (catchment >= el.min_population)
        )
    cc = res.critical_care
    if cc.enabled:
        hospital = _in(levels, cc.levels) & (col("beds", float) >= cc.min_beds)
        for t, k in zip(CENTRE_TYPES, CENTRE_KINDS, strict=True):
            eligible[k] = hospital & (existing[k] == 0) & bool(getattr(cc, t).enabled)
    cap = col("station_capacity", int)
    cap = np.where(cap > 0, cap, res.ambulance.default_station_capacity)
    amb_now = existing["amb_ord"] + existing["amb_np"]
    if res.ambulance.enabled:
        station = _in(levels, res.ambulance.station_levels) & (cap > amb_now)
        eligible["amb_ord"] = station
        eligible["amb_np"] = station
    room_cost = res.fever.room_cost_wan if res.fever.room_cost_wan is not None else ROOM_COST_ASSUMPTION_WAN
    blood_cost = res.blood.unit_cost_wan if res.blood.unit_cost_wan is not None else BLOOD_COST_ASSUMPTION_WAN
    ones = np.ones(n_sites)
    unit_cost = {
        "fever_clinic": ones * res.fever.clinic_cost_wan,
        "fever_room": ones * room_cost,
        "blood": ones * blood_cost,
        "subcentre": ones * res.subcentre.unit_cost_wan + _bed_cost(sites, res.subcentre),
        "amb_ord": ones * res.ambulance.unit_cost_ord_wan,
        "amb_np": ones * res.ambulance.unit_cost_np_wan,
        **{k: ones * _centre_cost(getattr(cc, t).unit_cost_wan) for t, k in zip(CENTRE_TYPES, CENTRE_KINDS, strict=True)},
    }
    station_cost = np.where(amb_now == 0, res.ambulance.new_station_cost_wan, 0.0)
    # per-site overrides: {site_id: {item: 万元}} with the item names of the scenario schema
    override_key = {"ambulance_ord": "amb_ord", "ambulance_np": "amb_np", "fever_clinic": "fever_clinic",
                    "fever_room": "fever_room", "blood": "blood", "subcentre": "subcentre",
                    **{k: k for k in CENTRE_KINDS}}
    for sid, items in cfg.site_costs_wan.items():
        j = sites.index.get_loc(sid)
        for item, wan in items.items():
            if item == "new_station":
                station_cost[j] = wan if amb_now[j] == 0 else 0.0
            else:
                unit_cost[override_key[item]] = unit_cost[override_key[item]].copy()
                unit_cost[override_key[item]][j] = wan
    secondary_base = _in(levels, res.subcentre.secondary_levels)

    decisions: list[Decision] = []
    for kind in (*BINARY_KINDS, *AMB_KINDS):
        for j in np.flatnonzero(eligible[kind]):
            free = int(cap[j] - amb_now[j]) if kind in AMB_KINDS else 1
            upper = free if (kind not in AMB_KINDS or amb_max_new is None) else min(free, amb_max_new)
            for t in range(len(years)):
                decisions.append(Decision(kind, int(j), t, upper))
    return Prepared(
        instance, cfg, years, yw, pop, urban, minutes, cover, res.enabled(), eligible, existing,
        unit_cost, station_cost, cap, secondary_base, decisions,
    )


def _centre_cost(wan: float | None) -> float:
    """A centre type's unit cost; unset → the flagged ASSUMPTION fallback (optimizer.config contract)."""
    return CENTRE_COST_ASSUMPTION_WAN if wan is None else wan


def _soft_rules(cfg: OptimizerConfig) -> list[str]:
    res = cfg.resources
    rules = {
        "fleet": res.ambulance.enabled and res.ambulance.fleet.mode,
        "np_share": res.ambulance.enabled and res.ambulance.np_share_rule.mode,
        "one_per_thc": res.ambulance.enabled and res.ambulance.one_per_thc.mode,
        "fever_clinic": res.fever.enabled and res.fever.clinic_mandate.mode,
        "fever_room": res.fever.enabled and res.fever.room_mandate.mode,
        "blood_min": res.blood.enabled and res.blood.min_points_rule.mode,
        "subcentre_target": res.subcentre.enabled and res.subcentre.target_count is not None
        and res.subcentre.target_rule.mode,
        **{f"{t}_full_coverage": res.critical_care.enabled and getattr(res.critical_care, t).enabled
           and getattr(res.critical_care, t).full_coverage.mode for t in CENTRE_TYPES},
    }
    return [name for name, mode in rules.items() if mode == "soft"]


def _refuse_unmodelled(cfg: OptimizerConfig) -> None:
    res = cfg.resources
    if res.ambulance.enabled and res.ambulance.busy_fraction is None:
        raise NotImplementedError("set ambulance.busy_fraction: the derived q is not modelled here")
    if res.fever.enabled and res.fever.thc_clinic_population is not None:
        raise NotImplementedError("thc_clinic_population is not modelled here")
    el = res.subcentre.eligibility
    if res.subcentre.enabled and el.min_minutes_from_county_hospital > 0:
        raise NotImplementedError("the county-hospital distance rule needs site-to-site times: not modelled")
    if res.subcentre.enabled and res.subcentre.min_spacing_minutes is not None:
        raise NotImplementedError("sub-centre spacing needs site-to-site times: not modelled here")
    if cfg.equity.theta is not None and cfg.equity.rule.mode == "soft":
        raise NotImplementedError("a soft equity floor's shortfall unit is the optimizer's choice: use hard")
    if cfg.opex_cap_wan is not None:
        raise NotImplementedError("the opex cap (new vehicles or whole fleet?) is not modelled here")
    if res.subcentre.enabled and res.subcentre.objective != "coverage":
        raise NotImplementedError("sub-centre access_time is not enumerated here")


def enumerate_plans(prep: Prepared, *, max_plans: int = 200_000) -> np.ndarray:
    """Every valid combination of decision values, as an int matrix (plans × decisions).

    Decisions are grouped by site (a binary item over all years; all vehicles of a station over all years);
    each group's valid options (built at most once; station not overfilled) are listed first, then combined.
    """
    if not prep.decisions:
        return np.zeros((1, 0), dtype=np.int16)
    groups: dict[tuple[str, int], list[int]] = {}
    for v, d in enumerate(prep.decisions):
        groups.setdefault(("amb" if d.kind in AMB_KINDS else d.kind, d.site), []).append(v)
    options: list[np.ndarray] = []
    for (group, j), cols in groups.items():
        limit = _free_capacity(prep, j) if group == "amb" else 1
        ranges = [range(prep.decisions[v].upper + 1) for v in cols]
        grid = np.array(list(itertools.product(*ranges)), dtype=np.int16)
        options.append(grid[grid.sum(axis=1) <= limit])
    n = int(np.prod([len(o) for o in options], dtype=float))
    if n > max_plans:
        raise ValueError(f"{n} combinations > max_plans={max_plans}: make the instance smaller")
    pick = np.indices([len(o) for o in options]).reshape(len(options), -1)  # (groups, plans) option numbers
    X = np.zeros((n, len(prep.decisions)), dtype=np.int16)
    for g, ((_, cols), opts) in enumerate(zip(groups.items(), options, strict=True)):
        X[:, cols] = opts[pick[g]]
    return X


@dataclass
class Measures:
    """Figures of plans (one row each): 万元, persons, vehicles; ``covered[key]`` is (plans × years) persons."""

    cost_year: np.ndarray  # (C, T) 万元
    cost_kind: dict[str, np.ndarray]  # config kind → (C,) 万元
    covered: dict[str, np.ndarray]  # coverage key → (C, T) persons
    share: dict[str, np.ndarray]  # coverage key → (C, D) covered share after the last year
    shortfall: dict[str, np.ndarray]  # standard → (C,) natural units (vehicles, sites, points, persons)
    counts: dict[str, np.ndarray]  # after-plan totals: fleet, np, blood points, sub-centres, centres → (C,)
    weighted_coverage: np.ndarray  # (C,)
    access_time: np.ndarray  # (C,) Σ persons × minutes to the nearest blood point (inf if a point has none)
    soft_shortfall: np.ndarray  # (C,) Σ weight × shortfall over soft standards
    hard_ok: np.ndarray  # (C,) bool
    budget_ok: np.ndarray  # (C,) bool

    @property
    def cost(self) -> np.ndarray:
        """Total capital cost per plan, 万元."""
        return self.cost_year.sum(axis=1)

    @property
    def feasible(self) -> np.ndarray:
        """Plans meeting every hard standard and every budget."""
        return self.hard_ok & self.budget_ok


def _stock(prep: Prepared, X: np.ndarray, kind: str, upto: int) -> np.ndarray:
    """(C, S) units of ``kind`` after year position ``upto``: existing + everything bought up to then."""
    out = np.broadcast_to(prep.existing[kind], (len(X), len(prep.existing[kind]))).astype(float).copy()
    for v, d in enumerate(prep.decisions):
        if d.kind == kind and d.year <= upto:
            out[:, d.site] += X[:, v]
    return out


def _bed_cost(sites: pd.DataFrame, sub) -> np.ndarray:
    """万元 an upgrade spends on beds: per bed × beds missing to the floor; nothing where beds are unknown (≤ 0)."""
    if sub.bed_floor is None or "beds" not in sites:
        return np.zeros(len(sites))
    beds = sites["beds"].fillna(0).to_numpy(dtype=float)
    return np.where(beds > 0, np.clip(sub.bed_floor - beds, 0, None), 0.0) * sub.cost_per_added_bed_wan


def _shares_of(prep: Prepared, X: np.ndarray, t: int) -> dict[str, np.ndarray]:
    """Covered share per coverage key of plans ``X`` by year position ``t`` (0/1; MEXCLP for ambulance)."""
    q = prep.cfg.resources.ambulance.busy_fraction or 0.5
    out: dict[str, np.ndarray] = {}
    prov = {
        "fever": (_stock(prep, X, "fever_clinic", t) + _stock(prep, X, "fever_room", t)) > 0,
        "blood": _stock(prep, X, "blood", t) > 0,
        "secondary": (_stock(prep, X, "subcentre", t) > 0) | prep.secondary_base[None, :],
        **{key: _stock(prep, X, f"{key}_centre", t) > 0 for key in CENTRE_TYPES},
    }
    for key, p in prov.items():
        out[key] = ((p.astype(float) @ prep.cover[key].astype(float)) > 0).astype(float)
    veh = _stock(prep, X, "amb_ord", t) + _stock(prep, X, "amb_np", t)
    n_in_reach = veh @ prep.cover["ambulance"].astype(float)
    out["ambulance"], out["ambulance_single"] = 1.0 - q ** n_in_reach, (n_in_reach > 0).astype(float)
    return out


def _due(mu: float, required, today, whole: bool):
    """What a standard asks by a year when share ``mu`` of the task (required − today's level) is due: counts to
    the nearest whole unit, halves down; the final year (mu = 1) asks all of it, counts rounded up."""
    full = np.ceil(np.asarray(required, dtype=float) - 1e-9) if whole else np.asarray(required, dtype=float)
    if today is None or mu >= 1:
        return full
    part = mu * (full - today)
    if whole:
        part = np.floor(part + 0.5 - 1e-9)
    return np.where(today >= full, full, today + part)


def _standards(
    prep: Prepared, X: np.ndarray, t: int, mu: float | Callable[[str], float], share: dict[str, np.ndarray],
    today: dict[str, np.ndarray] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, float]], dict[str, np.ndarray]]:
    """Shortfall of each standard in year position ``t`` against its milestone; (mode, weight); and the level.

    ``mu`` is the share of the task due (one for all, or a function of the standard's name); ``today`` the levels of the empty plan
    (``None``: the share applies to the whole requirement, enough when only the levels are wanted). The weight
    is per natural unit of the shortfall (vehicles, sites; persons ÷ required persons for full coverage), as the
    first objective stage counts it.
    """
    levels_out: dict[str, np.ndarray] = {}

    def due(name: str, required, whole: bool):
        m = mu(name) if callable(mu) else mu
        ref = None if today is None else today[name][0]
        return _due(m, required, ref, whole)

    def short(name: str, level: np.ndarray, required, whole: bool) -> np.ndarray:
        levels_out[name] = level
        return np.maximum(due(name, required, whole) - level, 0.0)

    res = prep.cfg.resources
    amb, fev = res.ambulance, res.fever
    pop = prep.pop
    ord_t = _stock(prep, X, "amb_ord", t)
    np_t = _stock(prep, X, "amb_np", t)
    fleet = (ord_t + np_t).sum(axis=1)
    np_tot = np_t.sum(axis=1)
    urban_pop, rural_pop = pop[prep.urban].sum(), pop[~prep.urban].sum()
    fleet_req = urban_pop / amb.urban_pop_per_vehicle + rural_pop / amb.rural_pop_per_vehicle
    levels = _levels(prep.instance.sites)
    shortfall: dict[str, np.ndarray] = {}
    rules: dict[str, tuple[str, float]] = {}

    def count_rule(name: str, mandated: np.ndarray, has: np.ndarray, rule) -> None:
        # sites with the item among the mandated ones, against the milestone of the mandated number of sites
        shortfall[name] = short(name, (mandated[None, :] & has).sum(axis=1).astype(float), mandated.sum(), True)
        rules[name] = (rule.mode, rule.weight)

    if amb.enabled:
        # vehicles are whole: 2.46 required vehicles are met only by 3, and 2 vehicles are 1 short
        shortfall["fleet"] = short("fleet", fleet.astype(float), fleet_req, True)
        # a ratio: NP ≥ s_t × fleet, s_t = today's share + μ × (required share − today's share)
        ratio = np.where(fleet > 0, np_tot / np.maximum(fleet, 1), 0.0)
        levels_out["np_share"] = ratio
        shortfall["np_share"] = np.maximum(due("np_share", amb.np_share, False) * fleet - np_tot, 0.0)
        rules["fleet"] = (amb.fleet.mode, amb.fleet.weight)
        rules["np_share"] = (amb.np_share_rule.mode, amb.np_share_rule.weight)
        # one ambulance per township health centre (central and ordinary THCs), existing or new
        count_rule("one_per_thc", _in(levels, THC_LEVELS), (ord_t + np_t) > 0, amb.one_per_thc)
    if fev.enabled:
        clinic = _stock(prep, X, "fever_clinic", t) > 0
        room = (_stock(prep, X, "fever_room", t) + _stock(prep, X, "fever_clinic", t)) > 0
        count_rule("fever_clinic", _in(levels, fev.clinic_levels), clinic, fev.clinic_mandate)
        count_rule("fever_room", _in(levels, fev.room_levels), room, fev.room_mandate)
    if res.blood.enabled:
        points = _stock(prep, X, "blood", t).sum(axis=1)
        shortfall["blood_min"] = short("blood_min", points.astype(float), res.blood.min_points, True)
        rules["blood_min"] = (res.blood.min_points_rule.mode, res.blood.min_points_rule.weight)
    if res.subcentre.enabled and res.subcentre.target_count is not None:
        sub_n = _stock(prep, X, "subcentre", t).sum(axis=1)
        shortfall["subcentre_target"] = short("subcentre_target", sub_n.astype(float), res.subcentre.target_count,
                                              True)
        rules["subcentre_target"] = (res.subcentre.target_rule.mode, res.subcentre.target_rule.weight)
    cc = res.critical_care
    for key in CENTRE_TYPES:
        tc = getattr(cc, key)
        if cc.enabled and tc.enabled and tc.full_coverage.mode != "off":
            # persons covered ≥ the milestone of share × persons any existing or eligible centre can reach
            required = tc.coverage_share * coverable_population(prep, key)
            name = f"{key}_full_coverage"
            shortfall[name] = short(name, share[key] @ pop, required, False)
            # stage 1 counts a person-based shortfall as a share of the required persons
            rules[name] = (tc.full_coverage.mode, tc.full_coverage.weight / max(required, 1.0))
    eq = prep.cfg.equity
    if eq.theta is not None and eq.rule.mode != "off":
        # every township's covered persons ≥ its milestone of θ × its population, per listed coverage key
        # (persons short, summed)
        town = prep.instance.demand["township"].astype(str).to_numpy()
        member = (town[:, None] == np.unique(town)[None, :]).astype(float)  # (D, G)
        need = eq.theta * (pop @ member)
        key_kind = {"ambulance": "ambulance", "ambulance_single": "ambulance", "fever": "fever",
                    "blood": "blood", "secondary": "subcentre", **{t: "critical_care" for t in CENTRE_TYPES}}
        total = np.zeros(len(X))
        for key in eq.kinds:
            if key_kind[key] in prep.enabled:
                name = f"equity_{key}"
                total += short(name, (share[key] * pop[None, :]) @ member, need, False).sum(axis=1)
        shortfall["equity"] = total
        rules["equity"] = (eq.rule.mode, eq.rule.weight)
    return shortfall, rules, levels_out


def measure(prep: Prepared, X: np.ndarray) -> Measures:
    """Evaluate plans ``X`` (plans × decisions) with the semantics above, vectorised over plans."""
    cfg, res = prep.cfg, prep.cfg.resources
    C, T = len(X), len(prep.years)
    pop = prep.pop
    cost_year = np.zeros((C, T))
    cost_kind = {k: np.zeros(C) for k in ("ambulance", "fever", "blood", "subcentre", "critical_care")}
    for v, d in enumerate(prep.decisions):
        c = X[:, v] * prep.unit_cost[d.kind][d.site]
        cost_year[:, d.year] += c
        cost_kind[SPEND_KIND[d.kind]] += c
    # a new station (no vehicles today) pays its fixed cost once, in the first year it receives a vehicle
    amb_now = prep.existing["amb_ord"] + prep.existing["amb_np"]
    veh_before = np.broadcast_to(amb_now, (C, len(amb_now))).astype(float)
    for t in range(T):
        veh_t = _stock(prep, X, "amb_ord", t) + _stock(prep, X, "amb_np", t)
        opened = (veh_t > 0) & (veh_before == 0) & (amb_now == 0)[None, :]
        c = (opened * prep.station_cost[None, :]).sum(axis=1)
        cost_year[:, t] += c
        cost_kind["ambulance"] += c
        veh_before = veh_t

    covered = {k: np.zeros((C, T)) for k in ("ambulance", "ambulance_single", "fever", "blood", "secondary",
                                             *CENTRE_TYPES)}
    share: dict[str, np.ndarray] = {}
    share_year: list[dict[str, np.ndarray]] = []
    q = res.ambulance.busy_fraction or 0.5
    depth = res.ambulance.coverage_depth
    model_ambulance = np.zeros((C, T))  # persons the model's truncated MEXCLP counts
    for t in range(T):
        prov = {
            "fever": (_stock(prep, X, "fever_clinic", t) + _stock(prep, X, "fever_room", t)) > 0,
            "blood": _stock(prep, X, "blood", t) > 0,
            "secondary": (_stock(prep, X, "subcentre", t) > 0) | prep.secondary_base[None, :],
            **{key: _stock(prep, X, f"{key}_centre", t) > 0 for key in CENTRE_TYPES},
        }
        for key, p in prov.items():
            sh = (p.astype(float) @ prep.cover[key].astype(float)) > 0
            covered[key][:, t] = sh @ pop
            share[key] = sh.astype(float)
        veh = _stock(prep, X, "amb_ord", t) + _stock(prep, X, "amb_np", t)
        n_in_reach = veh @ prep.cover["ambulance"].astype(float)  # (C, D) vehicles within the drive threshold
        # the model values the first K vehicles (coverage_depth); reports count all of them (1 − q^n)
        expected = 1.0 - q ** n_in_reach
        model_ambulance[:, t] = (1.0 - q ** np.minimum(n_in_reach, depth)) @ pop
        single = (n_in_reach > 0).astype(float)
        covered["ambulance"][:, t] = expected @ pop
        covered["ambulance_single"][:, t] = single @ pop
        share["ambulance"], share["ambulance_single"] = expected, single
        share_year.append(dict(share))

    # standards: level_t ≥ μ_t × required in every year with μ_t > 0 (μ = milestones; default: last year
    # only).
    # Soft shortfalls (natural units: vehicles, sites, points) are summed over the years with μ_t > 0.
    # μ is a share of the task: what the plan adds to the level of the empty plan (``today``)
    ph = cfg.phasing
    default = ph.milestones or [0.0] * (T - 1) + [1.0]
    names = {**{k: k for k in ("fleet", "np_share", "one_per_thc", "fever_clinic", "fever_room", "blood_min",
                                "subcentre_target", *[f"{c}_full_coverage" for c in CENTRE_TYPES])},
             "amb_fleet_ratio": "fleet", "amb_np_share": "np_share", "amb_one_per_thc": "one_per_thc",
             "fever_clinic_mandate": "fever_clinic", "fever_room_mandate": "fever_room",
             "blood_min_points": "blood_min"}
    per_std = {names.get(n, n): v for n, v in ph.milestones_by_standard.items()}

    def own_at(t: int) -> dict[str, float]:
        """The standards with their own shares in year position ``t`` (the others take ``default[t]``)."""
        return {n: v[t] for n, v in per_std.items()}

    today = None
    if T > 1 or ph.milestones_by_standard:
        empty = np.zeros((1, X.shape[1]), dtype=X.dtype)
        today = _standards(prep, empty, 0, 1.0, _shares_of(prep, empty, 0))[2]
    shortfall: dict[str, np.ndarray] = {}
    hard_ok = np.ones(C, dtype=bool)
    soft = np.zeros(C)
    for t in range(T):
        own = own_at(t)

        def mu_t(name: str, own: dict[str, float] = own, t: int = t) -> float:
            return own.get(name, default[t])

        if max([default[t], *own.values()]) <= 0:
            continue
        short_t, rules, _ = _standards(prep, X, t, mu_t, share_year[t], today)
        # a standard with nothing due this year is not checked this year
        short_t = {n: (v if mu_t(n) > 0 else np.zeros_like(v)) for n, v in short_t.items()}
        for name, (mode, weight) in rules.items():
            if mode == "hard":
                hard_ok &= short_t[name] <= EPS
            elif mode == "soft":  # short_t is 0 in a year with nothing due
                soft += weight * short_t[name]
        if t == T - 1:
            shortfall = short_t
    last = T - 1
    ord_tot = _stock(prep, X, "amb_ord", last).sum(axis=1)
    np_tot = _stock(prep, X, "amb_np", last).sum(axis=1)
    fleet = ord_tot + np_tot
    blood_n = _stock(prep, X, "blood", last).sum(axis=1)
    sub_n = _stock(prep, X, "subcentre", last).sum(axis=1)

    budget_ok = np.ones(C, dtype=bool)
    total = cost_year.sum(axis=1)
    if cfg.budget_wan is not None:
        budget_ok &= total <= cfg.budget_wan + EPS
    if cfg.phasing.budgets_wan is not None:
        yb = np.asarray(cfg.phasing.budgets_wan, dtype=float)
        if cfg.phasing.carry_over:
            budget_ok &= (np.cumsum(cost_year, axis=1) <= np.cumsum(yb)[None, :] + EPS).all(axis=1)
        else:
            budget_ok &= (cost_year <= yb[None, :] + EPS).all(axis=1)
    for kind, cap in cfg.earmarks_wan.items():
        budget_ok &= cost_kind[kind] <= cap + EPS

    weighted = np.zeros(C)
    for kind in prep.enabled:
        if kind == "blood" and res.blood.objective == "access_time":
            continue
        # ambulances count expected (MEXCLP) persons; single coverage is reported, not an objective term
        for key in [k for k in active_keys(prep, kind) if k != "ambulance_single"]:
            persons = model_ambulance if key == "ambulance" else covered[key]
            weighted += getattr(res, kind).weight * (persons @ prep.year_weights)
    # p-median value of the blood points after the last year (access_time objective)
    has_point = _stock(prep, X, "blood", last) > 0  # (C, S)
    access = np.full(C, np.inf)
    if has_point.any():
        nearest = np.where(has_point[:, :, None], prep.minutes[None, :, :], np.inf).min(axis=1)  # (C, D)
        access = (nearest * pop[None, :]).sum(axis=1)
    counts = {"fleet": fleet, "np": np_tot, "blood": blood_n, "subcentre": sub_n,
              **{k: _stock(prep, X, k, last).sum(axis=1) for k in CENTRE_KINDS}}
    return Measures(cost_year, cost_kind, covered, share, shortfall, counts, weighted, access, soft, hard_ok,
                    budget_ok)


@dataclass
class BruteResult:
    """The lexicographic optimum found by enumeration, and every plan that attains it."""

    soft_shortfall: float
    weighted_coverage: float  # − persons × minutes when blood.objective is access_time
    cost: float
    optimal: np.ndarray  # plan rows of X attaining the optimum
    X: np.ndarray
    measures: Measures
    n_plans: int
    n_feasible: int


def _close(a: np.ndarray, b: float) -> np.ndarray:
    return np.abs(a - b) <= EPS + 1e-9 * abs(b)


def brute_force(prep: Prepared, *, max_plans: int = 200_000) -> BruteResult | None:
    """Lexicographic optimum by enumeration: least soft shortfall, most weighted coverage, least cost.

    Returns ``None`` when no plan meets the hard standards and budgets (the instance is infeasible).
    """
    X = enumerate_plans(prep, max_plans=max_plans)
    m = measure(prep, X)
    feas = np.flatnonzero(m.feasible)
    if feas.size == 0:
        return None
    s_best = m.soft_shortfall[feas].min()
    stage = feas[_close(m.soft_shortfall[feas], s_best)]
    if prep.cfg.resources.blood.enabled and prep.cfg.resources.blood.objective == "access_time":
        if prep.enabled != ["blood"]:
            raise NotImplementedError("access_time is enumerated only with blood as the only kind")
        # stage 2 is the least population-weighted travel time; reported as its negative, "more is better"
        c_best = -m.access_time[stage].min()
        stage = stage[_close(-m.access_time[stage], c_best)]
    else:
        c_best = m.weighted_coverage[stage].max()
        stage = stage[_close(m.weighted_coverage[stage], c_best)]
    cost_best = m.cost[stage].min()
    stage = stage[_close(m.cost[stage], cost_best)]
    return BruteResult(float(s_best), float(c_best), float(cost_best), stage, X, m, len(X), int(feas.size))


def active_keys(prep: Prepared, kind: str) -> tuple[str, ...]:
    """Coverage keys a plan reports for the config kind ``kind``: all of them, but only the centre types
    switched on for critical care."""
    if kind == "critical_care":
        return tuple(t for t in CENTRE_TYPES if getattr(prep.cfg.resources.critical_care, t).enabled)
    return KIND_KEYS[kind]


def coverable_population(prep: Prepared, key: str) -> float:
    """Persons within reach (for coverage ``key``) of a site that has, or may get, that kind of facility."""
    e, el = prep.existing, prep.eligible
    provider = {
        "fever": (e["fever_clinic"] + e["fever_room"] > 0) | el["fever_clinic"] | el["fever_room"],
        "blood": (e["blood"] > 0) | el["blood"],
        "secondary": prep.secondary_base | (e["subcentre"] > 0) | el["subcentre"],
        "ambulance_single": (e["amb_ord"] + e["amb_np"] > 0) | el["amb_ord"],
        **{t: (e[f"{t}_centre"] > 0) | el[f"{t}_centre"] for t in CENTRE_TYPES},
    }[key]
    cover = prep.cover["ambulance" if key == "ambulance_single" else key]
    return float(prep.pop[cover[provider].any(axis=0)].sum())


def brute_min_budget(prep: Prepared, *, max_plans: int = 200_000) -> float | None:
    """Least capital (万元) meeting every hard standard and each ``target_coverage``; None if impossible.

    Budgets are ignored (that is the question asked). A target is a share of the total population, capped at
    the coverable population, so that 1.0 means "everyone reachable" (issue 3, §6: the set-covering case);
    ambulance targets count single coverage (≥ 1 vehicle in reach, its config description).
    """
    X = enumerate_plans(prep, max_plans=max_plans)
    m = measure(prep, X)
    ok = m.hard_ok.copy()
    total_pop = prep.pop.sum()
    key = {"ambulance": "ambulance_single", "fever": "fever", "blood": "blood", "subcentre": "secondary"}
    for kind in prep.enabled:
        target = getattr(getattr(prep.cfg.resources, kind), "target_coverage", None)
        if target is not None:
            need = min(target * total_pop, coverable_population(prep, key[kind]))
            ok &= m.covered[key[kind]][:, -1] >= need - EPS
    if not ok.any():
        return None
    return float(m.cost[ok].min())


def items_to_plan(prep: Prepared, items: pd.DataFrame) -> np.ndarray:
    """Turn ``Plan.items`` (site_id, kind, year, quantity, quantity_ord, quantity_np) into one decision row.

    Raises ``AssertionError`` (a test failure) when an item is not a decision this instance allows: a site
    that is not eligible, a year outside the plan, a station overfilled.
    """
    index = {(d.kind, d.site, d.year): v for v, d in enumerate(prep.decisions)}
    site_pos = {s: i for i, s in enumerate(prep.instance.sites.index)}
    year_pos = {y: t for t, y in enumerate(prep.years)}
    x = np.zeros((1, len(prep.decisions)), dtype=np.int64)
    for row in items.itertuples(index=False):
        j = site_pos[row.site_id]
        t = year_pos[int(row.year)]
        if row.kind == "ambulance":
            parts = {"amb_ord": int(row.quantity_ord), "amb_np": int(row.quantity_np)}
        else:
            parts = {str(row.kind): int(row.quantity)}
        for kind, q in parts.items():
            if q == 0:
                continue
            v = index.get((kind, j, t))
            assert v is not None, f"item {kind} at {row.site_id} in {row.year} is not an allowed decision"
            x[0, v] += q
    for (group, j), total in _site_totals(prep, x).items():
        limit = _free_capacity(prep, j) if group == "amb" else 1
        assert total <= limit, f"{group} at site position {j}: {total} new units > limit {limit}"
    return x


def _free_capacity(prep: Prepared, j: int) -> int:
    """Vehicles station ``j`` can still take: capacity − existing ordinary − existing negative-pressure."""
    return int(prep.capacity[j] - prep.existing["amb_ord"][j] - prep.existing["amb_np"][j])


def _site_totals(prep: Prepared, x: np.ndarray) -> dict[tuple[str, int], int]:
    out: dict[tuple[str, int], int] = {}
    for v, d in enumerate(prep.decisions):
        group = "amb" if d.kind in AMB_KINDS else d.kind
        out[(group, d.site)] = out.get((group, d.site), 0) + int(x[0, v])
    return out


# --- classic special cases ---------------------------------------------------------------------------------


def mexclp_share(n_vehicles: np.ndarray | int, q: float, depth: int) -> np.ndarray:
    """Expected covered share ``Σ_{m=1}^{min(n,K)} (1 − q) q^(m−1) = 1 − q^min(n, K)`` (Daskin 1983)."""
    return 1.0 - q ** np.minimum(np.asarray(n_vehicles, dtype=float), depth)


def mclp_bruteforce(cover: np.ndarray, weights: np.ndarray, p: int) -> tuple[float, tuple[int, ...]]:
    """Maximal covering by enumeration: best covered weight with exactly ``p`` sites (cover is D × S)."""
    best, arg = -1.0, ()
    cover = cover.astype(bool)
    for combo in itertools.combinations(range(cover.shape[1]), p):
        val = float(weights[cover[:, list(combo)].any(axis=1)].sum())
        if val > best + EPS:
            best, arg = val, combo
    return best, arg


def lscp_bruteforce(cover: np.ndarray) -> int | None:
    """Fewest sites covering every demand point (cover is D × S); None when some point is uncoverable."""
    cover = cover.astype(bool)
    if not cover.any(axis=1).all():
        return None
    for p in range(1, cover.shape[1] + 1):
        for combo in itertools.combinations(range(cover.shape[1]), p):
            if cover[:, list(combo)].any(axis=1).all():
                return p
    return None


def pmedian_value(dist: np.ndarray, chosen: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Σ_i w_i min_{j ∈ chosen} d_ij (dist is D × S); the p-median objective of a given set of sites."""
    d = dist[:, np.asarray(chosen, dtype=int)].min(axis=1)
    w = np.ones(len(d)) if weights is None else np.asarray(weights, dtype=float)
    return float((w * d).sum())


def read_orlib_pmed(path: Path) -> tuple[np.ndarray, int]:
    """All-pairs shortest-path matrix (n × n) and p of an OR-Library ``pmedN.txt``.

    Edges are undirected; for a vertex pair listed twice the LAST record wins (OR-Library convention, see
    ../shared/benchmarks/orlib_pmed/README.md: taking the minimum gives 5718 instead of 5819 on pmed1).
    """
    tokens = Path(path).read_text().split()
    n, e, p = (int(t) for t in tokens[:3])
    rec = np.asarray(tokens[3 : 3 + 3 * e], dtype=float).reshape(e, 3)
    i = rec[:, 0].astype(int) - 1
    j = rec[:, 1].astype(int) - 1
    a, b = np.minimum(i, j), np.maximum(i, j)
    key = a * n + b
    # keep the last record of each unordered pair: reverse, take first occurrence
    _, last_rev = np.unique(key[::-1], return_index=True)
    keep = len(key) - 1 - last_rev
    a, b, c = a[keep], b[keep], rec[keep, 2]
    graph = csr_matrix((np.r_[c, c], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    return shortest_path(graph, method="D", directed=False), p
