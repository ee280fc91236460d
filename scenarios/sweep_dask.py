"""The Dask executor: a sweep's points as Dask tasks on a local cluster (forked from this process on Linux),
an existing scheduler (``--scheduler``) or a given client; the instance is scattered to every worker once."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from healthplan.geodata.instance import Instance
from healthplan.scenarios.sweep_axis import SweepError
from healthplan.scenarios.sweep_fork import import_worker_modules
from healthplan.scenarios.sweep_point import OnDone, PointOutcome, PointTask, error_text, point_row, run_point


def execute_dask(
    tasks: Sequence[PointTask], instance: Instance, client: Any, on_done: OnDone | None = None
) -> list[PointOutcome]:
    """Run the points as Dask tasks: the instance is scattered to every worker once; a warm-started point
    depends on its predecessor's task, so chains run in order and different chains run in parallel."""
    from distributed import as_completed

    inst_future = client.scatter(instance, broadcast=True, hash=False)
    futures: dict[int, Any] = {}
    for task in tasks:
        wf = task.point.warm_from
        futures[task.point.index] = client.submit(
            run_point, task, inst_future, futures[wf] if wf is not None else None,
            key=f"healthplan-point-{task.point.slug}-{os.getpid()}-{time.monotonic_ns()}", pure=False,
            priority=-task.point.index,  # earlier grid points first: chain heads start before later chains
        )
    index_of = {f.key: i for i, f in futures.items()}
    results: dict[int, PointOutcome] = {}
    for fut in as_completed(list(futures.values())):
        i = index_of[fut.key]
        if fut.status == "finished":
            out = fut.result()
            out = replace(out, plan=None)
        else:  # the worker died or the task could not run at all
            exc = fut.exception()
            t = tasks[[t.point.index for t in tasks].index(i)]
            message = f"Dask task failed: {error_text(exc)}"
            out = PointOutcome(i, point_row(t.point, status="error", error=message))
        results[i] = out
        if on_done:
            on_done(out)
    inst_future.release()
    return [results[t.point.index] for t in tasks]


def local_cluster(workers: int | None = None) -> Any:
    """A ``distributed.LocalCluster`` sized to the machine: one single-threaded worker process per core,
    quiet.

    On Linux the workers are forked from this process after it has imported the optimizer and the report
    writer, so a worker starts in well under a second with nothing left to import (spawned workers take 3–5 s
    each to import geopandas, PuLP and matplotlib, a large share of a 20-point county sweep). Elsewhere, where
    fork is unsafe, Dask's default (spawn) is kept.
    """
    import logging

    import dask
    from distributed import LocalCluster

    import_worker_modules()
    n = workers or os.cpu_count() or 1
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    with dask.config.set({"distributed.worker.multiprocessing-method": method}):
        return LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, silence_logs=logging.ERROR,
            dashboard_address=None, memory_limit=0,
        )


def execute_on_dask(
    tasks: Sequence[PointTask], instance: Instance, advance: OnDone, *, client: Any, scheduler: str | None,
    cluster: Any, timings: dict[str, float],
) -> list[PointOutcome]:
    """Run the points on ``client`` if given (left open), else on a client of ``scheduler`` or of the started
    local ``cluster`` (both closed at the end); the seconds to connect and to close go into ``timings``.

    Raises
    ------
    SweepError
        ``scheduler`` cannot be reached (the message names ``--scheduler`` and the address).
    """
    if client is not None:
        return execute_dask(tasks, instance, client, advance)
    from distributed import Client

    if scheduler:
        t0 = time.perf_counter()
        try:
            cl = Client(scheduler, timeout="10s")
        except OSError as exc:
            msg = (f"--scheduler {scheduler}: cannot connect ({exc}) — fix: check the address "
                   "(tcp://host:8786)")
            raise SweepError(msg) from None
        timings["cluster_start_s"] = round(time.perf_counter() - t0, 3)
    else:
        cl = Client(cluster)
    try:
        return execute_dask(tasks, instance, cl, advance)
    finally:
        t0 = time.perf_counter()
        cl.close()
        if cluster is not None:
            cluster.close()
        timings["cluster_stop_s"] = round(time.perf_counter() - t0, 3)
