"""Justification figures per item: persons newly covered, covered only by it, expected gain, standards, 万元/1,000."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from healthplan.optimizer.prepare import ModelData

KEY_OF_ITEM = {"ambulance": "ambulance_single", "fever_clinic": "fever", "fever_room": "fever", "blood": "blood",
               "subcentre": "secondary"}


def _served(data: ModelData, items: pd.DataFrame, j: np.ndarray, active: set[str]) -> list[str]:
    """Names of the (active) standards each item contributes to, ';'-separated."""
    out = []
    for k, (kind, qn) in enumerate(zip(items["kind"], items["quantity_np"], strict=True)):
        names = []
        if kind == "ambulance":
            names = ["amb_fleet_ratio"] + (["amb_np_share"] if qn > 0 else [])
            names += ["amb_one_per_thc"] if data.thc[j[k]] else []
            names += ["ambulance_single_target_coverage", "equity_ambulance", "equity_ambulance_single"]
        elif kind == "fever_clinic":
            names = ["fever_clinic_mandate"] + (["fever_room_mandate"] if data.room_mandated[j[k]] else [])
            names += ["fever_target_coverage", "equity_fever"]
        elif kind == "fever_room":
            names = ["fever_room_mandate", "fever_target_coverage", "equity_fever"]
        elif kind == "blood":
            names = ["blood_min_points", "blood_target_coverage", "equity_blood"]
        elif kind == "subcentre":
            names = ["subcentre_target", "secondary_target_coverage", "equity_secondary"]
        out.append(";".join(n for n in names if n in active))
    return out


def expected_gain(
    data: ModelData,
    items: pd.DataFrame,
    j: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray],
    units_after: np.ndarray,
) -> np.ndarray:
    """Persons of MEXCLP expected coverage each ambulance item adds: E(all items) − E(all items but this one).

    E = Σ_i P_i (1 − q^min(n_i, K)), n_i the vehicles within the response standard of point i after the plan
    (``units_after`` per site over the ``ambulance`` pairs), as :func:`optimizer.evaluation.point_coverage`
    measures it. Removing an item of k vehicles at site j lowers n_i by k at every point j reaches, so the gain is
    Σ_{i ∈ reach(j)} P_i (q^min(n_i − k, K) − q^min(n_i, K)): one sparse items × demand reach matrix, no loop.
    NaN for non-ambulance items.
    """
    out = np.full(len(items), np.nan)
    amb = (items["kind"] == "ambulance").to_numpy()
    if not amb.any():
        return out
    pop = data.instance.demand["population"].to_numpy(dtype=float)
    q, depth = data.q, data.cfg.resources.ambulance.coverage_depth
    s, d = pairs
    n = np.round(np.bincount(d, weights=units_after[s], minlength=len(pop)))
    reach = sparse.csr_matrix((np.ones(s.size), (s, d)), shape=(data.n_sites, len(pop)))
    reach.sum_duplicates()
    rows = reach[j[amb]].tocoo()  # amb items × demand points the item's site reaches
    k = items["quantity"].to_numpy(dtype=float)[amb][rows.row]
    n_i = n[rows.col]
    loss = pop[rows.col] * (q ** np.minimum(np.maximum(n_i - k, 0), depth) - q ** np.minimum(n_i, depth))
    out[np.flatnonzero(amb)] = np.bincount(rows.row, weights=loss, minlength=int(amb.sum()))
    return out


def justify(
    data: ModelData,
    items: pd.DataFrame,
    pairs: dict[str, tuple[np.ndarray, np.ndarray]],
    units_before: dict[str, np.ndarray],
    units_after: dict[str, np.ndarray],
    cov_before: dict[str, np.ndarray],
    standards: pd.DataFrame,
) -> pd.DataFrame:
    """Fill ``newly_covered``, ``only_covered``, ``expected_gain``, ``standards`` and ``wan_per_1000`` (vectorised).

    - newly covered: persons within the item's standard of its site who had no such service before the plan
      (ambulances: no vehicle within the response standard; others: no facility of that kind);
    - only covered: persons within reach of the site and of no other site with that service after the plan;
    - expected gain (ambulances): :func:`expected_gain`, the MEXCLP expected persons the item's vehicles add given
      all other items, so a vehicle where vehicles already reach the same villages shows its reliability gain;
    - 万元 per 1,000 newly covered persons: cost ÷ (newly covered / 1,000), NaN when nobody is newly covered.
    Several items at one site (years, or clinic and room) share the site's figures.
    """
    if not len(items):
        return items
    items = items.copy()
    pop = data.instance.demand["population"].to_numpy(dtype=float)
    ids = data.instance.sites.index.astype(str)
    pos = pd.Series(np.arange(len(ids)), index=ids)
    j = pos[items["site_id"]].to_numpy()
    newly = np.zeros(len(items))
    only = np.zeros(len(items))
    n_sites = len(ids)
    for key in set(KEY_OF_ITEM.values()):
        sel = (items["kind"].map(KEY_OF_ITEM) == key).to_numpy()
        if not sel.any():
            continue
        s, d = pairs[key]
        fac = units_after[key] > 0
        n_fac = np.bincount(d[fac[s]], minlength=len(pop))  # sites serving each point after the plan
        uncovered = cov_before[key] <= 0
        new_by_site = np.bincount(s, weights=pop[d] * uncovered[d], minlength=n_sites)
        only_by_site = np.bincount(s, weights=pop[d] * (n_fac[d] == 1) * fac[s], minlength=n_sites)
        newly[sel] = new_by_site[j[sel]]
        only[sel] = only_by_site[j[sel]]
    items["newly_covered"] = newly
    items["only_covered"] = only
    items["expected_gain"] = expected_gain(data, items, j, pairs["ambulance"], units_after["ambulance"])
    active = set(standards["name"]) if len(standards) else set()
    items["standards"] = _served(data, items, j, active)
    with np.errstate(divide="ignore", invalid="ignore"):
        items["wan_per_1000"] = np.where(newly > 0, items["cost_wan"].to_numpy() / (newly / 1000.0), np.nan)
    return items
