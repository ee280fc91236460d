"""The hostile-input suite: hypothesis breaks tables, layers and scenario files, the real CLI runs on them.

For every generated input, ``healthplan check`` and ``healthplan run … --out`` (in-process, through
``healthplan.scenarios.cli.main``) must keep the promise of :func:`hostile.assert_contract`: a plan, or exit 2
with a message naming the file; never the internal-error path; nothing written on error. A few real subprocess
runs check the same from outside (exit code, no traceback).

The examples are derandomised (the same inputs on every run: the suite must not flake) and bounded
(``max_examples`` below, no deadline). ``HEALTHPLAN_FUZZ=500`` explores afresh with 500 random examples per
test.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile
from hostile import assert_contract, run_cli, write_layers, write_tables

EXPLORE = int(os.environ.get("HEALTHPLAN_FUZZ", "0"))
LOG = os.environ.get("HEALTHPLAN_FUZZ_LOG")  # a file to append each example's exit codes and first problem to
FUZZ = settings(
    max_examples=EXPLORE or 25, deadline=None, derandomize=not EXPLORE, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- what breaks a cell, a table, a file --------------------------------------------------------------------

CELLS = st.sampled_from([
    "", " ", "nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1", "-0.5", "0", "1.5", "1e12", "2500000",
    "abc",
    "1,000", "12 人", "#N/A", "NULL", "None", "是", "否", "V1", " V1 ", "V1\u3000", "\u200bV2", "H1", "T9",
    "9" * 30, "1e-300", "-", "😀", '"', "'", "county_hospital", "candidate", "中心卫生院", "106.6", "30.5", "999",
])
HEADERS = st.sampled_from(["", " id", "ID ", "人口", "population.1", "X", "lon", "minutes ", "id", "级别"])
BLOBS = st.binary(min_size=1, max_size=200)


@st.composite
def table_mutation(draw: st.DrawFn, n_rows: int, columns: list[str]) -> tuple:
    """One way to break a CSV table (a tuple naming the mutation and its arguments)."""
    row = st.integers(0, n_rows - 1)
    col = st.sampled_from(columns)
    return draw(st.one_of(
        st.tuples(st.just("cell"), row, col, CELLS),
        st.tuples(st.just("cell"), row, col, CELLS),  # twice: the most common break
        st.tuples(st.just("drop_col"), col),
        st.tuples(st.just("rename_col"), col, HEADERS),
        st.tuples(st.just("dup_row"), row),
        st.tuples(st.just("dup_col"), col),
        st.tuples(st.just("header_only")),
        st.tuples(st.just("empty_rows"), st.integers(1, 3)),
        st.tuples(st.just("empty_cols"), st.integers(1, 3)),
        st.tuples(st.just("blank_line"), row),
        st.tuples(st.just("swap_cols"), col, col),
        st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
        st.tuples(st.just("bytes"), BLOBS),
        st.tuples(st.just("empty_file")),
        st.tuples(st.just("gbk")),
        st.tuples(st.just("semicolon")),
        st.tuples(st.just("shuffle"), st.randoms(use_true_random=False)),
        st.tuples(st.just("delete")),
    ))


def break_table(path: Path, mutations: list[tuple]) -> None:
    """Apply ``mutations`` to the CSV at ``path`` (read as text: every cell stays as written)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw: bytes | None = None
    sep, encoding = ",", "utf-8"
    extra_lines: list[tuple[int, str]] = []
    for m in mutations:
        kind = m[0]
        if kind == "cell" and m[2] in frame and m[1] < len(frame):
            frame.loc[frame.index[m[1]], m[2]] = m[3]
        elif kind == "drop_col" and m[1] in frame:
            frame = frame.drop(columns=[m[1]])
        elif kind == "rename_col" and m[1] in frame:
            frame.columns = [m[2] if c == m[1] else c for c in frame.columns]
        elif kind == "dup_row" and m[1] < len(frame):
            frame = pd.concat([frame, frame.iloc[[m[1]]]], ignore_index=True)
        elif kind == "dup_col" and m[1] in frame:
            frame = pd.concat([frame, frame[[m[1]]]], axis=1)
        elif kind == "header_only":
            frame = frame.iloc[:0]
        elif kind == "empty_rows":
            frame = pd.concat([frame, pd.DataFrame([[""] * frame.shape[1]] * m[1], columns=frame.columns)],
                              ignore_index=True)
        elif kind == "empty_cols":
            for i in range(m[1]):
                frame[f"Unnamed: {frame.shape[1] + i}"] = ""
        elif kind == "blank_line":
            extra_lines.append((m[1] + 1, ""))
        elif kind == "swap_cols" and m[1] in frame and m[2] in frame:
            frame[[m[1], m[2]]] = frame[[m[2], m[1]]].to_numpy()
        elif kind == "shuffle":
            order = list(range(len(frame)))
            m[1].shuffle(order)
            frame = frame.iloc[order]
        elif kind == "gbk":
            encoding = "gb18030"
        elif kind == "semicolon":
            sep = ";"
        elif kind == "truncate":
            text = frame.to_csv(index=False, sep=sep).encode(encoding, errors="replace")
            raw = text[: int(len(text) * m[1])]
        elif kind == "bytes":
            raw = m[1]
        elif kind == "empty_file":
            raw = b""
        elif kind == "delete":
            path.unlink(missing_ok=True)
            return
    if raw is not None:
        path.write_bytes(raw)
        return
    header = [("" if str(c).startswith("Unnamed: ") else str(c)) for c in frame.columns]
    lines = [sep.join(_quote(v, sep) for v in header)]
    lines += [sep.join(_quote(str(v), sep) for v in row) for row in frame.itertuples(index=False)]
    for pos, text in sorted(extra_lines, reverse=True):
        lines.insert(min(pos, len(lines)), text)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding, errors="replace"))


def _quote(value: str, sep: str) -> str:
    if sep in value or '"' in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


# --- vector layers ----------------------------------------------------------------------------------------

GEOMETRIES = st.sampled_from([
    "none", "empty", "multipoint1", "multipoint3", "polygon", "line", "inf", "nan", "huge", "far", "bowtie",
    "collection", "swapped",
])


def _geometry(kind: str, old: shapely.Geometry) -> shapely.Geometry | None:
    c = shapely.centroid(old) if old is not None and not old.is_empty else shapely.Point(106.65, 30.51)
    x, y = c.x, c.y
    return {
        "none": lambda: None,
        "empty": lambda: shapely.Point(),
        "multipoint1": lambda: shapely.MultiPoint([(x, y)]),
        "multipoint3": lambda: shapely.MultiPoint([(x, y), (x + 0.01, y), (x, y + 0.01)]),
        "polygon": lambda: shapely.box(x - 0.01, y - 0.01, x + 0.01, y + 0.01),
        "line": lambda: shapely.LineString([(x, y), (x + 0.02, y)]),
        "inf": lambda: shapely.Point(math.inf, math.inf),
        "nan": lambda: shapely.Point(math.nan, math.nan),
        "huge": lambda: shapely.Point(1e12, 1e12),
        "far": lambda: shapely.Point(-70.0, -40.0),
        "bowtie": lambda: shapely.Polygon([(x, y), (x + 0.02, y + 0.02), (x + 0.02, y), (x, y + 0.02)]),
        "collection": lambda: shapely.GeometryCollection([shapely.Point(x, y)]),
        "swapped": lambda: shapely.Point(y, x),
    }[kind]()


VALUES = st.sampled_from([math.inf, -math.inf, math.nan, -1, 0, 1e12, 2.5e6, 1.5, "abc", None, "", " T1 ",
                          "T9", "V1", "nan", "inf", True])


@st.composite
def layer_mutation(draw: st.DrawFn, n_rows: int, columns: list[str]) -> tuple:
    """One way to break a vector layer."""
    row = st.integers(0, n_rows - 1)
    col = st.sampled_from(columns)
    return draw(st.one_of(
        st.tuples(st.just("geom"), row, GEOMETRIES),
        st.tuples(st.just("geom"), row, GEOMETRIES),
        st.tuples(st.just("value"), row, col, VALUES),
        st.tuples(st.just("value"), row, col, VALUES),
        st.tuples(st.just("drop_col"), col),
        st.tuples(st.just("crs"),
                  st.sampled_from(["EPSG:4547", "EPSG:3857", "EPSG:4490", "EPSG:32648", None])),
        st.tuples(st.just("metres_as_degrees")),
        st.tuples(st.just("no_rows")),
        st.tuples(st.just("dup_row"), row),
        st.tuples(st.just("no_geometry")),
        st.tuples(st.just("bytes"), BLOBS),
        st.tuples(st.just("empty_file")),
    ))


def break_layer(path: Path, layer: gpd.GeoDataFrame, mutations: list[tuple], *,
                layer_name: str | None) -> None:
    """Write ``layer`` to ``path`` with ``mutations`` applied."""
    gdf = layer.copy()
    crs_override: object = "keep"
    for m in mutations:
        kind = m[0]
        if kind == "geom" and m[1] < len(gdf):
            geoms = list(gdf.geometry.values)
            geoms[m[1]] = _geometry(m[2], geoms[m[1]])
            gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
        elif kind == "value" and m[1] < len(gdf) and m[2] in gdf:
            col = gdf[m[2]].astype(object)
            col.iloc[m[1]] = m[3]
            gdf[m[2]] = _tidy_column(col)
        elif kind == "drop_col" and m[1] in gdf:
            gdf = gdf.drop(columns=[m[1]])
        elif kind == "crs":
            crs_override = m[1]
        elif kind == "metres_as_degrees":
            gdf = gdf.to_crs("EPSG:32648").set_crs("EPSG:4326", allow_override=True)
        elif kind == "no_rows":
            gdf = gdf.iloc[:0]
        elif kind == "dup_row" and m[1] < len(gdf):
            gdf = pd.concat([gdf, gdf.iloc[[m[1]]]], ignore_index=True)
        elif kind in ("bytes", "empty_file"):
            path.write_bytes(m[1] if kind == "bytes" else b"")
            return
        elif kind == "no_geometry":
            pyogrio.write_dataframe(pd.DataFrame(gdf.drop(columns="geometry")), path, layer=layer_name)
            return
    if crs_override != "keep":
        gdf = gdf.set_crs(crs_override, allow_override=True)
    kwargs = {"layer": layer_name} if layer_name else {}
    if path.suffix == ".gpkg":
        kwargs["geometry_type"] = "Unknown"
    pyogrio.write_dataframe(gdf, path, **kwargs)


def _tidy_column(col: pd.Series) -> pd.Series:
    """Make a column of mixed values writable: numbers stay numbers, anything else makes it text."""
    if all(v is None or isinstance(v, int | float) for v in col):
        return pd.to_numeric(col, errors="coerce")
    return col.map(lambda v: None if v is None else str(v))


# --- scenario files ---------------------------------------------------------------------------------------

SCENARIO_LINES = st.sampled_from([
    "budget_wan: .inf", "budget_wan: .nan", "budget_wan: -1", "budget_wan: abc", "budget_wan: 1e400",
    "budget_wan: [1, 2]", "budget_wan: 0", "unknown_key: 1", "resources: {blod: {enabled: true}}",
    "\tbudget_wan: 1", "inputs: {demand: nope.csv}", "extends: missing.yaml", "extends: scenario.yaml",
    "travel: {method: od}", "travel: {method: roads}", "travel: {cutoff_minutes: 0}",
    "travel: {method: teleport}",
    "solver: {time_limit_s: -1}", "solver: {name: gurobi}", "report: {lang: fr}", "{", "- a", "a: b: c",
    "? [a]\n: 1", "plan_year: 1e9", "name: ''", "site_costs_wan: {H1: .nan}", "site_costs_wan: {NOPE: 10}",
    "earmarks_wan: {blood: .inf}", "phasing: {years: []}", "inputs: {demand: {path: demand.csv, columns: "
    "{population: 人口}}}", "inputs: {demand: {path: demand.csv, crs: 'EPSG:5773'}}",
    "inputs: {demand: {path: demand.csv, crs: 'EPSG:4547'}}",
    "inputs: {demand: {path: demand.csv, layer: x}}",
    "inputs: {sites: .}", "inputs: {travel_times: sites.csv}", "inputs: {demand: od.csv}", "inputs: 7",
    "inputs: {demand: {path: demand.csv, columns: {popul: x}}}", "resources: {blood: {access_minutes: .inf}}",
    "resources: {blood: {unit_cost_wan: -5}}", "resources: {blood: {candidates: [NOPE]}}", "equity: 3",
    "!!python/object:os.system {}", "x: &a [*a]", "budget_wan: 1\nbudget_wan: 2", "resources: null",
    "inputs: {demand: {path: demand.csv, columns: {id: 编码}}}", "inputs: {sites: {path: sites.csv, lon: x}}",
    "inputs: {townships: demand.csv}", "inputs: {roads: od.csv}", "inputs: {candidates: sites.csv}",
    "inputs: {demand: {path: villages.gpkg, layer: roads}}", "inputs: {facilities: candidates.csv}",
    "inputs: {travel_times: {path: od.csv, columns: {minutes: 分钟}}}", "travel: {speeds_kph: {county: 0}}",
    "travel: {speed_column: speed_kph}", "travel: {speed_column: nope}", "travel: {class_column: name}",
    "travel: {method: straight, detour_factor: 0.5}", "travel: {max_access_m: 1}",
    "resources: {blood: {enabled: true, candidates: [H1, C1], unit_cost_wan: 100}, "
    "ambulance: {enabled: false}, fever: {enabled: false}, subcentre: {enabled: false}}",
    "resources: {ambulance: {enabled: true}, blood: {enabled: false}, fever: {enabled: false}, "
    "subcentre: {enabled: false}}",
    "budget_wan: 100000000000", "budget_wan: 1e-300", "plan_year: 2024",
])


LINE_MUTATIONS = st.one_of(
    *[st.tuples(st.just("set"), SCENARIO_LINES)] * 5,
    st.tuples(st.just("delete_line"), st.integers(0, 12)),
    st.tuples(st.just("repeat_line"), st.integers(0, 12)),
    st.tuples(st.just("truncate"), st.floats(0.3, 1.0)),
)
WHOLE_FILE = st.one_of(st.tuples(st.just("text"), st.text(min_size=1, max_size=60)),
                       st.tuples(st.just("bytes"), BLOBS))


def scenario_mutations() -> st.SearchStrategy[list[tuple]]:
    """Draw mostly 1-3 changes that keep the file YAML, sometimes a whole file of random text or bytes.

    (Changes that keep it YAML reach the checks behind the parser: values, keys, paths, the inputs.)
    """
    few = st.lists(LINE_MUTATIONS, min_size=1, max_size=3)
    return st.one_of(*[few] * 6, st.lists(WHOLE_FILE, min_size=1, max_size=1))


def break_scenario(path: Path, mutations: list[tuple]) -> None:
    """Apply ``mutations`` to the scenario text: ``set`` replaces the top-level key's line (or appends)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for m in mutations:
        kind = m[0]
        if kind == "set":
            key = m[1].split(":", 1)[0]
            own = [i for i, line in enumerate(lines)
                   if line.split(":", 1)[0] == key and not line.startswith(" ")]
            if own and ":" in m[1]:
                lines[own[0]] = m[1]
            else:
                lines.append(m[1])
        elif kind == "truncate":
            text = "\n".join(lines)
            lines = text[: int(len(text) * m[1])].splitlines()
        elif kind == "delete_line" and m[1] < len(lines):
            del lines[m[1]]
        elif kind == "repeat_line" and m[1] < len(lines):
            lines.insert(m[1], lines[m[1]])
        elif kind == "text":
            lines = m[1].splitlines()
        elif kind == "bytes":
            path.write_bytes(m[1])
            return
        elif kind == "empty":
            lines = []
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


# --- the properties ---------------------------------------------------------------------------------------


def _check_and_run(scen: Path, inputs: list[Path]) -> None:
    """Run ``check`` and ``run --out`` on one broken scenario: both keep the contract.

    And run never makes a plan where check failed.
    """
    files = [scen, *inputs]
    checked = run_cli(["check", scen])
    assert_contract(checked, files=files, folder=scen.parent)
    out = scen.parent / "out"
    ran = run_cli(["run", scen, "--out", out])
    assert_contract(ran, files=files, out=out, folder=scen.parent)
    if checked.code == 2:
        assert ran.code == 2, f"check failed but run made a plan:\n{checked.text}\n{ran.text}"
    if LOG:  # exploration statistics: exit codes and the first problem of each example
        first = next((ln.strip() for ln in ran.text.splitlines()
                      if ln.strip().startswith(("error", "/"))), "")
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(f"{checked.code}\t{ran.code}\t{first[:300]}\n")


TABLES = {"demand.csv": hostile.DEMAND, "sites.csv": hostile.SITES, "od.csv": hostile.od_matrix()}


@FUZZ
@given(data=st.data())
def test_fuzz_tables(data):
    """Broken CSV tables of the plain instance (demand, sites, OD matrix)."""
    name = data.draw(st.sampled_from(sorted(TABLES)), label="table")
    frame = TABLES[name]
    mutations = data.draw(st.lists(table_mutation(len(frame), list(frame.columns)), min_size=1, max_size=3),
                          label="mutations")
    with tempfile.TemporaryDirectory() as tmp:
        scen = write_tables(Path(tmp) / "in")
        break_table(scen.parent / name, mutations)
        _check_and_run(scen, [scen.parent / n for n in TABLES])


LAYERS = {
    "townships.geojson": (hostile.township_layer, None),
    "villages.gpkg": (hostile.village_layer, "villages"),
    "facilities.geojson": (hostile.facility_layer, None),
    "roads.gpkg": (hostile.road_layer, "roads"),
}
LAYER_FILES = [*LAYERS, "candidates.csv"]


@FUZZ
@given(data=st.data())
def test_fuzz_layers(data):
    """Broken GeoPackage/GeoJSON layers (and the candidates CSV) of the geodata instance."""
    name = data.draw(st.sampled_from(LAYER_FILES), label="layer")
    with tempfile.TemporaryDirectory() as tmp:
        scen = write_layers(Path(tmp) / "in")
        if name == "candidates.csv":
            cand = pd.read_csv(scen.parent / name, dtype=str)
            mutations = data.draw(st.lists(table_mutation(len(cand), list(cand.columns)), min_size=1,
                                           max_size=3), label="mutations")
            break_table(scen.parent / name, mutations)
        else:
            make, layer_name = LAYERS[name]
            layer = make()
            cols = [c for c in layer.columns if c != "geometry"]
            mutations = data.draw(st.lists(layer_mutation(len(layer), cols), min_size=1, max_size=3),
                                  label="mutations")
            (scen.parent / name).unlink()
            break_layer(scen.parent / name, layer, mutations, layer_name=layer_name)
        _check_and_run(scen, [scen.parent / n for n in LAYER_FILES])


@FUZZ
@given(data=st.data())
def test_fuzz_scenarios(data):
    """Broken scenario files (bad values, unknown and repeated keys, broken YAML, bad paths and CRSs)."""
    layers = data.draw(st.booleans(), label="geodata instance")
    mutations = data.draw(scenario_mutations(), label="mutations")
    with tempfile.TemporaryDirectory() as tmp:
        scen = (write_layers if layers else write_tables)(Path(tmp) / "in")
        break_scenario(scen, mutations)
        inputs = [scen.parent / n for n in (LAYER_FILES if layers else TABLES)]
        _check_and_run(scen, [*inputs, scen.parent / "missing.yaml", scen.parent / "nope.csv"])


# --- real subprocesses ------------------------------------------------------------------------------------

SUBPROCESS_CASES = {
    "nonfinite population": ("demand.csv", "V3,3000,", "V3,inf,", "column 'population'"),
    "duplicate key": ("scenario.yaml", "budget_wan: 200", "budget_wan: 200\nbudget_wan: 300",
                      "'budget_wan' (lines"),
    "empty scenario": ("scenario.yaml", None, "", "the scenario file is empty"),
    "duplicate demand id with OD": ("demand.csv", "V2,800,", "V1,800,", "duplicate id"),
}


def test_fuzz_subprocess_cases(tmp_path):
    """Run the real ``healthplan`` process on four bad inputs.

    Each: exit 2, the file and the problem named, no traceback, no run folder.
    """
    for label, (name, old, new, expect) in SUBPROCESS_CASES.items():
        scen = write_tables(tmp_path / label.replace(" ", "_"))
        path = scen.parent / name
        text = path.read_text(encoding="utf-8")
        path.write_text(new if old is None else text.replace(old, new, 1), encoding="utf-8")
        out = scen.parent / "out"
        proc = subprocess.run([sys.executable, "-m", "healthplan", "run", str(scen), "--out", str(out),
                               "--lang", "en"],
                              capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120)
        both = (proc.stdout + proc.stderr).replace("\n", "")
        assert proc.returncode == 2, (label, proc.returncode, proc.stdout, proc.stderr)
        assert name in both and expect in both, (label, both)
        assert "Traceback" not in both and "internal error" not in both, (label, both)
        assert not out.exists(), label
