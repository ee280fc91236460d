"""Milestones of the task (issue 13 §3): shares of what the plan adds, per standard with their own years, rounded
so an early year is not forced to the final count; the standards table of every plan year.

The optimum of phased plans with milestones is checked against brute force (tests/independent.py, which computes
the task from the empty plan's levels on its own).
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

import independent as ind
from healthplan.optimizer.config import PhasingConfig
from healthplan.optimizer.phasing import milestone_target
from test_correctness_bruteforce import check_optimum, feature_cfg, feature_instance

HARD = {"mode": "hard", "weight": 1.0}


@pytest.mark.parametrize(
    ("required", "existing", "share", "integer", "due"),
    [
        (2, 0, 0.6, True, 1),  # 1.2 → 1: the first year is not forced to both sub-centres (issue 13 §3)
        (2, 0, 0.8, True, 2),  # 1.6 → 2
        (2, 0, 0.5, True, 1),  # 1.0 exactly
        (3, 0, 0.5, True, 1),  # 1.5 → 1: halves round down
        (8, 3, 0.6, True, 6),  # share of the task: 3 + 0.6 × 5 = 6, not 0.6 × 8 = 4.8
        (8, 3, 1.0, True, 8),
        (2.46, 0, 1.0, True, 3),  # the final year asks the whole requirement, rounded up
        (5, 7, 0.6, True, 5),  # already met: nothing more
        (0.9, 0.5, 0.5, False, 0.7),  # a share: 0.5 + 0.5 × 0.4
    ],
)
def test_milestone_target_is_a_share_of_the_task(required, existing, share, integer, due):
    assert milestone_target(required, existing, share, integer) == pytest.approx(due)


@pytest.mark.parametrize("bad", [[0.8, 0.6, 1.0], [0.6, 0.8, 0.9], [0.6, 1.2, 1.0]])
def test_milestones_must_grow_to_one(bad):
    with pytest.raises(ValidationError, match="never decrease|end with 1"):
        PhasingConfig(years=[2024, 2025, 2026], milestones=bad)
    with pytest.raises(ValidationError, match="milestones_by_standard"):
        PhasingConfig(years=[2024, 2025, 2026], milestones_by_standard={"fever_room_mandate": bad})
    with pytest.raises(ValidationError, match="3 year"):
        PhasingConfig(years=[2024, 2025, 2026], milestones_by_standard={"fever_room_mandate": [0.5, 1.0]})


def _phased(years, **phasing):
    return feature_cfg(
        amb={"enabled": False},
        fever={"room_mandate": HARD, "room_cost_wan": 60.0},
        blood={"enabled": False},
        phasing=PhasingConfig(years=years, budgets_wan=[400.0] * len(years), **phasing),
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("own", [False, True])
def test_phased_milestones_reach_the_brute_force_optimum(opt, make_random_instance, seed, own):
    """Four THCs must get a fever room; two years, half of the task in the first (globally or per standard)."""
    inst = feature_instance(make_random_instance, seed)
    # two THCs already have a room: the task is 2 of the 4, half of it (1 room) is due in the first year; half
    # of the whole level (2 rooms) would ask nothing, and year weights 0, 1 would then defer every room
    inst.sites.loc[["s03", "s04"], "fever_room"] = True
    ms = ({"milestones_by_standard": {"fever_room_mandate": [0.5, 1.0]}} if own else {"milestones": [0.5, 1.0]})
    cfg = _phased([2025, 2026], year_weights=[0.0, 1.0], **ms)
    plan, prep, m, best = check_optimum(opt, inst, cfg)
    by_year = plan.meta["standards_by_year"]
    rooms = [r for r in by_year if r["name"] == "fever_room_mandate"]
    assert [r["year"] for r in rooms] == [2025, 2026]
    first, last = rooms
    assert first["existing"] == last["existing"] == 2
    assert first["required"] == 3  # today's 2 + half of the task of 2
    assert last["required"] == 4
    assert first["planned"] >= 3 and last["planned"] == 4 and first["met"] and last["met"]
    # the final year's record is the plan's standards table
    row = plan.standards.set_index("name").loc["fever_room_mandate"]
    assert (last["planned"], last["required"], last["met"]) == (row["planned"], row["required"], bool(row["met"]))


def test_the_first_milestone_binds_on_the_task(opt, make_random_instance):
    """No money in the first year: half of the task (one room) cannot be done, so the plan is infeasible and the
    explanation names the standard; with the room standard due only at the end the same budgets suffice."""
    from healthplan.optimizer.errors import InfeasibleError
    from healthplan.optimizer.status import Status

    inst = feature_instance(make_random_instance, 0)
    inst.sites.loc[["s03", "s04"], "fever_room"] = True
    cfg = _phased([2025, 2026], milestones=[0.5, 1.0])
    cfg = cfg.model_copy(update={"phasing": cfg.phasing.model_copy(update={"budgets_wan": [0.0, 400.0]})})
    with pytest.raises(InfeasibleError, match="fever_room_mandate"):
        opt.optimize(inst, cfg)
    later = cfg.model_copy(update={"phasing": cfg.phasing.model_copy(
        update={"milestones_by_standard": {"fever_room_mandate": [0.0, 1.0]}})})
    assert opt.optimize(inst, later).solve.status == Status.OPTIMAL


def test_a_standard_due_only_at_the_end_is_not_checked_earlier(opt, make_random_instance):
    inst = feature_instance(make_random_instance, 0)
    cfg = _phased([2025, 2026, 2027], milestones=[0.6, 0.8, 1.0],
                  milestones_by_standard={"fever_room_mandate": [0.0, 0.0, 1.0]})
    plan = opt.optimize(inst, cfg)
    rows = [r for r in plan.meta["standards_by_year"] if r["name"] == "fever_room_mandate"]
    assert [r["required"] for r in rows[:2]] == [None, None] and [r["met"] for r in rows[:2]] == [None, None]
    assert rows[2]["required"] == 4 and rows[2]["met"]
    planned = [r["planned"] for r in rows]
    assert planned == sorted(planned)  # stock only grows


def test_milestones_for_an_unknown_standard_are_named(opt, make_random_instance):
    from healthplan.geodata.errors import InputError

    inst = feature_instance(make_random_instance, 0)
    cfg = _phased([2025, 2026], milestones_by_standard={"fever_rooms": [0.5, 1.0]})
    with pytest.raises(InputError) as err:
        opt.optimize(inst, cfg)
    text = str(err.value)
    assert "fever_rooms" in text and "fever_room_mandate" in text and "milestones_by_standard" in text


def test_single_year_plan_has_one_record_per_standard(opt, make_random_instance):
    inst = feature_instance(make_random_instance, 1)
    cfg = feature_cfg(fever={"room_mandate": HARD})
    plan = opt.optimize(inst, cfg)
    recs = plan.meta["standards_by_year"]
    assert len(recs) == len(plan.standards) and {r["year"] for r in recs} == {cfg.plan_year}
    table = plan.standards.set_index("name")
    for r in recs:
        assert r["planned"] == pytest.approx(float(table.loc[r["name"], "planned"]), abs=1e-6)


def test_independent_task_share_differs_from_share_of_the_whole():
    """The evaluator's own rule: 8 required, 3 today, 60 % → 6 (the whole's 60 % would be 4.8 → 5)."""
    assert float(ind._due(0.6, 8, np.array(3.0), True)) == 6
    assert float(ind._due(0.6, 2, np.array(0.0), True)) == 1


def test_count_shortfalls_are_whole_and_keep_the_optimum():
    """A soft count standard's shortfall is declared integer (scaled by the least d that makes its row whole, e.g.
    d = 5 for a 40 % negative-pressure share); the shortfall stage's optimum equals the one with every σ
    continuous, on the phased demo with milestones (the solver's tighter bound is the point, not a new answer)."""
    import pulp

    from healthplan.optimizer.build import build_model
    from healthplan.optimizer.objective import stage_expression
    from healthplan.optimizer.prepare import prepare
    from healthplan.optimizer.solve import solve
    from healthplan.scenarios.runner import prepare_instance
    from healthplan.scenarios.schema import load_scenario
    from pathlib import Path

    scen = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "demo-phased-2024-2026.yaml")
    inst, cfg = prepare_instance(scen), scen.optimizer_config()
    m = build_model(prepare(inst, cfg), "optimize")
    sigma = {v.name: (v, c) for v, c in m.shortfall}
    whole = {n for n, (v, _) in sigma.items() if v.cat == pulp.LpInteger}
    assert any(n.startswith("short_amb_np_share_") for n in whole)  # the 40 % share, scaled by 5
    np_v, np_c = sigma["short_amb_np_share_2"]
    assert np_c == pytest.approx(cfg.resources.ambulance.np_share_rule.weight / 5)
    assert not any("full_coverage" in n for n in whole)  # persons over continuous covering variables stay real
    objective = stage_expression(m, "shortfall")
    m.prob.sense = pulp.LpMinimize
    m.prob.setObjective(objective)
    with_whole = solve(m.prob, cfg.solver, 120.0)
    for v, _ in m.shortfall:
        v.cat = pulp.LpContinuous
    m.prob.setObjective(objective)
    with_real = solve(m.prob, cfg.solver, 120.0)
    assert with_whole.objective == pytest.approx(with_real.objective, rel=1e-9, abs=1e-9)
