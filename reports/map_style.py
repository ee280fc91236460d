"""Map colours, coverage classes and the maps' own texts (zh/en), shared by the print maps and the HTML map.

Symbols, colours and names of the resource kinds are not here: they come from the kind registry
(``ItemType.symbol`` / ``label``, ``ResourceKind.colour`` / ``map_title`` / ``providers``).
"""

from __future__ import annotations

import numpy as np

from healthplan.reports.map_data import COVERED_THRESHOLD  # noqa: F401  (re-exported: maps and tests use it)

# Township choropleth: share of population covered after the plan. Classes follow the way plans report
# progress (half, most, nearly all); colours are ColorBrewer YlGn-5 (colour-blind safe, prints in greyscale in
# order) without its darkest step, so symbols stay legible.
COVERAGE_BINS: tuple[float, ...] = (0.0, 0.5, 0.7, 0.85, 0.95, 1.0)
COVERAGE_COLOURS: tuple[str, ...] = ("#ffffcc", "#d9f0a3", "#addd8e", "#78c679", "#41ab5d")
NO_DATA_COLOUR = "#e0e0e0"

UNCOVERED_COLOUR = "#222222"
COVERED_BEFORE_COLOUR = "#5a5a5a"
CONTEXT_SITE_COLOUR = "#9e9e9e"
ROAD_COLOUR = "#b0b0b0"
BOUNDARY_COLOUR = "#555555"
NEW_EDGE_COLOUR = "#111111"  # outline of a new facility's (filled) symbol
INSET_EDGE_COLOUR = "#7a0177"  # frame of the county-seat inset and of its extent on the main map


def coverage_class(share: np.ndarray) -> np.ndarray:
    """Class index 0–4 of coverage shares (``COVERAGE_BINS``), −1 where the share is missing."""
    s = np.asarray(share, dtype=float)
    idx = np.clip(np.searchsorted(COVERAGE_BINS, s, side="right") - 1, 0, len(COVERAGE_COLOURS) - 1)
    return np.where(np.isfinite(s), idx, -1)


def coverage_colour(share: np.ndarray) -> list[str]:
    """Fill colour per coverage share (``NO_DATA_COLOUR`` where missing)."""
    return [COVERAGE_COLOURS[c] if c >= 0 else NO_DATA_COLOUR for c in coverage_class(share)]


def coverage_class_labels(lang: str) -> list[str]:
    """Legend labels of the coverage classes, e.g. ``'70–85%'``."""
    pct = [round(b * 100) for b in COVERAGE_BINS]
    labels = [f"{pct[i]}–{pct[i + 1]}%" for i in range(len(pct) - 1)]
    labels[0] = f"< {pct[1]}%"
    labels[-1] = f"≥ {pct[-2]}%"
    return labels


TEXT: dict[str, tuple[str, str]] = {
    "default_title": ("{name}卫生资源布局规划图", "Health resource siting plan: {name}"),
    "current": ("现状图：各类卫生资源分布与综合覆盖", "Current state: health resources and combined coverage"),
    "plan": ("规划图：各类卫生资源布局与综合覆盖", "Plan: health resources and combined coverage"),
    "current_vs_plan": ("现状与规划综合覆盖对比", "Combined coverage: current state and plan"),
    "kind_current": ("现状图：{kind}分布与覆盖", "Current state: {kind}"),
    "kind_plan": ("规划图：{kind}布局与覆盖", "Plan: {kind}"),
    "before": ("现状", "Current state"),
    "after": ("规划", "Plan"),
    "legend": ("图例", "Legend"),
    "share_heading": ("乡镇人口覆盖率", "Township population covered"),
    "combined_heading": ("乡镇综合覆盖率（各类资源平均）", "Township coverage, mean of all kinds"),
    "facilities": ("设施", "Facilities"),
    "existing_short": ("现有", "Exist."),
    "new_short": ("新建", "New"),
    "other_sites": ("其他医疗机构", "Other health facilities"),
    "villages": ("村/社区（按覆盖情况）", "Villages/communities by coverage"),
    "covered_before": ("现状已覆盖", "Covered today"),
    "newly_covered": ("规划新增覆盖", "Newly covered by the plan"),
    "uncovered": ("规划后仍未覆盖", "Still not covered"),
    "uncovered_now": ("现状未覆盖", "Not covered today"),
    "cover_area": ("覆盖范围（距已覆盖村点最近的区域）", "Covered area (land nearest to a covered village)"),
    "roads": ("道路", "Roads"),
    "boundary": ("乡镇界", "Township boundary"),
    "county_boundary": ("县界", "County boundary"),
    "km": ("公里", "km"),
    "north": ("北", "N"),
    "figures": ("主要指标", "Key figures"),
    "cov_line": ("{name}：{b}% → {a}%", "{name}: {b}% → {a}%"),
    "cov_now": ("{name}：{b}%", "{name}: {b}%"),
    "projects_line": ("新建项目 {n} 个，投资 {c} 万元", "{n} new projects, {c} ×10k CNY"),
    "project_list": ("新建项目（序号同项目清单附表）", "New projects (numbers as in the project list)"),
    "more_projects": ("……其余{n}项见项目清单附表", "… {n} more: see the project list"),
    "number_row": ("新建项目序号", "New project no."),
    "synthetic": (
        "数据说明：本图所用数据为合成演示数据（SYNTHETIC），不代表任何真实县区。",
        "Data note: SYNTHETIC demo data, not a real county.",
    ),
    "crs": ("坐标系：{crs}", "Coordinate system: {crs}"),
    "covered_def": (
        "覆盖指在规定时间标准内可达（按行程时间计算）；乡镇着色为覆盖人口比例。",
        "Covered = reachable within the time standard (travel time); townships shaded by the share covered.",
    ),
    "made_with": ("制图：healthplan", "Map: healthplan"),
    "unlabelled": (
        "另有{n}处名称因图面空间未标注", "{n} more names left out for space",
    ),
    "inset": ("城区放大图", "County seat (enlarged)"),
    "committed": ("（已批）", " (committed)"),
}


# Texts of the HTML map's page (reports.htmlmap, static/htmlmap.js).
HTML_TEXT: dict[str, tuple[str, str]] = {
    "base_heading": ("乡镇覆盖率", "Township coverage"),
    "combined": ("综合（各类资源平均）", "Mean of all kinds"),
    "before": ("现状", "current"),
    "after": ("规划", "plan"),
    "existing": ("现有", "Existing"),
    "new": ("新建", "New"),
    "uncovered": ("规划后仍未覆盖的村/社区", "Villages still not covered"),
    "township_names": ("乡镇名称", "Township names"),
    "tiles": ("在线底图（需联网）", "Online background (needs network)"),
    "no": ("序号", "No."),
    "content": ("建设内容", "Content"),
    "cost": ("总投资(万元)", "Investment (10k CNY)"),
    "year": ("建设年限", "Year"),
    "newly": ("新增覆盖人口(人)", "Newly covered (persons)"),
    "only": ("仅由本项目覆盖(人)", "Covered only by it (persons)"),
    "basis": ("依据", "Justification"),
    "site": ("建设地点", "Site"),
    "level": ("机构类别", "Level"),
    "population": ("人口(人)", "Population (persons)"),
    "coverage": ("覆盖率", "Coverage"),
    "legend": ("图例", "Legend"),
    "no_geometry": ("本次运行的输入没有地理坐标，无法生成地图。", "The inputs of this run have no geometry: no map."),
    "stock": ("现有配置", "Existing stock"),
    "committed": ("已批项目", "committed project"),
    "numbers": ("新建项目序号（同项目清单附表）", "New project numbers (as in the project list)"),
}


def text(key: str, lang: str = "zh", **fmt: object) -> str:
    """A map text in ``lang``, formatted with ``fmt``."""
    return TEXT[key][_i(lang)].format(**fmt)


def _i(lang: str) -> int:
    return 1 if str(lang).lower().startswith("en") else 0
