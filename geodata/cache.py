"""On-disk cache of numeric results: verified .npz entries keyed by a sha256 of the inputs and settings.

An entry is never trusted blindly. Each one carries a manifest (format version, key, caller's metadata,
every array's dtype and shape, and a sha256 over the arrays' bytes); :func:`load_entry` checks all of it and
returns a reason instead of the arrays when anything is off, so the caller recomputes and overwrites. The
folder is capped in size: :func:`evict` removes the least recently used entries after a write.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
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



# Layout of an entry file (manifest + arrays). Bump when it changes: entries of another version are rejected.
ENTRY_FORMAT = "healthplan-cache-entry"
ENTRY_VERSION = 2
MANIFEST = "__manifest__"
# File names the cache owns: "<prefix><64 hex>.npz" entries, ".<prefix><64 hex>.<random>.tmp" partial writes.
# `clear` and eviction touch nothing else, so a cache_dir pointed at a folder of the user's keeps their files.
ENTRY_NAME = re.compile(r"^[a-z][a-z0-9]*-[0-9a-f]{64}\.npz$")
TEMP_NAME = re.compile(r"^\.[a-z][a-z0-9]*-[0-9a-f]{64}\.[^/]*\.tmp$")
# A writer needs seconds; a temporary file this old was left by a killed process.
STALE_TEMP_S = 3600.0
BYTES_PER_MB = 1_000_000

_DISABLED: ContextVar[bool] = ContextVar("healthplan_cache_disabled", default=False)


@contextlib.contextmanager
def caching_disabled(disabled: bool = True) -> Iterator[None]:
    """Within the block no cache is read or written (``--no-cache`` of commands without scenario keys)."""
    token = _DISABLED.set(disabled or _DISABLED.get())
    try:
        yield
    finally:
        _DISABLED.reset(token)


def caching_enabled() -> bool:
    """False inside :func:`caching_disabled`."""
    return not _DISABLED.get()


@dataclass(frozen=True)
class ArraySpec:
    """What the caller expects of one cached array: a numpy dtype string (``np.dtype(...).str``) or ``"str"``
    for text of any length, and the number of dimensions."""

    dtype: str
    ndim: int


@dataclass(frozen=True)
class CacheLookup:
    """Result of :func:`load_entry`: ``arrays`` on a verified hit; ``rejected`` says why an entry that exists
    was not used (``None`` on a hit or when there is no entry)."""

    path: Path | None
    arrays: dict[str, np.ndarray] | None = None
    meta: dict[str, object] = field(default_factory=dict)
    rejected: str | None = None

    @property
    def hit(self) -> bool:
        """A verified entry was found."""
        return self.arrays is not None


@dataclass(frozen=True)
class EntryInfo:
    """One file of the cache folder: its path, size (bytes) and last use (seconds since the epoch)."""

    path: Path
    size: int
    last_used: float


def cache_path(cache_dir: Path, key: str, *, prefix: str = "") -> Path:
    """Path of the .npz entry for ``key`` in ``cache_dir``."""
    return Path(cache_dir) / f"{prefix}{key}.npz"


def content_checksum(arrays: Mapping[str, np.ndarray], meta: Mapping[str, object]) -> str:
    """sha256 over the metadata (canonical JSON) and every array's name, dtype, shape and bytes, by name."""
    h = hashlib.sha256()

    def feed(tag: bytes, data: bytes | memoryview) -> None:
        h.update(tag)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)

    feed(b"M", json.dumps(meta, sort_keys=True, ensure_ascii=False).encode())
    for name in sorted(arrays):
        arr = np.asarray(arrays[name])
        feed(b"N", name.encode())
        feed(b"A", f"{arr.dtype.str}{arr.shape}".encode())
        # A byte view (no copy for contiguous arrays): the checksum of a large entry costs no extra memory.
        feed(b"D", memoryview(np.ascontiguousarray(arr).reshape(-1).view(np.uint8)))
    return h.hexdigest()


def save_entry(
    cache_dir: Path,
    key: str,
    arrays: Mapping[str, np.ndarray],
    *,
    prefix: str = "",
    meta: Mapping[str, object] | None = None,
) -> Path:
    """Write an entry with its manifest atomically: a temporary file in the same folder, then ``os.replace``.

    A reader never sees a half-written file, and two processes writing the same key leave one complete entry.
    ``meta`` (JSON values) is stored in the manifest and covered by the checksum; :func:`load_entry` returns
    it.
    """
    if MANIFEST in arrays:
        raise ValueError(f"{MANIFEST!r} is reserved for the entry's manifest")
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = cache_path(folder, key, prefix=prefix)
    data = {name: np.asarray(a) for name, a in arrays.items()}
    meta = dict(meta or {})
    manifest = {
        "format": ENTRY_FORMAT,
        "version": ENTRY_VERSION,
        "key": key,
        "meta": meta,
        "arrays": {name: {"dtype": a.dtype.str, "shape": list(a.shape)} for name, a in data.items()},
        "sha256": content_checksum(data, meta),
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **{MANIFEST: np.array(json.dumps(manifest, ensure_ascii=False))}, **data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_entry(
    cache_dir: Path | None, key: str, *, prefix: str = "", schema: Mapping[str, ArraySpec] | None = None
) -> CacheLookup:
    """Read and verify the entry for ``key``; never raises on a bad file.

    Verified: the file is a readable .npz archive (without pickle, so a cache folder cannot execute code)
    holding a manifest of this format version and this key; the arrays are exactly those the manifest
    lists, with its dtypes and shapes; the sha256 over metadata and arrays matches; and the arrays have the
    dtypes and dimensions of ``schema`` (the caller's expectation, which a forged manifest cannot change). A
    hit touches the file, which marks it as recently used for :func:`evict`.

    Returns
    -------
    CacheLookup
        ``arrays`` and ``meta`` on a hit; ``rejected`` (a short reason) when an entry exists but fails a
        check; neither when there is no entry.
    """
    if cache_dir is None:
        return CacheLookup(None)
    path = cache_path(cache_dir, key, prefix=prefix)
    try:
        manifest, arrays = _read(path)
    except FileNotFoundError:
        return CacheLookup(path)
    except _Rejected as exc:
        return CacheLookup(path, rejected=str(exc))
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises is a rejection, never a crash
        return CacheLookup(path, rejected=f"the file cannot be read ({_short(exc)})")
    reason = verify_entry(manifest, arrays, key=key, schema=schema)
    if reason is not None:
        return CacheLookup(path, rejected=reason)
    with contextlib.suppress(OSError):  # a read-only cache still answers; it just cannot record the use
        os.utime(path)
    return CacheLookup(path, arrays, dict(manifest["meta"]))


def verify_entry(
    manifest: object,
    arrays: Mapping[str, np.ndarray],
    *,
    key: str | None,
    schema: Mapping[str, ArraySpec] | None = None,
) -> str | None:
    """Why an entry (its parsed manifest and its arrays) must not be used, or ``None`` when it checks out."""
    if not isinstance(manifest, dict) or manifest.get("format") != ENTRY_FORMAT:
        return "it has no verification data (written by an older healthplan, or not a healthplan cache entry)"
    version = manifest.get("version")
    if version != ENTRY_VERSION:
        return f"it is in cache format version {version!r}; this healthplan reads version {ENTRY_VERSION}"
    recorded = manifest.get("arrays")
    if not isinstance(recorded, dict) or not isinstance(manifest.get("meta"), dict):
        return "its manifest is incomplete (no list of arrays or no metadata)"
    if key is not None and manifest.get("key") != key:
        return (f"it was made for other inputs or settings (fingerprint {str(manifest.get('key'))[:12]}…, "
                f"expected {key[:12]}…)")
    missing, unlisted = sorted(set(recorded) - set(arrays)), sorted(set(arrays) - set(recorded))
    if missing:
        return f"array {missing[0]!r} listed in its manifest is missing"
    if unlisted:
        return f"array {unlisted[0]!r} is not listed in its manifest"
    for name in sorted(arrays):
        arr, rec = arrays[name], recorded[name]
        found = (arr.dtype.str, list(arr.shape))
        if not isinstance(rec, dict) or (rec.get("dtype"), rec.get("shape")) != found:
            return (f"array {name!r} is {arr.dtype.str} of shape {list(arr.shape)} but its manifest records "
                    f"{rec!r}")
    for name, spec in (schema or {}).items():
        if name not in arrays:
            return f"array {name!r} is missing"
        arr = arrays[name]
        dtype_ok = arr.dtype.kind == "U" if spec.dtype == "str" else arr.dtype.str == spec.dtype
        if not dtype_ok or arr.ndim != spec.ndim:
            return (f"array {name!r} is {arr.dtype.str} with {arr.ndim} dimension(s), expected {spec.dtype} "
                    f"with {spec.ndim}")
    if manifest.get("sha256") != content_checksum(arrays, manifest["meta"]):
        return "its contents do not match their sha256 checksum (the file was damaged or edited)"
    return None


def list_entries(cache_dir: Path) -> list[EntryInfo]:
    """The cache's entry files (only names the cache owns), least recently used first."""
    out = []
    for path in _owned(cache_dir, ENTRY_NAME):
        with contextlib.suppress(OSError):  # removed meanwhile by another process
            st = path.stat()
            out.append(EntryInfo(path, st.st_size, max(st.st_atime, st.st_mtime)))
    return sorted(out, key=lambda e: (e.last_used, e.path.name))


def list_temporary(cache_dir: Path) -> list[Path]:
    """Partial writes (``.<entry>.<random>.tmp``) in the cache folder, e.g. left by a killed run."""
    return list(_owned(cache_dir, TEMP_NAME))


def evict(cache_dir: Path, max_bytes: int, *, keep: Path | None = None) -> list[Path]:
    """Remove least recently used entries until the folder's entries total at most ``max_bytes``.

    ``keep`` (the entry just written) is never removed, even when it alone exceeds the cap. Temporary files
    older than an hour (left by killed writers) are removed too. Files that vanish or cannot be removed
    meanwhile are skipped. Returns the entries removed.
    """
    now = time.time()
    for tmp in list_temporary(cache_dir):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > STALE_TEMP_S:
                tmp.unlink()
    entries = list_entries(cache_dir)
    total = sum(e.size for e in entries)
    keep_name = None if keep is None else Path(keep).name
    removed = []
    for entry in entries:
        if total <= max_bytes:
            break
        if entry.path.name == keep_name:
            continue
        try:
            entry.path.unlink()
        except FileNotFoundError:
            pass  # another process evicted it: it no longer counts either
        except OSError:
            continue
        total -= entry.size
        removed.append(entry.path)
    return removed


def clear(cache_dir: Path) -> tuple[int, int]:
    """Remove every entry and temporary file the cache owns in ``cache_dir``; returns (files, bytes)."""
    n = size = 0
    for path in [e.path for e in list_entries(cache_dir)] + list_temporary(cache_dir):
        try:
            b = path.stat().st_size
            path.unlink()
        except OSError:
            continue
        n, size = n + 1, size + b
    return n, size


def check_file(path: Path, *, schema: Mapping[str, ArraySpec] | None = None) -> str | None:
    """Why the entry file at ``path`` would be rejected (format, manifest, checksum; key from its name).

    ``None`` when it checks out. The checks that need the current inputs (indices, ids, minutes) are the
    caller's; this is for ``healthplan cache info --verify``.
    """
    match = re.search(r"([0-9a-f]{64})\.npz$", Path(path).name)
    try:
        manifest, arrays = _read(Path(path))
    except _Rejected as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a damaged file is reported, never raised
        return f"the file cannot be read ({_short(exc)})"
    return verify_entry(manifest, arrays, key=match.group(1) if match else None, schema=schema)


class _Rejected(Exception):
    """An entry file that is readable but not a cache entry (the message is the reason)."""


def _read(path: Path) -> tuple[object, dict[str, np.ndarray]]:
    """The parsed manifest and every array of an entry file (raises on an unreadable file)."""
    if path.is_dir():
        raise _Rejected("it is a folder, not a file")
    obj = np.load(path, allow_pickle=False)
    if not isinstance(obj, np.lib.npyio.NpzFile):
        raise _Rejected("it is not an .npz archive")
    with obj as npz:
        names = list(npz.files)
        if MANIFEST not in names:
            return None, {}
        try:
            manifest = json.loads(str(npz[MANIFEST][()]))
        except (ValueError, TypeError, IndexError) as exc:
            raise _Rejected(f"its manifest is unreadable ({_short(exc)})") from None
        # Each member is read in full here, so a truncated or bit-flipped archive fails now (zip CRC-32).
        arrays = {name: npz[name] for name in names if name != MANIFEST}
    return manifest, arrays


def _owned(cache_dir: Path, pattern: re.Pattern[str]) -> Iterator[Path]:
    folder = Path(cache_dir)
    if not folder.is_dir():
        return
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in sorted(names):
        if pattern.match(name) and (folder / name).is_file():
            yield folder / name


def _short(exc: BaseException, limit: int = 120) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
