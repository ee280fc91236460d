"""Benchmark: wall time of a budget sweep serial vs on a local Dask cluster, and the Dask path's per-point
overhead.

Usage: ``python benchmarks/sweep.py [--scenario scenarios/demo.yaml] [--points 20] [--workers N]``.

The instance (inputs and travel times) is prepared once, outside every timing, as a sweep does; all runs write
the same sweep folder content (tables and summaries per point, no maps). Figures printed:

- serial: the points one after another in this process;
- dask (cold): ``run_sweep(executor="dask")`` as the CLI runs it, cluster start-up and shut-down included;
- dask (warm cluster): the same on an already running cluster (what a long-lived or remote cluster costs);
- overhead per point: (1-worker warm-cluster wall − serial wall) / points — scatter, pickling, scheduling and
  result transfer, with the same solves on both sides.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    """Run the benchmark and print a table."""
    from distributed import Client

    from healthplan.scenarios.runner import prepare_instance
    from healthplan.scenarios.schema import load_scenario
    from healthplan.scenarios.sweep import expand_grid, local_cluster, parse_budget, point_scenarios, run_sweep
    from healthplan.scenarios.sweep import base_data, shared_instance_scenario

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "demo.yaml"))
    ap.add_argument("--points", type=int, default=20)
    ap.add_argument("--start", type=float, default=1000.0, help="first budget, 万元")
    ap.add_argument("--step", type=float, default=500.0, help="budget step, 万元")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--warm-chain", type=int, default=2)
    args = ap.parse_args()

    stop = args.start + args.step * (args.points - 1)
    axes = [parse_budget(f"{args.start:g}:{stop:g}:{args.step:g}")]
    scen = load_scenario(args.scenario)
    t0 = time.perf_counter()
    data = base_data(args.scenario)
    scens = point_scenarios(data, expand_grid(axes))
    instance = prepare_instance(shared_instance_scenario(scen, scens))
    t_inst = time.perf_counter() - t0
    common = dict(instance=instance, progress=False, warm_chain=args.warm_chain, force=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        serial = run_sweep(args.scenario, axes, out=tmp / "serial", executor="serial", **common)
        t_serial = time.perf_counter() - t0
        rows.append(("serial", 1, t_serial, ""))

        t0 = time.perf_counter()
        cold = run_sweep(args.scenario, axes, out=tmp / "cold", executor="dask", workers=args.workers, **common)
        t_cold = time.perf_counter() - t0
        rows.append(("dask, cluster started and stopped by the sweep", args.workers, t_cold,
                     f"start {cold.timings.get('cluster_start_s', 0):.1f} s, stop "
                     f"{cold.timings.get('cluster_stop_s', 0):.1f} s"))

        warm_walls = {}
        for n in sorted({1, args.workers}):
            with local_cluster(n) as cluster, Client(cluster) as client:
                t0 = time.perf_counter()
                res = run_sweep(args.scenario, axes, out=tmp / f"warm{n}", executor="dask", client=client, **common)
                warm_walls[n] = time.perf_counter() - t0
            rows.append((f"dask, running cluster of {n}", n, warm_walls[n], ""))
            same = (tmp / "serial" / "sweep.csv").read_bytes() == (tmp / f"warm{n}" / "sweep.csv").read_bytes()
            if not same:
                print(f"WARNING: sweep.csv of the {n}-worker run differs from the serial one")
        # serial once more: other work on the machine shows as a difference between the two serial walls
        t0 = time.perf_counter()
        run_sweep(args.scenario, axes, out=tmp / "serial2", executor="serial", **common)
        rows.append(("serial, again (load drift check)", 1, time.perf_counter() - t0, ""))
        same_cold = (tmp / "serial" / "sweep.csv").read_bytes() == (tmp / "cold" / "sweep.csv").read_bytes()
        if not same_cold:  # say where (e.g. a point stopped by the time limit on a loaded machine)
            a, c = serial.table, cold.table
            for col in a.columns:
                if col not in c or not a[col].equals(c[col]):
                    print(f"differs: {col}: serial {list(a[col])} dask {list(c.get(col, []))}")
    n_pts = len(serial.table)
    failed = int((serial.table["error"].astype(str) != "").sum())
    overhead = (warm_walls[1] - t_serial) / n_pts
    solve = serial.point_timings["point_s"].sum()
    print(f"\nscenario {args.scenario}: {n_pts} budget points {args.start:g}…{stop:g} 万元, instance "
          f"{len(instance.demand)} demand points × {len(instance.sites)} sites ({t_inst:.1f} s to prepare, "
          "once), "
          f"{os.cpu_count()} cores, warm chain {args.warm_chain}")
    print(f"serial: sum of per-point seconds {solve:.1f} s ({solve / n_pts:.2f} s per point); "
          f"points with an error: {failed}; dask sweep.csv identical to serial: {same_cold}")
    print(f"\n| run | workers | wall s | speed-up vs serial | note |\n|---|---|---|---|---|")
    for name, n, wall, note in rows:
        print(f"| {name} | {n} | {wall:.2f} | {t_serial / wall:.2f}× | {note} |")
    print(f"\nDask overhead per point (1-worker running cluster − serial) / points: {overhead * 1000:.0f} ms")


if __name__ == "__main__":
    main()
