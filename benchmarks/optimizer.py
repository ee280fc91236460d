"""Optimizer benchmark: build and solve seconds and peak memory for the demo county and a generated province.

Usage::

    .venv/bin/python benchmarks/optimizer.py                 # demo county (target: full four-kind plan < 5 s)
    .venv/bin/python benchmarks/optimizer.py --province      # + generated province (~20,000 × ~2,000; < 10 min, < 8 GB)
    .venv/bin/python benchmarks/optimizer.py --orlib         # + OR-Library p-median (pmed1–pmed40 under ../shared)

Travel times come from the scenario's road network (demo) or straight lines × detour (province), so the optimizer
figures can be read apart from the travel-time step. Peak memory is the process's max RSS (resource.getrusage).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def report(label: str, inst, plan, extra_s: float = 0.0) -> None:
    """One line per run: sizes, build/solve seconds, status, gap, spend and peak memory."""
    s = plan.solve
    cov = plan.coverage_summary(inst.demand["population"])
    amb = cov.get("ambulance_single", {})
    print(f"{label}: {len(inst.demand):,} demand × {len(inst.sites):,} sites, {inst.travel.n_pairs:,} pairs; "
          f"model {plan.meta.get('n_variables', 0):,} vars × {plan.meta.get('n_constraints', 0):,} rows; "
          f"groups {plan.meta.get('groups', {})}")
    print(f"  build {s.build_s:.2f} s, solve {s.solve_s:.2f} s, total {plan.meta.get('total_s', 0) + extra_s:.2f} s; "
          f"status {s.status.value}, gap {s.gap:.4g}; spent {plan.spent_wan:,.0f}万元 of "
          f"{plan.budget_wan if plan.budget_wan is not None else '∞'}; ambulance single coverage "
          f"{amb.get('before', 0) / max(amb.get('population', 1), 1):.1%} → "
          f"{amb.get('after', 0) / max(amb.get('population', 1), 1):.1%}; peak RSS {peak_mb():,.0f} MB")
    for st in s.stages:
        print(f"    stage {st['stage']:<9} {st['status']:<10} {st['seconds']:8.2f} s  obj {st['objective']:.6g}  "
              f"bound {st['bound']:.6g}  gap {st['gap']:.3g}")


def demo_county() -> None:
    """The bundled demo county under scenarios/demo.yaml (all four kinds)."""
    from healthplan.optimizer import optimize
    from healthplan.scenarios.runner import prepare_instance
    from healthplan.scenarios.schema import load_scenario

    scen = load_scenario(ROOT / "scenarios" / "demo.yaml")
    t0 = time.perf_counter()
    inst = prepare_instance(scen)
    print(f"demo county instance ready in {time.perf_counter() - t0:.2f} s (travel times, cached after the first run)")
    plan = optimize(inst, scen.optimizer_config())
    report("demo county", inst, plan)


def province(seed: int = 7, time_limit_s: float = 600.0, gap: float = 0.01) -> None:
    """A generated province (~20,000 villages, ~2,000 sites); straight-line × detour travel times."""
    import numpy as np
    import pandas as pd

    from healthplan.geodata.demo import generate_region
    from healthplan.geodata.instance import Instance
    from healthplan.geodata.levels import parse_level
    from healthplan.geodata.travel_times import straight_travel_times  # noqa: F401  (documented path; see below)
    from healthplan.optimizer import optimize, required_cutoff
    from healthplan.optimizer.config import FeverConfig, BloodConfig, OptimizerConfig, ResourcesConfig, SolverConfig
    from healthplan.optimizer.config import SubcentreConfig

    t0 = time.perf_counter()
    region = generate_region(seed=seed)
    print(f"province generated in {time.perf_counter() - t0:.1f} s")
    cfg = OptimizerConfig(
        resources=ResourcesConfig(fever=FeverConfig(room_cost_wan=60), blood=BloodConfig(unit_cost_wan=80),
                                  subcentre=SubcentreConfig(target_count=50)),
        budget_wan=200_000, solver=SolverConfig(time_limit_s=time_limit_s, gap=gap),
    )
    inst = _region_instance(region, required_cutoff(cfg), np, pd, Instance, parse_level)
    print(f"province instance ready in {time.perf_counter() - t0:.1f} s; peak RSS {peak_mb():,.0f} MB")
    plan = optimize(inst, cfg)
    report("province", inst, plan)


def _region_instance(region, cutoff, np, pd, Instance, parse_level):
    """Canonical Instance from the generator's layers with straight-line minutes (detour 1.6, 40 km/h)."""
    from scipy.spatial import cKDTree

    from healthplan.geodata.instance import TravelTimes

    crs = region.villages.estimate_utm_crs()
    vil = region.villages.to_crs(crs)
    fac = pd.concat([region.facilities.to_crs(crs), region.candidates.to_crs(crs)], ignore_index=True)
    cols = {c.lower(): c for c in vil.columns}
    demand = pd.DataFrame({
        "name": vil[cols.get("name", vil.columns[0])].astype(str).to_numpy(),
        "population": vil[cols["population"]].astype("int64").to_numpy(),
        "urban": vil[cols["urban"]].astype(bool).to_numpy() if "urban" in cols else False,
        "township": vil[cols["township"]].astype(str).to_numpy() if "township" in cols else "",
        "x": vil.geometry.x.to_numpy(), "y": vil.geometry.y.to_numpy(), "lon": np.nan, "lat": np.nan,
    }, index=pd.Index(vil[cols["id"]].astype(str).to_numpy(), name="id"))
    fcols = {c.lower(): c for c in fac.columns}

    def col(name, default):
        return fac[fcols[name]].fillna(default).to_numpy() if name in fcols else np.full(len(fac), default)

    sites = pd.DataFrame({
        "name": col("name", "").astype(str), "name_en": col("name_en", "").astype(str),
        "level": [getattr(parse_level(v), "value", "candidate") for v in col("level", "candidate")],
        "township": col("township", "").astype(str), "beds": col("beds", 0).astype("int64"),
        "amb_ord": col("amb_ord", 0).astype("int64"), "amb_np": col("amb_np", 0).astype("int64"),
        "fever_clinic": col("fever_clinic", False).astype(bool), "fever_room": col("fever_room", False).astype(bool),
        "blood_point": col("blood_point", False).astype(bool), "subcentre": col("subcentre", False).astype(bool),
        "station_capacity": col("station_capacity", 0).astype("int64"),
        "candidate": np.array([str(v) == "candidate" for v in col("level", "candidate")]),
        "x": fac.geometry.x.to_numpy(), "y": fac.geometry.y.to_numpy(), "lon": np.nan, "lat": np.nan,
    }, index=pd.Index(col("id", "").astype(str), name="id"))
    speed_m_per_min = 40_000 / 60 / 1.6  # 40 km/h, detour 1.6 (B: Beijing measured speeds, 中国全科医学 2011)
    radius = cutoff * speed_m_per_min
    tree = cKDTree(demand[["x", "y"]].to_numpy())
    nb = tree.query_ball_point(sites[["x", "y"]].to_numpy(), r=radius)
    si = np.repeat(np.arange(len(sites)), [len(v) for v in nb])
    di = np.concatenate([np.asarray(v, dtype=np.int64) for v in nb]) if len(nb) else np.zeros(0, dtype=np.int64)
    dist = np.hypot(sites["x"].to_numpy()[si] - demand["x"].to_numpy()[di],
                    sites["y"].to_numpy()[si] - demand["y"].to_numpy()[di])
    travel = TravelTimes.from_pairs(sites.index, demand.index, si, di, dist / speed_m_per_min,
                                    cutoff_minutes=cutoff, method="straight")
    return Instance(name="province", demand=demand, sites=sites, travel=travel, crs=str(crs), synthetic=True)


def orlib(names: list[str]) -> None:
    """OR-Library p-median optima through the access_time objective (reads ../shared/benchmarks/orlib_pmed)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import independent as ind
    import numpy as np
    import pandas as pd
    from conftest import build_instance

    from healthplan.optimizer import optimize
    from healthplan.optimizer.config import BloodConfig, OptimizerConfig, ResourcesConfig, StandardRule

    folder = ROOT.parent / "shared" / "benchmarks" / "orlib_pmed"
    if not folder.is_dir():
        print(f"skipped: {folder} absent")
        return
    for name in names:
        dist, p = ind.read_orlib_pmed(folder / f"{name}.txt")
        n = dist.shape[0]
        demand = pd.DataFrame({"population": np.ones(n, dtype=int)}, index=[f"v{i}" for i in range(n)])
        sites = pd.DataFrame({"level": ["candidate"] * n}, index=[f"m{i}" for i in range(n)])
        inst = build_instance(demand, sites, dist.T, cutoff_minutes=float(dist.max()))
        res = ResourcesConfig(blood=BloodConfig(objective="access_time", unit_cost_wan=1.0, min_points=p,
                                                min_points_rule=StandardRule(mode="hard"),
                                                access_minutes=float(dist.max())),
                              ambulance={"enabled": False}, fever={"enabled": False}, subcentre={"enabled": False})
        plan = optimize(inst, OptimizerConfig(resources=res, budget_wan=float(p)))
        cols = [inst.sites.index.get_loc(s) for s in plan.items["site_id"]]
        print(f"{name}: n={n} p={p} value {ind.pmedian_value(dist.T, np.array(cols)):.0f}; "
              f"build {plan.solve.build_s:.2f} s solve {plan.solve.solve_s:.2f} s {plan.solve.status.value}")


def main() -> None:
    """Run the selected benchmarks and print their figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province", action="store_true", help="also the generated province (minutes)")
    ap.add_argument("--orlib", nargs="*", default=None, help="OR-Library instances, e.g. pmed1 pmed6")
    ap.add_argument("--no-demo", action="store_true")
    args = ap.parse_args()
    if not args.no_demo:
        demo_county()
    if args.orlib is not None:
        orlib(args.orlib or ["pmed1", "pmed2", "pmed3", "pmed4", "pmed5"])
    if args.province:
        province()


if __name__ == "__main__":
    main()
