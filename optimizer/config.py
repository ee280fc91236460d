"""Typed configuration of the model: resource kinds, standards, budget, phasing, objective and solver.

Each resource kind declares its own section (``optimizer/kinds/<kind>.py``); ``ResourcesConfig`` composes the
registered kinds. Every default carries its source and grade from the project's standards table (A official,
B paper, C one local project, ASSUMPTION no source: reports flag these when the user did not set them).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from healthplan.optimizer.decisions import Decision
from healthplan.optimizer.kind import StandardRule, StrictConfig
from healthplan.optimizer.messages import TextValueError, say
from healthplan.optimizer.kinds import KIND_NAMES, SERVICE_KEYS, ResourcesConfig
from healthplan.optimizer.kinds.ambulance import AmbulanceConfig
from healthplan.optimizer.kinds.blood import BLOOD_COST_ASSUMPTION_WAN, BloodConfig
from healthplan.optimizer.kinds.critical_care import CENTRE_COST_ASSUMPTION_WAN, CentreTypeConfig, CriticalCareConfig
from healthplan.optimizer.kinds.fever import ROOM_COST_ASSUMPTION_WAN, FeverConfig
from healthplan.optimizer.kinds.subcentre import SubcentreConfig, SubcentreEligibility

# Names a scenario may use: registered kinds (earmarks) and coverage keys (equity floors); from the registry.
Kind = Literal[KIND_NAMES]  # type: ignore[valid-type]
CoverageKey = Literal[SERVICE_KEYS]  # type: ignore[valid-type]



class EquityConfig(StrictConfig):
    """Equity floor: in every township, the covered share of each listed kind ≥ ``theta``."""

    theta: float | None = Field(default=None, ge=0, le=1)
    kinds: list[CoverageKey] = Field(default_factory=lambda: ["ambulance_single", "fever"])  # type: ignore[valid-type]
    rule: StandardRule = StandardRule(mode="soft")


class PhasingConfig(StrictConfig):
    """Multi-year phasing: installed stock is cumulative; milestones are shares of each standard by year."""

    years: list[int] = Field(default_factory=list, description="plan years, e.g. [2024, 2025, 2026]; empty = one")
    budgets_wan: list[float] | None = Field(default=None, description="万元 per year (same length as years)")
    carry_over: bool = Field(default=False, description="unspent money of a year may be spent later")
    milestones: list[float] | None = Field(
        default=None, description="share of the task (what the plan adds to today's level) done by each year, for "
        "every standard, e.g. [0.6, 0.8, 1.0] (seed 000); default: the standards are due only in the final year"
    )
    milestones_by_standard: dict[str, list[float]] = Field(
        default_factory=dict, description="per standard (name as in the standards table): its own shares by year, "
        "overriding `milestones`, e.g. {amb_fleet_ratio: [0.6, 0.8, 1.0], subcentre_target: [0, 0, 1]}"
    )
    year_weights: list[float] | None = Field(
        default=None, description="weight of each year's coverage; default decreasing (earlier counts more)"
    )

    @model_validator(mode="after")
    def _lengths(self) -> PhasingConfig:
        n = len(self.years)
        for name in ("budgets_wan", "milestones", "year_weights"):
            v = getattr(self, name)
            if v is not None and len(v) != (max(n, 1) if name == "milestones" else n):
                raise TextValueError(say("phasing.length", name=name, n=len(v), years=n))
        for name, v in self.milestones_by_standard.items():
            if len(v) != max(n, 1):
                raise TextValueError(say("phasing.length_by_standard", name=name, n=len(v), years=max(n, 1)))
        own = [(f"milestones_by_standard.{k}", v) for k, v in self.milestones_by_standard.items()]
        for name, v in [("milestones", self.milestones or []), *own]:
            if any(not 0 <= x <= 1 for x in v) or any(b < a for a, b in zip(v, v[1:])):
                raise TextValueError(say("phasing.shares", name=name, values=v))
            if v and v[-1] != 1:
                raise TextValueError(say("phasing.ends_with_one", name=name, values=v))
        return self


class ObjectiveConfig(StrictConfig):
    """Lexicographic stages: least weighted shortfall, then most weighted coverage, then least cost."""

    mode: Literal["lexicographic", "weighted"] = "lexicographic"
    tolerance: float = Field(default=1e-6, ge=0, description="relative slack when holding a stage's optimum")
    tie_break_share: float | None = Field(
        default=0.5, ge=0, description="with a solver gap > 0: most seconds the last stage (least cost after "
        "coverage) may take, as a share of the stages before it (at least 2 s); it keeps the best plan found "
        "from the coverage plan and says its cost is not proven least; null = no bound")
    hold_groups: Literal["auto", "off"] = Field(
        default="auto", description="how the least shortfall is held in the later stages: auto = for a "
        "multi-year plan, each group of standards of equal weight and year bounded at its own value when one "
        "probe MILP proves that removes no plan (the total alone otherwise); off = the total alone")
    neighbourhoods: bool = Field(
        default=True, description="a multi-year plan of at least 5,000 rows: before HiGHS searches the coverage "
        "stage, the least-shortfall plan is improved by re-solving a few nearby sites at a time with every other "
        "decision fixed, in up to half of the stage's time; when HiGHS then stops at its time limit, the better "
        "of its plan and this one is kept; false = HiGHS alone")
    relaxation_support: bool = Field(
        default=True, description="with neighbourhoods, first: the coverage stage's relaxation is solved and "
        "the MILP restricted to the integer columns it uses (every other one fixed at 0) gives the plan the "
        "window search starts from; the relaxation's value bounds the stage; false = the least-shortfall plan")
    budget_caps: bool = Field(
        default=True, description="before the coverage stage, each budget row gets one row per family of units: "
        "their spend ≤ the budget less the least the rest of the plan must spend to keep the held standards "
        "(a small exact MILP per family), rounded down to whole units; it removes no plan and tightens the "
        "relaxation where a budget's remainder would buy fractions of units; false = none")


class SolverConfig(StrictConfig):
    """MILP solver: HiGHS (highspy) by default, CBC via PuLP as fallback."""

    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: float = Field(default=300.0, gt=0)
    gap: float = Field(default=0.0, ge=0, description="relative MIP gap")
    threads: int | None = Field(default=None, ge=1)
    msg: bool = False
    root_lp: Literal["auto", "simplex", "ipm"] = Field(
        default="auto", description="HiGHS's method for the first LP relaxation of a MILP: auto = interior "
        "point (IPX, with crossover) for a coverage maximisation of at least 2,500 rows and 25,000 nonzeros, "
        "dual simplex otherwise")


class OptimizerConfig(StrictConfig):
    """Everything the optimizer reads from a scenario."""

    resources: ResourcesConfig = ResourcesConfig()
    budget_wan: float | None = Field(default=None, ge=0, description="capital budget, 万元; None = unlimited")
    earmarks_wan: dict[Kind, float] = Field(default_factory=dict, description="most 万元 per kind")  # type: ignore[valid-type]
    opex_cap_wan: float | None = Field(default=None, ge=0, description="annual operating-cost cap (crews), 万元")
    site_costs_wan: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="per-site unit-cost overrides: {site_id: {item: 万元}}"
    )
    decisions: list[Decision] = Field(
        default_factory=list, description="named decisions per site: must, never or committed (seed 003's five "
        "named sub-centres)",
    )
    phasing: PhasingConfig = PhasingConfig()
    equity: EquityConfig = EquityConfig()
    objective: ObjectiveConfig = ObjectiveConfig()
    solver: SolverConfig = SolverConfig()
    plan_year: int = Field(default=2025, description="year of a single-period plan")


__all__ = [
    "BLOOD_COST_ASSUMPTION_WAN", "CENTRE_COST_ASSUMPTION_WAN", "ROOM_COST_ASSUMPTION_WAN", "AmbulanceConfig", "BloodConfig", "CentreTypeConfig",
    "Decision",
    "CoverageKey", "CriticalCareConfig", "EquityConfig", "FeverConfig", "Kind", "ObjectiveConfig", "OptimizerConfig",
    "PhasingConfig", "ResourcesConfig", "SolverConfig", "StandardRule", "SubcentreConfig", "SubcentreEligibility",
]
