"""Justification figures per item: persons newly covered (additive: they sum to the plan's gain), covered only by
it, kind-specific figures (ambulances' expected gain), the standards it serves, 万元 per 1,000 newly covered.

**Newly covered persons add up.** Items are taken in the order of the per-site project list
(:func:`list_order`); each counts the persons within its service's standard of its site whom neither the existing
facilities nor any earlier item of the list reach (marginal gains in the list's order). Per service, the figures of
all items therefore sum exactly to coverage after − before of that service (for ambulances the single-coverage
gain, ``ambulance_single``). A second item at a site already counted (another year, a second item type of the
same service) counts 0.

**Standards are cited where they need the item.** A count standard (vehicles, sites) that was short by N units
before the plan is cited by the items that supply those N units, in list order; items beyond them (a third blood
point where one was required) are justified by what they cover, not by a standard they do not need. Shares and
coverage targets are cited by every item that serves them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse

from healthplan.optimizer.kinds import ITEM_KEYS, enabled_kinds, item_type
from healthplan.optimizer.standards import scenario_standards

if TYPE_CHECKING:
    from healthplan.optimizer.prepare import ModelData

# The per-site list shows committed projects (approved before the plan: 续建/已批) first, then what the plan adds.
ORIGIN_GROUP: dict[str, int] = {"committed": 0, "must": 1, "optimized": 1}
COUNT_UNITS = ("vehicles", "sites")  # standards counted in units: cited only by the items they need


def project_keys(items: pd.DataFrame) -> pd.DataFrame:
    """The per-site list's grouping of plan rows: ``group`` (0 committed, 1 new), ``site_id``, ``kind`` (item type).

    One project of the list = one (group, site, item type): vehicles bought at one site over several years are one
    row. Returns a frame aligned with ``items``.
    """
    origin = items["origin"] if "origin" in items else pd.Series("optimized", index=items.index)
    return pd.DataFrame({"group": origin.fillna("optimized").map(ORIGIN_GROUP).fillna(1).astype(int),
                         "site_id": items["site_id"].astype(str), "kind": items["kind"].astype(str)},
                        index=items.index)


def list_order(items: pd.DataFrame) -> np.ndarray:
    """Positions of ``items`` in the order of the per-site project list.

    Committed projects first, then the plan's new ones (``must`` and ``optimized``); within each group item types
    in registry order, then the first year of the project, the site id, and the year of the row.
    """
    if not len(items):
        return np.zeros(0, dtype=np.int64)
    keys = project_keys(items)
    year = items["year"].astype(int).to_numpy()
    first = pd.Series(year, index=items.index).groupby([keys["group"], keys["site_id"], keys["kind"]]).transform("min")
    rank = {k: i for i, k in enumerate(ITEM_KEYS)}
    kind_rank = keys["kind"].map(rank).fillna(len(rank)).to_numpy()
    return np.lexsort((year, keys["site_id"].to_numpy(), first.to_numpy(), kind_rank, keys["group"].to_numpy()))


def marginal_newly_covered(site_of_item: np.ndarray, order: np.ndarray, reach: sparse.csr_matrix,
                           covered_before: np.ndarray, pop: np.ndarray, gives: np.ndarray) -> np.ndarray:
    """Persons each item newly covers, taken in ``order``: those in its site's reach not covered before the plan
    nor by an earlier item. ``reach`` is sites × demand (CSR), ``gives`` whether the item's site provides the
    service after the plan. The loop runs over items (a few hundred), each step vectorised over its reach."""
    covered = covered_before.copy()
    out = np.zeros(len(site_of_item))
    for r in order:
        if not gives[r]:
            continue
        j = site_of_item[r]
        pts = reach.indices[reach.indptr[j]:reach.indptr[j + 1]]
        new = pts[~covered[pts]]
        out[r] = float(pop[new].sum())
        covered[new] = True
    return out


def justify(
    data: ModelData,
    items: pd.DataFrame,
    pairs: dict[str, tuple[np.ndarray, np.ndarray]],
    units_after: dict[str, np.ndarray],
    cov_before: dict[str, np.ndarray],
    standards: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Fill ``newly_covered``, ``only_covered``, the kinds' own figures, ``standards`` and ``wan_per_1000``.

    - newly covered (persons, additive): marginal gains in the list's order (module docstring), within the item
      type's service standard (ambulances: single coverage);
    - only covered (persons): within reach of the site and of no other site with that service after the plan;
    - kind figures (:meth:`ResourceKind.item_figures`), e.g. ambulances' ``expected_gain``;
    - standards: the names of the scenario's standards the item serves (:meth:`Standard.serves`) and, for count
      standards, is needed for (``standards``: the plan's standards table, with ``required`` and ``existing``);
    - 万元 per 1,000 newly covered persons: cost ÷ (newly covered / 1,000), NaN when nobody is newly covered.
    """
    if not len(items):
        return items
    items = items.copy()
    pop = data.instance.demand["population"].to_numpy(dtype=float)
    ids = data.instance.sites.index.astype(str)
    j = pd.Series(np.arange(len(ids)), index=ids)[items["site_id"]].to_numpy()
    item_service = items["kind"].map(lambda key: item_type(key)[1].service).to_numpy()
    order = list_order(items)
    newly = np.zeros(len(items))
    only = np.zeros(len(items))
    for key in dict.fromkeys(item_service):
        sel = item_service == key
        s, d = pairs[key]
        fac = units_after[key] > 0
        n_fac = np.bincount(d[fac[s]], minlength=len(pop))  # sites serving each point after the plan
        only_by_site = np.bincount(s, weights=pop[d] * (n_fac[d] == 1) * fac[s], minlength=len(ids))
        only[sel] = only_by_site[j[sel]]
        reach = sparse.csr_matrix((np.ones(s.size, dtype=bool), (s, d)), shape=(len(ids), len(pop)))
        reach.sum_duplicates()
        reach.sort_indices()
        gain = marginal_newly_covered(j, order[sel[order]], reach, cov_before[key] > 0, pop, fac[j])
        newly[sel] = gain[sel]
    items["newly_covered"] = newly
    items["only_covered"] = only
    for k in enabled_kinds(data.cfg):
        sel = items["kind"].isin([it.key for it in k.items]).to_numpy()
        if sel.any():
            for col, values in k.item_figures(data, items, j, pairs, units_after).items():
                items.loc[sel, col] = values[sel]
    items["standards"] = _standards_served(data, items, j, order, standards)
    with np.errstate(divide="ignore", invalid="ignore"):
        items["wan_per_1000"] = np.where(newly > 0, items["cost_wan"].to_numpy() / (newly / 1000.0), np.nan)
    return items


def _standards_served(data: ModelData, items: pd.DataFrame, j: np.ndarray, order: np.ndarray,
                      table: pd.DataFrame | None) -> list[str]:
    """';'-joined names of the standards each item serves; a count standard only for the units it was short."""
    need = {}
    if table is not None and len(table):
        for row in table.itertuples(index=False):
            if getattr(row, "unit", "") in COUNT_UNITS:
                need[row.name] = float(np.ceil(float(row.required) - float(row.existing) - 1e-9))
    served: list[list[str]] = [[] for _ in range(len(items))]
    quantity = items["quantity"].to_numpy(dtype=float)
    for s in scenario_standards(data.cfg):
        rows = np.flatnonzero(s.serves(data, items, j))
        if s.name in need:
            short = need[s.name]
            unit = next(r.unit for r in table.itertuples(index=False) if r.name == s.name)  # type: ignore[union-attr]
            rows_in_order = [r for r in order if r in set(rows.tolist())]
            keep, supplied, sites = [], 0.0, set()
            for r in rows_in_order:
                if supplied >= short - 1e-9:
                    break
                keep.append(r)
                if unit == "vehicles":
                    supplied += quantity[r]
                elif j[r] not in sites:
                    sites.add(j[r])
                    supplied += 1
            rows = np.array(sorted(keep), dtype=np.int64)
        for r in rows:
            served[r].append(s.name)
    return [";".join(names) for names in served]
