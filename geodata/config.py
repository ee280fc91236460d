"""Typed configuration of the input layer: which files, which columns, how travel times are computed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # .inf/.nan in YAML are errors


class LayerSpec(_Strict):
    """One input layer: a file (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, CSV with lon/lat), its layer and columns.

    ``columns`` maps healthplan's canonical column names (``id``, ``population`` …) to the names in the file
    (``村编码``, ``人口`` …); canonical names that are absent from the map are looked up under their own name.
    """

    path: Path = Field(description="file path, relative to the scenario file")
    layer: str | None = Field(default=None, description="layer name inside a GeoPackage")
    columns: dict[str, str] = Field(default_factory=dict, description="canonical name → column name in the file")
    crs: str | None = Field(
        default=None, description="CRS of the file when it carries none (e.g. 'EPSG:4326' for CSV lon/lat)"
    )
    lon: str = Field(default="lon", description="longitude (or x) column of a CSV or XLSX")
    lat: str = Field(default="lat", description="latitude (or y) column of a CSV or XLSX")
    datum: Literal["wgs84", "gcj02", "bd09"] = Field(
        default="wgs84",
        description="datum of the layer's longitude/latitude: wgs84 (GPS, OpenStreetMap, 天地图 CGCS2000), "
        "gcj02 (高德, 腾讯, 谷歌中国) or bd09 (百度); gcj02 and bd09 are converted to WGS-84 on read",
    )
    sheet: str | int | None = Field(
        default=None, description="sheet of an .xlsx workbook: its name or 1-based number; default the first"
    )
    header_row: int | None = Field(
        default=None, ge=1,
        description="1-based row of an .xlsx sheet's (or line of a CSV's) header; default the first row holding "
        "the expected column names (title and unit rows above it are skipped)",
    )

    @classmethod
    def coerce(cls, value: object) -> object:
        """Accept a bare path string as shorthand for ``{path: …}``."""
        if isinstance(value, str | Path):
            return {"path": value}
        return value


def _layer(value: object) -> object:
    return LayerSpec.coerce(value)


class RasterSpec(_Strict):
    """A population raster (GeoTIFF, e.g. WorldPop or GHS-POP: persons per cell) that spreads each township's
    total over its villages or over grid cells (dasymetric mapping)."""

    path: Path = Field(description="GeoTIFF file, relative to the scenario file")
    band: int = Field(default=1, ge=1, description="band holding persons per cell")
    crs: str | None = Field(default=None, description="CRS of the raster when the file carries none")
    mode: Literal["auto", "villages", "grid"] = Field(
        default="auto",
        description="villages: each township's population is shared among its villages (demand layer without "
        "population) by the raster's persons in each village's Voronoi cell within the township; grid: demand "
        "points on a grid_m grid within each township; auto: villages when a demand layer is given, else grid",
    )
    grid_m: float = Field(
        default=1000.0, gt=0, description="side of a grid demand cell, m (mode grid); 1 km keeps a county at "
        "a few thousand demand points",
    )

    @classmethod
    def coerce(cls, value: object) -> object:
        """Accept a bare path string as shorthand for ``{path: …}``."""
        if isinstance(value, str | Path):
            return {"path": value}
        return value


def _raster(value: object) -> object:
    return RasterSpec.coerce(value)


class InputsConfig(_Strict):
    """Input files of a scenario. Either geodata layers (townships, demand, facilities, candidates, roads) or the
    plain "any instance" trio: ``demand`` (CSV: id, population, urban [, township, lon, lat]), ``sites`` (CSV: id,
    level [, lon, lat, beds, existing stock]) and ``travel_times`` (CSV/Parquet: site_id, demand_id, minutes)."""

    townships: LayerSpec | None = None
    demand: LayerSpec | None = None
    facilities: LayerSpec | None = None
    sites: LayerSpec | None = Field(default=None, description="alias of facilities for the plain CSV inputs")
    candidates: LayerSpec | None = None
    roads: LayerSpec | None = None
    travel_times: LayerSpec | None = Field(default=None, description="OD matrix: site_id, demand_id, minutes")
    census: LayerSpec | None = Field(
        default=None, description="township census table (CSV/XLSX): 9-digit code (乡镇代码) or name (乡镇名称), "
        "常住人口 (persons), optional 城镇人口 (persons); joined to the townships or township seats by code, else "
        "by name (镇/乡/街道/民族乡 and full-width characters normalised)",
    )
    township_seats: LayerSpec | None = Field(
        default=None, description="township seats (乡镇驻地) as points, e.g. an XLSX with 乡镇代码, 乡镇名称, 常住人口, "
        "经度, 纬度: without township polygons they stand for the townships, partitioned approximately (Voronoi "
        "cells clipped to inputs.boundary), and the partition is flagged approximate on every map",
    )
    boundary: LayerSpec | None = Field(
        default=None, description="county boundary polygon(s) that clip the approximate township partition",
    )
    population_raster: RasterSpec | None = Field(
        default=None, description="population GeoTIFF (persons per cell) spreading township totals to villages "
        "or grid cells",
    )

    _coerce = field_validator(
        "townships", "demand", "facilities", "sites", "candidates", "roads", "travel_times", "census",
        "township_seats", "boundary", mode="before",
    )(_layer)
    _coerce_raster = field_validator("population_raster", mode="before")(_raster)

    def resolved(self, base: Path) -> InputsConfig:
        """Return a copy whose relative paths are made absolute against ``base`` (the scenario's folder)."""
        upd = {}
        for name in type(self).model_fields:
            spec = getattr(self, name)
            if spec is not None and not spec.path.is_absolute():
                upd[name] = spec.model_copy(update={"path": (base / spec.path)})
        return self.model_copy(update=upd)


# Chinese road class names (公路技术/行政等级 as GIS layers write them) → healthplan's classes.
DEFAULT_CLASS_ALIASES: dict[str, str] = {
    "高速公路": "expressway", "高速": "expressway", "国道": "national", "省道": "provincial", "县道": "county",
    "乡道": "township", "村道": "village", "乡村道路": "village", "专用公路": "village",
}
# OpenStreetMap highway=* → class. OSM China's tagging guideline: motorway = 高速公路, trunk = 国道 (or urban
# expressway), primary = 省道, secondary = 县道, tertiary = 乡道, unclassified = 村道; residential and service roads
# are local streets. Values absent from the table (footway, cycleway, path, steps, construction …) are no road
# for a vehicle and are left out.
DEFAULT_OSM_CLASSES: dict[str, str] = {
    "motorway": "expressway", "motorway_link": "expressway", "trunk": "national", "trunk_link": "national",
    "primary": "provincial", "primary_link": "provincial", "secondary": "county", "secondary_link": "county",
    "tertiary": "township", "tertiary_link": "township", "unclassified": "village", "residential": "village",
    "living_street": "village", "service": "village", "track": "village", "road": "village",
}
# The administrative class of a Chinese road is the letter of its number (ref=G105, S203, X012, Y001, C…).
# Where highway=* says less (a 县道 tagged unclassified), the ref's letter sets the class; motorways keep theirs.
DEFAULT_OSM_REF_CLASSES: dict[str, str] = {
    "G": "national", "S": "provincial", "X": "county", "Y": "township", "C": "village",
}

# Default road speeds (km/h). ASSUMPTION (STANDARDS.md, "road speeds"): replace with the user's own speeds or OD.
DEFAULT_SPEEDS_KPH: dict[str, float] = {
    "expressway": 90.0,
    "national": 60.0,
    "provincial": 50.0,
    "county": 40.0,
    "township": 30.0,
    "village": 20.0,
}


class TravelConfig(_Strict):
    """How travel times (minutes) are obtained: road network, the user's OD matrix, or straight line × detour."""

    method: Literal["auto", "roads", "od", "straight"] = Field(
        default="auto", description="auto: OD matrix if given, else roads if given, else straight line"
    )
    speeds_kph: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_SPEEDS_KPH), description="speed per road class, km/h (ASSUMPTION)"
    )
    speed_column: str | None = Field(default=None, description="road column with a speed in km/h, overrides class")
    class_column: str = Field(default="class", description="road column holding the road class")
    oneway_column: str | None = Field(default="oneway", description="road column, true = one-way along geometry")
    snap_tolerance_m: float = Field(default=1.0, ge=0, description="line ends closer than this share a node, m")
    noding: Literal["vertices", "ends"] = Field(
        default="vertices",
        description="where GIS road lines join: vertices (default) = at their ends and wherever two lines share "
        "a vertex (within snap_tolerance_m), as a layer digitised in a GIS is drawn; ends = only at line ends "
        "(a layer already split at every junction, where a shared interior vertex is an overpass)",
    )
    class_aliases: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_CLASS_ALIASES),
        description="road class names read as another class (Chinese 国道/省道/县道/乡道/村道 → national …)",
    )
    osm_classes: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_OSM_CLASSES),
        description="OpenStreetMap highway=* value → road class; other values are not read as roads",
    )
    osm_ref_classes: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_OSM_REF_CLASSES),
        description="first letter of an OSM ref (G105, S203, X012 …) → road class, overriding highway=* "
        "except for motorways; {} to use highway=* only",
    )
    osm_maxspeed: Literal["cap", "use", "ignore"] = Field(
        default="cap",
        description="OSM maxspeed: cap = travel speed is the class speed, at most the limit (default); use = "
        "the limit is the travel speed; ignore",
    )
    access_speed_kph: float = Field(default=20.0, gt=0, description="speed of the leg from a point to the network")
    detour_factor: float = Field(
        default=1.6, ge=1.0, description="straight-line distance × factor ≈ road distance (B: 中国全科医学 2011)"
    )
    straight_speed_kph: float = Field(
        default=25.0, gt=0, description="speed for straight-line travel times (B: Beijing ambulance speeds)"
    )
    ambulance_speed_factor: float = Field(
        default=1.0, gt=0, description="ambulance speed ÷ ordinary traffic speed (1.0 = same)"
    )
    max_access_m: float = Field(
        default=5000.0, gt=0, description="points farther than this from any road node are off-network, m"
    )
    cutoff_minutes: float | None = Field(
        default=None, gt=0, description="longest travel time kept; default: the largest time standard needed"
    )
    cache: bool = Field(
        default=True, description="read and write the travel-time cache (false: always recompute; --no-cache)"
    )
    cache_dir: Path | None = Field(
        default=None, description="travel-time cache folder; default .healthplan-cache in the current folder"
    )
    cache_max_mb: float = Field(
        default=500.0, gt=0, description="cache size cap, MB (10⁶ bytes); least recently used go first"
    )
