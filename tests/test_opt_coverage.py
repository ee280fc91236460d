"""Coverage sets and signature merging: groups are exact, populations add up, required_cutoff covers every kind."""

import numpy as np
import pytest
from test_opt_helpers import make, only, random_case

from healthplan.optimizer import required_cutoff
from healthplan.optimizer.config import EquityConfig, OptimizerConfig, ResourcesConfig
from healthplan.optimizer.coverage import ACCESS_TIME_HORIZON_FACTOR, build_groups, coverage_pairs


def test_groups_merge_identical_signatures_exactly():
    inst = random_case(31, n_demand=120, n_sites=6)
    cfg = only("blood", unit_cost_wan=80)
    s, d = coverage_pairs(inst, cfg, "blood")
    cand = np.ones(len(inst.sites), dtype=bool)
    g = build_groups(inst, "blood", (s, d), np.zeros(len(inst.sites)), cand, 1, by_township=False)
    assert g.n < len(inst.demand)  # 120 points, at most 2⁶ signatures
    assert g.population.sum() == pytest.approx(inst.population)
    reach = inst.travel.dense() <= 30 + 1e-9
    for h in range(g.n):  # every member of a group has exactly the group's site set
        members = np.flatnonzero(g.of_demand == h)
        for i in members:
            assert np.flatnonzero(reach[:, i]).tolist() == g.sites[h].tolist()


def test_existing_cover_saturates_and_township_splits_groups():
    inst = make([10, 20, 30], [[5, 5, 5], [5, 5, 5]], ["candidate", "candidate"], township=["A", "B", "B"],
                blood_point=[True, False])
    cfg = only("blood", unit_cost_wan=80)
    pairs = coverage_pairs(inst, cfg, "blood")
    existing = inst.sites["blood_point"].to_numpy(dtype=float)
    cand = ~inst.sites["blood_point"].to_numpy()
    g = build_groups(inst, "blood", pairs, existing, cand, 1, by_township=False)
    assert g.n == 1 and g.existing.tolist() == [1] and len(g.sites[0]) == 0  # covered today: no candidates needed
    g2 = build_groups(inst, "blood", pairs, existing, cand, 1, by_township=True)
    assert g2.n == 2 and sorted(g2.township.tolist()) == ["A", "B"]


def test_ambulance_pairs_use_speed_factor():
    inst = make([1, 1], [[30.0, 40.0]], ["thc"], speed_factor=1.5)
    s, d = coverage_pairs(inst, only("ambulance"), "ambulance")
    assert d.tolist() == [0, 1]  # 30/1.5 = 20 and 40/1.5 = 26.7 ≤ 27 (rural: 30 − 3)


def test_required_cutoff_covers_every_enabled_kind():
    cfg = OptimizerConfig()
    # ambulance 27 × 1.5 = 40.5; fever 30; blood 30; secondary 60 → 60
    assert required_cutoff(cfg, ambulance_speed_factor=1.5) == 60
    assert required_cutoff(cfg, ambulance_speed_factor=3.0) == pytest.approx(81)
    blood_only = only("blood", access_minutes=25, objective="access_time")
    assert required_cutoff(blood_only) == pytest.approx(25 * ACCESS_TIME_HORIZON_FACTOR)
    spaced = only("subcentre", access_minutes=30, min_spacing_minutes=45)
    assert required_cutoff(spaced) == 45
    eq = OptimizerConfig(resources=ResourcesConfig(subcentre={"enabled": False}, blood={"enabled": False}),
                         equity=EquityConfig(theta=0.5))
    assert required_cutoff(eq) == 30
