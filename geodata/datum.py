"""Chinese map datums: GCJ-02 (高德、腾讯、谷歌中国) and BD-09 (百度) longitude/latitude to WGS-84.

Coordinates copied from a Chinese map service are not WGS-84: GCJ-02 is WGS-84 moved by a published
obfuscation formula (GB 20263-2006 does not publish it, but the formula has been public since 2008 and every
map SDK's conversion is the same), a shift of 100-700 m inside China; BD-09 is GCJ-02 moved again by Baidu's
own formula. Taken as WGS-84 they put a township seat several hundred metres off, on the wrong side of a river
or road.

The forward formulas (WGS-84 → GCJ-02 → BD-09) are closed forms; the inverses are not, so
:func:`gcj02_to_wgs84` iterates the forward formula (a fixed-point iteration on the shift, which changes by
less than 1e-5 of itself over the few hundred metres involved) until the step is below 1e-9 degrees (≈ 0.1 mm).
Everything is vectorised over numpy arrays. Outside mainland China's bounding box the datums are WGS-84 (the
services apply no shift there), as in every implementation.

Tested against published pairs of other implementations and by round trip (< 1 m; in practice < 1 mm):
``tests/test_datum.py``.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

Datum = Literal["wgs84", "gcj02", "bd09"]
DATUM_LABELS: dict[str, tuple[str, str]] = {
    "wgs84": ("WGS-84", "WGS-84"),
    "gcj02": ("GCJ-02（高德/腾讯坐标）", "GCJ-02 (Amap/Tencent)"),
    "bd09": ("BD-09（百度坐标）", "BD-09 (Baidu)"),
}

# Krasovsky 1940 ellipsoid, as the GCJ-02 formula uses it.
_A = 6378245.0
_EE = 0.00669342162296594323
# BD-09's constant: π × 3000 / 180.
_X_PI = np.pi * 3000.0 / 180.0
# Bounding box inside which the services shift coordinates (the usual "out of China" test).
CHINA_LON = (73.66, 135.05)
CHINA_LAT = (3.86, 53.55)
_INVERSE_TOL_DEG = 1e-9
_INVERSE_MAX_ITER = 30


def in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Mask of points inside the box where GCJ-02 and BD-09 differ from WGS-84 (degrees)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon >= CHINA_LON[0]) & (lon <= CHINA_LON[1]) & (lat >= CHINA_LAT[0]) & (lat <= CHINA_LAT[1])


def _shift(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84 at a WGS-84 point, degrees (dlon, dlat)."""
    x, y = lon - 105.0, lat - 35.0
    sq = np.sqrt(np.abs(x))
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sq
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sq
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 → GCJ-02, degrees (closed form)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _shift(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS-84, degrees: iterate w ← g − shift(w) from w = g until the step is below 1e-9°."""
    g_lon, g_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(_INVERSE_MAX_ITER):
        dlon, dlat = _shift(w_lon, w_lat)
        n_lon, n_lat = g_lon - dlon, g_lat - dlat
        step = np.nanmax(np.abs(np.r_[np.ravel(n_lon - w_lon), np.ravel(n_lat - w_lat)]), initial=0.0)
        w_lon, w_lat = n_lon, n_lat
        if step < _INVERSE_TOL_DEG:
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → BD-09, degrees (Baidu's closed form)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → GCJ-02, degrees (the inverse Baidu publishes; exact to ~1e-7°, iterated to 1e-9°)."""
    b_lon, b_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = b_lon - 0.0065, b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    g_lon, g_lat = z * np.cos(theta), z * np.sin(theta)
    # The published inverse is an approximation (~1 cm); a few Newton-free corrections make it exact.
    for _ in range(_INVERSE_MAX_ITER):
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        e_lon, e_lat = b_lon - f_lon, b_lat - f_lat
        g_lon, g_lat = g_lon + e_lon, g_lat + e_lat
        if np.nanmax(np.abs(np.r_[np.ravel(e_lon), np.ravel(e_lat)]), initial=0.0) < _INVERSE_TOL_DEG:
            break
    return g_lon, g_lat


def bd09_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → WGS-84, degrees."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 → BD-09, degrees."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
_FROM_WGS84 = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


def to_wgs84(lon: np.ndarray, lat: np.ndarray, datum: Datum) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude in ``datum`` → WGS-84 (identity for ``wgs84``), degrees."""
    if datum == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return _TO_WGS84[datum](lon, lat)


def from_wgs84(lon: np.ndarray, lat: np.ndarray, datum: Datum) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 → ``datum`` (the example generator writes GCJ-02 seats with it), degrees."""
    if datum == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return _FROM_WGS84[datum](lon, lat)


def frame_to_wgs84(frame: gpd.GeoDataFrame, datum: Datum) -> gpd.GeoDataFrame:
    """Every vertex of ``frame`` (lon/lat degrees in ``datum``) moved to WGS-84; attrs kept.

    The caller checks that the frame's CRS is geographic: a datum shift of projected metres means nothing.
    Missing and empty geometries stay as they are.
    """
    if datum == "wgs84":
        return frame

    def move(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], datum)
        return np.column_stack([lon, lat])

    out = frame.copy()
    out.attrs = dict(frame.attrs)
    out[out.geometry.name] = gpd.GeoSeries(shapely.transform(np.asarray(frame.geometry.values), move),
                                           index=frame.index, crs=frame.crs)
    return out


def shift_metres(lon: np.ndarray, lat: np.ndarray, datum: Datum) -> np.ndarray:
    """How far (metres, spherical approximation) converting ``datum`` to WGS-84 moves each point."""
    w_lon, w_lat = to_wgs84(lon, lat, datum)
    k = np.pi / 180.0 * 6_371_008.8
    dx = (np.asarray(lon, dtype=float) - w_lon) * k * np.cos(np.asarray(lat, dtype=float) * np.pi / 180.0)
    dy = (np.asarray(lat, dtype=float) - w_lat) * k
    return np.hypot(dx, dy)
