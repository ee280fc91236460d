"""What a resource kind is. One module per kind (``optimizer/kinds/``) subclasses :class:`ResourceKind` and
declares, in one place: its scenario section, its item types, the services it gives (coverage keys), its data,
decision variables and coverage rows, its standards, how a stock of it is measured, and its labels and map style.

Every other module iterates over the registered kinds (:mod:`healthplan.optimizer.kinds`); nothing outside a
kind's module names the kind. :class:`FacilityKind` implements the common case, a binary facility per site
(fever clinic, blood point, sub-centre, critical-care centre …); the ambulance kind overrides it for vehicles.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pandas as pd
import pulp
from pydantic import BaseModel, ConfigDict, Field

from healthplan.geodata.schemas import ColumnSchema
from healthplan.optimizer.model import expr
from healthplan.optimizer.text import Source, Text, is_en

if TYPE_CHECKING:
    from healthplan.geodata.instance import Instance
    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.model import Model
    from healthplan.optimizer.prepare import ModelData
    from healthplan.optimizer.standard import Standard


class StrictConfig(BaseModel):
    """Base of every scenario section: unknown keys and non-finite numbers are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class StandardRule(StrictConfig):
    """How one standard enters the model: ``hard`` (must hold), ``soft`` (shortfall penalised and reported) or
    ``off``. ``weight`` scales a soft standard's shortfall in the first objective stage."""

    mode: Literal["hard", "soft", "off"] = "soft"
    weight: float = Field(default=1.0, ge=0)


class KindConfig(StrictConfig):
    """Fields every resource kind's section has (``resources.<kind>``)."""

    enabled: bool = True
    weight: float = Field(default=1.0, ge=0, description="weight of this kind's coverage in the objective")


@dataclass(frozen=True)
class Symbol:
    """A facility symbol: a matplotlib marker and the same shape as SVG polygon points in a 0–20 box."""

    marker: str
    svg_points: str


SQUARE = Symbol("s", "3,3 17,3 17,17 3,17")
PLUS = Symbol("P", "7,2 13,2 13,7 18,7 18,13 13,13 13,18 7,18 7,13 2,13 2,7 7,7")
DIAMOND = Symbol("D", "10,1 19,10 10,19 1,10")
TRIANGLE_DOWN = Symbol("v", "2,3 18,3 10,18")
HEXAGON = Symbol("h", "10,1 18,5.5 18,14.5 10,19 2,14.5 2,5.5")
STAR = Symbol("*", "10,1 12.4,7.6 19.5,7.6 13.8,11.8 15.9,18.6 10,14.4 4.1,18.6 6.2,11.8 0.5,7.6 7.6,7.6")
PENTAGON = Symbol("p", "10,1 19,7.6 15.6,18.5 4.4,18.5 1,7.6")
TRIANGLE_UP = Symbol("^", "10,2 18,17 2,17")


@dataclass(frozen=True)
class ItemType:
    """One type of project a plan can contain (a row of ``Plan.items``, column ``kind``).

    Texts are what the project list writes: ``name`` the project-name suffix (「发热诊室建设项目」), ``content`` the
    建设内容及规模, ``nature`` the 建设性质, ``unit`` the word for one item in 依据 (「仅由本诊室覆盖」).
    ``column`` is the facility column the item switches on (existing stock), ``cost_key`` its unit-cost key
    (``site_costs_wan``), ``service`` the coverage key it adds to.
    """

    key: str
    label: Text
    name: Text
    content: Text
    nature: Text
    unit: Text
    service: str
    column: str
    cost_key: str
    symbol: Symbol


@dataclass(frozen=True)
class Providers:
    """Sites that give a kind's service today without holding any of its items (the scenario's secondary-level
    hospitals give the secondary care a sub-centre adds), as maps name them: ``legend`` is the row of the kind's
    hollow (existing) symbol in a map legend (「二级医院 / 医疗卫生次中心」), ``stock`` what such a site gives, in
    its popup (「提供二级医疗服务」)."""

    legend: Text
    stock: Text


@dataclass(frozen=True)
class UnitCost:
    """A unit cost a kind charges (万元): its key (``site_costs_wan`` overrides it per site), its name, the config
    field holding it (dotted inside the kind's section) and the fallback used, flagged ASSUMPTION, when that field
    is unset (``None``: the field always has a value)."""

    key: str
    label: Text
    field: str
    fallback: float | None = None
    source: Source | None = None  # where the default comes from (cited under the appendix tables)

    def value(self, kc: Any) -> tuple[float, bool]:
        """(万元, True when the fallback was used) under the kind's section ``kc``."""
        v = kc
        for part in self.field.split("."):
            v = getattr(v, part)
        return (float(self.fallback), True) if v is None else (float(v), False)


@dataclass(frozen=True)
class Service:
    """A coverage key: persons within the kind's time standard of a unit of service.

    ``label`` names the key in tables (「发热门诊/诊室覆盖」), ``short`` inside sentences (「发热诊疗」).
    ``ambulance_minutes``: the standard is in ambulance minutes (ordinary minutes ÷ the speed factor).
    ``expected``: the share is an expected value (MEXCLP), not 0/1.
    """

    key: str
    label: Text
    short: Text
    ambulance_minutes: bool = False
    expected: bool = False


@dataclass(frozen=True)
class KindData:
    """A kind's prepared arrays over sites (order of ``instance.sites``); kinds subclass it with their fields.

    ``assumptions`` are sentences (zh/en) for the plan's 假设值 list (values without a source the run used).
    """

    assumptions: tuple[Text, ...] = ()
    notes: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FacilityData(KindData):
    """Binary facilities: per item type, which sites hold one today and which may get a new one."""

    has: dict[str, np.ndarray] = field(default_factory=dict)  # item key → bool per site
    eligible: dict[str, np.ndarray] = field(default_factory=dict)  # item key → bool per site


@dataclass
class PrepareContext:
    """What a kind's :meth:`ResourceKind.prepare` reads: the instance, its scenario section, level per site,
    population and urban flag per demand point, and the unit costs per site (after per-site overrides)."""

    instance: Instance
    cfg: OptimizerConfig
    level: np.ndarray  # str per site
    population: np.ndarray  # persons per demand point
    urban: np.ndarray  # bool per demand point
    cost: dict[str, np.ndarray]  # 万元 per site, by cost key

    def column(self, name: str, dtype: type = bool) -> np.ndarray:
        """A facility column of the sites table as an array (absent → zeros; NaN → 0/False)."""
        s = self.instance.sites
        if name not in s:
            return np.zeros(len(s), dtype=dtype)
        return s[name].fillna(0).to_numpy(dtype=dtype)


class ResourceKind:
    """A resource kind: subclasses set the class attributes and override what differs from the defaults.

    Class attributes
    ----------------
    name : the scenario section (``resources.<name>``), the key of ``Plan.spend`` rows and earmarks.
    label : the kind's name (「救护车」 / "Ambulances"); ``map_title`` the title of its map.
    providers : how maps name sites that give the kind's service without holding its items (``None``: the
        item's own label); ``stock_words`` how a map popup words a site's count of each count column (``{n}``).
    config : the pydantic class of its scenario section.
    items, services : its item types and the coverage keys it gives.
    colour : its colour on maps (a hex string).
    """

    name: ClassVar[str]
    label: ClassVar[Text]
    map_title: ClassVar[Text]
    config: ClassVar[type[KindConfig]]
    items: ClassVar[tuple[ItemType, ...]]
    services: ClassVar[tuple[Service, ...]]
    colour: ClassVar[str]
    costs: ClassVar[tuple[UnitCost, ...]]
    standards: ClassVar[tuple[Standard, ...]] = ()
    target_service: ClassVar[str | None] = None  # the service ``target_coverage`` (min-budget) applies to
    count_columns: ClassVar[tuple[str, ...]] = ()  # facility columns holding counts (else 0/1 flags)
    site_columns: ClassVar[tuple[ColumnSchema, ...]] = ()  # the kind's stock columns of the site layers
    providers: ClassVar[Providers | None] = None  # existing providers holding none of the kind's items (maps)
    stock_words: ClassVar[dict[str, Text]] = {}  # count column → a site's stock of it in map popups ({n} units)

    # ------------------------------------------------------------ scenario

    def settings(self, cfg: OptimizerConfig) -> Any:
        """This kind's section of the scenario (``cfg.resources.<name>``)."""
        return getattr(cfg.resources, self.name)

    def enabled(self, cfg: OptimizerConfig) -> bool:
        """True when the scenario switches the kind on."""
        return bool(self.settings(cfg).enabled)

    @property
    def map_services(self) -> tuple[str, ...]:
        """Services a map of the kind shades, preferred first (the first the plan measured is drawn)."""
        return tuple(s.key for s in self.services)

    def active_services(self, kc: Any) -> tuple[Service, ...]:
        """The services the scenario's section switches on (all of them unless a kind says otherwise)."""
        return self.services

    def threshold(self, kc: Any, service: str, urban: np.ndarray) -> np.ndarray:
        """Time standard (minutes) of ``service`` per demand point (``urban`` bool per point)."""
        raise NotImplementedError

    def cutoff_minutes(self, kc: Any, *, ambulance_speed_factor: float = 1.0) -> float:
        """Ordinary-traffic minutes the travel matrix must reach for this kind's standards and rules."""
        both = np.array([True, False])
        return float(max((
            self.threshold(kc, s.key, both).max() * (ambulance_speed_factor if s.ambulance_minutes else 1.0)
            for s in self.active_services(kc)
        ), default=0.0))

    def unit_costs(self, kc: Any) -> dict[str, tuple[float, Text | None]]:
        """Unit cost (万元) per cost key, with an assumption sentence (zh/en) when the value is an unsourced
        fallback."""
        out: dict[str, tuple[float, Text | None]] = {}
        for c in self.costs:
            value, assumed = c.value(kc)
            out[c.key] = (value, Text(
                f"{c.label('zh')}单位造价未设定，按{value:g}万元计（假设值，无来源依据，请按本地实际设定）。",
                f"{c.label('en')} unit cost not set: {value:g} (10k CNY) is an ASSUMPTION (no sourced default; "
                f"set resources.{self.name}.{c.field}).",
            ) if assumed else None)
        return out

    def site_cost_extra(self, kc: Any, sites: pd.DataFrame) -> tuple[dict[str, np.ndarray], list[Text]]:
        """Per-site additions to the unit costs (万元 per cost key, one value per site, e.g. the beds a sub-centre
        must add to reach the secondary-hospital floor) and their assumption sentences; none by default. The
        scenario's per-site overrides (``site_costs_wan``) replace the sum."""
        return {}, []
    def unused_fields(self, kc: Any) -> tuple[str, ...]:
        """Fields of the kind's section (dotted) the scenario's other settings make irrelevant, so an unset
        ASSUMPTION default among them is not reported (e.g. call rates when the busy fraction is given)."""
        return ()

    def check(self, kc: Any, site_ids: pd.Index) -> list[tuple[str, str, str]]:
        """Problems of the scenario section against the sites: (where, message, fix) triples, all at once."""
        return []

    # ------------------------------------------------------------ data and model

    def prepare(self, ctx: PrepareContext) -> KindData:
        """Eligibility, existing stock and the kind's other arrays over sites."""
        raise NotImplementedError

    def add_variables(self, m: Model) -> None:
        """The kind's decision variables, their own rows (capacity, once, spacing) and their capital costs."""
        raise NotImplementedError

    def add_coverage(self, m: Model) -> None:
        """The kind's coverage rows; record ``m.covered[(service, t)]`` and the objective terms."""
        raise NotImplementedError

    def read_items(self, m: Model) -> list[dict[str, Any]]:
        """Plan rows of a solved model: dicts with kind, j, t, quantity, quantity_ord, quantity_np, new_station,
        cost_wan."""
        raise NotImplementedError

    def start_values(self, m: Model, item: pd.Series, j: int, t: int) -> dict[str, float]:
        """Start values (variable name → value) that reproduce one plan row (warm starts)."""
        return {}

    def opex_terms(self, m: Model) -> list[tuple[pulp.LpVariable, float]]:
        """Annual running cost (万元 a year) of the new items as linear terms (the operating-cost cap)."""
        return []

    def opex_floor(self, data: ModelData) -> tuple[float, str]:
        """Least annual running cost (万元 a year) the kind's hard standards force, and which standard forces it."""
        return 0.0, ""

    # ------------------------------------------------------------ named decisions (optimizer/decisions.py)

    def holds(self, data: ModelData, item: str, j: int) -> bool:
        """True when site ``j`` already holds the item today (a decision about it adds nothing)."""
        return False

    def allow(self, data: ModelData, item: str, j: int) -> bool:
        """Open site ``j`` to the item whatever the kind's rules say; returns whether it was eligible already."""
        raise NotImplementedError

    def forbid(self, data: ModelData, item: str, j: int) -> None:
        """Close site ``j`` to the item."""
        raise NotImplementedError

    def decision_terms(self, m: Model, item: str, j: int, t: int) -> list[tuple[pulp.LpVariable, float]]:
        """New units of the item at site ``j`` installed in years 0 … t, as linear terms."""
        return [(v, 1.0) for (jj, s), v in m.x.get(item, {}).items() if jj == j and s <= t]

    def fix_committed(self, m: Model, item: str, j: int, t: int, decision: Any) -> set[str]:
        """Fix a committed item at site ``j`` in year position ``t`` (and nowhere else at that site); returns the
        names of the variables whose capital the budget must not count."""
        fam = m.x.get(item, {})
        for (jj, s), v in fam.items():
            if jj == j:
                v.lowBound, v.upBound = (1, 1) if s == t else (0, 0)
        v = fam.get((j, t))
        return {v.name} if v is not None else set()

    # ------------------------------------------------------------ measuring a stock

    @property
    def columns(self) -> tuple[str, ...]:
        """Facility columns (of ``Instance.sites``) that hold this kind's stock."""
        return tuple(dict.fromkeys(it.column for it in self.items))

    def normalise_rows(self, data: ModelData, rows: pd.DataFrame, j: np.ndarray) -> pd.DataFrame:
        """Complete hand-made plan rows of this kind (at sites ``j``): one unit each, no vehicle split."""
        rows = rows.copy()
        rows["quantity"] = rows["quantity"].fillna(1)
        rows["quantity_ord"] = 0
        rows["quantity_np"] = 0
        return rows

    def item_costs(self, data: ModelData, items: pd.DataFrame, j: np.ndarray) -> np.ndarray:
        """Capital cost (万元) of plan rows of this kind at sites ``j``."""
        out = np.zeros(len(items))
        for it in self.items:
            sel = (items["kind"] == it.key).to_numpy()
            out[sel] = data.cost[it.cost_key][j[sel]] * items.loc[sel, "quantity"].to_numpy()
        return out

    def add_items(self, stock: dict[str, np.ndarray], items: pd.DataFrame, j: np.ndarray) -> None:
        """Add plan rows of this kind to the stock columns (in place)."""
        for it in self.items:
            sel = (items["kind"] == it.key).to_numpy()
            col = stock[it.column].astype(bool).copy()
            col[j[sel]] = True
            stock[it.column] = col

    def units(self, data: ModelData, stock: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Units of each service per site (vehicles, or 0/1 facilities) for a stock."""
        raise NotImplementedError

    def coverage_share(self, data: ModelData, service: str, n: np.ndarray) -> np.ndarray:
        """Covered share of each demand point given ``n`` units in reach: 0/1 unless overridden (MEXCLP)."""
        return (n > 0.5).astype(float)

    def can_add(self, data: ModelData) -> dict[str, np.ndarray]:
        """Per service, sites where a plan could add a unit (for the most any plan could cover)."""
        raise NotImplementedError

    def item_figures(self, data: ModelData, items: pd.DataFrame, j: np.ndarray,
                     pairs: dict[str, tuple[np.ndarray, np.ndarray]],
                     units_after: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Kind-specific justification columns of its plan rows (e.g. ambulances' ``expected_gain``)."""
        return {}

    def meta(self, data: ModelData) -> dict[str, Any]:
        """Figures of the kind the plan's ``meta`` carries (e.g. the busy fraction)."""
        return {}

    def plan_figures(self, data: ModelData, cov_before: dict[str, np.ndarray],
                     cov_after: dict[str, np.ndarray]) -> dict[str, Any]:
        """Figures of the measured plan the kind reports in ``Plan.meta`` (e.g. the estimated share of calls
        served); ``cov_*`` are covered shares per demand point and service."""
        return {}

    def plan_notes(self, data: ModelData, units_after: dict[str, np.ndarray],
                   pairs: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[str]:
        """Sentences about the measured plan the reader should know (e.g. a model simplification that binds)."""
        return []

    def min_costs(self, data: ModelData) -> dict[str, float]:
        """Least capital (万元, a lower bound) each hard standard of the kind needs on its own."""
        out = {}
        for s in self.active_standards(data.cfg):
            if s.rule(data.cfg).mode == "hard":
                c = s.min_cost(data)
                if c > 0:
                    out[s.name] = c
        return out

    def active_standards(self, cfg: OptimizerConfig) -> list[Standard]:
        """The kind's standards that apply under ``cfg`` and are not off."""
        if not self.enabled(cfg):
            return []
        return [s for s in self.standards if s.rule(cfg) is not None and s.rule(cfg).mode != "off"]

    # ------------------------------------------------------------ texts

    programme: ClassVar[Text | None] = None  # 重点项目 of the plan-level list (「推进院前医疗急救网络建设」)

    def programme_name(self, lang: str = "zh", items: Sequence[ItemType] | None = None) -> str:
        """The kind's row name in the plan-level list (重点项目); default 「推进{label}建设」. ``items``: the item
        types the plan's projects hold, for a kind whose name lists them (default: all)."""
        if self.programme is not None:
            return self.programme(lang)
        return Text(f"推进{self.label('zh')}建设", f"{self.label('en')}")(lang)

    def shown_items(self, services: Collection[str], held: Collection[str] = ()) -> tuple[ItemType, ...]:
        """The item types a map or list of this plan names: those adding to a service the plan measured
        (``services``), or held by some site today (``held``, item keys). A type switched off in the scenario
        and held nowhere is left out, so no legend or title names what the plan cannot hold."""
        return tuple(it for it in self.items if it.service in services or it.key in held)

    def map_name(self, lang: str = "zh", items: Sequence[ItemType] | None = None) -> str:
        """The title of the kind's map (``map_title``); a kind whose title lists its item types names only
        ``items`` (default: all)."""
        return self.map_title(lang)

    def programme_goal(self, projects: pd.DataFrame, lang: str = "zh") -> str:
        """What the kind's projects build, counted, for the 建设目标 of the plan-level list.

        ``projects`` are the kind's rows of the per-site list (columns ``kind`` = item type, ``quantity``,
        ``quantity_ord``, ``quantity_np``, ``new_station``, ``site_name``). Default: per item type
        「{建设性质}{item}{n}个」, naming the sites when there are three or fewer (seed 000: 「湖边镇卫生院建成区域次中心」).
        """
        parts = []
        for it in self.items:
            rows = projects[projects["kind"] == it.key]
            if not len(rows):
                continue
            n = int(len(rows))
            names = list(dict.fromkeys(str(x) for x in rows["site_name"]))
            where = ("、" if not is_en(lang) else ", ").join(names) if len(names) <= 3 else ""
            if is_en(lang):
                parts.append(f"{it.label('en').lower()}: {n}" + (f" ({where})" if where else ""))
            else:
                parts.append(f"{it.nature('zh')}{it.label('zh')}{n}个" + (f"（{where}）" if where else ""))
        return ("; " if is_en(lang) else "，").join(parts)

    def no_gain_sentence(self, item: ItemType, row: Any, site: pd.Series, lang: str = "zh") -> str:
        """What a project that newly covers nobody (everyone in its reach is covered by earlier rows of the list or
        by existing facilities) contributes, for its 依据. ``site`` is the site's row of ``Instance.sites``
        (today's stock). Default: it adds service where the service exists already."""
        svc = next((s for s in self.services if s.key == item.service), None)
        short = svc.short(lang) if svc is not None else item.label(lang)
        if is_en(lang):
            return f"adds {short} capacity where the population is already within reach of the service"
        return f"所在地区已有{short}服务覆盖，本项目增加服务供给"

    def running_cost(self, kc: Any, row: Any) -> tuple[float, Source] | None:
        """Annual running cost of a project row (万元 a year) and its source, or ``None`` when the kind has no
        sourced figure (the reports then use their flagged ASSUMPTION rate on capital)."""
        return None

    def item(self, key: str) -> ItemType:
        """The item type ``key`` of this kind."""
        return next(it for it in self.items if it.key == key)

    def item_name(self, item: ItemType, row: Any, base: str, lang: str) -> str:
        """Project name: the site's name followed by the item's name (「…发热诊室建设项目」)."""
        return f"{base}: {item.name('en')}" if is_en(lang) else f"{base}{item.name('zh')}"

    def item_content(self, item: ItemType, row: Any, site: pd.Series, lang: str) -> str:
        """建设内容及规模 of a project of this item type."""
        return item.content(lang)

    def item_nature(self, item: ItemType, row: Any, lang: str) -> str:
        """建设性质 of a project of this item type."""
        return item.nature(lang)

    def time_text(self, kc: Any, service: str) -> dict[str, float]:
        """The time standard of ``service`` for urban and rural points (minutes), as sentences quote it."""
        t = self.threshold(kc, service, np.array([True, False]))
        return {"urban": float(t[0]), "rural": float(t[1])}

    def source_notes(self, kc: Any) -> list[Source]:
        """Sources of this kind's defaults cited under the appendix tables."""
        return [s.source for s in self.standards]


class FacilityKind(ResourceKind):
    """A kind of binary facilities: a variable x_jt ∈ {0, 1} per eligible site, item type and year.

    Rows ``<kind>_once_<j>``: Σ_t Σ_items x_jt ≤ 1 (a site gets one unit of the kind over the plan; with
    ``one_per_site = False`` one of each item type, row ``<item>_once_<j>``). Subclasses give :meth:`prepare` (who
    holds one, who may get one), :meth:`threshold`, :meth:`units` and the texts.
    """

    one_per_site: ClassVar[bool] = True

    def add_variables(self, m: Model) -> None:
        """Binaries at eligible sites for each item type and year, with their capital cost; once per site."""
        from healthplan.optimizer.decisions import decided_sites

        kd: FacilityData = m.data.kinds[self.name]
        for it in self.items:
            fam = m.family(it.key)
            keep = self.allowed(m, it) | decided_sites(m.data, it.key)  # a named decision beats a reduction
            for j in np.flatnonzero(kd.eligible[it.key] & keep):
                for t in range(m.n_years):
                    fam[(j, t)] = m.var(f"{it.key}_{j}_{t}", 0, 1, cat=pulp.LpBinary)
                    m.add_cost(self.name, t, fam[(j, t)], float(m.data.cost[it.cost_key][j]))
        groups = [(self.name, self.items)] if self.one_per_site else [(it.key, (it,)) for it in self.items]
        for prefix, its in groups:
            for j in sorted({j for it in its for j, _ in m.x.get(it.key, {})}):
                units = [tc for it in its for tc in m.cumulative(it.key, j, m.n_years - 1)]
                if len(units) > 1:
                    m.add(expr(units) <= 1, f"{prefix}_once_{j}")

    def holds(self, data: ModelData, item: str, j: int) -> bool:
        return bool(data.kinds[self.name].has[item][j])

    def allow(self, data: ModelData, item: str, j: int) -> bool:
        eligible = data.kinds[self.name].eligible[item]
        was = bool(eligible[j])
        eligible[j] = True
        return was

    def forbid(self, data: ModelData, item: str, j: int) -> None:
        data.kinds[self.name].eligible[item][j] = False

    def allowed(self, m: Model, item: ItemType) -> np.ndarray:
        """Sites (beyond eligibility) the model keeps variables for; exact reductions override this."""
        return np.ones(m.data.n_sites, dtype=bool)

    def read_items(self, m: Model) -> list[dict[str, Any]]:
        """One row per chosen (site, item type, year)."""
        rows = []
        for it in self.items:
            for (j, t), v in sorted(m.x.get(it.key, {}).items()):
                if round(v.varValue or 0.0) == 1:
                    rows.append({"kind": it.key, "j": j, "t": t, "quantity": 1, "quantity_ord": 0, "quantity_np": 0,
                                 "new_station": False, "cost_wan": float(m.data.cost[it.cost_key][j])})
        return rows

    def start_values(self, m: Model, item: pd.Series, j: int, t: int) -> dict[str, float]:
        """The binary of the row's item type at (j, t) set to 1."""
        v = m.x.get(str(item["kind"]), {}).get((j, t))
        return {v.name: 1.0} if v is not None else {}

    def can_add(self, data: ModelData) -> dict[str, np.ndarray]:
        """Sites eligible for any item type of a service."""
        kd: FacilityData = data.kinds[self.name]
        out: dict[str, np.ndarray] = {s.key: np.zeros(data.n_sites, dtype=bool) for s in self.services}
        for it in self.items:
            out[it.service] = out[it.service] | kd.eligible[it.key]
        return out
