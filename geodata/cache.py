"""On-disk cache of numeric results: .npz files keyed by a sha256 of the inputs and parameters that produced them."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

# Bump when the meaning or layout of cached arrays changes, so old entries are never read as new ones.
CACHE_FORMAT = "healthplan-cache-1"


class Fingerprint:
    """Incremental sha256 over labelled parts (text, numbers, arrays, pandas objects, geometries).

    Every part is fed with its label, a type tag and its length, so two different sequences of parts cannot
    produce the same byte stream. pandas objects are hashed through ``pandas.util.hash_pandas_object`` (fixed
    hash key, stable across processes); geometries through their WKB.
    """

    def __init__(self, *, format_tag: str = CACHE_FORMAT) -> None:
        self._h = hashlib.sha256()
        self.add("format", format_tag)

    def add(self, label: str, value: object) -> Fingerprint:
        """Feed one labelled part; returns ``self`` so calls chain."""
        self._raw(b"L", label.encode())
        if value is None:
            self._raw(b"N", b"")
        elif isinstance(value, bytes):
            self._raw(b"B", value)
        elif isinstance(value, str):
            self._raw(b"S", value.encode())
        elif isinstance(value, bool | int | float | np.number):
            self._raw(b"F", repr(float(value)).encode())
        elif isinstance(value, Mapping):
            for k in sorted(value, key=str):
                self.add(f"{label}.{k}", value[k])
        elif isinstance(value, gpd.GeoSeries):
            self.add_geometry(label, value)
        elif isinstance(value, pd.Index | pd.Series | pd.DataFrame):
            self.add_frame(label, value)
        else:
            arr = np.ascontiguousarray(np.asarray(value))
            if arr.dtype == object:
                self._raw(b"O", "\x1f".join(map(str, arr.ravel().tolist())).encode())
            else:
                self._raw(b"A", f"{arr.dtype.str}{arr.shape}".encode())
                self._raw(b"D", arr.tobytes())
        return self

    def add_frame(self, label: str, obj: pd.Index | pd.Series | pd.DataFrame) -> Fingerprint:
        """Feed a pandas object: index values, column names and values (geometry columns via WKB)."""
        if isinstance(obj, pd.Index):
            self._raw(b"I", _hash_pandas(obj))
            return self
        self._raw(b"I", _hash_pandas(obj.index))
        frame = obj.to_frame() if isinstance(obj, pd.Series) else obj
        for name in frame.columns:
            col = frame[name]
            self._raw(b"C", str(name).encode())
            if isinstance(col, gpd.GeoSeries) or isinstance(col.dtype, gpd.array.GeometryDtype):
                self.add_geometry(f"{label}.{name}", gpd.GeoSeries(col))
            else:
                self._raw(b"V", _hash_pandas(col.reset_index(drop=True)))
        return self

    def add_geometry(self, label: str, geoms: gpd.GeoSeries) -> Fingerprint:
        """Feed geometries (exact coordinates via WKB) and their CRS."""
        wkb = shapely.to_wkb(np.asarray(geoms.values, dtype=object))
        sizes = np.fromiter((0 if b is None else len(b) for b in wkb), dtype=np.int64, count=len(wkb))
        self._raw(b"G", sizes.tobytes())
        self._raw(b"W", b"".join(b for b in wkb if b is not None))
        self._raw(b"R", (geoms.crs.to_string() if geoms.crs is not None else "").encode())
        return self

    def hexdigest(self) -> str:
        """The key: 64 hex characters."""
        return self._h.hexdigest()

    def _raw(self, tag: bytes, data: bytes) -> None:
        self._h.update(tag)
        self._h.update(len(data).to_bytes(8, "little"))
        self._h.update(data)


def _hash_pandas(obj: pd.Index | pd.Series) -> bytes:
    # hash_pandas_object uses a fixed key, so the digest is the same in every process; the dtype is added because
    # equal-looking values of different types (1 vs "1") must not share a key.
    values = pd.util.hash_pandas_object(obj, index=False).to_numpy(dtype=np.uint64)
    return str(obj.dtype).encode() + b"\x00" + values.tobytes()


def cache_path(cache_dir: Path, key: str, *, prefix: str = "") -> Path:
    """Path of the .npz entry for ``key`` in ``cache_dir``."""
    return Path(cache_dir) / f"{prefix}{key}.npz"


def load_arrays(cache_dir: Path | None, key: str, *, prefix: str = "") -> dict[str, np.ndarray] | None:
    """Read a cached entry; ``None`` on a miss (no folder, no file, or an unreadable/truncated file).

    Arrays are loaded without pickle, so a cache folder cannot execute code.
    """
    if cache_dir is None:
        return None
    path = cache_path(cache_dir, key, prefix=prefix)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        # A damaged entry is a miss; the caller recomputes and overwrites it.
        return None


def save_arrays(
    cache_dir: Path, key: str, arrays: Mapping[str, np.ndarray], *, prefix: str = ""
) -> Path:
    """Write an entry atomically: a temporary file in the same folder, then ``os.replace``.

    A reader never sees a half-written file, and two processes writing the same key leave one complete entry.
    """
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = cache_path(folder, key, prefix=prefix)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **{name: np.asarray(a) for name, a in arrays.items()})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
