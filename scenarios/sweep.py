"""Budget and parameter sweeps: run a grid of scenario variants and write the sweep folder.

A sweep is a grid of scenario variants: budgets × every ``--set key=v1,v2,…`` list. The instance and its
travel times are prepared once (with a travel-time cutoff large enough for every point) and shared by all
points; each point is solved and written to its own run folder ``DIR/points/<slug>``. Points along the
innermost axis (the budget, when swept) form short warm-start chains: a point starts from the plan of the
point before it in its chain. The chains are fixed by the grid alone, never by the executor, so a serial sweep
and a Dask sweep do exactly the same solves and write byte-identical ``sweep.csv`` files.

This module holds :func:`run_sweep`, which puts the steps together; each step is a module of its own:

==========================  ==========================================================================
``sweep_axis``              :class:`Axis`, :class:`SweepError`, ``BUDGET_KEY``
``sweep_keys``              which scenario keys may be swept (:func:`check_key`)
``sweep_options``           ``--budget`` and ``--set`` as axes (:func:`parse_budget`, :func:`parse_set`)
``sweep_grid``              the grid, folder names and warm-start chains (:func:`expand_grid`)
``sweep_scenarios``         one validated scenario per point, the shared instance's scenario
``sweep_point``             one point: task, outcome, :func:`run_point`
``sweep_fork``              fork safety of Dask workers
``sweep_serial``            the serial executor
``sweep_dask``              the Dask executor and the local cluster
``sweep_progress``          the progress bar
``sweep_table``             summaries flattened into the rows of ``sweep.csv``
``sweep_markdown``          ``sweep.md``
``sweep_files``             the files of the sweep folder
==========================  ==========================================================================

The names other code imports from here (``parse_budget``, ``run_sweep`` …) are re-exported below.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from healthplan.geodata.instance import Instance
from healthplan.reports.run_folder import prepare_out, write_folder
from healthplan.scenarios.runner import Mode
from healthplan.scenarios.schema import validate_scenario
from healthplan.scenarios.sweep_axis import BUDGET_KEY, Axis, SweepError
from healthplan.scenarios.sweep_dask import execute_on_dask, local_cluster
from healthplan.scenarios.sweep_files import write_sweep_files
from healthplan.scenarios.sweep_grid import DEFAULT_WARM_CHAIN, SweepPoint, expand_grid
from healthplan.scenarios.sweep_options import parse_budget, parse_set
from healthplan.scenarios.sweep_point import PointTask
from healthplan.scenarios.sweep_progress import SweepProgress
from healthplan.scenarios.sweep_scenarios import (
    base_data,
    point_scenarios,
    shared_instance_scenario,
    validate_axes,
)
from healthplan.scenarios.sweep_serial import execute_serial
from healthplan.scenarios.sweep_table import flatten_summary, sweep_table

# what the CLI, the tests and benchmarks/sweep.py import from here
__all__ = [
    "BUDGET_KEY", "DEFAULT_WARM_CHAIN", "Axis", "Executor", "SweepError", "SweepPoint", "SweepResult",
    "base_data", "expand_grid", "flatten_summary", "local_cluster", "parse_budget", "parse_set",
    "point_scenarios", "run_sweep", "shared_instance_scenario", "validate_axes",
]

Executor = Literal["serial", "dask"]


@dataclass
class SweepResult:
    """A finished sweep: one row per point (grid order), the files written, and where the time went."""

    table: pd.DataFrame
    axes: tuple[Axis, ...]
    out_dir: Path | None
    files: list[Path]
    timings: dict[str, float]
    point_timings: pd.DataFrame

    @property
    def failed(self) -> pd.DataFrame:
        """Rows of the points that did not give a plan."""
        ok = self.table["status"].isin(["optimal", "time_limit", "baseline"])
        return self.table[~ok]


def run_sweep(
    scenario: str | Path,
    axes: Sequence[Axis],
    *,
    out: Path | None,
    executor: Executor = "dask",
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    force: bool = False,
    lang: str | None = None,
    mode: Mode = "optimize",
    write_reports: bool = False,
    warm_chain: int = DEFAULT_WARM_CHAIN,
    instance: Instance | None = None,
    progress: bool = True,
    console: Any = None,
) -> SweepResult:
    """Run a sweep over a scenario file and write ``sweep.csv``, ``sweep_timings.csv``, ``sweep.md``,
    ``frontier.png`` and each point's run folder under ``out/points/``.

    Parameters
    ----------
    scenario
        The scenario file (its ``extends`` chain is followed).
    axes
        From :func:`parse_budget` and :func:`parse_set`; every value is validated before anything runs.
    out
        Sweep folder; ``None`` runs without writing (the table is returned).
    executor
        ``dask`` (default: a local cluster sized to the machine, or ``scheduler``/``client``) or ``serial``.
    write_reports
        ``False`` (default) writes each point's tables, ``summary.json`` and ``summary.md`` but no maps or
        documents (a sweep is about figures; ``--reports`` or ``healthplan run`` on one point for maps);
        ``True`` writes all.
    warm_chain
        Points per warm-start chain along the innermost axis (1 = no warm starts).
    instance
        A ready instance to use instead of reading the scenario's inputs (tests, benchmarks).

    Raises
    ------
    SweepError, ScenarioError, OutputFolderError, InputError
        Before any point runs: bad options, invalid scenario, an ``out`` the rules of
        :mod:`healthplan.reports.run_folder` refuse (existing without ``force``, not healthplan's, a file …),
        bad inputs.
    """
    from healthplan.scenarios.runner import prepare_instance

    t_start = time.perf_counter()
    source = Path(scenario).resolve()
    data = base_data(source)
    base = validate_scenario(data, path=source)
    validate_axes(data, axes, source=source)
    points = expand_grid(axes, warm_chain=warm_chain)
    scens = point_scenarios(data, points, source=source)
    lang = lang or base.report.lang
    protected: list[tuple[str, Path]] = []
    if out is not None:  # every output-folder rule before any work (reports.run_folder)
        from healthplan.scenarios.runner import protected_paths

        out = Path(out)
        protected = protected_paths(base.model_copy(update={"source_path": source}))
        prepare_out(out, force=force, protected=protected)
    timings: dict[str, float] = {}
    if instance is None:
        t0 = time.perf_counter()
        instance = prepare_instance(
            shared_instance_scenario(base.model_copy(update={"source_path": source}), scens))
        timings["instance_s"] = round(time.perf_counter() - t0, 3)
    warm_sources = {p.warm_from for p in points if p.warm_from is not None}
    done: dict[str, Any] = {}

    def execute(folder: Path | None) -> list[Path]:
        """Run every point (each point's run folder under ``folder/points/``) and write the sweep's files."""
        tasks = [
            PointTask(p, s, folder / "points" / p.slug if folder is not None else None, mode, lang,
                      write_reports, p.index in warm_sources)
            for p, s in zip(points, scens, strict=True)
        ]
        cluster = None
        if executor != "serial" and client is None and not scheduler:
            t0 = time.perf_counter()
            cluster = local_cluster(workers)
            timings["cluster_start_s"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        with SweepProgress(len(tasks), enabled=progress, console=console) as advance:
            if executor == "serial":
                outcomes = execute_serial(tasks, instance, advance)
            else:
                outcomes = execute_on_dask(tasks, instance, advance, client=client, scheduler=scheduler,
                                           cluster=cluster, timings=timings)
        timings["points_s"] = round(time.perf_counter() - t0, 3)
        table = done["table"] = sweep_table(outcomes)
        point_timings = done["point_timings"] = pd.DataFrame(
            [{"point": o.index, "slug": tasks[i].point.slug, **o.timings} for i, o in enumerate(outcomes)]
        )
        if folder is None:
            return []
        return write_sweep_files(folder, table, point_timings, axes=axes, lang=lang)

    # the whole sweep folder is built in a temporary sibling and swapped in at the end: never half a sweep
    files = execute(None) if out is None else write_folder(out, execute, kind="sweep", force=force,
                                                             protected=protected)
    table, point_timings = done["table"], done["point_timings"]
    timings["total_s"] = round(time.perf_counter() - t_start, 3)
    return SweepResult(table, tuple(axes), out, files, timings, point_timings)
