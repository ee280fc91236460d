"""reports.state: the saved run state reloads into an equal Instance and Plan."""

import numpy as np
import pandas as pd
import pytest
from test_report_fixtures import make_instance, make_plan

from healthplan.geodata.levels import Level
from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.status import Status
from healthplan.reports.config import ReportConfig
from healthplan.reports.state import StateError, load_state, save_state


@pytest.mark.parametrize("geometry", [True, False])
def test_round_trip(tmp_path, geometry):
    inst = make_instance(geometry=geometry)
    levels = [Level(v) for v in inst.sites["level"]]
    inst.sites["level"] = pd.Series(levels, index=inst.sites.index, dtype=object)  # stored as their strings
    plan = make_plan(inst, status=Status.TIME_LIMIT)
    opt = OptimizerConfig.model_validate({"budget_wan": 3000, "resources": {"blood": {"unit_cost_wan": 70}}})
    rep = ReportConfig(county="示范县", maps=False)
    save_state(tmp_path, inst, plan, report=rep, opt=opt, timings={"read_s": 1.25}, scenario_name="s",
               lang="en", created="2026-01-01T00:00:00Z")
    st = load_state(tmp_path)
    assert (st.scenario_name, st.lang, st.created, st.timings) == ("s", "en", "2026-01-01T00:00:00Z",
                                                                  {"read_s": 1.25})
    assert st.report == rep and st.opt == opt
    assert st.opt.resources.blood.model_fields_set == {"unit_cost_wan"}  # unset defaults stay unset
    pd.testing.assert_frame_equal(st.instance.demand, inst.demand, check_index_type=False, check_dtype=False)
    assert st.instance.sites["level"].tolist() == [lv.value for lv in levels]
    for name in ("items", "demand_coverage", "township_coverage", "standards"):
        pd.testing.assert_frame_equal(getattr(st.plan, name), getattr(plan, name), check_index_type=False,
                                      check_dtype=False, check_column_type=False)
    assert list(st.plan.spend.columns) == [2025, 2026]  # integer year labels restored
    np.testing.assert_array_equal(st.instance.travel.dense(), inst.travel.dense())
    assert st.plan.solve.status is Status.TIME_LIMIT and st.plan.solve.gap == plan.solve.gap
    assert st.plan.assumptions == plan.assumptions and st.plan.spent_wan == plan.spent_wan
    assert (st.instance.townships is None) == (not geometry)
    if geometry:
        assert st.instance.townships.crs == inst.townships.crs
        assert st.instance.townships.geometry.equals(inst.townships.geometry)


def test_missing_state(tmp_path):
    with pytest.raises(StateError, match="run.json"):
        load_state(tmp_path)
