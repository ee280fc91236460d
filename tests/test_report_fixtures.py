"""Small hand-built Instances and Plans for the report tests (figures chosen so every number is checkable)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from healthplan.geodata.instance import Instance, TravelTimes
COVERAGE_KEYS = ("ambulance", "ambulance_single", "fever", "blood", "secondary")  # the four-kind fixture plan
from healthplan.optimizer.plan import ITEM_COLUMNS, STANDARD_COLUMNS, Plan, SolveInfo
from healthplan.optimizer.status import Status
from healthplan.optimizer.text import Text

CRS = "EPSG:32649"  # UTM 49N (southern China)


def make_instance(*, seed: int = 7, geometry: bool = True, n_demand: int = 12) -> Instance:
    """Two townships (花桥镇 urban-ish west, 石笋镇 rural east), ``n_demand`` villages and five sites."""
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"V{i:03d}" for i in range(n_demand)], name="id")
    x = rng.uniform(0, 20_000, n_demand)
    y = rng.uniform(0, 10_000, n_demand)
    town = np.where(x < 10_000, "T1", "T2")
    demand = pd.DataFrame(
        {
            "name": [f"村{i}" for i in range(n_demand)],
            "population": rng.integers(800, 9_000, n_demand),
            "urban": town == "T1",
            "township": town,
            "x": x if geometry else np.nan,
            "y": y if geometry else np.nan,
            "lon": 108 + x / 1e5 if geometry else np.nan,
            "lat": 30 + y / 1e5 if geometry else np.nan,
        },
        index=ids,
    )
    sid = pd.Index(["S1", "S2", "S3", "S4", "C1"], name="id")
    sx = np.array([2_000.0, 8_000.0, 15_000.0, 18_000.0, 11_000.0])
    sy = np.array([5_000.0, 2_000.0, 5_000.0, 8_000.0, 6_000.0])
    sites = pd.DataFrame(
        {
            "name": ["县人民医院", "花桥中心卫生院", "石笋中心卫生院", "石笋镇卫生院", "商贸中心候选点"],
            "name_en": ["County Hospital", "Huaqiao CTHC", "Shisun CTHC", "Shisun THC", "Market candidate"],
            "level": ["county_hospital", "central_thc", "central_thc", "thc", "candidate"],
            "township": ["T1", "T1", "T2", "T2", "T2"],
            "beds": [400, 80, 60, 20, 0],
            "amb_ord": [3, 1, 0, 0, 0],
            "amb_np": [1, 0, 0, 0, 0],
            "fever_clinic": [True, False, False, False, False],
            "fever_room": [False, True, False, False, False],
            "blood_point": [False, False, False, False, False],
            "subcentre": [False, False, False, False, False],
            "station_capacity": [8, 4, 4, 2, 4],
            "candidate": [False, False, False, False, True],
            "x": sx if geometry else np.nan,
            "y": sy if geometry else np.nan,
            "lon": 108 + sx / 1e5 if geometry else np.nan,
            "lat": 30 + sy / 1e5 if geometry else np.nan,
        },
        index=sid,
    )
    d = np.hypot(sx[:, None] - x[None, :], sy[:, None] - y[None, :]) / 1000 * 1.5  # minutes
    si, di = np.nonzero(d <= 60)
    travel = TravelTimes.from_pairs(sid, ids, si, di, d[si, di], cutoff_minutes=60, method="straight")
    townships = None
    if geometry:
        townships = gpd.GeoDataFrame(
            {"name": ["花桥镇", "石笋镇"], "population": [0, 0], "urban": [True, False]},
            geometry=[box(0, 0, 10_000, 10_000), box(10_000, 0, 20_000, 10_000)],
            index=pd.Index(["T1", "T2"], name="id"),
            crs=CRS,
        )
        townships["population"] = demand.groupby("township")["population"].sum().reindex(townships.index)
    return Instance(
        name="test-county", demand=demand, sites=sites, travel=travel, townships=townships,
        crs=CRS if geometry else None, synthetic=True, notes=("straight-line travel × 1.5 min/km (test)",),
    )


def make_items() -> pd.DataFrame:
    """Five projects: ambulances at S3 (2025), a fever room at S3, a sub-centre at S2, a blood point, ambulances 2026."""
    rows = [
        dict(item_id="ambulance-S3-2025", site_id="S3", kind="ambulance", year=2025, quantity=3, quantity_ord=1,
             quantity_np=2, new_station=False, cost_wan=95.0, newly_covered=12_345, only_covered=8_021,
             standards="amb_fleet_ratio;amb_np_share"),
        dict(item_id="fever_room-S3-2025", site_id="S3", kind="fever_room", year=2025, quantity=1, quantity_ord=0,
             quantity_np=0, new_station=False, cost_wan=50.0, newly_covered=6_400, only_covered=6_400,
             standards="fever_room_mandate"),
        dict(item_id="subcentre-S2-2026", site_id="S2", kind="subcentre", year=2026, quantity=1, quantity_ord=0,
             quantity_np=0, new_station=False, cost_wan=1800.0, newly_covered=23_456, only_covered=0,
             standards="subcentre_target"),
        dict(item_id="blood-C1-2025", site_id="C1", kind="blood", year=2025, quantity=1, quantity_ord=0,
             quantity_np=0, new_station=True, cost_wan=80.0, newly_covered=41_000, only_covered=41_000,
             standards="blood_min_points"),
        dict(item_id="ambulance-C1-2026", site_id="C1", kind="ambulance", year=2026, quantity=1, quantity_ord=1,
             quantity_np=0, new_station=True, cost_wan=125.0, newly_covered=950, only_covered=0,
             standards="amb_fleet_ratio"),
    ]
    items = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    items["origin"] = "optimized"
    items["wan_per_1000"] = items["cost_wan"] / (items["newly_covered"] / 1000)
    return items


def make_plan(inst: Instance, *, baseline: bool = False, status: Status = Status.OPTIMAL, seed: int = 3) -> Plan:
    """A plan on ``inst``: coverage shares drawn from ``seed`` (after ≥ before), items from :func:`make_items`."""
    rng = np.random.default_rng(seed)
    n = len(inst.demand)
    cov = {}
    for key in COVERAGE_KEYS:
        before = np.round(rng.uniform(0, 1, n) * (rng.uniform(0, 1, n) < 0.6), 3)
        after = before if baseline else np.round(np.minimum(1.0, before + rng.uniform(0, 0.5, n)), 3)
        cov[f"{key}_before"] = before
        cov[f"{key}_after"] = after
    dc = pd.DataFrame(cov, index=inst.demand.index)
    pop = inst.demand["population"].astype(float)
    tw = dc.mul(pop, axis=0).groupby(inst.demand["township"]).sum()
    tw.insert(0, "population", pop.groupby(inst.demand["township"]).sum())
    items = make_items().iloc[:0] if baseline else make_items()
    standards = pd.DataFrame(
        [
            ["amb_fleet_ratio", 9.0, 5.0, 5.0 if baseline else 9.0, 4.0 if baseline else 0.0, baseline is False,
             "soft", "国卫医发〔2020〕19号 (B)"],
            ["amb_np_share", 0.4, 0.2, 0.2 if baseline else 0.333, 0.2 if baseline else 0.067, False, "soft",
             "2020 national guidance (A via news)"],
            ["fever_room_mandate", 3.0, 1.0, 1.0 if baseline else 2.0, 2.0 if baseline else 1.0, False, "soft",
             "2022 national notice (A via news)"],
            ["blood_min_points", 1.0, 0.0, 0.0 if baseline else 1.0, 1.0 if baseline else 0.0, not baseline, "hard",
             "seed 000 item 9 (A)"],
        ],
        columns=list(STANDARD_COLUMNS),
    )
    standards["unit"] = ["vehicles", "share", "sites", "sites"]  # as evaluation's standards table gives them
    spend = (
        items.pivot_table(index="kind", columns="year", values="cost_wan", aggfunc="sum", fill_value=0.0)
        if len(items) else pd.DataFrame()
    )
    after = inst.sites.copy()
    if not baseline:  # the stock after the plan, as the optimizer gives it: each item's units added at its site
        for it in items.itertuples():
            if it.kind == "ambulance":
                after.loc[it.site_id, "amb_ord"] += it.quantity_ord
                after.loc[it.site_id, "amb_np"] += it.quantity_np
            else:
                after.loc[it.site_id, {"blood": "blood_point"}.get(it.kind, it.kind)] = True
    info = (
        SolveInfo(Status.BASELINE, solver="", message="baseline")
        if baseline
        else SolveInfo(status, solver="highs", objective=1234.5, bound=1240.0,
                       gap=0.0 if status is Status.OPTIMAL else 0.0432, build_s=0.12, solve_s=0.34)
    )
    return Plan(
        items=items, demand_coverage=dc, township_coverage=tw, standards=standards, spend=spend,
        after_stock=after, solve=info, budget_wan=None if baseline else 3000.0,
        assumptions=() if baseline else (Text("发热诊室单位造价未设定，按50万元计（假设值）。",
                                              "resources.fever.room_cost_wan = 50 (ASSUMPTION: user did not set it)"),),
    )


def test_fixture_plan_is_consistent():
    inst = make_instance()
    plan = make_plan(inst)
    assert plan.spent_wan == 2150.0
    assert (plan.demand_coverage.filter(like="_after").values
            >= plan.demand_coverage.filter(like="_before").values).all()
