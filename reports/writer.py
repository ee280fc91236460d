"""Writes a whole run folder (summary, CSVs, placements, appendix, maps, state) and re-renders a saved run.

Files of a run (``out_dir``):

- ``summary.json`` (issue 3 §5 schema + extras), ``summary.md``;
- CSV, UTF-8 with BOM: ``projects.csv`` (the per-site list) and ``programme.csv`` (the plan-level list) with the
  documents' localised headers; the data tables with canonical English columns (what ``compare`` and sweeps
  read): ``new_items.csv``, ``facilities_after.csv``, ``demand_coverage.csv``, ``township_coverage.csv``,
  ``standards.csv``, ``spend.csv`` (kind × year, 万元), ``funding.csv`` (project × year × source, 万元);
- ``placements.gpkg`` (layers of :mod:`reports.placements`; skipped with a note without geometry);
- ``appendix.xlsx``, ``appendix.docx`` (when ``report.documents``);
- maps from :mod:`reports.maps` and ``map.html`` from :mod:`reports.htmlmap` when those modules exist and the
  report switches are on;
- ``state/`` for ``healthplan report RUN_DIR`` (:func:`rerender_run`);
- ``.healthplan-folder.json``, the marker of :mod:`reports.run_folder` (written last by the caller, listing
  every file), which lets ``--force`` and ``report`` tell a healthplan folder from the user's files.

Every file is written to a temporary name and moved into place, so re-rendering never leaves a half-written file.
"""

from __future__ import annotations

import importlib
import json
import re
import logging
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from healthplan.geodata.instance import Instance
from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.plan import STANDARD_COLUMNS, Plan
from healthplan.optimizer.text import Text
from healthplan.geodata.errors import InputError
from healthplan.reports.appendix import appendix_tables, appendix_to_docx, appendix_to_xlsx
from healthplan.reports.config import ReportConfig, report_problems
from healthplan.reports.funding import project_money
from healthplan.reports.i18n import message
from healthplan.reports.placements import placement_frames, placements_to_gpkg, write_csv
from healthplan.reports.projects import (
    PROGRAMME_DOC_COLUMNS,
    PROJECT_DOC_COLUMNS,
    group_projects,
    localised,
    programme_table,
    project_table,
)
from healthplan.reports.run_folder import pause_on_note
from healthplan.reports.state import STATE_DIR, StateError, load_state, save_state
from healthplan.reports.summary import summary_dict, summary_markdown

log = logging.getLogger(__name__)


def write_run(
    out_dir: Path,
    instance: Instance,
    plan: Plan,
    *,
    report: ReportConfig,
    opt: OptimizerConfig,
    timings: dict[str, float],
    scenario_name: str,
    lang: str = "zh",
    progress: Callable[[str], None] | None = None,
    created: str | None = None,
    save_run_state: bool = True,
    map_workers: object | None = None,
) -> list[Path]:
    """Write everything of a run into ``out_dir`` (which must exist or is created) and return the files.

    Parameters
    ----------
    out_dir
        The run folder (the runner passes a temporary folder that it renames afterwards).
    instance, plan
        What was solved and the result (a baseline plan has no items).
    report, opt
        Report settings (title, county, funding source, responsible unit, switches) and the optimizer
        configuration (unit costs and sources, ASSUMPTION defaults).
    timings
        Seconds per stage (``read_s``, ``travel_s``, ``build_s``, ``solve_s`` …).
    scenario_name
        Shown in the summary.
    lang
        ``zh`` or ``en`` for every table and map.
    progress
        Called with a short message before each file group.
    created
        ISO 8601 UTC timestamp stamped into the documents (default: now; a re-render passes the original).
    save_run_state
        Write ``state/`` (a re-render keeps the saved one).
    map_workers
        Processes started for the print maps by ``reports.maps.start_workers`` (the runner starts them before
        it reads the inputs); without them the maps module starts its own.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    created = created or datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    say = progress or (lambda msg: None)
    files: list[Path] = []
    notes: list[Text] = []

    problems = report_problems(report, instance.sites.index)
    if problems.errors:
        raise InputError(problems)
    say("项目清单 / project list")
    # the money of every project, computed once for the project lists, funding.csv and the appendix
    money = project_money(group_projects(plan.items), plan.items, report, opt)
    projects = project_table(instance, plan, report=report, opt=opt, lang=lang, money=money)

    # The print maps are drawn by worker processes while this process writes the tables and documents (they
    # need only the project list's numbers, so they start before anything else is computed); their files join
    # the list where they always stood (after the state, before map.html).
    maps = None
    if report.maps:
        maps = _start_maps(out, instance, plan, projects=projects, report=report, lang=lang, pool=map_workers)
    try:
        summary = summary_dict(instance, plan, timings=timings, scenario_name=scenario_name, opt=opt,
                               report=report)
        title = document_title(report, scenario_name, lang)
        programme = programme_table(projects, plan, summary, report=report, opt=opt, instance=instance,
                                    lang=lang, money=money)
        say("CSV")
        frames = placement_frames(instance, plan, projects)
        files.append(_atomic(out / "projects.csv",
                             lambda p: write_csv(localised(projects, PROJECT_DOC_COLUMNS, lang), p)))
        files.append(_atomic(out / "programme.csv",
                             lambda p: write_csv(localised(programme, PROGRAMME_DOC_COLUMNS, lang), p)))
        for name, df in frames.items():
            files.append(_atomic(out / f"{name}.csv", lambda p, df=df: write_csv(df, p)))
        files.append(_atomic(out / "standards.csv", lambda p: write_csv(_standards_csv(plan), p)))
        files.append(_atomic(out / "spend.csv", lambda p: write_csv(_spend_csv(summary), p)))
        files.append(_atomic(out / "funding.csv", lambda p: write_csv(
            money.frame[["no", "kind", "origin", "year", "source", "source_zh", "source_en", "wan"]], p)))

        say("placements.gpkg")
        gpkg = out / "placements.gpkg"
        tmp = out / ".placements.tmp.gpkg"
        layers, gnotes = placements_to_gpkg(tmp, instance, frames)
        notes += gnotes
        if layers:
            os.replace(tmp, gpkg)
            files.append(gpkg)

        if report.documents:
            say("appendix.xlsx / appendix.docx")
            tables = appendix_tables(instance, plan, summary, report=report, opt=opt, projects=projects,
                                     townships=frames["township_coverage"], title=title, lang=lang,
                                     programme=programme, money=money)
            files.append(_atomic(out / "appendix.xlsx",
                                 lambda p: appendix_to_xlsx(p, tables, lang=lang, timestamp=created)))
            files.append(_atomic(out / "appendix.docx",
                                 lambda p: appendix_to_docx(p, tables, title=title, lang=lang,
                                                            timestamp=created)))

        if save_run_state:
            say("state")
            files += save_state(out, instance, plan, report=report, opt=opt, timings=timings,
                                scenario_name=scenario_name, lang=lang, created=created)

        if report.maps and maps is None:
            notes.append(message("note.maps_unavailable"))
        maps_at = len(files)
        if report.html_map:
            html = _optional("healthplan.reports.htmlmap", "write_html_map")
            if html is None:
                notes.append(message("note.html_unavailable"))
            else:
                say("map.html")
                files.append(Path(html(out / "map.html", instance, plan, projects=projects, report=report,
                                       lang=lang)))
        if maps is not None:
            say("maps")
            files[maps_at:maps_at] = [Path(p) for p in maps.result()]
    except BaseException:
        if maps is not None:
            maps.cancel()  # no worker may go on writing into a folder the caller is about to remove
        raise

    for n in notes:
        log.info(n.en)
    # notes in both languages, index-aligned: ``notes`` Chinese (as geodata writes them), ``notes_en`` English
    summary["notes"] = list(dict.fromkeys([*summary.get("notes", []), *(n.zh for n in notes)]))
    summary["notes_en"] = list(dict.fromkeys([*summary.get("notes_en", []), *(n.en for n in notes)]))
    summary["title"] = title
    say("summary")
    text = json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    files.append(_atomic(out / "summary.json", lambda p: p.write_text(text, encoding="utf-8")))
    md_path = out / "summary.md"
    listed = sorted({f.relative_to(out) if f.is_absolute() and out in f.parents else Path(f.name) for f in files
                     if STATE_DIR not in Path(f).parts} | {Path("summary.md")}, key=str)
    md = summary_markdown(summary, lang=lang, files=listed)
    files.append(_atomic(md_path, lambda p: p.write_text(md, encoding="utf-8")))
    return files


class _Maps:
    """The print maps of a run: drawn by ``reports.maps.start_maps`` while the caller writes other files, or
    (a maps module without it) by its ``write_maps`` when the files are asked for."""

    def __init__(self, started: object | None, write: Callable[[], list[Path]] | None) -> None:
        self._started = started
        self._write = write

    def result(self) -> list[Path]:
        if self._started is not None:
            return list(self._started.result())  # type: ignore[attr-defined]
        return list(self._write()) if self._write is not None else []

    def cancel(self) -> None:
        if self._started is not None:
            self._started.cancel()  # type: ignore[attr-defined]


def _start_maps(out: Path, instance: Instance, plan: Plan, *, projects: pd.DataFrame, report: ReportConfig,
                lang: str, pool: object | None) -> _Maps | None:
    """Start the print maps (``None`` when this version has no maps module)."""
    start = _optional("healthplan.reports.maps", "start_maps")
    if start is not None:
        return _Maps(start(out, instance, plan, projects=projects, report=report, lang=lang, pool=pool), None)
    write = _optional("healthplan.reports.maps", "write_maps")
    if write is None:
        return None
    return _Maps(None, lambda: write(out, instance, plan, projects=projects, report=report, lang=lang))


def rerender_run(run_dir: Path, *, lang: str | None = None, note: Callable[[str], None] | None = None,
                 ) -> list[Path]:
    """Re-render every table and map of a saved run (``healthplan report RUN_DIR [--lang en]``).

    Uses the state saved with the run (no solving); with the same language the tables are byte-identical to the
    original ones. In another language than the run's own the re-render goes beside it, into
    :func:`language_folder` (``RUN_DIR-en``), never over the run: the Chinese documents stay as they were.
    The new folder (fresh tables and maps, the saved ``state/`` copied) is built in a temporary sibling and
    swapped in by :func:`reports.run_folder.write_folder`, so a crash leaves the old folder or the new one,
    never a mixture.

    Raises
    ------
    reports.state.StateError
        ``run_dir`` does not exist or holds no saved state.
    reports.run_folder.OutputFolderError
        ``run_dir`` holds files healthplan did not write (they would be lost), is a file, the current
        folder, the home folder or a filesystem root, or cannot be written.
    """
    from healthplan.reports.run_folder import check_existing, check_out, tidy_parent, write_folder

    run_dir = Path(os.path.abspath(run_dir))
    what = "run folder"
    if run_dir.parent.is_dir():
        tidy_parent(run_dir.parent, note=note)  # a swap killed half-way is repaired before anything is read
    if os.path.lexists(run_dir):
        check_out(run_dir, force=True, what=what, existing=False)  # a file, the current folder, read-only …
    if not run_dir.is_dir():
        raise StateError(f"{run_dir}: no such run folder — fix: pass a folder written by "
                         "`healthplan run --out`")
    if not (run_dir / STATE_DIR / "run.json").is_file():
        msg = (f"{run_dir}: no saved run state ({STATE_DIR}/run.json), so this is not a healthplan run "
               "folder — fix: pass a folder written by `healthplan run`, or run the scenario again")
        raise StateError(msg)
    check_existing(run_dir, force=True, what=what)  # every file in it is healthplan's: none of yours is lost
    st = load_state(run_dir)
    target = run_dir if lang is None or lang == st.lang else language_folder(run_dir, lang)
    if target != run_dir:  # an earlier re-render in that language is replaced, a folder of yours is not
        check_out(target, force=True, what=what)

    def build(folder: Path) -> list[Path]:
        shutil.copytree(run_dir / STATE_DIR, folder / STATE_DIR)
        return write_run(
            folder, st.instance, st.plan, report=st.report, opt=st.opt, timings=st.timings,
            scenario_name=st.scenario_name, lang=lang or st.lang, created=st.created, save_run_state=False,
            progress=pause_on_note(None, "write", 4),
        )

    return write_folder(target, build, kind="run", force=True, what=what, note=note)


def language_folder(run_dir: Path, lang: str) -> Path:
    """Where ``healthplan report RUN_DIR --lang LANG`` writes when LANG is not the run's own language: the
    sibling ``RUN_DIR-LANG`` (a whole run folder, its own ``state/`` included, so it can be re-rendered
    too)."""
    run_dir = Path(run_dir)
    return run_dir.with_name(f"{run_dir.name}-{lang}")


def document_title(report: ReportConfig, scenario_name: str, lang: str) -> str:
    """The plan's title in ``lang``: ``report.title`` (Chinese); in English ``report.title_en``, else the title
    when it has no Chinese, else the scenario name."""
    if str(lang).startswith("en"):
        if report.title_en:
            return report.title_en
        if report.title and not re.search(r"[\u2e80-\u9fff\uff00-\uffef]", report.title):
            return report.title
        return scenario_name
    return report.title or scenario_name


def _standards_csv(plan: Plan) -> pd.DataFrame:
    df = plan.standards
    if df is None or not len(df.columns):  # every standard off: still a header for spreadsheet users
        df = pd.DataFrame(columns=list(STANDARD_COLUMNS))
    return df.reset_index(drop=True)


def _spend_csv(summary: dict) -> pd.DataFrame:
    """Spend as long rows (kind, year, 万元) from the summary, so the CSV equals summary.json."""
    rows = [(k, int(y), v) for k, by_year in (summary.get("spend_by_kind_year") or {}).items()
            for y, v in by_year.items()]
    return pd.DataFrame(rows, columns=["kind", "year", "cost_wan"])


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary sibling and move it onto ``path``."""
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _optional(module: str, func: str) -> Callable | None:
    """``module.func`` when the module exists (the maps are written by another part of the project)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise  # the module exists but one of its imports is missing: a real error
        return None
    return getattr(mod, func, None)
