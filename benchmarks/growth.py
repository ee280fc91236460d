"""How cost grows (issue 12 §5): time and peak memory of the four-kind plan from a county to twice a province.

Usage::

    .venv/bin/python benchmarks/growth.py                      # all sizes, one-year and 3-year phased (≈ 1 h)
    .venv/bin/python benchmarks/growth.py --sizes 600 5000     # chosen sizes (villages)
    .venv/bin/python benchmarks/growth.py --time-limit 300     # seconds per solve (default 600)
    .venv/bin/python benchmarks/growth.py --phased-only        # only the 3-year plans (also --one-year-only)

Every size is the tool's own generator (:func:`healthplan.geodata.demo.generate_region`, seed 7) scaled from
the generated province (20,000 villages, 1,500 townships, 2,000 sites, 220,000 road edges, 200,000万元, 50
sub-centres) in proportion to its villages; travel minutes are straight lines × detour 1.6 at 40 km/h, as in
``benchmarks/optimizer.py --province``, so the figures are the optimizer's. The four kinds of the province
benchmark (ambulances, fever clinics and rooms, blood points, sub-centres) at the solver gap 1 %. The phased
plan is 2024–2026 with 40/33/27 % of the budget per year (carry-over) and milestones 60/80/100 % of every
standard, as in ``scenarios/demo-phased-2024-2026.yaml``.

Each (size, plan) runs in a fresh process, so its peak memory (max RSS) is its own. Prints one Markdown row
per run and the load average (the machine is shared; wall times drift with it).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROVINCE = {"villages": 20_000, "townships": 1_500, "sites": 2_000, "road_edges": 220_000,
            "budget_wan": 200_000.0, "subcentres": 50}
SIZES = (600, 2_500, 5_000, 10_000, 20_000, 40_000)
YEARS = [2024, 2025, 2026]
YEAR_SHARES = (0.40, 0.33, 0.27)
MILESTONES = [0.6, 0.8, 1.0]


def scaled(villages: int) -> dict[str, float]:
    """The province's generator settings scaled to ``villages`` (at least one county of 30 townships)."""
    f = villages / PROVINCE["villages"]
    townships = max(30, round(PROVINCE["townships"] * f))
    n_counties = max(1, round(townships / 30))
    sites = max(round(PROVINCE["sites"] * f), 4 * n_counties + townships + 10)
    return {"villages": villages, "townships": townships, "sites": sites,
            "road_edges": max(2_000, round(PROVINCE["road_edges"] * f)),
            "budget_wan": round(PROVINCE["budget_wan"] * f, -1),
            "subcentres": max(1, round(PROVINCE["subcentres"] * f))}


def one_run(villages: int, phased: bool, time_limit_s: float) -> dict:
    """Generate, build and solve one size; returns the figures (seconds, MB, model size, status, gap)."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from optimizer import _region_instance

    from healthplan.geodata.demo import generate_region
    from healthplan.geodata.instance import Instance
    from healthplan.geodata.levels import parse_level
    from healthplan.optimizer import optimize, required_cutoff
    from healthplan.optimizer.config import (BloodConfig, FeverConfig, OptimizerConfig, PhasingConfig,
                                             ResourcesConfig, SolverConfig, SubcentreConfig)

    s = scaled(villages)
    t0 = time.perf_counter()
    region = generate_region(seed=7, townships=s["townships"], villages=villages, sites=s["sites"],
                             road_edges=s["road_edges"])
    gen_s = time.perf_counter() - t0
    phasing = (PhasingConfig(years=YEARS, budgets_wan=[round(s["budget_wan"] * x, -1) for x in YEAR_SHARES],
                             carry_over=True, milestones=MILESTONES) if phased else PhasingConfig())
    cfg = OptimizerConfig(
        resources=ResourcesConfig(fever=FeverConfig(room_cost_wan=60), blood=BloodConfig(unit_cost_wan=80),
                                  subcentre=SubcentreConfig(target_count=s["subcentres"])),
        budget_wan=s["budget_wan"], phasing=phasing, solver=SolverConfig(time_limit_s=time_limit_s, gap=0.01),
    )
    t1 = time.perf_counter()
    inst = _region_instance(region, required_cutoff(cfg), np, pd, Instance, parse_level)
    inst_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    plan = optimize(inst, cfg)
    total_s = time.perf_counter() - t2
    sv = plan.solve
    return {
        "villages": len(inst.demand), "sites": len(inst.sites), "pairs": int(inst.travel.n_pairs),
        "phased": phased, "generate_s": gen_s, "instance_s": inst_s, "build_s": sv.build_s, "solve_s": sv.solve_s,
        "optimize_s": total_s, "status": sv.status.value, "gap": float(sv.gap),  # the largest of any stage
        "variables": int(plan.meta.get("n_variables", 0)), "rows": int(plan.meta.get("n_constraints", 0)),
        "spent_wan": float(plan.spent_wan), "budget_wan": s["budget_wan"],
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "stages": "; ".join(f"{st['stage']} {st['seconds']:.1f}" for st in sv.stages),
    }


def row(r: dict) -> str:
    gap = f"{r['gap']:.2%}" if math.isfinite(r["gap"]) else "no bound" if r["gap"] == math.inf else "—"
    return (f"| {r['villages']:,} × {r['sites']:,} | {'3-year' if r['phased'] else 'one year'} | {r['pairs']:,} | "
            f"{r['variables']:,} × {r['rows']:,} | {r['generate_s'] + r['instance_s']:.1f} | {r['build_s']:.1f} | "
            f"{r['solve_s']:.1f} ({r['stages']}) | {r['status']} | {gap} | {r['peak_mb']:,.0f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", type=int, default=list(SIZES), help="villages per run")
    ap.add_argument("--time-limit", type=float, default=600.0, help="solver seconds per run")
    ap.add_argument("--one-year-only", action="store_true")
    ap.add_argument("--phased-only", action="store_true", help="only the 3-year phased plans")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # villages phased time-limit, in a fresh process
    args = ap.parse_args()
    if args.child:
        v, ph, lim = args.child
        print(json.dumps(one_run(int(v), ph == "1", float(lim))))
        return
    print(f"load average at start: {os.getloadavg()[0]:.2f}; solver time limit {args.time_limit:g} s per run, gap 1 %\n")
    print("| villages × sites | plan | pairs ≤ cutoff | variables × rows | generate + travel, s | build, s | "
          "solve, s (stages) | status | gap | peak RSS, MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for v in args.sizes:
        for phased in ((False,) if args.one_year_only else (True,) if args.phased_only else (False, True)):
            out = subprocess.run([sys.executable, __file__, "--child", str(v), "1" if phased else "0",
                                  str(args.time_limit)], capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                print(f"| {v:,} | {'3-year' if phased else 'one year'} | failed: "
                      f"{(out.stderr.strip().splitlines() or ['?'])[-1]} |||||||")
                continue
            print(row(json.loads(out.stdout.strip().splitlines()[-1])), flush=True)
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
