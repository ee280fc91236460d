"""The bundled scenario files, the plain-CSV example instance and the generated key reference
(scenarios/KEYS.md)."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from healthplan.geodata.levels import parse_level
from healthplan.scenarios.schema import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
CSV_DIR = SCEN / "examples" / "csv"
BUNDLED = sorted(SCEN.glob("*.yaml")) + [CSV_DIR / "minimal.yaml"]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_scenario_validates(path):
    scen = load_scenario(path)
    assert scen.name
    for spec in (scen.inputs.demand, scen.inputs.sites, scen.inputs.travel_times):
        if spec is not None and spec.path.suffix == ".csv":
            assert spec.path.is_file(), f"{path.name}: {spec.path} is missing"


def test_expected_scenario_files_exist():
    names = {p.name for p in SCEN.glob("*.yaml")}
    assert {"demo.yaml", "demo-low-budget.yaml", "demo-high-budget.yaml", "demo-phased-2024-2026.yaml",
            "demo-min-budget.yaml", "demo-csv.yaml"} <= names


def test_budget_variants_differ_only_in_budget_and_names():
    base = load_scenario(SCEN / "demo.yaml").model_dump(mode="json")
    low = load_scenario(SCEN / "demo-low-budget.yaml").model_dump(mode="json")
    high = load_scenario(SCEN / "demo-high-budget.yaml").model_dump(mode="json")
    assert low["budget_wan"] < base["budget_wan"] < high["budget_wan"]
    for variant in (low, high):
        changed = {k for k in base if base[k] != variant[k]}
        assert changed <= {"budget_wan", "name", "title"}


def test_phased_scenario_has_annual_budgets_and_60_80_100_milestones():
    scen = load_scenario(SCEN / "demo-phased-2024-2026.yaml")
    ph = scen.phasing
    assert ph.years == [2024, 2025, 2026]
    assert ph.milestones == [0.6, 0.8, 1.0]
    assert ph.budgets_wan is not None and len(ph.budgets_wan) == 3
    assert sum(ph.budgets_wan) == pytest.approx(scen.budget_wan)


def test_min_budget_scenario_makes_the_standards_hard_and_sets_targets():
    scen = load_scenario(SCEN / "demo-min-budget.yaml")
    res = scen.resources
    assert res.ambulance.fleet.mode == "hard" and res.ambulance.np_share_rule.mode == "hard"
    assert res.fever.clinic_mandate.mode == "hard" and res.blood.min_points_rule.mode == "hard"
    assert res.ambulance.target_coverage == pytest.approx(0.95)


def test_minimal_csv_scenario_is_the_issue_text_verbatim():
    # issue 3 §6: "This minimal scenario must work exactly as written"
    issue = yaml.safe_load("""
inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}
resources:
  blood: {enabled: true, access_minutes: 30, unit_cost_wan: 100, candidates: all, target_coverage: 1.0}
  ambulance: {enabled: false}
  fever: {enabled: false}
  subcentre: {enabled: false}
budget_wan: 800
solver: {name: highs, time_limit_s: 120, gap: 0}
""")
    assert yaml.safe_load((CSV_DIR / "minimal.yaml").read_text(encoding="utf-8")) == issue
    demo_csv = load_scenario(SCEN / "demo-csv.yaml")
    minimal = load_scenario(CSV_DIR / "minimal.yaml")
    assert demo_csv.optimizer_config() == minimal.optimizer_config()
    assert demo_csv.inputs == minimal.inputs


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_csv_example", SCEN / "examples" / "make_csv_example.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_csv_example_regenerates_byte_identical(tmp_path):
    paths = _load_generator().make(tmp_path)
    for p in paths:
        assert p.read_bytes() == (CSV_DIR / p.name).read_bytes(), (f"{p.name} differs: rerun "
                                                                   "make_csv_example.py")


def test_csv_example_tables_are_consistent():
    demand = pd.read_csv(CSV_DIR / "demand.csv", dtype={"id": str})
    sites = pd.read_csv(CSV_DIR / "sites.csv", dtype={"id": str})
    od = pd.read_csv(CSV_DIR / "od.csv", dtype={"site_id": str, "demand_id": str})
    assert list(demand.columns[:3]) == ["id", "population", "urban"]
    assert demand["id"].is_unique and sites["id"].is_unique
    assert (demand["population"] > 0).all() and set(demand["urban"]) <= {0, 1}
    assert all(parse_level(v) is not None for v in sites["level"])
    assert set(od["site_id"]) <= set(sites["id"]) and set(od["demand_id"]) <= set(demand["id"])
    assert not od.duplicated(["site_id", "demand_id"]).any()
    assert (od["minutes"] > 0).all() and od["minutes"].max() <= 60
    # a real MCLP: 8 points cannot reach everyone within 30 minutes, but everyone reachable is reachable
    within = od[od["minutes"] <= 30]
    assert within["demand_id"].nunique() < len(demand)


def _brute_force_mclp(p: int) -> int:
    """Most population within 30 min of p blood points (every site eligible), by enumerating every choice."""
    demand = pd.read_csv(CSV_DIR / "demand.csv", dtype={"id": str})
    sites = pd.read_csv(CSV_DIR / "sites.csv", dtype={"id": str})
    od = pd.read_csv(CSV_DIR / "od.csv", dtype={"site_id": str, "demand_id": str})
    within = od[od["minutes"] <= 30]
    a = np.zeros((len(sites), len(demand)), dtype=bool)
    a[pd.Index(sites["id"]).get_indexer(within["site_id"]), pd.Index(demand["id"]).get_indexer(within["demand_id"])] = True
    pop = demand["population"].to_numpy()
    best = 0
    combos = np.array(list(itertools.combinations(range(len(sites)), p)), dtype=np.int16)
    for chunk in np.array_split(combos, max(1, len(combos) // 20_000)):
        covered = a[chunk].any(axis=1)  # chunk × demand
        best = max(best, int((covered @ pop).max()))
    return best


def test_minimal_csv_scenario_runs_as_the_classic_mclp(tmp_path):
    from healthplan.scenarios.runner import run_scenario

    scen = load_scenario(CSV_DIR / "minimal.yaml")
    res = run_scenario(scen, out=tmp_path / "run", force=False)
    s = res.summary
    assert s["status"] == "optimal"
    assert s["items"] == 8 and s["spent_wan"] == pytest.approx(800)
    assert s["coverage"]["blood"]["after"] == pytest.approx(_brute_force_mclp(8))
    assert (tmp_path / "run" / "summary.json").is_file()


def test_keys_reference_is_up_to_date():
    from healthplan.scenarios.keys_doc import KEYS_MD, keys_markdown

    assert KEYS_MD.read_text(encoding="utf-8") == keys_markdown(), (
        "scenarios/KEYS.md is out of date with the schema — fix: python -m scenarios.keys_doc")


def test_keys_reference_documents_every_scalar_key_with_its_default():
    from healthplan.scenarios.keys_doc import keys_markdown

    text = keys_markdown()
    for key, default in (("budget_wan", "null"), ("resources.ambulance.response_minutes_rural", "30"),
                         ("resources.ambulance.unit_cost_np_wan", "35"), ("phasing.milestones", "null"),
                         ("solver.name", "highs"), ("travel.detour_factor", "1.6")):
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| `{key}` |")), None)
        assert line is not None, key
        assert line.split(" | ")[2] == default, line
    assert "C: Ford NPA 2020, Xiamen" in text  # sources travel with the defaults
