"""Typed configuration of what a run writes: titles, language, funding splits and responsible units per kind (with
per-site overrides), the running-cost rate used where a kind has no sourced figure, and the output switches.

Names of funding sources and units are either a built-in key (``central_budget``, ``county_budget``,
``health_commission`` …, or one of their Chinese names such as 县级财政, 县卫生健康局), whose Chinese and English
names come from the message catalogs (``reports/locale``), or the planner's own name: a plain string (printed as
written in both languages) or ``{zh: 区社管局, en: District Social Affairs Bureau}``.

Funding (资金来源) of a project, in this order: the committed decision's own ``funding`` (the approval's words);
the site's override (``sites.<id>.funding``); the split of its item type or kind (``funding.<kind>``); else the
single ``funding_source``. A split is a list of parts, each a ``share`` (of the project's cost) or a fixed ``wan``
(万元 for the whole scope the split applies to: the kind's projects, or the site's projects, shared out in
proportion to their cost). Fixed amounts are taken first; the shares (summing to 1) divide the rest; with no
share part the rest comes from ``funding_source``. Responsible units (责任单位) follow the same order: site, item
type, kind, then ``responsible_unit`` with ``co_units``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from healthplan.geodata.errors import ProblemReport

# Built-in names: key → Chinese aliases a scenario may write instead of the key (display names: message catalogs).
FUNDING_SOURCES: dict[str, tuple[str, ...]] = {
    "central_budget": ("中央预算内投资", "中央预算内", "中央预算内资金", "中央预算内投资资金"),
    "provincial_subsidy": ("省级补助资金", "省级补助", "省级财政补助", "省级财政"),
    "city_subsidy": ("市级补助资金", "市级补助", "市级财政"),
    "special_bonds": ("地方政府专项债券", "地方政府专项债", "专项债券", "专项债"),
    "county_budget": ("县级财政资金", "县级财政", "县级配套", "县财政", "县级财政配套"),
    "self_funded": ("单位自筹", "自筹", "自筹资金"),
    "social_capital": ("社会资本",),
}
UNITS: dict[str, tuple[str, ...]] = {
    "health_commission": ("县卫生健康局", "县卫健局", "县卫生健康委员会", "县卫健委"),
    "finance_bureau": ("县财政局",),
    "development_reform": ("县发展和改革局", "县发改局", "县发展改革局"),
    "natural_resources": ("县自然资源局",),
    "housing": ("县住房和城乡建设局", "县住建局"),
    "township_governments": ("各乡镇人民政府", "各乡镇（街道）", "各乡镇"),
    "emergency_centre": ("县急救中心", "县120急救中心"),
    "blood_centre": ("市中心血站", "中心血站"),
}
RUNNING_COST_SHARE = 0.05  # ASSUMPTION: upkeep and equipment maintenance a year as a share of capital (no source)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # .inf/.nan in YAML are errors


class Named(_Strict):
    """A name in both languages (a unit or funding source the built-in names do not have)."""

    zh: str = Field(min_length=1, description="Chinese name, e.g. 区社管局")
    en: str = Field(min_length=1, description="English name, e.g. District Social Affairs Bureau")


NameSpec = str | Named


class FundingPart(_Strict):
    """One source of a funding split: a share of each project's cost, or a fixed amount (万元) for the scope."""

    source: NameSpec = Field(description="built-in key (central_budget, provincial_subsidy, city_subsidy, "
                             "special_bonds, county_budget, self_funded, social_capital), its Chinese name, or "
                             "your own name ({zh, en})")
    share: float | None = Field(default=None, gt=0, le=1, description="share of the cost (0–1)")
    wan: float | None = Field(default=None, ge=0, description="fixed amount, 万元, for all projects of the scope")

    @model_validator(mode="after")
    def _one_amount(self) -> FundingPart:
        if (self.share is None) == (self.wan is None):
            raise ValueError("give either share (0–1) or wan (万元) for each funding source, not both or neither")
        return self


class Responsibility(_Strict):
    """责任单位: the lead unit and the co-units, printed lead first (〔责任单位：区社管局、区财政局〕)."""

    lead: NameSpec = Field(description="lead unit: built-in key (health_commission, finance_bureau, "
                           "development_reform, natural_resources, housing, township_governments, emergency_centre, "
                           "blood_centre), its Chinese name, or your own name ({zh, en})")
    co: list[NameSpec] = Field(default_factory=list, description="co-units, in order")


class ProjectOverride(_Strict):
    """Funding and responsibility of the projects at one site (any kind)."""

    funding: list[FundingPart] | None = None
    responsible: Responsibility | None = None

    @field_validator("funding")
    @classmethod
    def _shares_sum_to_one(cls, parts: list[FundingPart] | None) -> list[FundingPart] | None:
        return check_split(parts)


def check_split(parts: list[FundingPart] | None) -> list[FundingPart] | None:
    """A split's shares must sum to 1 (they divide what the fixed amounts leave); an empty split is an error."""
    if parts is None:
        return None
    if not parts:
        raise ValueError("a funding split needs at least one source")
    shares = [p.share for p in parts if p.share is not None]
    if shares and abs(sum(shares) - 1.0) > 1e-6:
        raise ValueError(f"the shares of a funding split sum to {sum(shares):g}, not 1 — fix the shares (fixed "
                         "wan amounts come first, the shares divide the rest)")
    return parts


class ReportConfig(_Strict):
    """Report settings of a scenario (the ``report:`` section)."""

    title: str | None = Field(default=None, description="map and appendix title; default from the scenario name")
    title_en: str | None = Field(default=None, description="English title for --lang en (default: the title "
                                 "when it has no Chinese, else the scenario name)")
    lang: Literal["zh", "en"] = Field(default="zh", description="language of tables and maps (CLI --lang wins)")
    county: str | None = Field(default=None, description="county/district name used in project names")
    funding_source: NameSpec = Field(default="county_budget", description="资金来源 when no split applies "
                                     "(built-in key, its Chinese name such as 县级财政, or {zh, en})")
    responsible_unit: NameSpec = Field(default="health_commission", description="责任单位 (lead) when no kind or "
                                       "site sets one")
    co_units: list[NameSpec] = Field(default_factory=lambda: ["finance_bureau"],
                                     description="co-units printed after responsible_unit")
    funding: dict[str, list[FundingPart]] = Field(
        default_factory=dict, description="funding split per kind or item type, e.g. ambulance: [{source: "
        "central_budget, share: 0.6}, {source: county_budget, share: 0.4}]")
    responsible: dict[str, Responsibility] = Field(
        default_factory=dict, description="责任单位 per kind or item type: {lead, co}")
    sites: dict[str, ProjectOverride] = Field(
        default_factory=dict, description="per-site overrides of funding and responsibility (site id → {funding, "
        "responsible})")
    running_cost_share: float = Field(
        default=RUNNING_COST_SHARE, ge=0, le=1,
        description="annual running cost as a share of capital for kinds without a sourced figure; ASSUMPTION",
        json_schema_extra={"zh": "无来源依据类别的年运行费用占建设投资比例", "unit_zh": ""})
    data_note: str | None = Field(default=None, description="data note printed on maps (source, date)")
    maps: bool = Field(default=True, description="write PNG/PDF maps")
    html_map: bool = Field(default=True, description="write map.html")
    documents: bool = Field(default=True, description="write appendix.xlsx and appendix.docx")

    @field_validator("funding")
    @classmethod
    def _splits(cls, v: dict[str, list[FundingPart]]) -> dict[str, list[FundingPart]]:
        _known_keys(v)
        for parts in v.values():
            check_split(parts)
        return v

    @field_validator("responsible")
    @classmethod
    def _responsible_keys(cls, v: dict[str, Responsibility]) -> dict[str, Responsibility]:
        _known_keys(v)
        return v


def _known_keys(mapping: dict) -> None:
    """Keys of a per-kind mapping must be registered kinds or item types (with a suggestion when not)."""
    import difflib

    from healthplan.optimizer.kinds import ITEM_KEYS, KIND_NAMES

    known = list(dict.fromkeys([*KIND_NAMES, *ITEM_KEYS]))
    for key in mapping:
        if key not in known:
            guess = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            raise ValueError(f"unknown kind {key!r}: {hint}use one of {', '.join(known)}")


def builtin_key(name: NameSpec) -> tuple[str, str] | None:
    """``("source" | "unit", key)`` when ``name`` is a built-in key or one of its Chinese names, else ``None``."""
    if not isinstance(name, str):
        return None
    for table, group in ((FUNDING_SOURCES, "source"), (UNITS, "unit")):
        if name in table:
            return group, name
        for key, aliases in table.items():
            if name in aliases:
                return group, key
    return None


def report_problems(report: ReportConfig, site_ids: object) -> ProblemReport:
    """Site overrides that name no site (``report.sites.<id>``), all at once, each with its fix."""
    rep = ProblemReport()
    ids = {str(s) for s in site_ids}  # type: ignore[attr-defined]
    for sid in report.sites:
        if str(sid) not in ids:
            rep.error("scenario (report.sites)", f"site {sid!r} is not among the {len(ids)} sites",
                      "use a site id of the facilities or candidates layer, or remove the override")
    return rep
