"""Sub-centres: eligibility rules, minimum spacing, target count, secondary-care coverage."""

import numpy as np
import pytest
from test_opt_helpers import make, only

from healthplan.optimizer import optimize
from healthplan.optimizer.config import StandardRule, SubcentreEligibility
from healthplan.optimizer.prepare import prepare

HARD = StandardRule(mode="hard")


def county():
    # s0 county hospital; s1, s2, s3 central THCs; d0 near s0, d1 near s1, d2 near s2 and s3
    m = [[5, 70, 90, 95], [70, 5, 80, 85], [90, 80, 5, 20], [95, 85, 15, 10]]
    return make([1000, 4000, 3000, 2000], m, ["county_hospital", "central_thc", "central_thc", "central_thc"],
                beds=[500, 60, 30, 80])


def test_secondary_coverage_and_target():
    cfg = only("subcentre", budget=3600, target_count=2, unit_cost_wan=1800, bed_floor=None)
    plan = optimize(county(), cfg)
    # s1 (4,000) + one of s2/s3 (both reach d2, d3 → 5,000); s2 covers d2 and d3 (5, 20 ≤ 60) as does s3
    assert len(plan.items) == 2 and "s1" in set(plan.items["site_id"])
    cov = plan.coverage_summary(county().demand["population"])["secondary"]
    assert cov["before"] == 1000 and cov["after"] == 10_000
    assert bool(plan.standards.set_index("name").loc["subcentre_target", "met"])


def test_min_beds_and_county_hospital_distance_rules():
    el = SubcentreEligibility(min_beds=50, min_minutes_from_county_hospital=80)
    data = prepare(county(), only("subcentre", eligibility=el))
    # s2 has 30 beds; s1 is 70 + 5 = 75 min from the county hospital via d1 (< 80); s3: min(95+10, 90+15…) ≥ 80
    assert data.kinds['subcentre'].eligible['subcentre'].tolist() == [False, False, False, True]


def test_min_population_rule():
    el = SubcentreEligibility(min_population=4500)
    data = prepare(county(), only("subcentre", eligibility=el, access_minutes=20))
    # within 20 min: s1 → d1 (4,000); s2 → d2 + d3 (5,000); s3 → d2 + d3 (5,000)
    assert data.kinds['subcentre'].eligible['subcentre'].tolist() == [False, False, True, True]


def test_min_spacing_allows_only_one_of_two_close_sites():
    # s2 and s3 are 15 min apart through d2 (5 + 15 = 20; through d3: 20 + 10 = 30) → spacing 25 forbids both
    cfg = only("subcentre", budget=5400, target_count=3, unit_cost_wan=1800, bed_floor=None, min_spacing_minutes=25)
    plan = optimize(county(), cfg)
    chosen = set(plan.items["site_id"])
    assert not {"s2", "s3"} <= chosen and len(chosen) == 2
    std = plan.standards.set_index("name").loc["subcentre_target"]
    assert std["shortfall"] == 1 and not std["met"]


def test_hard_target_beyond_eligible_sites_is_explained():
    from healthplan.optimizer import InfeasibleError

    cfg = only("subcentre", budget=10_000, target_count=4, target_rule=HARD, bed_floor=None)
    with pytest.raises(InfeasibleError, match="target of 4 sub-centres exceeds the 3 possible"):
        optimize(county(), cfg)


def test_access_time_objective_for_secondary_care():
    cfg = only("subcentre", budget=1800, unit_cost_wan=1800, bed_floor=None, objective="access_time", access_minutes=60)
    plan = optimize(county(), cfg)
    # one upgrade: s1 saves 4,000 × (70 − 5) = 260,000 person-minutes; s2 saves 3,000 × 85 + 2,000 × 75 = 405,000
    # (d2 from s0 90, from s2 5; d3 from s0 95, from s2 20); s3: 3,000 × 75 + 2,000 × 85 = 395,000 → s2
    assert plan.items["site_id"].tolist() == ["s2"]
    assert np.isfinite(plan.meta["secondary_mean_minutes"]["after"])


def exact_case(with_site_travel: bool):
    """s0 county hospital, s1 and s2 central THCs; d0 near s0, d1 near s1, d2 near s2.

    Through the best common village (the estimate) the county hospital is 75 min from s1 and 95 min from s2, and
    s1–s2 are 55 min apart. The computed site → site times are shorter (direct roads that pass no village) and
    one-way different: s0 → s2 55 min (s2 → s0 80), s2 → s1 40 min (s1 → s2 60).
    """
    from dataclasses import replace

    from healthplan.geodata.instance import TravelTimes

    inst = make([1000, 3000, 5000], [[5, 70, 90], [70, 5, 65], [90, 50, 5]],
                ["county_hospital", "central_thc", "central_thc"], beds=[500, 60, 60])
    if not with_site_travel:
        return inst
    st = np.array([[0, 72, 55], [72, 0, 60], [80, 40, 0]], dtype=float)  # rows from, columns to
    a, b = np.nonzero(np.isfinite(st))
    ids = inst.sites.index
    site_tt = TravelTimes.from_pairs(ids, ids, a, b, st[a, b], cutoff_minutes=inst.travel.cutoff_minutes,
                                     method="od")
    return replace(inst, site_travel=site_tt)


def test_minutes_from_the_county_hospital_are_exact_when_computed():
    el = SubcentreEligibility(min_minutes_from_county_hospital=60)
    cfg = only("subcentre", budget=1800, unit_cost_wan=1800, bed_floor=None, eligibility=el)
    # estimate: s1 75, s2 95 ≥ 60 → both eligible; s2 reaches d1 + d2 (8,000) within 60 min, s1 only d1 (3,000)
    est = optimize(exact_case(False), cfg)
    assert prepare(exact_case(False), cfg).kinds['subcentre'].eligible['subcentre'].tolist() == [False, True, True]
    assert est.items["site_id"].tolist() == ["s2"]
    assert any("best common demand point" in a and "county hospital" in a for a in est.assumptions)
    # exact: s0 → s2 is 55 min (< 60, driving from the hospital; the way back is 80) → only s1 is eligible
    exact = optimize(exact_case(True), cfg)
    assert prepare(exact_case(True), cfg).kinds['subcentre'].eligible['subcentre'].tolist() == [False, True, False]
    assert exact.items["site_id"].tolist() == ["s1"]
    assert not any("best common demand point" in a for a in exact.assumptions)


def test_min_spacing_uses_exact_site_to_site_minutes():
    cfg = only("subcentre", budget=3600, unit_cost_wan=1800, bed_floor=None, target_count=2, min_spacing_minutes=50)
    # estimate: s1–s2 55 min ≥ 50 → both upgraded
    est = optimize(exact_case(False), cfg)
    assert sorted(est.items["site_id"]) == ["s1", "s2"]
    assert any("sub-centre spacing" in a for a in est.assumptions)
    # exact: s2 → s1 is 40 min (s1 → s2 60; either direction counts) → only one, the one covering more (s2)
    data = prepare(exact_case(True), cfg)
    assert data.kinds['subcentre'].conflicts.tolist() == [[1, 2]]
    exact = optimize(exact_case(True), cfg)
    assert exact.items["site_id"].tolist() == ["s2"]
    assert exact.standards.set_index("name").loc["subcentre_target", "shortfall"] == 1


def test_upgrade_adds_beds_to_the_secondary_floor():
    """Issue 13 §4: cost = base + 万元 per added bed × (floor − beds); beds_added per item; unknown beds not costed."""
    inst = county()  # beds 500, 60, 30, 80
    inst.sites.loc["s3", "beds"] = 0  # unknown
    cfg = only("subcentre", budget=100_000, unit_cost_wan=1000, bed_floor=100, cost_per_added_bed_wan=60)
    plan = optimize(inst, cfg)
    cost = prepare(inst, cfg).cost["subcentre"]
    assert cost.tolist() == pytest.approx([1000, 1000 + 40 * 60, 1000 + 70 * 60, 1000])  # s0 at the floor, s3 unknown
    rows = plan.items.set_index("site_id")
    assert set(rows.index) == {"s1", "s3"}  # s2's villages are s3's too: no gain for 5,200万元
    assert rows.loc["s1", "cost_wan"] == pytest.approx(1000 + 40 * 60)
    assert rows.loc["s3", "cost_wan"] == pytest.approx(1000) and np.isnan(rows.loc["s3", "beds_added"])
    assert rows.loc["s1", "beds_added"] == 40
    assert any("no bed count" in a for a in plan.assumptions)
    assert any("卫医发〔1994〕30号" in a for a in plan.assumptions)
    # the sentence of the project list says how many beds
    from healthplan.optimizer.kinds import item_type

    k, it = item_type("subcentre")
    text = k.item_content(it, rows.loc["s1"], inst.sites.loc["s1"], "zh")
    assert "床位由60张增至100张，新增40张" in text
    # a site already at the floor adds none
    assert float(inst.sites.loc["s0", "beds"]) >= 100


def test_budget_decides_between_small_and_large_centres_with_bed_costs():
    """With bed costs, a 30-bed centre costs 4,200 more than an 80-bed one: at 2,400万元 only the latter fits."""
    inst = county()
    cfg = only("subcentre", budget=2400, unit_cost_wan=1000, bed_floor=100, cost_per_added_bed_wan=60,
               access_minutes=30)
    plan = optimize(inst, cfg)
    assert set(plan.items["site_id"]) == {"s3"}  # 1,000 + 20 × 60 = 2,200 ≤ 2,400; s1 needs 3,400, s2 5,200
