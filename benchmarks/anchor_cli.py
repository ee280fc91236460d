"""healthplan's command line on the seeded uniform anchor instances (issue 12 §4: "API and CLI").

``benchmarks/spopt_anchor.py`` runs healthplan through its API; this module runs the command a planner types,
``healthplan run`` (MCLP) or ``healthplan min-budget`` (LSCP), on the same pairs: the instance is written as
the plain-CSV inputs of ``scenarios/examples/csv`` (demand.csv, sites.csv, an OD matrix od.csv of every pair
with d ≤ S, d as minutes) with a scenario of one kind (fixed blood points, unit cost 1 万元, budget p, the
minimum-points standard off), and the optimum is read back from the run's ``summary.json``. Wall seconds are
the whole process: start-up, reading and checking the CSVs, the solve, every table, document and map.

The anchor lives in a 100 × 100 plane; the CSVs place it at 105–106° E, 30–31° N (1 unit = 0.01°) because the
input checks want coordinates in China. Only the maps use them: travel is the OD matrix.

Usage (normally through ``spopt_anchor.py --cli``)::

    .venv/bin/python benchmarks/anchor_cli.py 2000x300 mclp 10 20
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
LON0, LAT0, DEG_PER_UNIT = 105.0, 30.0, 0.01


def write_inputs(folder: Path, dxy: np.ndarray, w: np.ndarray, sxy: np.ndarray, radius: float,
                 p: int | None) -> Path:
    """demand.csv, sites.csv, od.csv and scenario.yaml of the anchor in ``folder``; the scenario's path."""
    from scipy.spatial import cKDTree

    demand = pd.DataFrame({"id": [f"d{i}" for i in range(len(w))], "population": w.astype(np.int64),
                           "urban": 0, "township": "T",
                           "lon": LON0 + dxy[:, 0] * DEG_PER_UNIT, "lat": LAT0 + dxy[:, 1] * DEG_PER_UNIT})
    names = [f"候选点{j}" for j in range(len(sxy))]
    sites = pd.DataFrame({"id": [f"s{j}" for j in range(len(sxy))], "name": names,
                          "level": "thc", "township": "T", "candidate": 1,
                          "lon": LON0 + sxy[:, 0] * DEG_PER_UNIT, "lat": LAT0 + sxy[:, 1] * DEG_PER_UNIT})
    sm = cKDTree(sxy).sparse_distance_matrix(cKDTree(dxy), radius, output_type="coo_matrix")
    # the input checks reject a demand point with no OD pair at all (a real matrix has one for every reachable
    # point); a point farther than S from every site gets its nearest site's pair, which covers nothing at S
    far = np.setdiff1d(np.arange(len(dxy)), sm.col)
    near_d, near_s = cKDTree(sxy).query(dxy[far])
    si = np.concatenate([sm.row, near_s]).astype(np.int64)
    di = np.concatenate([sm.col, far]).astype(np.int64)
    dist = np.concatenate([sm.data, near_d])
    order = np.lexsort((di, si))  # sorted by site, then demand point: the same file every run
    od = pd.DataFrame({"site_id": np.char.add("s", si[order].astype(str)),
                       "demand_id": np.char.add("d", di[order].astype(str)), "minutes": dist[order]})
    demand.to_csv(folder / "demand.csv", index=False, float_format="%.12f")
    sites.to_csv(folder / "sites.csv", index=False, float_format="%.12f")
    od.to_csv(folder / "od.csv", index=False, float_format="%.17g")  # every digit: the same pairs as the API
    target = "" if p is not None else ", target_coverage: 1.0"
    budget = f"budget_wan: {p}\n" if p is not None else ""
    (folder / "scenario.yaml").write_text(
        "name: anchor\nsynthetic: true\n"
        "inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}\n"
        "resources:\n"
        "  blood: {enabled: true, access_minutes: %r, unit_cost_wan: 1, candidates: all,"
        " min_points_rule: {mode: 'off'}%s}\n"
        "  ambulance: {enabled: false}\n  fever: {enabled: false}\n  subcentre: {enabled: false}\n"
        "  critical_care: {enabled: false}\n"
        "%ssolver: {name: highs, time_limit_s: 900, gap: 0}\n" % (float(radius), target, budget),
        encoding="utf-8")
    return folder / "scenario.yaml"


def run_cli(dxy: np.ndarray, w: np.ndarray, sxy: np.ndarray, radius: float,
            p: int | None) -> tuple[float, float, str]:
    """(wall seconds of the command, objective: covered weight (MCLP) or sites (LSCP), status).

    The inputs are written before the clock starts (a planner has them); the clock covers the whole command.
    """
    with tempfile.TemporaryDirectory(prefix="anchor-cli-") as tmp:
        folder = Path(tmp)
        scenario = write_inputs(folder, dxy, w, sxy, radius, p)
        command = "run" if p is not None else "min-budget"
        out = folder / "out"
        cmd = [sys.executable, "-m", "healthplan", command, str(scenario), "--out", str(out), "--no-cache"]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        secs = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(f"healthplan {command} failed ({done.returncode}):\n{done.stdout[-3000:]}"
                               f"\n{done.stderr[-3000:]}")
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        if p is not None:
            obj = float(summary["coverage"]["blood"]["after"])
        else:
            obj = float(summary["items"])
        return secs, obj, str(summary["status"])


def main() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from spopt_anchor import load_anchor

    name, model, radius = sys.argv[1], sys.argv[2].lower(), float(sys.argv[3])
    p = int(sys.argv[4]) if model == "mclp" else None
    secs, obj, status = run_cli(*load_anchor(name), radius, p)
    print(f"healthplan CLI {model.upper()} {name} S = {radius:g}: {obj:,.0f} ({status}) in {secs:.2f} s")


if __name__ == "__main__":
    main()
