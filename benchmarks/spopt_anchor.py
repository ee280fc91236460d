"""healthplan and PySAL spopt side by side on the seeded uniform anchor instances (issue 12 §4).

Usage::

    .venv/bin/python benchmarks/spopt_anchor.py                   # 2,000 × 300: MCLP and LSCP, both tools
    .venv/bin/python benchmarks/spopt_anchor.py --large           # also 20,000 × 1,500 MCLP (healthplan; spopt
                                                                  # only with --spopt-large: ≈ 10 min)

The instances are ``../shared/benchmarks/random_anchor`` (uniform points in a 100 × 100 square; cost = Euclidean
distance, cover iff d ≤ S; demand weights 1–100). Both tools get the same pairs and the same solver (HiGHS through
PuLP for spopt, through highspy for healthplan, one thread, gap 0). healthplan is run through its API: the
instance as demand points and sites with the pairs d ≤ S as travel minutes, fixed blood points as the one kind
(unit cost 1, budget p for the MCLP; ``min_budget`` with ``target_coverage: 1.0`` for the LSCP, which is the
set-covering problem over the points any site reaches). Prints the optima (they must be equal) and the ratios of
wall seconds, build included.
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


def compare(name: str, model: str, radius: float, p: int | None, spopt_solvers: tuple[str, ...]) -> None:
    dxy, w, sxy = load_anchor(name)
    print(f"\n### {model} on {name}: S = {radius:g}" + (f", p = {p}" if p else "") + f" (load {load()})\n")
    print("| tool | wall s | objective | status | spopt ÷ healthplan |")
    print("|---|---|---|---|---|")
    h_s, h_obj, h_st = run_healthplan(dxy, w, sxy, radius, p)
    print(f"| healthplan (API, HiGHS) | {h_s:.2f} | {h_obj:,.0f} | {h_st} | 1.00 |")
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
    args = ap.parse_args()
    if not ANCHOR.is_dir():
        sys.exit(f"{ANCHOR} not found: the anchor instances live in ../shared/benchmarks (not part of the repo)")
    print(f"load average at start: {load()}")
    compare("2000x300", "MCLP", 10.0, 20, ("highs", "cbc"))
    compare("2000x300", "LSCP", 15.0, None, ("highs",))
    if args.large:
        compare("20000x1500", "MCLP", 5.0, 50, ("highs",) if args.spopt_large else ())
    if args.large_lscp:
        compare("20000x1500", "LSCP", 6.0, None, ())
    print(f"\nload average at end: {load()}")


if __name__ == "__main__":
    main()
