"""Labels of every table, column and kind in Chinese (default) and English (``--lang en``)."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

# Kinds of Plan.items (optimizer/plan.py ITEM_COLUMNS["kind"]) and of Plan.spend rows.
ITEM_KIND_ORDER: tuple[str, ...] = ("ambulance", "fever_clinic", "fever_room", "blood", "subcentre")
ITEM_KIND_NAMES: dict[str, tuple[str, str]] = {
    "ambulance": ("救护车", "Ambulances"),
    "fever_clinic": ("发热门诊", "Fever clinics"),
    "fever_room": ("发热诊室", "Fever rooms"),
    "fever": ("发热门诊/诊室", "Fever clinics/rooms"),
    "blood": ("固定采血点", "Fixed blood points"),
    "subcentre": ("医疗卫生次中心", "Sub-centres"),
}

# Coverage keys (optimizer.config.COVERAGE_KEYS).
COVERAGE_NAMES: dict[str, tuple[str, str]] = {
    "ambulance": ("急救覆盖（期望覆盖）", "Ambulance (expected coverage)"),
    "ambulance_single": ("急救覆盖（单重覆盖）", "Ambulance (single coverage)"),
    "fever": ("发热门诊/诊室覆盖", "Fever clinic/room access"),
    "blood": ("固定采血点覆盖", "Blood point access"),
    "secondary": ("二级医疗服务覆盖", "Secondary care access"),
}

STATUS_NAMES: dict[str, tuple[str, str]] = {
    "optimal": ("最优", "optimal"),
    "time_limit": ("达到时间上限（非最优）", "time limit reached (not proven optimal)"),
    "infeasible": ("无可行解", "infeasible"),
    "unbounded": ("无界", "unbounded"),
    "error": ("求解失败", "solver error"),
    "baseline": ("现状（未优化）", "baseline (no optimisation)"),
}

# Standard names are matched by keyword (the optimizer names its rows e.g. ``amb_fleet_ratio``); first hit wins.
_STANDARD_KEYWORDS: tuple[tuple[tuple[str, ...], tuple[str, str]], ...] = (
    (("equity",), ("乡镇覆盖率下限", "Township coverage floor")),
    (("np_share", "negative", "np"), ("负压救护车占比", "Negative-pressure share")),
    (("one_per_thc", "per_thc", "thc"), ("每个乡镇卫生院至少1辆救护车", "≥ 1 ambulance per township health centre")),
    (("fleet",), ("救护车配置数量", "Ambulance fleet")),
    (("fever_clinic", "clinic"), ("发热门诊设置", "Fever clinics at hospitals")),
    (("fever_room", "room"), ("发热诊室设置", "Fever rooms at health centres")),
    (("blood",), ("固定采血点数量", "Fixed blood points")),
    (("subcentre", "sub_centre"), ("医疗卫生次中心数量", "Sub-centres")),
)

LABELS: dict[str, tuple[str, str]] = {
    # summary
    "summary_title": ("规划方案摘要", "Plan summary"),
    "scenario": ("情景", "Scenario"),
    "instance": ("数据", "Data"),
    "synthetic_note": ("本例数据为合成演示数据，不代表任何真实县区。", "The data of this run are synthetic (demo)."),
    "solver_section": ("求解情况", "Solver"),
    "status": ("状态", "Status"),
    "solver": ("求解器", "Solver"),
    "gap": ("相对间隙", "Relative gap"),
    "objective": ("目标值", "Objective"),
    "time_limit_warning": (
        "求解在时间上限内停止，所给方案为可行解但未证明最优，相对间隙为",
        "The solver stopped at its time limit: the plan is feasible but not proven optimal; relative gap",
    ),
    "budget": ("预算(万元)", "Budget (10k CNY)"),
    "spent": ("投资(万元)", "Spent (10k CNY)"),
    "unlimited": ("不限", "unlimited"),
    "n_items": ("项目数", "Projects"),
    "coverage_section": ("覆盖人口（规划前后）", "Coverage before and after the plan"),
    "kind": ("类别", "Kind"),
    "population": ("总人口(人)", "Population (persons)"),
    "before": ("规划前覆盖(人)", "Covered before (persons)"),
    "after": ("规划后覆盖(人)", "Covered after (persons)"),
    "before_share": ("规划前覆盖率", "Share before"),
    "after_share": ("规划后覆盖率", "Share after"),
    "gain": ("新增覆盖(人)", "Newly covered (persons)"),
    "standards_section": ("标准达标情况", "Standards"),
    "spend_section": ("投资汇总（万元）", "Spend by kind and year (10k CNY)"),
    "total": ("合计", "Total"),
    "assumptions_section": ("假设值（无来源，请核实）", "Assumptions (no source: please check)"),
    "notes_section": ("说明", "Notes"),
    "files_section": ("输出文件", "Files"),
    "timings_section": ("耗时(秒)", "Timings (s)"),
    "none": ("无", "none"),
    "met_yes": ("达标", "met"),
    "met_no": ("未达标", "short"),
    # standards columns
    "std_name": ("标准", "Standard"),
    "std_required": ("要求", "Required"),
    "std_existing": ("现有", "Existing"),
    "std_planned": ("规划后", "Planned"),
    "std_shortfall": ("缺口", "Shortfall"),
    "std_met": ("是否达标", "Met"),
    "std_mode": ("约束方式", "Mode"),
    "std_source": ("依据来源", "Source"),
    "mode_hard": ("硬约束", "hard"),
    "mode_soft": ("软约束", "soft"),
    "mode_off": ("未启用", "off"),
    "mode_target": ("覆盖目标", "target"),
    "std_unit": ("单位", "Unit"),
    "unit_vehicles": ("辆", "vehicles"),
    "unit_sites": ("个", "sites"),
    "unit_share": ("比例", "share"),
    "unit_share (worst township)": ("比例（最低乡镇）", "share (worst township)"),
    "year": ("年份", "Year"),
}


def label(key: str, lang: str = "zh") -> str:
    """The label ``key`` in ``lang`` ('zh' or 'en'); unknown keys come back unchanged."""
    pair = LABELS.get(key)
    return key if pair is None else pair[_i(lang)]


def unit_name(unit: str, lang: str = "zh") -> str:
    """Unit of a standard row (``vehicles``, ``sites``, ``share`` …) in ``lang``; unknown units unchanged."""
    pair = LABELS.get(f"unit_{unit}")
    return str(unit) if pair is None else pair[_i(lang)]


def kind_name(kind: str, lang: str = "zh") -> str:
    """Name of an item kind (``ambulance``, ``fever_room`` …) in ``lang``."""
    pair = ITEM_KIND_NAMES.get(str(kind))
    return str(kind) if pair is None else pair[_i(lang)]


def coverage_name(key: str, lang: str = "zh") -> str:
    """Name of a coverage key (``ambulance``, ``ambulance_single``, ``fever``, ``blood``, ``secondary``)."""
    pair = COVERAGE_NAMES.get(str(key))
    return str(key) if pair is None else pair[_i(lang)]


def status_name(status: str, lang: str = "zh") -> str:
    """Name of a solver status value (optimizer.status.Status) in ``lang``."""
    pair = STATUS_NAMES.get(str(status))
    return str(status) if pair is None else pair[_i(lang)]


# Exact names of the optimizer's standards rows (optimizer/evaluation.py).
STANDARD_NAMES: dict[str, tuple[str, str]] = {
    "amb_fleet_ratio": ("救护车配置数量", "Ambulance fleet"),
    "amb_np_share": ("负压救护车占比", "Negative-pressure share"),
    "amb_one_per_thc": ("每个乡镇卫生院至少1辆救护车", "≥ 1 ambulance per township health centre"),
    "fever_clinic_mandate": ("发热门诊设置", "Fever clinics at hospitals"),
    "fever_room_mandate": ("发热诊室设置", "Fever rooms at health centres"),
    "blood_min_points": ("固定采血点数量", "Fixed blood points"),
    "subcentre_target": ("医疗卫生次中心数量", "Sub-centres"),
}


def standard_name(name: str, lang: str = "zh") -> str:
    """Readable name of a standard row of ``Plan.standards``.

    Exact names first (:data:`STANDARD_NAMES`), then the families ``equity_{key}`` (township floor per coverage
    key) and ``{key}_target_coverage``, then keywords; otherwise the raw name.
    """
    name = str(name)
    if name in STANDARD_NAMES:
        return STANDARD_NAMES[name][_i(lang)]
    if name.startswith("equity_") and name[len("equity_"):] in COVERAGE_NAMES:
        cov = coverage_name(name[len("equity_"):], lang)
        return f"Township floor: {cov}" if _i(lang) else f"乡镇覆盖率下限（{cov}）"
    if name.endswith("_target_coverage") and name[: -len("_target_coverage")] in COVERAGE_NAMES:
        cov = coverage_name(name[: -len("_target_coverage")], lang)
        return f"Coverage target: {cov}" if _i(lang) else f"{cov}覆盖率目标"
    low = name.lower()
    tokens = set(low.replace("-", "_").split("_"))
    for keys, pair in _STANDARD_KEYWORDS:
        for k in keys:
            if ("_" in k and k in low) or k in tokens:
                suffix = _suffix(str(name), k)
                return pair[_i(lang)] + suffix
    return str(name)


def _suffix(name: str, key: str) -> str:
    # Keep a site/year qualifier that the optimizer may append, e.g. 'fever_room[S012]' or 'fleet_2025'.
    for sep in ("[", "@", ":"):
        if sep in name:
            return " " + name[name.index(sep):]
    tail = name.rsplit("_", 1)[-1]
    return f" ({tail})" if tail.isdigit() and len(tail) == 4 else ""


def _i(lang: str) -> int:
    return 1 if str(lang).lower().startswith("en") else 0
