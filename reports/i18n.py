"""Labels of every table, column and kind in Chinese (default) and English (``--lang en``)."""

from __future__ import annotations

from typing import Literal

from healthplan.optimizer.kinds import ITEM_KEYS, KIND_NAMES, SERVICE_KEYS, item_type, service
from healthplan.optimizer.kinds import kind as registered_kind
from healthplan.optimizer.standards import standard_named

Lang = Literal["zh", "en"]

# Item types (Plan.items "kind") in the order of the registered kinds: the order of every list and table.
ITEM_KIND_ORDER: tuple[str, ...] = ITEM_KEYS


STATUS_NAMES: dict[str, tuple[str, str]] = {
    "optimal": ("最优", "optimal"),
    "time_limit": ("达到时间上限（非最优）", "time limit reached (not proven optimal)"),
    "infeasible": ("无可行解", "infeasible"),
    "unbounded": ("无界", "unbounded"),
    "error": ("求解失败", "solver error"),
    "baseline": ("现状（未优化）", "baseline (no optimisation)"),
}

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
    """Name of an item type (``ambulance``, ``fever_room`` …) or of a resource kind (``fever``) in ``lang``."""
    key = str(kind)
    if key in ITEM_KEYS:
        return item_type(key)[1].label(lang)
    if key in KIND_NAMES:
        return registered_kind(key).label(lang)
    return key


def coverage_name(key: str, lang: str = "zh") -> str:
    """Name of a coverage key (``ambulance``, ``ambulance_single``, ``fever``, ``blood``, ``secondary`` …)."""
    if str(key) not in SERVICE_KEYS:
        return str(key)
    return service(str(key))[1].label(lang)


def status_name(status: str, lang: str = "zh") -> str:
    """Name of a solver status value (optimizer.status.Status) in ``lang``."""
    pair = STATUS_NAMES.get(str(status))
    return str(status) if pair is None else pair[_i(lang)]


def standard_name(name: str, lang: str = "zh") -> str:
    """Readable name of a standard row of ``Plan.standards``: the standard's own label (kinds' standards, the
    township floors ``equity_{key}`` and coverage targets ``{key}_target_coverage``); otherwise the raw name."""
    s = standard_named(str(name))
    return s.label(lang) if s is not None else str(name)


def _i(lang: str) -> int:
    return 1 if str(lang).lower().startswith("en") else 0
