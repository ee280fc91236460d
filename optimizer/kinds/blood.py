"""Fixed blood-collection points (固定采血点/献血屋) at candidate sites: maximal covering within the access
standard, or p-median access time; at least N points."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from pydantic import Field
from scipy import sparse

from healthplan.geodata.errors import InputError
from healthplan.geodata.levels import HOSPITAL_LEVELS
from healthplan.geodata.schemas import ColumnSchema
from healthplan.optimizer import sources as src
from healthplan.optimizer.coverage import ACCESS_TIME_HORIZON_FACTOR, coverage_pairs
from healthplan.optimizer.covering import add_kind_access
from healthplan.optimizer.kind import (
    TRIANGLE_DOWN,
    FacilityData,
    FacilityKind,
    ItemType,
    KindConfig,
    Service,
    StandardRule,
    UnitCost,
)
from healthplan.optimizer.messages import say
from healthplan.optimizer.model import expr
from healthplan.optimizer.standard import Finding, Measured, Standard
from healthplan.optimizer.text import Text, is_en

if TYPE_CHECKING:
    import pulp

    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.kind import PrepareContext
    from healthplan.optimizer.model import Model
    from healthplan.optimizer.prepare import ModelData

NAME = "blood"
BLOOD_COST_ASSUMPTION_WAN = 80.0  # ASSUMPTION: used only when the scenario sets no blood-point cost, and flagged


class BloodConfig(KindConfig):
    """Fixed blood-collection points at candidate sites, maximal covering within the access standard."""

    access_minutes: float = Field(default=30.0, gt=0, description="min; ASSUMPTION (primary-care access, B)",
                                  json_schema_extra={"zh": "固定采血点可及时间标准", "unit_zh": "分钟"})
    unit_cost_wan: float | None = Field(
        default=None, ge=0, description="万元 per point; no sourced default: set it (else 80 is used and flagged)"
    )
    candidates: Literal["all", "candidates", "hospitals"] | list[str] = Field(
        default="all", description="sites that may host a point: all, greenfield candidates, hospitals, or ids"
    )
    min_points: int = Field(default=1, ge=0, description="≥ N fixed points (A: seed 000 item 9)")
    min_points_rule: StandardRule = StandardRule(mode="soft")
    target_coverage: float | None = Field(
        default=None, ge=0, le=1, description="share of population to cover (min-budget target)"
    )
    objective: Literal["coverage", "access_time"] = "coverage"


POINT = ItemType(
    key="blood", label=Text("固定采血点", "Fixed blood points"),
    name=Text("固定采血点（献血屋）建设项目", "fixed blood-collection point"),
    content=Text("设置固定采血点（献血屋）1个，面积约40平方米", "One fixed blood-collection point (about 40 m²)"),
    nature=Text("新建", "New build"), unit=Text("采血点", "point"),
    service="blood", column="blood_point", cost_key="blood", symbol=TRIANGLE_DOWN,
)


class MinPoints(Standard):
    """At least ``min_points`` fixed blood-collection points (seed 000 item 9: 到2025年底至少设1个固定采血点)."""

    name = "blood_min_points"
    kind = NAME
    label = Text("固定采血点数量", "Fixed blood points")
    what = Text("规定的固定采血点", "the required blood points")
    source = src.BLOOD_POINTS
    items = ("blood",)

    def rule(self, cfg: OptimizerConfig) -> StandardRule:
        return cfg.resources.blood.min_points_rule

    def required(self, data: ModelData) -> float:
        return float(data.cfg.resources.blood.min_points)

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        kd: FacilityData = m.data.kinds[NAME]
        new = [(v, 1.0) for (j, s), v in m.x.get("blood", {}).items() if s <= t]
        return expr(new, float(kd.has["blood"].sum()))

    def measure(self, data: ModelData, state: Measured) -> float:
        return float(state.stock["blood_point"].astype(bool).sum())

    def structural(self, data: ModelData) -> Finding | None:
        kd: FacilityData = data.kinds[NAME]
        need = data.cfg.resources.blood.min_points
        most = float(kd.has["blood"].sum() + kd.eligible["blood"].sum())
        if most >= need:
            return None
        return Finding(self.name, say("blood.min_points", need=need, most=f"{most:,.0f}"), float(need), most,
                       "sites", True)

    def min_cost(self, data: ModelData) -> float:
        kd: FacilityData = data.kinds[NAME]
        need = int(data.cfg.resources.blood.min_points - kd.has["blood"].sum())
        costs = np.sort(data.cost["blood"][kd.eligible["blood"]])
        return float(costs[:need].sum()) if need > 0 and len(costs) >= need else 0.0

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        n = cfg.resources.blood.min_points
        return (f"at least {n} fixed blood-collection point{'s' * (n != 1)}" if is_en(lang)
                else f"落实至少设{n}个固定采血点要求")


class BloodPoints(FacilityKind):
    """Fixed blood points: one binary per candidate site; dominated candidates are dropped (exact)."""

    name = NAME
    label = Text("固定采血点", "Fixed blood points")
    map_title = Text("固定采血点", "Fixed blood-collection points")
    config = BloodConfig
    items = (POINT,)
    services = (Service("blood", Text("固定采血点覆盖", "Blood point access"), Text("献血服务", "blood donation")),)
    colour = "#7b3294"
    costs = (UnitCost("blood", Text("固定采血点", "Blood-point"), "unit_cost_wan", BLOOD_COST_ASSUMPTION_WAN),)
    programme = Text("加强采供血服务能力建设", "Blood donation network")
    standards = (MinPoints(),)
    site_columns = (ColumnSchema("blood_point", "bool", default=False,
                                 description="existing fixed blood-collection point (固定采血点)",
                                 aliases=("固定采血点", "采血点")),)
    target_service = "blood"

    def threshold(self, kc: BloodConfig, service: str, urban: np.ndarray) -> np.ndarray:
        return np.full(len(urban), kc.access_minutes)

    def cutoff_minutes(self, kc: BloodConfig, *, ambulance_speed_factor: float = 1.0) -> float:
        """The access standard, or 3 × it for the p-median objective (travel beyond the standard counts)."""
        return kc.access_minutes * (ACCESS_TIME_HORIZON_FACTOR if kc.objective == "access_time" else 1.0)

    def check(self, kc: BloodConfig, site_ids: pd.Index) -> list[tuple[str, Text, Text]]:
        if isinstance(kc.candidates, str):
            return []
        unknown = sorted(set(map(str, kc.candidates)) - set(site_ids.astype(str)))
        if not unknown:
            return []
        return [("scenario (resources.blood.candidates)",
                 say("blood.unknown_candidates", n=len(unknown), s="s" * (len(unknown) != 1),
                     ids=", ".join(unknown[:5])),
                 say("blood.unknown_candidates.fix"))]

    def prepare(self, ctx: PrepareContext) -> FacilityData:
        kc: BloodConfig = self.settings(ctx.cfg)
        sites = ctx.instance.sites
        problems = self.check(kc, sites.index)
        if problems:
            where, msg, fix = problems[0]
            raise InputError(msg, file=where, fix=fix)
        if kc.candidates == "all":
            cand = np.ones(len(sites), dtype=bool)
        elif kc.candidates == "candidates":
            cand = sites["candidate"].astype(bool).to_numpy()
        elif kc.candidates == "hospitals":
            cand = np.isin(ctx.level, [lv.value for lv in HOSPITAL_LEVELS])
        else:
            cand = sites.index.astype(str).isin([str(x) for x in kc.candidates])
        has = ctx.column("blood_point")
        return FacilityData(has={"blood": has}, eligible={"blood": cand & ~has})

    def allowed(self, m: Model, item: ItemType) -> np.ndarray:
        return _undominated(m)

    def add_coverage(self, m: Model) -> None:
        """Coverage within ``access_minutes`` (ASSUMPTION: primary-care access), or p-median access time."""
        kc: BloodConfig = self.settings(m.data.cfg)
        kd: FacilityData = m.data.kinds[NAME]
        add_kind_access(m, "blood", ("blood",), kd.has["blood"], objective=kc.objective, weight=kc.weight,
                        target_coverage=kc.target_coverage)

    def units(self, data: ModelData, stock: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Fixed blood points serve blood donation (a 血站 counts only when its ``blood_point`` is set)."""
        return {"blood": stock["blood_point"].astype(bool).astype(float)}


def _undominated(m: Model) -> np.ndarray:
    """Drop candidate j when another candidate j' covers a superset of j's uncovered points at no greater cost.

    Exchange argument: in any plan using j, swapping j for j' (when j' is not in the plan) keeps the count and
    does not lower coverage or raise cost; if j' is in the plan, j adds no coverage and only serves as a filler
    for the minimum-points standard, a role the cheapest dominated candidates fill at least as well. So the rule
    keeps the k = min_points − existing cheapest dominated candidates (ties by site order) and drops the rest.
    It applies when the objective is ``coverage`` and no blood equity floor splits points by township.
    """
    d = m.data
    kc: BloodConfig = d.cfg.resources.blood
    kd: FacilityData = d.kinds[NAME]
    keep = np.ones(d.n_sites, dtype=bool)
    if kc.objective != "coverage" or (d.cfg.equity.theta is not None and "blood" in d.cfg.equity.kinds):
        return keep
    eligible, has = kd.eligible["blood"], kd.has["blood"]
    s_idx, d_idx = coverage_pairs(d.instance, d.cfg, "blood")
    # Demand points already covered by an existing point add nothing: domination is judged on the rest.
    covered = np.zeros(len(d.instance.demand), dtype=bool)
    covered[d_idx[has[s_idx]]] = True
    sel = eligible[s_idx] & ~covered[d_idx]
    a = sparse.csr_matrix((np.ones(sel.sum()), (s_idx[sel], d_idx[sel])), shape=(d.n_sites, len(covered)))
    cand = np.flatnonzero(eligible)
    sub = a[cand]
    inter = (sub @ sub.T).toarray()  # |cand|² shared points: candidates are few hundred at most
    size = np.asarray(sub.sum(axis=1)).ravel()
    cost = d.cost["blood"][cand]
    contains = inter >= size[:, None] - 1e-9  # row r's set ⊆ column c's set
    cheaper = cost[None, :] <= cost[:, None] + 1e-9
    strictly = (inter < size[None, :] - 1e-9) | (cost[None, :] < cost[:, None] - 1e-9)
    earlier = np.arange(len(cand))[None, :] < np.arange(len(cand))[:, None]
    dominated = contains & cheaper & (strictly | earlier)
    np.fill_diagonal(dominated, False)
    gone = np.flatnonzero(dominated.any(axis=1))
    fillers = int(max(kc.min_points - kd.has["blood"].sum(), 0)) if kc.min_points_rule.mode != "off" else 0
    if fillers:
        gone = gone[np.lexsort((gone, cost[gone]))][fillers:]  # keep the cheapest k as count fillers
    keep[cand[gone]] = False
    return keep


BLOOD = BloodPoints()
