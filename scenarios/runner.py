"""The runner: scenario → Instance → Plan → run folder, written atomically (validate, build, solve, report)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from healthplan.geodata.errors import HealthplanError
from healthplan.geodata.instance import Instance
from healthplan.optimizer.plan import Plan
from healthplan.scenarios.schema import Scenario

Mode = Literal["optimize", "baseline", "min_budget"]
DEFAULT_CACHE_DIR = Path(".healthplan-cache")


class OutputExistsError(HealthplanError):
    """The output folder exists and --force was not given."""


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
    inst = load_instance(
        scen.inputs, scen.travel, cutoff_minutes=cutoff_minutes(scen), name=scen.name, cache_dir=cache,
        progress=progress,
    )
    total = time.perf_counter() - t0
    if timings is not None:
        split = inst.meta.get("timings", {}) if isinstance(inst.meta, dict) else {}
        travel_s = float(split.get("travel_s", 0.0))
        timings["read_s"] = round(float(split.get("read_s", total - travel_s)), 3)
        timings["travel_s"] = round(travel_s, 3)
    if scen.synthetic and not inst.synthetic:
        from dataclasses import replace

        inst = replace(inst, synthetic=True)
    return inst


def solve_scenario(
    scen: Scenario, instance: Instance, *, mode: Mode = "optimize", progress: Callable[[str], None] | None = None,
    warm_start: Plan | None = None,
) -> Plan:
    """Baseline, optimal plan or least-budget plan for an instance under a scenario."""
    from healthplan import optimizer

    cfg = scen.optimizer_config()
    if mode == "baseline":
        return optimizer.baseline(instance, cfg)
    if mode == "min_budget":
        return optimizer.min_budget(instance, cfg)
    return optimizer.optimize(instance, cfg, progress=progress, warm_start=warm_start)


def plan_timings(plan: Plan, timings: dict[str, float]) -> dict[str, float]:
    """Merge the solver's build and solve seconds into the run's timings."""
    out = dict(timings)
    out["build_s"] = round(float(plan.solve.build_s), 3)
    out["solve_s"] = round(float(plan.solve.solve_s), 3)
    return out


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

    Nothing is written when inputs are invalid or the plan cannot be made; an existing ``out`` is replaced only
    with ``force``.
    """
    from healthplan.reports.summary import summary_dict

    if out is not None and out.exists() and not force:
        msg = f"output folder {out} already exists — fix: pass --force to replace it, or choose another --out"
        raise OutputExistsError(msg)
    timings: dict[str, float] = {}
    stage = stages.stage if stages is not None else _no_stage
    note = stages.note if stages is not None else None
    if instance is None:
        with stage("read", "读取输入并计算行车时间 / reading inputs, travel times"):
            instance = prepare_instance(scen, progress=note, timings=timings)
    else:
        timings.update(read_s=0.0, travel_s=0.0)
    label = {"optimize": "建模与求解 / building and solving", "baseline": "现状评估 / baseline",
             "min_budget": "最小预算求解 / least budget"}[mode]
    with stage("solve", label):
        plan = solve_scenario(scen, instance, mode=mode, progress=note)
    timings = plan_timings(plan, timings)
    summary = summary_dict(instance, plan, timings=timings, scenario_name=scen.name, opt=scen.optimizer_config())
    result = RunResult(scen, instance, plan, summary, out, [], timings)
    if out is None:
        return result
    with stage("write", "写出报告 / writing reports"):
        result.files = write_run_folder(out, scen, instance, plan, timings=timings, lang=lang or scen.report.lang,
                                        force=force, progress=note, write_reports=write_reports)
    return result


def write_run_folder(
    out: Path, scen: Scenario, instance: Instance, plan: Plan, *, timings: dict[str, float], lang: str,
    force: bool = False, progress: Callable[[str], None] | None = None, write_reports: bool = True,
) -> list[Path]:
    """Write a run into a temporary sibling folder, then move it into place (never half-written)."""
    from healthplan.reports.writer import write_run

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; a run folder is for colleagues to read too
    try:
        report = scen.report if write_reports else scen.report.model_copy(
            update={"maps": False, "html_map": False, "documents": False}
        )
        files = write_run(
            tmp, instance, plan, report=report.model_copy(update={"title": scen.display_title}),
            opt=scen.optimizer_config(), timings=timings, scenario_name=scen.name, lang=lang, progress=progress,
        )
        if out.exists():
            if not force:
                raise OutputExistsError(f"output folder {out} already exists — fix: pass --force")
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    tmp_abs = tmp.resolve()
    moved = []
    for f in files:
        path = Path(f).resolve()
        moved.append(out / path.relative_to(tmp_abs) if tmp_abs in path.parents else Path(f))
    return moved


class _NoStage:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _no_stage(key: str, label: str) -> _NoStage:
    return _NoStage()
