"""Measure any set of new items (existing stock + items): coverage, standards table, spend, justification."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from healthplan.geodata.errors import InputError, ProblemReport
from healthplan.geodata.instance import Instance
from healthplan.optimizer.config import COVERAGE_KEYS, KINDS, OptimizerConfig
from healthplan.optimizer.coverage import coverage_pairs
from healthplan.optimizer.plan import STANDARD_COLUMNS, Plan, SolveInfo
from healthplan.optimizer.prepare import ITEM_KINDS, ModelData, prepare
from healthplan.optimizer.solution import empty_items
from healthplan.optimizer.standards import SOURCES
from healthplan.optimizer.status import Status

RESOURCE_OF_ITEM = {"ambulance": "ambulance", "fever_clinic": "fever", "fever_room": "fever", "blood": "blood",
                    "subcentre": "subcentre"}


def normalise_items(data: ModelData, items: pd.DataFrame) -> pd.DataFrame:
    """Check and complete an items table: known sites and kinds, quantities, year, new_station and cost (万元).

    Missing ``year`` → first plan year; ambulance rows with only ``quantity`` → ordinary vehicles; a missing or
    NaN ``cost_wan`` → unit costs (with per-site overrides); ``new_station`` is recomputed from the stock.
    """
    if items is None or len(items) == 0:
        return empty_items()
    df = items.copy().reset_index(drop=True)
    where = "items table"
    for col in ("site_id", "kind"):
        if col not in df:
            raise InputError(f"column {col!r} is missing", file=where, fix="give site_id and kind for every item")
    df["site_id"] = df["site_id"].astype(str)
    ids = data.instance.sites.index.astype(str)
    bad = df.loc[~df["site_id"].isin(ids), "site_id"]
    if len(bad):
        raise _item_error(f"unknown site id {bad.iloc[0]!r}", "use ids of the instance's sites", bad.index[0],
                          "site_id")
    badk = df.loc[~df["kind"].isin(ITEM_KINDS), "kind"]
    if len(badk):
        raise _item_error(f"unknown item kind {badk.iloc[0]!r}", f"use one of {', '.join(ITEM_KINDS)}",
                          badk.index[0], "kind")
    if "year" not in df:
        df["year"] = data.years[0]
    df["year"] = df["year"].fillna(data.years[0]).astype(np.int64)
    amb = df["kind"] == "ambulance"
    for col in ("quantity_ord", "quantity_np"):
        if col not in df:
            df[col] = 0
        df[col] = df[col].fillna(0).astype(np.int64)
    if "quantity" not in df:
        df["quantity"] = np.where(amb, df["quantity_ord"] + df["quantity_np"], 1)
    df["quantity"] = df["quantity"].fillna(1).astype(np.int64)
    only_q = amb & (df["quantity_ord"] + df["quantity_np"] == 0)
    df.loc[only_q, "quantity_ord"] = df.loc[only_q, "quantity"]
    df.loc[amb, "quantity"] = df.loc[amb, "quantity_ord"] + df.loc[amb, "quantity_np"]
    df.loc[~amb, ["quantity_ord", "quantity_np"]] = 0
    if (df[["quantity", "quantity_ord", "quantity_np"]] < 0).any().any():
        raise InputError("negative quantity", file=where, column="quantity", fix="quantities are units ≥ 0")
    pos = pd.Series(np.arange(len(ids)), index=ids)
    j = pos[df["site_id"]].to_numpy()
    # new station: the first ambulance row at a site that has no vehicles today
    existing = (data.amb_ord + data.amb_np)[j]
    # the earliest ambulance row with vehicles at a site without vehicles today opens the station (other kinds'
    # rows at the same site and the table's row order do not matter)
    buys = amb & (df["quantity"] > 0)
    order = df.assign(_j=j)[buys].sort_values(["year"], kind="stable")
    first_rows = order.drop_duplicates("_j").index
    df["new_station"] = df.index.isin(first_rows) & (existing == 0)
    unit = np.zeros(len(df))
    for kind in ITEM_KINDS:
        sel = (df["kind"] == kind).to_numpy()
        if kind == "ambulance":
            unit[sel] = (df.loc[sel, "quantity_ord"].to_numpy() * data.cost["ambulance_ord"][j[sel]]
                         + df.loc[sel, "quantity_np"].to_numpy() * data.cost["ambulance_np"][j[sel]]
                         + df.loc[sel, "new_station"].to_numpy() * data.cost["new_station"][j[sel]])
        else:
            unit[sel] = data.cost[kind][j[sel]] * df.loc[sel, "quantity"].to_numpy()
    if "cost_wan" not in df:
        df["cost_wan"] = np.nan
    df["cost_wan"] = df["cost_wan"].astype(float).fillna(pd.Series(unit))
    if "item_id" not in df:
        df["item_id"] = df["kind"] + "-" + df["site_id"] + "-" + df["year"].astype(str)
    for c in ("newly_covered", "only_covered", "expected_gain", "wan_per_1000"):
        df[c] = np.nan
    df["standards"] = ""
    base = empty_items()
    return df[list(base.columns)].astype(base.dtypes.to_dict())


def _item_error(message: str, fix: str, row: object, column: str) -> InputError:
    """An InputError naming the items table, the row and the column."""
    rep = ProblemReport()
    rep.error("items table", message, fix, feature=f"row {row}", column=column)
    return InputError(rep)


def after_stock(data: ModelData, items: pd.DataFrame) -> pd.DataFrame:
    """Sites table with the stock after the plan (vehicles added, facilities switched on)."""
    s = data.instance.sites.copy()
    ids = s.index.astype(str)
    pos = pd.Series(np.arange(len(ids)), index=ids)
    j = pos[items["site_id"]].to_numpy() if len(items) else np.zeros(0, dtype=int)
    amb = (items["kind"] == "ambulance").to_numpy() if len(items) else np.zeros(0, dtype=bool)
    add_o = np.bincount(j[amb], weights=items["quantity_ord"].to_numpy()[amb], minlength=len(s)) if len(items) else 0
    add_n = np.bincount(j[amb], weights=items["quantity_np"].to_numpy()[amb], minlength=len(s)) if len(items) else 0
    s["amb_ord"] = data.amb_ord + np.asarray(add_o, dtype=np.int64)
    s["amb_np"] = data.amb_np + np.asarray(add_n, dtype=np.int64)
    for kind, col in (("fever_clinic", "fever_clinic"), ("fever_room", "fever_room"), ("blood", "blood_point"),
                      ("subcentre", "subcentre")):
        on = s[col].fillna(False).to_numpy(dtype=bool).copy()
        if len(items):
            on[j[(items["kind"] == kind).to_numpy()]] = True
        s[col] = on
    return s


def facility_masks(data: ModelData, stock: pd.DataFrame) -> dict[str, np.ndarray]:
    """Units per site giving each coverage key (vehicles for ambulance keys, 0/1 facilities otherwise)."""
    sec_levels = [lv.value for lv in data.cfg.resources.subcentre.secondary_levels]
    vehicles = stock["amb_ord"].to_numpy(dtype=float) + stock["amb_np"].to_numpy(dtype=float)
    return {
        "ambulance": vehicles,
        "ambulance_single": vehicles,
        "fever": (stock["fever_clinic"].to_numpy(dtype=bool) | stock["fever_room"].to_numpy(dtype=bool)).astype(float),
        "blood": stock["blood_point"].to_numpy(dtype=bool).astype(float),
        "secondary": (stock["level"].astype(str).isin(sec_levels).to_numpy()
                      | stock["subcentre"].to_numpy(dtype=bool)).astype(float),
    }


def point_coverage(data: ModelData, units: dict[str, np.ndarray],
                   pairs: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, np.ndarray]:
    """Covered share of each demand point per key: 1 − q^min(n, K) for ``ambulance`` (MEXCLP), else 0/1."""
    n_d = len(data.instance.demand)
    a = data.cfg.resources.ambulance
    out = {}
    for key in COVERAGE_KEYS:
        s, d = pairs[key]
        n = np.bincount(d, weights=units[key][s], minlength=n_d)
        if key == "ambulance":
            out[key] = 1.0 - data.q ** np.minimum(np.round(n), a.coverage_depth)
        else:
            out[key] = (n > 0.5).astype(float)
    return out


def _standards_table(data: ModelData, before: pd.DataFrame, after: pd.DataFrame,
                     cov0: dict[str, np.ndarray], cov1: dict[str, np.ndarray],
                     coverable: dict[str, float]) -> pd.DataFrame:
    """Required vs existing vs planned for every standard that is not off, measured from the stock alone."""
    cfg, r = data.cfg, data.cfg.resources
    rows: list[tuple] = []

    def add(name: str, req: float, ex: float, pl: float, mode: str, unit: str, *, share: bool = False) -> None:
        short = max(req - pl, 0.0)
        rows.append((name, req, ex, pl, short, short <= (1e-9 if share else 1e-6), mode, SOURCES.get(
            name, SOURCES["equity"] if name.startswith("equity") else SOURCES["target_coverage"]), unit))

    def n_true(df: pd.DataFrame, col: str, mask: np.ndarray) -> float:
        return float(df[col].to_numpy(dtype=bool)[mask].sum())

    if r.ambulance.enabled:
        a = r.ambulance
        f0 = float(before["amb_ord"].sum() + before["amb_np"].sum())
        f1 = float(after["amb_ord"].sum() + after["amb_np"].sum())
        if a.fleet.mode != "off":
            add("amb_fleet_ratio", data.notes["fleet_required"], f0, f1, a.fleet.mode, "vehicles")
        if a.np_share_rule.mode != "off":
            s0 = float(before["amb_np"].sum()) / f0 if f0 else 0.0
            s1 = float(after["amb_np"].sum()) / f1 if f1 else 0.0
            add("amb_np_share", a.np_share if f1 else 0.0, s0, s1 if f1 else 0.0, a.np_share_rule.mode, "share",
                share=True)
        if a.one_per_thc.mode != "off":
            v0 = (before["amb_ord"] + before["amb_np"]).to_numpy() > 0
            v1 = (after["amb_ord"] + after["amb_np"]).to_numpy() > 0
            add("amb_one_per_thc", float(data.thc.sum()), float((v0 & data.thc).sum()), float((v1 & data.thc).sum()),
                a.one_per_thc.mode, "sites")
    if r.fever.enabled:
        f = r.fever
        if f.clinic_mandate.mode != "off":
            cm = data.clinic_mandated
            add("fever_clinic_mandate", float(cm.sum()), n_true(before, "fever_clinic", cm),
                n_true(after, "fever_clinic", cm), f.clinic_mandate.mode, "sites")
        if f.room_mandate.mode != "off":
            rm = data.room_mandated
            h0 = before["fever_room"].to_numpy(dtype=bool) | before["fever_clinic"].to_numpy(dtype=bool)
            h1 = after["fever_room"].to_numpy(dtype=bool) | after["fever_clinic"].to_numpy(dtype=bool)
            add("fever_room_mandate", float(rm.sum()), float((h0 & rm).sum()), float((h1 & rm).sum()),
                f.room_mandate.mode, "sites")
    if r.blood.enabled and r.blood.min_points_rule.mode != "off":
        add("blood_min_points", float(r.blood.min_points), float(before["blood_point"].astype(bool).sum()),
            float(after["blood_point"].astype(bool).sum()), r.blood.min_points_rule.mode, "sites")
    if r.subcentre.enabled and r.subcentre.target_count is not None and r.subcentre.target_rule.mode != "off":
        add("subcentre_target", float(r.subcentre.target_count), float(before["subcentre"].astype(bool).sum()),
            float(after["subcentre"].astype(bool).sum()), r.subcentre.target_rule.mode, "sites")
    dem = data.instance.demand
    pop = dem["population"].to_numpy(dtype=float)
    total = max(pop.sum(), 1.0)
    eq = cfg.equity
    if eq.theta is not None and eq.rule.mode != "off":
        town = dem["township"].astype(str)
        tp = pd.Series(pop).groupby(town.to_numpy()).sum()
        for key in eq.kinds:
            if not _key_enabled(cfg, key):
                continue
            s0 = pd.Series(cov0[key] * pop).groupby(town.to_numpy()).sum() / tp.where(tp > 0)
            s1 = pd.Series(cov1[key] * pop).groupby(town.to_numpy()).sum() / tp.where(tp > 0)
            add(f"equity_{key}", eq.theta, float(s0.min()), float(s1.min()), eq.rule.mode, "share (worst township)",
                share=True)
    for key, target in (("ambulance_single", r.ambulance.target_coverage), ("fever", r.fever.target_coverage),
                        ("blood", r.blood.target_coverage), ("secondary", r.subcentre.target_coverage)):
        if target is None or not _key_enabled(cfg, key):
            continue
        req = min(target, coverable[key] / total)
        add(f"{key}_target_coverage", req, float((cov0[key] * pop).sum() / total),
            float((cov1[key] * pop).sum() / total), "target", "share", share=True)
    return pd.DataFrame(rows, columns=[*STANDARD_COLUMNS, "unit"])


def _key_enabled(cfg: OptimizerConfig, key: str) -> bool:
    kind = {"ambulance": "ambulance", "ambulance_single": "ambulance", "fever": "fever", "blood": "blood",
            "secondary": "subcentre"}[key]
    return getattr(cfg.resources, kind).enabled


def coverable_population(data: ModelData, pairs: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """Persons within reach of an existing facility or an eligible site, per key (what any plan could cover)."""
    pop = data.instance.demand["population"].to_numpy(dtype=float)
    before = facility_masks(data, data.instance.sites)
    spare = data.amb_eligible & (data.amb_capacity > data.amb_ord + data.amb_np)
    can = {
        "ambulance": spare, "ambulance_single": spare, "fever": data.clinic_eligible | data.room_eligible,
        "blood": data.blood_eligible, "secondary": data.sub_eligible,
    }
    out = {}
    for key in COVERAGE_KEYS:
        s, d = pairs[key]
        ok = (before[key][s] > 0) | can[key][s]
        reach = np.zeros(len(pop), dtype=bool)
        reach[d[ok]] = True
        out[key] = float(pop[reach].sum())
    return out


def mean_access_minutes(data: ModelData, units: np.ndarray) -> float:
    """Population-weighted minutes to the nearest unit (pairs beyond the travel cutoff count as the cutoff)."""
    tt = data.instance.travel
    pop = data.instance.demand["population"].to_numpy(dtype=float)
    finite = tt.minutes[np.isfinite(tt.minutes)]
    horizon = tt.cutoff_minutes if np.isfinite(tt.cutoff_minutes) else (float(finite.max()) + 1 if finite.size else 1.0)
    near = np.full(len(pop), horizon)
    ok = units[tt.site_idx] > 0
    np.minimum.at(near, tt.demand_idx[ok], tt.minutes[ok])
    return float((near * pop).sum() / max(pop.sum(), 1.0))


def evaluate(instance: Instance, cfg: OptimizerConfig, items: pd.DataFrame, *,
             solve_info: SolveInfo | None = None, assumptions: Sequence[str] = (),
             data: ModelData | None = None) -> Plan:
    """Measure existing stock + ``items`` with the same code the baseline uses.

    Returns a :class:`Plan`: coverage share of every demand point and persons per township before/after for each
    key in ``COVERAGE_KEYS``, the standards table, spend (万元) by kind × year, the stock after the plan, and each
    item's justification figures. ``solve_info`` defaults to a BASELINE record (nothing was solved).
    """
    from healthplan.optimizer.justification import justify  # local: justification imports this module's helpers

    data = data or prepare(instance, cfg)
    items = normalise_items(data, items)
    before = instance.sites
    after = after_stock(data, items)
    pairs = {key: coverage_pairs(instance, cfg, key) for key in COVERAGE_KEYS}
    u0, u1 = facility_masks(data, before), facility_masks(data, after)
    cov0, cov1 = point_coverage(data, u0, pairs), point_coverage(data, u1, pairs)
    dem = instance.demand
    pop = dem["population"].to_numpy(dtype=float)
    dc = pd.DataFrame(index=dem.index)
    for key in COVERAGE_KEYS:
        dc[f"{key}_before"] = cov0[key]
        dc[f"{key}_after"] = cov1[key]
    town = dem["township"].astype(str).to_numpy()
    tc = pd.DataFrame({"population": pop, **{c: dc[c].to_numpy() * pop for c in dc.columns}}).groupby(town).sum()
    tc.index.name = "township"
    coverable = coverable_population(data, pairs)
    standards = _standards_table(data, before, after, cov0, cov1, coverable)
    items = justify(data, items, pairs, u0, u1, cov0, standards)
    years = sorted(set(data.years) | set(items["year"].tolist()))
    spend = pd.DataFrame(0.0, index=pd.Index(KINDS, name="kind"), columns=pd.Index(years, name="year"))
    if len(items):
        sp = items.assign(res=items["kind"].map(RESOURCE_OF_ITEM)).groupby(["res", "year"])["cost_wan"].sum()
        for (res, yr), v in sp.items():
            spend.loc[res, yr] = v
    meta = {"q": data.q, "fleet_required": data.notes["fleet_required"], "coverable_population": coverable,
            "years": list(data.years)}
    for key, kind in (("blood", cfg.resources.blood), ("secondary", cfg.resources.subcentre)):
        if kind.enabled and kind.objective == "access_time":
            meta[f"{key}_mean_minutes"] = {"before": mean_access_minutes(data, u0[key]),
                                           "after": mean_access_minutes(data, u1[key])}
    notes = list(data.assumptions) + [a for a in assumptions if a not in data.assumptions]
    for _, row in standards.iterrows():
        if row["name"].endswith("_target_coverage"):
            key = row["name"].removesuffix("_target_coverage")
            target = getattr(cfg.resources, "subcentre" if key == "secondary" else key.split("_")[0]).target_coverage
            if target is not None and row["required"] < target - 1e-9:
                notes.append(f"{key} coverage target {target:.0%} capped at the {row['required']:.1%} of the "
                             "population that any facility can reach.")
    return Plan(
        items=items, demand_coverage=dc, township_coverage=tc, standards=standards, spend=spend,
        after_stock=after, solve=solve_info or SolveInfo(Status.BASELINE, message="evaluated, not optimised"),
        budget_wan=cfg.budget_wan, assumptions=tuple(notes), meta=meta,
    )


def baseline(instance: Instance, cfg: OptimizerConfig) -> Plan:
    """The county as it is: no new items, status BASELINE."""
    return evaluate(instance, cfg, empty_items())
