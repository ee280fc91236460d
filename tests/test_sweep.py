"""Sweeps: option parsing and validation, the grid and warm-start chains, serial vs Dask, failing points, the
SF stores budget sweep against spopt's published covered population, and the CLI's errors."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from healthplan.scenarios.sweep import run_sweep
from healthplan.scenarios.sweep_axis import SweepError
from healthplan.scenarios.sweep_grid import expand_grid
from healthplan.scenarios.sweep_options import parse_budget, parse_set
from healthplan.scenarios.sweep_scenarios import base_data, validate_axes
from healthplan.scenarios.sweep_table import flatten_summary

ROOT = Path(__file__).resolve().parents[1]
CSV_SCEN = ROOT / "scenarios" / "demo-csv.yaml"
CSV_DIR = ROOT / "scenarios" / "examples" / "csv"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SF_DIR = SHARED / "benchmarks" / "spopt_sf_stores"
SF_PUBLISHED = {1: 448_255, 2: 671_938, 3: 791_499, 4: 875_247, 5: 927_402, 6: 941_462, 7: 950_428, 8: 955_113}




# ------------------------------------------------------------------------------------------------ options


@pytest.mark.parametrize(("spec", "values"), [
    ("2000:3000:500", (2000, 2500, 3000)),
    ("2000:3100:500", (2000, 2500, 3000)),  # stop is included only when a step lands on it
    ("4000,6000", (4000, 6000)),
    ("6000", (6000,)),
    ("0.5:1.5:0.5", (0.5, 1, 1.5)),
])
def test_parse_budget_ranges_and_lists(spec, values):
    assert parse_budget(spec).values == values


@pytest.mark.parametrize(("spec", "needle"), [
    ("3000:2000:500", "backwards"), ("2000:3000:0", "must be > 0"), ("2000:3000:-5", "must be > 0"),
    ("a:3000:500", "not a number"), ("2000:3000", "not a range"), ("-100", "≥ 0"), ("1,1", "twice"),
    ("0:1e9:1", "values"), ("", "no budget"),
])
def test_parse_budget_rejects_bad_ranges_naming_the_option(spec, needle):
    with pytest.raises(SweepError, match="--budget") as exc:
        parse_budget(spec)
    assert needle in str(exc.value)


def test_parse_set_values_and_ranges():
    assert parse_set("resources.ambulance.busy_fraction=0.2,0.3").values == (0.2, 0.3)
    assert parse_set("resources.ambulance.response_minutes_rural=20:30:5").values == (20, 25, 30)
    assert parse_set("resources.blood.candidates=all,hospitals").values == ("all", "hospitals")
    assert parse_set("resources.ambulance.fleet.mode=hard").values == ("hard",)


@pytest.mark.parametrize(("spec", "needle"), [
    ("resources.ambulance.respons_minutes_rural=20", "did you mean 'resources.ambulance.response_minutes_rural'"),
    ("budgt_wan=1", "did you mean 'budget_wan'"),
    ("resources.ambulance=1", "is a section"),
    ("phasing.years=2024", "list or mapping"),
    ("travel.detour_factor=1.2,1.4", "changes the instance"),
    ("inputs.demand=x.csv", "changes the instance"),
    ("busy_fraction", "expected key=v1"),
])
def test_parse_set_rejects_unknown_or_unsweepable_keys(spec, needle):
    with pytest.raises(SweepError, match="--set") as exc:
        parse_set(spec)
    assert needle in str(exc.value)


def test_values_are_validated_against_the_schema_before_any_run(tmp_path):
    data = base_data(CSV_SCEN)
    with pytest.raises(SweepError, match=r"--set resources.ambulance.busy_fraction: the value 1.5") as exc:
        validate_axes(data, [parse_set("resources.ambulance.busy_fraction=0.3,1.5")])
    assert "less than 1" in str(exc.value)
    out = tmp_path / "sweep"
    with pytest.raises(SweepError, match="--set resources.solver"):
        run_sweep(CSV_SCEN, [parse_set("resources.solver=1")], out=out, executor="serial", progress=False)
    with pytest.raises(SweepError, match="--set solver.name"):
        run_sweep(CSV_SCEN, [parse_set("solver.name=highs,gurobi")], out=out, executor="serial", progress=False)
    assert not out.exists()  # nothing written


def test_grid_order_and_warm_chains():
    axes = [parse_budget("100:400:100"), parse_set("resources.blood.access_minutes=20,30")]
    pts = expand_grid(axes, warm_chain=2)
    assert [(p.params["resources.blood.access_minutes"], p.params["budget_wan"]) for p in pts] == [
        (a, b) for a in (20, 30) for b in (100, 200, 300, 400)]
    assert list(pts[0].params) == ["budget_wan", "resources.blood.access_minutes"]  # the user's axis order
    assert [p.warm_from for p in pts] == [None, 0, None, 2, None, 4, None, 6]
    assert [p.warm_from for p in expand_grid(axes, warm_chain=1)] == [None] * 8
    assert [p.warm_from for p in expand_grid(axes, warm_chain=4)] == [None, 0, 1, 2, None, 4, 5, 6]
    assert pts[5].slug == "005_access_minutes-30_budget_wan-200"
    assert len({p.slug for p in pts}) == len(pts)
    with pytest.raises(SweepError, match="swept twice"):
        expand_grid([parse_budget("1,2"), parse_budget("3")])


def test_flatten_summary_keys_standards_by_name():
    flat = flatten_summary({
        "status": "optimal", "coverage": {"blood": {"population": 10, "after": 7.0}},
        "standards": [{"name": "blood_min_points", "required": 1, "met": True}],
        "spend_by_kind_year": {"blood": {"2025": 100.0}}, "notes": ["a", "b"], "assumptions": [],
    })
    assert flat == {"status": "optimal", "coverage.blood.population": 10, "coverage.blood.after": 7.0,
                    "standards.blood_min_points.required": 1, "standards.blood_min_points.met": True,
                    "spend_by_kind_year.blood.2025": 100.0, "notes": "a | b", "assumptions": ""}


# ------------------------------------------------------------------------------------------------ runs


def _coverage_matrix(limit: float) -> tuple[np.ndarray, np.ndarray]:
    demand = pd.read_csv(CSV_DIR / "demand.csv", dtype={"id": str})
    sites = pd.read_csv(CSV_DIR / "sites.csv", dtype={"id": str})
    od = pd.read_csv(CSV_DIR / "od.csv", dtype={"site_id": str, "demand_id": str})
    od = od[od["minutes"] <= limit]
    a = np.zeros((len(sites), len(demand)), dtype=bool)
    si = pd.Index(sites["id"]).get_indexer(od["site_id"])
    di = pd.Index(demand["id"]).get_indexer(od["demand_id"])
    a[si, di] = True
    return a, demand["population"].to_numpy()


def _brute_mclp(p: int, limit: float = 30) -> int:
    a, pop = _coverage_matrix(limit)
    return max(int(pop[a[list(c)].any(axis=0)].sum()) for c in itertools.combinations(range(a.shape[0]), p))


def test_serial_budget_sweep_matches_brute_force_and_writes_every_file(tmp_path):
    out = tmp_path / "sw"
    res = run_sweep(CSV_SCEN, [parse_budget("100:300:100")], out=out, executor="serial", progress=False)
    t = res.table
    assert list(t["budget_wan"]) == [100, 200, 300]
    assert list(t["status"]) == ["optimal"] * 3
    assert list(t["coverage.blood.after"]) == [pytest.approx(_brute_mclp(p)) for p in (1, 2, 3)]
    for name in ("sweep.csv", "sweep_timings.csv", "sweep.md", "frontier.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    back = pd.read_csv(out / "sweep.csv")
    assert len(back) == 3 and not any(c.startswith("timings.") for c in back.columns)
    for slug in t["slug"]:
        assert json.loads((out / "points" / slug / "summary.json").read_text())["status"] == "optimal"
    with pytest.raises(Exception, match="already exists"):
        run_sweep(CSV_SCEN, [parse_budget("100")], out=out, executor="serial", progress=False)


def test_failing_point_is_reported_in_its_row_and_the_others_survive(tmp_path):
    # five blood points as a hard standard cannot be bought with 200 万元 (100 each): that point is infeasible
    axes = [parse_budget("200,600"), parse_set("resources.blood.min_points=1,5"),
            parse_set("resources.blood.min_points_rule.mode=hard")]
    res = run_sweep(CSV_SCEN, axes, out=None, executor="serial", progress=False)
    t = res.table.set_index(["resources.blood.min_points", "budget_wan"])
    assert t.loc[(5, 200), "status"] in ("infeasible", "error")
    assert t.loc[(5, 600), "status"] == "optimal" and t.loc[(1, 200), "status"] == "optimal"
    assert len(res.failed) == 1


@pytest.mark.slow
def test_dask_local_cluster_gives_byte_identical_sweep_csv(tmp_path):
    axes = [parse_budget("100:300:100"), parse_set("resources.blood.access_minutes=25,30")]
    a = run_sweep(CSV_SCEN, axes, out=tmp_path / "serial", executor="serial", progress=False)
    b = run_sweep(CSV_SCEN, axes, out=tmp_path / "dask", executor="dask", workers=2, progress=False)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert (tmp_path / "serial" / "sweep.csv").read_bytes() == (tmp_path / "dask" / "sweep.csv").read_bytes()
    assert len(a.table) == 6 and (a.table["status"] == "optimal").all()
    assert "cluster_start_s" in b.timings


@pytest.mark.skipif(not SF_DIR.is_dir(), reason="../shared absent: the SF stores benchmark is not ours to "
                                                "commit")
def test_sf_stores_budget_sweep_reproduces_published_coverage(tmp_path):
    # one kind (blood points as the generic covering kind), unit cost 1 万元 so budget = p; metres read as
    # minutes
    cost = pd.read_csv(SF_DIR / "cost_matrix_205x16_canonical.csv", index_col=0)
    weights = pd.read_csv(SF_DIR / "weights_205_canonical.csv", index_col=0).iloc[:, 0]
    pd.DataFrame({"id": cost.index.astype(str), "population": weights.reindex(cost.index).to_numpy(),
                  "urban": 1}).to_csv(tmp_path / "demand.csv", index=False)
    pd.DataFrame({"id": cost.columns.astype(str), "level": "candidate"}).to_csv(tmp_path / "sites.csv", index=False)
    long = cost.stack().rename("minutes").reset_index()
    long.columns = ["demand_id", "site_id", "minutes"]
    long[["site_id", "demand_id", "minutes"]].to_csv(tmp_path / "od.csv", index=False)
    (tmp_path / "sf.yaml").write_text(
        "inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}\n"
        "resources:\n"
        "  blood: {enabled: true, access_minutes: 5000, unit_cost_wan: 1, candidates: all, min_points: 0}\n"
        "  ambulance: {enabled: false}\n  fever: {enabled: false}\n  subcentre: {enabled: false}\n"
        "solver: {name: highs, gap: 0}\n", encoding="utf-8")
    res = run_sweep(tmp_path / "sf.yaml", [parse_budget("1:8:1")], out=None, executor="serial", progress=False)
    got = dict(zip(res.table["budget_wan"], res.table["coverage.blood.after"], strict=True))
    assert got == {p: pytest.approx(v) for p, v in SF_PUBLISHED.items()}


# ------------------------------------------------------------------------------------------------ CLI


def _cli(args: list[str], capsys) -> tuple[int, str]:
    from healthplan.scenarios.cli import main

    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out + cap.err


def test_cli_unknown_key_bad_range_and_broken_extends_exit_2(tmp_path, capsys):
    code, text = _cli(["sweep", str(CSV_SCEN), "--set", "resources.blood.acces_minutes=20,30"], capsys)
    assert code == 2 and "resources.blood.access_minutes" in " ".join(text.split())
    code, text = _cli(["sweep", str(CSV_SCEN), "--budget", "900:100:100"], capsys)
    assert code == 2 and "--budget" in text and "backwards" in text
    code, text = _cli(["sweep", str(CSV_SCEN)], capsys)
    assert code == 2 and "nothing to sweep" in text
    broken = tmp_path / "broken.yaml"
    broken.write_text("extends: missing-parent.yaml\nbudget_wan: 100\n", encoding="utf-8")
    code, text = _cli(["sweep", str(broken), "--budget", "100,200"], capsys)
    assert code == 2 and "missing-parent.yaml" in " ".join(text.split())
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    code, text = _cli(["sweep", str(tmp_path / "a.yaml"), "--budget", "100"], capsys)
    assert code == 2 and "形成循环" in text  # Chinese by default
    code, text = _cli(["sweep", str(tmp_path / "a.yaml"), "--budget", "100", "--lang", "en"], capsys)
    assert code == 2 and "cycle" in text
    code, text = _cli(["sweep", str(CSV_SCEN), "--budget", "100", "--serial", "--workers", "2"], capsys)
    assert code == 2 and "--serial" in text


def test_cli_sweep_serial_writes_the_sweep_folder(tmp_path, capsys):
    out = tmp_path / "cli"
    code, text = _cli(["sweep", str(CSV_SCEN), "--budget", "100,300", "--serial", "--out", str(out),
                       "--lang", "en"], capsys)
    assert code == 0, text
    assert (out / "sweep.csv").is_file() and (out / "frontier.png").stat().st_size > 10_000
    assert "Sweep results" in (out / "sweep.md").read_text(encoding="utf-8")
    from PIL import Image

    with Image.open(out / "frontier.png") as im:  # print resolution, as the maps
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.5)


def test_frontier_curves_that_coincide_stay_visible(tmp_path, monkeypatch):
    """Two kinds with equal shares at every budget: their curves differ in marker, dash and width, and the
    wider one is drawn first (underneath), so neither hides the other."""
    import matplotlib.figure

    from healthplan.scenarios.frontier import plot_frontier

    table = pd.DataFrame({"budget_wan": [100, 200, 300], "status": ["optimal"] * 3})
    for kind in ("ambulance", "blood"):
        table[f"coverage.{kind}.before"] = 0.0
        table[f"coverage.{kind}.after"] = [500.0, 800.0, 1000.0]
        table[f"coverage.{kind}.population"] = 1000.0
    lines = []
    real = matplotlib.figure.Figure.savefig

    def spy(fig, *args, **kwargs):
        lines.extend(ln for ax in fig.axes for ln in ax.get_lines() if ln.get_xdata().size == 3)
        return real(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    from types import SimpleNamespace

    plot_frontier(table, tmp_path / "frontier.png", axes=[SimpleNamespace(key="budget_wan")], lang="zh")
    first, second = lines
    assert list(first.get_ydata()) == list(second.get_ydata())  # they coincide
    assert first.get_marker() != second.get_marker() and first.get_linestyle() != second.get_linestyle()
    assert first.get_linewidth() > second.get_linewidth() and first.get_zorder() < second.get_zorder()


def test_scheduler_address_connects_to_an_existing_cluster():
    from distributed import LocalCluster

    # an in-process cluster stands in for a remote one: the sweep only sees its address
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        res = run_sweep(CSV_SCEN, [parse_budget("100,200")], out=None, executor="dask",
                        scheduler=cluster.scheduler_address, progress=False)
    assert list(res.table["status"]) == ["optimal", "optimal"]
    assert list(res.table["coverage.blood.after"]) == [pytest.approx(_brute_mclp(1)), pytest.approx(_brute_mclp(2))]


def test_invalid_inputs_write_nothing(tmp_path):
    from healthplan.geodata.errors import HealthplanError

    scen = tmp_path / "bad.yaml"
    scen.write_text("extends: " + str(CSV_SCEN) + "\ninputs: {demand: no-such-demand.csv}\n", encoding="utf-8")
    out = tmp_path / "sweep"
    with pytest.raises(HealthplanError, match="no-such-demand.csv"):
        run_sweep(scen, [parse_budget("100,200")], out=out, executor="serial", progress=False)
    assert not out.exists()
