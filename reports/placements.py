"""Placements: new items, facilities after the plan, demand-point and township coverage as GeoPackage layers and CSV.

Layers of ``placements.gpkg`` (CRS of the instance; each also written as ``<layer>.csv`` in UTF-8 with BOM so
that Excel/WPS open Chinese text correctly):

- ``new_items`` (points): one row per plan item (site × item type × year) with its cost (万元), quantities,
  justification figures (persons newly covered — additive: per service they sum to the plan's gain —, persons
  covered only by it, 万元 per 1,000 newly covered), the number, name and 依据 of its project in the per-site list;
- ``facilities_after`` (points): every site with its stock after the plan and what the plan adds there
  (``added_<column>`` for each stock column of each kind, e.g. vehicles, or 0/1 for a facility);
- ``demand_coverage`` (points): each demand point's population (persons) and covered share before/after per
  coverage key (0–1; MEXCLP expected coverage for ``ambulance``);
- ``township_coverage`` (polygons): persons covered before/after per key and the shares.

Instances without geometry (plain CSV, x/y NaN, no townships) get the CSVs only; the spatial layers are skipped
with a note.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from healthplan.geodata.instance import Instance
from healthplan.optimizer.justification import list_order
from healthplan.optimizer.kinds import KINDS, SERVICE_KEYS
from healthplan.optimizer.plan import Plan
from healthplan.optimizer.text import Text
from healthplan.reports.i18n import LANGS, message, tr

LAYERS: tuple[str, ...] = ("new_items", "facilities_after", "demand_coverage", "township_coverage")
CSV_ENCODING = "utf-8-sig"  # UTF-8 with BOM: Excel and WPS then detect UTF-8 and show Chinese correctly


def items_frame(instance: Instance, plan: Plan, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """New items, one row per plan item in the order of the per-site list, with site name, township, coordinates,
    the 依据 figures and their project.

    ``projects`` (:func:`reports.projects.project_table`, typed) adds ``no`` (the project's 序号), ``project_name``
    and ``basis`` to each of the project's items (``item_ids``). Money in 万元, coverage in persons.
    """
    cols = ["item_id", "no", "site_id", "site_name", "township", "kind", "origin", "year", "quantity",
            "quantity_ord", "quantity_np", "new_station", "cost_wan", "newly_covered", "only_covered",
            "wan_per_1000", "standards", "project_name", "basis", "x", "y", "lon", "lat"]
    items = plan.items
    if items is None or not len(items):
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in cols})
    p = items.iloc[list_order(items)].reset_index(drop=True).copy()
    p["site_id"] = p["site_id"].astype(str)
    sites = instance.sites.set_axis(instance.sites.index.astype(str)).reindex(p["site_id"])
    p = p.assign(
        site_name=sites["name"].astype(str).to_numpy(),
        township=sites["township"].astype(str).to_numpy() if "township" in sites else "",
        x=sites["x"].to_numpy(float), y=sites["y"].to_numpy(float),
        lon=sites["lon"].to_numpy(float), lat=sites["lat"].to_numpy(float),
    )
    if "origin" not in p:
        p["origin"] = "optimized"
    if projects is not None and len(projects):
        per_item = projects.explode("item_ids").set_index("item_ids")
        p["no"] = p["item_id"].map(per_item["no"]).astype("Int64")
        p["project_name"] = p["item_id"].map(per_item["name"]).fillna("")
        p["basis"] = p["item_id"].map(per_item["basis"]).fillna("")
    else:
        p["no"] = pd.array([pd.NA] * len(p), dtype="Int64")
        p["project_name"] = ""
        p["basis"] = ""
    p["year"] = p["year"].astype(int)
    for c in ("quantity", "quantity_ord", "quantity_np"):
        p[c] = pd.to_numeric(p[c]).fillna(0).round().astype(int)
    return p[cols].reset_index(drop=True)


def facilities_frame(instance: Instance, plan: Plan) -> pd.DataFrame:
    """Every site after the plan (``plan.after_stock``, or the instance's sites for a baseline) and its additions.

    For each stock column of each kind (``ResourceKind.columns``) present in both tables, ``added_<column>`` is
    after − before (vehicles for a count column, 0/1 for a facility); ``added_kinds`` lists the item types of the
    site's new items (';'-joined) and ``new`` is True when the plan adds anything at the site.
    """
    after = plan.after_stock if plan.after_stock is not None and len(plan.after_stock) else instance.sites
    df = after.copy()
    df.index = df.index.astype(str)
    df.index.name = "site_id"
    before = instance.sites.set_axis(instance.sites.index.astype(str)).reindex(df.index)
    for c in ("x", "y", "lon", "lat"):
        if c not in df and c in instance.sites:
            df[c] = before[c]
    if "level" in df:
        df["level"] = df["level"].map(lambda v: str(getattr(v, "value", v)))
    for col in dict.fromkeys(c for k in KINDS for c in k.columns):
        if col in df and col in before:
            a = pd.to_numeric(df[col], errors="coerce").fillna(0).astype(float)
            b = pd.to_numeric(before[col], errors="coerce").fillna(0).astype(float)
            df[f"added_{col}"] = (a - b).round().astype(int)
    items = plan.items
    if len(items):
        it = items.assign(site_id=items["site_id"].astype(str))
        kinds = it.groupby("site_id")["kind"].agg(lambda s: ";".join(dict.fromkeys(map(str, s))))
    else:
        kinds = pd.Series(dtype=str)
    df["added_kinds"] = kinds.reindex(df.index).fillna("").astype(str)
    df["new"] = df["added_kinds"] != ""
    return df.reset_index()


def demand_frame(instance: Instance, plan: Plan) -> pd.DataFrame:
    """Each demand point: name, township, population (persons), urban, coordinates, shares before/after per key."""
    d = instance.demand
    base = d[[c for c in ("name", "township", "population", "urban", "x", "y", "lon", "lat") if c in d]].copy()
    cov = plan.demand_coverage.reindex(base.index)
    cols = [c for k in SERVICE_KEYS for c in (f"{k}_before", f"{k}_after") if c in cov]
    out = pd.concat([base, cov[cols]], axis=1)
    out.index = out.index.astype(str)
    out.index.name = "demand_id"
    return out.reset_index()


def township_frame(instance: Instance, plan: Plan) -> pd.DataFrame:
    """Per township: name, population and persons covered before/after per key, with shares (0–1).

    Uses ``plan.township_coverage`` when given, else sums the demand points' coverage by township.
    """
    tc = plan.township_coverage
    if tc is None or not len(tc):
        d = instance.demand
        if "township" not in d or not len(plan.demand_coverage):
            return pd.DataFrame(columns=["township_id", "name", "population"])
        pop = d["population"].astype(float)
        cov = plan.demand_coverage.reindex(d.index).mul(pop, axis=0)
        tc = cov.groupby(d["township"].astype(str)).sum()
        tc.insert(0, "population", pop.groupby(d["township"].astype(str)).sum())
    tc = tc.copy()
    tc.index = tc.index.astype(str)
    names = {}
    if instance.townships is not None and "name" in instance.townships:
        names = {str(k): str(v) for k, v in instance.townships["name"].items()}
    out = pd.DataFrame(index=tc.index)
    out["name"] = [names.get(i, i) for i in tc.index]
    out["population"] = tc["population"].astype(float)
    pop = out["population"].replace(0, np.nan)
    for k in SERVICE_KEYS:
        for when in ("before", "after"):
            c = f"{k}_{when}"
            if c in tc:
                out[c] = tc[c].astype(float)
                out[f"{c}_share"] = (tc[c] / pop).astype(float)
    out.index.name = "township_id"
    return out.reset_index()


def placement_frames(instance: Instance, plan: Plan, projects: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The four tables of :data:`LAYERS`, in that order."""
    return {
        "new_items": items_frame(instance, plan, projects),
        "facilities_after": facilities_frame(instance, plan),
        "demand_coverage": demand_frame(instance, plan),
        "township_coverage": township_frame(instance, plan),
    }


def frames_to_csv(out_dir: Path, frames: dict[str, pd.DataFrame]) -> list[Path]:
    """Write each frame as ``<name>.csv`` (UTF-8 with BOM, '\\n' line ends, no index); returns the paths."""
    paths = []
    for name, df in frames.items():
        path = Path(out_dir) / f"{name}.csv"
        write_csv(df, path)
        paths.append(path)
    return paths


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """One CSV in UTF-8 with BOM (Excel/WPS), '\\n' line ends, no index: byte-identical for identical frames."""
    df.to_csv(path, index=False, encoding=CSV_ENCODING, lineterminator="\n")
    return path


def placements_to_gpkg(path: Path, instance: Instance, frames: dict[str, pd.DataFrame]) -> tuple[list[str], list[str]]:
    """Write the spatial layers that have geometry into ``path`` (GeoPackage).

    Returns ``(layers written, notes)``; a note (``Text``, zh/en) says which layer was skipped and why (no coordinates, no
    township polygons). Nothing is written when no layer has geometry.
    """
    path = Path(path)
    crs = instance.crs
    notes: list[Text] = []
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name in ("new_items", "facilities_after", "demand_coverage"):
        df = frames[name]
        if not len(df) and name == "new_items":
            # an empty layer still documents the schema (a baseline has no items)
            if _has_xy(frames["facilities_after"]):
                layers[name] = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
            continue
        if not _has_xy(df):
            notes.append(Text(*(tr("note.layer_no_xy", lang, layer=tr(f"layer.{name}", lang)) for lang in LANGS)))
            continue
        ok = np.isfinite(df["x"].to_numpy(float)) & np.isfinite(df["y"].to_numpy(float))
        geom = gpd.GeoSeries(
            gpd.points_from_xy(df["x"].where(ok, 0.0), df["y"].where(ok, 0.0)), index=df.index, crs=crs
        ).where(ok, None)
        layers[name] = gpd.GeoDataFrame(df, geometry=geom, crs=crs)
    tw = instance.townships
    tdf = frames["township_coverage"]
    if tw is not None and len(tw) and len(tdf):
        poly = tw.geometry.copy()
        poly.index = poly.index.astype(str)
        geom = gpd.GeoSeries(poly.reindex(tdf["township_id"].astype(str)).to_numpy(), index=tdf.index, crs=tw.crs)
        layers["township_coverage"] = gpd.GeoDataFrame(tdf, geometry=geom, crs=tw.crs)
    else:
        notes.append(message("note.layer_no_townships"))
    if not layers:
        notes.append(message("note.no_spatial"))
        return [], notes
    if path.exists():
        path.unlink()
    for name, gdf in layers.items():
        gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return list(layers), notes


def _has_xy(df: pd.DataFrame) -> bool:
    return {"x", "y"} <= set(df.columns) and bool(np.isfinite(df[["x", "y"]].to_numpy(float)).any())


def _dtype(col: str) -> str:
    if col in ("year", "quantity", "quantity_ord", "quantity_np"):
        return "int64"
    if col == "no":
        return "Int64"
    if col == "new_station":
        return "bool"
    if col in ("cost_wan", "newly_covered", "only_covered", "wan_per_1000", "x", "y", "lon", "lat"):
        return "float64"
    return "object"
