"""Justification figures per item: persons newly covered, covered only by it, kind-specific figures (ambulances'
expected gain), the standards it serves, 万元 per 1,000 newly covered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from healthplan.optimizer.kinds import enabled_kinds, item_type
from healthplan.optimizer.standards import scenario_standards

if TYPE_CHECKING:
    from healthplan.optimizer.prepare import ModelData


def justify(
    data: ModelData,
    items: pd.DataFrame,
    pairs: dict[str, tuple[np.ndarray, np.ndarray]],
    units_after: dict[str, np.ndarray],
    cov_before: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Fill ``newly_covered``, ``only_covered``, the kinds' own figures, ``standards`` and ``wan_per_1000``.

    - newly covered: persons within the item's standard of its site who had no such service before the plan
      (the item type's service: ambulances single coverage, fever clinics and rooms fever care …);
    - only covered: persons within reach of the site and of no other site with that service after the plan;
    - kind figures (:meth:`ResourceKind.item_figures`), e.g. ambulances' ``expected_gain``;
    - standards: the names of the scenario's standards the item serves (:meth:`Standard.serves`);
    - 万元 per 1,000 newly covered persons: cost ÷ (newly covered / 1,000), NaN when nobody is newly covered.
    Several items at one site (years, or clinic and room) share the site's figures. Vectorised per service.
    """
    if not len(items):
        return items
    items = items.copy()
    pop = data.instance.demand["population"].to_numpy(dtype=float)
    ids = data.instance.sites.index.astype(str)
    j = pd.Series(np.arange(len(ids)), index=ids)[items["site_id"]].to_numpy()
    item_service = items["kind"].map(lambda key: item_type(key)[1].service).to_numpy()
    newly = np.zeros(len(items))
    only = np.zeros(len(items))
    for key in dict.fromkeys(item_service):
        sel = item_service == key
        s, d = pairs[key]
        fac = units_after[key] > 0
        n_fac = np.bincount(d[fac[s]], minlength=len(pop))  # sites serving each point after the plan
        uncovered = cov_before[key] <= 0
        new_by_site = np.bincount(s, weights=pop[d] * uncovered[d], minlength=len(ids))
        only_by_site = np.bincount(s, weights=pop[d] * (n_fac[d] == 1) * fac[s], minlength=len(ids))
        newly[sel] = new_by_site[j[sel]]
        only[sel] = only_by_site[j[sel]]
    items["newly_covered"] = newly
    items["only_covered"] = only
    for k in enabled_kinds(data.cfg):
        sel = items["kind"].isin([it.key for it in k.items]).to_numpy()
        if sel.any():
            for col, values in k.item_figures(data, items, j, pairs, units_after).items():
                items.loc[sel, col] = values[sel]
    served = [[] for _ in range(len(items))]
    for s in scenario_standards(data.cfg):
        for r in np.flatnonzero(s.serves(data, items, j)):
            served[r].append(s.name)
    items["standards"] = [";".join(names) for names in served]
    with np.errstate(divide="ignore", invalid="ignore"):
        items["wan_per_1000"] = np.where(newly > 0, items["cost_wan"].to_numpy() / (newly / 1000.0), np.nan)
    return items
