"""Read a solved model back as plan items (one row per site × item type × year), costs in 万元."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from healthplan.optimizer.decisions import committed_costs, origin_of
from healthplan.optimizer.kinds import enabled_kinds
from healthplan.optimizer.plan import ITEM_COLUMNS

if TYPE_CHECKING:
    from healthplan.optimizer.model import Model


def empty_items() -> pd.DataFrame:
    """An items table with no rows and the canonical columns and dtypes."""
    return pd.DataFrame({
        "item_id": pd.Series(dtype=str), "site_id": pd.Series(dtype=str), "kind": pd.Series(dtype=str),
        "year": pd.Series(dtype=np.int64), "quantity": pd.Series(dtype=np.int64),
        "quantity_ord": pd.Series(dtype=np.int64), "quantity_np": pd.Series(dtype=np.int64),
        "new_station": pd.Series(dtype=bool), "cost_wan": pd.Series(dtype=float),
        "newly_covered": pd.Series(dtype=float), "only_covered": pd.Series(dtype=float),
        "expected_gain": pd.Series(dtype=float), "beds_added": pd.Series(dtype=float),
        "standards": pd.Series(dtype=str), "wan_per_1000": pd.Series(dtype=float),
        "origin": pd.Series(dtype=str),
    })[list(ITEM_COLUMNS)]


def read_items(m: Model) -> pd.DataFrame:
    """Items chosen by the solution (values rounded: integrality tolerance), sorted by year, kind, site order."""
    d = m.data
    rows = [r for k in enabled_kinds(d.cfg) for r in k.read_items(m)]
    if not rows:
        return empty_items()
    df = pd.DataFrame(rows, columns=["kind", "j", "t", "quantity", "quantity_ord", "quantity_np", "new_station",
                                     "cost_wan"])
    df["site_id"] = d.instance.sites.index.astype(str)[df["j"].to_numpy()]
    df["year"] = np.asarray(d.years)[df["t"].to_numpy()]
    df["item_id"] = df["kind"] + "-" + df["site_id"] + "-" + df["year"].astype(str)
    df = df.sort_values(["year", "kind", "j"]).reset_index(drop=True)
    df["origin"] = origin_of(d, df)
    stated = committed_costs(d)
    for r in np.flatnonzero(df["origin"] == "committed"):
        df.loc[r, "cost_wan"] = stated.get((df.loc[r, "site_id"], df.loc[r, "kind"]), df.loc[r, "cost_wan"])
    for c in ("newly_covered", "only_covered", "expected_gain", "beds_added", "wan_per_1000"):
        df[c] = np.nan
    df["standards"] = ""
    return df[list(ITEM_COLUMNS)].astype({"quantity": np.int64, "quantity_ord": np.int64, "quantity_np": np.int64,
                                          "year": np.int64, "new_station": bool, "cost_wan": float})
