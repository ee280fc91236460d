"""Map symbols, colours and labels per resource kind (zh/en), shared by the print maps and the HTML map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from healthplan.optimizer.kinds import KINDS

# Township choropleth: share of population covered after the plan. Classes follow the way plans report
# progress (half, most, nearly all); colours are ColorBrewer YlGn-5 (colour-blind safe, prints in greyscale in
# order) without its darkest step, so symbols stay legible.
COVERAGE_BINS: tuple[float, ...] = (0.0, 0.5, 0.7, 0.85, 0.95, 1.0)
COVERAGE_COLOURS: tuple[str, ...] = ("#ffffcc", "#d9f0a3", "#addd8e", "#78c679", "#41ab5d")
NO_DATA_COLOUR = "#e0e0e0"
# A demand point counts as covered when at least half its population is (shares are 0/1; MEXCLP's are not).
COVERED_THRESHOLD = 0.5

UNCOVERED_COLOUR = "#222222"
COVERED_BEFORE_COLOUR = "#5a5a5a"
CONTEXT_SITE_COLOUR = "#9e9e9e"
ROAD_COLOUR = "#b0b0b0"
BOUNDARY_COLOUR = "#555555"


@dataclass(frozen=True)
class Symbol:
    """One facility symbol: a matplotlib marker and the same shape as an SVG polygon for the HTML map.

    ``svg_points`` are vertices in a 0–20 box (centre 10, 10).
    """

    marker: str
    svg_points: str
    names: tuple[str, str]  # facility kind name (zh, en)


# Symbols per item type (Plan.items "kind"), from each kind's declaration; existing = white fill, new = colour.
ITEM_SYMBOLS: dict[str, Symbol] = {
    it.key: Symbol(it.symbol.marker, it.symbol.svg_points, (it.label.zh, it.label.en)) for k in KINDS for it in k.items
}


@dataclass(frozen=True)
class KindStyle:
    """A map kind (one print map and one group of HTML layers): its items, coverage key, colour and names."""

    key: str
    item_kinds: tuple[str, ...]
    coverage_keys: tuple[str, ...]  # preferred first; the first present in Plan.demand_coverage is used
    colour: str
    names: tuple[str, str]

    def name(self, lang: str) -> str:
        """Name of the kind in ``lang``."""
        return self.names[_i(lang)]


KIND_STYLES: dict[str, KindStyle] = {
    k.name: KindStyle(k.name, tuple(it.key for it in k.items), k.map_services, k.colour,
                      (k.map_title.zh, k.map_title.en))
    for k in KINDS
}
MAP_KIND_ORDER: tuple[str, ...] = tuple(k.name for k in KINDS)
ITEM_TO_MAP_KIND: dict[str, str] = {ik: k for k, st in KIND_STYLES.items() for ik in st.item_kinds}


def existing_mask(sites: pd.DataFrame, item_kind: str, site_units: pd.DataFrame | None = None) -> np.ndarray:
    """Boolean mask over ``sites`` of facilities that already hold ``item_kind`` (its stock column), plus, for a
    kind's first item type, the sites the model counts as giving the kind's service without holding any of its
    items (e.g. the scenario's secondary-level hospitals for sub-centres), read from ``Plan.site_units``."""
    n = len(sites)
    kind = ITEM_TO_MAP_KIND.get(item_kind)
    if kind is None:
        return np.zeros(n, dtype=bool)
    k = KINDS[MAP_KIND_ORDER.index(kind)]
    item = k.item(item_kind)

    def held(col: str) -> np.ndarray:
        if col not in sites:
            return np.zeros(n, dtype=bool)
        return pd.to_numeric(sites[col], errors="coerce").fillna(0).to_numpy(dtype=float) > 0

    cols = [held(c) for c in k.columns]
    mask = held(item.column) if item.column not in k.count_columns else np.any(cols, axis=0)
    if site_units is not None and item is k.items[0]:
        col = f"{item.service}_before"
        if col in site_units:
            units = site_units[col].reindex(sites.index).fillna(0).to_numpy(dtype=float) > 0
            mask = mask | (units & ~np.any(cols, axis=0))
    return mask


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
    "overview": ("总图：各类资源布局与综合覆盖（规划后）", "Overview: all resources and combined coverage (after the plan)"),
    "overview_pair": ("总图：规划前后综合覆盖对比", "Overview: combined coverage before and after the plan"),
    "kind_map": ("{kind}布局与覆盖（规划后）", "{kind}: sites and coverage after the plan"),
    "before": ("规划前", "Before the plan"),
    "after": ("规划后", "After the plan"),
    "legend": ("图例", "Legend"),
    "share_heading": ("乡镇人口覆盖率", "Township population covered"),
    "combined_heading": ("乡镇综合覆盖率（各类资源平均）", "Township coverage, mean of all kinds"),
    "facilities": ("设施", "Facilities"),
    "new": ("新建", "New"),
    "existing": ("现有", "Existing"),
    "existing_short": ("现有", "Exist."),
    "new_short": ("新建", "New"),
    "subcentre_row": ("二级医院 / 医疗卫生次中心", "Secondary hospital / sub-centre"),
    "other_sites": ("其他医疗机构", "Other health facilities"),
    "villages": ("村/社区（按覆盖情况）", "Villages/communities by coverage"),
    "covered_before": ("规划前已覆盖", "Covered before the plan"),
    "newly_covered": ("规划新增覆盖", "Newly covered by the plan"),
    "uncovered": ("规划后仍未覆盖", "Still not covered"),
    "cover_area": ("覆盖范围（距已覆盖村点最近的区域）", "Covered area (land nearest to a covered village)"),
    "roads": ("道路", "Roads"),
    "boundary": ("乡镇界", "Township boundary"),
    "no_data": ("无数据", "no data"),
    "km": ("公里", "km"),
    "north": ("北", "N"),
    "figures": ("主要指标", "Key figures"),
    "cov_line": ("{name}：{b}% → {a}%", "{name}: {b}% → {a}%"),
    "persons_line": ("覆盖人口 {b} → {a} 万人", "covered {b} → {a} ×10k persons"),
    "projects_line": ("新建项目 {n} 个，投资 {c} 万元", "{n} new projects, {c} ×10k CNY"),
    "synthetic": (
        "数据说明：本图所用数据为合成演示数据（SYNTHETIC），不代表任何真实县区。",
        "Data note: SYNTHETIC demo data, not a real county.",
    ),
    "crs": ("坐标系：{crs}", "Coordinate system: {crs}"),
    "covered_def": (
        "覆盖指在规定时间标准内可达（按行程时间计算）；乡镇着色为规划后覆盖人口比例。",
        "Covered = reachable within the time standard (travel time); "
        "townships shaded by the share covered after the plan.",
    ),
    "made_with": ("制图：healthplan", "Map: healthplan"),
    "vehicles": ("+{n}辆", "+{n} veh."),
    "unlabelled": (
        "另有{n}处新建点位因图面空间未标注名称，见项目清单", "{n} more new sites unlabelled for space: see the project list"
    ),
    "combined": ("综合覆盖", "Combined coverage"),
    "no_maps": (
        "输入数据无地理坐标（纯表格/CSV），未生成地图。",
        "The inputs have no geometry (plain CSV), so no maps were drawn.",
    ),
}


def text(key: str, lang: str = "zh", **fmt: object) -> str:
    """A map text in ``lang``, formatted with ``fmt``."""
    return TEXT[key][_i(lang)].format(**fmt)


def _i(lang: str) -> int:
    return 1 if str(lang).lower().startswith("en") else 0
