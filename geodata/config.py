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
    lon: str = Field(default="lon", description="longitude (or x) column of a CSV")
    lat: str = Field(default="lat", description="latitude (or y) column of a CSV")

    @classmethod
    def coerce(cls, value: object) -> object:
        """Accept a bare path string as shorthand for ``{path: …}``."""
        if isinstance(value, str | Path):
            return {"path": value}
        return value


def _layer(value: object) -> object:
    return LayerSpec.coerce(value)


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

    _coerce = field_validator(
        "townships", "demand", "facilities", "sites", "candidates", "roads", "travel_times", mode="before"
    )(_layer)

    def resolved(self, base: Path) -> InputsConfig:
        """Return a copy whose relative paths are made absolute against ``base`` (the scenario's folder)."""
        upd = {}
        for name in type(self).model_fields:
            spec = getattr(self, name)
            if spec is not None and not spec.path.is_absolute():
                upd[name] = spec.model_copy(update={"path": (base / spec.path)})
        return self.model_copy(update=upd)


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
