"""The standards of a scenario and their model rows: each kind's own standards, the township floors (equity) and
the coverage targets of min-budget mode — each hard, soft (shortfall variable, weighted) or off, with milestones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pulp
import pandas as pd

from healthplan.optimizer.fold import denominator
from healthplan.optimizer.kinds import enabled_kinds, service
from healthplan.optimizer.model import StandardSpec
from healthplan.optimizer.phasing import milestone_factors
from healthplan.optimizer.standard import Measured, Standard, pct
from healthplan.optimizer.text import Source, Text, is_en

if TYPE_CHECKING:
    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.kind import StandardRule
    from healthplan.optimizer.model import Model
    from healthplan.optimizer.prepare import ModelData

EQUITY_SOURCE = Source("ASSUMPTION", None, Text("情景设定的乡镇覆盖率下限", "the scenario's township coverage floor"))
TARGET_SOURCE = Source("ASSUMPTION", None, Text("情景设定的覆盖率目标", "the scenario's coverage target"))


class EquityFloor(Standard):
    """Township floor of one service: in every township, covered persons ≥ θ × its population (one row per
    township in the model; the table reports the worst township's share)."""

    unit = "persons"
    integer = False
    source = EQUITY_SOURCE

    def __init__(self, key: str) -> None:
        self.key = key
        k, svc = service(key)
        self.name = f"equity_{key}"
        self.kind = k.name
        self.label = Text(f"乡镇覆盖率下限（{svc.label.zh}）", f"Township floor: {svc.label.en}")
        self.items = tuple(it.key for it in k.items if it.service == key) or tuple(it.key for it in k.items)

    def rule(self, cfg: OptimizerConfig) -> StandardRule | None:
        return cfg.equity.rule if cfg.equity.theta is not None else None

    def required(self, data: ModelData) -> float:
        return float(data.cfg.equity.theta or 0.0)

    def specs(self, m: Model) -> list[StandardSpec]:
        eq = m.data.cfg.equity
        d = m.data.instance.demand
        pop = d.groupby(d["township"].astype(str))["population"].sum()
        towns = sorted({k[2] for k in m.covered_town if k[0] == self.key})
        return [StandardSpec(f"equity_{self.key}_{town}",
                             {t: m.covered_town[(self.key, t, town)] for t in range(m.n_years)},
                             float(eq.theta * pop[town]), eq.rule.mode, eq.rule.weight, "persons", self.cite(),
                             integer=False) for town in towns]

    def measure(self, data: ModelData, state: Measured) -> float:
        d = data.instance.demand
        pop = d["population"].to_numpy(dtype=float)
        town = d["township"].astype(str).to_numpy()
        tp = pd.Series(pop).groupby(town).sum()
        share = pd.Series(state.coverage[self.key] * pop).groupby(town).sum() / tp.where(tp > 0)
        return float(share.min())

    def table_row(self, data: ModelData, before: Measured, after: Measured) -> dict[str, Any]:
        return {"required": self.required(data), "existing": self.measure(data, before),
                "planned": self.measure(data, after), "unit": "share (worst township)"}

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        short = service(self.key)[1].short(lang)
        th = cfg.equity.theta
        if th is None:
            return f"township coverage floor for {short}" if is_en(lang) else f"落实乡镇{short}覆盖率下限要求"
        return (f"{short} coverage ≥ {pct(th)}% in every township" if is_en(lang)
                else f"落实各乡镇{short}覆盖率不低于{pct(th)}%要求")


class CoverageTarget(Standard):
    """Min-budget coverage target of a kind's target service: covered persons ≥ min(target × population,
    persons any existing or candidate facility can reach), so that 1.0 means "everyone reachable", as in the
    set-covering problem (hard, min-budget mode only; optimize maximises coverage anyway)."""

    unit = "persons"
    integer = False
    source = TARGET_SOURCE

    def __init__(self, key: str) -> None:
        self.key = key
        k, svc = service(key)
        self.name = f"{key}_target_coverage"
        self.kind = k.name
        self.label = Text(f"{svc.label.zh}覆盖率目标", f"Coverage target: {svc.label.en}")
        self.items = tuple(it.key for it in k.items if it.service == key) or tuple(it.key for it in k.items)

    def target(self, cfg: OptimizerConfig) -> float | None:
        """The share the kind's ``target_coverage`` asks, or ``None``."""
        k, _ = service(self.key)
        return getattr(k.settings(cfg), "target_coverage", None)

    def rule(self, cfg: OptimizerConfig) -> StandardRule | None:
        from healthplan.optimizer.kind import StandardRule

        return StandardRule(mode="hard") if self.target(cfg) is not None else None

    def required(self, data: ModelData) -> float:
        return float(self.target(data.cfg) or 0.0) * float(data.instance.population)

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        return m.covered[(self.key, t)]

    def specs(self, m: Model) -> list[StandardSpec]:
        if m.mode != "min_budget" or (self.key, 0) not in m.covered:
            return []
        req = min(float(self.target(m.data.cfg) or 0.0) * float(m.data.instance.population),
                  coverable_population(m, self.key))
        return [StandardSpec(self.name, {t: self.level(m, t) for t in range(m.n_years)}, req, "hard", 1.0,
                             "persons", self.cite(), integer=False)]

    def measure(self, data: ModelData, state: Measured) -> float:
        pop = data.instance.demand["population"].to_numpy(dtype=float)
        return float((state.coverage[self.key] * pop).sum()) / max(pop.sum(), 1.0)

    def table_row(self, data: ModelData, before: Measured, after: Measured) -> dict[str, Any]:
        """The target asked, capped at the share any facility can reach; a capped row says so in its label
        (min-budget never lowers a target silently)."""
        total = max(float(data.instance.population), 1.0)
        coverable = before.coverable.get(self.key, total)
        asked = float(self.target(data.cfg) or 0.0)
        row = {"required": min(asked, coverable / total), "existing": self.measure(data, before),
               "planned": self.measure(data, after), "unit": "share", "mode": "target"}
        if asked > coverable / total + 1e-9:
            most = coverable / total
            out = total - coverable
            row["label_zh"] = (f"{self.label('zh')}（要求{pct(asked)}%，可达上限{100 * most:.1f}%：其余{out:,.0f}人在"
                               "任何现有或候选设施的服务时限之外）")
            row["label_en"] = (f"{self.label('en')} (asked {pct(asked)}%, at most {100 * most:.1f}% reachable: "
                               f"{out:,.0f} persons are beyond the time standard of every existing or candidate site)")
        return row

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        short = service(self.key)[1].short(lang)
        target = self.target(cfg)
        if target is None:
            return f"coverage target for {short}" if is_en(lang) else f"落实{short}覆盖率目标"
        return (f"{short} coverage target of {pct(target)}% of the population" if is_en(lang)
                else f"落实{short}覆盖率达到{pct(target)}%目标")


def scenario_standards(cfg: OptimizerConfig) -> list[Standard]:
    """Every standard that applies under ``cfg`` and is not off: kinds' own, township floors, coverage targets."""
    out: list[Standard] = [s for k in enabled_kinds(cfg) for s in k.active_standards(cfg)]
    eq = cfg.equity
    if eq.theta is not None and eq.rule.mode != "off":
        out += [EquityFloor(key) for key in eq.kinds if service(key)[0].enabled(cfg)]
    for k in enabled_kinds(cfg):
        if k.target_service is not None and getattr(k.settings(cfg), "target_coverage", None) is not None:
            out.append(CoverageTarget(k.target_service))
    return out


def standard_by_name(cfg: OptimizerConfig, name: str) -> Standard | None:
    """The standard of ``cfg`` called ``name`` (a model row's township suffix is ignored), or ``None``."""
    for s in scenario_standards(cfg):
        if name == s.name or (isinstance(s, EquityFloor) and name.startswith(s.name + "_")):
            return s
    return None


def standard_named(name: str) -> Standard | None:
    """The standard called ``name`` whatever the scenario: a kind's own, a township floor (``equity_<key>``,
    also with a township suffix) or a coverage target (``<key>_target_coverage``); ``None`` for other names."""
    from healthplan.optimizer.kinds import SERVICE_KEYS, kind_standard

    s = kind_standard(name)
    if s is not None:
        return s
    if name.endswith("_target_coverage") and name.removesuffix("_target_coverage") in SERVICE_KEYS:
        return CoverageTarget(name.removesuffix("_target_coverage"))
    if name.startswith("equity_"):
        rest = name.removeprefix("equity_")
        key = next((k for k in sorted(SERVICE_KEYS, key=len, reverse=True) if rest == k or rest.startswith(k + "_")),
                   None)
        return EquityFloor(key) if key is not None else None
    return None


def coverable_population(m: Model, key: str) -> float:
    """Persons that some existing or candidate facility of ``key`` can reach (the most any plan can cover)."""
    g = m.groups.get("ambulance" if key == "ambulance_single" else key)
    if g is None:
        return 0.0
    reach = (g.existing >= 1) | np.array([len(s) > 0 for s in g.sites])
    return float(g.population[reach].sum())


def add_standards(m: Model) -> None:
    """Rows ``std_<name>_<t>``: level_t + σ_t ≥ μ_t × required (σ ≥ 0 only when soft; hard rows have none).

    μ_t is the milestone share of the task due by year t (final year 1.0; the standard's own shares when the
    scenario sets ``milestones_by_standard``), and the row asks existing + μ_t × (required − existing). The stage-1 objective term of a soft standard is
    weight × σ_t in its natural unit (vehicles, sites), so one missing vehicle or fever room counts 1; the
    person-based standards (equity floors, coverage targets, full coverage) enter as a share of the required
    persons (σ_t / required) so that a few hundred persons do not outweigh a missing clinic. In min-budget mode
    hard rows get an elastic variable whose total is minimised first (zero unless out of reach at any budget).
    """
    # specs() may add helper variables and rows (e.g. one-per-THC indicators): call it once per standard
    by_spec = [(s, spec) for s in scenario_standards(m.data.cfg) for spec in s.specs(m)]
    m.standards = [spec for _, spec in by_spec]
    for s, spec in by_spec:
        mu = milestone_factors(m.data.cfg, m.n_years, s.name)
        for t in range(m.n_years):
            if mu[t] <= 0:
                continue
            lhs, rhs = s.row_for_milestone(m, spec, t, mu[t])
            spec.required_by_year[t] = rhs
            name = f"std_{spec.name}_{t}"
            if spec.mode == "soft":
                d = _whole_multiplier(lhs, rhs)
                if d is None:
                    sigma = m.var(f"short_{spec.name}_{t}", 0)
                    m.add(lhs + sigma >= rhs, name)
                    m.shortfall.append((sigma, spec.weight / _scale(spec)))
                    m.term_year[sigma.name] = t
                else:
                    # σ' = d·σ takes whole values at every plan (the row is whole after × d): declared integer, so
                    # the solver sees that a held total of shortfalls cannot be met by fractions of a unit
                    sigma = m.var(f"short_{spec.name}_{t}", 0, cat=pulp.LpInteger)
                    m.add(d * lhs + sigma >= d * rhs, name)
                    m.shortfall.append((sigma, spec.weight / _scale(spec) / d))
                    m.term_year[sigma.name] = t
            elif m.mode == "min_budget":
                # elastic hard row: a positive optimum of the first stage proves no budget can meet it
                sigma = m.var(f"elastic_{spec.name}_{t}", 0)
                m.add(lhs + sigma >= rhs, name)
                m.elastic.append((sigma, 1.0 / _scale(spec)))
                m.term_year[sigma.name] = t
                m.elastic_vars.setdefault(spec.name, []).append(sigma)
            else:
                m.add(lhs >= rhs, name)


def _whole_multiplier(lhs: pulp.LpAffineExpression, rhs: float) -> int | None:
    """The least d ≤ 720 that makes a standard's row whole (integer variables, d × coefficients and d × (rhs −
    constant) whole numbers), or ``None`` (e.g. a row over continuous covering variables)."""
    if any(v.cat == pulp.LpContinuous for v in lhs):
        return None
    return denominator(np.array([*lhs.values(), float(rhs) - float(lhs.constant)], dtype=float))


def _scale(spec: StandardSpec) -> float:
    """Divisor of a shortfall in stage 1: the required persons for person-based standards, else 1."""
    return max(spec.required, 1.0) if spec.unit == "persons" else 1.0
