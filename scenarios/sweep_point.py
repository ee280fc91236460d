"""One sweep point: what a worker receives (:class:`PointTask`), what it hands back (:class:`PointOutcome`),
and :func:`run_point`, which solves the point, writes its run folder and turns any failure into its row."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthplan.geodata.errors import HealthplanError
from healthplan.geodata.instance import Instance
from healthplan.scenarios.runner import Mode
from healthplan.scenarios.schema import Scenario
from healthplan.scenarios.sweep_fork import reset_solver_after_fork
from healthplan.scenarios.sweep_grid import SweepPoint
from healthplan.scenarios.sweep_table import summary_columns


@dataclass(frozen=True)
class PointTask:
    """What a worker needs to run one point (pickled to Dask workers; the instance travels separately)."""

    point: SweepPoint
    scenario: Scenario
    out_dir: Path | None
    mode: Mode
    lang: str
    write_reports: bool
    keep_plan: bool  # another point warm-starts from this one


@dataclass
class PointOutcome:
    """A point's result: its sweep.csv row, its wall-clock timings, and its plan when a later point needs
    it."""

    index: int
    row: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    plan: Any = None


OnDone = Callable[[PointOutcome], None]  # called with each finished point (the progress bar)


def point_row(point: SweepPoint, *, status: str = "", error: str = "") -> dict[str, Any]:
    """The first columns of a point's sweep.csv row: position, folder name, swept values, status, error."""
    return {"point": point.index, "slug": point.slug, **point.params, "status": status, "error": error}


def run_point(task: PointTask, instance: Instance, warm: PointOutcome | None = None) -> PointOutcome:
    """Solve one point (warm-started from ``warm``'s plan), write its run folder, and return its row.

    Never raises for a point's own failure: an infeasible scenario or any error becomes ``status``/``error``
    in the row, so the other points go on.
    """
    from healthplan.reports.summary import summary_dict
    from healthplan.scenarios.runner import plan_timings, solve_scenario, write_run_folder

    reset_solver_after_fork()
    t0 = time.perf_counter()
    p = task.point
    row = point_row(p)
    timings: dict[str, float] = {}
    plan = None
    try:
        warm_plan = warm.plan if warm is not None else None
        plan = solve_scenario(task.scenario, instance, mode=task.mode, warm_start=warm_plan)
        timings = plan_timings(plan, {"read_s": 0.0, "travel_s": 0.0})
        summary = summary_dict(instance, plan, timings=timings, scenario_name=task.scenario.name,
                               opt=task.scenario.optimizer_config())
        row.update({k: v for k, v in summary_columns(summary).items() if k not in row})
        row["status"] = str(summary.get("status", ""))
        if task.out_dir is not None:
            write_run_folder(task.out_dir, task.scenario, instance, plan, timings=timings, lang=task.lang,
                             force=True, write_reports=task.write_reports)
    except Exception as exc:  # one point's failure must not lose the others; the message goes into its row
        infeasible = "infeasible" in type(exc).__name__.lower()  # optimizer.errors.InfeasibleError
        row["status"] = "infeasible" if infeasible else (row["status"] or "error")
        row["error"] = error_text(exc, task.lang)
    timings["point_s"] = round(time.perf_counter() - t0, 3)
    keep = task.keep_plan and plan is not None and getattr(plan.solve.status, "has_plan", False)
    return PointOutcome(p.index, row, timings, plan if keep else None)


def error_text(exc: BaseException, lang: str | None = None) -> str:
    """An exception as one line of sweep.csv: a healthplan error's own message, anything else with its type
    and the file:line it came from."""
    if isinstance(exc, HealthplanError):
        text = exc.render(lang or "zh")
    else:
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
        text = f"{type(exc).__name__}: {exc}{where}"
    return " ".join(text.split())  # one line in the CSV
