"""Population of the target year (issue 13 §6): census figures × (1 + g)^(years), per township, stated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from healthplan.geodata.errors import InputError
from healthplan.geodata.projection import PopulationProjection, project_population

ROOT = Path(__file__).resolve().parents[1]
CSV_DIR = ROOT / "scenarios" / "examples" / "csv"


def town_instance(make_instance):
    demand = pd.DataFrame({"population": [10_000, 20_000, 30_000], "urban": [True, False, False],
                           "township": ["T1", "T1", "T2"]}, index=pd.Index(["d0", "d1", "d2"]))
    sites = pd.DataFrame({"level": ["thc"]}, index=pd.Index(["s0"]))
    return make_instance(demand, sites, np.array([[5.0, 10.0, 20.0]]))


def test_growth_per_year_and_per_township(make_instance):
    inst = town_instance(make_instance)
    proj = PopulationProjection(base_year=2020, growth_per_year=0.01, by_township={"T2": -0.02})
    out = project_population(inst, proj, 2025)
    expected = [round(10_000 * 1.01**5), round(20_000 * 1.01**5), round(30_000 * 0.98**5)]
    assert out.demand["population"].tolist() == expected
    assert out.demand["population_base"].tolist() == [10_000, 20_000, 30_000]
    assert out.population == sum(expected)
    note = out.notes[-1]
    assert "2020年" in note and "2025年" in note and "+1.00%" in note and "-2.00%" in note and "情景假设" in note
    assert out.meta["population_projection"]["target_total"] == sum(expected)
    assert inst.demand["population"].tolist() == [10_000, 20_000, 30_000]  # the input is not changed


def test_target_year_overrides_the_plan_and_source_is_cited(make_instance):
    inst = town_instance(make_instance)
    proj = PopulationProjection(base_year=2020, growth_per_year=0.005, target_year=2030, source="县统计局人口预测")
    out = project_population(inst, proj, 2025)
    assert out.demand["population"].sum() == sum(round(p * 1.005**10) for p in (10_000, 20_000, 30_000))
    assert "依据：县统计局人口预测" in out.notes[-1]


def test_without_base_year_nothing_changes(make_instance):
    inst = town_instance(make_instance)
    assert project_population(inst, PopulationProjection(growth_per_year=0.05), 2025) is inst


def test_unknown_township_is_named(make_instance):
    inst = town_instance(make_instance)
    with pytest.raises(InputError) as err:
        project_population(inst, PopulationProjection(base_year=2020, by_township={"T9": 0.01, "T1": 0.0}), 2025)
    text = str(err.value)
    assert "T9" in text and "T1, T2" in text


def test_standards_use_the_projected_population(make_instance):
    """The fleet standard (1 vehicle per 10,000 rural / 30,000 urban residents) follows the projected residents."""
    from healthplan.optimizer import baseline
    from test_opt_helpers import only

    inst = town_instance(make_instance)
    grown = project_population(inst, PopulationProjection(base_year=2015, growth_per_year=0.04), 2025)
    cfg = only("ambulance")

    def required(i):
        return float(baseline(i, cfg).standards.set_index("name").loc["amb_fleet_ratio", "required"])

    urban, rural = 10_000, 50_000
    assert required(inst) == np.ceil(urban / 30_000 + rural / 10_000)  # 5.33 → 6 vehicles
    g = 1.04**10
    grown_need = round(urban * g) / 30_000 + (round(20_000 * g) + round(30_000 * g)) / 10_000  # 7.89
    assert required(grown) == np.ceil(grown_need) == 8


def test_scenario_projects_through_the_runner():
    from healthplan.scenarios.runner import prepare_instance
    from healthplan.scenarios.schema import load_scenario

    plain = prepare_instance(load_scenario(CSV_DIR / "minimal.yaml"))
    scen = load_scenario(CSV_DIR / "minimal.yaml",
                         overrides={"population": {"base_year": 2020, "growth_per_year": 0.02}})
    inst = prepare_instance(scen)
    years = scen.plan_year - 2020
    assert inst.population == int(np.rint(plain.demand["population"].to_numpy() * 1.02**years).sum())
    assert any("推算至" in n for n in inst.notes)


def test_township_rates_are_bounded_and_english_notes_stay_aligned(make_instance):
    from dataclasses import replace

    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="by_township"):
        PopulationProjection(base_year=2020, by_township={"T1": 5})
    inst = town_instance(make_instance)
    inst = replace(inst, notes=("坐标转换",), meta={"notes_en": ["CRS converted"]})
    out = project_population(inst, PopulationProjection(base_year=2020, growth_per_year=0.01), 2025)
    assert len(out.notes) == len(out.meta["notes_en"]) == 2
    assert out.meta["notes_en"][-1].startswith("Population projected from 2020 to 2025")
    same = project_population(inst, PopulationProjection(base_year=2025, growth_per_year=0.01), 2025)
    assert same is inst  # the figures are already those of the target year


def test_check_reports_an_unknown_township_of_the_projection(capsys):
    from healthplan.scenarios.cli import main

    scen = CSV_DIR / "minimal.yaml"
    code = main(["check", str(scen), "--set", "population.base_year=2020", "--set",
                 "population.by_township={T999: 0.01}"])
    out = "".join(capsys.readouterr().out.split())
    assert code == 2 and "T999" in out and "population" in out


def test_township_named_by_its_name(make_instance):
    from dataclasses import replace

    import geopandas as gpd
    from shapely.geometry import Point

    inst = town_instance(make_instance)
    towns = gpd.GeoDataFrame({"name": ["花桥镇", "石笋镇"]}, geometry=[Point(0, 0), Point(1, 1)],
                             index=pd.Index(["T1", "T2"]))
    inst = replace(inst, townships=towns)
    out = project_population(inst, PopulationProjection(base_year=2020, by_township={"石笋镇": 0.01}), 2025)
    assert out.demand["population"].tolist() == [10_000, 20_000, round(30_000 * 1.01**5)]
