"""Benchmark of the travel-time matrix: wall time and peak memory for the demo county and a generated province.

Run ``.venv/bin/python benchmarks/travel.py`` (add ``--quick`` for a small province). Each case runs in a fresh
child process, so its peak resident memory (``resource.getrusage`` maxrss) is its own and not the parent's; the
wall time covers ``compute_travel_times`` alone (road graph + access legs + reachability + Dijkstra + pairs),
without the cache, after the inputs have been generated. Targets (issue 2, §7): province < 60 s and < 4 GB on
2 cores, demo county < 2 s.

Inputs: the demo county (``geodata.demo.generate_county``, seed 7 = the committed GeoPackage) and a province
(``geodata.demo.generate_region``: 1,500 townships, 20,000 villages, 2,000 sites, ≥ 220,000 road segments), both
reprojected with ``estimate_utm_crs`` and read with the demo scenario's setting ``speed_column: speed_kph``; plus a
controlled synthetic province built here (``province-grid``: a seeded, jittered 320 × 320 grid of roads with
classes by row/column, a few one-way roads, uniformly scattered demand points and sites). Without the generator
the county and province fall back to synthetic grids. Cutoff 60 min, the largest time standard.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from healthplan.geodata.config import TravelConfig  # noqa: E402
from healthplan.geodata.travel_times import compute_travel_times  # noqa: E402

CRS = "EPSG:32649"  # UTM 49N, metres (any metric CRS does for synthetic data)
CUTOFF_MINUTES = 60.0  # the largest time standard (hospital access, 60 min; STANDARDS.md)

# Case name → (grid side in nodes, grid spacing m, demand points, sites, wall-time target s, memory target MB)
# (the grid sizes are used by the synthetic grid cases; the generator cases take their sizes from geodata.demo)
CASES: dict[str, tuple[int, float, int, int, float, float]] = {
    "county": (45, 1000.0, 600, 60, 2.0, 4096.0),
    "province": (320, 1000.0, 20_000, 2_000, 60.0, 4096.0),
    "county-grid": (45, 1000.0, 600, 60, 2.0, 4096.0),
    "province-grid": (320, 1000.0, 20_000, 2_000, 60.0, 4096.0),
    "province-quick": (120, 1000.0, 4_000, 400, 60.0, 4096.0),
}


def grid_roads(side: int, spacing_m: float, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """A jittered ``side × side`` grid of straight roads: 2·side·(side−1) lines, classes by row/column.

    Every 20th row/column is national road (60 km/h), every 5th county road (40), the rest township (30) and
    village roads (20); 2 % of village roads are one-way. Node positions are jittered by up to ±30 % of the
    spacing so lengths differ.
    """
    xy = np.stack(np.meshgrid(np.arange(side), np.arange(side), indexing="ij"), axis=-1).astype(float) * spacing_m
    xy += rng.uniform(-0.3, 0.3, size=xy.shape) * spacing_m
    idx = np.arange(side * side).reshape(side, side)
    flat = xy.reshape(-1, 2)
    # Horizontal lines run along rows (fixed i), vertical along columns (fixed j).
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    line_no = np.concatenate(
        [np.repeat(np.arange(side), side - 1), np.tile(np.arange(side), side - 1)]
    )  # the row (horizontal) or column (vertical) a segment lies on
    cls = np.where(line_no % 20 == 0, "national", np.where(line_no % 5 == 0, "county", "township"))
    village = (cls == "township") & (rng.random(a.size) < 0.5)
    cls = np.where(village, "village", cls)
    oneway = (village & (rng.random(a.size) < 0.02)).astype(int)
    geoms = shapely.linestrings(np.stack([flat[a], flat[b]], axis=1))
    return gpd.GeoDataFrame(
        {"class": cls, "oneway": oneway}, geometry=geoms, crs=CRS, index=pd.RangeIndex(a.size, name="id")
    )


def scattered_points(n: int, extent_m: float, prefix: str, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` canonical points (index ids, x/y metres) uniform over the square [0, extent]²."""
    xy = rng.uniform(0, extent_m, size=(n, 2))
    return pd.DataFrame(
        {"x": xy[:, 0], "y": xy[:, 1], "population": 1000},
        index=pd.Index([f"{prefix}{i:05d}" for i in range(n)], name="id"),
    )


def synthetic_case(name: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame, str]:
    side, spacing, n_demand, n_sites, _, _ = CASES[name]
    rng = np.random.default_rng(seed)
    roads = grid_roads(side, spacing, rng)
    extent = (side - 1) * spacing
    return (
        scattered_points(n_demand, extent, "V", rng),
        scattered_points(n_sites, extent, "S", rng),
        roads,
        f"synthetic grid {side}×{side}, {spacing:.0f} m",
    )


def generator_case(name: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame, str] | None:
    """The demo county (``generate_county``) or province (``generate_region``) of ``geodata.demo``, reprojected to
    its UTM zone (``estimate_utm_crs``) and put into canonical frames; ``None`` without the generator."""
    try:
        from healthplan.geodata import demo  # noqa: PLC0415
    except ImportError:
        return None
    if name == "county":
        data, source = demo.generate_county(seed=seed), f"geodata.demo.generate_county(seed={seed})"
    else:
        data = demo.generate_region(seed=seed, townships=1500, villages=20_000, sites=2_000, road_edges=220_000)
        source = f"geodata.demo.generate_region(seed={seed})"
    crs = data.villages.estimate_utm_crs()

    def canon(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
        gdf = gdf.to_crs(crs)
        return pd.DataFrame(
            {"x": gdf.geometry.x.to_numpy(), "y": gdf.geometry.y.to_numpy()},
            index=pd.Index(gdf["id"].astype(str), name="id"),
        )

    sites = pd.concat([canon(data.facilities), canon(data.candidates)])
    roads = data.roads.to_crs(crs).set_index("id")
    return canon(data.villages), sites, roads, source


def run_case(name: str, seed: int) -> dict[str, object]:
    """Generate one case, time ``compute_travel_times`` on it, return the figures (in this process)."""
    t0 = time.perf_counter()
    case = None if name.endswith("-grid") or name == "province-quick" else generator_case(name, seed)
    if case is None:
        name = {"county": "county-grid", "province": "province-grid"}.get(name, name)
    demand, sites, roads, source = case or synthetic_case(name, seed)
    gen_s = time.perf_counter() - t0
    # The demo scenario's setting: the generator writes a speed per road (scenarios/demo.yaml: speed_kph).
    cfg = TravelConfig(speed_column="speed_kph" if "speed_kph" in roads.columns else None)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    travel, report = compute_travel_times(
        demand, sites, roads=roads, od=None, cfg=cfg, cutoff_minutes=CUTOFF_MINUTES
    )
    wall_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    from healthplan.geodata.roads import build_road_network  # noqa: PLC0415  (counts only; not timed)

    network, _ = build_road_network(roads, cfg)
    return {
        "case": name,
        "source": source,
        "sites": len(sites),
        "demand": len(demand),
        "road_lines": len(roads),
        "nodes": network.n_nodes,
        "edges": network.n_edges,
        "pairs": travel.n_pairs,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "generate_s": round(gen_s, 2),
        "wall_s": round(wall_s, 2),
        "cpu_s": round(cpu_s, 2),
        "rss_before_mb": round(rss_before),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    """Run each case in a child process and print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7, help="seed of every case (7 = the committed demo county)")
    ap.add_argument("--quick", action="store_true", help="small province (for a fast check)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child, args.seed)))
        return

    names = ["county", "province-quick"] if args.quick else ["county", "province", "province-grid"]
    load_before = os.getloadavg()[0]
    rows = []
    for name in names:
        out = subprocess.run(
            [sys.executable, __file__, "--child", name, "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))

    import numpy  # noqa: PLC0415
    import scipy  # noqa: PLC0415

    print(
        f"travel-time benchmark — seed {args.seed}, cutoff {CUTOFF_MINUTES:.0f} min, method roads, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scipy {scipy.__version__}, {platform.machine()}; 1-min load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (wall time exceeds CPU time when other processes share the cores)"
    )
    print()
    print(
        "| case | input | sites | demand | road lines | nodes | directed edges | pairs ≤ cutoff | "
        "errors | warnings | wall time (s) | CPU time (s) | peak RSS (MB) | target |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        wall_target, mem_target = CASES[r["case"]][4], CASES[r["case"]][5]
        ok = r["wall_s"] < wall_target and r["peak_rss_mb"] < mem_target
        print(
            f"| {r['case']} | {r['source']} | {r['sites']:,} | {r['demand']:,} | {r['road_lines']:,} | "
            f"{r['nodes']:,} | {r['edges']:,} | {r['pairs']:,} | {r['errors']} | {r['warnings']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_rss_mb']:,} | "
            f"< {wall_target:.0f} s, < {mem_target / 1024:.0f} GB: {'met' if ok else 'MISSED'} |"
        )
    print()
    print(
        "wall time = compute_travel_times only (graph build, access legs, reachability, chunked Dijkstra, pairs), "
        "no cache; CPU time = the same step's process CPU time; peak RSS = the child process's maxrss including Python, imports and the generated inputs."
    )


if __name__ == "__main__":
    main()
