"""Print maps for the plan document (PNG 300 dpi, PDF): current-state maps (现状) and plan maps (规划).

Which maps (in ``maps/`` of the run folder; ``healthplan report RUN --lang en`` writes a run folder of its own
beside the Chinese one, ``reports.writer.language_folder``, so English maps never replace the Chinese ones):

- ``current``: 现状图, existing facilities of every kind with their names, township coverage today;
- ``plan``: 规划图, existing and new facilities, each new site carrying the 序号 of its row(s) in the project list,
  township coverage after the plan; ``current_vs_plan``: the two side by side;
- ``plan_<kind>`` for each resource kind (``current_<kind>`` for a baseline run without projects): its
  facilities, villages by coverage, the covered area and township coverage.

Each map is drawn by :mod:`reports.map_render` from what :class:`~healthplan.reports.map_data.MapData`
assembled. This module decides which maps a run has and who draws them, and imports no matplotlib: the run's
own process never needs it when worker processes draw.

Maps are drawn in parallel worker processes (fork on Linux; serially elsewhere, in daemonic processes such as
Dask workers, in multi-threaded processes, or with ``HEALTHPLAN_MAP_WORKERS=1``). :func:`start_workers` forks
them before a run reads its inputs, so they import matplotlib and load the font while the run reads and
solves (and before any progress-display thread exists); :func:`start_maps` hands them the map data, and the
run writes its tables and documents while they draw. Each map is one job whose output depends only on the
data, so reruns give identical bytes whatever the number of workers.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import sys
import threading
import uuid
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from healthplan.geodata.instance import Instance
from healthplan.geodata.partition import approximate_flag
from healthplan.optimizer.plan import Plan
from healthplan.optimizer.text import is_en
from healthplan.reports import map_style as ms
from healthplan.reports.config import ReportConfig
from healthplan.reports.fonts import missing_glyphs
from healthplan.reports.map_data import MapData, maps_unavailable_reason, site_labels, township_labels
from healthplan.reports.map_fonts import chars_of, expect, subset_folder, subset_rc
from healthplan.reports.map_page import DPI, FIGSIZE, PAGE_PX, file_mode  # noqa: F401  (public names)

log = logging.getLogger(__name__)

WORKERS_ENV = "HEALTHPLAN_MAP_WORKERS"


@dataclass(frozen=True)
class MapJob:
    """One map: its file stem, the kind drawn (``None``: all) and the mode (current, plan or the pair)."""

    stem: str
    kind: str | None
    mode: str  # "current" | "plan" | "pair"


def maps_folder(out_dir: Path) -> Path:
    """Where the maps go in a run folder."""
    return Path(out_dir) / "maps"


def map_jobs(data: MapData) -> list[MapJob]:
    """The maps of a run: current and plan overviews and their pair, one plan map per kind (current-state maps
    per kind when the plan has no projects)."""
    if not len(data.items):
        return [MapJob("current", None, "current"), *(MapJob(f"current_{k}", k, "current") for k in data.kinds)]
    return [MapJob("current", None, "current"), MapJob("plan", None, "plan"),
            MapJob("current_vs_plan", None, "pair"), *(MapJob(f"plan_{k}", k, "plan") for k in data.kinds)]


def write_maps(
    out_dir: Path,
    instance: Instance,
    plan: Plan,
    *,
    projects: pd.DataFrame | None,
    report: ReportConfig,
    lang: str = "zh",
    workers: int | None = None,
) -> list[Path]:
    """Draw the print maps into :func:`maps_folder` (``out_dir/maps``): PNG (300 dpi,
    A4 landscape) and PDF (font embedded) of each map of :func:`map_jobs`.

    Parameters
    ----------
    out_dir
        Run folder.
    instance, plan
        The instance (geometry in a metric CRS, metres) and its plan (coverage shares, items, site units).
    projects
        The canonical project list of ``reports.projects.project_table`` (序号, names, content per item), or
        ``None`` (numbered and named from the plan).
    report
        Report settings: ``title`` and ``data_note`` are printed on every map.
    lang
        ``"zh"`` (default) or ``"en"``.
    workers
        Worker processes (default: ``HEALTHPLAN_MAP_WORKERS`` or the CPUs available, at most one per map).

    Returns
    -------
    list[Path]
        The files written, in the order of :func:`map_jobs` (PNG, then PDF of each); empty when the inputs
        have no geometry (see :func:`maps_unavailable_reason`).
    """
    return start_maps(out_dir, instance, plan, projects=projects, report=report, lang=lang,
                      workers=workers).result()


def start_maps(
    out_dir: Path,
    instance: Instance,
    plan: Plan,
    *,
    projects: pd.DataFrame | None,
    report: ReportConfig,
    lang: str = "zh",
    workers: int | None = None,
    pool: MapWorkers | None = None,
) -> MapRender:
    """Start drawing the maps of :func:`write_maps` and return at once: the caller writes its other files
    meanwhile and collects the maps' files with :meth:`MapRender.result` (drawn there when serial).

    Same arguments as :func:`write_maps`, and ``pool``: workers started earlier by :func:`start_workers` (one
    batch of maps each); without it, workers are started here when :func:`workers_for` allows.
    """
    reason = maps_unavailable_reason(instance, lang)
    if reason is not None:
        log.info("maps skipped: %s", reason)
        return MapRender([], [])
    data = MapData.build(instance, plan, projects, lang)
    folder = maps_folder(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    title = map_title(report, instance, lang)
    note = data_note(data, report)
    jobs = map_jobs(data)
    chars = map_chars(data, [title, *note])
    owned = None
    # the subset a worker made while the run solved (MapWorkers.prepare): the maps' own subset is cut from it,
    # with the same bytes and family name as from the full font (so the PDFs do not depend on it)
    expected = pool.chars if pool is not None and pool.chars is not None and chars < pool.chars else None
    if pool is None or not pool.take():
        n = workers_for(workers, len(jobs))
        if n <= 1:
            return MapRender(jobs, [], serial=(data, title, note, chars, str(folder), file_mode()))
        pool = owned = MapWorkers(n)
        pool.take()
    try:
        # One pickle of the map data for every job; each worker unpickles it once (by its token).
        payload = pickle.dumps((data, title, note, chars, str(folder), file_mode(), expected), protocol=5)
        token = uuid.uuid4().hex
        # the pair map (two small panels, no labels) is the cheapest: last, so the workers finish together
        order = sorted(range(len(jobs)), key=lambda i: jobs[i].mode == "pair")
        futures: list[Future] = [None] * len(jobs)  # type: ignore[list-item]
        for i in order:
            futures[i] = pool.submit(_draw, token, payload, jobs[i])
    except BaseException:
        if owned is not None:
            owned.close()
        raise
    return MapRender(jobs, futures, owned=owned)


class MapRender:
    """Maps being drawn by :func:`start_maps`: :meth:`result` waits for them (or draws them, serially) and
    returns their files in the order of :func:`map_jobs`; :meth:`cancel` drops the maps not yet begun and
    waits for those being drawn, so that no worker writes into a folder the caller is about to remove."""

    def __init__(self, jobs: list[MapJob], futures: list[Future], *, serial: tuple | None = None,
                 owned: MapWorkers | None = None) -> None:
        self.jobs = jobs
        self._futures = futures
        self._serial = serial
        self._owned = owned
        self._files: list[Path] | None = None

    def result(self) -> list[Path]:
        """The files written (PNG, then PDF of each map, in job order); raises what drawing a map raised."""
        if self._files is not None:
            return self._files
        try:
            if self._serial is not None:
                from healthplan.reports.map_render import release, render

                data, title, note, chars, folder, mode = self._serial
                rc = subset_rc(chars)
                try:
                    results = [render(job, data, title, note, rc, folder, mode) for job in self.jobs]
                finally:
                    release()  # this process may go on for long without drawing maps
            else:
                results = [f.result() for f in self._futures]
        except BaseException:
            self.cancel()
            raise
        self.cancel()
        written: list[Path] = []
        for paths, bad in results:
            written += [Path(p) for p in paths]
            if bad:
                log.warning("map %s: the bundled font has no glyph for %s; these characters print as boxes",
                            Path(paths[0]).stem, "".join(sorted(bad)))
        self._files = written
        return written

    def cancel(self) -> None:
        """Drop the maps not begun and wait for the ones being drawn (workers started here end too)."""
        for f in self._futures:
            f.cancel()
        wait(self._futures)
        if self._owned is not None:
            self._owned.close()
            self._owned = None


# ---------------------------------------------------------------------------------------------- workers


def workers_for(requested: int | None, jobs: int) -> int:
    """Worker processes to draw ``jobs`` maps: 1 (serial) unless fork is available and safe here.

    ``requested`` (default: ``HEALTHPLAN_MAP_WORKERS``, else the CPUs available) is capped by the CPUs and the
    jobs. Serial on other systems than Linux (spawn would re-import for seconds), in daemonic processes (Dask
    workers) and in processes with other threads (a fork copies no thread, only the locks they may hold).
    """
    if requested is None:
        env = os.environ.get(WORKERS_ENV, "").strip()
        requested = int(env) if env.isdigit() else None
    if requested is not None and requested <= 1:
        return 1
    if (not sys.platform.startswith("linux") or multiprocessing.current_process().daemon
            or threading.current_thread() is not threading.main_thread() or threading.active_count() > 1):
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(requested or cpus, cpus, jobs))


def start_workers(workers: int | None = None) -> MapWorkers | None:
    """Fork the map workers now (``None`` when the maps would be drawn serially, see :func:`workers_for`).

    Called by the runner before it reads the inputs: the workers import matplotlib and load the bundled font
    while the run reads and solves, and the fork happens while this process has one thread. The caller hands
    the workers to :func:`start_maps` and ends them with :meth:`MapWorkers.close` when the run ends, whatever
    happened.
    """
    n = workers_for(workers, sys.maxsize)
    if n <= 1:
        return None
    subset_folder()  # the workers' font subsets go into this process's folder, removed when it ends
    return MapWorkers(n)


class MapWorkers:
    """``n`` forked processes that draw maps (a ``ProcessPoolExecutor`` whose processes are forked at once);
    each dies with the process that started it (Linux)."""

    def __init__(self, n: int) -> None:
        self._pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"),
                                         initializer=_warm_up)
        self._taken = False
        self.chars: frozenset[str] | None = None  # the characters of the font subset made by :meth:`prepare`
        self._pool.submit(_ready)  # a pool with fork starts all its processes at the first job: now

    def take(self) -> bool:
        """Claim the workers for one batch of maps (``False`` when already claimed or closed)."""
        if self._taken or self._pool is None:
            return False
        self._taken = True
        return True

    def submit(self, fn: object, *args: object) -> Future:
        return self._pool.submit(fn, *args)  # type: ignore[arg-type]

    def prepare(self, instance: Instance, report: ReportConfig, lang: str) -> None:
        """Have a worker make the font subset of :func:`run_chars` now (the run calls this once its inputs are
        read, so the subset is made while it solves; the other workers find it made), with the characters
        ``map.html`` is expected to show (``reports.htmlmap.expected_chars``): the page's font is cut from the
        same subset, so a run reads the full font once. Inputs without geometry get no maps: the workers are
        ended at once."""
        if self._pool is None or self._taken:
            return
        if maps_unavailable_reason(instance, lang) is not None:
            self.close()
            return
        chars = run_chars(instance, report, lang)
        if report.html_map:  # one subset for both: the HTML map's font is cut from it (reports.map_fonts)
            from healthplan.reports.htmlmap import expected_chars

            chars |= expected_chars(instance, report, lang)
        self.chars = chars
        expect(chars)
        self._pool.submit(_prepare_font, chars)

    def close(self) -> None:
        """End the workers: maps not begun are dropped; a worker still importing is stopped at once."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        if not self._taken:  # nothing of ours is being drawn: do not wait for the imports to finish
            terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
            if terminate is not None:
                terminate()
                return
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def _ready() -> None:
    """The first job: makes the pool fork its processes."""


# Niceness of a worker's warm-up thread: the imports give way to the run's process, which reads and solves
# meanwhile (the run's critical path). On the demo with two workers on two cores the run's reading took 0.41–0.47 s
# with warm-ups at equal priority and 0.27–0.30 s with them at 10 (4 runs each, 2026-11-29).
WARM_UP_NICE = 10


def _warm_up() -> None:
    """A worker's first work: die with the parent, import the drawing modules, register the bundled font and
    read its character map, while the run's process reads its inputs and solves.

    The imports run in a thread of lower priority (:data:`WARM_UP_NICE`; on Linux a nice value is per thread),
    so that the run's process keeps a core of its own; the maps are then drawn at the usual priority."""
    _die_with_parent()
    done: list[BaseException | None] = []

    def imports() -> None:
        global _WARM_UP_PRIORITY
        try:
            _WARM_UP_PRIORITY = _lower_this_thread()
            import healthplan.reports.map_render  # noqa: F401  (matplotlib and the drawing modules)
            # what the first map would import: the PDF backend and fontTools (it subsets the font of every
            # PDF; ≈ 0.17 s), the PNG writer
            import matplotlib.backends.backend_pdf  # noqa: F401
            from fontTools import subset  # noqa: F401

            import healthplan.reports.png  # noqa: F401
            from healthplan.reports.fonts import font_name

            font_name()
            missing_glyphs("")
            done.append(None)
        except BaseException as exc:  # raised again in the worker's own thread
            done.append(exc)

    # a daemon: a worker told to end while it still imports does not wait for the imports first
    thread = threading.Thread(target=imports, name="map-warm-up", daemon=True)
    thread.start()
    thread.join()
    if done and done[0] is not None:
        raise done[0]
    gc.freeze()  # the modules and the font live as long as the worker: no collection need scan them again


_WARM_UP_PRIORITY: int | None = None  # the nice value this worker's warm-up ran at (None: not lowered)


def _lower_this_thread() -> int | None:
    """Lower the calling thread's priority by :data:`WARM_UP_NICE` (Linux: this thread only) and return its nice
    value; elsewhere, or when refused, nothing (``None``)."""
    if not sys.platform.startswith("linux"):
        return None
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + WARM_UP_NICE))
        return os.getpriority(os.PRIO_PROCESS, tid)
    except OSError:
        return None


def _prepare_font(chars: frozenset[str]) -> None:
    """Make and register the font subset of ``chars`` in this worker (and in the folder its siblings read)."""
    subset_rc(chars)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the process that started it dies (a killed run leaves no worker
    drawing into its removed folder); elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    parent = multiprocessing.parent_process()
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # no prctl: the pool's own pipe still ends an idle worker
        return
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)  # the parent died before the request took effect


_CONTEXT: tuple[str, tuple] | None = None  # (token, what render needs) of the batch this worker draws


def _draw(token: str, payload: bytes, job: MapJob) -> tuple[list[str], set[str]]:
    """Draw one map in a worker (the batch's data unpickled and its font subset registered once)."""
    global _CONTEXT
    from healthplan.reports.map_render import render

    if _CONTEXT is None or _CONTEXT[0] != token:
        data, title, note, chars, folder, mode, expected = pickle.loads(payload)
        if expected is not None:
            expect(expected)
        _CONTEXT = (token, (data, title, note, subset_rc(chars), folder, mode))
    return render(job, *_CONTEXT[1])


def map_chars(data: MapData, extra: list[str]) -> frozenset[str]:
    """Every character a map of ``data`` can show: ``extra`` (title, notes), the names of sites and townships,
    the maps' own texts and those of the kind registry (project names and contents are not drawn: the maps
    number the projects)."""
    texts: list[object] = [*extra, *data.sites["label"]]
    if data.townships is not None:
        texts += list(data.townships["label"])
    if "site_label" in data.items:
        texts += list(data.items["site_label"].astype(str))
    return _with_map_texts(texts, data.lang)


def run_chars(instance: Instance, report: ReportConfig, lang: str) -> frozenset[str]:
    """:func:`map_chars` of a run, known as soon as its inputs are read (before the plan): the workers make
    the font subset while the run solves. (A site that only the plan names would make the subset again.)"""
    en = is_en(lang)
    texts: list[object] = [map_title(report, instance, lang), *notes_for(instance, report, lang)]
    texts += list(site_labels(instance.sites, en))
    if instance.townships is not None and len(instance.townships):
        texts += list(township_labels(instance.townships, en))
    return _with_map_texts(texts, lang)


def _with_map_texts(texts: list[object], lang: str) -> frozenset[str]:
    from healthplan.optimizer.kinds import KINDS, SERVICE_KEYS, service

    texts = list(texts)
    texts += [v[1 if is_en(lang) else 0] for v in ms.TEXT.values()]
    for k in KINDS:
        texts += [k.label(lang), k.map_title(lang), *(it.label(lang) for it in k.items)]
        if k.providers is not None:
            texts += [k.providers.legend(lang), k.providers.stock(lang)]
    texts += [service(s)[1].label(lang) for s in SERVICE_KEYS]
    return chars_of(texts)


def map_title(report: ReportConfig, instance: Instance, lang: str) -> str:
    """The title printed on every map: the report's, else 「<county>卫生资源布局规划图」."""
    return report.title or ms.text("default_title", lang, name=report.county or instance.name)


def data_note(data: MapData, report: ReportConfig) -> list[str]:
    """The notes under a map: synthetic data, the report's data note, what covered means, the CRS."""
    return notes_for(data.instance, report, data.lang)


def notes_for(instance: Instance, report: ReportConfig, lang: str) -> list[str]:
    """:func:`data_note` from the instance itself."""
    parts = []
    if instance.synthetic:
        parts.append(ms.text("synthetic", lang))
    if (approximate := approximate_flag(instance.meta, lang)) is not None:  # seats-only townships
        parts.append(approximate)
    if report.data_note:
        parts.append(report.data_note)
    parts.append(ms.text("covered_def", lang))
    if instance.crs:
        parts.append(ms.text("crs", lang, crs=instance.crs))
    return parts
