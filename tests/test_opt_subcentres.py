"""Sub-centres: eligibility rules, minimum spacing, target count, secondary-care coverage."""

import numpy as np
import pytest
from test_opt_helpers import make, only

from optimizer import optimize
from optimizer.config import StandardRule, SubcentreEligibility
from optimizer.prepare import prepare

HARD = StandardRule(mode="hard")


def county():
    # s0 county hospital; s1, s2, s3 central THCs; d0 near s0, d1 near s1, d2 near s2 and s3
    m = [[5, 70, 90, 95], [70, 5, 80, 85], [90, 80, 5, 20], [95, 85, 15, 10]]
    return make([1000, 4000, 3000, 2000], m, ["county_hospital", "central_thc", "central_thc", "central_thc"],
                beds=[500, 60, 30, 80])


def test_secondary_coverage_and_target():
    cfg = only("subcentre", budget=3600, target_count=2, unit_cost_wan=1800)
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
    assert data.sub_eligible.tolist() == [False, False, False, True]


def test_min_population_rule():
    el = SubcentreEligibility(min_population=4500)
    data = prepare(county(), only("subcentre", eligibility=el, access_minutes=20))
    # within 20 min: s1 → d1 (4,000); s2 → d2 + d3 (5,000); s3 → d2 + d3 (5,000)
    assert data.sub_eligible.tolist() == [False, False, True, True]


def test_min_spacing_allows_only_one_of_two_close_sites():
    # s2 and s3 are 15 min apart through d2 (5 + 15 = 20; through d3: 20 + 10 = 30) → spacing 25 forbids both
    cfg = only("subcentre", budget=5400, target_count=3, unit_cost_wan=1800, min_spacing_minutes=25)
    plan = optimize(county(), cfg)
    chosen = set(plan.items["site_id"])
    assert not {"s2", "s3"} <= chosen and len(chosen) == 2
    std = plan.standards.set_index("name").loc["subcentre_target"]
    assert std["shortfall"] == 1 and not std["met"]


def test_hard_target_beyond_eligible_sites_is_explained():
    from optimizer import InfeasibleError

    cfg = only("subcentre", budget=10_000, target_count=4, target_rule=HARD)
    with pytest.raises(InfeasibleError, match="target of 4 sub-centres exceeds the 3 possible"):
        optimize(county(), cfg)


def test_access_time_objective_for_secondary_care():
    cfg = only("subcentre", budget=1800, unit_cost_wan=1800, objective="access_time", access_minutes=60)
    plan = optimize(county(), cfg)
    # one upgrade: s1 saves 4,000 × (70 − 5) = 260,000 person-minutes; s2 saves 3,000 × 85 + 2,000 × 75 = 405,000
    # (d2 from s0 90, from s2 5; d3 from s0 95, from s2 20); s3: 3,000 × 75 + 2,000 × 85 = 395,000 → s2
    assert plan.items["site_id"].tolist() == ["s2"]
    assert np.isfinite(plan.meta["secondary_mean_minutes"]["after"])
