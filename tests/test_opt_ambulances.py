"""Ambulances: MEXCLP expected coverage against a hand computation, capacity, new stations, fleet ratio, NP share."""

import numpy as np
import pytest
from test_opt_helpers import make, only

from healthplan.optimizer import baseline, optimize
from healthplan.optimizer.config import StandardRule

HARD = StandardRule(mode="hard")
OFFR = StandardRule(mode="off")


def test_mexclp_expected_coverage_equals_hand_computation():
    # one rural point (1,000 persons), station s0 with 1 vehicle and free capacity; q = 0.5, depth 3.
    # Budget 50万元 buys 2 ordinary vehicles (25 each); s1 would need a 100万元 station first.
    inst = make([1000], [[10.0], [10.0]], ["thc", "thc"], amb_ord=[1, 0])
    cfg = only("ambulance", budget=50, busy_fraction=0.5, coverage_depth=3, fleet=OFFR, np_share_rule=OFFR)
    plan = optimize(inst, cfg)
    assert plan.items["quantity"].sum() == 2 and set(plan.items["site_id"]) == {"s0"}
    # 3 vehicles in reach: 1 − 0.5³ = 0.875; before 1 − 0.5 = 0.5
    cov = plan.coverage_summary(inst.demand["population"])["ambulance"]
    assert cov["before"] == pytest.approx(500.0) and cov["after"] == pytest.approx(875.0)
    assert plan.demand_coverage.loc["d0", "ambulance_after"] == pytest.approx(0.875)
    coverage_stage = next(s for s in plan.solve.stages if s["stage"] == "coverage")
    assert coverage_stage["objective"] == pytest.approx(1000 * (0.25 + 0.125))  # gain of vehicles 2 and 3


def test_mexclp_values_a_second_vehicle_where_demand_is_dense():
    # big point A (reachable from s0 only), small B (from s1 only); 2 vehicles, no stock: 1 each would give
    # 0.7A + 0.7B; 2 at s0 give 0.91A. With A = 10,000 and B = 1,000: 2 at s0 (9,100) > 1 each (7,700).
    inst = make([10_000, 1_000], [[5.0, np.inf], [np.inf, 5.0]], ["thc", "thc"], amb_ord=[1, 1],
                station_capacity=[4, 4])
    cfg = only("ambulance", budget=25, busy_fraction=0.3, fleet=OFFR, np_share_rule=OFFR)
    plan = optimize(inst, cfg)
    assert plan.items.set_index("site_id")["quantity"].to_dict() == {"s0": 1}
    assert plan.demand_coverage.loc["d0", "ambulance_after"] == pytest.approx(1 - 0.3**2)


def test_capacity_and_new_station_cost():
    # s0 full (capacity 2, 2 vehicles); s1 empty: a vehicle there needs the 100万元 station
    inst = make([5000], [[1.0], [1.0]], ["thc", "candidate"], amb_ord=[2, 0], station_capacity=[2, 3])
    cfg = only("ambulance", budget=1000, busy_fraction=0.2, fleet=OFFR, np_share_rule=OFFR, greenfield_stations=True)
    plan = optimize(inst, cfg)
    row = plan.items.set_index("site_id").loc["s1"]
    assert "s0" not in set(plan.items["site_id"])
    # 2 vehicles already in reach, depth 3: only a third vehicle adds expected coverage
    assert row["quantity"] == 1 and bool(row["new_station"])
    assert row["cost_wan"] == pytest.approx(100 + 25)
    assert plan.after_stock.loc["s1", "amb_ord"] == 1


def test_drive_threshold_uses_dispatch_and_speed_factor():
    # rural drive threshold 30 − 3 = 27 ambulance minutes; 36 ordinary minutes ÷ factor 1.5 = 24 ≤ 27
    inst = make([100], [[36.0]], ["thc"], amb_ord=[1], speed_factor=1.5)
    cfg = only("ambulance", busy_fraction=0.2)
    assert baseline(inst, cfg).demand_coverage.loc["d0", "ambulance_single_before"] == 1.0
    slow = make([100], [[36.0]], ["thc"], amb_ord=[1], speed_factor=1.0)
    assert baseline(slow, cfg).demand_coverage.loc["d0", "ambulance_single_before"] == 0.0


def test_hard_fleet_ratio_and_np_share_hold():
    # urban 60,000 → 2 vehicles, rural 25,000 → 2.5: ⌈4.5⌉ = 5 vehicles, of which ≥ 40 % negative-pressure
    inst = make([60_000, 25_000], [[5.0, 20.0], [20.0, 5.0]], ["county_hospital", "thc"], urban=[True, False],
                amb_ord=[1, 0], station_capacity=[10, 10])
    cfg = only("ambulance", budget=10_000, busy_fraction=0.2, fleet=HARD, np_share_rule=HARD)
    plan = optimize(inst, cfg)
    after = plan.after_stock
    fleet = int(after["amb_ord"].sum() + after["amb_np"].sum())
    assert fleet >= 5
    assert after["amb_np"].sum() >= 0.4 * fleet - 1e-9
    std = plan.standards.set_index("name")
    assert std.loc["amb_fleet_ratio", "required"] == 5 and bool(std.loc["amb_fleet_ratio", "met"])
    assert bool(std.loc["amb_np_share", "met"])


def test_soft_fleet_shortfall_is_reported_in_vehicles():
    inst = make([100_000], [[5.0]], ["thc"], amb_ord=[1], station_capacity=[20])
    cfg = only("ambulance", budget=50, busy_fraction=0.2, np_share_rule=OFFR)  # 2 more vehicles of 10 needed
    plan = optimize(inst, cfg)
    std = plan.standards.set_index("name").loc["amb_fleet_ratio"]
    assert std["required"] == 10 and std["planned"] == 3 and std["shortfall"] == 7 and not std["met"]
    assert plan.spent_wan <= 50


def test_one_ambulance_per_thc_hard():
    inst = make([100, 100], [[5.0, 50.0], [50.0, 5.0]], ["thc", "thc"], amb_ord=[1, 0])
    cfg = only("ambulance", budget=200, busy_fraction=0.2, one_per_thc=HARD, fleet=OFFR, np_share_rule=OFFR)
    plan = optimize(inst, cfg)
    assert (plan.after_stock["amb_ord"] + plan.after_stock["amb_np"] >= 1).all()
    assert bool(plan.standards.set_index("name").loc["amb_one_per_thc", "met"])


def test_derived_busy_fraction_is_flagged():
    inst = make([300_000], [[5.0]], ["thc"], amb_ord=[5], station_capacity=[40])
    plan = baseline(inst, only("ambulance"))
    # 300,000 × 30/1,000 calls × 60 min ÷ (30 vehicles required × 525,600 min) = 0.0342…
    assert plan.meta["q"] == pytest.approx(300_000 * 0.03 * 60 / (30 * 525_600))
    assert any("busy fraction" in a for a in [t.en for t in plan.assumptions])
    # reported coverage counts all five vehicles (1 − q⁵), not only the model's K = 3
    assert np.isclose(plan.demand_coverage.loc["d0", "ambulance_before"], 1 - plan.meta["q"] ** 5)


def test_greenfield_stations_only_where_the_scenario_allows_them():
    # a candidate (bus station) is the only site in reach: no station there unless greenfield_stations is on
    inst = make([5000], [[1.0], [50.0]], ["candidate", "thc"], station_capacity=[3, 3])
    cfg = only("ambulance", budget=1000, busy_fraction=0.2, fleet=OFFR, np_share_rule=OFFR)
    assert "s0" not in set(optimize(inst, cfg).items["site_id"])
    allowed = only("ambulance", budget=1000, busy_fraction=0.2, fleet=OFFR, np_share_rule=OFFR,
                   greenfield_stations=True)
    assert "s0" in set(optimize(inst, allowed).items["site_id"])


def test_negative_pressure_vehicles_go_to_fever_clinic_stations_first():
    # two identical stations (1 vehicle each, room for 2 more) reach the one village; the budget buys 4 new
    # vehicles and the 50 % share asks 3 of the 6 to be negative-pressure. Whichever way the solver splits them,
    # the plan puts them at the station with a fever clinic (s1) first, then at s0.
    inst = make([100_000], [[5.0], [5.0]], ["thc", "thc"], amb_ord=[1, 1], station_capacity=[3, 3],
                fever_clinic=[False, True])
    cfg = only("ambulance", budget=3 * 35 + 25, busy_fraction=0.5, coverage_depth=6, np_share=0.5, fleet=OFFR,
               np_share_rule=HARD)
    plan = optimize(inst, cfg)
    by_site = plan.items.set_index("site_id")
    assert plan.items["quantity"].sum() == 4 and plan.items["quantity_np"].sum() == 3
    assert by_site.loc["s1", "quantity_np"] == 2 and by_site.loc["s0", "quantity_np"] == 1


def test_a_station_is_opened_only_with_vehicles():
    # a free new station: without the row the solver may open it empty; no plan lists a station with 0 vehicles
    inst = make([1000], [[5.0], [5.0]], ["thc", "thc"], amb_ord=[1, 0], station_capacity=[3, 3])
    cfg = only("ambulance", budget=25, busy_fraction=0.5, fleet=OFFR, np_share_rule=OFFR, new_station_cost_wan=0)
    plan = optimize(inst, cfg)
    assert (plan.items["quantity"] > 0).all()


def _relaxation_value(inst, cfg) -> float:
    """The coverage stage's LP relaxation (every integer relaxed), in weighted persons."""
    import highspy
    import pulp

    from healthplan.optimizer.build import build_model
    from healthplan.optimizer.objective import stage_expression
    from healthplan.optimizer.prepare import prepare
    from healthplan.optimizer.solve import highs_model

    m = build_model(prepare(inst, cfg), "optimize")
    m.prob.sense = pulp.LpMaximize
    m.prob.setObjective(stage_expression(m, "coverage"))
    model = highs_model(m.prob)
    model.lp.integrality_ = []
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(model.lp)
    h.run()
    return model.sign * h.getInfo().objective_function_value + model.constant


@pytest.mark.parametrize("years", [1, 3])
def test_a_new_stations_coverage_needs_the_whole_station_in_the_relaxation(years, monkeypatch):
    # one village (1,000 persons) reached only from s0, which has no vehicles: covering it takes a 100万元
    # station and a 25万元 vehicle, and the budget is 60万元. No plan covers it; the relaxation used to buy a
    # vehicle with a third of a station (a ≤ 3·s): a = 1, s = 1/3 costs 58.3万元 and covers 1,000 × (1 − q) =
    # 500 (depth 1). With the opening row y ≤ s (and s ≤ a): 125s ≤ 60 → 0.48 × 500 = 240. In the
    # 3-year plan the budget comes in the first year, so the same fractions count in every year (weights sum to 1).
    from healthplan.optimizer.config import PhasingConfig
    from healthplan.optimizer.kinds import ambulance

    inst = make([1000], [[5.0]], ["thc"], amb_ord=[0], station_capacity=[3])
    cfg = only("ambulance", budget=60, busy_fraction=0.5, coverage_depth=1, fleet=OFFR, np_share_rule=OFFR)
    if years > 1:
        cfg = cfg.model_copy(update={"phasing": PhasingConfig(years=[2024, 2025, 2026], carry_over=True,
                                                              budgets_wan=[60.0, 0.0, 0.0])})
    assert _relaxation_value(inst, cfg) == pytest.approx(500.0, rel=1e-6)  # a model this small has no rows
    monkeypatch.setattr(ambulance, "OPEN_ROWS_MIN_GROUPS", 1)
    assert _relaxation_value(inst, cfg) == pytest.approx(500 * 60 / 125, rel=1e-6)
    plan = optimize(inst, cfg)
    assert plan.items.empty  # 125万元 does not fit in 60万元: the relaxation's 240 is a bound, not a plan
