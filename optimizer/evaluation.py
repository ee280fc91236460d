"""Measure any set of new items (existing stock + items): coverage, standards table, spend, justification.

The same code measures the baseline, every solved plan and any hand-made items table, from each kind's
definition (:class:`~healthplan.optimizer.kind.ResourceKind`) and each standard's (:class:`Standard.measure`),
independently of the model's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from healthplan.geodata.errors import InputError, ProblemReport
from healthplan.optimizer.coverage import coverage_pairs
from healthplan.optimizer.decisions import origin_of
from healthplan.optimizer.phasing import milestone_factors, milestone_target
from healthplan.optimizer.kinds import SERVICE_KEYS, active_services, enabled_kinds, item_type, service
from healthplan.optimizer.plan import STANDARD_COLUMNS, Plan, SolveInfo
from healthplan.optimizer.prepare import ModelData, prepare
from healthplan.optimizer.solution import empty_items
from healthplan.optimizer.standard import Measured
from healthplan.optimizer.standards import scenario_standards
from healthplan.optimizer.status import Status
from healthplan.optimizer.text import Text

if TYPE_CHECKING:
    from healthplan.geodata.instance import Instance
    from healthplan.optimizer.config import OptimizerConfig

Pairs = dict[str, tuple[np.ndarray, np.ndarray]]


def normalise_items(data: ModelData, items: pd.DataFrame) -> pd.DataFrame:
    """Check and complete an items table: known sites and item types, quantities, year and cost (万元).

    Missing ``year`` → first plan year; a missing quantity → 1; each kind completes its own rows
    (:meth:`ResourceKind.normalise_rows`, e.g. ambulance vehicles by type and the new-station flag); a missing or
    NaN ``cost_wan`` → unit costs (with per-site overrides).
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
    known = [it.key for k in enabled_kinds(data.cfg) for it in k.items]
    badk = df.loc[~df["kind"].isin(known), "kind"]
    if len(badk):
        raise _item_error(f"unknown item kind {badk.iloc[0]!r}", f"use one of {', '.join(known)}",
                          badk.index[0], "kind")
    if "year" not in df:
        df["year"] = data.years[0]
    df["year"] = df["year"].fillna(data.years[0]).astype(np.int64)
    for col in ("quantity", "quantity_ord", "quantity_np"):
        if col not in df:
            df[col] = np.nan
    df["new_station"] = False
    j = _site_positions(data, df)
    for k in enabled_kinds(data.cfg):
        sel = df["kind"].isin([it.key for it in k.items]).to_numpy()
        if sel.any():
            df.loc[sel] = k.normalise_rows(data, df[sel], j[sel])
    df["quantity"] = df["quantity"].fillna(1)
    df[["quantity_ord", "quantity_np"]] = df[["quantity_ord", "quantity_np"]].fillna(0)
    if (df[["quantity", "quantity_ord", "quantity_np"]] < 0).any().any():
        raise InputError("negative quantity", file=where, column="quantity", fix="quantities are units ≥ 0")
    unit = np.zeros(len(df))
    for k in enabled_kinds(data.cfg):
        sel = df["kind"].isin([it.key for it in k.items]).to_numpy()
        if sel.any():
            unit[sel] = k.item_costs(data, df[sel], j[sel])
    if "cost_wan" not in df:
        df["cost_wan"] = np.nan
    df["cost_wan"] = df["cost_wan"].astype(float).fillna(pd.Series(unit))
    if "item_id" not in df:
        df["item_id"] = df["kind"] + "-" + df["site_id"] + "-" + df["year"].astype(str)
    if "origin" not in df:
        df["origin"] = origin_of(data, df)
    for c in ("newly_covered", "only_covered", "expected_gain", "beds_added", "wan_per_1000"):
        df[c] = np.nan
    df["standards"] = ""
    base = empty_items()
    return df[list(base.columns)].astype(base.dtypes.to_dict())


def _item_error(message: str, fix: str, row: object, column: str) -> InputError:
    """An InputError naming the items table, the row and the column."""
    rep = ProblemReport()
    rep.error("items table", message, fix, feature=f"row {row}", column=column)
    return InputError(rep)


def _site_positions(data: ModelData, items: pd.DataFrame) -> np.ndarray:
    """Position of each item's site in ``instance.sites``."""
    ids = data.instance.sites.index.astype(str)
    pos = pd.Series(np.arange(len(ids)), index=ids)
    return pos[items["site_id"].astype(str)].to_numpy() if len(items) else np.zeros(0, dtype=np.int64)


def stock_columns(data: ModelData, sites: pd.DataFrame) -> dict[str, np.ndarray]:
    """Every enabled kind's facility columns of a sites table as arrays (absent → 0 / False)."""
    out: dict[str, np.ndarray] = {}
    for k in enabled_kinds(data.cfg):
        for col in k.columns:
            dtype = np.int64 if col in k.count_columns else bool
            out[col] = sites[col].fillna(0).to_numpy().astype(dtype) if col in sites else np.zeros(len(sites), dtype)
    return out


def stock_after(data: ModelData, items: pd.DataFrame) -> dict[str, np.ndarray]:
    """The facility columns after adding ``items`` to the existing stock."""
    stock = stock_columns(data, data.instance.sites)
    j = _site_positions(data, items)
    for k in enabled_kinds(data.cfg):
        sel = items["kind"].isin([it.key for it in k.items]).to_numpy() if len(items) else np.zeros(0, dtype=bool)
        if sel.any():
            k.add_items(stock, items[sel], j[sel])
    return stock


def after_stock(data: ModelData, items: pd.DataFrame) -> pd.DataFrame:
    """Sites table with the stock after the plan (vehicles added, facilities switched on)."""
    s = data.instance.sites.copy()
    for col, v in stock_after(data, items).items():
        s[col] = v
    return s


def service_units(data: ModelData, stock: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Units of every active service per site (vehicles, or 0/1 facilities) for a stock."""
    out: dict[str, np.ndarray] = {}
    for k in enabled_kinds(data.cfg):
        out.update(k.units(data, stock))
    return {key: out[key] for _, s in active_services(data.cfg) for key in [s.key]}


def point_coverage(data: ModelData, units: dict[str, np.ndarray], pairs: Pairs) -> dict[str, np.ndarray]:
    """Covered share of each demand point per service: each kind's rule (MEXCLP for ``ambulance``, else 0/1)."""
    n_d = len(data.instance.demand)
    out = {}
    for k, svc in active_services(data.cfg):
        s, d = pairs[svc.key]
        out[svc.key] = k.coverage_share(data, svc.key, np.bincount(d, weights=units[svc.key][s], minlength=n_d))
    return out


def coverable_population(data: ModelData, pairs: Pairs, units_before: dict[str, np.ndarray]) -> dict[str, float]:
    """Persons within reach of an existing facility or a site that could get one, per service."""
    pop = data.instance.demand["population"].to_numpy(dtype=float)
    out = {}
    for k in enabled_kinds(data.cfg):
        can = k.can_add(data)
        for svc in k.active_services(k.settings(data.cfg)):
            s, d = pairs[svc.key]
            ok = (units_before[svc.key][s] > 0) | can[svc.key][s]
            reach = np.zeros(len(pop), dtype=bool)
            reach[d[ok]] = True
            out[svc.key] = float(pop[reach].sum())
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


def standards_table(data: ModelData, before: Measured, after: Measured) -> pd.DataFrame:
    """Required vs existing vs planned for every standard that is not off, measured from the stock alone."""
    rows = []
    for s in scenario_standards(data.cfg):
        r = s.table_row(data, before, after)
        rule = s.rule(data.cfg)
        share = r["unit"].startswith("share")
        short = max(r["required"] - r["planned"], 0.0)
        cfg = data.cfg
        rows.append((s.name, r["required"], r["existing"], r["planned"], short, short <= (1e-9 if share else 1e-6),
                     r.get("mode", rule.mode if rule is not None else "off"), s.cite("en", cfg), r["unit"],
                     r.get("label_zh", s.title("zh", cfg)), r.get("label_en", s.title("en", cfg)),
                     s.cite("zh", cfg)))
    # `source` is the English citation; the reports pick label_<lang> / source_zh at the output edge
    return pd.DataFrame(rows, columns=[*STANDARD_COLUMNS, "unit", "label_zh", "label_en", "source_zh"])


def standards_by_year(data: ModelData, items: pd.DataFrame, before: Measured, after: Measured, pairs: Pairs,
                      coverable: dict[str, float]) -> list[dict]:
    """The standards table of every plan year: one record per year and standard with ``year``, ``name``,
    ``required`` (the milestone due by that year in the table's unit; ``None`` when nothing is due yet),
    ``existing`` (today), ``planned`` (with the items built by that year), ``met`` (``None`` when nothing is
    due), ``share_of_task`` (μ) and ``unit``. Measured from the stock as the final table is."""
    records: list[dict] = []
    standards = scenario_standards(data.cfg)
    built = items["year"].astype(int).to_numpy() if len(items) else np.zeros(0, dtype=int)
    for t, year in enumerate(data.years):
        if t == len(data.years) - 1:
            by_then = after  # every item is built by the last year: the plan's own measurement
        else:
            stock = stock_after(data, items[built <= int(year)])
            by_then = Measured(stock, point_coverage(data, service_units(data, stock), pairs), coverable)
        for s in standards:
            r = s.table_row(data, before, by_then)
            mu = milestone_factors(data.cfg, len(data.years), s.name)[t]
            share = str(r["unit"]).startswith("share")
            due = milestone_target(float(r["required"]), float(r["existing"]), mu, s.integer) if mu > 0 else None
            met = None if due is None else bool(float(r["planned"]) >= due - (1e-9 if share else 1e-6))
            records.append({"year": int(year), "name": s.name,
                            "required": None if due is None else round(due, 6),
                            "existing": round(float(r["existing"]), 6), "planned": round(float(r["planned"]), 6),
                            "met": met, "share_of_task": mu, "unit": r["unit"],
                            "label_zh": r.get("label_zh", s.title("zh", data.cfg)),
                            "label_en": r.get("label_en", s.title("en", data.cfg))})
    return records


def evaluate(instance: Instance, cfg: OptimizerConfig, items: pd.DataFrame, *,
             solve_info: SolveInfo | None = None, assumptions: Sequence[Text | str] = (),
             data: ModelData | None = None) -> Plan:
    """Measure existing stock + ``items`` with the same code the baseline uses.

    Returns a :class:`Plan`: coverage share of every demand point and persons per township before/after for each
    active service, the standards table, spend (万元) by kind × year, the stock after the plan, and each item's
    justification figures. ``solve_info`` defaults to a BASELINE record (nothing was solved).
    """
    from healthplan.optimizer.justification import justify  # local: justification imports this module's helpers

    data = data or prepare(instance, cfg)
    items = normalise_items(data, items)
    stock0 = stock_columns(data, instance.sites)
    stock1 = stock_after(data, items)
    services = [s.key for _, s in active_services(cfg)]
    pairs = {key: coverage_pairs(instance, cfg, key) for key in services}
    u0, u1 = service_units(data, stock0), service_units(data, stock1)
    cov0, cov1 = point_coverage(data, u0, pairs), point_coverage(data, u1, pairs)
    coverable = coverable_population(data, pairs, u0)
    before, after = Measured(stock0, cov0, coverable), Measured(stock1, cov1, coverable)
    dem = instance.demand
    pop = dem["population"].to_numpy(dtype=float)
    dc = pd.DataFrame(index=dem.index)
    for key in services:
        dc[f"{key}_before"] = cov0[key]
        dc[f"{key}_after"] = cov1[key]
    town = dem["township"].astype(str).to_numpy()
    tc = pd.DataFrame({"population": pop, **{c: dc[c].to_numpy() * pop for c in dc.columns}}).groupby(town).sum()
    tc.index.name = "township"
    su = pd.DataFrame(index=instance.sites.index)
    for key in services:
        su[f"{key}_before"] = u0[key]
        su[f"{key}_after"] = u1[key]
    standards = standards_table(data, before, after)
    items = justify(data, items, pairs, u1, cov0, standards)
    years = sorted(set(data.years) | set(items["year"].tolist()))
    names = [k.name for k in enabled_kinds(cfg)]
    spend = pd.DataFrame(0.0, index=pd.Index(names, name="kind"), columns=pd.Index(years, name="year"))
    if len(items):
        res = items["kind"].map(lambda key: item_type(key)[0].name)
        for (name, yr), v in items.assign(res=res).groupby(["res", "year"])["cost_wan"].sum().items():
            spend.loc[name, yr] = v
    meta = {"coverable_population": coverable, "years": list(data.years), "notes": list(data.messages),
            "standards_by_year": standards_by_year(data, items, before, after, pairs, coverable)}
    for k in enabled_kinds(cfg):
        meta.update(k.meta(data))
        meta.update(k.plan_figures(data, cov0, cov1))
        meta["notes"] += k.plan_notes(data, u1, pairs)
        if getattr(k.settings(cfg), "objective", "coverage") == "access_time":
            for svc in k.active_services(k.settings(cfg)):
                meta[f"{svc.key}_mean_minutes"] = {"before": mean_access_minutes(data, u0[svc.key]),
                                                   "after": mean_access_minutes(data, u1[svc.key])}
    notes = list(data.assumptions) + [Text.of(a) for a in assumptions if Text.of(a) not in data.assumptions]
    for _, row in standards.iterrows():
        if row["name"].endswith("_target_coverage"):
            key = row["name"].removesuffix("_target_coverage")
            target = float(pd.to_numeric(row["required"]))
            asked = next((s.target(cfg) for s in scenario_standards(cfg) if s.name == row["name"]), None)
            if asked is not None and target < asked - 1e-9:
                svc = service(key)[1] if key in SERVICE_KEYS else None
                name = svc.label("zh") if svc is not None else key
                name_en = svc.label("en") if svc is not None else key
                notes.append(Text(
                    f"{name}覆盖率目标{100 * asked:.0f}%调整为任一设施可达人口所占比例{100 * target:.1f}%。",
                    f"{name_en}: coverage target {asked:.0%} capped at the {target:.1%} of the population that "
                    "any facility can reach."))
    return Plan(
        items=items, demand_coverage=dc, township_coverage=tc, standards=standards, spend=spend,
        after_stock=after_stock(data, items), site_units=su, solve=solve_info or SolveInfo(Status.BASELINE, message="evaluated, "
                                                                            "not optimised"),
        budget_wan=cfg.budget_wan, assumptions=tuple(notes), meta=meta,
    )


def baseline(instance: Instance, cfg: OptimizerConfig) -> Plan:
    """The county as it is: no new items, status BASELINE."""
    return evaluate(instance, cfg, empty_items())
