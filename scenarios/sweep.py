"""Budget and parameter sweeps: grid expansion, point runs (serial or on Dask), sweep.csv and sweep.md.

A sweep is a grid of scenario variants: budgets × every ``--set key=v1,v2,…`` list. The instance and its
travel times are prepared once (with a travel-time cutoff large enough for every point) and shared by all
points; each point is solved and written to its own run folder ``DIR/points/<slug>``. Points along the
innermost axis (the budget, when swept) form short warm-start chains: a point starts from the plan of the
point before it in its chain. The chains are fixed by the grid alone, never by the executor, so a serial sweep
and a Dask sweep do exactly the same solves and write byte-identical ``sweep.csv`` files.
"""

from __future__ import annotations

import difflib
import itertools
import math
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pandas as pd
import yaml
from pydantic import BaseModel

from healthplan.geodata.errors import HealthplanError
from healthplan.geodata.instance import Instance
from healthplan.reports.run_folder import prepare_out, write_folder
from healthplan.scenarios.runner import Mode
from healthplan.scenarios.schema import Scenario, ScenarioError, deep_merge, load_raw, validate_scenario

BUDGET_KEY = "budget_wan"
MAX_POINTS = 10_000  # a guard against a mistyped range (e.g. a step of 1 万元 over 100,000 万元)
# Points per warm-start chain: longer chains reuse more, shorter chains parallelise better. The optimizer does
# use the start (HiGHS setSolution), but on the demo county (20 budgets, 2026-11) it saved nothing measurable
# (serial 19.8 s with chains of 2, 19.4 s without): chains are kept short so they cost little parallelism.
DEFAULT_WARM_CHAIN = 2
# Keys that change the instance itself cannot vary inside one sweep: the instance is prepared once for all
# points.
INSTANCE_SECTIONS = ("inputs", "travel")
# Columns of summary.json that are not deterministic (wall-clock seconds): kept out of sweep.csv, written to
# sweep_timings.csv instead, so that sweep.csv depends on the inputs alone.
VOLATILE_PREFIXES = ("timings.",)
SWEEP_FILES = ("sweep.csv", "sweep_timings.csv", "sweep.md", "frontier.png")

Executor = Literal["serial", "dask"]


class SweepError(HealthplanError):
    """A sweep option is invalid (unknown key, bad range, value the schema rejects)."""


# ---------------------------------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class Axis:
    """One swept scenario key with its values, and the option the user wrote (named in error messages)."""

    key: str
    values: tuple[Any, ...]
    option: str


@dataclass(frozen=True)
class SweepPoint:
    """One grid point: its position, its parameter values (axis order), folder name and warm-start source."""

    index: int
    params: dict[str, Any]
    slug: str
    warm_from: int | None = None


def _number(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SweepError(f"{option}: {text!r} is not a number — fix: write e.g. 2000:12000:500 or "
                         "4000,6000") from None
    if not math.isfinite(value):
        raise SweepError(f"{option}: {text!r} is not a finite number")
    return value


def _clean(value: float) -> int | float:
    """Integral floats as int (6000.0 → 6000), so that folder names and YAML values read naturally."""
    return int(value) if float(value).is_integer() else value


def parse_range(spec: str, option: str) -> tuple[int | float, ...] | None:
    """``start:stop:step`` (inclusive of ``stop`` when the steps land on it) → values; ``None`` if not a
    range."""
    parts = spec.split(":")
    if len(parts) == 1:
        return None
    if len(parts) != 3:
        msg = f"{option}: {spec!r} is not a range — fix: write start:stop:step, e.g. 2000:12000:500"
        raise SweepError(msg)
    start, stop, step = (_number(p.strip(), option) for p in parts)
    if step <= 0:
        raise SweepError(f"{option}: step {step:g} in {spec!r} must be > 0 — fix: e.g. "
                         f"{start:g}:{stop:g}:500")
    if stop < start:
        raise SweepError(f"{option}: range {spec!r} runs backwards (stop {stop:g} < start {start:g}) — fix: "
                         "swap them")
    n = math.floor((stop - start) / step + 1e-9) + 1
    if n > MAX_POINTS:
        raise SweepError(f"{option}: range {spec!r} has {n:,} values (most {MAX_POINTS:,}) — fix: use a "
                         "larger step")
    # start + k·step, rounded to the step's decimals: 0.1-steps give 0.3, not 0.30000000000000004
    decimals = max(_decimals(p) for p in parts)
    return tuple(_clean(round(start + k * step, decimals)) for k in range(n))


def _decimals(text: str) -> int:
    text = text.strip().lower()
    if "e" in text:
        return 12
    return len(text.split(".", 1)[1]) if "." in text else 0


def parse_budget(spec: str) -> Axis:
    """``--budget`` → an axis over ``budget_wan`` (万元): ``2000:12000:500`` (inclusive), ``4000,6000`` or
    ``6000``.

    Raises
    ------
    SweepError
        Not a number, a step ≤ 0, a backwards range, a negative budget or too many values; the message names
        ``--budget``.
    """
    option = f"--budget {spec}"
    values = parse_range(spec, option)
    if values is None:
        values = tuple(_clean(_number(v.strip(), option)) for v in spec.split(",") if v.strip())
    if not values:
        raise SweepError(f"{option}: no budget given — fix: e.g. --budget 2000:12000:500")
    negative = [v for v in values if v < 0]
    if negative:
        raise SweepError(f"{option}: budgets are 万元 and must be ≥ 0 (got {negative[0]:g})")
    _no_duplicates(values, option)
    return Axis(BUDGET_KEY, values, "--budget")


def parse_set(spec: str) -> Axis:
    """``--set key=v1,v2,…`` (values as YAML scalars) or ``--set key=start:stop:step`` → an axis.

    The key is a dotted scenario path (``resources.ambulance.busy_fraction``); it is checked against the
    schema by :func:`check_key`, and its values by :func:`validate_axes`.
    """
    if "=" not in spec:
        raise SweepError(f"--set {spec}: expected key=v1,v2,… — fix: e.g. --set "
                         "resources.ambulance.busy_fraction=0.2,0.3")
    key, raw = (s.strip() for s in spec.split("=", 1))
    option = f"--set {key}"
    if not key:
        raise SweepError(f"--set {spec}: the key before '=' is empty")
    check_key(key, option)
    values = parse_range(raw, option) if re.fullmatch(r"[-+0-9.eE\s]+(:[-+0-9.eE\s]+){1,}", raw) else None
    if values is None:
        try:
            values = tuple(yaml.safe_load(v.strip()) for v in raw.split(",") if v.strip())
        except yaml.YAMLError:
            raise SweepError(f"{option}: cannot read the values {raw!r} — fix: write plain values "
                             "v1,v2,…") from None
    if not values:
        raise SweepError(f"{option}: no values after '=' — fix: --set {key}=v1,v2")
    for v in values:
        if isinstance(v, dict | list):
            raise SweepError(f"{option}: {v!r} is not a scalar value — fix: sweep one scalar key at a time")
    _no_duplicates(values, option)
    return Axis(key, tuple(values), option)


def _no_duplicates(values: Sequence[Any], option: str) -> None:
    seen: list[Any] = []
    for v in values:
        if v in seen:
            raise SweepError(f"{option}: the value {v!r} is listed twice — fix: list each value once")
        seen.append(v)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    args = get_args(annotation) or (annotation,)
    for a in args:
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
    return None


def _scalar_allowed(annotation: Any) -> bool:
    """True when the annotation admits a scalar (number, word, bool, Literal, enum) value."""
    origin = get_origin(annotation)
    if origin is Literal:
        return True
    if origin in (list, dict, tuple, set):
        return False
    args = get_args(annotation)
    if args:  # a union such as float | None
        return any(_scalar_allowed(a) for a in args if a is not type(None))
    return isinstance(annotation, type) and not issubclass(annotation, BaseModel)


def check_key(key: str, option: str | None = None) -> None:
    """Check that a dotted key names a scalar scenario setting that may vary within one sweep.

    Raises
    ------
    SweepError
        Unknown key (with "did you mean"), a section rather than a scalar, a list-valued key, or a key of the
        ``inputs``/``travel`` sections (those change the instance, which a sweep prepares once).
    """
    option = option or f"--set {key}"
    parts = key.split(".")
    if parts[0] in INSTANCE_SECTIONS:
        msg = (
            f"{option}: '{key}' changes the instance (inputs or travel times), which a sweep prepares once "
            "for all points — fix: write one scenario file per variant and compare the runs "
            "(healthplan compare)"
        )
        raise SweepError(msg)
    if parts[0] in ("name", "title", "description", "extends", "synthetic", "report", "source_path"):
        raise SweepError(f"{option}: '{key}' is not a model setting — fix: sweep a budget, standard or cost "
                         "key")
    model: type[BaseModel] | None = Scenario
    annotation: Any = None
    for depth, part in enumerate(parts):
        if model is None:
            # a mapping such as earmarks_wan.<kind>: its values are validated with the grid values
            if get_origin(annotation) is dict:
                if depth == len(parts) - 1:
                    return
            where = ".".join(parts[:depth])
            raise SweepError(f"{option}: '{where}' has no sub-key '{part}' — fix: use '{where}' itself")
        fields = model.model_fields
        if part not in fields:
            where = ".".join(parts[:depth]) or "the top level"
            guess = difflib.get_close_matches(part, list(fields), n=1, cutoff=0.6)
            hint = f"did you mean '{'.'.join([*parts[:depth], guess[0]])}'?" if guess else (
                f"keys allowed under {where}: {', '.join(fields)}")
            raise SweepError(f"{option}: unknown scenario key '{key}' — {hint}")
        annotation = fields[part].annotation
        model = _model_of(annotation)
    if model is not None and not _scalar_allowed(annotation):
        sub = ", ".join(model.model_fields)
        raise SweepError(f"{option}: '{key}' is a section, not a scalar — fix: sweep one of its keys ({sub})")
    if not _scalar_allowed(annotation):
        raise SweepError(f"{option}: '{key}' holds a list or mapping — fix: sweep a scalar key (one number "
                         "or word)")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _slug_part(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z._+-]+", "_", text).strip("_") or "x"


def _short_keys(keys: Sequence[str]) -> dict[str, str]:
    """The last part of each dotted key, or more parts where two keys would otherwise clash."""
    out: dict[str, str] = {}
    for key in keys:
        parts = key.split(".")
        for n in range(1, len(parts) + 1):
            short = ".".join(parts[-n:])
            if sum(k.split(".")[-n:] == parts[-n:] for k in keys) == 1:
                break
        out[key] = short
    return out


def expand_grid(axes: Sequence[Axis], *, warm_chain: int = DEFAULT_WARM_CHAIN) -> list[SweepPoint]:
    """The grid in its fixed order: the ``--set`` axes outermost (as given), the budget innermost.

    Each run of consecutive points that differ only in the innermost axis is cut into chains of ``warm_chain``
    points; a point warm-starts from the point before it in its chain (budgets ascending, so the earlier plan
    is feasible for the later one). ``warm_chain=1`` turns warm starts off.
    """
    if warm_chain < 1:
        raise SweepError(f"warm_chain must be ≥ 1 (got {warm_chain})")
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise SweepError(f"the key '{dup}' is swept twice — fix: give all its values in one option")
    ordered = [a for a in axes if a.key != BUDGET_KEY] + [a for a in axes if a.key == BUDGET_KEY]
    if not ordered:
        return [SweepPoint(0, {}, "000", None)]
    inner = ordered[-1]
    if inner.key == BUDGET_KEY:
        inner = replace(inner, values=tuple(sorted(inner.values)))
        ordered[-1] = inner
    short = _short_keys([a.key for a in ordered])
    total = math.prod(len(a.values) for a in ordered)
    if total > MAX_POINTS:
        raise SweepError(f"the grid has {total:,} points (most {MAX_POINTS:,}) — fix: sweep fewer values")
    width = max(3, len(str(total - 1)))
    points = []
    for index, combo in enumerate(itertools.product(*(a.values for a in ordered))):
        params = {a.key: v for a, v in zip(ordered, combo, strict=True)}
        label = "_".join(f"{_slug_part(short[a.key])}-{_slug_part(_fmt(v))}"
                         for a, v in zip(ordered, combo, strict=True))
        pos = index % len(inner.values)  # position along the innermost axis
        warm = index - 1 if pos % warm_chain else None
        points.append(SweepPoint(index, params, f"{index:0{width}d}_{label}", warm))
    # keep the user's axis order in the parameter columns
    return [replace(p, params={a.key: p.params[a.key] for a in axes}) for p in points]


# ---------------------------------------------------------------------------------------------- scenarios


def base_data(scenario: str | Path) -> dict[str, Any]:
    """The scenario file with its ``extends`` chain merged and paths made absolute (as ``load_scenario`` reads
    it)."""
    path = Path(scenario)
    data = load_raw(path)
    data.setdefault("name", path.stem)
    return data


def point_scenario(
    data: dict[str, Any], params: dict[str, Any], *, source: Path | None, where: str
) -> Scenario:
    """Validate the base scenario data with one point's parameters applied."""
    merged = data
    for key, value in params.items():
        nested: Any = value
        for part in reversed(key.split(".")):
            nested = {part: nested}
        merged = deep_merge(merged, nested)
    scen = validate_scenario(merged, path=where)
    return scen.model_copy(update={"source_path": source}) if source is not None else scen


def validate_axes(data: dict[str, Any], axes: Sequence[Axis], *, source: Path | None = None) -> None:
    """Validate every value of every axis against the schema before anything runs.

    Raises
    ------
    SweepError
        Naming the option (``--budget`` / ``--set key``) and the value the schema rejects, with its reason.
    """
    for axis in axes:
        check_key(axis.key, axis.option)
        for value in axis.values:
            try:
                point_scenario(data, {axis.key: value}, source=source, where=f"{axis.option}={_fmt(value)}")
            except ScenarioError as exc:
                detail = str(exc).split("\n", 1)[-1].strip()
                msg = f"{axis.option}: the value {value!r} is not allowed for '{axis.key}': {detail}"
                raise SweepError(msg) from None


def point_scenarios(
    data: dict[str, Any], points: Sequence[SweepPoint], *, source: Path | None = None
) -> list[Scenario]:
    """One validated scenario per point (name = base name + the point's slug; solver threads 1 unless set).

    A sweep's parallelism comes from its points, so each solve is single-threaded unless the scenario asks for
    threads; this also makes a point's answer independent of the executor.
    """
    out = []
    for p in points:
        try:
            scen = point_scenario(data, p.params, source=source, where=f"sweep point {p.slug}")
        except ScenarioError as exc:
            raise SweepError(str(exc)) from None
        if scen.solver.threads is None:
            scen = scen.model_copy(update={"solver": scen.solver.model_copy(update={"threads": 1})})
        out.append(scen.model_copy(update={"name": f"{scen.name}/{p.slug}"}))
    return out


def shared_instance_scenario(base: Scenario, scens: Sequence[Scenario]) -> Scenario:
    """The base scenario with a travel-time cutoff large enough for every point's standards (one instance for
    all)."""
    if base.travel.cutoff_minutes is not None:
        return base
    from healthplan.scenarios.runner import cutoff_minutes

    cut = max(cutoff_minutes(s) for s in [base, *scens])
    return base.model_copy(update={"travel": base.travel.model_copy(update={"cutoff_minutes": cut})})


# ---------------------------------------------------------------------------------------------- one point


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


def flatten_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """``summary.json`` as flat columns: ``coverage.ambulance.after``, ``standards.<name>.met``,
    ``spend_by_kind.x``.

    Lists of records with a ``name`` (the standards) are keyed by that name; other lists of scalars are joined
    with `` | ``.
    """
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
            for rec in value:
                name = str(rec["name"])
                for k, v in rec.items():
                    if k != "name":
                        walk(f"{prefix}.{name}.{k}", v)
        elif isinstance(value, list):
            out[prefix] = " | ".join(str(v) for v in value)
        else:
            out[prefix] = value

    walk("", summary)
    return out


_IMPORT_PID = os.getpid()  # a forked Dask worker inherits this module with its parent's pid
_reset_pid: int | None = None


def _reset_solver_after_fork() -> None:
    """In a forked worker, reset HiGHS's process-wide thread scheduler once: the threads it may have started in
    the parent do not exist in the child."""
    global _reset_pid  # noqa: PLW0603 (one flag per process)
    pid = os.getpid()
    if pid == _IMPORT_PID or _reset_pid == pid:
        return
    try:
        import highspy

        highspy.Highs.resetGlobalScheduler(True)
    except (ImportError, AttributeError):  # another solver, or a highspy without the call: nothing to reset
        pass
    _reset_pid = pid


def run_point(task: PointTask, instance: Instance, warm: PointOutcome | None = None) -> PointOutcome:
    """Solve one point (warm-started from ``warm``'s plan), write its run folder, and return its row.

    Never raises for a point's own failure: an infeasible scenario or any error becomes ``status``/``error``
    in the row, so the other points go on.
    """
    from healthplan.reports.summary import summary_dict
    from healthplan.scenarios.runner import plan_timings, solve_scenario, write_run_folder

    _reset_solver_after_fork()
    t0 = time.perf_counter()
    p = task.point
    row: dict[str, Any] = {"point": p.index, "slug": p.slug, **p.params, "status": "", "error": ""}
    timings: dict[str, float] = {}
    plan = None
    try:
        warm_plan = warm.plan if warm is not None else None
        plan = solve_scenario(task.scenario, instance, mode=task.mode, warm_start=warm_plan)
        timings = plan_timings(plan, {"read_s": 0.0, "travel_s": 0.0})
        summary = summary_dict(instance, plan, timings=timings, scenario_name=task.scenario.name,
                               opt=task.scenario.optimizer_config())
        flat = {k: v for k, v in flatten_summary(summary).items() if not k.startswith(VOLATILE_PREFIXES)}
        row.update({k: v for k, v in flat.items() if k not in row})
        row["status"] = str(summary.get("status", ""))
        if task.out_dir is not None:
            write_run_folder(task.out_dir, task.scenario, instance, plan, timings=timings, lang=task.lang,
                             force=True, write_reports=task.write_reports)
    except Exception as exc:  # one point's failure must not lose the others; the message goes into its row
        infeasible = "infeasible" in type(exc).__name__.lower()  # optimizer.errors.InfeasibleError
        row["status"] = "infeasible" if infeasible else (row["status"] or "error")
        row["error"] = _error_text(exc)
    timings["point_s"] = round(time.perf_counter() - t0, 3)
    keep = task.keep_plan and plan is not None and getattr(plan.solve.status, "has_plan", False)
    return PointOutcome(p.index, row, timings, plan if keep else None)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, HealthplanError):
        text = str(exc)
    else:
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
        text = f"{type(exc).__name__}: {exc}{where}"
    return " ".join(text.split())  # one line in the CSV


# ---------------------------------------------------------------------------------------------- executors


OnDone = Callable[[PointOutcome], None]


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


def _needed_later(tasks: Sequence[PointTask], index: int, after: int) -> bool:
    return any(t.point.warm_from == index and t.point.index > after for t in tasks)


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
            row = {"point": i, "slug": t.point.slug, **t.point.params, "status": "error",
                   "error": f"Dask task failed: {_error_text(exc)}"}
            out = PointOutcome(i, row, {})
        results[i] = out
        if on_done:
            on_done(out)
    inst_future.release()
    return [results[t.point.index] for t in tasks]


def local_cluster(workers: int | None = None) -> Any:
    """A ``distributed.LocalCluster`` sized to the machine: one single-threaded worker process per core, quiet.

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


def import_worker_modules() -> None:
    """Import what a point needs (optimizer, summary, report writer), so forked workers inherit it."""
    from healthplan import optimizer  # noqa: F401
    import healthplan.optimizer.api  # noqa: F401
    import healthplan.reports.summary  # noqa: F401
    import healthplan.reports.writer  # noqa: F401
    import healthplan.scenarios.runner  # noqa: F401


# ---------------------------------------------------------------------------------------------- the sweep


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


def sweep_table(outcomes: Sequence[PointOutcome]) -> pd.DataFrame:
    """The rows of sweep.csv: grid order, columns in order of first appearance (parameters first)."""
    rows = [o.row for o in sorted(outcomes, key=lambda o: o.index)]
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return pd.DataFrame(rows, columns=list(cols))


def write_csv_atomic(df: pd.DataFrame, path: Path) -> Path:
    """Write a CSV (UTF-8, ``\\n`` line ends, no index) through a temporary file, so it is never
    half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        df.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _write_text_atomic(text: str, path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return path


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
        :mod:`reports.run_folder` refuse (existing without ``force``, not healthplan's, a file …), bad inputs.
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
        with _progress_bar(len(tasks), enabled=progress, console=console) as advance:
            if executor == "serial":
                outcomes = execute_serial(tasks, instance, advance)
            else:
                outcomes = _execute_on_dask(tasks, instance, advance, client=client, scheduler=scheduler,
                                            cluster=cluster, timings=timings)
        timings["points_s"] = round(time.perf_counter() - t0, 3)
        table = done["table"] = sweep_table(outcomes)
        point_timings = done["point_timings"] = pd.DataFrame(
            [{"point": o.index, "slug": tasks[i].point.slug, **o.timings} for i, o in enumerate(outcomes)]
        )
        files: list[Path] = []
        if folder is not None:
            files.append(write_csv_atomic(table, folder / "sweep.csv"))
            files.append(write_csv_atomic(point_timings, folder / "sweep_timings.csv"))
            from healthplan.scenarios.frontier import plot_frontier

            try:
                files.append(plot_frontier(table, folder / "frontier.png", axes=axes, lang=lang))
            except ValueError:
                pass  # nothing to plot against (no numeric axis): sweep.md says so
            md = sweep_markdown(table, axes=axes, lang=lang, files=files)
            files.append(_write_text_atomic(md, folder / "sweep.md"))
        return files

    # the whole sweep folder is built in a temporary sibling and swapped in at the end: never half a sweep
    files = execute(None) if out is None else write_folder(out, execute, kind="sweep", force=force,
                                                             protected=protected)
    table, point_timings = done["table"], done["point_timings"]
    timings["total_s"] = round(time.perf_counter() - t_start, 3)
    return SweepResult(table, tuple(axes), out, files, timings, point_timings)


def sweep_markdown(
    table: pd.DataFrame, *, axes: Sequence[Axis], lang: str = "zh", files: Sequence[Path] = ()
) -> str:
    """``sweep.md``: the grid, one line per point (status, spend, coverage share per kind, standards met), the
    budget at which each standard is first met, and the failed points with their messages."""
    from healthplan.scenarios.frontier import coverage_columns, first_met, group_keys, standard_names, x_key

    zh = lang == "zh"
    try:
        from healthplan.reports.i18n import coverage_name, standard_name, status_name
    except ImportError:  # reports absent: raw keys are still readable
        coverage_name = standard_name = status_name = lambda k, lang: k  # noqa: E731
    n_fail = int((table["error"].astype(str) != "").sum()) if "error" in table else 0
    lines = ["# 情景扫描结果" if zh else "# Sweep results", ""]
    if len(table) and "scenario" in table:
        lines += [f"- {'情景' if zh else 'Scenario'}: {str(table['scenario'].iloc[0]).split('/')[0]}"]
    for a in axes:
        lines.append(f"- `{a.key}` ({a.option}): {', '.join(_fmt(v) for v in a.values)}")
    lines += [f"- {'点数' if zh else 'Points'}: {len(table)}" + (f" ({n_fail} {'个失败' if zh else 'failed'})"
                                                                if n_fail else ""), ""]
    kinds = coverage_columns(table)
    stds = standard_names(table)
    params = [a.key for a in axes]
    hdr = [*params, "状态" if zh else "status", "投资(万元)" if zh else "spent (万元)"]
    hdr += [f"{coverage_name(k, lang)} %" for k in kinds]
    hdr += ["达标标准" if zh else "standards met"]
    lines += ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for _, r in table.iterrows():
        cells = [_fmt(r[k]) for k in params]
        cells.append(status_name(str(r.get("status", "")), lang))
        spent = r.get("spent_wan")
        cells.append("" if spent is None or pd.isna(spent) else f"{float(spent):,.1f}")
        for k in kinds:
            a, pop = r.get(f"coverage.{k}.after"), r.get(f"coverage.{k}.population")
            ok = a is not None and pop is not None and not pd.isna(a) and not pd.isna(pop) and float(pop) > 0
            cells.append(f"{100 * float(a) / float(pop):.1f}" if ok else "")
        met = [r.get(f"standards.{s}.met") for s in stds]
        cells.append(f"{sum(m is True or str(m).lower() == 'true' for m in met)}/{len(stds)}" if stds else "")
        lines.append("| " + " | ".join(cells) + " |")
    try:
        x = x_key(table, axes)
    except ValueError:
        x = None
    if x is not None and stds:
        groups = group_keys(axes, x)
        marks = first_met(table, x, groups)
        head = "各标准首次达标的" + ("预算(万元)" if x == BUDGET_KEY else f" `{x}`") if zh else (
            f"First {'budget (万元)' if x == BUDGET_KEY else f'`{x}`'} from which each standard is met")
        lines += ["", f"## {head}", "", "| " + " | ".join([*groups, "标准" if zh else "standard", x]) + " |",
                  "|" + "---|" * (len(groups) + 2)]
        for _, m in marks.iterrows():
            val = "—" if pd.isna(m["first_met"]) else _fmt(m["first_met"])
            cells = [*(_fmt(m[g]) for g in groups), standard_name(m["standard"], lang), val]
            lines.append("| " + " | ".join(cells) + " |")
    elif x is None:
        lines += ["", "（无数值扫描键，未绘制覆盖率曲线）" if zh else "(no numeric swept key: no frontier drawn)"]
    if n_fail:
        lines += ["", "## 失败的点" if zh else "## Failed points", ""]
        for _, r in table[table["error"].astype(str) != ""].iterrows():
            lines.append(f"- `{r['slug']}` ({r['status']}): {r['error']}")
    if files:
        lines += ["", "## 文件" if zh else "## Files", ""]
        lines += [f"- {Path(f).name}" for f in files]
        note = ("各点运行目录：表格与摘要；需要地图与文档时加 --reports 重新扫描" if zh else
                "one run folder per point: tables and summaries; for maps and documents sweep with --reports")
        lines.append(f"- points/ ({note})")
    return "\n".join(lines) + "\n"


def _execute_on_dask(
    tasks: Sequence[PointTask], instance: Instance, advance: OnDone, *, client: Any, scheduler: str | None,
    cluster: Any, timings: dict[str, float],
) -> list[PointOutcome]:
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


class _ProgressCtx:
    def __init__(self, total: int, enabled: bool, console: Any):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self.total = total
        self.progress = None
        self.task = None
        self.failed = 0

    def __enter__(self) -> OnDone:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=self.console)
            self.progress.start()
            self.task = self.progress.add_task("情景点 / sweep points", total=self.total)
        return self.advance

    def advance(self, outcome: PointOutcome) -> None:
        if outcome.row.get("error"):
            self.failed += 1
        if self.progress is not None:
            desc = "情景点 / sweep points" + (f" ({self.failed} failed)" if self.failed else "")
            self.progress.update(self.task, advance=1, description=desc)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def _progress_bar(total: int, *, enabled: bool, console: Any) -> _ProgressCtx:
    return _ProgressCtx(total, enabled, console)
