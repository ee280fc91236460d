"""Evaluation: any items measured like the baseline, checked against a dense recomputation; justification figures."""

import numpy as np
import pandas as pd
import pytest
from test_opt_helpers import make, only, random_case

from healthplan.optimizer import baseline, evaluate, optimize
from healthplan.optimizer.config import (
    BloodConfig,
    FeverConfig,
    OptimizerConfig,
    ResourcesConfig,
    SubcentreConfig,
)
from healthplan.optimizer.status import Status

CFG = OptimizerConfig(resources=ResourcesConfig(
    ambulance={"busy_fraction": 0.3, "coverage_depth": 2}, fever=FeverConfig(room_cost_wan=60),
    blood=BloodConfig(unit_cost_wan=80), subcentre=SubcentreConfig(target_count=1)), budget_wan=3000)


def test_evaluate_matches_dense_recomputation():
    inst = random_case(21)
    rng = np.random.default_rng(21)
    sites = inst.sites.index.to_numpy()
    items = pd.DataFrame({
        "site_id": list(rng.choice(sites, 3, replace=False)) + list(rng.choice(sites, 2, replace=False)),
        "kind": ["ambulance", "ambulance", "ambulance", "blood", "blood"],
        "quantity_ord": [1, 2, 0, 0, 0], "quantity_np": [1, 0, 3, 0, 0],
    })
    plan = evaluate(inst, CFG, items)
    assert plan.solve.status is Status.BASELINE
    t = inst.travel.dense()
    urban = inst.demand["urban"].to_numpy()
    reach = t <= np.where(urban, 12.0, 27.0)[None, :] + 1e-9
    veh = (inst.sites["amb_ord"] + inst.sites["amb_np"]).to_numpy().astype(float)
    for sid, o, n in zip(items["site_id"][:3], items["quantity_ord"][:3], items["quantity_np"][:3], strict=True):
        veh[inst.sites.index.get_loc(sid)] += o + n
    n_i = veh @ reach
    # every vehicle in reach counts in the reported expected coverage (the model's depth 2 truncates only its
    # objective)
    assert np.allclose(plan.demand_coverage["ambulance_after"], 1 - 0.3 ** n_i)
    assert np.allclose(plan.demand_coverage["ambulance_single_after"], n_i > 0)
    blood = np.isin(inst.sites.index, items["site_id"][3:])
    assert np.allclose(plan.demand_coverage["blood_after"], (t[blood] <= 30 + 1e-9).any(axis=0))
    # township persons = Σ share × population
    pop = inst.demand["population"]
    tc = (plan.demand_coverage["blood_after"] * pop).groupby(inst.demand["township"]).sum()
    assert np.allclose(plan.township_coverage["blood_after"], tc.reindex(plan.township_coverage.index))
    # costs from unit prices: (25 + 35) + 50 + 105, new stations at sites without vehicles, + 2 × 80
    expected = sum(o * 25 + n * 35 for o, n in zip(items["quantity_ord"][:3], items["quantity_np"][:3], strict=True))
    expected += 100 * sum(veh_before == 0 for veh_before in
                          (inst.sites.loc[items["site_id"][:3], "amb_ord"] + inst.sites.loc[items["site_id"][:3], "amb_np"]))
    assert plan.spent_wan == pytest.approx(expected + 160)


def test_optimize_ends_with_the_same_evaluation():
    inst = random_case(22)
    plan = optimize(inst, CFG)
    again = evaluate(inst, CFG, plan.items)
    pd.testing.assert_frame_equal(plan.demand_coverage, again.demand_coverage)
    pd.testing.assert_frame_equal(plan.standards, again.standards)
    assert plan.spent_wan == pytest.approx(again.spent_wan)


def test_baseline_has_no_items_and_equal_before_after():
    plan = baseline(random_case(23), CFG)
    assert plan.solve.status is Status.BASELINE and len(plan.items) == 0 and plan.spent_wan == 0
    for key in ("ambulance", "fever", "blood", "secondary"):
        assert np.allclose(plan.demand_coverage[f"{key}_before"], plan.demand_coverage[f"{key}_after"])


def test_justification_figures_by_hand():
    # blood points at s0 (reaches d0, d1) and s1 (reaches d1, d2); d3 already covered by existing s2
    m = [[5, 5, 99, 99], [99, 5, 5, 99], [99, 99, 99, 5]]
    inst = make([100, 200, 300, 400], m, ["candidate", "candidate", "candidate"],
                blood_point=[False, False, True])
    plan = evaluate(inst, only("blood", unit_cost_wan=90), pd.DataFrame({"site_id": ["s0", "s1"], "kind": "blood"}))
    it = plan.items.set_index("site_id")
    assert it.loc["s0", "newly_covered"] == 300 and it.loc["s1", "newly_covered"] == 500
    assert it.loc["s0", "only_covered"] == 100 and it.loc["s1", "only_covered"] == 300  # d1 has both
    assert it.loc["s0", "wan_per_1000"] == pytest.approx(90 / 0.3)
    assert it.loc["s0", "standards"] == "blood_min_points"
    assert plan.spend.loc["blood", 2025] == 180


def test_unknown_site_in_items_is_an_input_error():
    from healthplan.geodata.errors import InputError

    with pytest.raises(InputError, match="unknown site id 'nope'"):
        evaluate(random_case(24), CFG, pd.DataFrame({"site_id": ["nope"], "kind": ["blood"]}))


def test_expected_gain_of_ambulances_by_hand_and_by_leaving_each_out():
    # d0 (1,000) reached by s0 and s1, d1 (2,000) by s1 only; s0 has a vehicle today; q = 0.3, depth 3.
    # Items: A = +1 at s0, B = +1 at s1 → after the plan n(d0) = 3, n(d1) = 1.
    inst = make([1000, 2000], [[5, 99], [5, 5]], ["thc", "thc"], amb_ord=[1, 0])
    cfg = only("ambulance", busy_fraction=0.3, coverage_depth=3)
    items = pd.DataFrame({"site_id": ["s0", "s1"], "kind": "ambulance", "quantity_ord": [1, 1]})
    plan = evaluate(inst, cfg, items)
    it = plan.items.set_index("site_id")
    # A: d0 already covered → newly 0; its gain is d0's 3rd vehicle: 1,000 × (0.3² − 0.3³) = 63
    assert it.loc["s0", "newly_covered"] == 0
    assert it.loc["s0", "expected_gain"] == pytest.approx(1000 * (0.3**2 - 0.3**3))
    # B: d0's 3rd vehicle (63) + d1's first (2,000 × 0.7 = 1,400)
    assert it.loc["s1", "newly_covered"] == 2000
    assert it.loc["s1", "expected_gain"] == pytest.approx(63 + 1400)
    # Independently: expected coverage with all items − with all but this one, by evaluating both tables.
    after = plan.coverage_summary(inst.demand["population"])["ambulance"]["after"]
    for k, site in enumerate(["s0", "s1"]):
        rest = evaluate(inst, cfg, items.drop(index=k)).coverage_summary(inst.demand["population"])
        assert it.loc[site, "expected_gain"] == pytest.approx(after - rest["ambulance"]["after"], abs=1e-3)


def test_expected_gain_on_a_random_plan_equals_leave_one_out():
    inst = random_case(31)
    cfg = OptimizerConfig(resources=ResourcesConfig(
        ambulance={"busy_fraction": 0.25, "coverage_depth": 3}, fever={"enabled": False},
        blood=BloodConfig(unit_cost_wan=80), subcentre={"enabled": False}), budget_wan=1500)
    plan = optimize(inst, cfg)
    amb = plan.items[plan.items["kind"] == "ambulance"]
    assert len(amb) >= 3 and plan.items.loc[plan.items["kind"] != "ambulance", "expected_gain"].isna().all()
    pop = inst.demand["population"]
    full = plan.coverage_summary(pop)["ambulance"]["after"]
    for idx, row in amb.iterrows():
        rest = evaluate(inst, cfg, plan.items.drop(index=idx)).coverage_summary(pop)["ambulance"]["after"]
        assert row["expected_gain"] == pytest.approx(full - rest, abs=1e-3)
    # a vehicle bought for the fleet standard may add nothing (0), never a loss; the plan as a whole gains
    assert (amb["expected_gain"] >= -1e-9).all() and amb["expected_gain"].sum() > 0
