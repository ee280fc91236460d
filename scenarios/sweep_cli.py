"""The ``healthplan sweep`` and ``healthplan compare`` verbs (attached to the CLI by ``register(app)``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from healthplan.scenarios.sweep import SweepResult

console = Console()
err_console = Console(stderr=True)


def sweep(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
    budget: Annotated[str | None, typer.Option(
        "--budget", help=("budgets in 万元: start:stop:step (inclusive), a list 4000,6000, or one "
                          "value"))] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help=("sweep a scalar key: key.path=v1,v2,… or key.path=start:stop:step (repeatable: a "
                       "grid)"))] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="sweep folder (sweep.csv, sweep.md, "
                                                                 "frontier.png, "
                                                                  "points/)")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace an earlier sweep in --out")] = False,
    serial: Annotated[bool, typer.Option("--serial", help="run the points one by one in this "
                                                          "process")] = False,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help=("worker processes of the local Dask cluster (default: one per "
                                  "core)"))] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh (default) or en")] = None,
    reports: Annotated[bool, typer.Option(
        "--reports", help=("write maps and documents for every point too (default: tables and summaries "
                           "only)"))] = False,
    warm_chain: Annotated[int, typer.Option(
        "--warm-chain", min=1, help="points per warm-start chain along the budget (1 = no warm starts)")] = 2,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="neither read nor write the travel-time cache")] = False,
) -> None:
    """预算情景扫描 · Sweep budgets and scenario keys as a grid (on Dask by default) and compare the results."""
    from healthplan.scenarios.sweep import DEFAULT_WARM_CHAIN, SweepError, parse_budget, parse_set, run_sweep

    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter(f"--lang {lang!r}: use zh or en")
    if serial and (scheduler or workers):
        raise SweepError("--serial cannot be combined with --scheduler or --workers — fix: drop one of them")
    if scheduler and workers:
        raise SweepError("--workers sizes the local cluster and cannot be combined with --scheduler — fix: "
                         "drop it")
    axes = []
    if budget is not None:
        axes.append(parse_budget(budget))
    axes += [parse_set(s) for s in set_ or []]
    if not axes:
        raise SweepError("nothing to sweep — fix: give --budget 2000:12000:500 and/or --set key=v1,v2")
    from healthplan.geodata.cache import caching_disabled

    with caching_disabled(no_cache):  # the sweep's travel times are computed once, in this process
        result = run_sweep(
            scenario, axes, out=out, executor="serial" if serial else "dask", scheduler=scheduler,
            workers=workers,
            force=force, lang=lang, write_reports=reports, warm_chain=warm_chain or DEFAULT_WARM_CHAIN,
            console=err_console,
        )
    _print_sweep(result, lang or "zh")


def _print_sweep(result: SweepResult, lang: str) -> None:
    from rich.table import Table

    from healthplan.scenarios.frontier import coverage_columns
    from healthplan.scenarios.sweep_markdown import coverage_cell, spent_cell

    table = result.table
    zh = lang == "zh"
    params = [a.key for a in result.axes]
    kinds = coverage_columns(table)
    t = Table(title="情景扫描 · sweep" if zh else "Sweep")
    for c in [*(p.split(".")[-1] for p in params), "status", "spent_wan", *(f"{k} %" for k in kinds)]:
        t.add_column(c)
    for _, r in table.iterrows():
        cells = [str(r[p]) for p in params] + [str(r["status"]), spent_cell(r)]
        cells += [coverage_cell(r, k) for k in kinds]
        t.add_row(*cells)
    console.print(t)
    failed = result.failed
    for _, r in failed.iterrows():
        err_console.print(f"[red]{r['slug']}: {r['status']} {r['error']}[/red]", markup=True, highlight=False)
    tm = result.timings
    console.print(f"{len(table)} points, {len(failed)} failed, {tm.get('total_s', 0):.1f} s")
    if result.out_dir is not None:
        console.print(f"[bold]{'结果已写入' if zh else 'Results written to'}[/bold] {result.out_dir.resolve()}")
        for f in result.files:
            console.print(f"  {f}")


def compare(
    runs: Annotated[list[Path], typer.Argument(help="two or more run folders (written by run, or a sweep's "
                                                    "points)")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="folder for compare.md, the tables as CSV and compare_map.png")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace an existing --out")] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="zh (default) or en")] = None,
) -> None:
    """比较方案 · Side by side: coverage, standards, spend, the projects that differ, and a map of the
    differences."""
    from healthplan.scenarios.compare import compare_runs, console_tables

    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter(f"--lang {lang!r}: use zh or en")
    lang = lang or "zh"
    result = compare_runs(runs, out=out, force=force, lang=lang)
    for t in console_tables(result, lang=lang):
        console.print(t)
    if out is None:
        hint = "加 --out 目录 可写出 compare.md、CSV 表与差异图" if lang == "zh" else (
            "add --out DIR to write compare.md, the tables as CSV and the map of differences")
        console.print(hint)
    else:
        for f in result.files:
            console.print(f"  {f}")


def register(app: typer.Typer) -> None:
    """Attach ``sweep`` and ``compare`` to the ``healthplan`` app (called by scenarios.cli at start-up)."""
    names = {c.name for c in app.registered_commands}
    if "sweep" not in names:
        app.command("sweep")(sweep)
    if "compare" not in names:
        app.command("compare")(compare)
