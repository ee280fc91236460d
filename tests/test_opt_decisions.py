"""Named decisions (issue 13 §1): must, never and committed, as the plans write them.

The Guang'an-style run (seed 003: 「按照二级综合医院标准规划建设医疗卫生次中心5个，分别是花桥、石笋、悦来、恒升、协兴中心
卫生院」) names five centres; the optimizer must upgrade exactly those five and optimise the rest, which is checked
against the same county with the five centres already upgraded and their money taken out of the budget.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthplan.geodata.errors import InputError
from healthplan.optimizer.decisions import Decision
from healthplan.optimizer.errors import InfeasibleError
from healthplan.optimizer.status import Status
from test_correctness_bruteforce import make_cfg

SUB_COST = 300.0  # 万元 per upgrade in these tests
ROOM_COST = 60.0
NAMED = ["c1", "c3", "c5", "c7", "c9"]  # 花桥、石笋、悦来、恒升、协兴 in the seed; here five of ten central THCs


def county(make_instance):
    """Ten central THCs on a line and one county hospital far away; 20 villages.

    Villages near the named (odd) centres are small, near the others large: left alone, the optimizer upgrades
    the even centres, so the named five are a real constraint.
    """
    n_c, n_d = 10, 20
    sites = pd.DataFrame({"level": ["central_thc"] * n_c + ["county_hospital"],
                          "beds": [60] * n_c + [500]},
                         index=pd.Index([f"c{j}" for j in range(n_c)] + ["H"]))
    pos_c = np.arange(n_c) * 30.0
    pos_d = np.repeat(pos_c, 2) + np.tile([-3.0, 3.0], n_c)
    minutes = np.abs(pos_c[:, None] - pos_d[None, :])
    minutes = np.vstack([minutes, np.full((1, n_d), 200.0)])
    pop = np.where(np.repeat(np.arange(n_c), 2) % 2 == 1, 2_000, 9_000)
    demand = pd.DataFrame({"population": pop, "urban": False,
                           "township": [f"T{j // 2}" for j in range(n_d)]},
                          index=pd.Index([f"d{i:02d}" for i in range(n_d)]))
    return make_instance(demand, sites, minutes)


def cfg_for(budget, decisions=(), *, fever=True, **sub):
    return make_cfg(
        subcentre={"unit_cost_wan": SUB_COST, "access_minutes": 10.0, "bed_floor": None, **sub},
        fever=({"room_cost_wan": ROOM_COST, "room_levels": ["central_thc"], "access_minutes_rural": 10.0}
               if fever else None),
        budget_wan=budget, decisions=list(decisions),
    )


def upgraded(plan) -> set[str]:
    return set(plan.items.loc[plan.items["kind"] == "subcentre", "site_id"])


def test_five_named_centres_are_upgraded_and_the_rest_is_optimised(opt, make_instance):
    inst = county(make_instance)
    budget = 5 * SUB_COST + 3 * ROOM_COST
    free = opt.optimize(inst, cfg_for(budget))
    assert upgraded(free) and upgraded(free).isdisjoint(NAMED)  # unconstrained, other centres win: the decisions below bind
    must = [Decision(site=s, kind="subcentre", action="must") for s in NAMED]
    plan = opt.optimize(inst, cfg_for(budget, must))
    assert plan.solve.status == Status.OPTIMAL
    assert upgraded(plan) == set(NAMED)
    assert set(plan.items.loc[plan.items["kind"] == "subcentre", "origin"]) == {"must"}
    assert set(plan.items.loc[plan.items["kind"] != "subcentre", "origin"]) <= {"optimized"}
    # the rest is the optimum of the county with the five already upgraded and 5 × 300万元 spent
    pre = inst.sites.copy()
    pre.loc[NAMED, "subcentre"] = True
    inst_pre = make_instance(inst.demand, pre, _dense_minutes(inst))
    rest = opt.optimize(inst_pre, cfg_for(budget - 5 * SUB_COST))
    ours = plan.items[plan.items["kind"] != "subcentre"]
    assert sorted(ours["site_id"]) == sorted(rest.items["site_id"])
    assert plan.spent_wan == pytest.approx(5 * SUB_COST + rest.spent_wan)


def _dense_minutes(inst) -> np.ndarray:
    tt = inst.travel
    m = np.full((len(inst.sites), len(inst.demand)), np.inf)
    m[tt.site_idx, tt.demand_idx] = tt.minutes
    return m


def test_never_keeps_the_optimizers_choice_out(opt, make_instance):
    inst = county(make_instance)
    free = opt.optimize(inst, cfg_for(SUB_COST, fever=False))
    (first,) = upgraded(free)
    plan = opt.optimize(inst, cfg_for(SUB_COST, [Decision(site=first, kind="subcentre", action="never")],
                                      fever=False))
    assert len(upgraded(plan)) == 1 and first not in upgraded(plan)
    gain = plan.coverage_summary(inst.demand["population"])["secondary"]["after"]
    assert gain <= free.coverage_summary(inst.demand["population"])["secondary"]["after"]


def test_committed_project_is_fixed_counted_and_not_charged(opt, make_instance):
    inst = county(make_instance)
    com = Decision(site="c1", kind="subcentre", action="committed", cost_wan=450.0, funding="中央预算内投资")
    plan = opt.optimize(inst, cfg_for(SUB_COST, [com], fever=False))
    rows = plan.items.set_index("site_id")
    assert rows.loc["c1", "origin"] == "committed" and rows.loc["c1", "cost_wan"] == pytest.approx(450.0)
    assert plan.committed_wan == pytest.approx(450.0)
    assert plan.spent_wan <= SUB_COST + 1e-9  # the budget buys one more upgrade besides the committed one
    assert len(upgraded(plan)) == 2
    # coverage counts it: the villages of c1 are covered after the plan
    assert plan.demand_coverage.loc[["d02", "d03"], "secondary_after"].tolist() == [1.0, 1.0]


def test_a_must_the_budget_cannot_carry_is_explained(opt, make_instance):
    inst = county(make_instance)
    must = [Decision(site=s, kind="subcentre", action="must") for s in NAMED]
    with pytest.raises(InfeasibleError) as err:
        opt.optimize(inst, cfg_for(4 * SUB_COST, must))
    text = str(err.value)
    assert "1500" in text.replace(",", "")  # the least budget that carries the five decisions, 万元


def test_bad_decisions_are_all_listed_before_solving(opt, make_instance):
    inst = county(make_instance)
    bad = [Decision(site="nowhere", kind="subcentre", action="must"),
           Decision(site="c2", kind="helipad", action="must"),
           Decision(site="c4", kind="subcentre", action="must"),
           Decision(site="c4", kind="subcentre", action="never")]
    with pytest.raises(InputError) as err:
        opt.optimize(inst, cfg_for(SUB_COST, bad))
    text = str(err.value)
    assert "nowhere" in text and "helipad" in text and "already names" in text
