"""Lexicographic stages and start-up (issue 12 §1–§3): before/after figures in one run.

Usage::

    .venv/bin/python benchmarks/stages.py            # a few minutes on 2 shared cores
    .venv/bin/python benchmarks/stages.py --quick    # skips the 3-year phased demo (the slow one)

Prints, as Markdown tables:

1. the demo county, one year and 3-year phased: seconds per stage with every stage solved (``fold=False``, the
"before") and with the last stage folded where that is provably exact (the default, "after");
2. a single-kind MCLP with equal unit costs (fixed blood points, whole populations): healthplan's whole solve,
staged and folded, against one plain MCLP of the same instance built directly in PuLP and solved by HiGHS (the
floor); the ratio is healthplan ÷ floor (target ≤ 1.2);
3. ``healthplan --help`` and ``healthplan check --help`` start-up: median wall seconds of 5 fresh processes,
and whether geopandas/pandas/pulp/matplotlib were imported (target ≤ 0.3 s).

Every solve uses one HiGHS thread, gap 0, the project's seed. Wall times on a shared machine drift with its
load: the script prints the load average before and after so a reader can judge.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MCLP_SEED = 20261129
MCLP_DEMAND, MCLP_SITES, MCLP_P = 3_000, 250, 25  # a few seconds per solve; large enough that stages show
MCLP_SIDE_MIN = 120.0  # square side in minutes; blood access standard 30 min
UNIT_COST_WAN = 50.0


def load() -> str:
    """1-minute load average (the machine is shared)."""
    return f"{os.getloadavg()[0]:.2f}"


def staged_and_folded(inst, cfg, mode: str = "optimize") -> dict[str, tuple[float, list, dict]]:
    """The same model solved with the last stage folded and, when that fold happened, with every stage solved;
    for a multi-year plan also folded with the least shortfall held as one total (``objective.hold_groups:
    off``, the way before ``optimizer.held_shortfall``) and every stage solved that way (the first "before").

    Returns {label: (seconds, stage results, objective per stage)}.
    """
    from healthplan.optimizer.build import build_model
    from healthplan.optimizer.objective import solve_stages
    from healthplan.optimizer.prepare import prepare

    multi_year = len(cfg.phasing.years) > 1
    paths = [("last stage folded (after)", True, "auto"), ("every stage solved (before)", False, "auto")]
    if multi_year:
        paths = [("last stage folded, shortfall held by groups (after)", True, "auto"),
                 ("last stage folded, shortfall held as a total", True, "off"),
                 ("every stage solved, shortfall held as a total (before)", False, "off")]
    out = {}
    for label, fold, groups in paths:
        c = cfg.model_copy(update={"objective": cfg.objective.model_copy(update={"hold_groups": groups})})
        m = build_model(prepare(inst, c), mode)
        t0 = time.perf_counter()
        results = solve_stages(m, fold=fold)
        secs = time.perf_counter() - t0
        out[label] = (secs, results, {n: r.objective for n, r in results})
        if fold and not multi_year and not any("folded" in r.message for _, r in results):
            # no fold was provably exact: the other path is the very same solves, not worth a second run
            return {"every stage solved (no fold provably exact: before = after)": out.pop(label)}
    return dict(reversed(out.items()))


def print_stage_table(title: str, runs: dict[str, tuple[float, list, dict]]) -> None:
    print(f"\n### {title}\n")
    print("| path | whole solve, s | stages (s, objective) | folded |")
    print("|---|---|---|---|")
    for label, (secs, results, _) in runs.items():
        stages = "; ".join(f"{n} {r.seconds:.2f} s ({r.objective:,.6g})" for n, r in results)
        folded = "yes" if any("folded" in r.message for _, r in results) else "no (not provably exact)"
        print(f"| {label} | {secs:.2f} | {stages} | {folded} |")
    objs = [o for _, _, o in runs.values()]
    same = all(np.isclose(objs[0][k], o[k], rtol=1e-9, atol=1e-6) for o in objs[1:] for k in objs[0])
    print(f"\nsame stage objectives on every path: {same}")


def demo(phased: bool) -> None:
    from healthplan.scenarios.runner import prepare_instance
    from healthplan.scenarios.schema import load_scenario

    for name in ["demo.yaml", *(["demo-phased-2024-2026.yaml"] if phased else [])]:
        scen = load_scenario(ROOT / "scenarios" / name)
        inst = prepare_instance(scen)
        runs = staged_and_folded(inst, scen.optimizer_config())
        print_stage_table(f"scenarios/{name} (load {load()})", runs)


def mclp_instance(n_demand: int, n_sites: int):
    """Seeded uniform demand (whole populations) and sites; minutes = Euclidean distance (site × demand)."""
    import pandas as pd

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import build_instance

    rng = np.random.default_rng(MCLP_SEED)
    dxy = rng.uniform(0, MCLP_SIDE_MIN, size=(n_demand, 2))
    sxy = rng.uniform(0, MCLP_SIDE_MIN, size=(n_sites, 2))
    minutes = np.round(np.hypot(*(sxy[:, None, :] - dxy[None, :, :]).transpose(2, 0, 1)), 2)
    minutes[minutes > 45] = np.inf  # the travel matrix holds pairs within 45 min
    demand = pd.DataFrame({"population": rng.integers(200, 5_000, size=n_demand)},
                          index=pd.Index([f"d{i:05d}" for i in range(n_demand)], name="id"))
    sites = pd.DataFrame({"level": "thc"}, index=pd.Index([f"s{j:04d}" for j in range(n_sites)], name="id"))
    inst = build_instance(demand, sites, minutes, name="mclp-uniform")
    return inst, minutes, demand["population"].to_numpy()


def plain_mclp(minutes: np.ndarray, pop: np.ndarray, p: int, access_min: float) -> tuple[float, float]:
    """One MCLP (Church & ReVelle 1974) built in PuLP, solved by HiGHS: (seconds with build, covered)."""
    import pulp

    from healthplan.optimizer.config import SolverConfig
    from healthplan.optimizer.solve import solve

    t0 = time.perf_counter()
    prob = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x_{j}", cat=pulp.LpBinary) for j in range(minutes.shape[0])]
    y = [pulp.LpVariable(f"y_{i}", 0, 1) for i in range(minutes.shape[1])]
    prob += pulp.lpSum(float(pop[i]) * y[i] for i in range(len(y)))
    reach = minutes <= access_min
    for i in range(len(y)):
        near = np.flatnonzero(reach[:, i])
        if len(near):
            prob += y[i] <= pulp.lpSum(x[j] for j in near)
        else:
            prob += y[i] <= 0
    prob += pulp.lpSum(x) <= p
    res = solve(prob, SolverConfig(time_limit_s=600.0), 600.0)  # the same HiGHS call, options and seed
    return time.perf_counter() - t0, res.objective


def mclp(n_demand: int, n_sites: int, p: int) -> None:
    from healthplan.optimizer import optimize
    from healthplan.optimizer.config import (AmbulanceConfig, BloodConfig, FeverConfig, OptimizerConfig,
                                             ResourcesConfig, StandardRule, SubcentreConfig)

    inst, minutes, pop = mclp_instance(n_demand, n_sites)
    res = ResourcesConfig(ambulance=AmbulanceConfig(enabled=False), fever=FeverConfig(enabled=False),
                          blood=BloodConfig(min_points_rule=StandardRule(mode="off"),
                                            unit_cost_wan=UNIT_COST_WAN),
                          subcentre=SubcentreConfig(enabled=False))
    cfg = OptimizerConfig(resources=res, budget_wan=p * UNIT_COST_WAN)
    access = cfg.resources.blood.access_minutes
    print(f"\n### single-kind MCLP, equal unit costs: {n_demand:,} demand × {n_sites} sites, p = {p}, "
          f"{access:g} min (load {load()})\n")
    floor_s, floor_obj = plain_mclp(minutes, pop, p, access)
    runs = staged_and_folded(inst, cfg)
    t0 = time.perf_counter()
    plan = optimize(inst, cfg)
    end_to_end = time.perf_counter() - t0
    print("| what | seconds | covered persons | ÷ floor |")
    print("|---|---|---|---|")
    print(f"| plain MCLP in PuLP + HiGHS (floor, build + solve) | {floor_s:.2f} | {floor_obj:,.0f} | 1.00 |")
    for label, (secs, _, objs) in runs.items():
        print(f"| healthplan stages, {label} | {secs:.2f} | {objs.get('coverage', float('nan')):,.0f} | "
              f"{secs / floor_s:.2f} |")
    covered = plan.coverage_summary(inst.demand["population"])["blood"]["after"]
    print(f"| healthplan optimize() end to end (prepare, build, solve, evaluate) | {end_to_end:.2f} | "
          f"{covered:,.0f} | {end_to_end / floor_s:.2f} |")


def startup() -> None:
    print(f"\n### start-up (load {load()})\n")
    print("| command | median of 5, s | heavy modules imported |")
    print("|---|---|---|")
    heavy = ("geopandas", "pandas", "pulp", "highspy", "matplotlib")
    for args in (["--help"], ["check", "--help"]):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "healthplan", *args], capture_output=True, cwd=ROOT,
                           check=True)
            times.append(time.perf_counter() - t0)
        probe = subprocess.run([sys.executable, "-X", "importtime", "-m", "healthplan", *args],
                               capture_output=True, text=True, cwd=ROOT, check=True)
        names = {ln.rsplit("|", 1)[1].strip().split(".")[0] for ln in probe.stderr.splitlines()
                 if ln.startswith("import time:") and ln.count("|") == 2}
        print(f"| healthplan {' '.join(args)} | {statistics.median(times):.3f} | "
              f"{', '.join(sorted(names & set(heavy))) or 'none'} |")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"\n(a bare `python -c pass` takes {time.perf_counter() - t0:.3f} s here)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="skip the 3-year phased demo")
    ap.add_argument("--skip", nargs="*", default=[], choices=["startup", "mclp", "demo"],
                    help="parts to leave out")
    ap.add_argument("--demand", type=int, default=MCLP_DEMAND, help="MCLP demand points")
    ap.add_argument("--sites", type=int, default=MCLP_SITES, help="MCLP candidate sites")
    ap.add_argument("--p", type=int, default=MCLP_P, help="MCLP facilities (budget = p × unit cost)")
    args = ap.parse_args()
    print(f"load average at start: {load()}")
    if "startup" not in args.skip:
        startup()
    if "mclp" not in args.skip:
        mclp(args.demand, args.sites, args.p)
    if "demo" not in args.skip:
        demo(phased=not args.quick)
    print(f"\nload average at end: {load()}")


if __name__ == "__main__":
    main()
