"""Tiny hand-checkable Instances for the optimizer tests (DataFrames + TravelTimes.from_pairs)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthplan.geodata.instance import Instance, TravelTimes
from healthplan.optimizer.config import (
    AmbulanceConfig,
    BloodConfig,
    FeverConfig,
    OptimizerConfig,
    ResourcesConfig,
    SolverConfig,
    SubcentreConfig,
)

OFF = {"enabled": False}


def make(
    population: list[int],
    minutes: list[list[float]] | np.ndarray,
    levels: list[str],
    *,
    urban: list[bool] | None = None,
    township: list[str] | None = None,
    speed_factor: float = 1.0,
    **site_cols: list,
) -> Instance:
    """Instance with demand d0…, sites s0…; ``minutes`` is sites × demand (``inf`` = unreachable)."""
    n_d, n_s = len(population), len(levels)
    demand = pd.DataFrame({
        "name": [f"d{i}" for i in range(n_d)], "population": np.asarray(population, dtype="int64"),
        "urban": np.asarray(urban if urban is not None else [False] * n_d, dtype=bool),
        "township": township if township is not None else ["T1"] * n_d,
        "x": np.nan, "y": np.nan, "lon": np.nan, "lat": np.nan,
    }, index=pd.Index([f"d{i}" for i in range(n_d)], name="id"))
    sites = pd.DataFrame({
        "name": [f"s{j}" for j in range(n_s)], "name_en": "", "level": levels, "township": "T1",
        "beds": site_cols.pop("beds", [0] * n_s), "amb_ord": site_cols.pop("amb_ord", [0] * n_s),
        "amb_np": site_cols.pop("amb_np", [0] * n_s),
        "fever_clinic": site_cols.pop("fever_clinic", [False] * n_s),
        "fever_room": site_cols.pop("fever_room", [False] * n_s),
        "blood_point": site_cols.pop("blood_point", [False] * n_s),
        "subcentre": site_cols.pop("subcentre", [False] * n_s),
        "station_capacity": site_cols.pop("station_capacity", [0] * n_s),
        "candidate": [lv == "candidate" for lv in levels],
        "x": np.nan, "y": np.nan, "lon": np.nan, "lat": np.nan,
    }, index=pd.Index([f"s{j}" for j in range(n_s)], name="id"))
    if site_cols:
        raise TypeError(f"unknown site columns {sorted(site_cols)}")
    m = np.asarray(minutes, dtype=float)
    si, di = np.nonzero(np.isfinite(m))
    cutoff = float(m[si, di].max()) if si.size else 1.0
    tt = TravelTimes.from_pairs(sites.index, demand.index, si, di, m[si, di], cutoff_minutes=cutoff, method="od")
    return Instance(name="t", demand=demand, sites=sites, travel=tt, ambulance_speed_factor=speed_factor)


def only(kind: str, budget: float | None = None, solver: str = "highs", **kw: object) -> OptimizerConfig:
    """Config with one kind enabled (its settings in ``kw``), the others off."""
    res = {"ambulance": OFF, "fever": OFF, "blood": OFF, "subcentre": OFF}
    cls = {"ambulance": AmbulanceConfig, "fever": FeverConfig, "blood": BloodConfig, "subcentre": SubcentreConfig}
    res[kind] = cls[kind](**kw)
    return OptimizerConfig(resources=ResourcesConfig(**res), budget_wan=budget,
                           solver=SolverConfig(name=solver, time_limit_s=60))


def random_case(seed: int, n_demand: int = 40, n_sites: int = 10) -> Instance:
    """Seeded random county: Euclidean minutes in a 60-minute square, mixed levels and some stock."""
    rng = np.random.default_rng(seed)
    d = rng.uniform(0, 60, (n_demand, 2))
    s = rng.uniform(0, 60, (n_sites, 2))
    minutes = np.hypot(*(s[:, None, :] - d[None, :, :]).transpose(2, 0, 1))
    pool = ["county_hospital", "secondary_hospital", "central_thc", "central_thc", "thc", "thc", "chc", "candidate"]
    levels = [pool[j % len(pool)] for j in range(n_sites)]
    return make(
        list(rng.integers(500, 20_000, n_demand)), np.round(minutes, 1), levels,
        urban=list(rng.random(n_demand) < 0.3), township=[f"T{i % 3}" for i in range(n_demand)],
        amb_ord=[int(lv == "county_hospital") * 2 for lv in levels], amb_np=[0] * n_sites,
        beds=[int(rng.integers(10, 200)) for _ in levels],
        fever_clinic=[lv == "county_hospital" for lv in levels],
    )


def test_make_builds_sparse_pairs():
    inst = make([100, 200], [[0.0, np.inf], [5.0, 7.0]], ["thc", "candidate"])
    assert inst.travel.n_pairs == 3
    assert inst.travel.dense().tolist() == [[0.0, np.inf], [5.0, 7.0]]
    assert inst.population == 300 and inst.sites["candidate"].tolist() == [False, True]
