"""Phasing: per-year budgets (with/without carry-over), cumulative stock, milestones, earlier years count more."""

import pytest
from test_opt_helpers import make, only

from healthplan.optimizer import optimize
from healthplan.optimizer.config import PhasingConfig, StandardRule
from healthplan.optimizer.phasing import milestone_factors, year_weights

OFFR = StandardRule(mode="off")


def three_villages():
    # three blood candidates, each covering one village of 3,000 / 2,000 / 1,000 persons
    return make([3000, 2000, 1000], [[5, 99, 99], [99, 5, 99], [99, 99, 5]], ["candidate"] * 3)


def cfg(**phasing):
    return only("blood", unit_cost_wan=100, min_points_rule=OFFR).model_copy(
        update={"phasing": PhasingConfig(years=[2024, 2025], **phasing)})


def test_year_budgets_without_carry_over():
    plan = optimize(three_villages(), cfg(budgets_wan=[100, 100]))
    by_year = plan.items.set_index("site_id")["year"].to_dict()
    # one point a year; the bigger village first (earlier coverage counts more)
    assert by_year == {"s0": 2024, "s1": 2025}
    assert plan.spend.loc["blood"].tolist() == [100.0, 100.0]


def test_carry_over_lets_money_wait():
    plan = optimize(three_villages(), cfg(budgets_wan=[0, 200], carry_over=True))
    assert sorted(plan.items["year"]) == [2025, 2025]
    plan2 = optimize(three_villages(), cfg(budgets_wan=[200, 0], carry_over=True))
    assert sorted(plan2.items["year"]) == [2024, 2024]  # spent early: unspent money carries forward, not back


def test_stock_is_cumulative_and_built_once():
    plan = optimize(three_villages(), cfg(budgets_wan=[300, 300]))
    assert len(plan.items) == 3 and plan.items["site_id"].is_unique
    assert set(plan.items["year"]) == {2024}  # everything in year one: coverage then counts twice
    assert plan.demand_coverage["blood_after"].tolist() == [1.0, 1.0, 1.0]


def test_milestones_force_progress_each_year():
    inst = make([1000, 1000, 1000, 1000], [[5, 99, 99, 99], [99, 5, 99, 99], [99, 99, 5, 99], [99, 99, 99, 5]],
                ["thc"] * 4)
    c = only("fever", room_cost_wan=10, room_mandate=StandardRule(mode="hard"), weight=0.0).model_copy(
        update={"phasing": PhasingConfig(years=[2024, 2025], budgets_wan=[100, 100], milestones=[0.5, 1.0],
                                         year_weights=[0.0, 1.0])})
    plan = optimize(inst, c)
    per_year = plan.items.groupby("year").size().to_dict()
    assert per_year.get(2024, 0) >= 2 and sum(per_year.values()) == 4


def test_default_weights_and_milestones():
    assert year_weights(cfg(), 3) == pytest.approx((3 / 6, 2 / 6, 1 / 6))
    assert milestone_factors(cfg(), 3) == (0.0, 0.0, 1.0)
