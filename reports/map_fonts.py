"""A small subset of the bundled CJK font holding the characters a run's maps can show, so that writing each PDF
and the HTML map's embedded font does not read the whole 5 MB font again.

matplotlib subsets the font it embeds in every PDF (fontTools) and loads it for every PNG; from the full
WenQuanYi Micro Hei that costs ≈ 0.5 s per PDF, from a subset of a few hundred glyphs a few milliseconds. The
subset keeps the PostScript name (PDFs still name ``WenQuanYiMicroHei``), gets its own family name, and the rc
settings of :func:`subset_rc` list the full font after it: a character the subset lacks is drawn from the full
font (matplotlib's per-glyph fallback), never as a box.

Subsets live in one temporary folder per process (shared with the processes it forks), removed when the
process exits, one file per character set. Reading the full font is what costs (≈ 0.5 s); subsetting a subset
takes milliseconds. So a run reads it once: a map worker makes the subset of every character the run's maps
and ``map.html`` can show (:func:`expect` tells this process it is coming), and the maps and the HTML map's
WOFF are cut from that file.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

# Characters every map may show besides its names: ASCII, digits and the punctuation of the map texts.
BASE_CHARS = frozenset(map(chr, range(32, 127))) | frozenset("→–—·…≥≤×（）：，、。；“”《》〔〕％")

_LOCK = threading.Lock()
_DIR: Path | None = None
_REGISTERED: dict[str, str] = {}  # key (sha1 of the characters) → family of the subset registered here
_EXPECTED: dict[str, frozenset[str]] = {}  # key → characters of the subsets made in subset_folder() for this run


def subset_folder() -> Path:
    """The folder of this process's font subsets (made on first use, removed when the process ends).

    Processes forked later share it (the map workers write their subsets here too, each file atomically); a
    multiprocessing finalizer removes it also in a worker that made it, since workers end without ``atexit``.
    """
    global _DIR
    if _DIR is None:
        from multiprocessing import util

        _DIR = Path(tempfile.mkdtemp(prefix="healthplan-fonts-"))
        atexit.register(shutil.rmtree, _DIR, True)
        util.Finalize(None, shutil.rmtree, args=(str(_DIR), True), exitpriority=0)
    return _DIR


def chars_of(texts: Iterable[object]) -> frozenset[str]:
    """The printable characters of ``texts`` plus :data:`BASE_CHARS`."""
    out = set(BASE_CHARS)
    for t in texts:
        out.update(c for c in str(t) if not c.isspace())
    return frozenset(out)


@cache
def text_chars() -> frozenset[str]:
    """The characters beyond ASCII (hanzi, CJK and full-width punctuation, ², ≥ …) written anywhere in the
    sources of ``optimizer/`` and ``reports/`` and in the message catalogs: where the fixed texts of tables, maps
    and pages are written (``geodata``'s notes reach the page through the instance, counted apart).

    Read from the files themselves (≈ 100 files, a few milliseconds), so it can never fall behind the texts; an
    install without the sources gives fewer characters, which only makes the HTML map read the full font."""
    root = Path(__file__).resolve().parents[1]
    out: set[str] = set()
    for pattern in ("optimizer/**/*.py", "reports/**/*.py", "reports/locale/*/LC_MESSAGES/*.po"):
        for path in sorted(root.glob(pattern)):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            out.update(c for c in set(text) if c > "\x7f" and not c.isspace())  # set(): ≈ 10 × fewer tests
    return frozenset(out)


def subset_bytes(chars: frozenset[str], *, flavor: str | None = None) -> bytes:
    """The bundled font subset to ``chars`` (TTF, or WOFF with ``flavor='woff'``), timestamps fixed so the same
    characters give the same bytes whatever it is cut from. A subset registered in this process (made here or
    by a sibling) or announced by :func:`expect` whose characters include ``chars`` is subset further (fast;
    waiting for the process making it, or made here); otherwise the full font is read."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from healthplan.reports.fonts import font_path

    source: Any = None
    with _LOCK:
        # a proper superset only: the subset of exactly ``have`` is made from the full font (by _subset_file)
        larger = [have for have in (*_CHARS.values(), *_EXPECTED.values()) if chars < have]
    if larger:
        # its file as made (the full font's names), waited for while another process makes it, else made here
        source = io.BytesIO(_source_path(_subset_file(larger[0])).read_bytes())
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]  # keep the licence entries (name IDs 0, 13, 14: Apache-2.0)
    opts.drop_tables += ["FFTM"]  # FontForge timestamps: not needed, not subsettable
    opts.notdef_outline = True
    if flavor:
        opts.flavor = flavor
    # lazy: only the glyphs kept are decompiled (≈ 40 % faster on the 5 MB font)
    # recalcBBoxes=False: saving would otherwise decompile and recompile every glyph kept to recompute the
    # font-wide box (≈ half the time of cutting map.html's font); the full font's box still bounds the subset
    with TTFont(source if source is not None else str(font_path()), fontNumber=0, lazy=True,
                recalcBBoxes=False) as font:
        sub = subset.Subsetter(opts)
        sub.populate(text="".join(sorted(chars)))
        sub.subset(font)
        if flavor:
            font.flavor = flavor
        font["head"].modified = font["head"].created  # fontTools would write "now"
        font.recalcTimestamp = False
        buf = io.BytesIO()
        font.save(buf)
    return buf.getvalue()


_CHARS: dict[str, frozenset[str]] = {}


def subset_family(chars: frozenset[str]) -> str:
    """Register (once per process and character set) a subset of the bundled font with matplotlib; returns its
    family name.

    The subset is written to :func:`subset_folder` under a name made of its characters; a process forked from
    the same parent that finds it there (a sibling map worker made it) registers that file instead of making
    it again, and while one process makes it the others wait (a lock file): a run subsets the 5 MB font once.
    """
    from matplotlib import font_manager

    key = _key(chars)
    with _LOCK:
        if key in _REGISTERED:
            return _REGISTERED[key]
    path = _subset_file(chars)
    with _LOCK:
        if key not in _REGISTERED:
            font_manager.fontManager.addfont(str(path))
            _REGISTERED[key] = _family(key)
            _CHARS[key] = chars
    return _REGISTERED[key]


def expect(chars: frozenset[str]) -> None:
    """Note that the subset of ``chars`` is being made in :func:`subset_folder` (a map worker was asked to make
    it) for the run now going: :func:`subset_bytes` then cuts any smaller subset from that file instead of
    reading the full font. It replaces an earlier run's."""
    with _LOCK:
        _EXPECTED.clear()
        _EXPECTED[_key(chars)] = chars


def _key(chars: frozenset[str]) -> str:
    return hashlib.sha1("".join(sorted(chars)).encode("utf-8")).hexdigest()[:12]


def _family(key: str) -> str:
    return f"HP Map {key}"


def _subset_file(chars: frozenset[str]) -> Path:
    """The subset of ``chars`` in :func:`subset_folder` (renamed to its family; :func:`_source_path` as made),
    made here unless another process made it or is making it (then waited for: a lock file)."""
    key = _key(chars)
    path = subset_folder() / f"{key}.ttf"
    with _file_lock(path.with_name(f".{key}.lock")):
        if not (path.is_file() and _source_path(path).is_file()):
            data = subset_bytes(chars)
            # also as made (the full font's names): what is cut from it is what the full font would give
            _write_atomic(data, _source_path(path))
            _write_renamed(data, _family(key), path)
    return path


def _source_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.source.ttf")


def _write_renamed(data: bytes, family: str, path: Path) -> None:
    """The subset ``data`` under the family name ``family``, written to ``path`` atomically, for matplotlib: without
    the OpenType layout tables where it does not read them (below 3.11). The HTML map's font is cut from the
    subset as made, tables and all."""
    from fontTools.ttLib import TTFont

    # recalcTimestamp=False: saving would stamp "now" into head.modified, and matplotlib copies this font's
    # head into every PDF it embeds it in (two runs a second apart would write different PDFs)
    with TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False) as font:
        for rec in font["name"].names:
            if rec.nameID in (1, 4, 16):  # family, full name, typographic family; the PostScript name stays
                rec.string = family
        # matplotlib below 3.11 lays text out with FreeType's advances and 'kern' table, never GSUB/GPOS, but
        # subsets the font again for every PDF, closing over every layout lookup: 25 → 12 ms a PDF without them
        # (3.11 shapes text with them: kept there)
        if not _shapes_text():
            for tag in ("GSUB", "GPOS", "GDEF"):
                if tag in font:
                    del font[tag]
        buf = io.BytesIO()
        font.save(buf)
    _write_atomic(buf.getvalue(), path)


@cache
def _shapes_text() -> bool:
    """Whether the installed matplotlib shapes text with the font's OpenType layout tables (3.11 and later, through
    libraqm). Read from its metadata: the run's own process does not import matplotlib."""
    from importlib.metadata import version

    major, minor = (int(part) for part in version("matplotlib").split(".")[:2])
    return (major, minor) >= (3, 11)


def _write_atomic(data: bytes, path: Path) -> None:
    # atomically: a process forked from this one may be reading the same subset (same characters, same name)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` between processes (``flock``; no lock where there is none: Windows)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def subset_rc(chars: frozenset[str]) -> dict[str, Any]:
    """``reports.fonts.rc_params()`` with the subset for ``chars`` first and the full bundled font as fallback."""
    from healthplan.reports.fonts import rc_params

    rc = rc_params()
    rc["font.family"] = [subset_family(chars), *rc["font.family"]]
    return rc
