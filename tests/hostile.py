"""Small valid inputs to break, and one way to run the real CLI on them (for the bad-input tests).

Two tiny counties, both valid as written:

- ``write_tables``: the plain "any instance" — ``demand.csv``, ``sites.csv``, ``od.csv`` (8 villages, 4 sites,
  every pair in the OD matrix);
- ``write_layers``: geodata — ``townships.geojson`` (2 polygons), ``villages.gpkg`` (points),
  ``facilities.geojson`` (points), ``candidates.csv`` (lon/lat), ``roads.gpkg`` (lines), travel times over the
  roads.

Both plan blood points only, with reports reduced to tables, so one run takes well under a second.
:func:`run_cli` runs ``healthplan.scenarios.cli.main`` in-process and returns the exit code and everything it
printed; :func:`assert_contract` checks the promise every bad input must keep.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import LineString

from healthplan.scenarios import cli
from healthplan.scenarios.cli import main

# 8 villages in two townships around 106.6°E 30.5°N; T1 is urban (街道), T2 rural.
DEMAND = pd.DataFrame({
    "id": [f"V{i}" for i in range(1, 9)],
    "population": [1200, 800, 3000, 450, 2200, 950, 1600, 700],
    "urban": [1, 1, 1, 1, 0, 0, 0, 0],
    "township": ["T1"] * 4 + ["T2"] * 4,
    "lon": [106.61, 106.62, 106.63, 106.64, 106.71, 106.72, 106.73, 106.74],
    "lat": [30.51, 30.52, 30.51, 30.52, 30.51, 30.52, 30.51, 30.52],
})
SITES = pd.DataFrame({
    "id": ["H1", "S1", "S2", "C1"],
    "name": ["县人民医院", "城关卫生院", "花桥卫生院", "高铁站"],
    "level": ["county_hospital", "central_thc", "thc", "candidate"],
    "beds": [500, 60, 30, 0],
    "amb_ord": [3, 1, 0, 0],
    "station_capacity": [6, 2, 2, 2],
    "lon": [106.615, 106.635, 106.725, 106.68],
    "lat": [30.515, 30.515, 30.515, 30.51],
})
TOWNSHIP_POPULATION = {"T1": 5450, "T2": 5450}


def od_matrix() -> pd.DataFrame:
    """Every site → village pair: minutes from the straight-line distance (about 2 minutes per km), ≥ 1."""
    rows = []
    for _, s in SITES.iterrows():
        for _, d in DEMAND.iterrows():
            km = ((s["lon"] - d["lon"]) * 96.0) ** 2 + ((s["lat"] - d["lat"]) * 111.0) ** 2
            rows.append((s["id"], d["id"], round(max(1.0, 2.0 * km ** 0.5), 1)))
    return pd.DataFrame(rows, columns=["site_id", "demand_id", "minutes"])


SCENARIO_BODY = """\
resources:
  blood: {{enabled: true, access_minutes: 30, unit_cost_wan: 100, candidates: all, target_coverage: 1.0}}
  ambulance: {{enabled: false}}
  fever: {{enabled: false}}
  subcentre: {{enabled: false}}
budget_wan: 200
solver: {{name: highs, time_limit_s: 30, gap: 0}}
report: {{maps: false, html_map: false, documents: false}}
travel: {{cache_dir: {cache}}}
"""


def write_tables(folder: Path) -> Path:
    """Write the plain CSV instance in ``folder``; return the scenario file."""
    folder.mkdir(parents=True, exist_ok=True)
    DEMAND.to_csv(folder / "demand.csv", index=False)
    SITES.to_csv(folder / "sites.csv", index=False)
    od_matrix().to_csv(folder / "od.csv", index=False)
    scen = folder / "scenario.yaml"
    scen.write_text("inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}\n"
                    + SCENARIO_BODY.format(cache=folder.parent / "cache"), encoding="utf-8")
    return scen


def township_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["T1", "T2"], "name": ["城关街道", "花桥镇"], "kind": ["街道", "镇"],
         "population": [TOWNSHIP_POPULATION["T1"], TOWNSHIP_POPULATION["T2"]]},
        geometry=[shapely.box(106.60, 30.50, 106.66, 30.53), shapely.box(106.66, 30.50, 106.76, 30.53)],
        crs="EPSG:4326",
    )


def village_layer() -> gpd.GeoDataFrame:
    d = DEMAND.drop(columns=["lon", "lat", "urban"])
    return gpd.GeoDataFrame(d, geometry=gpd.points_from_xy(DEMAND["lon"], DEMAND["lat"]), crs="EPSG:4326")


def facility_layer() -> gpd.GeoDataFrame:
    f = SITES[SITES["level"] != "candidate"]
    return gpd.GeoDataFrame(f.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(f["lon"], f["lat"]),
                            crs="EPSG:4326")


def road_layer() -> gpd.GeoDataFrame:
    xs = [106.60, 106.64, 106.68, 106.72, 106.76]
    return gpd.GeoDataFrame(
        {"id": [f"R{i}" for i in range(4)], "class": ["national", "county", "county", "township"],
         "oneway": 0, "speed_kph": [60.0, 40.0, 40.0, 30.0]},
        geometry=[LineString([(a, 30.515), (b, 30.515)]) for a, b in itertools.pairwise(xs)],
        crs="EPSG:4326",
    )


def write_layers(folder: Path) -> Path:
    """Write the geodata instance (GeoJSON, GeoPackage and CSV layers, roads); return the scenario."""
    folder.mkdir(parents=True, exist_ok=True)
    pyogrio.write_dataframe(township_layer(), folder / "townships.geojson")
    pyogrio.write_dataframe(village_layer(), folder / "villages.gpkg", layer="villages")
    pyogrio.write_dataframe(facility_layer(), folder / "facilities.geojson")
    candidates = SITES[SITES["level"] == "candidate"].drop(columns=["level"])
    candidates.to_csv(folder / "candidates.csv", index=False)
    pyogrio.write_dataframe(road_layer(), folder / "roads.gpkg", layer="roads")
    scen = folder / "scenario.yaml"
    scen.write_text(
        "inputs:\n  townships: townships.geojson\n  demand: {path: villages.gpkg, layer: villages}\n"
        "  facilities: facilities.geojson\n  candidates: candidates.csv\n  roads: roads.gpkg\n"
        + SCENARIO_BODY.format(cache=folder.parent / "cache"), encoding="utf-8")
    return scen


@dataclass
class Outcome:
    """Exit code and everything printed (stdout + stderr, with the console's line wrapping undone)."""

    code: int
    text: str

    @property
    def flat(self) -> str:
        """The text on one line (a message printed over several lines reads as one)."""
        return self.text.replace("\n", " ")


LANG_VERBS = ("run", "check", "baseline", "min-budget", "sweep", "compare", "report")


def run_cli(args: list[str]) -> Outcome:
    """Run ``healthplan <args>`` in-process (``healthplan.scenarios.cli.main``).

    On a terminal wide enough that no message is wrapped (a wrapped line loses the space it broke at). The
    messages are asserted in English: ``--lang en`` is added to a verb that takes it (Chinese, the default, is
    covered by tests/test_messages_lang.py).
    """
    if args and str(args[0]) in LANG_VERBS and not any(str(a).startswith("--lang") for a in args):
        args = [*args, "--lang", "en"]
    out, err = io.StringIO(), io.StringIO()
    width = cli.console.width
    cli.console.width = 10_000
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        cli.console.width = width
    return Outcome(code, out.getvalue() + "\n" + err.getvalue())


INTERNAL = re.compile(r"内部错误|internal error|Traceback", re.IGNORECASE)
# Problems of the scenario itself found while loading the inputs (no demand layer given, travel.method 'od'
# without an OD matrix) are labelled "scenario" until the CLI and the runner pass the scenario's path to
# geodata.load (its ``scenario_file`` parameter); until then that label counts as naming the scenario file.
SCENARIO_LABEL = "error: scenario: "


def assert_contract(outcome: Outcome, *, files: list[Path], out: Path | None = None,
                    folder: Path | None = None) -> None:
    """Check the promise on any input.

    A plan (exit 0, ``summary.json`` at ``out``), or exit 2 with a message naming one of ``files`` (the
    scenario or an input) or a path in ``folder`` (a file the broken scenario names); never the internal-error
    path; nothing at ``out`` (nor a temporary sibling) on error.
    """
    assert not INTERNAL.search(outcome.text), outcome.text
    assert outcome.code in (0, 2), f"exit {outcome.code}:\n{outcome.text}"
    if outcome.code == 2:
        names = [str(f) for f in files] + [Path(f).name for f in files] + [SCENARIO_LABEL]
        if folder is not None:
            names.append(f"{folder}{os.sep}")
        assert any(n in outcome.flat for n in names), f"no file named in:\n{outcome.text}"
        if out is not None:
            assert not out.exists(), f"{out} written although the run failed"
            strays = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
            assert not strays, f"temporary folders left: {strays}"
    elif out is not None:
        assert (out / "summary.json").is_file(), f"exit 0 but no summary.json in {out}:\n{outcome.text}"
