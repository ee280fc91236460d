"""Budget rows capped by the least spend of the rest (optimizer.budget_caps).

A hand-made model whose every plan is enumerated here: the least spend the caps use must be the true least, each
cap must keep every plan and be met with equality by the plan that buys most of its family, and the summed model
must merge exactly the sites that are interchangeable.
"""

from __future__ import annotations

import itertools
import math

import pulp
import pytest

from healthplan.optimizer import objective
from healthplan.optimizer.budget_caps import CAP_PREFIX, _common_unit, add_budget_caps, remove_budget_caps
from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.model import Model
from healthplan.optimizer.solve import constraints_of

SOLVER = SolverConfig()
COST = {"amb": 25.0, "station": 100.0, "blood": 80.0, "room": 60.0}
BUDGET = 700.0


def small_model(budget: float = BUDGET) -> Model:
    """Vehicles at four sites (two need a station, 2 vehicles each at most), five blood points, three fever
    rooms; standards "7 vehicles" and "3 rooms" with at most 1 unit short in all; site 0 must have a vehicle
    (a row through a column that cannot be fixed); blood points cover persons (columns fixed at 0 for the least
    spend); one capital budget and a blood earmark."""
    prob = pulp.LpProblem("caps", pulp.LpMaximize)
    m = Model(prob=prob, data=None, mode="optimize")  # type: ignore[arg-type]
    amb = {(s, 0): m.var(f"amb_{s}_0", 0, 2, cat=pulp.LpInteger) for s in range(4)}
    station = {(s, 0): m.var(f"station_{s}_0", 0, 1, cat=pulp.LpBinary) for s in (2, 3)}
    blood = {(s, 0): m.var(f"blood_{s}_0", 0, 1, cat=pulp.LpBinary) for s in range(5)}
    room = {(s, 0): m.var(f"room_{s}_0", 0, 1, cat=pulp.LpBinary) for s in range(3)}
    m.x = {"amb": amb, "station": station, "blood": blood, "room": room}
    for s in (2, 3):
        m.add(amb[s, 0] <= 2 * station[s, 0], f"station_{s}")
        m.add(station[s, 0] <= amb[s, 0], f"station_used_{s}")
    short_amb, short_room = m.var("short_amb", 0), m.var("short_room", 0)
    m.add(pulp.lpSum(amb.values()) + short_amb >= 7, "std_amb")
    m.add(pulp.lpSum(room.values()) + short_room >= 3, "std_room")
    m.add(short_amb + short_room <= 1, "hold_shortfall")
    served = m.var("served", 0, 1)
    m.add(served <= amb[0, 0], "served_by_0")
    m.add(served >= 1, "served")
    cov = [m.var(f"cov_{s}", 0, 1) for s in range(5)]
    for s in range(5):
        m.add(cov[s] <= blood[s, 0], f"cover_{s}")
    prob.setObjective(pulp.lpSum((s + 1) * c for s, c in enumerate(cov)))
    for fam, units in m.x.items():
        for v in units.values():
            m.add_cost(fam, 0, v, COST[fam])
    m.add(pulp.lpSum(c * v for v, c in m.cost) <= budget, "budget_total")
    m.add(pulp.lpSum(80 * v for v in blood.values()) <= 320, "budget_earmark_blood")
    return m


def every_plan(budget: float = BUDGET) -> list[dict[str, int]]:
    """Units per family of every plan of :func:`small_model` (a station wherever a station site has a vehicle:
    the rows force it)."""
    plans = []
    for amb in itertools.product(range(3), repeat=4):
        if amb[0] < 1:
            continue
        stations = sum(1 for s in (2, 3) if amb[s] > 0)
        for blood in range(6):
            for room in range(4):
                if max(0, 7 - sum(amb)) + max(0, 3 - room) > 1 or 80 * blood > 320:
                    continue
                units = {"amb": sum(amb), "station": stations, "blood": blood, "room": room}
                if sum(COST[f] * n for f, n in units.items()) <= budget:
                    plans.append(units)
    return plans


def test_each_cap_uses_the_true_least_spend_keeps_every_plan_and_is_tight():
    m = small_model()
    caps = add_budget_caps(m, SOLVER, 30.0)
    plans = every_plan()
    assert plans
    rows = {c.name: c for c in constraints_of(m.prob) if c.name.startswith(CAP_PREFIX)}
    assert set(rows) == set(caps.rows)
    # blood: the rest costs at least 430 (6 vehicles, one station, 3 rooms), so 270 of 700 are left: 3 points
    assert "budget_cap_blood_total" in rows
    for name, least in caps.rows.items():
        fam = name[len(CAP_PREFIX):-len("_total")]
        true_least = min(sum(COST[f] * n for f, n in p.items() if f != fam) for p in plans)
        assert least == pytest.approx(true_least)
        row = rows[name]
        g = COST[fam] / next(iter(row.values()))
        most = max(p[fam] for p in plans)
        cap = -row.constant  # PuLP keeps the right-hand side as a constant on the left
        assert most * COST[fam] / g <= cap + 1e-9  # no plan is cut off
        assert cap == math.floor((BUDGET - true_least) / g)
    assert caps.rows["budget_cap_blood_total"] == pytest.approx(430.0)
    assert -rows["budget_cap_blood_total"].constant == 3 == max(p["blood"] for p in plans)
    # the earmark holds blood alone: nothing to take from the rest
    assert not any(n.endswith("earmark_blood") for n in caps.rows)
    # classes: vehicles at site 0 (it must serve), at site 1, at a station site (2 and 3 summed), blood, rooms
    assert caps.classes == 5
    assert caps.columns == 4 + 2 + 5 + 3


def test_the_stage_optimum_is_the_same_with_and_without_the_caps():
    values = []
    for with_caps in (False, True):
        m = small_model()
        if with_caps:
            assert add_budget_caps(m, SOLVER, 30.0).rows  # (after PuLP's own HiGHS run: its thread scheduler)
        m.prob.solve(pulp.HiGHS(msg=False) if hasattr(pulp, "HiGHS") else pulp.PULP_CBC_CMD(msg=False))
        values.append(pulp.value(m.prob.objective))
    # brute force: blood points at the most valuable sites, as many as money and the earmark allow
    best = max(sum(range(5, 5 - p["blood"], -1)) for p in every_plan())
    assert values == [pytest.approx(best)] * 2


@pytest.mark.parametrize("need, budget", [(3, 21.0), (2, 16.0)])
def test_sites_of_different_cost_are_not_summed_under_a_budget_every_plan_meets(need, budget):
    """Two vehicle sites of different cost (a site's own unit cost) and a budget no plan can exceed: the budget row
    stays in the summed model, so the sites stay apart and the least spend is the true one (11 or 1, not the
    dearer site's price for both); the blood point stays affordable (with the sites summed: a cap of 0, or −1
    and no plan at all)."""
    for with_caps in (False, True):
        prob = pulp.LpProblem("sites", pulp.LpMaximize)
        m = Model(prob=prob, data=None, mode="optimize")  # type: ignore[arg-type]
        amb = {(s, 0): m.var(f"amb_{s}_0", 0, 1, cat=pulp.LpInteger) for s in (0, 1)}
        blood = {(0, 0): m.var("blood_0_0", 0, 1, cat=pulp.LpInteger)}
        m.x = {"amb": amb, "blood": blood}
        m.add(2 * amb[0, 0] + 2 * amb[1, 0] >= need, "std_amb")
        m.add(10 * amb[0, 0] + amb[1, 0] + 5 * blood[0, 0] <= budget, "budget_total")
        prob.setObjective(blood[0, 0] + 0.0)
        if with_caps:
            caps = add_budget_caps(m, SOLVER, 30.0)
            assert caps.classes == 3
        prob.solve(pulp.HiGHS(msg=False) if hasattr(pulp, "HiGHS") else pulp.PULP_CBC_CMD(msg=False))
        assert pulp.LpStatus[prob.status] == "Optimal"
        assert pulp.value(prob.objective) == pytest.approx(1.0)


def test_caps_are_replaced_not_stacked_and_removed():
    m = small_model()
    add_budget_caps(m, SOLVER, 30.0)
    first = {c.name for c in constraints_of(m.prob) if c.name.startswith(CAP_PREFIX)}
    add_budget_caps(m, SOLVER, 30.0)
    again = [c.name for c in constraints_of(m.prob) if c.name.startswith(CAP_PREFIX)]
    assert sorted(again) == sorted(first)
    remove_budget_caps(m)
    assert not any(c.name.startswith(CAP_PREFIX) for c in constraints_of(m.prob))


def test_a_large_model_keeps_only_caps_that_cut_a_whole_unit():
    """The blood cap takes 0.375 of a point off the relaxation (it allows 270 / 80 = 3.375, the cap 3): kept for a
    model HiGHS searches itself, left out where the stage starts from an interior-point relaxation."""
    assert "budget_cap_blood_total" in add_budget_caps(small_model(), SOLVER, 30.0).rows
    assert "budget_cap_blood_total" not in add_budget_caps(small_model(), SOLVER, 30.0, large=True).rows


def test_no_time_no_caps_and_a_budget_that_is_not_a_cap_is_left_alone():
    assert add_budget_caps(small_model(), SOLVER, 0.0).rows == {}
    m = small_model(budget=10_000.0)  # money for everything: no family can be capped below what it can buy
    assert add_budget_caps(m, SOLVER, 30.0).rows == {}


@pytest.mark.parametrize("costs, unit", [((25.0, 35.0, 100.0), 5.0), ((1.5, 2.5), 0.5), ((0.1, 0.25), 0.05),
                                         ((80.0,), 80.0), ((math.pi,), None)])
def test_common_unit(costs, unit):
    import numpy as np

    got = _common_unit(np.array(costs))
    assert got == (pytest.approx(unit) if unit is not None else None)


def test_the_3_year_demo_has_the_same_optimum_with_and_without_the_caps():
    """The caps remove no plan: every stage's optimum of the 3-year demo is the same either way (each proven)."""
    from pathlib import Path

    from healthplan.optimizer.build import build_model
    from healthplan.optimizer.prepare import prepare
    from healthplan.optimizer.status import Status
    from healthplan.scenarios.runner import prepare_instance
    from healthplan.scenarios.schema import load_scenario

    scen = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "demo-phased-2024-2026.yaml")
    inst, cfg = prepare_instance(scen), scen.optimizer_config()
    stages = {}
    for on in (False, True):
        c = cfg.model_copy(update={"objective": cfg.objective.model_copy(update={"budget_caps": on})})
        results = dict(objective.solve_stages(build_model(prepare(inst, c), "optimize")))
        assert all(r.status is Status.OPTIMAL for r in results.values())
        stages[on] = {name: r.objective for name, r in results.items()}
        if on:  # the coverage stage says what it added
            assert "budget rows capped by the least spend of the rest" in results["coverage"].message
    assert stages[True] == pytest.approx(stages[False], rel=1e-6)


def test_a_budget_of_one_family_is_not_read(monkeypatch):
    """A single-kind model (an MCLP's p as a budget of one family) has nothing to cap: no model read, no rows."""
    import healthplan.optimizer.budget_caps as budget_caps

    m = small_model()
    m.x = {"amb": {**m.x["amb"], **m.x["station"], **m.x["blood"], **m.x["room"]}}
    monkeypatch.setattr(budget_caps, "highs_model", lambda prob: pytest.fail("the model was read"))
    assert add_budget_caps(m, SOLVER, 30.0).rows == {}


@pytest.mark.parametrize("held_total", [True, False])
def test_a_shortfall_held_as_a_total_is_capped_group_by_group(monkeypatch, held_total):
    """Σ w σ ≤ S held as a total (standards of weight 1 and 2 in the same year, two groups): each group's share
    is at most S less the least the other group can have. Every cap is checked against the enumerated plans
    (every cap kept here, whatever it cuts); with the groups held (``held_total=False``) none is made."""
    import healthplan.optimizer.budget_caps as budget_caps

    monkeypatch.setattr(budget_caps, "CUT_UNITS", -1e9)
    prob = pulp.LpProblem("held", pulp.LpMaximize)
    m = Model(prob=prob, data=None, mode="optimize")  # type: ignore[arg-type]
    amb = {(s, 0): m.var(f"amb_{s}_0", 0, 1, cat=pulp.LpBinary) for s in range(3)}
    room = {(s, 0): m.var(f"room_{s}_0", 0, 1, cat=pulp.LpBinary) for s in range(3)}
    m.x = {"amb": amb, "room": room}
    s_amb, s_room = m.var("short_amb_0", 0, cat=pulp.LpInteger), m.var("short_room_0", 0, cat=pulp.LpInteger)
    m.term_year = {s_amb.name: 0, s_room.name: 0}
    m.add(pulp.lpSum(amb.values()) + s_amb >= 3, "std_amb")
    m.add(pulp.lpSum(room.values()) + s_room >= 3, "std_room")
    m.add(s_amb + 2 * s_room <= 3, "hold_shortfall")
    m.add(2 * pulp.lpSum(amb.values()) + pulp.lpSum(room.values()) <= 5, "budget_total")
    prob.setObjective(pulp.lpSum(amb.values()) + pulp.lpSum(room.values()))
    caps = add_budget_caps(m, SOLVER, 30.0, held_total=held_total)
    made = {n: c for n, c in ((c.name, c) for c in constraints_of(m.prob)) if n.startswith(CAP_PREFIX + "hold")}
    if not held_total:
        assert not made
        return
    plans = [(a, r, sa, sr) for a in range(4) for r in range(4) for sa in range(4) for sr in range(4)
             if a + sa >= 3 and r + sr >= 3 and sa + 2 * sr <= 3 and 2 * a + r <= 5]
    assert plans
    least_amb = min(sa for _, _, sa, _ in plans)  # 2: one vehicle (2) and three rooms (3) spend the 5
    least_room = min(2 * sr for _, _, _, sr in plans)  # 0: three rooms and one vehicle
    assert set(made) <= {"budget_cap_hold_shortfall_group_0", "budget_cap_hold_shortfall_group_1"}
    assert caps.rows["budget_cap_hold_shortfall_group_1"] == pytest.approx(least_amb)
    row = made["budget_cap_hold_shortfall_group_1"]  # the weight-2 term: 2 σ_room ≤ 3 − 2, i.e. σ_room ≤ 0
    assert list(row.values()) == [1.0]  # in whole units of 2
    units = -row.constant
    assert units == math.floor((3 - least_amb) / 2) == 0
    assert all(sr <= units for *_, sr in plans)  # no plan cut off
    assert max(sr for *_, sr in plans) == units  # and met by one
    if "budget_cap_hold_shortfall_group_0" in made:
        assert caps.rows["budget_cap_hold_shortfall_group_0"] == pytest.approx(least_room)
