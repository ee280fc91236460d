"""The runner: scenario → Instance → Plan → run folder, written atomically (validate, build, solve, report)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from healthplan.geodata.instance import Instance
from healthplan.optimizer.plan import Plan
from healthplan.optimizer.progress import Watch
from healthplan.reports.run_folder import OutputExistsError, OutputFolderError, pause_on_note, prepare_out
from healthplan.scenarios.schema import Scenario

Mode = Literal["optimize", "baseline", "min_budget"]
DEFAULT_CACHE_DIR = Path(".healthplan-cache")

__all__ = ["OutputExistsError", "OutputFolderError", "RunResult", "protected_paths", "run_scenario",
           "write_run_folder"]


@dataclass
class RunResult:
    """What one run produced: the instance, the plan, the summary figures and the files written."""

    scenario: Scenario
    instance: Instance
    plan: Plan
    summary: dict[str, Any]
    out_dir: Path | None = None
    files: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def cutoff_minutes(scen: Scenario) -> float:
    """Travel-time horizon (ordinary-traffic minutes) the scenario's standards need."""
    if scen.travel.cutoff_minutes is not None:
        return scen.travel.cutoff_minutes
    from healthplan.optimizer import required_cutoff

    return required_cutoff(scen.optimizer_config(), ambulance_speed_factor=scen.travel.ambulance_speed_factor)


def prepare_instance(
    scen: Scenario, *, progress: Callable[[str], None] | None = None, timings: dict[str, float] | None = None
) -> Instance:
    """Read and check the scenario's inputs and compute travel times (raises InputError listing every problem)."""
    from healthplan.geodata.load import load_instance

    cache = scen.travel.cache_dir
    if cache is None:
        cache = DEFAULT_CACHE_DIR.resolve()
    t0 = time.perf_counter()
    from healthplan.optimizer.kinds import SITE_STOCK

    inst = load_instance(
        scen.inputs, scen.travel, cutoff_minutes=cutoff_minutes(scen), name=scen.name, cache_dir=cache,
        progress=progress, scenario_file=scen.source_path, stock=SITE_STOCK,
    )
    total = time.perf_counter() - t0
    if timings is not None:
        split = inst.meta.get("timings", {}) if isinstance(inst.meta, dict) else {}
        travel_s = float(split.get("travel_s", 0.0))
        timings["read_s"] = round(float(split.get("read_s", total - travel_s)), 3)
        timings["travel_s"] = round(travel_s, 3)
    if scen.population.base_year is not None:
        from healthplan.geodata.projection import project_population
        from healthplan.optimizer.prepare import plan_years

        inst = project_population(inst, scen.population, plan_years(scen)[-1],
                                  where=f"{scen.source_path or 'scenario'} (population)")
    if scen.synthetic and not inst.synthetic:
        from dataclasses import replace

        inst = replace(inst, synthetic=True)
    return inst


def solve_scenario(
    scen: Scenario, instance: Instance, *, mode: Mode = "optimize", progress: Callable[[str], None] | None = None,
    warm_start: Plan | None = None, watch: Watch | None = None,
) -> Plan:
    """Baseline, optimal plan or least-budget plan for an instance under a scenario (``watch``: reports of a
    running stage solve, ``optimizer.optimize``)."""
    from healthplan import optimizer

    from healthplan.geodata.errors import InputError

    cfg = scen.optimizer_config()
    try:
        if mode == "baseline":
            return optimizer.baseline(instance, cfg)
        if mode == "min_budget":
            return optimizer.min_budget(instance, cfg, watch=watch)
        return optimizer.optimize(instance, cfg, progress=progress, warm_start=warm_start, watch=watch)
    except InputError as err:
        if scen.source_path is None:
            raise
        # the optimizer knows "the scenario"; the user knows the file
        raise InputError(err.report.naming("scenario", scen.source_path)) from None


def plan_timings(plan: Plan, timings: dict[str, float]) -> dict[str, float]:
    """Merge the solver's build and solve seconds into the run's timings."""
    out = dict(timings)
    out["build_s"] = round(float(plan.solve.build_s), 3)
    out["solve_s"] = round(float(plan.solve.solve_s), 3)
    return out


def protected_paths(scen: Scenario) -> list[tuple[str, Path]]:
    """What a run folder must never be or contain: the scenario file and those it extends, every input file,
    the travel-time cache (labels for the messages)."""
    out: list[tuple[str, Path]] = []
    if scen.source_path is not None:
        out += [("the scenario file", p) for p in scenario_chain(scen.source_path)]
    for name in type(scen.inputs).model_fields:
        spec = getattr(scen.inputs, name)
        if spec is not None:
            out.append((f"the input '{name}'", Path(spec.path)))
    out.append(("the travel-time cache", Path(scen.travel.cache_dir or DEFAULT_CACHE_DIR.resolve())))
    return out


def scenario_chain(path: Path) -> list[Path]:
    """The scenario file and every file its ``extends`` chain names (already validated by the loader)."""
    import yaml

    chain: list[Path] = []
    p: Path | None = Path(path).resolve()
    while p is not None and p not in chain and p.is_file():
        chain.append(p)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError, yaml.YAMLError):
            break
        parent = data.get("extends") if isinstance(data, dict) else None
        p = (p.parent / parent).resolve() if isinstance(parent, str) else None
    return chain


def run_scenario(
    scen: Scenario,
    *,
    out: Path | None,
    mode: Mode = "optimize",
    force: bool = False,
    lang: str | None = None,
    instance: Instance | None = None,
    stages: Any = None,
    write_reports: bool = True,
) -> RunResult:
    """Run a scenario end to end and write its run folder (when ``out`` is given) atomically.

    Every output-folder rule (:mod:`reports.run_folder`) is checked before the inputs are read; nothing is
    written when inputs are invalid or the plan cannot be made; an existing ``out`` is replaced only with
    ``force`` and only when healthplan wrote it (or it is empty). The processes that draw the print maps are
    started before the inputs are read (:func:`reports.maps.start_workers`) and ended when the run ends.
    """
    protected = protected_paths(scen)
    if out is not None:
        prepare_out(out, force=force, protected=protected)  # before any work: exit 2, the path and the fix
    with _map_workers(out is not None and write_reports and scen.report.maps) as map_workers:
        return _run(scen, out, mode, force, lang, instance, stages, write_reports, protected, map_workers)


@contextmanager
def _map_workers(wanted: bool) -> Iterator[Any]:
    """The print maps' worker processes (:func:`reports.maps.start_workers`), forked now, while this process
    has one thread (no progress display yet): they load matplotlib and the font while the run reads and
    solves; ended when the run ends, whatever happened."""
    workers = None
    if wanted:
        from healthplan.reports.maps import start_workers

        workers = start_workers()
    try:
        yield workers
    finally:
        if workers is not None:
            workers.close()


def _solve_watch(stages: Any, lang: str) -> Watch | None:
    """Reports of a running stage solve shown on the progress display's line (only when it shows: a terminal)."""
    if stages is None or not getattr(stages, "enabled", False):
        return None
    from healthplan.scenarios.progress import solve_watch

    return solve_watch(stages.note, lang)


def _run(scen: Scenario, out: Path | None, mode: Mode, force: bool, lang: str | None,
         instance: Instance | None, stages: Any, write_reports: bool, protected: list[tuple[str, Path]],
         map_workers: Any) -> RunResult:
    """The body of :func:`run_scenario` once the output folder is checked."""
    from healthplan.reports.summary import summary_dict

    timings: dict[str, float] = {}
    stage = stages.stage if stages is not None else _no_stage
    note = stages.note if stages is not None else None
    if instance is None:
        with stage("read", "读取输入并计算行车时间 / reading inputs, travel times"):
            # the kill tests stop here between two input layers (the note before the second one)
            instance = prepare_instance(scen, progress=pause_on_note(note, "read", 2), timings=timings)
    else:
        timings.update(read_s=0.0, travel_s=0.0)
    if map_workers is not None:  # the maps' font subset is made by a worker while the plan is solved
        map_workers.prepare(instance, scen.report.model_copy(update={"title": scen.display_title}),
                            lang or scen.report.lang)
    label = {"optimize": "建模与求解 / building and solving", "baseline": "现状评估 / baseline",
             "min_budget": "最小预算求解 / least budget"}[mode]
    with stage("solve", label):
        from healthplan.scenarios.progress import optimizer_notes

        # ... and here after the model is built, before its first stage is solved
        plan = solve_scenario(scen, instance, mode=mode,
                              progress=pause_on_note(optimizer_notes(note, lang or scen.report.lang), "solve", 2),
                              watch=_solve_watch(stages, lang or scen.report.lang))
    timings = plan_timings(plan, timings)
    summary = summary_dict(instance, plan, timings=timings, scenario_name=scen.name, opt=scen.optimizer_config())
    result = RunResult(scen, instance, plan, summary, out, [], timings)
    if out is None:
        return result
    with stage("write", "写出报告 / writing reports"):
        # ... and here with the CSV tables and placements.gpkg written, before the appendix and the state
        result.files = write_run_folder(out, scen, instance, plan, timings=timings, lang=lang or scen.report.lang,
                                        force=force, progress=pause_on_note(note, "write", 4),
                                        write_reports=write_reports, protected=protected,
                                        map_workers=map_workers)
    return result


def write_run_folder(
    out: Path, scen: Scenario, instance: Instance, plan: Plan, *, timings: dict[str, float], lang: str,
    force: bool = False, progress: Callable[[str], None] | None = None, write_reports: bool = True,
    protected: list[tuple[str, Path]] | None = None, map_workers: Any = None,
) -> list[Path]:
    """Write a run into a temporary sibling folder, then put it at ``out`` in one step (never half-written;
    an existing ``out`` is replaced only by the rules of :mod:`reports.run_folder`); ``map_workers`` are the
    processes of :func:`reports.maps.start_workers` for the print maps, if the caller started them."""
    from healthplan.reports.run_folder import write_folder
    from healthplan.reports.writer import write_run

    report = scen.report if write_reports else scen.report.model_copy(
        update={"maps": False, "html_map": False, "documents": False}
    )

    def build(folder: Path) -> list[Path]:
        return write_run(
            folder, instance, plan, report=report.model_copy(update={"title": scen.display_title}),
            opt=scen.optimizer_config(), timings=timings, scenario_name=scen.name, lang=lang, progress=progress,
            map_workers=map_workers,
        )

    return write_folder(Path(out), build, kind="run", force=force,
                        protected=protected_paths(scen) if protected is None else protected)


class _NoStage:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _no_stage(key: str, label: str) -> _NoStage:
    return _NoStage()
