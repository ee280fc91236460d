"""healthplan and PySAL spopt side by side on the seeded uniform anchor instances (issue 12 §4).

Usage::

    .venv/bin/python benchmarks/spopt_anchor.py                   # 2,000 × 300: MCLP and LSCP, both tools
    .venv/bin/python benchmarks/spopt_anchor.py --large           # also 20,000 × 1,500 MCLP (healthplan; spopt
                                                                  # only with --spopt-large: ≈ 10 min)
    .venv/bin/python benchmarks/spopt_anchor.py --no-covering --pmedian --large-pmedian
                                                                  # weighted p-median only: 2,000 × 300 p = 20
                                                                  # (spopt KNearestPMedian: --spopt-pmedian,
                                                                  # ≈ 15 min) and 20,000 × 1,500 p = 50
    .venv/bin/python benchmarks/spopt_anchor.py --cli             # also healthplan's command line on the
                                                                  # MCLP/LSCP rows (anchor_cli.py: CSV inputs,
                                                                  # OD matrix, every document and map)

The instances are ``../shared/benchmarks/random_anchor`` (uniform points in a 100 × 100 square; cost = Euclidean
distance, cover iff d ≤ S; demand weights 1–100). Both tools get the same pairs and the same solver (HiGHS through
PuLP for spopt, through highspy for healthplan, one thread, gap 0). healthplan is run through its API: the
instance as demand points and sites with the pairs d ≤ S as travel minutes, fixed blood points as the one kind
(unit cost 1, budget p for the MCLP; ``min_budget`` with ``target_coverage: 1.0`` for the LSCP, which is the
set-covering problem over the points any site reaches). Prints the optima (they must be equal) and the ratios of
wall seconds, build included.

The weighted p-median (Σ_i w_i d_i, d_i the Euclidean distance to the nearest open site) goes through the same
API: blood points with ``objective: access_time``, the pairs d ≤ H as minutes (H the travel horizon) and a
budget of p points. healthplan's objective is then Σ_i w_i min(H, d_i); every plan's true cost is recomputed
here over ALL sites with a KD-tree. When no point of the plan is farther than H, that true cost equals
healthplan's and the proven bound of the horizon problem (≤ its optimum ≤ the true optimum) bounds the true
problem as well, so the gap printed is proven for the unrestricted p-median. A large enough pair count sends
optimize() to the Lagrangian p-median path (``optimizer/pmedian.py``): no PuLP model is built.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = ROOT.parent / "shared" / "benchmarks" / "random_anchor"
sys.path.insert(0, str(ROOT))


def load_anchor(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(demand xy, weights, site xy) of ``demand_<name>.csv`` / ``sites_<name>.csv``."""
    d = pd.read_csv(ANCHOR / f"demand_{name}.csv")
    s = pd.read_csv(ANCHOR / f"sites_{name}.csv")
    return d[["x", "y"]].to_numpy(), d["weight"].to_numpy(), s[["x", "y"]].to_numpy()


def pairs_within(dxy: np.ndarray, sxy: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Site index, demand index and distance of every pair with d ≤ radius (a KD-tree: no dense matrix)."""
    from scipy.spatial import cKDTree

    sm = cKDTree(sxy).sparse_distance_matrix(cKDTree(dxy), radius, output_type="coo_matrix")
    return sm.row.astype(np.int64), sm.col.astype(np.int64), sm.data


def healthplan_instance(dxy, w, sxy, radius: float):
    """The anchor as a healthplan Instance: pairs d ≤ radius as minutes (an unreachable pair is absent)."""
    from healthplan.geodata.instance import Instance, TravelTimes

    demand = pd.DataFrame({"name": "", "population": w.astype(np.int64), "urban": False, "township": "T",
                           "x": dxy[:, 0], "y": dxy[:, 1]}, index=pd.Index([f"d{i}" for i in range(len(w))]))
    sites = pd.DataFrame({"name": "", "level": "candidate", "candidate": True, "x": sxy[:, 0], "y": sxy[:, 1]},
                         index=pd.Index([f"s{j}" for j in range(len(sxy))]))
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import BOOL_SITE_COLUMNS, DEMAND_DEFAULTS, INT_SITE_COLUMNS, SITE_DEFAULTS  # canonical columns

    for col, val in DEMAND_DEFAULTS.items():
        if col not in demand:
            demand[col] = val
    for col, val in SITE_DEFAULTS.items():
        if col not in sites:
            sites[col] = val
    sites = sites.astype({**{c: "int64" for c in INT_SITE_COLUMNS}, **{c: bool for c in BOOL_SITE_COLUMNS}})
    si, di, dist = pairs_within(dxy, sxy, radius)
    travel = TravelTimes.from_pairs(sites.index, demand.index, si, di, dist, cutoff_minutes=radius, method="od")
    return Instance(name="random-anchor", demand=demand[list(DEMAND_DEFAULTS) + ["population"]],
                    sites=sites[list(SITE_DEFAULTS)], travel=travel, synthetic=True)


def healthplan_cfg(radius: float, p: int | None):
    from healthplan.optimizer.config import (AmbulanceConfig, BloodConfig, CriticalCareConfig, FeverConfig,
                                             OptimizerConfig, ResourcesConfig, SolverConfig, StandardRule,
                                             SubcentreConfig)

    blood = dict(min_points_rule=StandardRule(mode="off"), unit_cost_wan=1.0, access_minutes=radius,
                 candidates="all")
    if p is None:
        blood["target_coverage"] = 1.0
    res = ResourcesConfig(ambulance=AmbulanceConfig(enabled=False), fever=FeverConfig(enabled=False),
                          blood=BloodConfig(**blood), subcentre=SubcentreConfig(enabled=False),
                          critical_care=CriticalCareConfig(enabled=False))
    return OptimizerConfig(resources=res, budget_wan=None if p is None else float(p),
                           solver=SolverConfig(time_limit_s=900.0, gap=0.0))


def run_healthplan(dxy, w, sxy, radius: float, p: int | None) -> tuple[float, float, str]:
    """(wall seconds from the points, objective: covered weight or sites, status)."""
    from healthplan.optimizer import min_budget, optimize

    t0 = time.perf_counter()
    inst = healthplan_instance(dxy, w, sxy, radius)
    cfg = healthplan_cfg(radius, p)
    plan = optimize(inst, cfg) if p is not None else min_budget(inst, cfg)
    secs = time.perf_counter() - t0
    if p is not None:
        obj = plan.coverage_summary(inst.demand["population"])["blood"]["after"]
    else:
        obj = float(len(plan.items))
    return secs, obj, str(plan.solve.status.value)


def run_spopt(dxy, w, sxy, radius: float, p: int | None, solver: str) -> tuple[float, float, str]:
    """(wall seconds from the points, objective, status) of spopt's MCLP / LSCP from the dense cost matrix."""
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import LSCP, MCLP

    t0 = time.perf_counter()
    cost = cdist(dxy, sxy)
    slv = pulp.HiGHS(msg=False, timeLimit=900, threads=1) if solver == "highs" else pulp.PULP_CBC_CMD(
        msg=False, timeLimit=900, threads=1)
    if p is not None:
        model = MCLP.from_cost_matrix(cost, w, service_radius=radius, p_facilities=p).solve(slv)
        obj = float(np.asarray(w)[[bool(c) for c in model.cli2fac]].sum()) if hasattr(model, "cli2fac") else \
            float(pulp.value(model.problem.objective))
    else:
        model = LSCP.from_cost_matrix(cost, service_radius=radius).solve(slv)
        obj = float(pulp.value(model.problem.objective))
    return time.perf_counter() - t0, obj, pulp.LpStatus[model.problem.status]


# Travel horizons (distance units) of the p-median instances: far beyond any point's distance to its nearest
# site in a good plan (checked on every run: the farthest point is printed), and enough pairs (> 200,000) for
# optimize() to take the Lagrangian path.
PMEDIAN_HORIZON = 50.0  # 2,000 × 300, p = 20: 289,332 pairs
LARGE_PMEDIAN_HORIZON = 20.0  # 20,000 × 1,500, p = 50: 3.2 million pairs
# ../shared README: the proven optimum, by direct HiGHS (995 s) and by spopt KNearestPMedian (923 s)
PMEDIAN_2000_OPTIMUM = 853_548.9208


def pmedian_cfg(horizon: float, p: int):
    """Blood points only, p-median (access_time) over the pairs ≤ horizon, budget p points, time limit 900 s,
    gap 0."""
    from healthplan.optimizer.config import (AmbulanceConfig, BloodConfig, CriticalCareConfig, FeverConfig,
                                             OptimizerConfig, ResourcesConfig, SolverConfig, StandardRule,
                                             SubcentreConfig)

    blood = BloodConfig(objective="access_time", min_points_rule=StandardRule(mode="off"), unit_cost_wan=1.0,
                        access_minutes=horizon / 3, candidates="all")  # the horizon is 3 × the standard
    res = ResourcesConfig(ambulance=AmbulanceConfig(enabled=False), fever=FeverConfig(enabled=False),
                          blood=blood, subcentre=SubcentreConfig(enabled=False),
                          critical_care=CriticalCareConfig(enabled=False))
    return OptimizerConfig(resources=res, budget_wan=float(p),
                           solver=SolverConfig(time_limit_s=900.0, gap=0.0))


def true_cost(dxy: np.ndarray, w: np.ndarray, sxy: np.ndarray, chosen: np.ndarray) -> tuple[float, float]:
    """(Σ_i w_i · Euclidean distance to the nearest chosen site over all sites, the largest such distance)."""
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(sxy[chosen]).query(dxy)
    return float(np.asarray(w, dtype=float) @ dist), float(dist.max())


def peak_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux ru_maxrss is in kB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_healthplan_pmedian(dxy, w, sxy, horizon: float, p: int) -> dict:
    """healthplan's p-median through optimize(): seconds from the points, true cost, bound, gap, status."""
    from healthplan.optimizer import optimize

    t0 = time.perf_counter()
    inst = healthplan_instance(dxy, w, sxy, horizon)
    plan = optimize(inst, pmedian_cfg(horizon, p))
    secs = time.perf_counter() - t0
    chosen = np.array([inst.sites.index.get_loc(s) for s in plan.items["site_id"]], dtype=np.int64)
    cost, farthest = true_cost(dxy, w, sxy, chosen)
    own = float(plan.solve.objective)
    # the bound is proven for the unrestricted problem only when the horizon binds nobody in the plan
    exact = farthest < horizon and abs(cost - own) <= 1e-9 * cost
    return {"seconds": secs, "cost": cost, "own": own, "bound": float(plan.solve.bound),
            "gap": (cost - plan.solve.bound) / cost if exact else float("nan"),
            "status": plan.solve.status.value, "solver": plan.solve.solver, "farthest": farthest,
            "pairs": inst.travel.n_pairs, "sites": len(chosen),
            "peak_mb": peak_mb(), "message": plan.solve.message}


def run_spopt_pmedian(dxy, w, sxy, p: int) -> tuple[float, float, str]:
    """(wall seconds from the points, true cost of its sites, status) of spopt's KNearestPMedian (HiGHS,
    k0 = 30)."""
    import pulp
    from spopt.locate import KNearestPMedian

    t0 = time.perf_counter()
    gdf_d = _points(dxy, {"weight": np.asarray(w)})
    gdf_s = _points(sxy, {})
    model = KNearestPMedian.from_geodataframe(gdf_d, gdf_s, "geometry", "geometry", "weight", p_facilities=p,
                                              k_array=np.full(len(w), 30))
    model = model.solve(pulp.HiGHS(msg=False, timeLimit=900, threads=1))
    secs = time.perf_counter() - t0
    chosen = np.array([j for j, clients in enumerate(model.fac2cli) if len(clients)], dtype=np.int64)
    return secs, true_cost(dxy, w, sxy, chosen)[0], pulp.LpStatus[model.problem.status]


def _points(xy: np.ndarray, cols: dict):
    import geopandas as gpd

    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]))


def compare_pmedian(name: str, p: int, horizon: float, spopt: bool, published: float | None) -> None:
    dxy, w, sxy = load_anchor(name)
    print(f"\n### weighted p-median on {name}: p = {p}, travel horizon H = {horizon:g} (load {load()})\n")
    print("| tool | wall s | plan cost Σ w·d | proven bound | gap | status | peak MB |")
    print("|---|---|---|---|---|---|---|")
    r = run_healthplan_pmedian(dxy, w, sxy, horizon, p)
    print(f"| healthplan (API, {r['solver']}) | {r['seconds']:.1f} | {r['cost']:,.4f} | {r['bound']:,.4f} | "
          f"{r['gap']:.4%} | {r['status']} | {r['peak_mb']:,.0f} |")
    if published is not None:
        print(f"| published optimum (../shared README) | 995 / 923 | {published:,.4f} | | | optimal | |")
    if spopt:
        s_s, s_cost, s_st = run_spopt_pmedian(dxy, w, sxy, p)
        print(f"| spopt 0.7 KNearestPMedian (HiGHS) | {s_s:.1f} | {s_cost:,.4f} | | | {s_st} | "
              f"{peak_mb():,.0f} |")
    print(f"\n{r['pairs']:,} pairs d ≤ H; {r['sites']} sites opened; farthest point of the plan "
          f"{r['farthest']:.2f} (< H: the bound holds for the unrestricted p-median); healthplan's own "
          f"objective {r['own']:,.4f}; {r['message']}")


def compare(name: str, model: str, radius: float, p: int | None, spopt_solvers: tuple[str, ...],
            cli: bool = False) -> None:
    """One instance: healthplan's API (and, with ``cli``, its command line: ``anchor_cli.py``) and spopt, the
    optima compared and spopt's wall seconds as a multiple of healthplan's API."""
    dxy, w, sxy = load_anchor(name)
    print(f"\n### {model} on {name}: S = {radius:g}" + (f", p = {p}" if p else "") + f" (load {load()})\n")
    print("| tool | wall s | objective | status | spopt ÷ healthplan |")
    print("|---|---|---|---|---|")
    h_s, h_obj, h_st = run_healthplan(dxy, w, sxy, radius, p)
    print(f"| healthplan (API, HiGHS) | {h_s:.2f} | {h_obj:,.0f} | {h_st} | 1.00 |")
    if cli:
        from anchor_cli import run_cli

        c_s, c_obj, c_st = run_cli(dxy, w, sxy, radius, p)
        same = "equal" if abs(c_obj - h_obj) < 0.5 else "DIFFERENT"
        print(f"| healthplan (CLI: inputs read and checked, every table, document and map) | {c_s:.2f} | "
              f"{c_obj:,.0f} ({same}) | {c_st} | — |")
    for solver in spopt_solvers:
        s_s, s_obj, s_st = run_spopt(dxy, w, sxy, radius, p, solver)
        same = "equal" if abs(s_obj - h_obj) < 0.5 else "DIFFERENT"
        print(f"| spopt 0.7 ({solver}) | {s_s:.2f} | {s_obj:,.0f} ({same}) | {s_st} | {s_s / h_s:.1f}× |")


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--large", action="store_true", help="also the 20,000 × 1,500 MCLP (S = 5, p = 50)")
    ap.add_argument("--spopt-large", action="store_true", help="run spopt on the large instance too (≈ 10 min)")
    ap.add_argument("--large-lscp", action="store_true",
                    help="also the 20,000 × 1,500 LSCP at S = 6 (healthplan; spopt proved nothing in 900 s)")
    ap.add_argument("--no-covering", action="store_true", help="skip the 2,000 × 300 MCLP and LSCP rows")
    ap.add_argument("--pmedian", action="store_true", help="the 2,000 × 300 weighted p-median, p = 20")
    ap.add_argument("--spopt-pmedian", action="store_true",
                    help="run spopt's KNearestPMedian on the 2,000 × 300 p-median too (≈ 15 min)")
    ap.add_argument("--large-pmedian", action="store_true",
                    help="the 20,000 × 1,500 weighted p-median, p = 50 (healthplan only: spopt's PMedian "
                         "does not fit in 24 GB)")
    ap.add_argument("--cli", action="store_true",
                    help="also healthplan's command line on the MCLP/LSCP rows (benchmarks/anchor_cli.py)")
    args = ap.parse_args()
    if not ANCHOR.is_dir():
        sys.exit(f"{ANCHOR} not found: the anchor instances live in ../shared/benchmarks (not part of the repo)")
    print(f"load average at start: {load()}")
    if args.large_pmedian:  # first, so the peak memory printed is its own
        compare_pmedian("20000x1500", 50, LARGE_PMEDIAN_HORIZON, False, None)
    if args.pmedian:
        compare_pmedian("2000x300", 20, PMEDIAN_HORIZON, args.spopt_pmedian, PMEDIAN_2000_OPTIMUM)
    if not args.no_covering:
        compare("2000x300", "MCLP", 10.0, 20, ("highs", "cbc"), cli=args.cli)
        compare("2000x300", "LSCP", 15.0, None, ("highs",), cli=args.cli)
    if args.large:
        compare("20000x1500", "MCLP", 5.0, 50, ("highs",) if args.spopt_large else (), cli=args.cli)
    if args.large_lscp:
        compare("20000x1500", "LSCP", 6.0, None, ())
    print(f"\nload average at end: {load()}")


if __name__ == "__main__":
    main()
