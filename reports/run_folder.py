"""The run-folder rules: which folder healthplan may replace, and how, without ever leaving a mixture.

Every folder healthplan writes (a run, a sweep, a comparison; also a re-render by ``healthplan report``) is
assembled in a temporary sibling ``.healthplan-new-<pid>-<host>-<name>`` and gets a marker file
``.healthplan-folder.json`` (tool, format version, kind, every file and folder written). The marker is written
last, so a folder whose marker is valid and whose listed files are all present is complete.

Rules (one place, used by ``scenarios`` for run/baseline/min-budget/sweep/compare and by ``reports.writer``
for re-rendering):

- An existing ``--out`` is replaced only with ``--force``, and only when it is empty or healthplan wrote it
  (the marker, or a folder of an earlier version recognised by its file names) and holds nothing else. A
  folder holding any file healthplan did not write is refused whatever the flags.
- Never a folder that is, or contains, a protected path (the scenario file and what it extends, every input,
  the travel-time cache, the runs being compared), the current directory, the home folder, a filesystem root
  or a mount point.
- Output problems (``--out`` or a parent is a file, not writable, the temporary sibling's name too long for
  the file system) are found before any work.
- The complete new folder replaces the old one in one step with ``renameat2(RENAME_EXCHANGE)`` on Linux;
  without it, the old folder is renamed aside and the new one renamed in. A run killed at any point leaves
  the complete old or the complete new folder at ``--out`` (or, on the fallback path killed between its two
  renames, both aside); :func:`tidy_parent`, called by the next write into the same parent folder, removes
  unfinished temporaries, restores a missing ``--out`` from the newest complete one and keeps a finished run
  that never got moved in under a visible name, each with a one-line note. A temporary folder whose owner
  process is alive is never touched.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from healthplan.geodata.errors import HealthplanError

MARKER = ".healthplan-folder.json"
MARKER_FORMAT = 1
KINDS = ("run", "sweep", "compare")
TMP_PREFIX = ".healthplan-"
PAUSE_ENV = "HEALTHPLAN_TEST_PAUSE_AT"  # tests: stop at a named point so a real SIGKILL can hit it
PAUSE_SECONDS_ENV = "HEALTHPLAN_TEST_PAUSE_S"
NO_EXCHANGE_ENV = "HEALTHPLAN_NO_RENAME_EXCHANGE"  # force the portable rename path (tests, odd file systems)

# Folders written before the marker existed, recognised by a file only they have and the names they may hold.
_LEGACY: dict[str, tuple[str, frozenset[str]]] = {
    "run": (
        "state/run.json",
        frozenset(
            {
                "summary.json",
                "summary.md",
                "projects.csv",
                "programme.csv",
                "funding.csv",
                "new_items.csv",
                "facilities_after.csv",
                "demand_coverage.csv",
                "township_coverage.csv",
                "standards.csv",
                "spend.csv",
                "placements.gpkg",
                "appendix.xlsx",
                "appendix.docx",
                "maps",
                "map.html",
                "state",
            }
        ),
    ),
    "sweep": (
        "sweep.csv",
        frozenset({"sweep.csv", "sweep_timings.csv", "sweep.md", "frontier.png", "points"}),
    ),
    "compare": (
        "compare.md",
        frozenset(
            {
                "compare.md",
                "compare_overview.csv",
                "compare_coverage.csv",
                "compare_standards.csv",
                "compare_spend.csv",
                "compare_projects.csv",
                "compare_map.png",
            }
        ),
    ),
}
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]  # noqa: S324 - a tag
_TMP_RE = re.compile(r"^\.healthplan-(new|old)-(\d+)-([0-9a-f]{6})-(.+)$")
_PID_WIDTH = 7  # Linux pid_max is at most 4,194,304: seven digits, used for the name-length check
_MAX_COUNT = 10_000  # stop counting a foreign folder's files here ("more than 10,000")
_ACTIVE: set[str] = set()  # temporaries this process is writing right now (threads of a sweep share the pid)
_ACTIVE_LOCK = threading.Lock()

Note = Callable[[str], None]


class OutputFolderError(HealthplanError):
    """The output folder cannot be written or must not be replaced (exit code 2, before any work)."""


class OutputExistsError(OutputFolderError):
    """The output folder exists and --force was not given."""


# ---------------------------------------------------------------------------------------------- the marker


def write_marker(folder: Path, kind: str) -> Path:
    """Write ``folder/.healthplan-folder.json`` listing every file and folder in ``folder`` (call it last)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    folder = Path(folder)
    files, dirs = _listing(folder)
    now_ns = time.time_ns()
    data = {
        "tool": "healthplan",
        "format": MARKER_FORMAT,
        "kind": kind,
        "healthplan_version": _version(),
        "created": datetime.fromtimestamp(now_ns / 1e9, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "created_ns": now_ns,
        "files": files,
        "dirs": dirs,
    }
    path = folder / MARKER
    tmp = folder / f"{MARKER}.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)  # a marker is whole or absent: a half-written one would not parse anyway
    return path


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of ``folder`` when it is present and well-formed, else ``None``."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(data, dict)
        and data.get("tool") == "healthplan"
        and isinstance(data.get("format"), int)
        and data["format"] >= 1
        and data.get("kind") in KINDS
        and isinstance(data.get("created_ns"), int)
        and isinstance(data.get("files"), list)
        and all(isinstance(f, str) for f in data["files"])
        and isinstance(data.get("dirs", []), list)
    )
    return data if ok else None


def _listing(folder: Path) -> tuple[list[str], list[str]]:
    """Relative POSIX paths of the files and folders under ``folder`` (the marker itself left out)."""
    files: list[str] = []
    dirs: list[str] = []
    for root, dnames, fnames in os.walk(folder):
        rel = Path(root).relative_to(folder)
        dirs += [(rel / d).as_posix() for d in dnames]
        files += [(rel / f).as_posix() for f in fnames if not (rel == Path() and f.startswith(MARKER))]
    return sorted(files), sorted(dirs)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("healthplan")
    except Exception:  # noqa: BLE001 - a source checkout without metadata: the format version is what counts
        return "unknown"


# ---------------------------------------------------------------------------------------------- inspecting


@dataclass
class FolderInfo:
    """What an existing folder holds, as far as replacing it is concerned."""

    kind: str | None  # run / sweep / compare when healthplan wrote it, else None
    foreign: list[str] = field(default_factory=list)  # a sample of what healthplan did not write
    n_foreign: int = 0  # files healthplan did not write (folders count by their files, at least 1)
    more: bool = False  # counting stopped at _MAX_COUNT
    empty: bool = False
    complete: bool = False  # a marker whose files are all present
    created_ns: int | None = None
    legacy: bool = False

    @property
    def replaceable(self) -> bool:
        """Empty, or written by healthplan and holding nothing else."""
        return self.n_foreign == 0 and (self.empty or self.kind is not None)


def inspect_folder(folder: Path) -> FolderInfo:
    """Who wrote ``folder`` (an existing directory) and which of its files healthplan did not write."""
    folder = Path(folder)
    with os.scandir(folder) as it:
        top = sorted(e.name for e in it)
    if not top:
        return FolderInfo(kind=None, empty=True)
    marker = read_marker(folder)
    if marker is not None:
        files = set(marker["files"])
        dirs = {str(d) for d in marker.get("dirs", [])}
        for f in files:  # the folders on the way to a listed file are healthplan's too
            dirs.update(p.as_posix() for p in Path(f).parents if p != Path())
        info = FolderInfo(kind=marker["kind"], created_ns=marker["created_ns"])
        _foreign_walk(folder, "", files | {MARKER}, dirs, info)
        info.complete = all(os.path.lexists(folder / f) for f in files) and all(
            (folder / d).is_dir() for d in dirs
        )
        return info
    kind = _legacy_kind(folder)
    info = FolderInfo(kind=kind, legacy=kind is not None)
    allowed = _LEGACY[kind][1] if kind else frozenset()
    for name in top:
        if name not in allowed:
            _add_foreign(folder / name, name, info)
    return info


def _legacy_kind(folder: Path) -> str | None:
    for kind, (witness, _names) in _LEGACY.items():
        path = folder / witness
        if not path.is_file():
            continue
        if kind == "run":  # the saved state of reports.state: a JSON object with its version
            try:
                meta = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not (isinstance(meta, dict) and "version" in meta and "plan" in meta):
                continue
        return kind
    return None


def _foreign_walk(folder: Path, prefix: str, files: set[str], dirs: set[str], info: FolderInfo) -> None:
    try:
        entries = sorted(os.scandir(folder / prefix if prefix else folder), key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        rel = f"{prefix}{e.name}"
        if e.is_dir(follow_symlinks=False) and rel in dirs:
            _foreign_walk(folder, rel + "/", files, dirs, info)
        elif not e.is_dir(follow_symlinks=False) and rel in files:
            continue
        else:
            _add_foreign(Path(e.path), rel, info)
        if info.more:
            return


def _add_foreign(path: Path, rel: str, info: FolderInfo) -> None:
    """Count ``path`` (a file, or a folder by its files) as not written by healthplan."""
    is_dir = path.is_dir() and not path.is_symlink()
    if len(info.foreign) < 5:
        info.foreign.append(rel + ("/" if is_dir else ""))
    if not is_dir:
        info.n_foreign += 1
    else:
        n = 0
        for _root, _d, fnames in os.walk(path):
            n += len(fnames)
            if info.n_foreign + n >= _MAX_COUNT:
                break
        info.n_foreign += max(n, 1)  # an empty folder of the user's is still theirs
    if info.n_foreign >= _MAX_COUNT:
        info.more = True


def foreign_message(out: Path, info: FolderInfo, *, what: str = "--out") -> str:
    """'output folder X holds 5 files that healthplan did not write, e.g. … — fix: …'."""
    n = f"more than {_MAX_COUNT:,}" if info.more else f"{info.n_foreign:,}"
    noun = "file" if info.n_foreign == 1 and not info.more else "files"
    added = (
        (
            f" (it is a healthplan {info.kind} folder, but these were added to it or are left from an "
            "interrupted older version)"
        )
        if info.kind
        else ""
    )
    fix = (
        "choose another --out (a new or empty folder), or move those files elsewhere first"
        if what == "--out"
        else "move those files out of the folder, then run the command again"
    )
    return (
        f"{what} {out} holds {n} {noun} that healthplan did not write, e.g. {', '.join(info.foreign)}{added}"
        f" — healthplan never replaces such a folder, with or without --force — fix: {fix}"
    )


# ---------------------------------------------------------------------------------------------- checks


def check_out(
    out: Path,
    *,
    force: bool,
    protected: Iterable[tuple[str, Path]] = (),
    what: str = "--out",
    existing: bool = True,
) -> Path:
    """Every output-folder rule that can be checked before any work; returns ``out`` made absolute.

    Parameters
    ----------
    out
        The folder to write (need not exist).
    force
        ``--force`` was given: an empty folder or one healthplan wrote may be replaced.
    protected
        ``(label, path)`` pairs ``out`` must neither be nor contain (scenario file, inputs, cache, compared
        runs).
    what
        How the folder is named in messages (``--out``, ``run folder``).
    existing
        Apply the rules for an existing folder (``False``: the caller checks them itself, e.g. re-rendering).

    Raises
    ------
    OutputFolderError
        With the path and the fix: a file, a symbolic link, a forbidden folder, a parent that is a file, a
        folder that is not writable, a name too long for the file system, or an existing folder that may not
        be replaced (:class:`OutputExistsError` when only ``--force`` is missing).
    """
    path = Path(os.path.abspath(os.fspath(out)))
    try:
        st: os.stat_result | None = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise OutputFolderError(
            f"{what} {path} is a symbolic link — fix: pass the folder it points to "
            f"({os.path.realpath(path)}) or a new folder"
        )
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputFolderError(
            f"{what} {path} is a file, not a folder — fix: choose a folder for the results, "
            f"e.g. {path.parent / 'runs' / path.stem}"
        )
    _check_forbidden(path, protected, what)
    ancestor = _existing_ancestor(path.parent, what)
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputFolderError(
            f"{what} {path}: cannot write into {ancestor} (permission denied or read-only) "
            "— fix: choose a folder you can write to, or change its permissions"
        )
    _check_name_length(path, ancestor, what)
    if existing and st is not None:
        check_existing(path, force=force, what=what)
    return path


def check_existing(path: Path, *, force: bool, what: str = "--out") -> FolderInfo:
    """Refuse an existing folder that may not be replaced; returns what it holds."""
    try:
        info = inspect_folder(path)
    except OSError as exc:
        raise OutputFolderError(
            f"{what} {path} cannot be read ({exc.strerror}) — fix: choose another --out"
        ) from None
    if not info.replaceable:
        raise OutputFolderError(foreign_message(path, info, what=what))
    if not force:
        what_it_is = "an empty folder" if info.empty else f"a healthplan {info.kind} folder"
        raise OutputExistsError(
            f"output folder {path} already exists ({what_it_is}) — fix: pass --force to "
            "replace it, or choose another --out"
        )
    return info


def _check_forbidden(path: Path, protected: Iterable[tuple[str, Path]], what: str) -> None:
    real = Path(os.path.realpath(path))
    cands = {path, real}
    cwd = Path.cwd()
    inside = path if not any(c == cwd or c in cwd.parents for c in cands) else cwd  # a new folder goes here
    fix = f"— fix: choose a new folder for the results, e.g. {inside / 'runs' / 'plan'}"
    if real == Path(real.anchor) or os.path.ismount(real):
        raise OutputFolderError(
            f"{what} {path} is a filesystem root or mount point; healthplan never writes "
            f"over one, whatever the flags {fix}"
        )
    named: list[tuple[str, Path]] = [("the current folder", cwd)]
    try:
        named.append(("your home folder", Path.home()))
    except (RuntimeError, KeyError):  # no home (a service account): nothing to protect
        pass
    for label, p in [*named, *protected]:
        for q in {Path(os.path.abspath(p)), Path(os.path.realpath(p))}:
            if q in cands or any(c in q.parents for c in cands):
                verb = "is" if q in cands else "contains"
                raise OutputFolderError(
                    f"{what} {path} {verb} {label} ({q}); healthplan never replaces such a "
                    f"folder, whatever the flags {fix}"
                )


def _existing_ancestor(start: Path, what: str) -> Path:
    """The nearest existing folder at or above ``start`` (where the output folder will be made)."""
    p = start
    while True:
        try:
            st = os.stat(p)
            break
        except (FileNotFoundError, NotADirectoryError):
            if p.parent == p:
                raise OutputFolderError(
                    f"{what} {start}: no existing folder above it — fix: check the path"
                ) from None
            p = p.parent
    if not stat.S_ISDIR(st.st_mode):
        raise OutputFolderError(
            f"{what} {start}: {p} is a file, so no folder can be made under it — fix: choose "
            "another --out, or move that file"
        )
    return p


def _check_name_length(path: Path, ancestor: Path, what: str) -> None:
    try:
        limit = os.pathconf(ancestor, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows) or no answer: the common limit
        limit = 255
    tmp = temp_name(path.name, "new", pid=10**_PID_WIDTH - 1)
    n = len(os.fsencode(tmp))
    if n > limit:
        room = limit - (n - len(os.fsencode(path.name)))
        raise OutputFolderError(
            f"{what} {path}: the name is too long — with the temporary folder's prefix "
            f"'{TMP_PREFIX}new-<pid>-<host>-' it needs {n} bytes, the file system allows {limit} — fix: "
            f"choose a name of at most {room} bytes"
        )


# ---------------------------------------------------------------------------------------------- writing


def temp_name(out_name: str, phase: str, pid: int | None = None) -> str:
    """Name of the temporary sibling of ``out_name``: ``.healthplan-<phase>-<pid>-<host>-<out_name>``."""
    return f"{TMP_PREFIX}{phase}-{os.getpid() if pid is None else pid}-{_HOST}-{out_name}"


def prepare_out(
    out: Path,
    *,
    force: bool,
    protected: Iterable[tuple[str, Path]] = (),
    what: str = "--out",
    note: Note | None = None,
) -> Path:
    """Tidy what killed runs left in ``out``'s parent, then :func:`check_out` (call before any work)."""
    path = Path(os.path.abspath(os.fspath(out)))
    if path.parent.is_dir():
        tidy_parent(path.parent, note=note)
    return check_out(path, force=force, protected=protected, what=what)


def write_folder(
    out: Path,
    build: Callable[[Path], Sequence[Path]],
    *,
    kind: str,
    force: bool,
    protected: Iterable[tuple[str, Path]] = (),
    note: Note | None = None,
    what: str = "--out",
) -> list[Path]:
    """Build a folder in a temporary sibling, mark it complete and put it at ``out`` in one step.

    Parameters
    ----------
    out
        Where the folder goes; its rules are checked again here (they may have changed during the work).
    build
        Writes everything into the folder it is given and returns the files written.
    kind
        ``run``, ``sweep`` or ``compare`` (recorded in the marker).
    force, protected, what
        As for :func:`check_out`.
    note
        Receives the one-line notes of :func:`tidy_parent` (default: standard error).

    Returns
    -------
    list of Path
        The files written, under ``out``.
    """
    protected = list(protected)
    path = prepare_out(out, force=force, protected=protected, what=what, note=note)
    staging = path.parent / temp_name(path.name, "new")
    _claim(staging)
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if os.path.lexists(staging):  # a dead process had our pid: its temporary is ours to drop
                shutil.rmtree(staging)
            os.mkdir(staging)  # 0777 less the umask: a run folder is for colleagues to read too
        except OSError as exc:
            raise OutputFolderError(
                f"{what} {path}: cannot create {staging.name} in {path.parent} "
                f"({exc.strerror}) — fix: choose a folder you can write to"
            ) from None
        files = list(build(staging))
        write_marker(staging, kind)
        pause_point("before-swap")
        if os.path.lexists(path):
            check_out(path, force=force, protected=protected, what=what)
        _swap_in(staging, path, what)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        _release(staging)
    return relocate(files, staging, path)


def relocate(files: Iterable[Path], src: Path, dst: Path) -> list[Path]:
    """``files`` under ``src`` as the same files under ``dst`` (others unchanged)."""
    src_abs = Path(os.path.abspath(src))
    out = []
    for f in files:
        p = Path(os.path.abspath(f))
        out.append(dst / p.relative_to(src_abs) if src_abs in p.parents else Path(f))
    return out


def _swap_in(staging: Path, path: Path, what: str) -> None:
    if not os.path.lexists(path):
        if not _rename_noreplace(staging, path):
            raise OutputExistsError(
                f"output folder {path} appeared while healthplan was working — fix: run "
                "again (with --force to replace it) or choose another --out"
            )
        return
    if exchange(staging, path):
        pause_point("after-swap")  # the old run now sits in the temporary: remove it
        _remove(staging)
        return
    old = path.parent / temp_name(path.name, "old")
    _claim(old)
    try:
        if os.path.lexists(old):
            shutil.rmtree(old)
        os.rename(path, old)
        pause_point("between-renames")  # killed here, tidy_parent restores the new run at the next write
        os.rename(staging, path)
        pause_point("after-swap")
        _remove(old)
    finally:
        _release(old)


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)  # what is left is found and removed by the next tidy_parent


def _claim(path: Path) -> None:
    with _ACTIVE_LOCK:
        if str(path) in _ACTIVE:
            raise OutputFolderError(
                f"{path.parent / path.name.split('-', 4)[-1]} is already being written by "
                "this process — fix: give each run its own --out"
            )
        _ACTIVE.add(str(path))


def _release(path: Path) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE.discard(str(path))


# ---------------------------------------------------------------------------------------------- renaming

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM}


def _renameat2() -> Any:
    """libc's ``renameat2`` (glibc ≥ 2.28, Linux ≥ 3.15) through ctypes, or ``None``."""
    if os.environ.get(NO_EXCHANGE_ENV) or not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _call_renameat2(a: Path, b: Path, flags: int) -> int | None:
    """0 on success, the errno on failure, ``None`` when renameat2 is not available or not supported here."""
    fn = _renameat2()
    if fn is None:
        return None
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), flags) == 0:
        return 0
    err = ctypes.get_errno()
    return None if err in _UNSUPPORTED else err


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (``renameat2(RENAME_EXCHANGE)``); ``False`` if it cannot."""
    err = _call_renameat2(a, b, _RENAME_EXCHANGE)
    if err is None:
        return False
    if err:
        raise OSError(err, os.strerror(err), str(b))
    return True


def _rename_noreplace(src: Path, dst: Path) -> bool:
    """Rename ``src`` to a ``dst`` that must not exist; ``False`` when it does."""
    err = _call_renameat2(src, dst, _RENAME_NOREPLACE)
    if err == 0:
        return True
    if err == errno.EEXIST:
        return False
    if err is not None:
        raise OSError(err, os.strerror(err), str(dst))
    if os.path.lexists(dst):
        return False
    try:
        os.rename(src, dst)  # POSIX: replaces only an empty folder that appeared in between
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR, errno.ENOTDIR):
            return False
        raise
    return True


# ---------------------------------------------------------------------------------------------- recovery


@dataclass
class _Leftover:
    path: Path
    phase: str
    pid: int
    info: FolderInfo


def tidy_parent(parent: Path, *, note: Note | None = None) -> list[str]:
    """Repair what killed healthplan processes left in ``parent``; returns the notes (also given to ``note``).

    For each output name with temporaries of dead processes (this host only; a live owner's are never
    touched): when the output folder is missing, the newest complete temporary becomes it ("restored"); a
    complete new run newer than the output folder, which a kill stopped just before the swap, is kept as
    ``<name>.interrupted-<time>``; everything else (unfinished runs, old runs already replaced) is removed.
    """
    say = note or _stderr_note
    parent = Path(parent)
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return []
    groups: dict[str, list[_Leftover]] = {}
    for e in entries:
        m = _TMP_RE.match(e.name)
        if not m or m[3] != _HOST or not e.is_dir(follow_symlinks=False):
            continue
        pid = int(m[2])
        with _ACTIVE_LOCK:
            active = e.path in _ACTIVE or str(parent / e.name) in _ACTIVE
        if active or (pid != os.getpid() and _alive(pid)):
            continue
        try:
            info = inspect_folder(Path(e.path))
        except OSError:
            continue
        groups.setdefault(m[4], []).append(_Leftover(Path(e.path), m[1], pid, info))
    notes: list[str] = []
    for target, items in sorted(groups.items()):
        notes += _repair(parent / target, items)
    for n in notes:
        say(n)
    return notes


def _repair(target: Path, items: list[_Leftover]) -> list[str]:
    notes = []
    complete = [
        x for x in items if x.info.complete and x.info.n_foreign == 0 and x.info.created_ns is not None
    ]
    try:
        if not os.path.lexists(target) and complete:
            best = max(complete, key=lambda x: x.info.created_ns or 0)
            if _rename_noreplace(best.path, target):
                items.remove(best)
                notes.append(f"restored {target} from a run interrupted while replacing it (pid {best.pid})")
        elif os.path.lexists(target):
            current = read_marker(target) if target.is_dir() else None
            for x in complete:
                newer = current is None or (x.info.created_ns or 0) > current["created_ns"]
                if x.phase == "new" and newer:
                    kept = _free_name(target, x.info.created_ns or time.time_ns())
                    os.rename(x.path, kept)
                    items.remove(x)
                    notes.append(
                        f"kept a finished run that was killed (pid {x.pid}) before it replaced {target}, "
                        f"as {kept}"
                    )
    except OSError:
        pass  # another process repaired it first; the rest is removed below or next time
    for x in items:
        shutil.rmtree(x.path, ignore_errors=True)
        what = "an unfinished run folder" if not x.info.complete else "a replaced run folder"
        gone = "removed" if not os.path.lexists(x.path) else "could not remove"
        notes.append(f"{gone} {what} left by a killed healthplan process (pid {x.pid}): {x.path}")
    return notes


def _free_name(target: Path, created_ns: int) -> Path:
    stamp = datetime.fromtimestamp(created_ns / 1e9, UTC).strftime("%Y%m%d-%H%M%S")
    cand = target.with_name(f"{target.name}.interrupted-{stamp}")
    i = 2
    while os.path.lexists(cand):
        cand = target.with_name(f"{target.name}.interrupted-{stamp}-{i}")
        i += 1
    return cand


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    if os.name != "posix":
        return True  # os.kill(pid, 0) would end the process on Windows: never take another process's folder
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _stderr_note(message: str) -> None:
    print(f"注意 / note: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- test pauses


def pause_point(point: str) -> None:
    """Stop here when ``HEALTHPLAN_TEST_PAUSE_AT`` names ``point`` (the kill tests' injection points).

    Prints ``HEALTHPLAN_PAUSED <point>`` to standard error and sleeps (``HEALTHPLAN_TEST_PAUSE_S``, default
    120 s) so that a test can SIGKILL the process at exactly this point; then goes on. Points: ``read``
    (between two input layers), ``solve`` (model built, first stage not solved), ``write`` (tables written,
    appendix and state not yet) — these three set by the runner through :func:`pause_on_note` — and
    ``before-swap`` (the new folder complete), ``between-renames`` (fallback: the old folder aside, the new
    one not yet in place) and ``after-swap`` (the new folder in place, the old one not yet removed) here.
    """
    if os.environ.get(PAUSE_ENV) != point:
        return
    print(f"HEALTHPLAN_PAUSED {point} pid={os.getpid()}", file=sys.stderr, flush=True)
    time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "120")))


def pause_on_note(progress: Note | None, point: str, nth: int) -> Note | None:
    """``progress`` that also calls :func:`pause_point` at its ``nth`` message (when ``point`` is set)."""
    if os.environ.get(PAUSE_ENV) != point:
        return progress
    count = [0]

    def wrapped(message: str) -> None:
        if progress is not None:
            progress(message)
        count[0] += 1
        if count[0] == nth:
            pause_point(point)

    return wrapped
