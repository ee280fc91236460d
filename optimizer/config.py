"""Typed configuration of the model: resource kinds, standards, budget, phasing, objective and solver.

Every default carries its source and grade from the project's standards table (A official, B paper,
C one local project, ASSUMPTION no source: reports flag these when the user did not set them).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from healthplan.geodata.levels import Level

Kind = Literal["ambulance", "fever", "blood", "subcentre"]
CoverageKey = Literal["ambulance", "ambulance_single", "fever", "blood", "secondary"]
KINDS: tuple[Kind, ...] = ("ambulance", "fever", "blood", "subcentre")
COVERAGE_KEYS: tuple[CoverageKey, ...] = ("ambulance", "ambulance_single", "fever", "blood", "secondary")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # .inf/.nan in YAML are errors


class StandardRule(_Strict):
    """How one standard enters the model: ``hard`` (must hold), ``soft`` (shortfall penalised and reported) or
    ``off``. ``weight`` scales a soft standard's shortfall in the first objective stage."""

    mode: Literal["hard", "soft", "off"] = "soft"
    weight: float = Field(default=1.0, ge=0)


class AmbulanceConfig(_Strict):
    """Ambulances: integer ordinary and negative-pressure vehicles per station, expected coverage (MEXCLP)."""

    enabled: bool = True
    response_minutes_urban: float = Field(default=15.0, gt=0, description="min; A via news: Guizhou 2021 plan")
    response_minutes_rural: float = Field(default=30.0, gt=0, description="min; A via news: Guizhou 2021 plan")
    dispatch_minutes: float = Field(
        default=3.0, ge=0, description="min deducted from the response target (A: 2020 national EMS guidance)"
    )
    busy_fraction: float | None = Field(
        default=None, gt=0, lt=1, description="MEXCLP q; None = derived from calls and minutes per call"
    )
    calls_per_1000_per_year: float = Field(default=30.0, gt=0, description="EMS calls per 1,000 persons a year; ASSUMPTION")
    minutes_per_call: float = Field(default=60.0, gt=0, description="vehicle minutes per call; ASSUMPTION")
    coverage_depth: int = Field(default=3, ge=1, le=10, description="MEXCLP levels: value the 1st … k-th vehicle")
    unit_cost_ord_wan: float = Field(default=25.0, ge=0, description="万元; C: Chongqing Xiushan 2020")
    unit_cost_np_wan: float = Field(default=35.0, ge=0, description="万元; C: Ford NPA 2020, Xiamen")
    new_station_cost_wan: float = Field(default=100.0, ge=0, description="万元 to open a new station; ASSUMPTION")
    opex_wan_per_vehicle_year: float = Field(default=35.0, ge=0, description="万元/vehicle-year; C: Beijing Tongzhou")
    station_levels: list[Level] = Field(
        default_factory=lambda: [
            Level.COUNTY_HOSPITAL, Level.SECONDARY_HOSPITAL, Level.TCM_HOSPITAL, Level.MCH_HOSPITAL,
            Level.CENTRAL_THC, Level.THC, Level.CHC, Level.CANDIDATE,
        ],
        description="levels that may host an ambulance station (A: 2000 seed 000 item 12)",
    )
    default_station_capacity: int = Field(default=6, ge=1, description="vehicles per station when the site gives none")
    urban_pop_per_vehicle: float = Field(default=30_000, gt=0, description="persons; B: 国卫医发〔2020〕19号")
    rural_pop_per_vehicle: float = Field(default=10_000, gt=0, description="persons; B: same, county ×3")
    np_share: float = Field(default=0.4, ge=0, le=1, description="negative-pressure share; A via news")
    fleet: StandardRule = StandardRule(mode="soft")
    np_share_rule: StandardRule = StandardRule(mode="soft")
    one_per_thc: StandardRule = Field(
        default=StandardRule(mode="off"), description="≥ 1 ambulance per township health centre (A: Guizhou 2021)"
    )
    weight: float = Field(default=1.0, ge=0, description="weight of ambulance coverage in the objective")
    target_coverage: float | None = Field(
        default=None, ge=0, le=1,
        description="share of population with ≥ 1 vehicle within the response standard (min-budget target)",
    )

    def drive_minutes(self, urban: bool) -> float:
        """Drive-time threshold (min): response target − dispatch overhead."""
        resp = self.response_minutes_urban if urban else self.response_minutes_rural
        return max(resp - self.dispatch_minutes, 0.0)


class FeverConfig(_Strict):
    """Fever clinics (hospitals, large township health centres) and fever rooms (township/community centres)."""

    enabled: bool = True
    access_minutes_urban: float = Field(default=15.0, gt=0, description="min; B: Hainan plans (IJEH 2021)")
    access_minutes_rural: float = Field(default=30.0, gt=0, description="min; B: Hainan plans (IJEH 2021)")
    clinic_cost_wan: float = Field(default=1600.0, ge=0, description="万元; C: Henan county TCM hospital")
    room_cost_wan: float | None = Field(
        default=None, ge=0, description="万元; no sourced default: set it (else 50 is used and flagged)"
    )
    clinic_levels: list[Level] = Field(
        default_factory=lambda: [
            Level.COUNTY_HOSPITAL, Level.SECONDARY_HOSPITAL, Level.TCM_HOSPITAL, Level.MCH_HOSPITAL,
        ],
        description="hospitals required to have a fever clinic (B: Shandong rule; A: 2022 notice)",
    )
    thc_clinic_population: float | None = Field(
        default=None, gt=0, description="persons within access: THCs above this may get a clinic; ASSUMPTION"
    )
    room_levels: list[Level] = Field(
        default_factory=lambda: [Level.CENTRAL_THC, Level.THC, Level.CHC],
        description="centres required to have a fever room (A via news: 2022 national notice)",
    )
    clinic_mandate: StandardRule = StandardRule(mode="soft")
    room_mandate: StandardRule = StandardRule(mode="soft")
    weight: float = Field(default=1.0, ge=0)
    target_coverage: float | None = Field(
        default=None, ge=0, le=1, description="share of population within the access standard (min-budget target)"
    )

    def access_minutes(self, urban: bool) -> float:
        """Access standard (min) for an urban or rural demand point."""
        return self.access_minutes_urban if urban else self.access_minutes_rural


ROOM_COST_ASSUMPTION_WAN = 50.0  # ASSUMPTION: used only when the scenario sets no fever-room cost, and flagged
BLOOD_COST_ASSUMPTION_WAN = 80.0  # ASSUMPTION: used only when the scenario sets no blood-point cost, and flagged


class BloodConfig(_Strict):
    """Fixed blood-collection points at candidate sites, maximal covering within the access standard."""

    enabled: bool = True
    access_minutes: float = Field(default=30.0, gt=0, description="min; ASSUMPTION (primary-care access, B)")
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
    weight: float = Field(default=1.0, ge=0)


class SubcentreEligibility(_Strict):
    """Which central township health centres may be upgraded (no verified provincial rule: all ASSUMPTION)."""

    levels: list[Level] = Field(default_factory=lambda: [Level.CENTRAL_THC])
    min_beds: int = Field(default=0, ge=0, description="beds; ASSUMPTION")
    min_population: float = Field(default=0.0, ge=0, description="persons within access_minutes; ASSUMPTION")
    min_minutes_from_county_hospital: float = Field(default=0.0, ge=0, description="min; ASSUMPTION")


class SubcentreConfig(_Strict):
    """Sub-centre upgrades; secondary-care coverage counts county/secondary hospitals plus sub-centres."""

    enabled: bool = True
    access_minutes: float = Field(default=60.0, gt=0, description="min; B: hospital access one-hour circle")
    unit_cost_wan: float = Field(default=1800.0, ge=0, description="万元; C: Hubei Tongcheng 2024 tender")
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
    weight: float = Field(default=1.0, ge=0)


class ResourcesConfig(_Strict):
    """The four resource kinds; each can be switched off."""

    ambulance: AmbulanceConfig = AmbulanceConfig()
    fever: FeverConfig = FeverConfig()
    blood: BloodConfig = BloodConfig()
    subcentre: SubcentreConfig = SubcentreConfig()

    def enabled(self) -> list[Kind]:
        """The kinds switched on, in canonical order."""
        return [k for k in KINDS if getattr(self, k).enabled]


class EquityConfig(_Strict):
    """Equity floor: in every township, the covered share of each listed kind ≥ ``theta``."""

    theta: float | None = Field(default=None, ge=0, le=1)
    kinds: list[CoverageKey] = Field(default_factory=lambda: ["ambulance_single", "fever"])
    rule: StandardRule = StandardRule(mode="soft")


class PhasingConfig(_Strict):
    """Multi-year phasing: installed stock is cumulative; milestones are shares of each standard by year."""

    years: list[int] = Field(default_factory=list, description="plan years, e.g. [2024, 2025, 2026]; empty = one")
    budgets_wan: list[float] | None = Field(default=None, description="万元 per year (same length as years)")
    carry_over: bool = Field(default=False, description="unspent money of a year may be spent later")
    milestones: list[float] | None = Field(
        default=None, description="share of every standard met by each year, e.g. [0.6, 0.8, 1.0] (seed 000)"
    )
    year_weights: list[float] | None = Field(
        default=None, description="weight of each year's coverage; default decreasing (earlier counts more)"
    )

    @model_validator(mode="after")
    def _lengths(self) -> PhasingConfig:
        n = len(self.years)
        for name in ("budgets_wan", "milestones", "year_weights"):
            v = getattr(self, name)
            if v is not None and len(v) != n:
                raise ValueError(f"phasing.{name} has {len(v)} values but phasing.years has {n}")
        return self


class ObjectiveConfig(_Strict):
    """Lexicographic stages: least weighted shortfall, then most weighted coverage, then least cost."""

    mode: Literal["lexicographic", "weighted"] = "lexicographic"
    tolerance: float = Field(default=1e-6, ge=0, description="relative slack when holding a stage's optimum")


class SolverConfig(_Strict):
    """MILP solver: HiGHS (highspy) by default, CBC via PuLP as fallback."""

    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: float = Field(default=300.0, gt=0)
    gap: float = Field(default=0.0, ge=0, description="relative MIP gap")
    threads: int | None = Field(default=None, ge=1)
    msg: bool = False


class OptimizerConfig(_Strict):
    """Everything the optimizer reads from a scenario."""

    resources: ResourcesConfig = ResourcesConfig()
    budget_wan: float | None = Field(default=None, ge=0, description="capital budget, 万元; None = unlimited")
    earmarks_wan: dict[Kind, float] = Field(default_factory=dict, description="most 万元 per kind")
    opex_cap_wan: float | None = Field(default=None, ge=0, description="annual operating-cost cap (crews), 万元")
    site_costs_wan: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="per-site unit-cost overrides: {site_id: {item: 万元}}"
    )
    phasing: PhasingConfig = PhasingConfig()
    equity: EquityConfig = EquityConfig()
    objective: ObjectiveConfig = ObjectiveConfig()
    solver: SolverConfig = SolverConfig()
    plan_year: int = Field(default=2025, description="year of a single-period plan")
