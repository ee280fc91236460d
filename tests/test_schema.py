"""Scenario loading: the minimal CSV scenario as written in the issue, extends, overrides, clear errors."""

from pathlib import Path

import pytest

from healthplan.scenarios.schema import Scenario, ScenarioError, load_scenario

MINIMAL = """\
inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}   # paths relative to the scenario file
resources:
  blood: {enabled: true, access_minutes: 30, unit_cost_wan: 100, candidates: all, target_coverage: 1.0}
  ambulance: {enabled: false}
  fever: {enabled: false}
  subcentre: {enabled: false}
budget_wan: 800
solver: {name: highs, time_limit_s: 120, gap: 0}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_scenario_keeps_its_meaning(tmp_path):
    scen = load_scenario(write(tmp_path / "sub" / "min.yaml", MINIMAL))
    assert scen.name == "min"
    assert scen.inputs.demand.path == (tmp_path / "sub" / "demand.csv").resolve()
    assert scen.resources.enabled() == ["blood"]
    blood = scen.resources.blood
    assert (blood.access_minutes, blood.unit_cost_wan, blood.candidates, blood.target_coverage) == (30, 100, "all", 1.0)
    assert scen.budget_wan == 800
    assert (scen.solver.name, scen.solver.time_limit_s, scen.solver.gap) == ("highs", 120, 0)
    opt = scen.optimizer_config()
    assert opt.budget_wan == 800 and opt.resources == scen.resources


def test_extends_deep_merges_and_resolves_paths_per_file(tmp_path):
    write(tmp_path / "base" / "base.yaml", MINIMAL)
    child = write(
        tmp_path / "child.yaml",
        "extends: base/base.yaml\nbudget_wan: 300\nresources: {blood: {access_minutes: 20}}\n",
    )
    scen = load_scenario(child)
    assert scen.budget_wan == 300
    assert scen.resources.blood.access_minutes == 20
    assert scen.resources.blood.unit_cost_wan == 100  # kept from the base
    assert scen.inputs.sites.path == (tmp_path / "base" / "sites.csv").resolve()


def test_overrides_use_dotted_keys(tmp_path):
    scen = load_scenario(write(tmp_path / "m.yaml", MINIMAL), overrides={"resources.blood.access_minutes": 45})
    assert scen.resources.blood.access_minutes == 45


def test_unknown_keys_suggest_the_right_one(tmp_path):
    # (solver is replaced, not repeated: a key written twice is its own error, see test_bad_values.py)
    path = write(tmp_path / "bad.yaml", MINIMAL.replace("solver: {name: highs, time_limit_s: 120, gap: 0}",
                                                        "solver: {gapp: 0.1}") + "budgt_wan: 3\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    text = str(exc.value)
    assert "unknown key 'budgt_wan' — did you mean 'budget_wan'?" in text
    assert "unknown key 'solver.gapp' — did you mean 'gap'?" in text
    assert "2 problems" in text


def test_bad_values_name_the_key(tmp_path):
    path = write(tmp_path / "bad.yaml", "budget_wan: -5\nresources: {ambulance: {np_share: 1.5}}\n")
    with pytest.raises(ScenarioError, match=r"budget_wan: Input should be greater than or equal to 0"):
        load_scenario(path)


def test_extends_cycle_and_missing_parent_are_explained(tmp_path):
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError, match=r"cycle \(a.yaml → b.yaml → a.yaml\)"):
        load_scenario(tmp_path / "a.yaml")
    write(tmp_path / "c.yaml", "extends: nowhere.yaml\n")
    with pytest.raises(ScenarioError, match="names a file that does not exist"):
        load_scenario(tmp_path / "c.yaml")


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path / "y.yaml", "budget_wan: 5\nresources: {blood: [\n")
    with pytest.raises(ScenarioError, match=r"not valid YAML at line"):
        load_scenario(path)


def test_bundled_demo_scenario_validates():
    scen = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml")
    assert isinstance(scen, Scenario)
    assert scen.synthetic and scen.budget_wan == 9000
    assert scen.inputs.roads.layer == "roads"
