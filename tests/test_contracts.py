"""The shared contracts: travel-time pairs, facility levels and configuration defaults."""

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from healthplan.geodata.instance import TravelTimes
from healthplan.geodata.levels import Level, parse_level
from healthplan.optimizer.config import AmbulanceConfig, BloodConfig, PhasingConfig


def test_travel_times_from_pairs_keeps_shortest_and_cuts_off():
    tt = TravelTimes.from_pairs(
        pd.Index(["s1", "s2"]), pd.Index(["d1", "d2"]),
        np.array([1, 0, 0, 0, 1]), np.array([0, 1, 1, 0, 1]), np.array([5.0, 9.0, 7.0, 0.0, 40.0]),
        cutoff_minutes=30, method="od",
    )
    assert tt.dense().tolist() == [[0.0, 7.0], [5.0, np.inf]]
    assert tt.within(5.0).sum() == 2  # the zero-minute pair counts as within


def test_level_aliases_accept_chinese():
    assert parse_level("中心卫生院") is Level.CENTRAL_THC
    assert parse_level("Township Health Centre") is Level.THC
    assert parse_level("诊所") is None


def test_ambulance_drive_threshold_deducts_dispatch():
    cfg = AmbulanceConfig()
    assert cfg.drive_minutes(urban=True) == 12.0
    assert cfg.drive_minutes(urban=False) == 27.0


def test_unknown_keys_are_rejected():
    with pytest.raises(ValidationError):
        BloodConfig(acess_minutes=30)
    with pytest.raises(ValidationError, match="milestones"):
        PhasingConfig(years=[2024, 2025], milestones=[0.6])
