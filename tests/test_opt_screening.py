"""Infeasibility explained with numbers: which standard, how far short, and the least budget (computed)."""

import pytest
from test_opt_helpers import make, only

from healthplan.optimizer import InfeasibleError, min_budget, optimize
from healthplan.optimizer.config import StandardRule
from healthplan.optimizer.prepare import prepare
from healthplan.optimizer.screening import mandated_costs, screen

HARD = StandardRule(mode="hard")
OFFR = StandardRule(mode="off")


def rooms(n: int = 23):
    return make([100] * n, [[5.0] * n] * n, ["thc"] * n)


def test_mandated_rooms_over_budget_message_and_least_budget():
    cfg = only("fever", budget=800, room_cost_wan=50, room_mandate=HARD, clinic_mandate=OFFR)
    with pytest.raises(InfeasibleError) as err:
        optimize(rooms(), cfg)
    e = err.value
    assert "mandated fever rooms cost 1,150万元 > budget 800万元" in str(e)
    assert e.standard == "fever_room_mandate" and e.least_budget_wan == pytest.approx(1150)
    assert "least budget meeting every hard standard is 1,150万元" in str(e)


def test_mandated_costs_lower_bound_fleet_and_np():
    inst = make([100_000], [[5.0]], ["thc"], amb_ord=[2], station_capacity=[20])
    cfg = only("ambulance", busy_fraction=0.2, fleet=HARD, np_share_rule=HARD)
    costs = mandated_costs(prepare(inst, cfg))
    # 10 vehicles needed, 8 to buy; 40 % of 10 = 4 negative-pressure (35) + 4 ordinary (25)
    assert costs["amb_fleet_ratio"] == pytest.approx(4 * 35 + 4 * 25)


def test_structural_limit_has_no_budget():
    inst = make([100_000], [[5.0]], ["thc"], station_capacity=[3])
    cfg = only("ambulance", budget=10_000, busy_fraction=0.2, fleet=HARD, np_share_rule=OFFR)
    with pytest.raises(InfeasibleError, match="needs 10 vehicles but the eligible stations hold at most 3") as err:
        optimize(inst, cfg)
    assert err.value.least_budget_wan is None and err.value.achievable == 3


def test_solver_infeasible_is_explained_with_min_budget():
    # screening cannot see it (each hard rule alone fits) but yearly budgets without carry-over do not:
    from healthplan.optimizer.config import PhasingConfig

    cfg = only("fever", room_cost_wan=60, room_mandate=HARD, clinic_mandate=OFFR).model_copy(
        update={"phasing": PhasingConfig(years=[2024, 2025], budgets_wan=[100, 100], milestones=[1.0, 1.0])})
    with pytest.raises(InfeasibleError, match="least budget meeting every hard standard is 180万元") as err:
        optimize(rooms(3), cfg)
    assert err.value.least_budget_wan == pytest.approx(180)


def test_min_budget_out_of_reach_standard():
    # coverage target of 100 % where candidates reach everyone, but a hard equity floor in an unreachable township
    from healthplan.optimizer.config import EquityConfig

    inst = make([100, 100], [[5.0, float("inf")]], ["candidate"], township=["A", "B"])
    cfg = only("blood", unit_cost_wan=10).model_copy(
        update={"equity": EquityConfig(theta=0.5, kinds=["blood"], rule=HARD)})
    with pytest.raises(InfeasibleError, match="equity_blood_B cannot be met at any budget: short by 50"):
        min_budget(inst, cfg)


def test_screen_is_quiet_when_fine():
    assert screen(prepare(rooms(3), only("fever", budget=1000, room_cost_wan=50, room_mandate=HARD))) == []
