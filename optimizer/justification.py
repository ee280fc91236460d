"""Justification figures per item: persons newly covered, persons covered only by it, standards, 万元 per 1,000."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.prepare import ModelData

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


def justify(
    data: ModelData,
    items: pd.DataFrame,
    pairs: dict[str, tuple[np.ndarray, np.ndarray]],
    units_before: dict[str, np.ndarray],
    units_after: dict[str, np.ndarray],
    cov_before: dict[str, np.ndarray],
    standards: pd.DataFrame,
) -> pd.DataFrame:
    """Fill ``newly_covered``, ``only_covered``, ``standards`` and ``wan_per_1000`` (vectorised over pairs).

    - newly covered: persons within the item's standard of its site who had no such service before the plan
      (ambulances: no vehicle within the response standard; others: no facility of that kind);
    - only covered: persons within reach of the site and of no other site with that service after the plan;
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
    active = set(standards["name"]) if len(standards) else set()
    items["standards"] = _served(data, items, j, active)
    with np.errstate(divide="ignore", invalid="ignore"):
        items["wan_per_1000"] = np.where(newly > 0, items["cost_wan"].to_numpy() / (newly / 1000.0), np.nan)
    return items
