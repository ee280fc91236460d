"""Read a solved model back as plan items (one row per site × kind × year), costs in 万元."""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthplan.optimizer.model import Model
from healthplan.optimizer.plan import ITEM_COLUMNS


def _val(v: object) -> float:
    x = getattr(v, "varValue", None)
    return 0.0 if x is None else float(x)


def empty_items() -> pd.DataFrame:
    """An items table with no rows and the canonical columns and dtypes."""
    return pd.DataFrame({
        "item_id": pd.Series(dtype=str), "site_id": pd.Series(dtype=str), "kind": pd.Series(dtype=str),
        "year": pd.Series(dtype=np.int64), "quantity": pd.Series(dtype=np.int64),
        "quantity_ord": pd.Series(dtype=np.int64), "quantity_np": pd.Series(dtype=np.int64),
        "new_station": pd.Series(dtype=bool), "cost_wan": pd.Series(dtype=float),
        "newly_covered": pd.Series(dtype=float), "only_covered": pd.Series(dtype=float),
        "expected_gain": pd.Series(dtype=float),
        "standards": pd.Series(dtype=str), "wan_per_1000": pd.Series(dtype=float),
    })[list(ITEM_COLUMNS)]


def read_items(m: Model) -> pd.DataFrame:
    """Items chosen by the solution (values rounded: integrality tolerance), sorted by year, kind, site order."""
    d = m.data
    ids = d.instance.sites.index.astype(str)
    rows = []
    ordv, npv, stv = m.x.get("amb_ord", {}), m.x.get("amb_np", {}), m.x.get("amb_station", {})
    for j, t in sorted(set(ordv) | set(npv)):
        qo = round(_val(ordv.get((j, t))))
        qn = round(_val(npv.get((j, t))))
        new_station = round(_val(stv.get((j, t)))) == 1
        if qo + qn == 0 and not new_station:
            continue
        cost = qo * d.cost["ambulance_ord"][j] + qn * d.cost["ambulance_np"][j]
        cost += d.cost["new_station"][j] if new_station else 0.0
        rows.append(("ambulance", j, t, qo + qn, qo, qn, new_station, cost))
    for fam, kind, key in (("fever_clinic", "fever_clinic", "fever_clinic"), ("fever_room", "fever_room", "fever_room"),
                           ("blood", "blood", "blood"), ("subcentre", "subcentre", "subcentre")):
        for (j, t), v in sorted(m.x.get(fam, {}).items()):
            if round(_val(v)) == 1:
                rows.append((kind, j, t, 1, 0, 0, False, float(d.cost[key][j])))
    if not rows:
        return empty_items()
    df = pd.DataFrame(rows, columns=["kind", "j", "t", "quantity", "quantity_ord", "quantity_np", "new_station",
                                     "cost_wan"])
    df["site_id"] = ids[df["j"].to_numpy()]
    df["year"] = np.asarray(d.years)[df["t"].to_numpy()]
    df["item_id"] = df["kind"] + "-" + df["site_id"] + "-" + df["year"].astype(str)
    df = df.sort_values(["year", "kind", "j"]).reset_index(drop=True)
    for c in ("newly_covered", "only_covered", "expected_gain", "wan_per_1000"):
        df[c] = np.nan
    df["standards"] = ""
    return df[list(ITEM_COLUMNS)].astype({"quantity": np.int64, "quantity_ord": np.int64, "quantity_np": np.int64,
                                          "year": np.int64, "new_station": bool, "cost_wan": float})
