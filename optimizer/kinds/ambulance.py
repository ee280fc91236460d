"""Ambulances (救护车): integer ordinary and negative-pressure vehicles per station, new stations, MEXCLP expected
coverage (Daskin 1983) and plain single coverage; the fleet ratio, negative-pressure share and one-per-THC
standards."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pulp
from pydantic import Field
from scipy import sparse

from healthplan.geodata.levels import Level
from healthplan.geodata.schemas import ColumnSchema
from healthplan.optimizer import sources as src
from healthplan.optimizer.coverage import build_groups, coverage_pairs
from healthplan.optimizer.kind import (
    SQUARE,
    ItemType,
    KindConfig,
    KindData,
    ResourceKind,
    Service,
    StandardRule,
    UnitCost,
)
from healthplan.optimizer.messages import say
from healthplan.optimizer.model import Terms, expr
from healthplan.optimizer.standard import Finding, Measured, Standard, pct
from healthplan.optimizer.text import Text, is_en

if TYPE_CHECKING:
    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.kind import PrepareContext
    from healthplan.optimizer.model import Model
    from healthplan.optimizer.prepare import ModelData

NAME = "ambulance"
# A county's whole fleet is tens of vehicles (1 per 10,000-30,000 people), a station's a few: 200 at one site
# is unusual, 10,000 more than a province has.
FLEET_BOUNDS: dict[str, Any] = {"maximum": 10_000, "warn_above": 200,
                                "bound_reason": "more vehicles than a whole province has",
                                "warn_reason": "a whole county's fleet is tens of vehicles"}
MINUTES_PER_YEAR = 365 * 24 * 60  # vehicle-minutes one ambulance offers in a year (24/7 crews, Beijing 2006 rule)
Q_BOUNDS = (0.001, 0.95)  # keep a derived busy fraction inside (0, 1): MEXCLP needs 0 < q < 1
THC_LEVELS = (Level.CENTRAL_THC.value, Level.THC.value)
# demand groups from which the opening rows (amb_open_<h>_<t>) are added. Measured with growth.py (3-year, 180 s):
# 2,500 villages (≈ 620 groups with a new station in reach) 12.04 → 10.51 % gap; 5,000 villages 3.18 % → optimal
# (0.19 %) in 60 s; the 20,000-village one-year plan 29.0 s at 0.93 % → 18.4 s at 0.00 %, and its 3-year plan's
# relaxation 13.81 → 13.14 M weighted persons (optimizer.relaxation_support). The 3-year demo (62 groups) solved
# in 5.0 s with them against 2.6 s without (the same optimum, 3 runs each): small models do without. Between the
# two (3-year, one run each, both optimal within 1 %): 1,200 villages (324 groups) 6.5 s with, 7.3 s without;
# 1,800 villages (508 groups) 46.4 s with, 97.7 s without
OPEN_ROWS_MIN_GROUPS = 500


class AmbulanceConfig(KindConfig):
    """Ambulances: integer ordinary and negative-pressure vehicles per station, expected coverage (MEXCLP)."""

    response_minutes_urban: float = Field(default=15.0, gt=0, description="min; B: Guizhou rescue targets")
    response_minutes_rural: float = Field(default=30.0, gt=0, description="min; B: Guizhou rescue targets")
    dispatch_minutes: float = Field(
        default=3.0, ge=0, description="min deducted from the response target (A: 国卫医发〔2020〕19号, 3分钟出车)"
    )
    busy_fraction: float | None = Field(
        default=None, gt=0, lt=1, description="MEXCLP q; None = derived from calls and minutes per call"
    )
    calls_per_1000_per_year: float = Field(default=30.0, gt=0, description="EMS calls per 1,000 persons a year; ASSUMPTION",
                                           json_schema_extra={"zh": "每千人每年急救呼叫次数", "unit_zh": "次"})
    minutes_per_call: float = Field(default=60.0, gt=0, description="vehicle minutes per call; ASSUMPTION",
                                    json_schema_extra={"zh": "每次急救出车占用时间", "unit_zh": "分钟"})
    coverage_depth: int = Field(default=3, ge=1, le=10, description="MEXCLP levels: value the 1st … k-th vehicle")
    unit_cost_ord_wan: float = Field(default=25.0, ge=0, description="万元; C: Chongqing Xiushan 2020")
    unit_cost_np_wan: float = Field(default=35.0, ge=0, description="万元; C: Ford NPA 2020, Xiamen")
    new_station_cost_wan: float = Field(default=100.0, ge=0, description="万元 to open a new station; ASSUMPTION",
                                        json_schema_extra={"zh": "新建急救站造价", "unit_zh": "万元"})
    opex_wan_per_vehicle_year: float = Field(default=35.0, ge=0, description="万元/vehicle-year; C: Beijing Tongzhou")
    station_levels: list[Level] = Field(
        default_factory=lambda: [
            Level.COUNTY_HOSPITAL, Level.SECONDARY_HOSPITAL, Level.TCM_HOSPITAL, Level.MCH_HOSPITAL,
            Level.CENTRAL_THC, Level.THC, Level.CHC,
        ],
        description="levels that may host an ambulance station: public hospitals and community/township health "
        "centres (A: Ganzhou plan, seed 000 item 12: 依托公立医院、社区服务中心、基层卫生院建立急救站)",
    )
    greenfield_stations: bool = Field(
        default=False, description="also allow new stations at greenfield candidate sites (bus stations, markets)",
    )
    np_priority: list[Level] = Field(
        default_factory=lambda: [
            Level.COUNTY_HOSPITAL, Level.SECONDARY_HOSPITAL, Level.TCM_HOSPITAL, Level.MCH_HOSPITAL,
            Level.CENTRAL_THC, Level.THC, Level.CHC, Level.CANDIDATE,
        ],
        description="order in which the plan's negative-pressure vehicles are placed among its new vehicles: "
        "stations with a fever clinic first (infectious transfers go to fever clinics), then by this level order",
    )
    default_station_capacity: int = Field(default=6, ge=1, description="vehicles per station when the site gives none")
    urban_pop_per_vehicle: float = Field(default=30_000, gt=0, description="persons; A: 国卫医发〔2020〕19号")
    rural_pop_per_vehicle: float = Field(default=10_000, gt=0, description="persons; A: same, county base ×3")
    np_share: float = Field(default=0.4, ge=0, le=1, description="negative-pressure share; A: 国卫医发〔2020〕19号")
    fleet: StandardRule = StandardRule(mode="soft")
    np_share_rule: StandardRule = StandardRule(mode="soft")
    one_per_thc: StandardRule = Field(
        default=StandardRule(mode="off"), description="≥ 1 ambulance per township health centre (ASSUMPTION: no text found)"
    )
    target_coverage: float | None = Field(
        default=None, ge=0, le=1,
        description="share of population with ≥ 1 vehicle within the response standard (min-budget target)",
    )

    def drive_minutes(self, urban: bool) -> float:
        """Drive-time threshold (min): response target − dispatch overhead."""
        resp = self.response_minutes_urban if urban else self.response_minutes_rural
        return max(resp - self.dispatch_minutes, 0.0)


@dataclass(frozen=True)
class AmbulanceData(KindData):
    """Vehicles per site today, where new ones may go, station capacity, the busy fraction and the fleet asked."""

    ord: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # ordinary vehicles today
    np: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # negative-pressure vehicles today
    eligible: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # may host (more) vehicles
    capacity: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # most vehicles after the plan
    thc: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # township health centre
    q: float = 0.0  # MEXCLP busy fraction
    fleet_required: float = 0.0  # vehicles the ratio standard asks

    @property
    def fleet(self) -> np.ndarray:
        """Vehicles per site today."""
        return self.ord + self.np


def fleet_required(instance: Any, kc: AmbulanceConfig) -> float:
    """Vehicles the fleet standard asks: ⌈urban / 30,000 + rural / 10,000⌉ (国卫医发〔2020〕19号, ratios in kc)."""
    d = instance.demand
    urban = float(d.loc[d["urban"].astype(bool), "population"].sum())
    rural = float(d["population"].sum()) - urban
    return float(np.ceil(urban / kc.urban_pop_per_vehicle + rural / kc.rural_pop_per_vehicle - 1e-9))


def busy_fraction(instance: Any, kc: AmbulanceConfig) -> tuple[float, bool]:
    """MEXCLP busy fraction q and whether it was derived.

    Derived as calls × minutes per call ÷ (fleet × minutes per year), with the fleet taken as the larger of the
    existing fleet and the fleet the ratio standard asks (the fleet the plan aims at), clipped to ``Q_BOUNDS``.
    """
    if kc.busy_fraction is not None:
        return float(kc.busy_fraction), False
    s = instance.sites
    existing = float(s["amb_ord"].sum() + s["amb_np"].sum())
    fleet = max(existing, fleet_required(instance, kc), 1.0)
    calls = instance.population * kc.calls_per_1000_per_year / 1000.0
    q = calls * kc.minutes_per_call / (fleet * MINUTES_PER_YEAR)
    return float(np.clip(q, *Q_BOUNDS)), True


# ---------------------------------------------------------------- standards


class _AmbulanceStandard(Standard):
    kind = NAME
    items = ("ambulance",)

    def _kc(self, cfg: OptimizerConfig) -> AmbulanceConfig:
        return cfg.resources.ambulance


def _fleet_expr(m: Model, t: int) -> pulp.LpAffineExpression:
    """Total fleet (existing + new) by year position t, vehicles."""
    kd: AmbulanceData = m.data.kinds[NAME]
    return expr(_new_all(m, ("amb_ord", "amb_np"), t), float(kd.fleet.sum()))


def _new_all(m: Model, families: tuple[str, ...], t: int, mask: np.ndarray | None = None) -> Terms:
    return [(v, 1.0) for f in families for (j, s), v in m.x.get(f, {}).items()
            if s <= t and (mask is None or mask[j])]


class FleetRatio(_AmbulanceStandard):
    """Fleet ≥ ⌈urban / 30,000 + rural / 10,000⌉ vehicles (国卫医发〔2020〕19号; seed 000 item 8)."""

    name = "amb_fleet_ratio"
    label = Text("救护车配置数量", "Ambulance fleet")
    what = Text("配置标准所需救护车", "the vehicles the fleet standard needs")
    source = src.EMS_FLEET
    unit = "vehicles"

    def rule(self, cfg: OptimizerConfig) -> StandardRule:
        return self._kc(cfg).fleet

    def required(self, data: ModelData) -> float:
        return data.kinds[NAME].fleet_required

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        return _fleet_expr(m, t)

    def measure(self, data: ModelData, state: Measured) -> float:
        return float(state.stock["amb_ord"].sum() + state.stock["amb_np"].sum())

    def structural(self, data: ModelData) -> Finding | None:
        kd: AmbulanceData = data.kinds[NAME]
        spare = _spare(kd)
        most, need = float(kd.fleet.sum() + spare.sum()), kd.fleet_required
        if most >= need:
            return None
        msg = say("amb.fleet_capacity", standard=self.label("zh"), need=f"{need:,.0f}", most=f"{most:,.0f}",
                  existing=f"{kd.fleet.sum():,.0f}", spare=f"{spare.sum():,.0f}")
        return Finding(self.name, msg, need, most, "vehicles", True)

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        kc = self._kc(cfg)
        if is_en(lang):
            parts = {"urban": f"1 ambulance per {kc.urban_pop_per_vehicle:,.0f} urban residents",
                     "rural": f"1 ambulance per {kc.rural_pop_per_vehicle:,.0f} rural residents"}
            return "standard of " + by_area(parts, urban_share, " and ")
        parts = {"urban": f"城市地区每{_wan_persons(kc.urban_pop_per_vehicle)}人口",
                 "rural": f"农村地区每{_wan_persons(kc.rural_pop_per_vehicle)}人口"}
        return f"落实{by_area(parts, urban_share, '、')}配置1辆救护车标准"


class NegativePressureShare(_AmbulanceStandard):
    """Negative-pressure vehicles ≥ 40 % of the fleet, as the linear row NP − share × fleet ≥ 0 (vehicles)."""

    name = "amb_np_share"
    label = Text("负压救护车占比", "Negative-pressure share")
    what = Text("所需负压救护车", "the negative-pressure vehicles")
    source = src.EMS_NP_SHARE
    unit = "vehicles"
    integer = False

    def rule(self, cfg: OptimizerConfig) -> StandardRule:
        return self._kc(cfg).np_share_rule

    def required(self, data: ModelData) -> float:
        return 0.0

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        kd: AmbulanceData = m.data.kinds[NAME]
        npt = expr(_new_all(m, ("amb_np",), t), float(kd.np.sum()))
        return npt - self._kc(m.data.cfg).np_share * _fleet_expr(m, t)

    def row_for_milestone(self, m: Model, spec: Any, t: int, share: float) -> tuple[Any, float]:
        # a milestone on a ratio: NP ≥ s_t × fleet with s_t = today's NP share + μ × (required share − today's),
        # i.e. level + (share − s_t) × fleet ≥ 0
        from healthplan.optimizer.phasing import milestone_target

        kd: AmbulanceData = m.data.kinds[NAME]
        need = self._kc(m.data.cfg).np_share
        fleet0 = float(kd.fleet.sum())
        s_t = milestone_target(need, float(kd.np.sum()) / fleet0 if fleet0 else 0.0, share, False)
        return spec.level[t] + (need - s_t) * _fleet_expr(m, t), 0.0

    def measure(self, data: ModelData, state: Measured) -> float:
        fleet = float(state.stock["amb_ord"].sum() + state.stock["amb_np"].sum())
        return float(state.stock["amb_np"].sum()) / fleet if fleet else 0.0

    def table_row(self, data: ModelData, before: Measured, after: Measured) -> dict[str, Any]:
        has_fleet = float(after.stock["amb_ord"].sum() + after.stock["amb_np"].sum()) > 0
        return {"required": self._kc(data.cfg).np_share if has_fleet else 0.0,
                "existing": self.measure(data, before), "planned": self.measure(data, after), "unit": "share"}

    def serves(self, data: ModelData, items: Any, j: np.ndarray) -> np.ndarray:
        return ((items["kind"] == "ambulance") & (items["quantity_np"] > 0)).to_numpy()

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        p = pct(self._kc(cfg).np_share)
        return f"negative-pressure ambulances ≥ {p}% of the fleet" if is_en(lang) else f"落实负压救护车占比不低于{p}%要求"


class OnePerTownshipCentre(_AmbulanceStandard):
    """Every township health centre holds at least one ambulance (Guizhou 2021 plan); indicator z_j ≤ new vehicles."""

    name = "amb_one_per_thc"
    label = Text("每个乡镇卫生院至少1辆救护车", "≥ 1 ambulance per township health centre")
    what = Text("每个乡镇卫生院1辆救护车", "one ambulance per township health centre")
    source = src.EMS_ONE_PER_THC
    unit = "sites"

    def rule(self, cfg: OptimizerConfig) -> StandardRule:
        return self._kc(cfg).one_per_thc

    def required(self, data: ModelData) -> float:
        return float(data.kinds[NAME].thc.sum())

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        kd: AmbulanceData = m.data.kinds[NAME]
        have = kd.thc & (kd.fleet > 0)
        zs: Terms = []
        for j in np.flatnonzero(kd.thc & ~have):
            z = m.var(f"amb_thc_has_{j}_{t}", 0, 1)
            new = [(v, -1.0) for f in ("amb_ord", "amb_np") for v, _ in m.cumulative(f, int(j), t)]
            m.add(expr([(z, 1.0), *new]) <= 0, f"amb_thc_has_{j}_{t}")
            zs.append((z, 1.0))
        return expr(zs, float(have.sum()))

    def measure(self, data: ModelData, state: Measured) -> float:
        kd: AmbulanceData = data.kinds[NAME]
        return float(((state.stock["amb_ord"] + state.stock["amb_np"] > 0) & kd.thc).sum())

    def serves(self, data: ModelData, items: Any, j: np.ndarray) -> np.ndarray:
        return (items["kind"] == "ambulance").to_numpy() & data.kinds[NAME].thc[j]

    def structural(self, data: ModelData) -> Finding | None:
        kd: AmbulanceData = data.kinds[NAME]
        stuck = kd.thc & (kd.fleet == 0) & (_spare(kd) <= 0)
        if not stuck.any():
            return None
        ids = list(data.instance.sites.index.astype(str)[stuck][:5])
        return Finding(self.name, say("amb.thc_stuck", n=int(stuck.sum()), ids=ids), float(kd.thc.sum()),
                       float(kd.thc.sum() - stuck.sum()), "sites", True)

    def min_cost(self, data: ModelData) -> float:
        kd: AmbulanceData = data.kinds[NAME]
        need = kd.thc & (kd.fleet == 0)
        c = data.cost
        return float((np.minimum(c["ambulance_ord"], c["ambulance_np"]) + c["new_station"])[need].sum())

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        return ("at least 1 ambulance per township health centre" if is_en(lang)
                else "落实每个乡镇卫生院至少配备1辆救护车要求")


ONE_PER_THC = OnePerTownshipCentre()


def _spare(kd: AmbulanceData) -> np.ndarray:
    """Free vehicle capacity per site where a station may stand."""
    return np.where(kd.eligible, kd.capacity - kd.fleet, 0)


# ---------------------------------------------------------------- the kind


SINGLE = "ambulance_single"
ITEM = ItemType(
    key="ambulance", label=Text("救护车", "Ambulances"),
    name=Text("急救站救护车购置项目", "ambulance purchase"),
    content=Text("购置救护车", "Purchase of ambulances"),
    nature=Text("购置", "Purchase"), unit=Text("站", "station"),
    service=SINGLE, column="amb_ord", cost_key="ambulance_ord", symbol=SQUARE,
)


class Ambulances(ResourceKind):
    """Ambulances at stations: vehicles are integers, coverage is MEXCLP expected coverage."""

    name = NAME
    label = Text("救护车", "Ambulances")
    map_title = Text("救护车（院前急救）", "Ambulances (pre-hospital emergency care)")
    config = AmbulanceConfig
    items = (ITEM,)
    services = (
        Service("ambulance", Text("急救覆盖（期望覆盖）", "Ambulance (expected coverage)"), Text("急救", "emergency response"),
                ambulance_minutes=True, expected=True),
        Service(SINGLE, Text("急救覆盖（单重覆盖）", "Ambulance (single coverage)"), Text("急救", "emergency response"),
                ambulance_minutes=True),
    )
    colour = "#d7301f"
    costs = (UnitCost("ambulance_ord", Text("普通救护车", "ordinary ambulance"), "unit_cost_ord_wan",
                      source=src.AMB_COST_ORD),
             UnitCost("ambulance_np", Text("负压救护车", "negative-pressure ambulance"), "unit_cost_np_wan",
                      source=src.AMB_COST_NP),
             UnitCost("new_station", Text("新建急救站", "new station"), "new_station_cost_wan", source=src.ASSUMPTION))
    programme = Text("推进院前医疗急救网络建设", "Pre-hospital emergency network")
    standards = (FleetRatio(), NegativePressureShare(), ONE_PER_THC)
    columns = ("amb_ord", "amb_np")  # type: ignore[assignment]
    count_columns = ("amb_ord", "amb_np")
    stock_words = {"amb_ord": Text("普通救护车{n}辆", "{n} ordinary ambulances"),
                   "amb_np": Text("负压救护车{n}辆", "{n} negative-pressure ambulances")}
    site_columns = (
        ColumnSchema("amb_ord", "int", "vehicles", default=0, minimum=0, description="existing ordinary ambulances",
                     aliases=("普通救护车",), **FLEET_BOUNDS),
        ColumnSchema("amb_np", "int", "vehicles", default=0, minimum=0,
                     description="existing negative-pressure ambulances", aliases=("负压救护车",), **FLEET_BOUNDS),
        ColumnSchema("station_capacity", "int", "vehicles", default=0, minimum=0,
                     description="most ambulances the station can hold; 0 = use the scenario default "
                     "(ambulance.default_station_capacity)", aliases=("车位",), **FLEET_BOUNDS),
    )
    target_service = SINGLE

    map_services = (SINGLE, "ambulance")  # type: ignore[assignment]  # maps shade plain single coverage

    def threshold(self, kc: AmbulanceConfig, service: str, urban: np.ndarray) -> np.ndarray:
        """Drive minutes (ambulance minutes): response standard − dispatch, urban 15 − 3, rural 30 − 3."""
        return np.where(urban, kc.drive_minutes(True), kc.drive_minutes(False))

    def time_text(self, kc: AmbulanceConfig, service: str) -> dict[str, float]:
        """Sentences quote the response standard (15 / 30 min), not the drive minutes."""
        return {"urban": kc.response_minutes_urban, "rural": kc.response_minutes_rural}

    def prepare(self, ctx: PrepareContext) -> AmbulanceData:
        """Existing vehicles (constants, never removed), capacity ≥ existing, eligibility by level, q."""
        kc: AmbulanceConfig = self.settings(ctx.cfg)
        ordv, npv = ctx.column("amb_ord", np.int64), ctx.column("amb_np", np.int64)
        cap = ctx.column("station_capacity", np.int64)
        cap = np.maximum(np.where(cap > 0, cap, kc.default_station_capacity), ordv + npv)
        q, derived = busy_fraction(ctx.instance, kc)
        notes = []
        if derived:
            notes.append(Text(
                f"救护车繁忙概率按每千人每年急救呼叫{kc.calls_per_1000_per_year:g}次、每次出车占用"
                f"{kc.minutes_per_call:g}分钟和目标车辆数推算为{q:.3f}（未设定时为假设值）。",
                f"Ambulance busy fraction q = {q:.3f} derived from {kc.calls_per_1000_per_year:g} calls per 1,000 "
                f"persons a year × {kc.minutes_per_call:g} min per call over the target fleet (ASSUMPTION "
                "defaults unless the scenario sets them).",
            ))
        if kc.greenfield_stations:
            notes.append(Text(
                "情景允许新选址急救站（resources.ambulance.greenfield_stations）：新建急救站可设在非医疗卫生机构的候选点"
                "（规划通常依托公立医院、社区卫生服务中心、乡镇卫生院建立急救站）。",
                "Greenfield stations allowed (resources.ambulance.greenfield_stations): new stations may stand at "
                "candidate sites that are not health facilities (seed 000 item 12 places them at public hospitals and "
                "health centres).",
            ))
        req = fleet_required(ctx.instance, kc)
        return AmbulanceData(
            assumptions=tuple(notes), notes={"q": q, "fleet_required": req},
            ord=ordv, np=npv, eligible=np.isin(ctx.level, [lv.value for lv in kc.station_levels])
            | (ctx.instance.sites["candidate"].to_numpy(dtype=bool) & kc.greenfield_stations),
            capacity=cap, thc=np.isin(ctx.level, THC_LEVELS), q=q, fleet_required=req,
        )

    # ------------------------------------------------------------ model

    def add_variables(self, m: Model) -> None:
        """New vehicles a_jt^ord, a_jt^np ∈ ℤ≥0 and new-station binaries s_jt at eligible stations.

        Rows: ``amb_capacity_<j>``  Σ_t (a_jt^ord + a_jt^np) ≤ cap_j − existing_j  (vehicles, hard);
        ``amb_station_<j>_<t>``  Σ_{τ≤t} (a^ord + a^np) ≤ (cap_j) · Σ_{τ≤t} s_jτ at sites without vehicles today
        (a new station must be opened, once, at its fixed cost; seed 000 item 12: stations at public hospitals
        and health centres). Existing vehicles are constants and are never removed.
        """
        kd: AmbulanceData = m.data.kinds[NAME]
        cost = m.data.cost
        ordv, npv, stv = m.family("amb_ord"), m.family("amb_np"), m.family("amb_station")
        for j in np.flatnonzero(kd.eligible):
            spare = int(kd.capacity[j] - kd.fleet[j])
            if spare <= 0:
                continue
            for t in range(m.n_years):
                ordv[(j, t)] = m.var(f"amb_ord_{j}_{t}", 0, spare, cat=pulp.LpInteger)
                npv[(j, t)] = m.var(f"amb_np_{j}_{t}", 0, spare, cat=pulp.LpInteger)
                m.add_cost(NAME, t, ordv[(j, t)], float(cost["ambulance_ord"][j]))
                m.add_cost(NAME, t, npv[(j, t)], float(cost["ambulance_np"][j]))
            m.add(expr(_new(m, j, m.n_years - 1)) <= spare, f"amb_capacity_{j}")
            if kd.fleet[j] == 0:
                for t in range(m.n_years):
                    stv[(j, t)] = m.var(f"amb_station_{j}_{t}", 0, 1, cat=pulp.LpBinary)
                    m.add_cost(NAME, t, stv[(j, t)], float(cost["new_station"][j]))
                for t in range(m.n_years):
                    opened = [(v, -float(spare)) for v, _ in m.cumulative("amb_station", j, t)]
                    m.add(expr(_new(m, j, t) + opened) <= 0, f"amb_station_{j}_{t}")
                    # a station is opened only with vehicles: s_jt ≤ Σ_{τ≤t} new vehicles (seen empty at 0 cost)
                    m.add(expr([(stv[(j, t)], 1.0)] + [(v, -c) for v, c in _new(m, j, t)]) <= 0,
                          f"amb_station_used_{j}_{t}")
                if m.n_years > 1:
                    m.add(expr(m.cumulative("amb_station", j, m.n_years - 1)) <= 1, f"amb_station_once_{j}")

    def add_coverage(self, m: Model) -> None:
        """MEXCLP expected coverage (Daskin 1983) and plain single coverage, per demand group h and year t.

        Row ``amb_cover_<h>_<t>``: Σ_{k=E_h+1..K} y_hkt ≤ Σ_{j∈N(h)} Σ_{τ≤t} (a_jτ^ord + a_jτ^np), y ∈ [0, 1],
        where E_h is the number of existing vehicles within the drive threshold (response − dispatch, urban/rural;
        A: Guizhou 2021, 2020 national guidance) and K = coverage_depth. Expected covered persons =
        Σ_h P_h Σ_k (1−q) q^(k−1) y_hk (the k-th vehicle in reach covers with probability (1−q) q^(k−1)); since
        these weights decrease in k the LP fills levels in order. Single coverage (``ambulance_single``) is y_h1.
        Soft: enters the objective only.

        Row ``amb_open_<h>_<t>`` (models of at least :data:`OPEN_ROWS_MIN_GROUPS` demand groups) where a site in
        reach would need a new station: y_h,E_h+1,t ≤ Σ_{j∈N(h) new}
        Σ_{τ≤t} s_jτ + Σ_{j∈N(h) stocked} Σ_{τ≤t} (a^ord + a^np). Valid for every plan (the first new level needs a
        vehicle in reach, and a vehicle at a new station needs the whole station); without it the relaxation buys
        1/capacity of a station per vehicle. On the generated 20,000-village 3-year plan the coverage stage's
        relaxation fell from 13,810,564 to 13,140,578 weighted persons, and the new stations in it from 440
        fractional values to 12 (rows for the second and third levels as well left it at 13,140,578). Small
        models do without: HiGHS branches on their few stations, and the rows doubled the 3-year demo's solve.
        """
        d = m.data
        kc: AmbulanceConfig = self.settings(d.cfg)
        kd: AmbulanceData = d.kinds[NAME]
        eq = d.cfg.equity
        by_town = eq.theta is not None and bool({"ambulance", SINGLE} & set(eq.kinds))
        depth, q = kc.coverage_depth, kd.q
        candidate = np.zeros(d.n_sites, dtype=bool)
        for j, _ in m.x.get("amb_ord", {}):
            candidate[j] = True
        g = build_groups(d.instance, "ambulance", coverage_pairs(d.instance, d.cfg, "ambulance"),
                         kd.fleet.astype(float), candidate, depth, by_township=by_town)
        m.groups["ambulance"] = g
        level_w = (1 - q) * q ** np.arange(depth)  # probability the k-th vehicle in reach answers
        const_exp = g.population * np.array([level_w[:e].sum() for e in g.existing])
        const_single = g.population * (g.existing >= 1)
        strengthen = len(g.sites) >= OPEN_ROWS_MIN_GROUPS
        for t in range(m.n_years):
            e_exp: Terms = []
            e_single: Terms = []
            town_exp: dict[str, Terms] = {}
            town_single: dict[str, Terms] = {}
            stock = m.stock_by_site(("amb_ord", "amb_np"), t, -1.0)
            opened = m.stock_by_site(("amb_station",), t, -1.0)
            for h in np.flatnonzero([len(s) > 0 for s in g.sites]):
                ys = []
                for k in range(int(g.existing[h]), depth):
                    y = m.var(f"amb_cov_{h}_{k + 1}_{t}", 0, 1)
                    ys.append((y, 1.0))
                    c = float(g.population[h] * level_w[k])
                    e_exp.append((y, c))
                    town_exp.setdefault(g.township[h], []).append((y, c))
                    if k == 0:
                        e_single.append((y, float(g.population[h])))
                        town_single.setdefault(g.township[h], []).append((y, float(g.population[h])))
                supply = [tc for j in g.sites[h] for tc in stock.get(int(j), ())]
                m.add(expr(ys + supply) <= 0, f"amb_cover_{h}_{t}")
                opening = [tc for j in g.sites[h] for tc in opened.get(int(j), ())] if strengthen else []
                if ys and opening:
                    # the first new level needs one vehicle in reach, and a vehicle at a new station needs the
                    # whole station: y ≤ Σ stations opened + Σ vehicles at existing stations. Valid for every
                    # plan, and it stops the relaxation buying 1/capacity of a station per vehicle
                    kept = [tc for j in g.sites[h] if int(j) not in opened for tc in stock.get(int(j), ())]
                    m.add(expr([ys[0]] + opening + kept) <= 0, f"amb_open_{h}_{t}")
            m.covered[("ambulance", t)] = expr(e_exp, float(const_exp.sum()))
            m.covered[(SINGLE, t)] = expr(e_single, float(const_single.sum()))
            if by_town:
                for town in np.unique(g.township):
                    sel = g.township == town
                    m.covered_town[("ambulance", t, town)] = expr(town_exp.get(town, []), float(const_exp[sel].sum()))
                    m.covered_town[(SINGLE, t, town)] = expr(town_single.get(town, []), float(const_single[sel].sum()))
            m.coverage += [(v, c * kc.weight * m.year_weight[t]) for v, c in e_exp]

    def read_items(self, m: Model) -> list[dict[str, Any]]:
        """One row per (station, year) with vehicles, split ordinary / negative-pressure, and the station flag.

        The split follows a rule, not the solver's ties (:func:`_np_split`), so two plans never differ only by
        negative-pressure / ordinary swaps between the same stations.
        """
        cost = m.data.cost
        ordv, npv, stv = m.x.get("amb_ord", {}), m.x.get("amb_np", {}), m.x.get("amb_station", {})
        split = _np_split(m)
        rows = []
        for j, t in sorted(set(ordv) | set(npv)):
            total = round(_val(ordv.get((j, t)))) + round(_val(npv.get((j, t))))
            qn = split.get((j, t), 0)
            qo = total - qn
            new_station = round(_val(stv.get((j, t)))) == 1
            if qo + qn == 0 and not new_station:
                continue
            c = qo * cost["ambulance_ord"][j] + qn * cost["ambulance_np"][j] + (cost["new_station"][j] if new_station
                                                                               else 0.0)
            rows.append({"kind": ITEM.key, "j": j, "t": t, "quantity": qo + qn, "quantity_ord": qo,
                         "quantity_np": qn, "new_station": new_station, "cost_wan": float(c)})
        return rows

    def start_values(self, m: Model, item: pd.Series, j: int, t: int) -> dict[str, float]:
        out = {}
        for fam, val in (("amb_ord", item["quantity_ord"]), ("amb_np", item["quantity_np"]),
                         ("amb_station", float(bool(item["new_station"])))):
            v = m.x.get(fam, {}).get((j, t))
            if v is not None:
                out[v.name] = float(val)
        return out

    def opex_floor(self, data: ModelData) -> tuple[float, Text | str]:
        """A hard fleet standard forces the running cost of the missing vehicles."""
        kc: AmbulanceConfig = self.settings(data.cfg)
        kd: AmbulanceData = data.kinds[NAME]
        if kc.fleet.mode != "hard":
            return 0.0, ""
        return max(kd.fleet_required - float(kd.fleet.sum()), 0.0) * kc.opex_wan_per_vehicle_year, say(
            "amb.opex_why", standard=self.standards[0].label("zh"))

    def allow(self, data: ModelData, item: str, j: int) -> bool:
        kd: AmbulanceData = data.kinds[NAME]
        was = bool(kd.eligible[j])
        kd.eligible[j] = True
        return was

    def forbid(self, data: ModelData, item: str, j: int) -> None:
        data.kinds[NAME].eligible[j] = False

    def decision_terms(self, m: Model, item: str, j: int, t: int) -> Terms:
        """New vehicles of both types at site ``j`` in years 0 … t."""
        return _new(m, j, t)

    def fix_committed(self, m: Model, item: str, j: int, t: int, decision: Any) -> set[str]:
        """The committed vehicles (``quantity``, of which ``quantity_np`` negative-pressure) in year ``t``, and the
        station they open; other years stay free."""
        n = int(decision.quantity or 1)
        fixed = set()
        for fam, value in (("amb_ord", n - decision.quantity_np), ("amb_np", decision.quantity_np)):
            v = m.x.get(fam, {}).get((j, t))
            if v is not None:
                v.lowBound = v.upBound = value
                fixed.add(v.name)
        st = m.x.get("amb_station", {}).get((j, t))
        if st is not None:
            st.lowBound = st.upBound = 1
            fixed.add(st.name)
        return fixed

    def opex_terms(self, m: Model) -> Terms:
        """Crews of the new vehicles: opex (万元 per vehicle-year, C: Beijing Tongzhou) × vehicles."""
        opex = self.settings(m.data.cfg).opex_wan_per_vehicle_year
        return [(v, opex) for fam in ("amb_ord", "amb_np") for v in m.x.get(fam, {}).values()]

    # ------------------------------------------------------------ measuring

    def normalise_rows(self, data: ModelData, rows: pd.DataFrame, j: np.ndarray) -> pd.DataFrame:
        """Vehicles by type (a bare ``quantity`` means ordinary vehicles) and the new-station flag: the earliest
        row with vehicles at a site without vehicles today opens the station (row order does not matter)."""
        rows = rows.copy()
        rows[["quantity_ord", "quantity_np"]] = rows[["quantity_ord", "quantity_np"]].fillna(0)
        only_q = rows["quantity_ord"] + rows["quantity_np"] == 0
        rows.loc[only_q, "quantity_ord"] = rows.loc[only_q, "quantity"].fillna(1)
        rows["quantity"] = rows["quantity_ord"] + rows["quantity_np"]
        kd: AmbulanceData = data.kinds[NAME]
        buys = rows.assign(_j=j)[rows["quantity"] > 0].sort_values("year", kind="stable")
        rows["new_station"] = rows.index.isin(buys.drop_duplicates("_j").index) & (kd.fleet[j] == 0)
        return rows

    def item_costs(self, data: ModelData, items: pd.DataFrame, j: np.ndarray) -> np.ndarray:
        c = data.cost
        return (items["quantity_ord"].to_numpy() * c["ambulance_ord"][j]
                + items["quantity_np"].to_numpy() * c["ambulance_np"][j]
                + items["new_station"].to_numpy() * c["new_station"][j])

    def add_items(self, stock: dict[str, np.ndarray], items: pd.DataFrame, j: np.ndarray) -> None:
        sel = (items["kind"] == ITEM.key).to_numpy()
        n = len(stock["amb_ord"])
        for col, qcol in (("amb_ord", "quantity_ord"), ("amb_np", "quantity_np")):
            add = np.bincount(j[sel], weights=items.loc[sel, qcol].to_numpy(dtype=float), minlength=n)
            stock[col] = stock[col] + add.astype(np.int64)

    def units(self, data: ModelData, stock: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vehicles = stock["amb_ord"].astype(float) + stock["amb_np"].astype(float)
        return {"ambulance": vehicles, SINGLE: vehicles}

    def coverage_share(self, data: ModelData, service: str, n: np.ndarray) -> np.ndarray:
        """``ambulance``: the plan's true expected share 1 − q^n over all n vehicles in reach (the model values
        only the first ``coverage_depth``, a truncation it states when it binds); ``ambulance_single``: n ≥ 1."""
        if service == "ambulance":
            kd: AmbulanceData = data.kinds[NAME]
            return 1.0 - kd.q ** np.round(n)
        return (n > 0.5).astype(float)

    def can_add(self, data: ModelData) -> dict[str, np.ndarray]:
        spare = _spare(data.kinds[NAME]) > 0
        return {"ambulance": spare, SINGLE: spare}

    def item_figures(self, data: ModelData, items: pd.DataFrame, j: np.ndarray,
                     pairs: dict[str, tuple[np.ndarray, np.ndarray]],
                     units_after: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``expected_gain``: persons of MEXCLP expected coverage each item adds, E(all) − E(all but this item).

        E = Σ_i P_i (1 − q^n_i), n_i the vehicles within the response standard of point i after the plan.
        Removing an item of k vehicles at site j lowers n_i by k at every point j reaches, so the gain is
        Σ_{i ∈ reach(j)} P_i (q^(n_i − k) − q^n_i): one sparse items × demand reach matrix, no loop.
        """
        out = np.full(len(items), np.nan)
        amb = (items["kind"] == ITEM.key).to_numpy()
        if not amb.any():
            return {"expected_gain": out}
        kd: AmbulanceData = data.kinds[NAME]
        pop = data.instance.demand["population"].to_numpy(dtype=float)
        q = kd.q
        s, d = pairs["ambulance"]
        n = np.round(np.bincount(d, weights=units_after["ambulance"][s], minlength=len(pop)))
        reach = sparse.csr_matrix((np.ones(s.size), (s, d)), shape=(data.n_sites, len(pop)))
        reach.sum_duplicates()
        rows = reach[j[amb]].tocoo()
        k = items["quantity"].to_numpy(dtype=float)[amb][rows.row]
        n_i = n[rows.col]
        loss = pop[rows.col] * (q ** np.maximum(n_i - k, 0) - q ** n_i)
        out[np.flatnonzero(amb)] = np.bincount(rows.row, weights=loss, minlength=int(amb.sum()))
        return {"expected_gain": out}

    def meta(self, data: ModelData) -> dict[str, Any]:
        kd: AmbulanceData = data.kinds[NAME]
        return {"q": kd.q, "fleet_required": kd.fleet_required}

    def plan_figures(self, data: ModelData, cov_before: dict[str, np.ndarray],
                     cov_after: dict[str, np.ndarray]) -> dict[str, Any]:
        """``call_satisfaction``: an estimate of 急救呼叫满足率 (share of calls a free vehicle within the response
        standard answers), before and after the plan.

        Calls are spread over residents at one rate (``calls_per_1000_per_year``), and a vehicle is busy with the
        probability q independently of the others (MEXCLP): a call at a point with n vehicles in reach finds one
        free with probability 1 − qⁿ, so the share of calls served is Σ P_i (1 − q^{n_i}) / Σ P_i, the
        population-weighted expected coverage. It is an estimate under those assumptions, not a dispatch record.
        """
        kd: AmbulanceData = data.kinds[NAME]
        kc = self.settings(data.cfg)
        pop = data.instance.demand["population"].to_numpy(dtype=float)
        total = max(float(pop.sum()), 1.0)
        before = float((cov_before["ambulance"] * pop).sum() / total)
        after = float((cov_after["ambulance"] * pop).sum() / total)
        how = ("按呼叫量推算", "derived from the call rate") if kc.busy_fraction is None else ("情景给定", "set by the scenario")
        note_zh = (f"急救呼叫满足率为估算值：假设呼叫量与常住人口成正比（每千人每年{kc.calls_per_1000_per_year:g}次），"
                   f"每辆车繁忙概率q = {kd.q:.3f}（{how[0]}，每次出车{kc.minutes_per_call:g}分钟），各车相互独立；"
                   f"即在急救时限内有空闲车辆可派的呼叫占比，非调度系统统计。")
        note_en = (f"Call satisfaction is an estimate: calls proportional to residents "
                   f"({kc.calls_per_1000_per_year:g} per 1,000 a year), each vehicle busy with probability "
                   f"q = {kd.q:.3f} independently ({how[1]}, {kc.minutes_per_call:g} min per call): the share of "
                   "calls a free vehicle within the response standard can answer, not a dispatch statistic.")
        return {"call_satisfaction": {"before": round(before, 6), "after": round(after, 6),
                                      "note_zh": note_zh, "note_en": note_en}}

    def plan_notes(self, data: ModelData, units_after: dict[str, np.ndarray],
                   pairs: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[str]:
        """When the model's truncation binds (points with more than ``coverage_depth`` vehicles in reach), say how
        many persons it concerns: the model did not value those vehicles, the reported coverage does."""
        depth = self.settings(data.cfg).coverage_depth
        pop = data.instance.demand["population"].to_numpy(dtype=float)
        s, d = pairs["ambulance"]
        n = np.bincount(d, weights=units_after["ambulance"][s], minlength=len(pop))
        over = n > depth + 0.5
        if not over.any():
            return []
        return [f"MEXCLP truncation: {pop[over].sum():,.0f} persons have more than coverage_depth = {depth} "
                "vehicles in reach; the model values the first "
                f"{depth} only, the reported expected coverage counts them all (raise coverage_depth to value "
                "them)."]

    def min_costs(self, data: ModelData) -> dict[str, float]:
        """Least capital of the hard fleet and NP standards together (an NP vehicle also counts for the fleet)."""
        kc: AmbulanceConfig = self.settings(data.cfg)
        kd: AmbulanceData = data.kinds[NAME]
        out: dict[str, float] = {}
        spare = _spare(kd)
        f0, np0 = float(kd.fleet.sum()), float(kd.np.sum())
        c_ord = float(data.cost["ambulance_ord"][spare > 0].min()) if (spare > 0).any() else 0.0
        c_np = float(data.cost["ambulance_np"][spare > 0].min()) if (spare > 0).any() else 0.0
        k = max(kd.fleet_required - f0, 0.0) if kc.fleet.mode == "hard" else 0.0
        n_np = 0.0
        if kc.np_share_rule.mode == "hard":
            n_np = max(np.ceil(kc.np_share * (f0 + k) - np0 - 1e-9), 0.0)
            if n_np > k:  # buying NP vehicles raises the fleet too: NP0 + n ≥ share (F0 + n)
                n_np = max(np.ceil((kc.np_share * f0 - np0) / max(1 - kc.np_share, 1e-9) - 1e-9), 0.0)
        if k or n_np:
            out["amb_fleet_ratio" if k else "amb_np_share"] = n_np * c_np + max(k - n_np, 0.0) * c_ord
        if kc.one_per_thc.mode == "hard":
            c = ONE_PER_THC.min_cost(data)
            if c > 0:
                out["amb_one_per_thc"] = c
        return out

    # ------------------------------------------------------------ texts

    def item_name(self, item: ItemType, row: Any, base: str, lang: str) -> str:
        """「…急救站救护车购置项目（负压2辆、普通1辆）」, 「…新建急救站及救护车购置项目（…）」."""
        n_np, n_ord = int(getattr(row, "quantity_np", 0) or 0), int(getattr(row, "quantity_ord", 0) or 0)
        new = bool(getattr(row, "new_station", False))
        if is_en(lang):
            vehicles = ", ".join(s for s in (f"{n_np} negative-pressure" if n_np else "",
                                             f"{n_ord} ordinary" if n_ord else "") if s)
            return f"{base}: {'new emergency station and ' if new else ''}ambulance purchase ({vehicles})"
        vehicles = "、".join(s for s in (f"负压{n_np}辆" if n_np else "", f"普通{n_ord}辆" if n_ord else "") if s)
        if new:
            return f"{base}新建急救站及救护车购置项目（{vehicles}）"
        station = "" if base.endswith("急救站") else "急救站"
        return f"{base}{station}救护车购置项目（{vehicles}）"

    def item_content(self, item: ItemType, row: Any, site: pd.Series, lang: str) -> str:
        """Vehicles bought (and a new station), then the station's tier in the network (seed 003: 「区级急救中心—中心
        卫生院—乡镇卫生院」)."""
        n_np, n_ord = int(getattr(row, "quantity_np", 0) or 0), int(getattr(row, "quantity_ord", 0) or 0)
        new = bool(getattr(row, "new_station", False))
        tier = station_tier(site.get("level") if len(site) else None)
        if is_en(lang):
            parts = [f"{n_np} negative-pressure ambulance{'s' * (n_np != 1)}" if n_np else "",
                     f"{n_ord} ordinary ambulance{'s' * (n_ord != 1)}" if n_ord else ""]
            text = "Purchase " + " and ".join(s for s in parts if s)
            text = ("New emergency station; " + text[0].lower() + text[1:]) if new else text
            return text + (f" (network tier: {tier('en')})" if tier else "")
        parts = [f"负压救护车{n_np}辆" if n_np else "", f"普通救护车{n_ord}辆" if n_ord else ""]
        text = "购置" + "、".join(s for s in parts if s)
        text = ("新建急救站1个，" + text) if new else text
        return text + (f"（急救网络层级：{tier('zh')}）" if tier else "")

    def item_nature(self, item: ItemType, row: Any, lang: str) -> str:
        if bool(getattr(row, "new_station", False)):
            return Text("新建", "New build")(lang)
        return item.nature(lang)

    def programme_goal(self, projects: pd.DataFrame, lang: str = "zh") -> str:
        """「新建急救站6个，购置救护车51辆（其中负压救护车21辆）」: stations opened, vehicles bought, of them NP."""
        rows = projects[projects["kind"] == ITEM.key]
        stations = int(rows["new_station"].astype(bool).sum())
        n = int(rows["quantity"].sum())
        n_np = int(rows["quantity_np"].sum())
        if is_en(lang):
            parts = [f"{stations} new emergency station{'s' * (stations != 1)}" if stations else "",
                     f"{n} ambulance{'s' * (n != 1)} bought" + (f" ({n_np} negative-pressure)" if n_np else "")]
            return "; ".join(p for p in parts if p)
        parts = [f"新建急救站{stations}个" if stations else "",
                 f"购置救护车{n}辆" + (f"（其中负压救护车{n_np}辆）" if n_np else "")]
        return "，".join(p for p in parts if p)

    def no_gain_sentence(self, item: ItemType, row: Any, site: pd.Series, lang: str = "zh") -> str:
        """A vehicle where everyone in reach already has one: it adds a vehicle to the station (a second call in
        the area is answered), 「充实急救运力，站内救护车由2辆增至3辆」."""
        before = int(sum(float(site.get(c, 0) or 0) for c in self.count_columns)) if len(site) else 0
        after = before + int(getattr(row, "quantity", 0) or 0)
        if is_en(lang):
            return (f"adds vehicles to the station ({before} → {after} ambulances), so a second call in its area "
                    "is answered")
        return f"充实急救运力，站内救护车由{before}辆增至{after}辆，提高同时段多起呼救的保障能力"

    def running_cost(self, kc: AmbulanceConfig, row: Any) -> tuple[float, Any]:
        """Crews, fuel and upkeep of the new vehicles: vehicles × opex (万元 per vehicle-year, C: Beijing Tongzhou)."""
        return float(getattr(row, "quantity", 0) or 0) * kc.opex_wan_per_vehicle_year, src.AMB_OPEX

    def unused_fields(self, kc: AmbulanceConfig) -> tuple[str, ...]:
        """A given busy fraction makes the call rate and minutes per call irrelevant."""
        return ("calls_per_1000_per_year", "minutes_per_call") if kc.busy_fraction is not None else ()


# The rural network's tiers by site level (seed 003: 「区级急救中心—中心卫生院—乡镇卫生院」).
STATION_TIERS: dict[str, Text] = {
    Level.COUNTY_HOSPITAL.value: Text("县（区）级急救中心", "county emergency centre"),
    Level.SECONDARY_HOSPITAL.value: Text("医院急救站", "hospital station"),
    Level.TCM_HOSPITAL.value: Text("医院急救站", "hospital station"),
    Level.MCH_HOSPITAL.value: Text("医院急救站", "hospital station"),
    Level.CENTRAL_THC.value: Text("中心卫生院急救站", "central township health centre station"),
    Level.THC.value: Text("乡镇卫生院急救点", "township health centre point"),
    Level.CHC.value: Text("社区卫生服务中心急救点", "community health centre point"),
    Level.CANDIDATE.value: Text("新选址急救站", "greenfield station"),
}


def station_tier(level: Any) -> Text | None:
    """The tier of a station at a site of ``level`` in the county network, or ``None`` for an unknown level."""
    return STATION_TIERS.get(str(level)) if level is not None else None


def _np_split(m: Model) -> dict[tuple[int, int], int]:
    """Negative-pressure vehicles per (station, year) by rule: each year's number of new NP vehicles (the model's,
    which the share standard and the costs fix) goes to that year's new vehicles in priority order — stations that
    have or get a fever clinic first (NP vehicles carry infectious patients to fever clinics: 2022 notice), then
    ``np_priority`` level order, then site order. Stations are only regrouped among equal unit costs, so cost,
    coverage, capacity and every standard are unchanged."""
    d = m.data
    kc: AmbulanceConfig = d.cfg.resources.ambulance
    ordv, npv = m.x.get("amb_ord", {}), m.x.get("amb_np", {})
    level_rank = {lv.value: r for r, lv in enumerate(kc.np_priority)}
    # the fever clinics of the plan: existing ones and those the solution builds (any year)
    clinic = d.instance.sites["fever_clinic"].to_numpy(dtype=bool).copy() if "fever_clinic" in d.instance.sites \
        else np.zeros(d.n_sites, dtype=bool)
    for (j, _), v in m.x.get("fever_clinic", {}).items():
        clinic[j] |= round(_val(v)) == 1
    groups: dict[tuple[int, float, float], list[int]] = {}
    out: dict[tuple[int, int], int] = {}
    for j, t in set(ordv) | set(npv):
        v = npv.get((j, t))
        if v is not None and v.lowBound is not None and v.lowBound == v.upBound:  # a committed split stays
            out[(j, t)] = round(_val(v))
            continue
        groups.setdefault((t, float(d.cost["ambulance_ord"][j]), float(d.cost["ambulance_np"][j])), []).append(j)
    for (t, _, _), sites in groups.items():
        total = {j: round(_val(ordv.get((j, t)))) + round(_val(npv.get((j, t)))) for j in sites}
        left = sum(round(_val(npv.get((j, t)))) for j in sites)
        for j in sorted(sites, key=lambda j: (not clinic[j], level_rank.get(str(d.level[j]), len(level_rank)), j)):
            out[(j, t)] = take = min(left, total[j])
            left -= take
    return out


def _new(m: Model, j: int, t: int) -> Terms:
    """New vehicles (both types) at site j installed in years 0 … t."""
    return m.cumulative("amb_ord", j, t) + m.cumulative("amb_np", j, t)


def _val(v: object) -> float:
    x = getattr(v, "varValue", None)
    return 0.0 if x is None else float(x)


def by_area(parts: dict[str, str], urban_share: float, joiner: str) -> str:
    """The urban or the rural part of a sentence, or both when the township is mixed (or unknown)."""
    if isinstance(urban_share, float) and not np.isnan(urban_share):
        if urban_share >= 1 - 1e-9:
            return parts["urban"]
        if urban_share <= 1e-9:
            return parts["rural"]
    return joiner.join((parts["urban"], parts["rural"]))


def _wan_persons(persons: float) -> str:
    # 30,000 → 3万; 15,000 → 1.5万; below 10,000 the plain number
    return f"{persons / 10_000:g}万" if persons >= 10_000 else f"{persons:g}"


AMBULANCES = Ambulances()
