"""Named decisions: what a plan already says about a site before any optimisation (seed 003: 「按照二级综合医院标准
规划建设医疗卫生次中心5个，分别是花桥、石笋、悦来、恒升、协兴中心卫生院」; seed 000: 「湖边镇卫生院完成区域医疗服务次中心
创建」).

- ``must``: the site gets the item (by ``year`` when given), whatever the eligibility rules say; its cost counts
  against the budget like any item, and a budget or hard standard that cannot carry it is explained;
- ``never``: the site may not get the item;
- ``committed``: an approved or funded project (year, cost, funding): fixed in its year, counted for coverage and
  standards, not charged to the scenario's budget (its money is already decided), listed apart (续建/已批).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from healthplan.geodata.errors import ProblemReport
from healthplan.optimizer.kind import StrictConfig
from healthplan.optimizer.messages import TextValueError, kind_name, say

if TYPE_CHECKING:
    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.model import Model
    from healthplan.optimizer.prepare import ModelData

WHERE = "scenario (decisions)"
Action = Literal["must", "never", "committed"]


class Decision(StrictConfig):
    """One named decision about one site and one item type (``kind``: an item type such as ``fever_room`` or
    ``chest_pain_centre``, or a resource kind with a single item type: ``ambulance``, ``blood``, ``subcentre``)."""

    site: str = Field(description="site id (facilities or candidates layer)")
    kind: str = Field(description="item type, or a kind with one item type")
    action: Action = Field(description="must | never | committed")
    year: int | None = Field(default=None, description="must: by this year; committed: the year it is built")
    quantity: int | None = Field(default=None, ge=1, description="ambulances: vehicles (must: at least; "
                                 "committed: ordinary + negative-pressure)")
    quantity_np: int = Field(default=0, ge=0, description="committed ambulances: of which negative-pressure")
    cost_wan: float | None = Field(default=None, ge=0, description="committed: its cost, 万元 (default unit costs)")
    funding: str | None = Field(default=None, description="committed: funding source as the approval states it")
    note: str = Field(default="", description="e.g. the approval (区政府常务会议审定) printed with the project")

    @model_validator(mode="after")
    def _fields_fit_action(self) -> Decision:
        if self.action == "never" and (self.year is not None or self.cost_wan is not None):
            raise TextValueError(say("decision.never_fields"))
        if self.quantity_np and self.quantity is not None and self.quantity_np > self.quantity:
            raise TextValueError(say("decision.np_over"))
        return self


def item_key(kind: str) -> str | None:
    """The item type a decision's ``kind`` names, or ``None`` when it names none (or a kind with several)."""
    from healthplan.optimizer.kinds import ITEM_KEYS, KIND_NAMES
    from healthplan.optimizer.kinds import kind as registered

    if kind in ITEM_KEYS:
        return kind
    if kind in KIND_NAMES and len(registered(kind).items) == 1:
        return registered(kind).items[0].key
    return None


def decision_problems(cfg: OptimizerConfig, site_ids: pd.Index) -> ProblemReport:
    """Every decision that names an unknown site or item type, a switched-off kind, a year outside the plan, or
    contradicts another decision; all at once (``check`` runs this before any solve)."""
    from healthplan.optimizer.kinds import ITEM_KEYS, item_type
    from healthplan.optimizer.prepare import plan_years

    rep = ProblemReport()
    ids = set(site_ids.astype(str))
    years = plan_years(cfg)
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    for n, d in enumerate(cfg.decisions, start=1):
        feature = f"decision {n} ({d.site}, {d.kind}, {d.action})"  # 第 n 条决定（…） in Chinese (messages.py)
        key = item_key(d.kind)
        if key is None:
            rep.error(WHERE, say("decision.unknown_item", kind=d.kind),
                      say("decision.unknown_item.fix", keys=", ".join(ITEM_KEYS)), feature=feature)
            continue
        if d.site not in ids:
            rep.error(WHERE, say("decision.unknown_site", site=d.site, n=len(ids)),
                      say("decision.unknown_site.fix"), feature=feature)
        k, _ = item_type(key)
        if not k.enabled(cfg):
            rep.error(WHERE, say("decision.kind_off", label=kind_name(k.name), name=k.name),
                      say("decision.kind_off.fix", name=k.name), feature=feature)
        if d.year is not None and d.year > years[-1]:
            rep.error(WHERE, say("decision.year_late", year=d.year, last=years[-1]),
                      say("decision.year_late.fix"), feature=feature)
        if d.action == "must" and d.year is not None and d.year < years[0]:
            rep.error(WHERE, say("decision.must_early", year=d.year, first=years[0]),
                      say("decision.must_early.fix"), feature=feature)
        if (d.quantity is not None or d.quantity_np) and key != "ambulance":
            rep.error(WHERE, say("decision.quantity"), say("decision.quantity.fix"), feature=feature)
        prev = seen.get((d.site, key))
        if prev is not None:
            rep.error(WHERE, say("decision.twice", prev=prev[0], action=prev[1], kind=d.kind, site=d.site),
                      say("decision.twice.fix"), feature=feature)
        seen[(d.site, key)] = (n, d.action)
    return rep


def year_position(data: ModelData, year: int | None, *, default_last: bool) -> int:
    """Plan-year position of a decision's year (years before the plan → 0; none → the last or the first year)."""
    if year is None:
        return len(data.years) - 1 if default_last else 0
    return int(np.searchsorted(np.asarray(data.years), year, side="right") - 1) if year >= data.years[0] else 0


def apply_to_data(data: ModelData) -> list[str]:
    """Open ``must``/``committed`` sites to their item and close ``never`` sites, in each kind's data.

    Returns notes for the plan: a ``must`` at a site the kind's own rules had excluded (the planner's decision
    wins over an eligibility ASSUMPTION), and a ``must`` the site already holds (nothing to build).
    """
    from healthplan.optimizer.kinds import item_type

    notes: list[str] = []
    pos = pd.Series(np.arange(data.n_sites), index=data.instance.sites.index.astype(str))
    for d in data.cfg.decisions:
        key = item_key(d.kind)
        k, _ = item_type(key)  # type: ignore[arg-type]
        j = int(pos[d.site])
        if d.action == "never":
            k.forbid(data, key, j)
            continue
        if k.holds(data, key, j):
            notes.append(f"Decision {d.action} {d.kind} at {d.site}: the site already has one; nothing is added.")
            continue
        if not k.allow(data, key, j):
            notes.append(f"Decision {d.action} {d.kind} at {d.site}: the site was not eligible under the scenario's "
                         "rules; the named decision opens it.")
    return notes


def add_decision_rows(m: Model) -> None:
    """Rows ``must_<item>_<j>``: Σ_{t ≤ year} new units ≥ quantity (hard); ``committed`` items fixed in their year
    (bounds) and taken out of the capital terms the budget rows read (their money is already decided)."""
    from healthplan.optimizer.kinds import item_type

    d = m.data
    pos = pd.Series(np.arange(d.n_sites), index=d.instance.sites.index.astype(str))
    committed_vars: set[str] = set()
    for dec in d.cfg.decisions:
        if dec.action == "never":
            continue
        key = item_key(dec.kind)
        k, _ = item_type(key)  # type: ignore[arg-type]
        j = int(pos[dec.site])
        if k.holds(d, key, j):
            continue
        if dec.action == "must":
            t = year_position(d, dec.year, default_last=True)
            terms = k.decision_terms(m, key, j, t)
            if not terms:
                from healthplan.optimizer.errors import InfeasibleError

                raise InfeasibleError(say("decision.no_room", site=dec.site, kind=dec.kind,
                                          item=item_type(key)[1].label("zh")),  # type: ignore[arg-type]
                                      standard=f"must_{key}_{j}")
            m.add(_expr(terms) >= float(dec.quantity or 1), f"must_{key}_{j}")
        else:
            t = year_position(d, dec.year, default_last=False)
            committed_vars |= k.fix_committed(m, key, j, t, dec)
    if committed_vars:
        m.cost = [(v, c) for v, c in m.cost if v.name not in committed_vars]
        m.spend = {kt: [(v, c) for v, c in ts if v.name not in committed_vars] for kt, ts in m.spend.items()}


def decided_sites(data: ModelData, item: str) -> np.ndarray:
    """Sites with a ``must`` or ``committed`` decision for ``item`` (kept through every exact reduction)."""
    out = np.zeros(data.n_sites, dtype=bool)
    ids = data.instance.sites.index.astype(str)
    for dec in data.cfg.decisions:
        if dec.action != "never" and item_key(dec.kind) == item:
            out |= ids == dec.site
    return out


def origin_of(data: ModelData, items: pd.DataFrame) -> np.ndarray:
    """``committed`` / ``must`` / ``optimized`` for each plan row, from the scenario's decisions."""
    out = np.full(len(items), "optimized", dtype=object)
    if not len(items):
        return out
    by = {(dec.site, item_key(dec.kind)): dec.action for dec in data.cfg.decisions if dec.action != "never"}
    for r, (site, kind) in enumerate(zip(items["site_id"].astype(str), items["kind"], strict=True)):
        out[r] = by.get((site, kind), "optimized")
    return out


def committed_costs(data: ModelData) -> dict[tuple[str, str], float]:
    """The cost (万元) the scenario states for each committed (site, item type), where it states one."""
    return {(dec.site, item_key(dec.kind)): float(dec.cost_wan) for dec in data.cfg.decisions  # type: ignore[misc]
            if dec.action == "committed" and dec.cost_wan is not None}


def _expr(terms: list) -> object:
    from healthplan.optimizer.model import expr

    return expr(terms)
