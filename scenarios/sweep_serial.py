"""The serial executor: a sweep's points one after another in this process, in grid order (``--serial``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from healthplan.geodata.instance import Instance
from healthplan.scenarios.sweep_point import OnDone, PointOutcome, PointTask, run_point


def _needed_later(tasks: Sequence[PointTask], index: int, after: int) -> bool:
    return any(t.point.warm_from == index and t.point.index > after for t in tasks)


def execute_serial(
    tasks: Sequence[PointTask], instance: Instance, on_done: OnDone | None = None
) -> list[PointOutcome]:
    """Run the points one after another in this process, in grid order."""
    results: dict[int, PointOutcome] = {}
    for task in tasks:
        wf = task.point.warm_from
        out = run_point(task, instance, results.get(wf) if wf is not None else None)
        results[task.point.index] = out
        if wf is not None and not _needed_later(tasks, wf, task.point.index):
            results[wf] = replace(results[wf], plan=None)  # free the plan once its follower ran
        if on_done:
            on_done(out)
    return [results[t.point.index] for t in tasks]
