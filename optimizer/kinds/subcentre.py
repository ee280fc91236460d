"""Sub-centre upgrades (医疗卫生次中心) of eligible central township health centres; secondary-care coverage
(county/secondary hospitals + sub-centres); the target number of sub-centres."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from healthplan.geodata.levels import Level
from healthplan.geodata.schemas import ColumnSchema
from healthplan.optimizer import sources as src
from healthplan.optimizer.coverage import ACCESS_TIME_HORIZON_FACTOR
from healthplan.optimizer.covering import add_kind_access
from healthplan.optimizer.kind import (
    HEXAGON,
    FacilityData,
    FacilityKind,
    ItemType,
    KindConfig,
    Providers,
    Service,
    StandardRule,
    StrictConfig,
    UnitCost,
)
from healthplan.optimizer.messages import say
from healthplan.optimizer.model import expr
from healthplan.optimizer.site_minutes import (
    exact_site_minutes,
    population_within,
    site_minutes_via_demand,
    site_to_site_minutes,
)
from healthplan.optimizer.standard import Finding, Measured, Standard
from healthplan.optimizer.text import Text, is_en

if TYPE_CHECKING:
    import pulp

    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.kind import PrepareContext
    from healthplan.optimizer.model import Model
    from healthplan.optimizer.prepare import ModelData

NAME = "subcentre"


class SubcentreEligibility(StrictConfig):
    """Which central township health centres may be upgraded (no verified provincial rule: all ASSUMPTION)."""

    levels: list[Level] = Field(default_factory=lambda: [Level.CENTRAL_THC])
    min_beds: int = Field(default=0, ge=0, description="beds; ASSUMPTION", json_schema_extra={"zh": "次中心候选机构床位下限", "unit_zh": "张"})
    min_population: float = Field(default=0.0, ge=0, description="persons within access_minutes; ASSUMPTION",
                                  json_schema_extra={"zh": "次中心候选机构服务人口下限", "unit_zh": "人"})
    min_minutes_from_county_hospital: float = Field(default=0.0, ge=0, description="min; ASSUMPTION",
                                                    json_schema_extra={"zh": "次中心候选机构距县医院最短行车时间", "unit_zh": "分钟"})


class SubcentreConfig(KindConfig):
    """Sub-centre upgrades; secondary-care coverage counts county/secondary hospitals plus sub-centres."""

    access_minutes: float = Field(default=60.0, gt=0, description="min; B: Hainan IJEH 2021, hospitals within 60 min")
    # 万元 per upgrade besides the added beds; the Tongcheng figure is an average that already includes some beds
    unit_cost_wan: float = Field(default=1800.0, ge=0, description="万元; C: Hubei Tongcheng 2024 tender")
    bed_floor: int | None = Field(default=100, ge=0, description="beds an upgraded centre must have (二级综合医院); "
                                  "D: 医疗机构基本标准（试行） 卫医发〔1994〕30号; null: beds not costed")
    cost_per_added_bed_wan: float = Field(default=60.0, ge=0, description="万元 per bed added to reach bed_floor; "
                                          "C: four central health-centre projects 2015–2024 (30–73)")
    eligibility: SubcentreEligibility = SubcentreEligibility()
    min_spacing_minutes: float | None = Field(default=None, gt=0, description="min between two sub-centres")
    target_count: int | None = Field(default=None, ge=0, description="e.g. Guang'an plans 5 (seed 003)")
    target_rule: StandardRule = StandardRule(mode="soft")
    target_coverage: float | None = Field(
        default=None, ge=0, le=1,
        description="share of population within access_minutes of secondary care (min-budget target)",
    )
    secondary_levels: list[Level] = Field(
        default_factory=lambda: [Level.COUNTY_HOSPITAL, Level.SECONDARY_HOSPITAL, Level.TCM_HOSPITAL],
        description="levels that already give secondary care",
    )
    objective: Literal["coverage", "access_time"] = "coverage"


@dataclass(frozen=True)
class SubcentreData(FacilityData):
    """Secondary care today per site, and site pairs closer than the minimum spacing."""

    secondary_has: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    conflicts: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))


UPGRADE = ItemType(
    key="subcentre", label=Text("医疗卫生次中心", "Sub-centres"),
    name=Text("医疗卫生次中心建设项目", "upgrade to a medical sub-centre"),
    content=Text("按二级综合医院标准改造升级为医疗卫生次中心",
                 "Upgrade to a medical sub-centre at secondary general hospital standard"),
    nature=Text("改造升级", "Upgrade"), unit=Text("次中心", "sub-centre"),
    service="secondary", column="subcentre", cost_key="subcentre", symbol=HEXAGON,
)


def added_beds(kc: SubcentreConfig, sites: pd.DataFrame) -> np.ndarray:
    """Beds each site must add to reach ``bed_floor`` (≥ 0; NaN where the bed count is unknown: 0 or missing)."""
    beds = pd.to_numeric(sites["beds"], errors="coerce") if "beds" in sites else pd.Series(np.nan, sites.index)
    beds = beds.where(beds > 0).to_numpy(dtype=float)
    return np.where(np.isnan(beds), np.nan, np.maximum(float(kc.bed_floor or 0) - beds, 0.0))


class TargetCount(Standard):
    """The plan's number of sub-centres (seed 003: 按照二级综合医院标准规划建设医疗卫生次中心5个)."""

    name = "subcentre_target"
    kind = NAME
    label = Text("医疗卫生次中心数量", "Sub-centres")
    what = Text("目标数量的医疗卫生次中心", "the target sub-centres")
    source = src.SUBCENTRES
    items = ("subcentre",)

    def rule(self, cfg: OptimizerConfig) -> StandardRule | None:
        s = cfg.resources.subcentre
        return None if s.target_count is None else s.target_rule

    def required(self, data: ModelData) -> float:
        return float(data.cfg.resources.subcentre.target_count or 0)

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        kd: SubcentreData = m.data.kinds[NAME]
        new = [(v, 1.0) for (j, s), v in m.x.get("subcentre", {}).items() if s <= t]
        return expr(new, float(kd.has["subcentre"].sum()))

    def measure(self, data: ModelData, state: Measured) -> float:
        return float(state.stock["subcentre"].astype(bool).sum())

    def structural(self, data: ModelData) -> Finding | None:
        kd: SubcentreData = data.kinds[NAME]
        target = data.cfg.resources.subcentre.target_count or 0
        most = float(kd.has["subcentre"].sum() + kd.eligible["subcentre"].sum())
        if most >= target:
            return None
        msg = say("subcentre.target", target=target, most=f"{most:,.0f}")
        return Finding(self.name, msg, float(target), most, "sites", True)

    def min_cost(self, data: ModelData) -> float:
        kd: SubcentreData = data.kinds[NAME]
        need = int((data.cfg.resources.subcentre.target_count or 0) - kd.has["subcentre"].sum())
        costs = np.sort(data.cost["subcentre"][kd.eligible["subcentre"]])
        return float(costs[:need].sum()) if need > 0 and len(costs) >= need else 0.0

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        t = cfg.resources.subcentre.target_count
        if is_en(lang):
            return (f"plan of {t} medical sub-centres at secondary hospital standard" if t
                    else "medical sub-centres at secondary hospital standard")
        return f"落实规划建设医疗卫生次中心{t}个目标" if t else "落实按二级综合医院标准建设医疗卫生次中心要求"


class Subcentres(FacilityKind):
    """Sub-centres: binaries at eligible central THCs, with spacing rows between sites that are too close."""

    name = NAME
    label = Text("医疗卫生次中心", "Sub-centres")
    map_title = Text("医疗卫生次中心（二级医疗服务）", "Sub-centres (secondary care)")
    config = SubcentreConfig
    items = (UPGRADE,)
    services = (Service("secondary", Text("二级医疗服务覆盖", "Secondary care access"),
                        Text("二级医疗服务", "secondary care")),)
    colour = "#2166ac"
    costs = (UnitCost("subcentre", Text("次中心改造升级", "sub-centre upgrade"), "unit_cost_wan",
                      source=src.SUBCENTRE_COST),)
    programme = Text("推进医疗卫生次中心建设", "County medical sub-centres")
    standards = (TargetCount(),)
    # Hollow hexagons on maps: the scenario's secondary-level hospitals give secondary care without an upgrade.
    providers = Providers(Text("二级医院 / 医疗卫生次中心", "Secondary hospital / sub-centre"),
                          Text("提供二级医疗服务", "Gives secondary care"))
    site_columns = (ColumnSchema("subcentre", "bool", default=False, description="already a sub-centre (医疗卫生次中心)",
                                 aliases=("次中心", "医疗卫生次中心")),)
    target_service = "secondary"

    def threshold(self, kc: SubcentreConfig, service: str, urban: np.ndarray) -> np.ndarray:
        return np.full(len(urban), kc.access_minutes)

    def cutoff_minutes(self, kc: SubcentreConfig, *, ambulance_speed_factor: float = 1.0) -> float:
        """Access (× 3 for p-median), the spacing and the minutes from the county hospital."""
        f = ACCESS_TIME_HORIZON_FACTOR if kc.objective == "access_time" else 1.0
        return float(max(kc.access_minutes * f, kc.min_spacing_minutes or 0.0,
                         kc.eligibility.min_minutes_from_county_hospital))

    def prepare(self, ctx: PrepareContext) -> SubcentreData:
        """Eligibility by level, beds, population within access and minutes from the county hospital; spacing."""
        kc: SubcentreConfig = self.settings(ctx.cfg)
        inst, tt = ctx.instance, ctx.instance.travel
        level = ctx.level
        sub_has = ctx.column("subcentre")
        secondary_has = np.isin(level, [lv.value for lv in kc.secondary_levels]) | sub_has
        el = kc.eligibility
        eligible = np.isin(level, [lv.value for lv in el.levels]) & ~sub_has & ~secondary_has
        eligible &= ctx.column("beds", float) >= el.min_beds
        if el.min_population > 0:
            eligible &= population_within(tt, np.full(len(ctx.population), kc.access_minutes),
                                          ctx.population) >= el.min_population
        # Site-to-site minutes: exact when geodata computed them (Instance.site_travel), else the estimate through
        # the best common demand point, and only then the assumption sentence.
        st = exact_site_minutes(inst)
        estimated: list[str] = []
        county = np.flatnonzero(level == Level.COUNTY_HOSPITAL.value)
        if el.min_minutes_from_county_hospital > 0 and len(county) and eligible.any():
            cand = np.flatnonzero(eligible)
            lim = el.min_minutes_from_county_hospital
            if st is not None:  # driving FROM the county hospital TO the site (rows of site_travel = from)
                near = site_to_site_minutes(st, county, cand, lim).min(axis=0)
            else:
                near = site_minutes_via_demand(tt, cand, county, lim).min(axis=1)
                estimated.append("minutes from the county hospital")
            eligible[cand[near < lim]] = False
        conflicts = np.zeros((0, 2), dtype=np.int64)
        if kc.min_spacing_minutes is not None:
            pool = np.flatnonzero(eligible | sub_has)
            if len(pool) > 1:
                if st is not None:  # either direction shorter than the spacing makes the two sites too close
                    mins = site_to_site_minutes(st, pool, pool, kc.min_spacing_minutes)
                    mins = np.minimum(mins, mins.T)
                else:
                    mins = site_minutes_via_demand(tt, pool, pool, kc.min_spacing_minutes)
                    estimated.append("sub-centre spacing")
                a, b = np.nonzero(np.triu(mins < kc.min_spacing_minutes, k=1))
                conflicts = np.column_stack([pool[a], pool[b]]).astype(np.int64)
                # two existing sub-centres closer than the spacing stay (existing stock is never removed)
                conflicts = conflicts[~(sub_has[conflicts[:, 0]] & sub_has[conflicts[:, 1]])]
        notes = ()
        if estimated:
            zh = {"sub-centre spacing": "次中心间距", "minutes from the county hospital": "距县医院行车时间"}
            notes = (Text(
                f"站点间行车时间（{'、'.join(zh.get(e, e) for e in estimated)}）按经由同一村庄的最短时间推算（两站点"
                "分别到该村庄的行车时间之和），为道路行车时间的上限：行车时间数据未给出站点之间的时间（可在起讫点"
                "时间矩阵中补充站点之间的记录）。",
                f"Site-to-site minutes ({' and '.join(estimated)}) are estimated through the best common demand "
                "point (min over villages of t(site a, village) + t(site b, village)), an upper bound on the road "
                "time: the travel-time input gives no site-to-site times (add site → site pairs to the OD matrix).",
            ),)
        return SubcentreData(assumptions=notes, has={"subcentre": sub_has}, eligible={"subcentre": eligible},
                             secondary_has=secondary_has, conflicts=conflicts)

    def allowed(self, m: Model, item: ItemType) -> np.ndarray:
        """Not next to an existing sub-centre (closer than the spacing)."""
        kd: SubcentreData = m.data.kinds[NAME]
        blocked = np.zeros(m.data.n_sites, dtype=bool)
        for a, b in kd.conflicts:
            if kd.has["subcentre"][a]:
                blocked[b] = True
            if kd.has["subcentre"][b]:
                blocked[a] = True
        return ~blocked

    def add_variables(self, m: Model) -> None:
        """Binaries u_jt; ``sub_spacing_<a>_<b>``: Σ_t (u_at + u_bt) ≤ 1 for two sites closer than
        ``min_spacing_minutes`` (hard). Eligibility and spacing are ASSUMPTION rules; cost C: Hubei Tongcheng 2024."""
        super().add_variables(m)
        kd: SubcentreData = m.data.kinds[NAME]
        last = m.n_years - 1
        for a, b in kd.conflicts:
            terms = m.cumulative("subcentre", int(a), last) + m.cumulative("subcentre", int(b), last)
            if terms and not (kd.has["subcentre"][a] or kd.has["subcentre"][b]):
                m.add(expr(terms) <= 1, f"sub_spacing_{a}_{b}")

    def add_coverage(self, m: Model) -> None:
        """Secondary care within ``access_minutes`` (B: one-hour circle): secondary-level hospitals + sub-centres."""
        kc: SubcentreConfig = self.settings(m.data.cfg)
        kd: SubcentreData = m.data.kinds[NAME]
        add_kind_access(m, "secondary", ("subcentre",), kd.secondary_has, objective=kc.objective, weight=kc.weight,
                        target_coverage=kc.target_coverage)

    def site_cost_extra(self, kc: SubcentreConfig, sites: pd.DataFrame) -> tuple[dict[str, np.ndarray], list[Text]]:
        """An upgrade 「按二级综合医院标准」 brings the centre's beds to ``bed_floor``: cost per added bed × (floor −
        beds) on top of the base (万元). Sites with no bed count (0 or missing) get no bed cost, and a note says so."""
        if kc.bed_floor is None:
            return {}, []
        beds = added_beds(kc, sites)
        # only sites of the eligible levels could be upgraded: a greenfield candidate without beds is no gap
        could = sites["level"].astype(str).isin([lv.value for lv in kc.eligibility.levels]).to_numpy() \
            if "level" in sites else np.ones(len(sites), dtype=bool)
        unknown = int((np.isnan(beds) & could).sum())
        # the Tongcheng average is cited only when the scenario kept it, with the caveat that it includes beds
        if "unit_cost_wan" in kc.model_fields_set:
            base = Text("情景设定", "the scenario's figure")
        else:
            base = Text(f"{src.SUBCENTRE_COST.cite('zh')}；该平均数已含部分床位，两项相加可能偏高",
                        f"{src.SUBCENTRE_COST.cite('en')}; an average that already includes some beds, so the sum "
                        "may overstate")
        notes = [Text(
            f"次中心按二级综合医院标准补足床位至{kc.bed_floor}张（{src.SECONDARY_BEDS.cite('zh')}），每新增床位"
            f"{kc.cost_per_added_bed_wan:g}万元（{src.COST_PER_BED.cite('zh')}），另加每个次中心改造"
            f"{kc.unit_cost_wan:g}万元（{base.zh}）。",
            f"Sub-centre upgrades add beds up to {kc.bed_floor} ({src.SECONDARY_BEDS.cite('en')}) at "
            f"{kc.cost_per_added_bed_wan:g} (10k CNY) per bed ({src.COST_PER_BED.cite('en')}) on top of "
            f"{kc.unit_cost_wan:g} per upgrade ({base.en}).")]
        if unknown:
            notes.append(Text(f"{unknown}个站点无床位数，其次中心造价不含床位部分（请在机构图层中补充床位数）。",
                              f"{unknown} site(s) have no bed count: their sub-centre cost has no bed part (add a beds "
                              "column to the facilities layer)."))
        return {"subcentre": np.nan_to_num(beds, nan=0.0) * kc.cost_per_added_bed_wan}, notes

    def item_figures(self, data: ModelData, items: pd.DataFrame, j: np.ndarray,
                     pairs: dict[str, tuple[np.ndarray, np.ndarray]],
                     units_after: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``beds_added``: beds each upgrade adds to reach ``bed_floor`` (NaN when the bed count is unknown)."""
        kc: SubcentreConfig = self.settings(data.cfg)
        if kc.bed_floor is None:
            return {}
        return {"beds_added": added_beds(kc, data.instance.sites)[j]}

    def units(self, data: ModelData, stock: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Secondary care: the scenario's secondary levels (county, secondary, TCM hospitals) and sub-centres."""
        levels = [lv.value for lv in self.settings(data.cfg).secondary_levels]
        return {"secondary": (np.isin(data.level, levels) | stock["subcentre"].astype(bool)).astype(float)}

    def item_content(self, item: ItemType, row: Any, site: pd.Series, lang: str) -> str:
        beds = site.get("beds") if len(site) else None
        beds = None if beds is None or pd.isna(beds) or float(beds) <= 0 else int(beds)
        added = getattr(row, "beds_added", None)
        added = None if added is None or pd.isna(added) else int(added)
        if beds is not None and added:
            return (item.content("en") + f" (beds from {beds} to {beds + added}, {added} added)" if is_en(lang)
                    else item.content("zh") + f"（床位由{beds}张增至{beds + added}张，新增{added}张）")
        if is_en(lang):
            return item.content("en") + (f" (existing {beds} beds)" if beds else "")
        return item.content("zh") + (f"（现有床位{beds}张）" if beds else "")


SUBCENTRES = Subcentres()
