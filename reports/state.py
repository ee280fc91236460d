"""The run state saved in ``RUN_DIR/state/``: enough to re-render every table and map without solving again.

Layout: ``run.json`` (scenario name, language, timestamp, timings, report and optimizer configuration, solver
record and the scalar fields of the Instance and the Plan) and one Parquet file per table (GeoParquet for
townships and roads, ``travel.npz`` for the travel-time pairs). Parquet keeps dtypes, the index and float bits,
so a re-rendered table is identical to the original. Enum values are stored as their strings; integer column
labels (the years of ``Plan.spend``) are restored from ``run.json``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from healthplan.geodata.errors import HealthplanError, Problem
from healthplan.geodata.instance import Instance, TravelTimes
from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.plan import Plan, SolveInfo
from healthplan.optimizer.status import Status
from healthplan.optimizer.text import Text
from healthplan.reports.config import ReportConfig

STATE_DIR = "state"
STATE_VERSION = 1
_PLAN_FRAMES = ("items", "demand_coverage", "township_coverage", "standards", "spend", "after_stock", "site_units")


class StateError(HealthplanError):
    """A run folder has no (or an unreadable) saved state, so it cannot be re-rendered."""


@dataclass(frozen=True)
class RunState:
    """Everything :func:`reports.writer.write_run` needs, as saved with the run."""

    instance: Instance
    plan: Plan
    report: ReportConfig
    opt: OptimizerConfig
    timings: dict[str, float]
    scenario_name: str
    lang: str
    created: str  # ISO 8601 UTC timestamp of the original run


def save_state(
    out_dir: Path,
    instance: Instance,
    plan: Plan,
    *,
    report: ReportConfig,
    opt: OptimizerConfig,
    timings: dict[str, float],
    scenario_name: str,
    lang: str,
    created: str,
) -> list[Path]:
    """Write the state into ``out_dir/state/``; returns the files written."""
    d = Path(out_dir) / STATE_DIR
    d.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    int_cols: dict[str, bool] = {}
    for name, df in (("demand", instance.demand), ("sites", instance.sites)):
        files.append(_save_frame(d / f"{name}.parquet", df, int_cols, name))
    for name in _PLAN_FRAMES:
        files.append(_save_frame(d / f"plan_{name}.parquet", getattr(plan, name), int_cols, f"plan_{name}"))
    for name in ("townships", "roads"):
        gdf = getattr(instance, name)
        if gdf is not None:
            p = d / f"{name}.parquet"
            _plain(gdf).to_parquet(p)
            files.append(p)
    tt = instance.travel
    p = d / "travel.npz"
    np.savez_compressed(
        p, site_ids=np.asarray(tt.site_ids.astype(str), dtype=str), demand_ids=np.asarray(tt.demand_ids.astype(str), dtype=str),
        site_idx=tt.site_idx, demand_idx=tt.demand_idx, minutes=tt.minutes,
    )
    files.append(p)
    info = plan.solve
    meta = {
        "version": STATE_VERSION,
        "scenario_name": scenario_name,
        "lang": lang,
        "created": created,
        "timings": {k: float(v) for k, v in timings.items()},
        "report": report.model_dump(mode="json", exclude_unset=True),  # unset defaults stay flagged
        "opt": opt.model_dump(mode="json", exclude_unset=True),
        "int_columns": int_cols,
        "instance": {
            "name": instance.name,
            "crs": instance.crs,
            "ambulance_speed_factor": instance.ambulance_speed_factor,
            "synthetic": instance.synthetic,
            "notes": list(instance.notes),
            "warnings": [dataclasses.asdict(w) for w in instance.warnings],
            "meta": _jsonable(instance.meta),
            "travel": {"cutoff_minutes": tt.cutoff_minutes, "method": tt.method,
                       "site_ids_name": tt.site_ids.name, "demand_ids_name": tt.demand_ids.name},
            "has_townships": instance.townships is not None,
            "has_roads": instance.roads is not None,
        },
        "plan": {
            "budget_wan": plan.budget_wan,
            "assumptions": [Text.of(a).as_dict() for a in plan.assumptions],  # zh and en
            "meta": _jsonable(plan.meta),
            "solve": {
                "status": str(info.status.value),
                "solver": info.solver,
                "objective": _f(info.objective),
                "bound": _f(info.bound),
                "gap": _f(info.gap),
                "build_s": info.build_s,
                "solve_s": info.solve_s,
                "message": info.message,
                "stages": _jsonable(list(info.stages)),
            },
        },
    }
    p = d / "run.json"
    p.write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    files.append(p)
    return files


def load_state(run_dir: Path) -> RunState:
    """Read the state saved by :func:`save_state` from ``run_dir/state/``.

    Raises
    ------
    StateError
        When the folder has no ``state/run.json`` (not a run folder, or written before states existed).
    """
    d = Path(run_dir) / STATE_DIR
    meta_path = d / "run.json"
    if not meta_path.is_file():
        msg = (f"{run_dir}: no saved run state ({STATE_DIR}/run.json) — fix: pass a folder written by "
               "`healthplan run`, or run the scenario again")
        raise StateError(msg)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("version") != STATE_VERSION:
        msg = (f"{meta_path}: state version {meta.get('version')} is not {STATE_VERSION} — fix: run the scenario "
               "again with this version of healthplan")
        raise StateError(msg)
    ic = meta["int_columns"]
    im = meta["instance"]
    demand = _load_frame(d / "demand.parquet", ic.get("demand"))
    sites = _load_frame(d / "sites.parquet", ic.get("sites"))
    npz = np.load(d / "travel.npz", allow_pickle=False)
    tm = im["travel"]
    travel = TravelTimes(
        pd.Index(npz["site_ids"].astype(object), name=tm["site_ids_name"]),
        pd.Index(npz["demand_ids"].astype(object), name=tm["demand_ids_name"]),
        npz["site_idx"], npz["demand_idx"], npz["minutes"], float(tm["cutoff_minutes"]), tm["method"],
    )
    townships = gpd.read_parquet(d / "townships.parquet") if im["has_townships"] else None
    roads = gpd.read_parquet(d / "roads.parquet") if im["has_roads"] else None
    instance = Instance(
        name=im["name"], demand=demand, sites=sites, travel=travel, townships=townships, roads=roads,
        crs=im["crs"], ambulance_speed_factor=float(im["ambulance_speed_factor"]), synthetic=bool(im["synthetic"]),
        notes=tuple(im["notes"]), warnings=tuple(Problem(**w) for w in im["warnings"]), meta=im["meta"],
    )
    pm = meta["plan"]
    sv = pm["solve"]
    solve = SolveInfo(
        Status(sv["status"]), solver=sv["solver"], objective=_nan(sv["objective"]), bound=_nan(sv["bound"]),
        gap=_nan(sv["gap"]), build_s=float(sv["build_s"]), solve_s=float(sv["solve_s"]), message=sv["message"],
        stages=tuple(sv["stages"]),
    )
    # a frame a state of an earlier version lacks (site_units) loads empty
    frames = {n: _load_frame(d / f"plan_{n}.parquet", ic.get(f"plan_{n}")) for n in _PLAN_FRAMES
              if (d / f"plan_{n}.parquet").exists()}
    plan = Plan(**frames, solve=solve, budget_wan=pm["budget_wan"], assumptions=tuple(Text.of(a) for a in pm["assumptions"]),
                meta=pm["meta"])
    return RunState(
        instance=instance, plan=plan, report=ReportConfig.model_validate(meta["report"]),
        opt=OptimizerConfig.model_validate(meta["opt"]), timings=meta["timings"],
        scenario_name=meta["scenario_name"], lang=meta["lang"], created=meta["created"],
    )


def _save_frame(path: Path, df: pd.DataFrame | None, int_cols: dict[str, bool], key: str) -> Path:
    df = pd.DataFrame() if df is None else df
    cols = list(df.columns)
    is_int = bool(cols) and all(isinstance(c, int | np.integer) for c in cols)
    int_cols[key] = is_int
    out = _plain(df)
    out.columns = [str(c) for c in cols]
    out.to_parquet(path)
    return path


def _load_frame(path: Path, int_columns: bool | None) -> pd.DataFrame:
    df = pd.read_parquet(path)
    if int_columns:
        df.columns = [int(c) for c in df.columns]
    return df


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Copy with Enum values turned into their strings and no ``attrs`` (Parquet stores plain types only; the
    loaders' attrs are input bookkeeping such as per-row arrays, not needed to re-render)."""
    out = df.copy()
    out.attrs = {}
    for c in out.columns:
        if out[c].dtype == object and out[c].map(lambda v: isinstance(v, Enum)).any():
            out[c] = out[c].map(lambda v: v.value if isinstance(v, Enum) else v)
    return out


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str, allow_nan=True))


def _f(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)
