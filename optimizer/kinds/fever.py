"""Fever clinics (发热门诊) at eligible hospitals and large township health centres, fever rooms (发热诊室) at
township and community health centres; maximal covering within the fever access standard; the two mandates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from healthplan.geodata.levels import Level
from healthplan.geodata.schemas import ColumnSchema
from healthplan.optimizer import sources as src
from healthplan.optimizer.covering import add_kind_access
from healthplan.optimizer.kind import (
    DIAMOND,
    PLUS,
    FacilityData,
    FacilityKind,
    ItemType,
    KindConfig,
    Service,
    StandardRule,
    UnitCost,
)
from healthplan.optimizer.model import expr
from healthplan.optimizer.standard import Measured, Standard
from healthplan.optimizer.text import Text, is_en

if TYPE_CHECKING:
    import pulp

    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.kind import PrepareContext
    from healthplan.optimizer.model import Model
    from healthplan.optimizer.prepare import ModelData

NAME = "fever"
ROOM_COST_ASSUMPTION_WAN = 50.0  # ASSUMPTION: used only when the scenario sets no fever-room cost, and flagged
THC_LEVELS = (Level.CENTRAL_THC.value, Level.THC.value)


class FeverConfig(KindConfig):
    """Fever clinics (hospitals, large township health centres) and fever rooms (township/community centres)."""

    access_minutes_urban: float = Field(default=15.0, gt=0, description="min; ASSUMPTION (Hainan IJEH 2021: 15 min tier)",
                                        json_schema_extra={"zh": "城市地区发热诊疗可及时间标准", "unit_zh": "分钟"})
    access_minutes_rural: float = Field(default=30.0, gt=0, description="min; B: Hainan IJEH 2021, 30 min to THC/CHC")
    clinic_cost_wan: float = Field(default=1600.0, ge=0, description="万元; C: Henan county TCM hospital")
    room_cost_wan: float | None = Field(
        default=None, ge=0, description="万元; no sourced default: set it (else 50 is used and flagged)"
    )
    clinic_levels: list[Level] = Field(
        default_factory=lambda: [
            Level.COUNTY_HOSPITAL, Level.SECONDARY_HOSPITAL, Level.TCM_HOSPITAL, Level.MCH_HOSPITAL,
        ],
        description="hospitals required to have a fever clinic (A via news: 2022-12-27 national press conference)",
    )
    thc_clinic_population: float | None = Field(
        default=None, gt=0, description="persons within access: THCs above this may get a clinic; ASSUMPTION",
        json_schema_extra={"zh": "可设发热门诊的乡镇卫生院服务人口下限", "unit_zh": "人"},
    )
    room_levels: list[Level] = Field(
        default_factory=lambda: [Level.CENTRAL_THC, Level.THC, Level.CHC],
        description="centres required to have a fever room (A via news: June 2022 national notice)",
    )
    clinic_mandate: StandardRule = StandardRule(mode="soft")
    room_mandate: StandardRule = StandardRule(mode="soft")
    target_coverage: float | None = Field(
        default=None, ge=0, le=1, description="share of population within the access standard (min-budget target)"
    )

    def access_minutes(self, urban: bool) -> float:
        """Access standard (min) for an urban or rural demand point."""
        return self.access_minutes_urban if urban else self.access_minutes_rural


@dataclass(frozen=True)
class FeverData(FacilityData):
    """Which sites must have a clinic (hospital levels + large THCs) and which a room (or a clinic)."""

    clinic_mandated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    room_mandated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


CLINIC = ItemType(
    key="fever_clinic", label=Text("发热门诊", "Fever clinics"),
    name=Text("发热门诊建设项目", "fever clinic construction"),
    content=Text("按“三区两通道”要求建设发热门诊1个", "One fever clinic, 'three zones, two passages' layout"),
    nature=Text("改扩建", "Renovation and extension"), unit=Text("门诊", "clinic"),
    service="fever", column="fever_clinic", cost_key="fever_clinic", symbol=PLUS,
)
ROOM = ItemType(
    key="fever_room", label=Text("发热诊室", "Fever rooms"),
    name=Text("发热诊室建设项目", "fever room construction"),
    content=Text("按“三区两通道”要求建设标准化发热诊室1个", "One standard fever room, 'three zones, two passages' layout"),
    nature=Text("改扩建", "Renovation and extension"), unit=Text("诊室", "room"),
    service="fever", column="fever_room", cost_key="fever_room", symbol=DIAMOND,
)


class ClinicMandate(Standard):
    """A fever clinic at every mandated site (hospital levels; THCs serving more than the set population)."""

    name = "fever_clinic_mandate"
    kind = NAME
    label = Text("发热门诊设置", "Fever clinics at hospitals")
    what = Text("规定设置的发热门诊", "mandated fever clinics")
    source = src.FEVER_CLINICS
    items = ("fever_clinic",)

    def rule(self, cfg: OptimizerConfig) -> StandardRule:
        return cfg.resources.fever.clinic_mandate

    def required(self, data: ModelData) -> float:
        return float(data.kinds[NAME].clinic_mandated.sum())

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        kd: FeverData = m.data.kinds[NAME]
        new = [(v, 1.0) for (j, s), v in m.x.get("fever_clinic", {}).items() if s <= t and kd.clinic_mandated[j]]
        return expr(new, float((kd.clinic_mandated & kd.has["fever_clinic"]).sum()))

    def measure(self, data: ModelData, state: Measured) -> float:
        return float((state.stock["fever_clinic"].astype(bool) & data.kinds[NAME].clinic_mandated).sum())

    def min_cost(self, data: ModelData) -> float:
        kd: FeverData = data.kinds[NAME]
        return float(data.cost["fever_clinic"][kd.eligible["fever_clinic"]].sum())

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        return ("every grade-II+ hospital has a fever clinic" if is_en(lang) else "落实二级及以上医院设立发热门诊要求")


class RoomMandate(Standard):
    """A fever room (or a clinic, which serves as the site's room) at every township/community health centre."""

    name = "fever_room_mandate"
    kind = NAME
    label = Text("发热诊室设置", "Fever rooms at health centres")
    what = Text("规定设置的发热诊室", "mandated fever rooms")
    source = src.FEVER_ROOMS
    items = ("fever_room",)

    def rule(self, cfg: OptimizerConfig) -> StandardRule:
        return cfg.resources.fever.room_mandate

    def required(self, data: ModelData) -> float:
        return float(data.kinds[NAME].room_mandated.sum())

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        kd: FeverData = m.data.kinds[NAME]
        new = [(v, 1.0) for f in ("fever_room", "fever_clinic") for (j, s), v in m.x.get(f, {}).items()
               if s <= t and kd.room_mandated[j]]
        have = kd.room_mandated & (kd.has["fever_room"] | kd.has["fever_clinic"])
        return expr(new, float(have.sum()))

    def measure(self, data: ModelData, state: Measured) -> float:
        unit = state.stock["fever_room"].astype(bool) | state.stock["fever_clinic"].astype(bool)
        return float((unit & data.kinds[NAME].room_mandated).sum())

    def serves(self, data: ModelData, items: Any, j: np.ndarray) -> np.ndarray:
        room = (items["kind"] == "fever_room").to_numpy()
        return room | ((items["kind"] == "fever_clinic").to_numpy() & data.kinds[NAME].room_mandated[j])

    def min_cost(self, data: ModelData) -> float:
        kd: FeverData = data.kinds[NAME]
        need = kd.room_mandated & ~(kd.has["fever_room"] | kd.has["fever_clinic"])
        if data.cfg.resources.fever.clinic_mandate.mode == "hard":
            need &= ~kd.eligible["fever_clinic"]  # a mandated clinic also serves as the room
        cheapest = np.where(kd.eligible["fever_room"], data.cost["fever_room"], np.inf)
        cheapest = np.minimum(cheapest, np.where(kd.eligible["fever_clinic"], data.cost["fever_clinic"], np.inf))
        if not need.any() or not np.isfinite(cheapest[need]).all():
            return 0.0
        return float(cheapest[need].sum())

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        return ("every township and community health centre has a standard fever room" if is_en(lang)
                else "落实乡镇卫生院、社区卫生服务中心建设标准化发热诊室要求")


class FeverCare(FacilityKind):
    """Fever clinics and rooms: one fever unit per site (a clinic also serves as the site's room)."""

    name = NAME
    label = Text("发热门诊/诊室", "Fever clinics/rooms")
    map_title = Text("发热门诊/发热诊室", "Fever clinics and rooms")
    config = FeverConfig
    items = (CLINIC, ROOM)
    services = (Service("fever", Text("发热门诊/诊室覆盖", "Fever clinic/room access"), Text("发热诊疗", "fever care")),)
    colour = "#e66101"
    programme = Text("推进发热门诊（诊室）建设", "Fever clinics and fever rooms")
    costs = (UnitCost("fever_clinic", Text("发热门诊", "Fever-clinic"), "clinic_cost_wan", source=src.FEVER_CLINIC_COST),
             UnitCost("fever_room", Text("发热诊室", "Fever-room"), "room_cost_wan", ROOM_COST_ASSUMPTION_WAN))
    standards = (ClinicMandate(), RoomMandate())
    site_columns = (ColumnSchema("fever_clinic", "bool", default=False, description="existing fever clinic (发热门诊)",
                                 aliases=("发热门诊",)),
                    ColumnSchema("fever_room", "bool", default=False, description="existing fever room (发热诊室)",
                                 aliases=("发热诊室",)))
    target_service = "fever"

    def threshold(self, kc: FeverConfig, service: str, urban: np.ndarray) -> np.ndarray:
        """Access standard: urban 15, rural 30 minutes (B: Hainan plans, IJEH 2021)."""
        return np.where(urban, kc.access_minutes_urban, kc.access_minutes_rural)

    def prepare(self, ctx: PrepareContext) -> FeverData:
        """Clinics at hospital levels; THCs whose population within access exceeds ``thc_clinic_population`` may
        (and must) get one too (Shandong rule, 2022 national notice); rooms at township and community centres."""
        kc: FeverConfig = self.settings(ctx.cfg)
        clinic_has, room_has = ctx.column("fever_clinic"), ctx.column("fever_room")
        clinic_level = np.isin(ctx.level, [lv.value for lv in kc.clinic_levels])
        large_thc = np.zeros(len(ctx.level), dtype=bool)
        if kc.thc_clinic_population is not None:
            tt = ctx.instance.travel
            m = tt.within(self.threshold(kc, "fever", ctx.urban))
            within = np.bincount(tt.site_idx[m], weights=ctx.population[tt.demand_idx[m]], minlength=len(ctx.level))
            large_thc = np.isin(ctx.level, THC_LEVELS) & (within > kc.thc_clinic_population)
        clinic_mandated = clinic_level | large_thc
        room_mandated = np.isin(ctx.level, [lv.value for lv in kc.room_levels])
        return FeverData(
            has={"fever_clinic": clinic_has, "fever_room": room_has},
            eligible={"fever_clinic": clinic_mandated & ~clinic_has,
                      "fever_room": room_mandated & ~room_has & ~clinic_has},
            clinic_mandated=clinic_mandated, room_mandated=room_mandated,
        )

    def add_coverage(self, m: Model) -> None:
        """Maximal covering within the fever access standard (urban 15 / rural 30 min)."""
        kd: FeverData = m.data.kinds[NAME]
        kc: FeverConfig = self.settings(m.data.cfg)
        add_kind_access(m, "fever", ("fever_clinic", "fever_room"), kd.has["fever_clinic"] | kd.has["fever_room"],
                        objective="coverage", weight=kc.weight, target_coverage=kc.target_coverage)

    def units(self, data: ModelData, stock: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """A site serves fever care when it has a clinic or a room."""
        return {"fever": (stock["fever_clinic"].astype(bool) | stock["fever_room"].astype(bool)).astype(float)}


FEVER = FeverCare()
