"""Standards: hard ones hold in every feasible plan, soft ones report shortfalls, equity floors per township."""

import numpy as np
import pytest
from test_opt_helpers import make, only, random_case

from healthplan.optimizer import optimize
from healthplan.optimizer.config import EquityConfig, FeverConfig, OptimizerConfig, ResourcesConfig, StandardRule

HARD = StandardRule(mode="hard")


@pytest.mark.parametrize("seed", [5, 6])
def test_hard_standards_hold_in_a_feasible_plan(seed):
    inst = random_case(seed)
    res = ResourcesConfig(
        ambulance={"fleet": HARD, "np_share_rule": HARD, "busy_fraction": 0.2},
        fever=FeverConfig(room_cost_wan=60, room_mandate=HARD),
        blood={"unit_cost_wan": 80, "min_points_rule": HARD, "min_points": 2},
        subcentre={"enabled": False},
    )
    plan = optimize(inst, OptimizerConfig(resources=res, budget_wan=50_000))
    std = plan.standards.set_index("name")
    for name in ("amb_fleet_ratio", "amb_np_share", "fever_room_mandate", "blood_min_points"):
        assert bool(std.loc[name, "met"]), name
    # recompute from the stock alone
    s = plan.after_stock
    fleet = s["amb_ord"].sum() + s["amb_np"].sum()
    assert s["amb_np"].sum() >= 0.4 * fleet - 1e-9 and s["blood_point"].sum() >= 2
    rooms = s["level"].isin(["central_thc", "thc", "chc"])
    assert (s.loc[rooms, "fever_room"] | s.loc[rooms, "fever_clinic"]).all()


def test_soft_weights_decide_which_standard_gives_way():
    # budget for one of: fever room (50) or blood point (50); the heavier soft standard wins
    inst = make([100, 100], [[5, 60], [60, 5]], ["thc", "candidate"])
    res = {"ambulance": {"enabled": False}, "subcentre": {"enabled": False},
           "fever": FeverConfig(room_cost_wan=50, clinic_mandate=StandardRule(mode="off"),
                                room_mandate=StandardRule(weight=1.0)),
           "blood": {"unit_cost_wan": 50, "candidates": ["s1"], "min_points_rule": StandardRule(weight=3.0)}}
    plan = optimize(inst, OptimizerConfig(resources=ResourcesConfig(**res), budget_wan=50))
    assert plan.items["kind"].tolist() == ["blood"]


def test_equity_floor_lifts_the_worst_township():
    # T1: d0 (10,000, only s0 reaches it, no room) and d3 (10,000, covered by s3's room) → share 0.5 already;
    # T2: d1, d2 (1,000 each, from s1 / s2). One room fits: coverage alone picks s0, the floor θ = 0.5 picks s1.
    m = [[5, 60, 60, 60], [60, 5, 60, 60], [60, 60, 5, 60], [60, 60, 60, 5]]
    inst = make([10_000, 1_000, 1_000, 10_000], m, ["thc", "thc", "chc", "thc"],
                township=["T1", "T2", "T2", "T1"], fever_room=[False, False, False, True])
    off = StandardRule(mode="off")
    base = only("fever", budget=50, room_cost_wan=50, room_mandate=off, clinic_mandate=off)
    assert optimize(inst, base).items["site_id"].tolist() == ["s0"]
    eq = EquityConfig(theta=0.5, kinds=["fever"], rule=HARD)
    plan = optimize(inst, base.model_copy(update={"equity": eq}))
    assert plan.items["site_id"].tolist() == ["s1"]
    t2 = plan.township_coverage.loc["T2"]
    assert t2["fever_after"] / t2["population"] == pytest.approx(0.5)
    row = plan.standards.set_index("name").loc["equity_fever"]
    assert row["required"] == 0.5 and row["existing"] == 0.0 and row["planned"] == pytest.approx(0.5)
    assert bool(row["met"])


def test_standards_table_columns_and_sources():
    plan = optimize(random_case(7), OptimizerConfig(
        resources=ResourcesConfig(fever={"room_cost_wan": 60}, blood={"unit_cost_wan": 80}), budget_wan=500))
    assert list(plan.standards.columns[:8]) == ["name", "required", "existing", "planned", "shortfall", "met",
                                                "mode", "source"]
    assert plan.standards["source"].str.len().min() > 10
    assert np.all(plan.standards["shortfall"] >= 0)
