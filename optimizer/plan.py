"""The Plan: new items, coverage before/after, standards table, spend, justification figures, solver record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from healthplan.optimizer.kinds import ITEM_KEYS, SERVICE_KEYS
from healthplan.optimizer.status import Status
from healthplan.optimizer.text import Text

# Columns of Plan.items, one row per project (site × kind × year). Units in the descriptions.
ITEM_COLUMNS: dict[str, str] = {
    "item_id": "stable id, e.g. 'ambulance-S012-2025'",
    "site_id": "site id",
    "kind": "item type: " + " | ".join(ITEM_KEYS),
    "year": "year the item is built or bought",
    "quantity": "units (vehicles for ambulance, else 1)",
    "quantity_ord": "ordinary ambulances (ambulance rows only)",
    "quantity_np": "negative-pressure ambulances (ambulance rows only)",
    "new_station": "bool: the item opens a new ambulance station",
    "cost_wan": "capital cost, 万元",
    "newly_covered": "persons newly covered within the standard by this item",
    "only_covered": "persons covered by this item and by no other facility after the plan",
    "expected_gain": "persons: MEXCLP expected coverage with all items − with all items but this one (ambulance "
    "rows; a vehicle that adds a 2nd/3rd vehicle in reach has newly_covered 0 but a gain here); NaN for other kinds",
    "beds_added": "beds a sub-centre upgrade adds to reach the secondary-hospital floor (NaN for other kinds, and "
    "where the site's bed count is unknown)",
    "standards": "names of the standards the item serves, ';'-separated",
    "origin": "optimized (chosen by the model) | must (a named decision) | committed (approved before the plan: "
    "fixed, not charged to the budget)",
    "wan_per_1000": "万元 per 1,000 persons newly covered (NaN when none)",
}
STANDARD_COLUMNS = ("name", "required", "existing", "planned", "shortfall", "met", "mode", "source")


@dataclass(frozen=True)
class SolveInfo:
    """What the solver did: status, objective, proven bound, relative gap and seconds spent.

    ``gap`` is the first unproven stage's gap (``optimizer.api.plan_gap``); ``stages`` holds every stage's own.
    """

    status: Status
    solver: str = ""
    objective: float = float("nan")
    bound: float = float("nan")
    gap: float = float("nan")
    build_s: float = 0.0
    solve_s: float = 0.0
    message: str = ""
    stages: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Plan:
    """A plan (or the baseline, with no items) for an Instance under a scenario.

    - ``items``: ``ITEM_COLUMNS``, one row per project;
    - ``demand_coverage``: index demand id; columns ``{key}_before`` / ``{key}_after`` for key in
      ``SERVICE_KEYS`` = share of the point's population covered (0–1; MEXCLP expected coverage for ``ambulance``);
    - ``township_coverage``: index township id; columns ``population``, ``{key}_before`` / ``{key}_after`` in persons;
    - ``standards``: ``STANDARD_COLUMNS``;
    - ``spend``: rows kind, columns year, 万元;
    - ``after_stock``: site table with stock after the plan (same columns as ``Instance.sites``);
    - ``site_units``: index site id; ``{service}_before`` / ``{service}_after`` = units of each service the site
      gives (vehicles, or 0/1 facilities), as the model counts them (maps draw existing providers from it).
    """

    items: pd.DataFrame
    demand_coverage: pd.DataFrame
    township_coverage: pd.DataFrame
    standards: pd.DataFrame
    spend: pd.DataFrame
    after_stock: pd.DataFrame
    solve: SolveInfo
    site_units: pd.DataFrame = field(default_factory=pd.DataFrame)
    budget_wan: float | None = None
    assumptions: tuple[Text, ...] = ()  # 假设值 sentences in both languages (``Text``)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def spent_wan(self) -> float:
        """Capital cost of the plan's new items, 万元 (committed projects excluded: their money is decided)."""
        if not len(self.items):
            return 0.0
        committed = self.items["origin"] == "committed" if "origin" in self.items else False
        return float(self.items.loc[~committed, "cost_wan"].sum()) if committed is not False else float(
            self.items["cost_wan"].sum())

    @property
    def committed_wan(self) -> float:
        """Capital cost of the committed projects the plan lists (approved before it), 万元."""
        if not len(self.items) or "origin" not in self.items:
            return 0.0
        return float(self.items.loc[self.items["origin"] == "committed", "cost_wan"].sum())

    def coverage_summary(self, population: pd.Series) -> dict[str, dict[str, float]]:
        """``{key: {"population", "before", "after"}}`` in persons, for every coverage key present."""
        pop = population.reindex(self.demand_coverage.index).astype(float)
        total = int(round(pop.sum()))
        out: dict[str, dict[str, float]] = {}
        for key in SERVICE_KEYS:
            b, a = f"{key}_before", f"{key}_after"
            if b in self.demand_coverage:
                out[key] = {
                    "population": total,
                    "before": round(float((self.demand_coverage[b] * pop).sum()), 3),
                    "after": round(float((self.demand_coverage[a] * pop).sum()), 3),
                }
        return out
