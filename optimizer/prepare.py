"""Model data: eligibility, existing stock, unit costs per site and the busy fraction, as arrays the blocks read."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from healthplan.geodata.errors import InputError
from healthplan.geodata.instance import Instance, TravelTimes
from healthplan.geodata.levels import Level
from healthplan.optimizer.config import (
    BLOOD_COST_ASSUMPTION_WAN,
    ROOM_COST_ASSUMPTION_WAN,
    OptimizerConfig,
)

MINUTES_PER_YEAR = 365 * 24 * 60  # vehicle-minutes one ambulance offers in a year (24/7 crews, Beijing 2006 rule)
Q_BOUNDS = (0.001, 0.95)  # keep a derived busy fraction inside (0, 1): MEXCLP needs 0 < q < 1

# Item kinds a plan can contain, and the unit-cost keys a scenario may override per site (cfg.site_costs_wan).
ITEM_KINDS = ("ambulance", "fever_clinic", "fever_room", "blood", "subcentre")
COST_KEYS = ("ambulance_ord", "ambulance_np", "new_station", "fever_clinic", "fever_room", "blood", "subcentre")
THC_LEVELS = (Level.CENTRAL_THC.value, Level.THC.value)


@dataclass(frozen=True)
class ModelData:
    """Everything the model blocks need, as numpy arrays over sites (order of ``instance.sites``).

    Costs are 万元 per unit; populations persons; minutes ordinary traffic unless said otherwise.
    """

    instance: Instance
    cfg: OptimizerConfig
    years: tuple[int, ...]
    level: np.ndarray  # str per site
    amb_ord: np.ndarray  # existing ordinary vehicles
    amb_np: np.ndarray  # existing negative-pressure vehicles
    amb_eligible: np.ndarray  # bool: may host (more) vehicles
    amb_capacity: np.ndarray  # most vehicles after the plan
    q: float  # MEXCLP busy fraction
    clinic_has: np.ndarray
    room_has: np.ndarray
    clinic_eligible: np.ndarray  # may get a new clinic
    room_eligible: np.ndarray  # may get a new room
    clinic_mandated: np.ndarray  # must have a clinic (hospital levels + large THCs)
    room_mandated: np.ndarray  # must have a fever room (or a clinic)
    blood_has: np.ndarray
    blood_eligible: np.ndarray
    secondary_has: np.ndarray  # gives secondary care today (secondary levels or an existing sub-centre)
    sub_has: np.ndarray
    sub_eligible: np.ndarray
    sub_conflicts: np.ndarray  # (k, 2) site index pairs closer than the minimum spacing
    thc: np.ndarray  # bool: township health centre (one-ambulance rule)
    cost: dict[str, np.ndarray]
    assumptions: tuple[str, ...] = ()
    notes: dict[str, float] = field(default_factory=dict)

    @property
    def n_sites(self) -> int:
        """Number of sites."""
        return len(self.level)


def plan_years(cfg: OptimizerConfig) -> tuple[int, ...]:
    """Plan years: ``cfg.phasing.years`` or the single ``cfg.plan_year``."""
    return tuple(cfg.phasing.years) or (cfg.plan_year,)


def fleet_required(instance: Instance, cfg: OptimizerConfig) -> float:
    """Vehicles the fleet standard asks: ⌈urban / 30,000 + rural / 10,000⌉ (国卫医发〔2020〕19号, ratios in cfg)."""
    a = cfg.resources.ambulance
    d = instance.demand
    urban = float(d.loc[d["urban"].astype(bool), "population"].sum())
    rural = float(d["population"].sum()) - urban
    return float(np.ceil(urban / a.urban_pop_per_vehicle + rural / a.rural_pop_per_vehicle - 1e-9))


def busy_fraction(instance: Instance, cfg: OptimizerConfig) -> tuple[float, bool]:
    """MEXCLP busy fraction q and whether it was derived.

    Derived as calls × minutes per call ÷ (fleet × minutes per year), with the fleet taken as the larger of the
    existing fleet and the fleet the ratio standard asks (the fleet the plan aims at), clipped to ``Q_BOUNDS``.
    """
    a = cfg.resources.ambulance
    if a.busy_fraction is not None:
        return float(a.busy_fraction), False
    s = instance.sites
    existing = float(s["amb_ord"].sum() + s["amb_np"].sum())
    fleet = max(existing, fleet_required(instance, cfg), 1.0)
    calls = instance.population * a.calls_per_1000_per_year / 1000.0
    q = calls * a.minutes_per_call / (fleet * MINUTES_PER_YEAR)
    return float(np.clip(q, *Q_BOUNDS)), True


def _population_within(travel: TravelTimes, limit: np.ndarray, pop: np.ndarray, factor: float = 1.0) -> np.ndarray:
    """Persons within ``limit`` (per demand point, minutes) of each site."""
    m = travel.within(limit, factor=factor)
    return np.bincount(travel.site_idx[m], weights=pop[travel.demand_idx[m]], minlength=len(travel.site_ids))


def exact_site_minutes(instance: Instance) -> TravelTimes | None:
    """The Instance's computed site → site minutes, or ``None`` when it has none (or they do not fit its sites)."""
    st = instance.site_travel
    ids = instance.sites.index
    if st is None or not (st.site_ids.equals(ids) and st.demand_ids.equals(ids)):
        return None
    return st


def site_to_site_minutes(st: TravelTimes, a_idx: np.ndarray, b_idx: np.ndarray, limit: float) -> np.ndarray:
    """Exact minutes from each site in ``a_idx`` to each site in ``b_idx`` (|a| × |b|; inf above ``limit``).

    ``st`` is ``Instance.site_travel`` (rows = from, columns = to); a pair it does not store is beyond its cutoff.
    """
    sub = st.to_csr(offset=1.0)[a_idx][:, b_idx].toarray()  # +1 keeps zero-minute pairs apart from "absent"
    out = np.where(sub > 0, sub - 1.0, np.inf)
    return np.where(out <= limit + 1e-9, out, np.inf)


def site_minutes(travel: TravelTimes, a_idx: np.ndarray, b_idx: np.ndarray, limit: float) -> np.ndarray:
    """Site-to-site minutes |a| × |b| via the best common demand point: min_d t_ad + t_bd (inf above ``limit``).

    The fallback when the Instance has no site → site times (``Instance.site_travel`` is ``None``, e.g. an OD
    matrix without site pairs): an upper bound on the true site-to-site time that is exact when a path passes a
    demand point (villages sit on the road network); the plan's assumptions say so.
    """
    out = np.full((len(a_idx), len(b_idx)), np.inf)
    if not len(a_idx) or not len(b_idx):
        return out
    csr = travel.to_csr(offset=1.0)  # +1 keeps zero-minute pairs stored
    db = csr[b_idx].toarray()
    db = np.where(db > 0, db - 1.0, np.inf)  # |b| × demand
    for r, a in enumerate(a_idx):  # loop over a few hundred eligible sites, vectorised over demand
        row = csr[a]
        t = row.data - 1.0
        keep = t <= limit
        if keep.any():
            best = (t[keep][None, :] + db[:, row.indices[keep]]).min(axis=1)
            out[r] = np.where(best <= limit + 1e-9, best, np.inf)
    return out


def _site_costs(instance: Instance, cfg: OptimizerConfig, room_cost: float, blood_cost: float) -> dict[str, np.ndarray]:
    """Unit cost per site for every cost key (万元), with the scenario's per-site overrides applied."""
    r = cfg.resources
    base = {
        "ambulance_ord": r.ambulance.unit_cost_ord_wan,
        "ambulance_np": r.ambulance.unit_cost_np_wan,
        "new_station": r.ambulance.new_station_cost_wan,
        "fever_clinic": r.fever.clinic_cost_wan,
        "fever_room": room_cost,
        "blood": blood_cost,
        "subcentre": r.subcentre.unit_cost_wan,
    }
    n = len(instance.sites)
    cost = {k: np.full(n, float(v)) for k, v in base.items()}
    pos = pd.Series(np.arange(n), index=instance.sites.index.astype(str))
    for sid, items in sorted(cfg.site_costs_wan.items()):
        if str(sid) not in pos.index:
            raise InputError(
                f"site_costs_wan names site {sid!r}, which is not among the {n} sites",
                file="scenario (optimizer.site_costs_wan)",
                fix="use a site id from the sites layer or remove the override",
            )
        for key, val in sorted(items.items()):
            if key not in cost:
                raise InputError(
                    f"site_costs_wan[{sid!r}] has unknown item {key!r}",
                    file="scenario (optimizer.site_costs_wan)",
                    fix=f"use one of {', '.join(COST_KEYS)}",
                )
            if not np.isfinite(val) or val < 0:
                raise InputError(
                    f"site_costs_wan[{sid!r}][{key!r}] = {val} is not a cost ≥ 0 万元",
                    file="scenario (optimizer.site_costs_wan)",
                    fix="give a non-negative number of 万元",
                )
            cost[key][pos[str(sid)]] = float(val)
    return cost


def _blood_candidates(sites: pd.DataFrame, spec: object) -> np.ndarray:
    """Bool mask of sites that may host a blood point (``all``, ``candidates``, ``hospitals`` or a list of ids)."""
    from healthplan.geodata.levels import HOSPITAL_LEVELS  # local: only this function needs it

    if spec == "all":
        return np.ones(len(sites), dtype=bool)
    if spec == "candidates":
        return sites["candidate"].astype(bool).to_numpy()
    if spec == "hospitals":
        return sites["level"].isin([lv.value for lv in HOSPITAL_LEVELS]).to_numpy()
    ids = [str(x) for x in spec]  # type: ignore[union-attr]
    unknown = sorted(set(ids) - set(sites.index.astype(str)))
    if unknown:
        raise InputError(
            f"blood.candidates names unknown site ids {unknown[:5]}",
            file="scenario (resources.blood.candidates)",
            fix="use ids from the sites layer, or all / candidates / hospitals",
        )
    return sites.index.astype(str).isin(ids)


def prepare(instance: Instance, cfg: OptimizerConfig) -> ModelData:
    """Collect eligibility, stock, capacities, costs and q for the model and for evaluation."""
    r = cfg.resources
    s = instance.sites
    d = instance.demand
    tt = instance.travel
    n = len(s)
    pop = d["population"].to_numpy(dtype=float)
    urban = d["urban"].to_numpy(dtype=bool)
    level = s["level"].astype(str).to_numpy()
    assumptions: list[str] = []

    room_cost = r.fever.room_cost_wan
    if room_cost is None:
        room_cost = ROOM_COST_ASSUMPTION_WAN
        if r.fever.enabled:
            assumptions.append(
                f"Fever-room unit cost not set: {ROOM_COST_ASSUMPTION_WAN:g}万元 per room is an ASSUMPTION "
                "(no sourced default; set resources.fever.room_cost_wan)."
            )
    blood_cost = r.blood.unit_cost_wan
    if blood_cost is None:
        blood_cost = BLOOD_COST_ASSUMPTION_WAN
        if r.blood.enabled:
            assumptions.append(
                f"Blood-point unit cost not set: {BLOOD_COST_ASSUMPTION_WAN:g}万元 per point is an ASSUMPTION "
                "(no sourced default; set resources.blood.unit_cost_wan)."
            )
    cost = _site_costs(instance, cfg, room_cost, blood_cost)

    # Ambulances: existing stock is constant; capacity never forces removal (cap ≥ existing).
    amb_ord = s["amb_ord"].fillna(0).to_numpy(dtype=np.int64)
    amb_np = s["amb_np"].fillna(0).to_numpy(dtype=np.int64)
    cap = s["station_capacity"].fillna(0).to_numpy(dtype=np.int64)
    cap = np.where(cap > 0, cap, r.ambulance.default_station_capacity)
    cap = np.maximum(cap, amb_ord + amb_np)
    amb_eligible = np.isin(level, [lv.value for lv in r.ambulance.station_levels]) & r.ambulance.enabled
    q, derived = busy_fraction(instance, cfg)
    if derived and r.ambulance.enabled:
        assumptions.append(
            f"Ambulance busy fraction q = {q:.3f} derived from {r.ambulance.calls_per_1000_per_year:g} calls per "
            f"1,000 persons a year × {r.ambulance.minutes_per_call:g} min per call over the target fleet "
            "(ASSUMPTION defaults unless the scenario sets them)."
        )

    # Fever: clinics at hospital levels; THCs whose population within access exceeds the threshold may (and must)
    # get one too (Shandong rule, 2022 national notice); rooms at township and community centres.
    clinic_has = s["fever_clinic"].fillna(False).to_numpy(dtype=bool)
    room_has = s["fever_room"].fillna(False).to_numpy(dtype=bool)
    clinic_level = np.isin(level, [lv.value for lv in r.fever.clinic_levels])
    large_thc = np.zeros(n, dtype=bool)
    if r.fever.thc_clinic_population is not None:
        fev_lim = np.where(urban, r.fever.access_minutes_urban, r.fever.access_minutes_rural)
        within = _population_within(tt, fev_lim, pop)
        large_thc = np.isin(level, THC_LEVELS) & (within > r.fever.thc_clinic_population)
    clinic_mandated = (clinic_level | large_thc) & r.fever.enabled
    clinic_eligible = clinic_mandated & ~clinic_has
    room_mandated = np.isin(level, [lv.value for lv in r.fever.room_levels]) & r.fever.enabled
    room_eligible = room_mandated & ~room_has & ~clinic_has

    # Blood points.
    blood_has = s["blood_point"].fillna(False).to_numpy(dtype=bool)
    blood_eligible = _blood_candidates(s, r.blood.candidates) & ~blood_has & r.blood.enabled

    # Sub-centres: eligibility rules (level, beds, population within access, minutes from the county hospital).
    sub = r.subcentre
    sub_has = s["subcentre"].fillna(False).to_numpy(dtype=bool)
    secondary_has = np.isin(level, [lv.value for lv in sub.secondary_levels]) | sub_has
    el = sub.eligibility
    sub_eligible = np.isin(level, [lv.value for lv in el.levels]) & ~sub_has & ~secondary_has & sub.enabled
    sub_eligible &= s["beds"].fillna(0).to_numpy(dtype=float) >= el.min_beds
    if el.min_population > 0:
        sub_eligible &= _population_within(tt, np.full(len(d), sub.access_minutes), pop) >= el.min_population
    # Site-to-site minutes: exact when geodata computed them (Instance.site_travel), else the estimate through the
    # best common demand point, and only then the assumption sentence.
    st = exact_site_minutes(instance)
    estimated: list[str] = []
    county = np.flatnonzero(level == Level.COUNTY_HOSPITAL.value)
    if el.min_minutes_from_county_hospital > 0 and len(county) and sub_eligible.any():
        cand = np.flatnonzero(sub_eligible)
        lim = el.min_minutes_from_county_hospital
        if st is not None:  # driving FROM the county hospital TO the site (rows of site_travel = from)
            near = site_to_site_minutes(st, county, cand, lim).min(axis=0)
        else:
            near = site_minutes(tt, cand, county, lim).min(axis=1)
            estimated.append("minutes from the county hospital")
        sub_eligible[cand[near < lim]] = False
    conflicts = np.zeros((0, 2), dtype=np.int64)
    if sub.min_spacing_minutes is not None and sub.enabled:
        pool = np.flatnonzero(sub_eligible | sub_has)
        if len(pool) > 1:
            if st is not None:  # either direction shorter than the spacing makes the two sites too close
                mins = site_to_site_minutes(st, pool, pool, sub.min_spacing_minutes)
                mins = np.minimum(mins, mins.T)
            else:
                mins = site_minutes(tt, pool, pool, sub.min_spacing_minutes)
                estimated.append("sub-centre spacing")
            a, b = np.nonzero(np.triu(mins < sub.min_spacing_minutes, k=1))
            conflicts = np.column_stack([pool[a], pool[b]]).astype(np.int64)
            # two existing sub-centres closer than the spacing stay (existing stock is never removed)
            conflicts = conflicts[~(sub_has[conflicts[:, 0]] & sub_has[conflicts[:, 1]])]
    if estimated:
        assumptions.append(
            f"Site-to-site minutes ({' and '.join(estimated)}) are estimated through the best common demand point "
            "(min over villages of t(site a, village) + t(site b, village)), an upper bound on the road time: "
            "the travel-time input gives no site-to-site times (add site → site pairs to the OD matrix)."
        )

    return ModelData(
        instance=instance,
        cfg=cfg,
        years=plan_years(cfg),
        level=level,
        amb_ord=amb_ord,
        amb_np=amb_np,
        amb_eligible=amb_eligible,
        amb_capacity=cap,
        q=q,
        clinic_has=clinic_has,
        room_has=room_has,
        clinic_eligible=clinic_eligible,
        room_eligible=room_eligible,
        clinic_mandated=clinic_mandated,
        room_mandated=room_mandated,
        blood_has=blood_has,
        blood_eligible=blood_eligible,
        secondary_has=secondary_has,
        sub_has=sub_has,
        sub_eligible=sub_eligible,
        sub_conflicts=conflicts,
        thc=np.isin(level, THC_LEVELS),
        cost=cost,
        assumptions=tuple(assumptions),
        notes={"q": q, "fleet_required": fleet_required(instance, cfg)},
    )
