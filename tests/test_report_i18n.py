"""reports.i18n: standard, kind and status names in both languages."""

import pytest

from healthplan.reports.i18n import LABELS, STATUS_NAMES, kind_name, label, standard_name, status_name


@pytest.mark.parametrize(("name", "zh", "en"), [
    ("amb_fleet_ratio", "救护车配置数量", "Ambulance fleet"),
    ("amb_np_share", "负压救护车占比", "Negative-pressure share"),
    ("fever_room_mandate", "发热诊室设置", "Fever rooms at health centres"),
    ("equity_blood", "乡镇覆盖率下限（固定采血点覆盖）", "Township floor: Blood point access"),
    ("blood_target_coverage", "固定采血点覆盖覆盖率目标", "Coverage target: Blood point access"),
    ("something_else", "something_else", "something_else"),
])
def test_standard_names(name, zh, en):
    assert standard_name(name, "zh") == zh
    assert standard_name(name, "en") == en


def test_every_label_has_both_languages():
    assert all(len(pair) == 2 and all(pair) for pair in LABELS.values())
    assert set(STATUS_NAMES) == {"optimal", "time_limit", "infeasible", "unbounded", "error", "baseline"}
    assert "optimal" not in status_name("time_limit", "en").replace("not proven optimal", "")
    assert kind_name("fever_room", "en") == "Fever rooms" and label("total", "zh") == "合计"
