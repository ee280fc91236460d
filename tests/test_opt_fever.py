"""Fever clinics and rooms: eligibility, mandates (hard/soft), coverage within the urban/rural access standard."""

import numpy as np
import pytest
from test_opt_helpers import make, only

from healthplan.optimizer import optimize
from healthplan.optimizer.config import StandardRule

HARD = StandardRule(mode="hard")


def three_centres():
    # hospital s0 (no clinic yet) reaches d0; rooms at s1 (thc) and s2 (chc) reach d1 and d2
    return make([1000, 2000, 3000], [[5, 60, 60], [60, 10, 60], [60, 60, 10]], ["county_hospital", "thc", "chc"],
                urban=[True, False, False])


def test_soft_room_mandate_shortfall_reported_when_budget_is_short():
    cfg = only("fever", budget=60, room_cost_wan=60)
    plan = optimize(three_centres(), cfg)
    std = plan.standards.set_index("name")
    # 60万元 buys one room: the bigger village (s2, 3,000 persons) — clinic 1,600 is out of reach
    assert plan.items["kind"].tolist() == ["fever_room"] and plan.items["site_id"].tolist() == ["s2"]
    assert std.loc["fever_room_mandate", "shortfall"] == 1 and not std.loc["fever_room_mandate", "met"]
    assert std.loc["fever_clinic_mandate", "shortfall"] == 1


def test_hard_mandates_are_all_built():
    cfg = only("fever", budget=2000, room_cost_wan=60, clinic_mandate=HARD, room_mandate=HARD)
    plan = optimize(three_centres(), cfg)
    got = plan.items.set_index("site_id")["kind"].to_dict()
    assert got == {"s0": "fever_clinic", "s1": "fever_room", "s2": "fever_room"}
    assert plan.spent_wan == pytest.approx(1600 + 120)
    assert plan.coverage_summary(three_centres().demand["population"])["fever"]["after"] == 6000


def test_urban_access_standard_is_shorter():
    # the same 20-minute trip covers a rural point (30 min standard) but not an urban one (15 min)
    inst = make([100, 100], [[20.0, 20.0]], ["thc"], urban=[True, False])
    plan = optimize(inst, only("fever", budget=100, room_cost_wan=50))
    assert plan.demand_coverage["fever_after"].tolist() == [0.0, 1.0]


def test_large_thc_may_get_a_clinic_and_counts_for_its_room():
    inst = make([50_000, 100], [[5.0, np.inf], [np.inf, 5.0]], ["thc", "thc"])
    cfg = only("fever", budget=1700, room_cost_wan=50, thc_clinic_population=40_000)
    plan = optimize(inst, cfg)
    kinds = plan.items.set_index("site_id")["kind"].to_dict()
    assert kinds["s0"] == "fever_clinic"  # mandated clinic at the large THC (soft, stage 1)
    std = plan.standards.set_index("name")
    assert std.loc["fever_clinic_mandate", "required"] == 1
    assert std.loc["fever_room_mandate", "planned"] == 2  # the clinic serves as s0's fever room


def test_unset_room_cost_uses_flagged_assumption():
    plan = optimize(three_centres(), only("fever", budget=100))
    assert plan.items["cost_wan"].tolist() == [50.0, 50.0]
    assert any("ASSUMPTION" in a and "Fever-room" in a for a in [t.en for t in plan.assumptions])
