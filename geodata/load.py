"""Read, check and assemble a scenario's inputs into an :class:`~geodata.instance.Instance`.

The story, top to bottom: read every layer given (:mod:`geodata.readers`) → coerce and check each one
(:mod:`geodata.validate`) → choose the local UTM zone and reproject (:mod:`geodata.crs`) → build the canonical
demand, site and township frames (township by spatial join where the file gives none, urban flag from the
township where the demand layer gives none) → check the roads and the OD matrix against them → compute travel
times (:mod:`geodata.travel_times`) → Instance. Every problem of every step goes into one report; errors stop
the run before travel times are computed and before anything is written, warnings end up in
``Instance.warnings``.

Conventions of the assembled frames (see ``DEMAND_COLUMNS`` / ``SITE_COLUMNS``): string ids as index
(``demand_id``, ``site_id``, ``township_id``); sites are the facilities, then the candidates; absent stock
columns are 0/False; ``station_capacity`` 0 means "use the scenario default"; without a demand layer each
township's representative point carries the township's population; x/y/lon/lat are NaN for rows without
coordinates (plain CSV inputs with an OD matrix).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from healthplan.geodata import crs as crsmod
from healthplan.geodata.config import InputsConfig, LayerSpec, RasterSpec, TravelConfig
from healthplan.geodata.errors import InputError, ProblemReport
from healthplan.geodata.instance import DEMAND_COLUMNS, SITE_COLUMNS, Instance
from healthplan.geodata.levels import Level
from healthplan.geodata.messages import layer as layer_text
from healthplan.geodata.messages import say as msg
from healthplan.geodata.text import Text
from healthplan.geodata.readers import one_read, read_layer_into
from healthplan.geodata.schemas import ColumnSchema
from healthplan.geodata.travel_times import compute_travel_times_with_sites
from healthplan.geodata.validate import feature_ids, report_rows, validate_layer, validate_od, validate_roads
from healthplan.geodata.census import join_census
from healthplan.geodata.dasymetric import check_raster, grid_points, village_populations
from healthplan.geodata.partition import APPROXIMATE_KEY, approximate_note, voronoi_townships
from healthplan.geodata.sources import osm_travel, source_notes

# Township kinds that mean urban (街道 = urban sub-district; 镇 and 乡 are rural). STANDARDS.md / DESIGN.md §3.
URBAN_KINDS = frozenset({"街道", "street", "subdistrict", "urban", "城市"})
RURAL_KINDS = frozenset({"镇", "乡", "town", "township", "rural", "民族乡", "苏木"})
# Village totals against the township's own population figure. A difference beyond 1 % earns a warning: census
# tables are rounded, and village lists and township tables often come from different years (1 % is one or two
# years of migration), resident (常住) and registered (户籍) figures can differ by half in rural townships that
# people leave, and households written as persons give a factor of about 3, all worth a look but not wrong.
# A factor beyond 10 either way (and more than 1,000 persons apart) is an error: no migration explains it,
# only a unit mistake (万人 or 千人 for persons), a column mix-up, or villages missing from the demand layer.
POPULATION_TOLERANCE = 0.01
POPULATION_FACTOR_ERROR = 10.0
POPULATION_ERROR_MIN_PERSONS = 1_000
# More people than China has (1.41 billion, 2020 census) in one plan is a unit mistake.
MAX_TOTAL_POPULATION = 1_500_000_000


def load_instance(
    inputs: InputsConfig,
    travel: TravelConfig,
    *,
    cutoff_minutes: float,
    name: str = "",
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    scenario_file: str | Path | None = None,
    stock: tuple[ColumnSchema, ...] = (),
) -> Instance:
    """Read and check every input, compute travel times and return the Instance.

    Parameters
    ----------
    inputs
        The scenario's input files (absolute paths).
    travel
        How travel times are obtained (roads, OD matrix, straight line).
    cutoff_minutes
        Longest travel time kept, minutes (the largest time standard the scenario needs).
    name
        Instance name (the scenario's).
    cache_dir
        Travel-time cache folder; ``None``: ``travel.cache_dir``, else no cache.
    progress
        Called with a short message before each step.
    scenario_file
        The scenario file, named by problems of the scenario itself (no demand layer given …); default the
        word "scenario".
    stock
        The stock columns of the site layers, declared by the resource kinds (``optimizer.kinds.SITE_STOCK``):
        read, checked and carried into ``Instance.sites`` after the site columns every site has.

    Raises
    ------
    InputError
        Carrying every error found in every file; warnings of a successful load are in ``Instance.warnings``.
    """
    with one_read():
        inst, report = _assemble(inputs, travel, cutoff_minutes=cutoff_minutes, name=name, cache_dir=cache_dir,
                                 progress=progress, scenario_file=scenario_file, stock=stock)
    report.raise_if_errors()
    if inst is None:  # pragma: no cover - no instance without an error
        raise InputError(msg("load.not_assembled"), file=str(scenario_file or "scenario"))
    return inst


def check_inputs(
    inputs: InputsConfig, travel: TravelConfig, *, cutoff_minutes: float, cache_dir: Path | None = None,
    scenario_file: str | Path | None = None, stock: tuple[ColumnSchema, ...] = (),
) -> tuple[Instance | None, ProblemReport]:
    """Everything :func:`load_instance` does, but return ``(instance or None, report)`` instead of raising."""
    with one_read():
        return _assemble(inputs, travel, cutoff_minutes=cutoff_minutes, name="", cache_dir=cache_dir,
                         progress=None, scenario_file=scenario_file, stock=stock)


# --- the pipeline -------------------------------------------------------------------------------------------


def _assemble(
    inputs: InputsConfig,
    travel: TravelConfig,
    *,
    cutoff_minutes: float,
    name: str,
    cache_dir: Path | None,
    progress: Callable[[str], None] | None,
    scenario_file: str | Path | None = None,
    stock: tuple[ColumnSchema, ...] = (),
) -> tuple[Instance | None, ProblemReport]:
    say = progress or (lambda _msg: None)
    report = ProblemReport()
    scenario = str(scenario_file or "scenario")
    t0 = time.perf_counter()

    # 1. Read and check each layer on its own.
    site_kind, site_spec = ("facilities", inputs.facilities) if inputs.facilities is not None else (
        "sites", inputs.sites)
    if inputs.facilities is not None and inputs.sites is not None:
        report.warning(str(inputs.sites.path),
                       msg("load.sites_and_facilities"), msg("load.sites_and_facilities.fix"))
    specs: dict[str, LayerSpec | None] = {
        "townships": inputs.townships, "demand": inputs.demand, site_kind: site_spec,
        "candidates": inputs.candidates, "roads": inputs.roads, "travel_times": inputs.travel_times,
        "census": inputs.census, "township_seats": inputs.township_seats, "boundary": inputs.boundary,
    }
    if inputs.demand is None and inputs.townships is None and inputs.township_seats is None:
        report.error(scenario, msg("load.no_demand"), msg("load.no_demand.fix"))
    if site_spec is None and inputs.candidates is None:
        report.error(scenario, msg("load.no_sites"), msg("load.no_sites.fix"))
    raw: dict[str, pd.DataFrame | None] = {}
    for kind, spec in specs.items():
        if spec is not None:
            say(f"reading {kind}: {Path(spec.path).name}")
            optional = ("population",) if kind == "demand" and inputs.population_raster is not None else ()
            raw[kind] = read_layer_into(spec, kind=kind, report=report, stock=stock, travel=travel,
                                        optional=optional)
    raster_info = None
    if inputs.population_raster is not None:
        say(f"checking the population raster: {Path(inputs.population_raster.path).name}")
        raster_info = check_raster(inputs.population_raster, report)
    layers: dict[str, pd.DataFrame] = {}
    for kind, frame in raw.items():
        if frame is not None and kind not in ("roads", "travel_times"):
            say(f"checking {kind}")
            layers[kind] = validate_layer(frame, kind, report, stock)
    for kind in ("census", "township_seats", "boundary"):
        if kind in layers and len(layers[kind]) == 0:
            per = ("边界面", "boundary polygon") if kind == "boundary" else ("乡镇", "township")
            report.error(str(layers[kind].attrs.get("file", kind)), msg("load.layer_no_rows", kind=kind,
                                                                        layer=layer_text(kind)),
                         msg("load.layer_no_rows.fix", unit=per[0], unit_en=per[1], kind=kind))
            del layers[kind]
    notes, notes_en, meta_raw = source_notes(raw)
    if "census" in layers:
        join_to = next((k for k in ("townships", "township_seats") if k in layers), None)
        if join_to is None:
            if inputs.townships is None and inputs.township_seats is None:
                report.error(str(inputs.census.path) if inputs.census else scenario,
                             msg("load.census_alone"), msg("load.census_alone.fix"))
        else:
            say("joining the census table")
            layers[join_to] = join_census(layers["census"], layers[join_to], report, target=join_to)
            notes.append(f"乡镇人口取自普查表 {Path(str(layers['census'].attrs.get('file'))).name}")
            notes_en.append(f"Township populations from the census table "
                            f"{Path(str(layers['census'].attrs.get('file'))).name}")
    road_cfg = osm_travel(travel) if raw.get("roads") is not None and raw["roads"].attrs.get("format") == "osm" \
        else travel

    # 2. One local metric CRS for everything.
    geo = {k: f for k, f in {**layers, "roads": raw.get("roads")}.items()
           if isinstance(f, gpd.GeoDataFrame) and f.crs is not None}
    target = crsmod.choose_utm(geo.values())
    if target is not None:
        sources = [f.crs for f in geo.values()]
        notes.append(crsmod.projection_note(sources, target, lang="zh"))
        notes_en.append(crsmod.projection_note(sources, target, lang="en"))
        layers = {k: crsmod.reproject(f, target) if k in geo else f for k, f in layers.items()}

    # 3. Townships (from seats when there are no polygons), demand points, sites.
    approximate = None
    if "townships" not in layers and "township_seats" in layers and inputs.townships is None:
        say("approximate townships from the seats")
        others = [_points_xy(layers[k]) for k in ("demand", site_kind, "candidates") if k in layers]
        cells, clipped = voronoi_townships(layers["township_seats"], layers.get("boundary"), report,
                                           other_points=others)
        if cells is not None:
            layers["townships"] = cells
            approximate = approximate_note(clipped)
            notes.append(approximate["zh"])
            notes_en.append(approximate["en"])
    elif "township_seats" in layers:
        report.warning(str(layers["township_seats"].attrs.get("file")), msg("load.seats_unused"),
                       msg("load.seats_unused.fix"))
    townships = _townships(layers.get("townships"), report) if "townships" in layers else None
    urban_pop = _urban_population(layers.get("townships"))
    demand = None
    raster = inputs.population_raster if raster_info is not None else None
    if "demand" in layers:
        fill = None
        if raster is not None:
            fill = _village_filler(layers["demand"], townships, raster, raster_info, report)
            if fill is not None:
                notes.append(f"村人口按人口栅格 {Path(raster.path).name} 分配各乡镇常住人口（面积加权分区统计）")
                notes_en.append(f"Village populations: each township's total shared by the population raster "
                                f"{Path(raster.path).name} (area-weighted zonal sums)")
        demand = _demand(layers["demand"], townships, report, fill_population=fill)
    elif townships is not None and inputs.demand is None:
        if raster is not None:
            demand = _grid_demand(townships, urban_pop, raster, raster_info, report)
            if demand is not None:
                notes.append(f"无需求点图层：按人口栅格 {Path(raster.path).name} 将各乡镇人口分配到 "
                             f"{raster.grid_m:g} 米网格，共 {len(demand):,} 个网格需求点")
                notes_en.append(f"No demand layer: each township's population spread over a {raster.grid_m:g} m "
                                f"grid by the population raster {Path(raster.path).name}: {len(demand):,} grid "
                                "demand points")
        else:
            demand = _demand_from_townships(layers["townships"], townships, report, urban_pop=urban_pop)
            seat = "驻地" if approximate is not None else "代表点"
            notes.append(f"无需求点图层：以各乡镇{seat}及其人口作为需求点")
            notes_en.append(f"No demand layer: each township's {'seat' if approximate else 'representative point'} "
                            "carries its population")
    parts = [(k, layers[k]) for k in (site_kind, "candidates") if k in layers]
    sites = _sites(parts, townships, report, stock) if parts else None

    # 4. Roads and the OD matrix, checked against the rest.
    roads = None
    if raw.get("roads") is not None:
        say("checking roads")
        roads_raw = raw["roads"]
        roads = validate_roads(crsmod.reproject(roads_raw, target) if target is not None else roads_raw,
                               road_cfg, report)
    od = None
    site_od = None
    if raw.get("travel_times") is not None and demand is not None and sites is not None:
        say("checking the OD matrix")
        # Destinations may be demand points or (for site → site times) sites that are not also demand ids;
        # one check over the file keeps its row numbers right in messages.
        targets = demand.index.append(sites.index[~sites.index.astype(str).isin(demand.index.astype(str))])
        checked = validate_od(raw["travel_times"], sites.index, targets, report)
        od, site_od = split_site_pairs(checked, len(demand))
        od.attrs["file"] = site_od.attrs["file"] = raw["travel_times"].attrs.get("file", "travel_times")
        if not len(site_od):
            site_od = None
    for frame, what, kind in ((demand, "demand", "demand"), (sites, "sites", site_kind)):
        if frame is not None and len(frame) == 0:
            report.error(frame.attrs.get("file", kind), msg(f"load.layer_empty.{what}"),
                         msg("load.layer_empty.fix", kind=kind))
    if demand is not None:
        _check_total_population(demand, "demand" if "demand" in layers else "townships", report)
    method = _method(road_cfg, roads=inputs.roads, od=inputs.travel_times, report=report, scenario=scenario)
    if method in ("roads", "straight"):
        for frame in (demand, sites):
            if frame is not None:
                _need_coordinates(frame, method, report)
    read_s = time.perf_counter() - t0
    if report.errors or demand is None or sites is None:
        return None, report
    # Only the file name stays in attrs (arrays in attrs would break pd.concat on the Instance's frames).
    for frame in (demand, sites, townships, roads):
        if frame is not None:
            frame.attrs = {"file": str(frame.attrs.get("file", ""))}

    # 5. Travel times.
    say(f"travel times ({method})")
    t1 = time.perf_counter()
    try:
        tt, site_tt, tt_report = compute_travel_times_with_sites(
            demand, sites, roads=roads, od=od, cfg=road_cfg, cutoff_minutes=cutoff_minutes,
            cache_dir=cache_dir or travel.cache_dir, site_od=site_od)
    except InputError as exc:
        report.extend(exc.report)
        return None, report
    for note in tt_report.notes:  # notes go to the Instance's notes (zh | en), never to the warnings
        zh, en = note.text("zh"), note.text("en")
        if not note.message_zh and " | " in note.message:  # a cache entry from before notes carried a Text
            zh, _, en = note.message.partition(" | ")
        notes.append(zh)
        notes_en.append(en or zh)
    report.extend(tt_report.problems)
    if report.errors:
        return None, report
    travel_s = time.perf_counter() - t1

    meta = {
        "timings": {"read_s": read_s, "travel_s": travel_s},
        "files": {k: str(s.path) for k, s in specs.items() if s is not None},
        "source_crs": {k: crsmod.crs_label(f.crs) for k, f in geo.items()},
        "notes_en": tuple(notes_en),
        "travel_method": tt.method,
        **meta_raw,
    }
    if inputs.population_raster is not None:
        meta["files"]["population_raster"] = str(inputs.population_raster.path)
    if approximate is not None:
        meta[APPROXIMATE_KEY] = approximate
    inst = Instance(
        name=name,
        demand=demand,
        sites=sites,
        travel=tt,
        townships=townships,
        roads=roads,
        crs=None if target is None else crsmod.crs_label(target),
        ambulance_speed_factor=travel.ambulance_speed_factor,
        synthetic=_synthetic(raw.values()),
        notes=tuple(notes),
        warnings=tuple(report.warnings),
        meta=meta,
        site_travel=site_tt,
    )
    return inst, report


def split_site_pairs(checked: pd.DataFrame, n_demand: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split checked OD rows into site → demand and site → site rows.

    ``checked`` is :func:`geodata.validate.validate_od`'s answer over the targets demand ids + the site ids that
    are not demand ids (an id that is both stays a demand pair: that is what the file has always meant), so a
    ``demand_idx`` ≥ ``n_demand`` is a site. The site rows keep ``demand_id`` = the destination site id.
    """
    to_site = checked["demand_idx"].to_numpy() >= n_demand
    return checked.loc[~to_site].reset_index(drop=True), checked.loc[to_site].reset_index(drop=True)


# --- townships ----------------------------------------------------------------------------------------------


def _townships(tw: pd.DataFrame, report: ProblemReport) -> gpd.GeoDataFrame:
    """Townships indexed by ``township_id``: name, name_en, kind, urban (bool), population, geometry."""
    file = tw.attrs.get("file", "townships")
    if "name_en" not in tw:  # township seats have no English name
        attrs = dict(tw.attrs)
        tw = tw.assign(name_en="")
        tw.attrs = attrs
    urban = tw["urban"].astype("boolean")
    kind = tw["kind"].astype(str).str.strip().str.lower()
    # Without a kind, the name says it: XX街道 is urban, XX镇 and XX乡 rural (a seats table rarely has a kind).
    kind = kind.where(kind != "", tw["name"].astype(str).str.strip())
    from_kind = pd.array([_kind_is_urban(k) for k in kind], dtype="boolean")
    urban = urban.fillna(pd.Series(from_kind, index=tw.index))
    share = _urban_population(tw)
    if share is not None:  # 城镇人口 from the census: a township is urban when most of its people are
        pop_known = tw["population"].to_numpy(dtype=float)
        by_share = pd.array(np.where(np.isfinite(share) & (pop_known > 0), share > 0.5 * pop_known, False),
                            dtype="boolean")
        by_share[~(np.isfinite(share) & (pop_known > 0))] = pd.NA
        urban = urban.fillna(pd.Series(by_share, index=tw.index))
    unknown = urban.isna().to_numpy(dtype=bool)
    has_flag = tw.attrs.get("columns", {}).keys() & {"urban", "kind", "urban_population"}
    if unknown.any() and has_flag:
        ids = feature_ids(tw)
        report_rows(report, file, ids[unknown], msg("load.town_urban_unknown"),
                    msg("load.town_urban_unknown.fix"), column="urban", severity="warning")
    pop = tw["population"].to_numpy(dtype=float)
    out = gpd.GeoDataFrame(
        {
            "name": tw["name"].to_numpy(dtype=object),
            "name_en": tw["name_en"].to_numpy(dtype=object),
            "kind": tw["kind"].to_numpy(dtype=object),
            "urban": urban.fillna(False).to_numpy(dtype=bool),
            "population": pop.astype(np.int64) if np.isfinite(pop).all() else pop,
        },
        geometry=tw.geometry.values,
        crs=tw.crs,
        index=pd.Index(tw["id"].astype(str).to_numpy(), name="township_id"),
    )
    # Plain attrs only: frames leaving geodata must survive pd.concat, which compares attrs with ==.
    out.attrs = {"file": file, "urban_known": bool(has_flag)}
    return out


def _kind_is_urban(kind: str) -> bool | None:
    """街道 (also 街道办事处) → urban; 镇, 乡, 民族乡 … → rural; anything else unknown (``None``)."""
    if kind in URBAN_KINDS or "街道" in kind:
        return True
    if kind in RURAL_KINDS or kind.endswith(("镇", "乡")):
        return False
    return None


def _assign_townships(
    frame: pd.DataFrame, townships: gpd.GeoDataFrame, what: str, report: ProblemReport
) -> np.ndarray:
    """Township id per row: the file's where given (unknown ids are errors), else the polygon holding it.

    A point outside every township gets the nearest one, with a warning naming the distance.
    """
    file = frame.attrs.get("file", what)
    col = frame.attrs.get("columns", {}).get("township", "township")
    ids = feature_ids(frame)
    given = frame["township"].astype(str).str.strip().to_numpy(dtype=object)
    known = townships.index
    # pandas' hashed isin, not np.isin (which sorts object arrays: slow at province size).
    unknown = (given != "") & ~pd.Series(given).isin(known).to_numpy(dtype=bool)
    if unknown.any():
        # One problem per unknown id, naming its rows: a misspelt township id repeats over all its villages.
        sample = ", ".join(map(str, known[:8])) + (" …" if len(known) > 8 else "")
        rows = pd.Series(ids[unknown]).groupby(given[unknown], sort=False).agg(list)
        msgs = [msg("load.town_id_unknown", town=t, also=_also(r[1:], what)) for t, r in rows.items()]
        report_rows(report, file, [r[0] for r in rows], msgs,
                    msg("load.town_id_unknown.fix", sample=sample, column=col), column=col)
    out = given.copy()
    if not isinstance(frame, gpd.GeoDataFrame):
        return out
    ok = np.asarray(frame.attrs.get("geometry_ok", np.ones(len(frame), dtype=bool)), dtype=bool)
    tw_geom = townships.geometry
    tw_ok = (~(tw_geom.is_empty | tw_geom.isna()) & tw_geom.is_valid).to_numpy(dtype=bool)
    if not ok.any() or not tw_ok.any():
        return out
    polys = townships[tw_ok]
    pts = gpd.GeoDataFrame({"pos": np.flatnonzero(ok)}, geometry=frame.geometry.values[ok], crs=frame.crs)
    hit = gpd.sjoin(pts, polys[["geometry"]], how="left", predicate="intersects")
    hit = hit[~hit.index.duplicated(keep="first")]
    inside = hit["township_id"].notna().to_numpy()
    # Where the file gives no township, the polygon holding the point decides.
    pos_in = hit["pos"].to_numpy()[inside]
    fill = out[pos_in] == ""
    out[pos_in[fill]] = hit["township_id"].to_numpy()[inside][fill]
    if (~inside).any():
        outside = pts[~inside]
        near = gpd.sjoin_nearest(outside, polys[["geometry"]], how="left", distance_col="dist_m")
        near = near[~near.index.duplicated(keep="first")]
        # A point whose own township has no usable polygon is not "outside": that polygon's error says it all.
        own_bad = pd.Series(out[near["pos"].to_numpy()]).isin(townships.index[~tw_ok]).to_numpy(dtype=bool)
        near = near[~own_bad]
        pos = near["pos"].to_numpy()
        nearest = near["township_id"].astype(str).to_numpy()
        msgs = [msg("load.outside_towns.used", what=_what(what), town=t, km=d / 1000) if out[p] == ""
                else msg("load.outside_towns.kept", what=_what(what), town=t, km=d / 1000, own=out[p])
                for p, t, d in zip(pos, nearest, near["dist_m"].to_numpy(), strict=True)]
        report_rows(report, file, ids[pos], msgs, msg("load.outside_towns.fix"),
                    column="geometry", severity="warning")
        blank = out[pos] == ""
        out[pos[blank]] = nearest[blank]
    return out


def _also(more: list[object], what: str) -> Text | str:
    """`` (also 3 more demand points: V2, V3, V4)`` — or nothing when there are none."""
    if not more:
        return ""
    ell = " …" if len(more) > 5 else ""
    ids = ", ".join(map(str, more[:5]))
    return msg("load.town_id_unknown.also", n=len(more), what=_what(what), ids=ids, ell=ell)


def _what(what: str) -> Text:
    """``demand point`` / ``candidate site`` / ``facility`` / ``site`` in both languages (需求点 …)."""
    return msg(f"load.what.{what.replace(' ', '_')}")


# --- demand -------------------------------------------------------------------------------------------------


def _xy_lonlat(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """x/y in the frame's (projected) CRS and lon/lat in WGS 84; NaN for rows without usable geometry."""
    n = len(frame)
    out = {k: np.full(n, np.nan) for k in ("x", "y", "lon", "lat")}
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        return out
    ok = np.asarray(frame.attrs.get("geometry_ok", np.ones(n, dtype=bool)), dtype=bool)
    if not ok.any():
        return out
    geom = frame.geometry[ok]
    out["x"][ok], out["y"][ok] = geom.x.to_numpy(), geom.y.to_numpy()
    ll = geom.to_crs(crsmod.WGS84)
    out["lon"][ok], out["lat"][ok] = ll.x.to_numpy(), ll.y.to_numpy()
    return out


def _demand(dm: pd.DataFrame, townships: gpd.GeoDataFrame | None, report: ProblemReport, *,
            fill_population: Callable[[np.ndarray], np.ndarray] | None = None) -> pd.DataFrame:
    """Canonical demand frame from a demand layer (township by spatial join, urban from the township).

    ``fill_population``: given each point's township id, the points' populations (a population raster sharing
    the townships' totals); ``None``: the layer's own population column.
    """
    file = dm.attrs.get("file", "demand")
    town = dm["township"].astype(str).to_numpy(dtype=object)
    errors_before = len(report.errors)
    if townships is not None:
        town = _assign_townships(dm, townships, "demand point", report)
    if fill_population is not None:
        dm = dm.copy()
        dm["population"] = fill_population(town)
    # Townships the points could not be matched to were reported; their sums would only repeat that.
    assigned = len(report.errors) == errors_before
    urban = dm["urban"].astype("boolean").to_numpy(dtype=object, na_value=None)
    missing = np.array([u is None for u in urban], dtype=bool)
    if missing.any():
        if townships is not None and townships.attrs.get("urban_known"):
            tw_urban = townships["urban"].to_dict()
            for i in np.flatnonzero(missing):
                urban[i] = tw_urban.get(town[i])
            missing = np.array([u is None for u in urban], dtype=bool)
        if missing.any():
            col = dm.attrs.get("columns", {}).get("urban", "urban")
            first = feature_ids(dm)[missing][0]
            report.warning(file, msg("load.urban_missing", n=int(missing.sum()), first=first),
                           msg("load.urban_missing.fix", column=col), column=col)
    xy = _xy_lonlat(dm)
    pop = dm["population"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "name": dm["name"].to_numpy(dtype=object),
            "population": np.where(np.isfinite(pop), pop, 0).astype(np.int64),
            "urban": np.array([bool(u) for u in urban], dtype=bool),
            "township": town.astype(object),
            **xy,
        },
        index=pd.Index(dm["id"].astype(str).to_numpy(), name="demand_id"),
    )[list(DEMAND_COLUMNS)]
    out.attrs["file"] = file
    out.attrs["coordless"] = np.full(len(out), not isinstance(dm, gpd.GeoDataFrame))
    tw_pop_known = townships is not None and np.isfinite(townships["population"].to_numpy(dtype=float)).all()
    if assigned and tw_pop_known:
        _check_township_totals(out, townships, file, report)
    return out


def _demand_from_townships(
    tw_layer: gpd.GeoDataFrame, townships: gpd.GeoDataFrame, report: ProblemReport, *,
    urban_pop: np.ndarray | None = None,
) -> pd.DataFrame:
    """One demand point per township: its seat (when the townships come from seats) or its representative point
    (inside the polygon), with its population.

    Where the census gives 城镇人口 (``urban_pop``) strictly between 0 and the population, the township is two
    demand points at the same place, ``<id>-urban`` and ``<id>-rural``: the urban persons count towards the urban
    standards (one ambulance per 30,000, 15 minutes), the others towards the rural ones.
    """
    file = tw_layer.attrs.get("file", "townships")
    pop = townships["population"].to_numpy(dtype=float)
    _require_township_population(tw_layer, townships, report, msg("load.why.no_demand"))
    seat_xy = tw_layer.attrs.get("seat_xy")
    if seat_xy is not None:
        points = gpd.GeoSeries.from_xy(seat_xy[:, 0], seat_xy[:, 1], crs=tw_layer.crs).values
    else:
        points = tw_layer.geometry.representative_point().values
    frame = gpd.GeoDataFrame(geometry=points, crs=tw_layer.crs)
    frame.attrs["geometry_ok"] = tw_layer.attrs.get("geometry_ok", np.ones(len(frame), dtype=bool))
    xy = _xy_lonlat(frame)
    persons = np.where(np.isfinite(pop), pop, 0).astype(np.int64)
    out = pd.DataFrame(
        {
            "name": townships["name"].to_numpy(dtype=object),
            "population": persons,
            "urban": townships["urban"].to_numpy(dtype=bool),
            "township": townships.index.to_numpy(dtype=object),
            **xy,
        },
        index=pd.Index(townships.index.to_numpy(dtype=object), name="demand_id"),
    )[list(DEMAND_COLUMNS)]
    if urban_pop is not None:
        u = np.asarray(urban_pop, dtype=float)
        split = np.isfinite(u) & (u > 0) & (u < persons)
        if split.any():
            urb = out[split].copy()
            rur = out[split].copy()
            urb["population"] = np.round(u[split]).astype(np.int64)
            rur["population"] = persons[split] - urb["population"].to_numpy()
            urb["urban"], rur["urban"] = True, False
            urb.index = pd.Index([f"{i}-urban" for i in urb.index], name="demand_id")
            rur.index = pd.Index([f"{i}-rural" for i in rur.index], name="demand_id")
            urb["name"] = [f"{n}（城镇）" for n in urb["name"]]
            rur["name"] = [f"{n}（乡村）" for n in rur["name"]]
            whole = out[~split].copy()
            whole.loc[np.isfinite(u[~split]) & (u[~split] >= persons[~split]) & (persons[~split] > 0), "urban"] = True
            out = pd.concat([whole, urb, rur]).loc[lambda d: ~d.index.duplicated()]
    out.attrs["file"] = file
    return out


def _require_township_population(tw_layer: pd.DataFrame, townships: gpd.GeoDataFrame, report: ProblemReport,
                                 why: Text) -> bool:
    """Every township needs a population (no demand layer, or a raster sharing it out); record what is missing."""
    file = tw_layer.attrs.get("file", "townships")
    pop = townships["population"].to_numpy(dtype=float)
    if "population" not in tw_layer.attrs.get("columns", {}):
        report.error(file, msg("load.town_no_population", why=why), msg("load.town_no_population.fix"),
                     column="population")
        return False
    if (~np.isfinite(pop)).any():
        bad = ~np.isfinite(pop)
        report_rows(report, file, townships.index[bad], msg("load.town_population_missing", why=why),
                    msg("load.town_population_missing.fix"), column=tw_layer.attrs["columns"]["population"])
        return False
    return True


def _urban_population(tw_layer: pd.DataFrame | None) -> np.ndarray | None:
    """城镇人口 per township (persons, NaN where unknown), or ``None`` when the layer has no such column."""
    if tw_layer is None or "urban_population" not in tw_layer.attrs.get("columns", {}):
        return None
    return pd.to_numeric(tw_layer["urban_population"], errors="coerce").to_numpy(dtype=float)


def _points_xy(frame: pd.DataFrame) -> np.ndarray:
    """(n, 2) coordinates of a point layer's usable points (none for a plain table)."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return np.zeros((0, 2))
    ok = np.asarray(frame.attrs.get("geometry_ok", np.ones(len(frame), dtype=bool)), dtype=bool)
    geom = frame.geometry.values[ok]
    geom = geom[shapely.get_type_id(geom) == 0]
    return shapely.get_coordinates(geom)


def _village_filler(dm: pd.DataFrame, townships: gpd.GeoDataFrame | None, raster: RasterSpec,
                    raster_info: dict[str, object], report: ProblemReport
                    ) -> Callable[[np.ndarray], np.ndarray] | None:
    """The population raster's village populations, or ``None`` when the demand layer has its own."""
    file = str(dm.attrs.get("file", "demand"))
    own = "population" in dm.attrs.get("columns", {})
    if raster.mode == "grid":
        report.error(str(raster.path), msg("load.raster_grid_with_demand"),
                     msg("load.raster_grid_with_demand.fix"))
        return None
    if own and raster.mode == "auto":
        report.warning(str(raster.path), msg("load.raster_unused", file=file), msg("load.raster_unused.fix"))
        return None
    if townships is None or not isinstance(dm, gpd.GeoDataFrame):
        report.error(str(raster.path), msg("load.raster_needs_polygons"),
                     msg("load.raster_needs_polygons.fix"))
        return None
    if own:
        report.warning(file, msg("load.raster_replaces"), msg("load.raster_replaces.fix"),
                       column="population")
    tw_layer = townships.assign(_file=townships.attrs.get("file", "townships"))
    tw_layer.attrs = {"file": townships.attrs.get("file", "townships"),
                      "columns": {"population": "population"}}
    if not _require_township_population(tw_layer, townships, report, msg("load.why.villages")):
        return None
    ok = np.asarray(dm.attrs.get("geometry_ok", np.ones(len(dm), dtype=bool)), dtype=bool)

    def fill(town: np.ndarray) -> np.ndarray:
        pop = np.full(len(dm), np.nan)
        pop[ok] = village_populations(dm[ok], np.asarray(town)[ok], townships, raster, raster_info["crs"], report)
        return pop

    return fill


def _grid_demand(townships: gpd.GeoDataFrame, urban_pop: np.ndarray | None, raster: RasterSpec,
                 raster_info: dict[str, object], report: ProblemReport) -> pd.DataFrame | None:
    """Grid demand points from the raster and the townships' totals (no demand layer)."""
    if raster.mode == "villages":
        report.error(str(raster.path), msg("load.raster_villages_no_demand"),
                     msg("load.raster_villages_no_demand.fix"))
        return None
    tw_layer = pd.DataFrame(index=townships.index)
    tw_layer.attrs = {"file": townships.attrs.get("file", "townships"), "columns": {"population": "population"}}
    if not _require_township_population(tw_layer, townships, report, msg("load.why.grid")):
        return None
    tw = townships.copy()
    tw["urban_population"] = np.full(len(tw), np.nan) if urban_pop is None else urban_pop
    points = grid_points(tw, raster, raster_info["crs"], report)
    xy = _xy_lonlat(points)
    out = pd.DataFrame(
        {"name": points["name"].to_numpy(dtype=object), "population": points["population"].to_numpy(dtype=np.int64),
         "urban": points["urban"].to_numpy(dtype=bool), "township": points["township"].to_numpy(dtype=object), **xy},
        index=pd.Index(points["id"].to_numpy(dtype=object), name="demand_id"),
    )[list(DEMAND_COLUMNS)]
    out.attrs["file"] = str(raster.path)
    return out


def _check_township_totals(demand: pd.DataFrame, townships: gpd.GeoDataFrame, file: str,
                           report: ProblemReport) -> None:
    """Compare each township's population with its demand points' sum (see :data:`POPULATION_TOLERANCE`).

    Warning beyond 1 %; error beyond a factor of :data:`POPULATION_FACTOR_ERROR` either way when the two are
    also more than :data:`POPULATION_ERROR_MIN_PERSONS` apart.
    """
    tw_pop = pd.to_numeric(townships["population"], errors="coerce")
    tw_pop = tw_pop[~tw_pop.index.duplicated(keep="first")]  # a repeated township id is reported elsewhere
    sums = demand.groupby("township")["population"].sum().reindex(tw_pop.index).fillna(0)
    diff = (sums - tw_pop).abs()
    off = (diff > POPULATION_TOLERANCE * tw_pop.clip(lower=1)) & tw_pop.notna()
    if not off.any():
        return
    tw_file = townships.attrs.get("file", "townships")
    far = off & (diff > POPULATION_ERROR_MIN_PERSONS) & (
        (sums > POPULATION_FACTOR_ERROR * tw_pop) | (sums * POPULATION_FACTOR_ERROR < tw_pop))
    near = off & ~far
    if far.any():
        report_rows(report, tw_file, list(tw_pop.index[far.to_numpy()]),
                    [msg("load.town_sum_far", town=int(t), file=file, sum=int(v), factor=_factor(v, t))
                     for v, t in zip(sums[far], tw_pop[far], strict=True)],
                    msg("load.town_sum_far.fix"),
                    column="population")
    if near.any():
        report_rows(report, file, list(tw_pop.index[near.to_numpy()]),
                    [msg("load.town_sum_near", sum=int(v), town=int(t), diff=(v - t) / max(t, 1))
                     for v, t in zip(sums[near], tw_pop[near], strict=True)],
                    msg("load.town_sum_near.fix"), column="population",
                    severity="warning")


def _factor(a: float, b: float) -> Text:
    """``a factor of 12`` / `` 12 倍`` (or ``all of it`` when one side is 0)."""
    lo, hi = min(a, b), max(a, b)
    return msg("load.factor.all") if lo <= 0 else msg("load.factor", factor=hi / lo)


def _check_total_population(demand: pd.DataFrame, kind: str, report: ProblemReport) -> None:
    """A plan needs people to cover and no more than a country's worth of them."""
    file = demand.attrs.get("file", kind)
    total = int(demand["population"].sum())
    if len(demand) and total == 0:
        report.error(file, msg("load.population_zero", n=len(demand)), msg("load.population_zero.fix", kind=kind),
                     column="population")
    elif total > MAX_TOTAL_POPULATION:
        report.error(file, msg("load.population_country", total=total), msg("load.population_country.fix"),
                     column="population")


# --- sites --------------------------------------------------------------------------------------------------


def _sites(parts: list[tuple[str, pd.DataFrame]], townships: gpd.GeoDataFrame | None,
           report: ProblemReport, stock: tuple[ColumnSchema, ...] = ()) -> pd.DataFrame:
    """Facilities then candidates in SITE_COLUMNS plus the ``stock`` columns, indexed by ``site_id``."""
    frames = []
    for kind, layer in parts:
        file = layer.attrs.get("file", kind)
        town = layer["township"].astype(str).to_numpy(dtype=object)
        if townships is not None:
            what = "candidate site" if kind == "candidates" else "facility"
            town = _assign_townships(layer, townships, what, report)
        level = layer["level"].to_numpy(dtype=object)
        if kind == "candidates":
            cand = np.ones(len(layer), dtype=bool)
        else:
            flag = layer["candidate"].astype("boolean")
            by_level = pd.Series(level == Level.CANDIDATE.value, index=layer.index)
            cand = flag.fillna(by_level).to_numpy(dtype=bool)
        names = ("name", "name_en", "beds", *(c.name for c in stock))
        cols = {c: layer[c].to_numpy() for c in names}
        extra = {"level": level, "township": town, "candidate": cand, **_xy_lonlat(layer)}
        index = pd.Index(layer["id"].astype(str).to_numpy(), name="site_id")
        frame = pd.DataFrame({**cols, **extra}, index=index)
        frame["_file"] = file
        frame["_coordless"] = not isinstance(layer, gpd.GeoDataFrame)
        frames.append(frame)
    if len(frames) > 1:
        both = np.intersect1d(frames[0].index.to_numpy(dtype=str), frames[1].index.to_numpy(dtype=str))
        if both.size:
            report_rows(report, str(frames[1]["_file"].iloc[0]), list(both),
                        msg("load.site_id_twice"), msg("load.site_id_twice.fix"),
                        column=parts[1][1].attrs.get("columns", {}).get("id", "id"))
    sites = pd.concat(frames)
    # Candidates sort after facilities (a plain sites CSV may mix them): stable order within each group.
    sites = sites.iloc[np.argsort(sites["candidate"].to_numpy(), kind="stable")]
    for c in ("beds", *(c.name for c in stock if c.dtype == "int")):
        sites[c] = sites[c].astype(np.int64)
    for c in ("candidate", *(c.name for c in stock if c.dtype == "bool")):
        sites[c] = sites[c].astype(bool)
    files = list(dict.fromkeys(str(layer.attrs.get("file", kind)) for kind, layer in parts))
    keep = list(SITE_COLUMNS)
    keep[keep.index("candidate"):keep.index("candidate")] = [c.name for c in stock if c.name not in SITE_COLUMNS]
    out = sites[keep].copy()
    out.attrs["file"] = ", ".join(files)
    out.attrs["coordless"] = sites["_coordless"].to_numpy(dtype=bool)
    return out


# --- travel-time prerequisites ------------------------------------------------------------------------------


def _method(
    travel: TravelConfig, *, roads: LayerSpec | None, od: LayerSpec | None, report: ProblemReport,
    scenario: str = "scenario",
) -> str:
    """Resolve ``auto`` as the travel-time module does; record a method whose input is missing."""
    method = travel.method
    if method == "auto":
        return "od" if od is not None else "roads" if roads is not None else "straight"
    if method == "od" and od is None:
        report.error(scenario, msg("load.method_od"), msg("load.method_od.fix"))
    if method == "roads" and roads is None:
        report.error(scenario, msg("load.method_roads"), msg("load.method_roads.fix"))
    return method


def _need_coordinates(frame: pd.DataFrame, method: str, report: ProblemReport) -> None:
    """Roads and straight-line travel need a location for every demand point and site."""
    # Rows of a layer with geometry whose geometry is bad were reported by the geometry check already.
    coordless = np.asarray(frame.attrs.get("coordless", np.zeros(len(frame), dtype=bool)), dtype=bool)
    missing = coordless & ~np.isfinite(frame[["x", "y"]].to_numpy(dtype=float)).all(axis=1)
    if missing.any():
        what = "demand point" if frame.index.name == "demand_id" else "site"
        report_rows(report, frame.attrs.get("file", what), list(frame.index[missing]),
                    msg("load.no_coordinates", what=_what(what), method=method),
                    msg("load.no_coordinates.fix"),
                    column="lon")


def _synthetic(frames: object) -> bool:
    """True when a GeoPackage layer's metadata labels the data synthetic (the demo county does)."""
    for frame in frames:  # type: ignore[attr-defined]
        if frame is None:
            continue
        for key, value in (frame.attrs.get("metadata") or {}).items():
            k, v = str(key).lower(), str(value).strip().lower()
            if ("synthetic" in k and v not in ("false", "0", "no", "")) or "synthetic" in v or "虚构" in v:
                return True
    return False

