"""County critical-care centres (胸痛中心、卒中中心、创伤中心): designation at eligible hospitals, maximal covering
within each centre type's access time, and a full-coverage standard per type (seed 000 item 6: 「支持城市医疗集团
建设卒中中心、胸痛中心、创伤急救中心，到2025年底，实现区域全覆盖」; seed 004: 县级公立医院“五大中心”建设).

One kind with three centre types: each type is its own item type, service and standard, so a hospital may hold
any of them; a type can be switched off on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from healthplan.geodata.levels import Level
from healthplan.geodata.schemas import ColumnSchema
from healthplan.optimizer import sources as src
from healthplan.optimizer.covering import add_kind_access
from healthplan.optimizer.kind import (
    PENTAGON,
    STAR,
    TRIANGLE_UP,
    FacilityData,
    FacilityKind,
    ItemType,
    KindConfig,
    Service,
    StandardRule,
    StrictConfig,
    UnitCost,
)
from healthplan.optimizer.standard import Measured, Standard, pct
from healthplan.optimizer.text import Text, is_en

if TYPE_CHECKING:
    import pulp

    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.kind import PrepareContext
    from healthplan.optimizer.model import Model
    from healthplan.optimizer.prepare import ModelData

NAME = "critical_care"


CENTRE_COST_ASSUMPTION_WAN = 300.0  # ASSUMPTION: used only when a centre type's cost is unset, and flagged


class CentreTypeConfig(StrictConfig):
    """One centre type: its access time, unit cost and full-coverage standard."""

    enabled: bool = True
    access_minutes: float = Field(default=60.0, gt=0, description="min from any resident to a centre of the type")
    unit_cost_wan: float | None = Field(
        default=None, ge=0, description="万元 to build up and designate one centre; unset: 300 is used and flagged"
    )
    full_coverage: StandardRule = Field(
        default=StandardRule(mode="soft"), description="全覆盖: share of the reachable population within access"
    )
    coverage_share: float = Field(default=1.0, ge=0, le=1, description="share that 全覆盖 asks (1.0 = everyone "
                                  "any eligible hospital can reach)")


@dataclass(frozen=True)
class CentreType:
    """A centre type's fixed facts: key, names, symbol and the sources of its defaults."""

    key: str
    label: Text
    short: Text
    symbol: Any
    source: Any


TYPES: tuple[CentreType, ...] = (
    CentreType("chest_pain", Text("胸痛中心", "Chest pain centre"), Text("胸痛急救", "chest-pain care"), STAR,
               src.CHEST_PAIN),
    CentreType("stroke", Text("卒中中心", "Stroke centre"), Text("卒中急救", "stroke care"), PENTAGON, src.STROKE),
    CentreType("trauma", Text("创伤中心", "Trauma centre"), Text("创伤急救", "trauma care"), TRIANGLE_UP, src.TRAUMA),
)


class CriticalCareConfig(KindConfig):
    """Critical-care centres at eligible hospitals: chest pain, stroke and trauma (the 五大中心 of county hospitals
    include them); off unless the scenario enables it."""

    enabled: bool = False
    levels: list[Level] = Field(
        default_factory=lambda: [Level.COUNTY_HOSPITAL, Level.SECONDARY_HOSPITAL, Level.TCM_HOSPITAL],
        description="hospital levels that may be designated",
    )
    min_beds: int = Field(default=100, ge=0, description="beds; D: 二级综合医院 floor, 卫医发〔1994〕30号 via copies")
    chest_pain: CentreTypeConfig = Field(
        default=CentreTypeConfig(access_minutes=60.0, unit_cost_wan=800.0),
        description="60 min: B, derived from FMC-to-device ≤ 120 min (ACC/AHA 2013); 800万元: C, a DSA room "
        "(two 2024–25 projects, 470–1,250)",
    )
    stroke: CentreTypeConfig = Field(
        default=CentreTypeConfig(access_minutes=60.0, unit_cost_wan=800.0),
        description="60 min: A via news, Hebei 2018 (院前转运到医院不超过1小时); 800万元: C, a DSA room for "
        "thrombectomy (a thrombolysis-only centre costs less: set your figure)",
    )
    trauma: CentreTypeConfig = Field(
        default=CentreTypeConfig(access_minutes=60.0),
        description="60 min: B, the 'golden hour' access measure; host: A, 国卫办医函〔2018〕477号; cost: "
        "ASSUMPTION (no sourced figure: set unit_cost_wan)",
    )

    def centre(self, key: str) -> CentreTypeConfig:
        """The settings of centre type ``key``."""
        return getattr(self, key)


def _item(t: CentreType) -> ItemType:
    return ItemType(
        key=f"{t.key}_centre", label=t.label,
        name=Text(f"{t.label.zh}建设项目", f"{t.label.en.lower()} designation"),
        content=Text(f"按国家建设标准建设{t.label.zh}1个并申报认定",
                     f"Build up one {t.label.en.lower()} to the national standard and apply for designation"),
        nature=Text("改造升级", "Upgrade"), unit=Text("中心", "centre"),
        service=t.key, column=f"{t.key}_centre", cost_key=f"{t.key}_centre", symbol=t.symbol,
    )


class FullCoverage(Standard):
    """全覆盖: persons within the access time of a centre of the type ≥ share × persons any eligible or existing
    centre can reach (persons; soft by default). A township out of every hospital's reach is not counted as
    short: no designation could serve it, and the table says how many persons that is."""

    kind = NAME
    unit = "persons"
    integer = False

    def __init__(self, t: CentreType) -> None:
        self.t = t
        self.name = f"{t.key}_full_coverage"
        self.label = Text(f"{t.label.zh}区域全覆盖", f"{t.label.en}: full regional coverage")
        self.source = t.source
        self.items = (f"{t.key}_centre",)

    def _tc(self, cfg: OptimizerConfig) -> CentreTypeConfig:
        return cfg.resources.critical_care.centre(self.t.key)

    def rule(self, cfg: OptimizerConfig) -> StandardRule | None:
        tc = self._tc(cfg)
        return tc.full_coverage if tc.enabled else None

    def required(self, data: ModelData) -> float:
        return self._tc(data.cfg).coverage_share * float(data.kinds[NAME].notes[f"{self.t.key}_coverable"])

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        return m.covered[(self.t.key, t)]

    def measure(self, data: ModelData, state: Measured) -> float:
        pop = data.instance.demand["population"].to_numpy(dtype=float)
        return float((state.coverage[self.t.key] * pop).sum())

    def table_row(self, data: ModelData, before: Measured, after: Measured) -> dict[str, Any]:
        total = max(float(data.instance.population), 1.0)
        return {"required": self.required(data) / total, "existing": self.measure(data, before) / total,
                "planned": self.measure(data, after) / total, "unit": "share"}

    def title(self, lang: str = "zh", cfg: OptimizerConfig | None = None) -> str:
        """「胸痛中心60分钟区域全覆盖」 with the scenario's minutes."""
        if cfg is None:
            return self.label(lang)
        m = f"{self._tc(cfg).access_minutes:g}"
        return (f"{self.t.label.en}: full regional coverage within {m} min" if is_en(lang)
                else f"{self.t.label.zh}{m}分钟区域全覆盖")

    def cite(self, lang: str = "zh", cfg: OptimizerConfig | None = None) -> str:
        """The default's graded source, or the scenario when it set the access time itself."""
        if cfg is not None:
            cc = cfg.resources.critical_care
            tc = self._tc(cfg)
            if self.t.key in cc.model_fields_set and "access_minutes" in tc.model_fields_set:
                m = f"{tc.access_minutes:g}"
                return (f"set by the scenario: {self.t.label.en.lower()} within {m} min" if is_en(lang)
                        else f"情景设定：{self.t.label.zh}{m}分钟可达")
        return self.source.cite(lang)

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        tc = self._tc(cfg)
        minutes = f"{tc.access_minutes:g}"
        if is_en(lang):
            share = "" if tc.coverage_share >= 1 else f" ({pct(tc.coverage_share)}% of the reachable population)"
            return f"full regional coverage by {self.t.label.en.lower()}s within {minutes} min{share}"
        share = "" if tc.coverage_share >= 1 else f"（可达人口的{pct(tc.coverage_share)}%）"
        return f"落实{self.t.label.zh}{minutes}分钟区域全覆盖要求{share}"


class CriticalCare(FacilityKind):
    """Designations of critical-care centres: a binary per eligible hospital, centre type and year."""

    name = NAME
    label = Text("急危重症救治中心", "Critical-care centres")
    map_title = Text("胸痛、卒中、创伤中心", "Chest pain, stroke and trauma centres")  # all three types
    config = CriticalCareConfig
    items = tuple(_item(t) for t in TYPES)
    services = tuple(Service(t.key, Text(f"{t.label.zh}覆盖", f"{t.label.en} access"), t.short) for t in TYPES)
    colour = "#c51b7d"
    costs = tuple(UnitCost(f"{t.key}_centre", t.label, f"{t.key}.unit_cost_wan", CENTRE_COST_ASSUMPTION_WAN,
                           source=src.DSA_COST) for t in TYPES)
    standards = tuple(FullCoverage(t) for t in TYPES)
    site_columns = tuple(ColumnSchema(f"{t.key}_centre", "bool", default=False,
                                      description=f"already a designated {t.label.en.lower()} ({t.label.zh})",
                                      aliases=(t.label.zh,)) for t in TYPES)
    one_per_site = False  # a hospital may hold several centre types
    target_service = None

    def map_name(self, lang: str = "zh", items: Sequence[ItemType] | None = None) -> str:
        """「胸痛、卒中中心」: the centre types ``items`` holds (a type switched off is not named)."""
        return _centres_text(items)(lang)

    def programme_name(self, lang: str = "zh", items: Sequence[ItemType] | None = None) -> str:
        """「支持县级医院建设胸痛中心、卒中中心」: the centre types the plan's projects build."""
        zh = "支持县级医院建设" + "、".join(t.label.zh for t in _types_of(items))
        return Text(zh, _centres_text(items).en)(lang)

    def unit_costs(self, kc: CriticalCareConfig) -> dict[str, tuple[float, Any]]:
        """As every kind's, but a switched-off centre type's fallback cost is no assumption of the plan."""
        out = super().unit_costs(kc)
        return {key: (v, note if kc.centre(key.removesuffix("_centre")).enabled else None)
                for key, (v, note) in out.items()}

    def active_services(self, kc: CriticalCareConfig) -> tuple[Service, ...]:
        """The services of the centre types switched on."""
        return tuple(s for s in self.services if kc.centre(s.key).enabled)

    def threshold(self, kc: CriticalCareConfig, service: str, urban: np.ndarray) -> np.ndarray:
        return np.full(len(urban), kc.centre(service).access_minutes)

    def prepare(self, ctx: PrepareContext) -> FacilityData:
        """Eligible: a hospital of the listed levels with at least ``min_beds`` beds that lacks the centre type."""
        kc: CriticalCareConfig = self.settings(ctx.cfg)
        hospital = np.isin(ctx.level, [lv.value for lv in kc.levels]) & (ctx.column("beds", float) >= kc.min_beds)
        has, eligible, notes = {}, {}, {}
        tt = ctx.instance.travel
        for t in TYPES:
            key = f"{t.key}_centre"
            has[key] = ctx.column(key)
            eligible[key] = hospital & ~has[key] & kc.centre(t.key).enabled
            # persons any existing or eligible centre of the type could reach: what 全覆盖 can ask
            ok = (has[key] | eligible[key])[tt.site_idx] & tt.within(kc.centre(t.key).access_minutes)
            reach = np.zeros(len(ctx.population), dtype=bool)
            reach[tt.demand_idx[ok]] = True
            notes[f"{t.key}_coverable"] = float(ctx.population[reach].sum())
        return FacilityData(has=has, eligible=eligible, notes=notes)

    def add_coverage(self, m: Model) -> None:
        """Maximal covering per centre type within its access time."""
        kc: CriticalCareConfig = self.settings(m.data.cfg)
        kd: FacilityData = m.data.kinds[NAME]
        for s in self.active_services(kc):
            key = f"{s.key}_centre"
            add_kind_access(m, s.key, (key,), kd.has[key], objective="coverage", weight=kc.weight,
                            target_coverage=None)

    def units(self, data: ModelData, stock: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {t.key: stock[f"{t.key}_centre"].astype(bool).astype(float) for t in TYPES}


def _types_of(items: Sequence[ItemType] | None) -> tuple[CentreType, ...]:
    """The centre types of ``items`` in declaration order (all of them for ``None`` or none given)."""
    keys = {it.key for it in items} if items else {f"{t.key}_centre" for t in TYPES}
    return tuple(t for t in TYPES if f"{t.key}_centre" in keys) or TYPES


def _en_list(names: list[str]) -> str:
    """「a」, 「a and b」, 「a, b and c」."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _centres_text(items: Sequence[ItemType] | None) -> Text:
    """「胸痛、卒中、创伤中心」 / "Chest pain, stroke and trauma centres" for the centre types of ``items``."""
    types = _types_of(items)
    zh = "、".join(t.label.zh.removesuffix("中心") for t in types) + "中心"
    en = _en_list([t.label.en.removesuffix(" centre") for t in types])
    en = en[:1].upper() + en[1:].lower() + (" centres" if len(types) > 1 else " centre")
    return Text(zh, en)


CRITICAL_CARE = CriticalCare()
