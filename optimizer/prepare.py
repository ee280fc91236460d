"""Model data: unit costs per site and every enabled kind's prepared arrays, as the model blocks and evaluation
read them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from healthplan.geodata.errors import InputError, ProblemReport
from healthplan.optimizer.decisions import apply_to_data, decision_problems
from healthplan.optimizer.kind import KindData, PrepareContext
from healthplan.optimizer.kinds import KINDS, enabled_kinds
from healthplan.optimizer.messages import say
from healthplan.optimizer.text import Text

if TYPE_CHECKING:
    from healthplan.geodata.instance import Instance
    from healthplan.optimizer.config import OptimizerConfig


@dataclass(frozen=True)
class ModelData:
    """Everything the model blocks need: the instance, the scenario, plan years, level per site, unit costs per
    site (万元, by cost key) and each enabled kind's :class:`~healthplan.optimizer.kind.KindData`."""

    instance: Instance
    cfg: OptimizerConfig
    years: tuple[int, ...]
    level: np.ndarray  # str per site
    cost: dict[str, np.ndarray]
    kinds: dict[str, Any]  # kind name → its KindData subclass
    assumptions: tuple[Text, ...] = ()  # sentences (zh/en) for the plan's 假设值 list
    notes: dict[str, float] = field(default_factory=dict)
    messages: tuple[str, ...] = ()  # notes for the plan's readers (e.g. what a named decision changed)

    @property
    def n_sites(self) -> int:
        """Number of sites."""
        return len(self.level)


def plan_years(cfg: OptimizerConfig) -> tuple[int, ...]:
    """Plan years: ``cfg.phasing.years`` or the single ``cfg.plan_year``."""
    return tuple(cfg.phasing.years) or (cfg.plan_year,)


def cost_keys() -> tuple[str, ...]:
    """Every unit-cost key a scenario may override per site (``site_costs_wan``), over the registered kinds."""
    from healthplan.optimizer.config import OptimizerConfig

    cfg = OptimizerConfig()
    return tuple(key for k in KINDS for key in k.unit_costs(k.settings(cfg)))


def scenario_problems(cfg: OptimizerConfig, site_ids: pd.Index) -> ProblemReport:
    """Everything the scenario says about sites that the sites do not support, all at once (``check`` runs this
    before any solve): unknown site ids or cost keys in ``site_costs_wan``, bad values, and each kind's own
    references (e.g. ``blood.candidates``)."""
    rep = ProblemReport()
    where = "scenario (site_costs_wan)"
    ids = set(site_ids.astype(str))
    keys = cost_keys()
    for sid, items in sorted(cfg.site_costs_wan.items()):
        if str(sid) not in ids:
            rep.error(where, say("costs.unknown_site", site=sid, n=len(ids)), say("costs.unknown_site.fix"))
        for key, val in sorted(items.items()):
            if key not in keys:
                rep.error(where, say("costs.unknown_item", site=sid, key=key),
                          say("costs.unknown_item.fix", keys=", ".join(keys)))
            elif not np.isfinite(val) or val < 0:
                rep.error(where, say("costs.bad_value", site=sid, key=key, value=val),
                          say("costs.bad_value.fix"))
    for k in enabled_kinds(cfg):
        for file, msg, fix in k.check(k.settings(cfg), site_ids):
            rep.error(file, msg, fix)
    rep.extend(decision_problems(cfg, site_ids))
    rep.extend(milestone_problems(cfg))
    return rep


def milestone_problems(cfg: OptimizerConfig) -> ProblemReport:
    """``phasing.milestones_by_standard`` may name only standards the scenario has (not off)."""
    from healthplan.optimizer.standards import scenario_standards  # local: standards builds on this module

    rep = ProblemReport()
    names = sorted(s.name for s in scenario_standards(cfg))
    for name in sorted(cfg.phasing.milestones_by_standard):
        if name not in names:
            known = ", ".join(names) if names else say("milestones.none")
            rep.error("scenario (phasing.milestones_by_standard)", say("milestones.unknown", name=name),
                      say("milestones.unknown.fix", names=known))
    return rep


def site_costs(instance: Instance, cfg: OptimizerConfig) -> tuple[dict[str, np.ndarray], list[Text]]:
    """Unit cost per site for every cost key (万元), with per-site overrides; and the assumption sentences of
    unsourced fallbacks used by enabled kinds."""
    n = len(instance.sites)
    cost: dict[str, np.ndarray] = {}
    assumptions: list[Text] = []
    for k in KINDS:
        for key, (value, assumed) in k.unit_costs(k.settings(cfg)).items():
            cost[key] = np.full(n, float(value))
            if assumed and k.enabled(cfg):
                assumptions.append(assumed)
    for k in enabled_kinds(cfg):
        extra, notes = k.site_cost_extra(k.settings(cfg), instance.sites)
        for key, add in extra.items():
            cost[key] = cost[key] + np.asarray(add, dtype=float)
        assumptions += notes
    pos = pd.Series(np.arange(n), index=instance.sites.index.astype(str))
    for sid, items in sorted(cfg.site_costs_wan.items()):
        for key, val in sorted(items.items()):
            if str(sid) in pos.index and key in cost:
                cost[key][pos[str(sid)]] = float(val)
    return cost, assumptions


def prepare(instance: Instance, cfg: OptimizerConfig) -> ModelData:
    """Costs, and each enabled kind's eligibility, stock and other arrays, for the model and for evaluation.

    Raises
    ------
    InputError
        When the scenario names sites, cost keys or candidates the instance does not have (every problem listed).
    """
    rep = scenario_problems(cfg, instance.sites.index)
    if rep.errors:
        raise InputError(rep)
    cost, assumptions = site_costs(instance, cfg)
    d = instance.demand
    ctx = PrepareContext(instance=instance, cfg=cfg, level=instance.sites["level"].astype(str).to_numpy(),
                         population=d["population"].to_numpy(dtype=float), urban=d["urban"].to_numpy(dtype=bool),
                         cost=cost)
    kinds: dict[str, KindData] = {}
    notes: dict[str, float] = {}
    for k in enabled_kinds(cfg):
        kd = k.prepare(ctx)
        kinds[k.name] = kd
        assumptions += [a for a in kd.assumptions if a not in assumptions]
        notes.update(kd.notes)
    data = ModelData(instance=instance, cfg=cfg, years=plan_years(cfg), level=ctx.level, cost=cost, kinds=kinds,
                     assumptions=tuple(assumptions), notes=notes)
    messages = apply_to_data(data)  # named decisions open or close sites in the kinds' arrays
    return replace(data, messages=tuple(messages)) if messages else data
