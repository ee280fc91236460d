"""Placements: new items, facilities after the plan, demand-point and township coverage as GeoPackage layers and CSV.

Layers of ``placements.gpkg`` (CRS of the instance; each also written as ``<layer>.csv`` in UTF-8 with BOM so
that Excel/WPS open Chinese text correctly):

- ``new_items`` (points): one row per project (site × kind × year) with its cost (万元), quantities, justification
  figures (persons newly covered, persons covered only by it, 万元 per 1,000 newly covered), project name and 依据;
- ``facilities_after`` (points): every site with its stock after the plan and what the plan adds there;
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
from healthplan.optimizer.kinds import SERVICE_KEYS
from healthplan.optimizer.plan import Plan
from healthplan.reports.projects import group_projects

LAYERS: tuple[str, ...] = ("new_items", "facilities_after", "demand_coverage", "township_coverage")
CSV_ENCODING = "utf-8-sig"  # UTF-8 with BOM: Excel and WPS then detect UTF-8 and show Chinese correctly


def items_frame(instance: Instance, plan: Plan, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """New items, one row per project, with site name, township, coordinates and the 依据 figures.

    ``projects`` (from :func:`reports.projects.project_table`, indexed by item id) adds ``project_name`` and
    ``basis`` text. Money in 万元, coverage in persons.
    """
    p = group_projects(plan.items)
    cols = ["item_id", "site_id", "site_name", "township", "kind", "year", "quantity", "quantity_ord",
            "quantity_np", "new_station", "cost_wan", "newly_covered", "only_covered", "wan_per_1000",
            "standards", "project_name", "basis", "x", "y", "lon", "lat"]
    if p.empty:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in cols})
    sites = instance.sites.reindex(p["site_id"])
    p = p.assign(
        site_name=sites["name"].astype(str).to_numpy(),
        township=sites["township"].astype(str).to_numpy() if "township" in sites else "",
        wan_per_1000=np.where(p["newly_covered"] > 0, p["cost_wan"] / (p["newly_covered"].where(
            p["newly_covered"] > 0, 1) / 1000), np.nan),
        x=sites["x"].to_numpy(float), y=sites["y"].to_numpy(float),
        lon=sites["lon"].to_numpy(float), lat=sites["lat"].to_numpy(float),
    )
    if projects is not None and len(projects):
        name_col, basis_col = projects.columns[1], projects.columns[9]
        p["project_name"] = p["item_id"].map(projects[name_col]).fillna("")
        p["basis"] = p["item_id"].map(projects[basis_col]).fillna("")
    else:
        p["project_name"] = ""
        p["basis"] = ""
    p["year"] = p["year"].astype(int)
    for c in ("quantity", "quantity_ord", "quantity_np"):
        p[c] = p[c].round().astype(int)
    return p[cols].reset_index(drop=True)


def facilities_frame(instance: Instance, plan: Plan) -> pd.DataFrame:
    """Every site after the plan (``plan.after_stock``, or the instance's sites for a baseline) and its additions.

    Adds ``added_amb_ord``, ``added_amb_np`` (vehicles), ``added_kinds`` (';'-joined kinds of new items) and
    ``new`` (True when the plan adds anything at the site).
    """
    after = plan.after_stock if plan.after_stock is not None and len(plan.after_stock) else instance.sites
    df = after.copy()
    df.index = df.index.astype(str)
    df.index.name = "site_id"
    for c in ("x", "y", "lon", "lat"):
        if c not in df and c in instance.sites:
            df[c] = instance.sites[c].reindex(df.index)
    if "level" in df:
        df["level"] = df["level"].map(lambda v: str(getattr(v, "value", v)))
    items = plan.items
    if len(items):
        it = items.assign(site_id=items["site_id"].astype(str))
        amb = it[it["kind"] == "ambulance"].groupby("site_id")[["quantity_ord", "quantity_np"]].sum()
        kinds = it.groupby("site_id")["kind"].agg(lambda s: ";".join(dict.fromkeys(map(str, s))))
    else:
        amb = pd.DataFrame(columns=["quantity_ord", "quantity_np"])
        kinds = pd.Series(dtype=str)
    df["added_amb_ord"] = amb["quantity_ord"].reindex(df.index).fillna(0).astype(int)
    df["added_amb_np"] = amb["quantity_np"].reindex(df.index).fillna(0).astype(int)
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

    Returns ``(layers written, notes)``; a note says which layer was skipped and why (no coordinates, no
    township polygons). Nothing is written when no layer has geometry.
    """
    path = Path(path)
    crs = instance.crs
    notes: list[str] = []
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name in ("new_items", "facilities_after", "demand_coverage"):
        df = frames[name]
        if not len(df) and name == "new_items":
            # an empty layer still documents the schema (a baseline has no items)
            if _has_xy(frames["facilities_after"]):
                layers[name] = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
            continue
        if not _has_xy(df):
            notes.append(f"placements.gpkg: layer {name} skipped — the instance has no coordinates (x/y)")
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
        notes.append("placements.gpkg: layer township_coverage skipped — the instance has no township polygons")
    if not layers:
        notes.append("placements.gpkg not written — no layer has geometry; see the CSV files")
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
    if col == "new_station":
        return "bool"
    if col in ("cost_wan", "newly_covered", "only_covered", "wan_per_1000", "x", "y", "lon", "lat"):
        return "float64"
    return "object"
