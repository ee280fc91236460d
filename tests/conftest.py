"""Shared test fixtures: small Instances from DataFrames and TravelTimes.from_pairs; the ../shared lookup."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from healthplan.geodata.instance import Instance, TravelTimes
from healthplan.geodata.levels import Level

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"

# Defaults of every canonical site column (geodata.instance.SITE_COLUMNS) for sites a test does not spell out.
SITE_DEFAULTS: dict[str, object] = {
    "name": "", "name_en": "", "level": Level.CANDIDATE.value, "township": "T1", "beds": 0,
    "amb_ord": 0, "amb_np": 0, "fever_clinic": False, "fever_room": False, "blood_point": False,
    "subcentre": False, "station_capacity": 0, "candidate": False,
    "chest_pain_centre": False, "stroke_centre": False, "trauma_centre": False,
    "x": np.nan, "y": np.nan, "lon": np.nan, "lat": np.nan,
}
DEMAND_DEFAULTS: dict[str, object] = {
    "name": "", "urban": False, "township": "T1", "x": np.nan, "y": np.nan, "lon": np.nan, "lat": np.nan,
}
INT_SITE_COLUMNS = ("beds", "amb_ord", "amb_np", "station_capacity")
BOOL_SITE_COLUMNS = ("fever_clinic", "fever_room", "blood_point", "subcentre", "candidate",
                     "chest_pain_centre", "stroke_centre", "trauma_centre")


def build_instance(
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    minutes: np.ndarray,
    *,
    cutoff_minutes: float | None = None,
    ambulance_speed_factor: float = 1.0,
    name: str = "test",
) -> Instance:
    """An Instance from partial tables and a dense site × demand matrix of minutes (``inf`` = unreachable).

    ``demand`` needs an index (demand id) and ``population`` (persons); ``sites`` an index (site id) and
    ``level``; every other canonical column gets its default. Pairs go through ``TravelTimes.from_pairs``;
    the cutoff defaults to the largest finite minute value (so no pair is lost).
    """
    d = demand.copy()
    for col, val in DEMAND_DEFAULTS.items():
        if col not in d:
            d[col] = val
    d["name"] = np.where(d["name"] == "", d.index.astype(str), d["name"])
    d["population"] = d["population"].astype("int64")
    d["urban"] = d["urban"].astype(bool)
    d["township"] = d["township"].astype(str)
    s = sites.copy()
    for col, val in SITE_DEFAULTS.items():
        if col not in s:
            s[col] = val
    s["level"] = [Level(v).value for v in s["level"]]
    s["name"] = np.where(s["name"] == "", s.index.astype(str), s["name"])
    s["candidate"] = s["candidate"].astype(bool) | (s["level"] == Level.CANDIDATE.value)
    for col in INT_SITE_COLUMNS:
        s[col] = s[col].astype("int64")
    for col in BOOL_SITE_COLUMNS:
        s[col] = s[col].astype(bool)
    m = np.asarray(minutes, dtype=float)
    if m.shape != (len(s), len(d)):
        raise ValueError(f"minutes has shape {m.shape}, expected sites × demand = {(len(s), len(d))}")
    si, di = np.nonzero(np.isfinite(m))
    cutoff = float(np.max(m[si, di])) if cutoff_minutes is None and si.size else float(cutoff_minutes or 0.0)
    travel = TravelTimes.from_pairs(
        pd.Index(s.index), pd.Index(d.index), si, di, m[si, di], cutoff_minutes=cutoff, method="od"
    )
    return Instance(
        name=name, demand=d[list(DEMAND_DEFAULTS) + ["population"]], sites=s[list(SITE_DEFAULTS)],
        travel=travel, ambulance_speed_factor=ambulance_speed_factor, synthetic=True,
    )


def random_instance(
    seed: int,
    levels: Sequence[str | Level],
    *,
    n_demand: int = 8,
    side_minutes: float = 60.0,
    pop_range: tuple[int, int] = (1_000, 20_000),
    urban_share: float = 0.3,
    pop_round: int = 1,
    unreachable_share: float = 0.0,
    **site_columns: Sequence[object],
) -> Instance:
    """A seeded random instance: points uniform in a square, minutes = Euclidean distance (side in minutes).

    ``levels`` gives one level per site; ``site_columns`` sets further site columns (one value per site).
    Populations are uniform in ``pop_range`` rounded to ``pop_round`` persons; a share of pairs can be made
    unreachable (absent from the travel times).
    """
    rng = np.random.default_rng(seed)
    n_sites = len(levels)
    dxy = rng.uniform(0, side_minutes, size=(n_demand, 2))
    sxy = rng.uniform(0, side_minutes, size=(n_sites, 2))
    minutes = np.round(np.hypot(*(sxy[:, None, :] - dxy[None, :, :]).transpose(2, 0, 1)), 2)
    if unreachable_share > 0:
        minutes[rng.random(minutes.shape) < unreachable_share] = np.inf
    pop = rng.integers(pop_range[0] // pop_round, pop_range[1] // pop_round + 1, size=n_demand) * pop_round
    demand = pd.DataFrame(
        {
            "population": pop,
            "urban": rng.random(n_demand) < urban_share,
            "township": np.where(np.arange(n_demand) % 2 == 0, "T1", "T2"),
            "x": dxy[:, 0] * 500.0, "y": dxy[:, 1] * 500.0,
        },
        index=pd.Index([f"d{i:02d}" for i in range(n_demand)], name="id"),
    )
    sites = pd.DataFrame(
        {"level": [Level(v).value for v in levels], "x": sxy[:, 0] * 500.0, "y": sxy[:, 1] * 500.0,
         **{k: list(v) for k, v in site_columns.items()}},
        index=pd.Index([f"s{j:02d}" for j in range(n_sites)], name="id"),
    )
    return build_instance(demand, sites, minutes, name=f"random-{seed}")


@pytest.fixture
def make_instance() -> Callable[..., Instance]:
    """The :func:`build_instance` builder (partial tables + dense minutes → Instance)."""
    return build_instance


@pytest.fixture
def make_random_instance() -> Callable[..., Instance]:
    """The :func:`random_instance` builder (seed + site levels → Instance)."""
    return random_instance


@pytest.fixture
def shared_dir() -> Path:
    """../shared (reference data outside the repo); skips the test when a fresh clone has none."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"../shared absent: {SHARED_DIR} holds the benchmark data, not part of the repository")
    return SHARED_DIR


@pytest.fixture
def opt() -> SimpleNamespace:
    """The optimizer's public API (optimize, min_budget, baseline, evaluate, required_cutoff); an ImportError of
    the project's own modules fails the tests that use it, never skips them."""
    from healthplan.optimizer import baseline, evaluate, min_budget, optimize, required_cutoff

    return SimpleNamespace(
        optimize=optimize, min_budget=min_budget, baseline=baseline, evaluate=evaluate,
        required_cutoff=required_cutoff,
    )
