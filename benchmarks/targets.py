"""Issue 12's targets in one run: each target's figure as the issue filed it and as measured now, met or not.

Usage::

    .venv/bin/python benchmarks/targets.py               # §1, §2 (3-year demo), §3: about 2 minutes
    .venv/bin/python benchmarks/targets.py --province    # + §2's generated province, 3-year (≈ 5 min more)
    .venv/bin/python benchmarks/targets.py --anchor      # + §4 on ../shared/benchmarks/random_anchor (≈ 4 min)
    .venv/bin/python benchmarks/targets.py --runs 7      # more fresh runs per timed figure (median)

Every figure is measured by this script, each target in a fresh process (so its imports and memory are its
own), one after the other, and printed as one Markdown table with the load average before and after (the
machine is shared: wall times drift with its load). The "as filed" column quotes the issue's own figures; a
"—" there means the issue gave none. The other scripts of ``benchmarks/`` break each figure down
(``stages.py``, ``demo_run.py``, ``growth.py``, ``spopt_anchor.py``); this one only says where each target
stands.

Targets (issue 12):

- §1 the whole solve of a single-kind MCLP with equal unit costs ≤ 1.2 × one plain MCLP built directly in
  PuLP and solved by HiGHS (the floor), the same optimum;
- §2 the 3-year phased demo solved in ≤ 3 s with the same optimum; the generated province (20,000 villages,
  2,000 sites) 3-year in ≤ 3 min at a gap ≤ 1 %;
- §3 the demo's full run (every table, document and map) ≤ 4 s; ``healthplan --help`` and ``check --help``
  ≤ 0.3 s;
- §4 the 20,000 × 1,500 MCLP (S = 5, p = 50) ≥ 10 × faster than spopt (511–583 s published), equal optimum;
  the weighted p-median p = 50 with a proven gap (spopt cannot fit it in 24 GB); the set cover at S = 6 proven
  (not attempted by this script: see the README);
- §5 how cost grows: ``benchmarks/growth.py`` (about an hour; not rerun here).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

PHASED_DEMO = ROOT / "scenarios" / "demo-phased-2024-2026.yaml"
DEMO = ROOT / "scenarios" / "demo.yaml"
MCLP_20000_OPTIMUM = 450_108  # ../shared/benchmarks/random_anchor: spopt + CBC and spopt + HiGHS
SPOPT_MCLP_20000_S = (511.0, 583.0)  # that folder's README: spopt 0.7 with HiGHS, with CBC (build + solve)


def load() -> str:
    """1-minute load average (the machine is shared)."""
    return f"{os.getloadavg()[0]:.2f}"


def child(name: str, *args: str) -> dict:
    """Run measurement ``name`` of this script in a fresh process; its figures as a dict."""
    out = subprocess.run([sys.executable, __file__, "--child", name, *args], capture_output=True, text=True,
                         cwd=ROOT)
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"{name}: {tail}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------- measurements
# Each runs in a child process and returns plain numbers.


def measure_mclp() -> dict:
    """§1: stages.py's single-kind MCLP: the floor (plain PuLP + HiGHS, build + solve) and healthplan's
    optimize() end to end (prepare, build, every stage, evaluation), covered persons of each."""
    sys.path.insert(0, str(HERE))
    from stages import MCLP_DEMAND, MCLP_P, MCLP_SITES, UNIT_COST_WAN, mclp_instance, plain_mclp

    from healthplan.optimizer import optimize
    from healthplan.optimizer.config import (AmbulanceConfig, BloodConfig, FeverConfig, OptimizerConfig,
                                             ResourcesConfig, StandardRule, SubcentreConfig)

    inst, minutes, pop = mclp_instance(MCLP_DEMAND, MCLP_SITES)
    res = ResourcesConfig(ambulance=AmbulanceConfig(enabled=False), fever=FeverConfig(enabled=False),
                          blood=BloodConfig(min_points_rule=StandardRule(mode="off"), unit_cost_wan=UNIT_COST_WAN),
                          subcentre=SubcentreConfig(enabled=False))
    cfg = OptimizerConfig(resources=res, budget_wan=MCLP_P * UNIT_COST_WAN)
    floor_s, floor_obj = plain_mclp(minutes, pop, MCLP_P, cfg.resources.blood.access_minutes)
    t0 = time.perf_counter()
    plan = optimize(inst, cfg)
    secs = time.perf_counter() - t0
    covered = plan.coverage_summary(inst.demand["population"])["blood"]["after"]
    return {"floor_s": floor_s, "floor_obj": floor_obj, "seconds": secs, "covered": float(covered),
            "size": f"{MCLP_DEMAND:,} × {MCLP_SITES}, p = {MCLP_P}"}


def measure_phased_demo(runs: int) -> dict:
    """§2: the 3-year demo's solve, ``runs`` times on the instance read once: the stages' seconds (HiGHS and
    what the stages do around it, the issue's "solve"), optimize() end to end (also preparing, building and
    evaluating) and the objective of every stage in each run."""
    from healthplan.optimizer import optimize
    from healthplan.scenarios.runner import prepare_instance
    from healthplan.scenarios.schema import load_scenario

    scen = load_scenario(PHASED_DEMO)
    inst = prepare_instance(scen)
    cfg = scen.optimizer_config()
    seconds, whole, objectives = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        plan = optimize(inst, cfg)
        whole.append(time.perf_counter() - t0)
        seconds.append(plan.solve.solve_s)
        objectives.append({st["stage"]: st["objective"] for st in plan.solve.stages})
    return {"seconds": seconds, "whole": whole, "objectives": objectives, "status": plan.solve.status.value}


def measure_province(time_limit_s: float) -> dict:
    """§2: growth.py's generated province, 3-year phased, at the issue's time limit."""
    sys.path.insert(0, str(HERE))
    from growth import one_run

    return one_run(20_000, True, time_limit_s)


def measure_anchor_mclp() -> dict:
    """§4: the 20,000 × 1,500 MCLP (S = 5, p = 50) through healthplan's API, seconds from the points."""
    sys.path.insert(0, str(HERE))
    from spopt_anchor import load_anchor, run_healthplan

    dxy, w, sxy = load_anchor("20000x1500")
    secs, obj, status = run_healthplan(dxy, w, sxy, 5.0, 50)
    return {"seconds": secs, "covered": obj, "status": status}


def measure_anchor_pmedian() -> dict:
    """§4: the 20,000 × 1,500 weighted p-median, p = 50 (spopt_anchor.py --large-pmedian)."""
    sys.path.insert(0, str(HERE))
    from spopt_anchor import LARGE_PMEDIAN_HORIZON, load_anchor, run_healthplan_pmedian

    dxy, w, sxy = load_anchor("20000x1500")
    return run_healthplan_pmedian(dxy, w, sxy, LARGE_PMEDIAN_HORIZON, 50)


def measure_commands(runs: int) -> dict:
    """§3: ``healthplan run scenarios/demo.yaml`` (every document and map, the travel-time cache warm as on a
    planner's second run), ``--help`` and ``check --help``: wall and CPU seconds of fresh processes."""
    sys.path.insert(0, str(HERE))
    from demo_run import healthplan_cmd, timed

    hp = healthplan_cmd()
    out: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="healthplan-targets-") as tmp:
        run = [*hp, "run", str(DEMO), "--out", str(Path(tmp) / "demo"), "--force"]
        timed(run)  # fills the travel-time cache, as a planner's first run does
        walls, cpus = [], []
        for _ in range(runs):
            wall, cpu = timed(run)
            walls.append(wall)
            cpus.append(cpu)
        out["run"], out["run_cpu"] = walls, cpus
    for key, args in (("help", ["--help"]), ("check_help", ["check", "--help"])):
        out[key] = [timed([*hp, *args])[0] for _ in range(max(runs, 5))]
    return out


MEASUREMENTS = {"mclp": measure_mclp, "phased_demo": measure_phased_demo, "province": measure_province,
                "anchor_mclp": measure_anchor_mclp, "anchor_pmedian": measure_anchor_pmedian,
                "commands": measure_commands}


# ---------------------------------------------------------------------------------------------- the table


def spread(values: list[float]) -> str:
    """``median s (runs min–max)``."""
    return f"{statistics.median(values):.2f} s (runs {min(values):.2f}–{max(values):.2f})"


def verdict(met: bool | None, partly: str = "") -> str:
    return "met" if met else (partly or "not met") if met is not None else "—"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh runs per timed figure (median)")
    ap.add_argument("--province", action="store_true", help="§2's generated province, 3-year (≈ 5 min)")
    ap.add_argument("--province-limit", type=float, default=180.0, help="its solver time limit, s (issue: 180)")
    ap.add_argument("--anchor", action="store_true", help="§4 on ../shared/benchmarks/random_anchor (≈ 4 min)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        name, *rest = args.child
        fn = MEASUREMENTS[name]
        print(json.dumps(fn(*[int(x) if x.isdigit() else float(x) for x in rest])))
        return 0

    start_load = load()
    rows: list[tuple[str, str, str, str]] = []  # target, as filed, now, verdict

    m = child("mclp")
    ratio = m["seconds"] / m["floor_s"]
    same = abs(m["covered"] - m["floor_obj"]) < 0.5
    rows.append((f"§1 single-kind MCLP ({m['size']}): whole solve ÷ plain PuLP + HiGHS MCLP, ≤ 1.2×",
                 "—", f"{m['seconds']:.2f} s ÷ {m['floor_s']:.2f} s = {ratio:.2f}×; covered "
                 f"{m['covered']:,.0f} vs {m['floor_obj']:,.0f}", verdict(ratio <= 1.2 and same)))

    p = child("phased_demo", str(args.runs))
    optima = {json.dumps(o, sort_keys=True) for o in p["objectives"]}
    coverage = p["objectives"][0].get("coverage", float("nan"))
    rows.append(("§2 3-year demo solve ≤ 3 s, same optimum", "28.4 s (whole run 36 s)",
                 f"{spread(p['seconds'])} (optimize() end to end {statistics.median(p['whole']):.2f} s); "
                 f"{p['status']}, coverage {coverage:,.0f} weighted persons"
                 f"{'' if len(optima) == 1 else ' (runs differ!)'}",
                 verdict(max(p["seconds"]) <= 3.0 and len(optima) == 1,
                         "median met, not every run" if statistics.median(p["seconds"]) <= 3.0 else "")))

    if args.province:
        r = child("province", str(args.province_limit))
        gap = r["gap"]
        rows.append(("§2 generated province, 3-year (20,000 villages × 2,000 sites): ≤ 3 min at gap ≤ 1 %", "—",
                     f"solve {r['solve_s']:.1f} s ({r['stages']}), {r['status']}, gap {gap:.2%}, "
                     f"{r['peak_mb']:,.0f} MB", verdict(gap <= 0.01 and r["solve_s"] <= 180.0)))

    c = child("commands", str(args.runs))
    rows.append(("§3 demo's full run, every document and map, ≤ 4 s", "≈ 12.5 s",
                 f"{spread(c['run'])}, CPU {statistics.median(c['run_cpu']):.2f} s",
                 verdict(max(c["run"]) <= 4.0,
                         "median met, not every run" if statistics.median(c["run"]) <= 4.0 else "")))
    for key, label in (("help", "`healthplan --help`"), ("check_help", "`healthplan check --help`")):
        rows.append((f"§3 {label} ≤ 0.3 s", "0.64 s" if key == "help" else "—", spread(c[key]),
                     verdict(max(c[key]) <= 0.3)))

    if args.anchor:
        a = child("anchor_mclp")
        lo, hi = (s / a["seconds"] for s in SPOPT_MCLP_20000_S)
        rows.append(("§4 MCLP 20,000 × 1,500, S = 5, p = 50: ≥ 10 × faster than spopt, same optimum",
                     "spopt 511–583 s", f"{a['seconds']:.1f} s through the API ({lo:.0f}–{hi:.0f}× the published "
                     f"spopt times), covered {a['covered']:,.0f} (published optimum {MCLP_20000_OPTIMUM:,})",
                     verdict(lo >= 10 and round(a["covered"]) == MCLP_20000_OPTIMUM)))
        pm = child("anchor_pmedian")
        rows.append(("§4 weighted p-median 20,000 × 1,500, p = 50, with a proven gap",
                     "spopt: does not fit in 24 GB", f"{pm['seconds']:.1f} s, cost {pm['cost']:,.2f}, bound "
                     f"{pm['bound']:,.2f}: gap {pm['gap']:.3%} proven, {pm['peak_mb']:,.0f} MB",
                     verdict(pm["gap"] == pm["gap"])))  # a number (not NaN): the bound holds for the problem

    print(f"load average at start: {start_load}; at end: {load()}; runs per timed figure: {args.runs}\n")
    print("| target | as filed | now | status |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if not args.province:
        print("\n(§2's province: --province; §4: --anchor; §5: benchmarks/growth.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
