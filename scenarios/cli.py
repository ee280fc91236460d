"""The ``healthplan`` command line: run, baseline, min-budget, check, report, demo, scenario, sweep, compare."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    name="healthplan",
    help="健康规划选址工具 · Siting ambulances, fever clinics/rooms, blood points and sub-centres under a budget.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
demo_app = typer.Typer(help="示范县数据 · The synthetic demo county.", no_args_is_help=True)
scenario_app = typer.Typer(help="情景文件 · Scenario files.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(scenario_app, name="scenario")

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # messages stay whole lines (grep, logs)

ScenarioArg = Annotated[Path, typer.Argument(help="scenario YAML file", exists=False)]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", "-o", help="run folder to write (a new folder; an earlier run is replaced only with --force)")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh (default) or en")]
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="replace an earlier healthplan run folder or an empty one (never one with other files)")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="override a scenario key: key.path=value")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="neither read nor write the travel-time cache")]


def _overrides(pairs: list[str] | None) -> dict[str, object]:
    import yaml

    out: dict[str, object] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise typer.BadParameter(f"--set {pair!r}: expected key=value, e.g. budget_wan=6000")
        key, value = pair.split("=", 1)
        out[key.strip()] = yaml.safe_load(value)
    return out


def _run(scenario: Path, out: Path | None, mode: str, lang: str | None, force: bool, sets: list[str] | None) -> None:
    from healthplan.reports.summary import summary_console
    from healthplan.scenarios.progress import Stages
    from healthplan.scenarios.runner import run_scenario
    from healthplan.scenarios.schema import load_scenario

    if _COMMAND:  # what the imports made lives as long as the process: no collection need scan it again
        gc.freeze()
    scen = load_scenario(scenario, overrides=_overrides(sets))
    lang = _lang(lang, scen.report.lang)
    stages = Stages(err_console)
    result = run_scenario(scen, out=out, mode=mode, force=force, lang=lang, stages=stages)  # type: ignore[arg-type]
    for w in result.instance.warnings:
        err_console.print(f"[yellow]{w.format(lang)}[/yellow]", markup=True, highlight=False)
    console.print(summary_console(result.summary, lang=lang))
    if out is not None:
        head = "结果已写入" if lang == "zh" else "Results written to"
        console.print(f"\n[bold]{head}[/bold] {out.resolve()}")
        from rich.table import Table

        # a grid, so a long list wraps under itself instead of back at column 0
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for name, members in _file_overview(out, result.files, lang):
            grid.add_row(f"  {name}", members)
        console.print(grid)


def _file_overview(out: Path, files: list[Path], lang: str) -> list[tuple[str, str]]:
    """The files a planner opens, grouped: documents, maps, tables (state is hidden); (group name, members).

    Maps are written as PNG and PDF under one name each: listed once by name with the formats they come in
    (「maps/（PNG、PDF）：current, plan, …」), not twice.
    """
    zh = lang == "zh"
    rel = sorted({Path(f).resolve().relative_to(out.resolve()) for f in files
                  if out.resolve() in Path(f).resolve().parents})
    docs = [str(r) for r in rel if r.suffix in (".docx", ".xlsx", ".md", ".html")]
    maps = [r for r in rel if r.parts[0] == "maps"]
    tables = [str(r) for r in rel if r.suffix in (".csv", ".gpkg", ".json") and r.parts[0] != "state"]
    out_rows = []
    if docs:
        out_rows.append(("文档：" if zh else "documents:", ", ".join(docs)))
    if maps:
        names = list(dict.fromkeys(str(r.with_suffix("")).removeprefix("maps/") for r in maps))
        kinds = "、".join(s.upper().lstrip(".") for s in dict.fromkeys(r.suffix for r in maps))
        head = f"maps/（{kinds}）：" if zh else f"maps/ ({kinds.replace('、', ', ')}): "
        out_rows.append(("地图：" if zh else "maps:", head + ", ".join(names)))
    if tables:
        out_rows.append(("数据表：" if zh else "tables:", ", ".join(tables)))
    return out_rows


# The language the running command chose (--lang, else the scenario's report.lang): main() prints an error in it.
_CHOSEN_LANG: dict[str, str] = {}


def _lang(lang: str | None, default: str = "zh") -> str:
    lang = lang or default
    if lang not in ("zh", "en"):
        raise typer.BadParameter(f"--lang {lang!r}: use zh or en")
    _CHOSEN_LANG["lang"] = lang
    return lang


def error_lang(args: list[str]) -> str:
    """The language of an error message: ``--lang`` as written on the command line, else the language the
    command had chosen when it failed (a scenario's ``report.lang``), else Chinese."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    return _CHOSEN_LANG.get("lang", "zh")


@app.command()
def run(scenario: ScenarioArg, out: OutOpt = None, lang: LangOpt = None, force: ForceOpt = False,
        set_: SetOpt = None, baseline: Annotated[bool, typer.Option("--baseline", help="assess today only")] = False,
        no_cache: NoCacheOpt = False) -> None:
    """求解情景并写出方案 · Solve a scenario and write the plan, tables, appendix and maps."""
    _run(scenario, out, "baseline" if baseline else "optimize", lang, force, _no_cache(set_, no_cache))


@app.command("baseline")
def baseline_cmd(scenario: ScenarioArg, out: OutOpt = None, lang: LangOpt = None, force: ForceOpt = False,
                 set_: SetOpt = None, no_cache: NoCacheOpt = False) -> None:
    """现状评估 · Coverage and standards compliance of the county as it is today."""
    _run(scenario, out, "baseline", lang, force, _no_cache(set_, no_cache))


@app.command("min-budget")
def min_budget_cmd(scenario: ScenarioArg, out: OutOpt = None, lang: LangOpt = None, force: ForceOpt = False,
                   set_: SetOpt = None, no_cache: NoCacheOpt = False) -> None:
    """最小预算 · The least capital that meets every hard standard and the scenario's coverage targets."""
    _run(scenario, out, "min_budget", lang, force, _no_cache(set_, no_cache))


@app.command()
def check(scenario: ScenarioArg, lang: LangOpt = None, set_: SetOpt = None,
          no_cache: NoCacheOpt = False) -> None:
    """检查输入 · Validate the scenario and every input file; print a readable report."""
    from healthplan.scenarios.schema import load_scenario

    scen = load_scenario(scenario, overrides=_overrides(_no_cache(set_, no_cache)))
    from healthplan.geodata.load import check_inputs
    from healthplan.scenarios.runner import DEFAULT_CACHE_DIR, cutoff_minutes

    lang = _lang(lang, scen.report.lang)
    from healthplan.optimizer.kinds import SITE_STOCK
    from healthplan.optimizer.prepare import scenario_problems

    inst, report = check_inputs(scen.inputs, scen.travel, cutoff_minutes=cutoff_minutes(scen),
                                cache_dir=scen.travel.cache_dir or DEFAULT_CACHE_DIR.resolve(),
                                scenario_file=scen.source_path, stock=SITE_STOCK)
    if inst is not None:  # what run would refuse about the scenario against these sites, before any solve
        found = scenario_problems(scen.optimizer_config(), inst.sites.index)
        report.extend(found.naming("scenario", scen.source_path) if scen.source_path else found)
        if scen.population.base_year is not None:  # run would project the population: its problems too
            from healthplan.geodata.errors import InputError
            from healthplan.geodata.projection import project_population
            from healthplan.optimizer.prepare import plan_years

            try:
                project_population(inst, scen.population, plan_years(scen)[-1],
                                   where=f"{scen.source_path or 'scenario'} (population)")
            except InputError as err:
                report.extend(err.report)
    for p in report.problems:
        colour = "red" if p.severity == "error" else "yellow"
        console.print(f"[{colour}]{p.format(lang)}[/{colour}]", markup=True, highlight=False)
    if inst is not None:
        zh = lang == "zh"
        console.print(
            (f"需求点 {len(inst.demand)} 个，人口 {inst.population:,} 人；站点 {len(inst.sites)} 个；"
             f"可达点对 {inst.travel.n_pairs:,} 个（{inst.travel.method}，≤ {inst.travel.cutoff_minutes:g} 分钟）")
            if zh else
            (f"{len(inst.demand)} demand points, population {inst.population:,}; {len(inst.sites)} sites; "
             f"{inst.travel.n_pairs:,} reachable pairs ({inst.travel.method}, ≤ {inst.travel.cutoff_minutes:g} min)")
        )
        for note in inst.notes:
            console.print(f"  {note}")
    n_err, n_warn = len(report.errors), len(report.warnings)
    ok = n_err == 0
    msg_zh = f"检查{'通过' if ok else '未通过'}：{n_err} 个错误，{n_warn} 个警告"
    msg_en = f"check {'passed' if ok else 'failed'}: {n_err} errors, {n_warn} warnings"
    console.print(f"[{'green' if ok else 'red'}]{msg_zh if lang == 'zh' else msg_en}[/]")
    if not ok:
        raise typer.Exit(2)


@app.command()
def report(run_dir: Annotated[Path, typer.Argument(help="an existing run folder")], lang: LangOpt = None) -> None:
    """重新生成报告 · Re-render the tables, appendix and maps of an existing run folder."""
    from healthplan.reports.writer import rerender_run

    files = rerender_run(run_dir, lang=lang)
    for f in files:
        console.print(f"  {f}")


@demo_app.command("generate")
def demo_generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="GeoPackage to write")] = Path("demo_county.gpkg"),
    seed: Annotated[int, typer.Option(help="random seed (same seed, same county)")] = 7,
    townships: Annotated[int, typer.Option(help="number of townships")] = 30,
    villages: Annotated[int | None, typer.Option(help="number of villages (default: about 20 per township)")] = None,
    population: Annotated[int, typer.Option(help="total population, persons")] = 1_000_000,
) -> None:
    """生成合成示范县（或省）· Generate a synthetic county (or province) GeoPackage."""
    from healthplan.geodata.demo import generate_cli

    path = generate_cli(out, seed, townships, villages, population)
    console.print(f"{path}")


@demo_app.command("path")
def demo_path() -> None:
    """Print where the bundled demo county GeoPackage is."""
    console.print(str(Path(__file__).resolve().parents[1] / "geodata" / "demo" / "demo_county.gpkg"))


@scenario_app.command("schema")
def scenario_schema() -> None:
    """Print the scenario file's JSON Schema."""
    from healthplan.scenarios.schema import json_schema

    sys.stdout.write(json_schema() + "\n")


@scenario_app.command("show")
def scenario_show(scenario: ScenarioArg, set_: SetOpt = None) -> None:
    """Print a scenario after extends, overrides and defaults (what the run will use)."""
    from healthplan.scenarios.schema import load_scenario

    scen = load_scenario(scenario, overrides=_overrides(set_))
    sys.stdout.write(json.dumps(scen.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")


def _no_cache(sets: list[str] | None, no_cache: bool) -> list[str] | None:
    return [*(sets or []), "travel.cache=false"] if no_cache else sets  # = --set travel.cache=false


def _register_optional() -> None:
    """Attach verbs that live in their own modules (sweep, compare, cache) when present."""
    import importlib

    for mod in ("healthplan.scenarios.sweep_cli", "healthplan.scenarios.cache_cli", "healthplan.scenarios.template_cli"):
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
            continue
        module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI; errors print without a traceback (exit 2) unless --debug is given."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    _CHOSEN_LANG.clear()
    _register_optional()
    try:
        code = app(args=args, prog_name="healthplan", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted" if error_lang(args) == "en" else "已中止")
        return 130
    except Exception as exc:  # our errors, click usage errors and anything unexpected
        # imported here, not at the top: healthplan.geodata loads geopandas, which --help must not wait for
        from healthplan.geodata.errors import HealthplanError, InputError

        en = error_lang(args) == "en"
        if isinstance(exc, HealthplanError):
            if debug:
                raise
            title = ("input error" if en else "输入错误") if isinstance(exc, InputError) else ("error" if en else "错误")
            err_console.print(f"[bold red]{title}[/bold red]")
            err_console.print(exc.render("en" if en else "zh"), markup=False, highlight=False)
            return exc.exit_code
        click_exc = getattr(typer, "_click", None)
        base = click_exc.exceptions.ClickException if click_exc else __import__("click").ClickException
        if isinstance(exc, base):
            exc.show()
            return exc.exit_code
        if debug:
            raise
        title = "internal error" if en else "内部错误"
        err_console.print(f"[bold red]{title}:[/bold red] {type(exc).__name__}: {exc}", markup=True)
        err_console.print("run again with --debug for the traceback, and report it with the scenario file" if en
                          else "请加 --debug 重新运行以查看调用栈，并连同情景文件一起报告此问题")
        return 1
    # standalone_mode=False returns typer.Exit's code instead of raising it
    return code if isinstance(code, int) else 0


# Collect young objects every 20,000 allocations instead of 700 (CPython's default), and the older generations
# as rarely relative to that: a run allocates millions of short-lived objects (pandas, matplotlib), and with
# the default the collector scanned them ≈ 500 times a process, ≈ 1.2 CPU-s of the demo run's 9 with the map
# workers (gc.callbacks, 2026-11-29); now ≈ 0.2 s. Only the command sets it (and the map workers it forks
# inherit it); a program that imports healthplan keeps its own settings.
GC_THRESHOLDS = (20_000, 20, 10)
_COMMAND = False  # this process is the command (entry), not a program calling main()


def entry() -> None:
    """The ``healthplan`` command: :func:`main`, then :func:`exit_now` with its code."""
    global _COMMAND
    _COMMAND = True
    gc.set_threshold(*GC_THRESHOLDS)
    exit_now(main())


def exit_now(code: int) -> None:
    """End the process with ``code`` without the interpreter's teardown when nothing is left to wait for.

    Freeing every module and object of a run (pandas, geopandas, HiGHS …) takes ≈ 0.4 s after the summary is
    printed, and a planner waits for it. The exit handlers still run (logging, the font subsets' folder, map
    workers), then the streams are flushed and the process leaves. With another thread still running that is not
    a daemon (something the interpreter would wait for) it exits the usual way.
    """
    import atexit
    import os
    import threading

    if any(t is not threading.main_thread() and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, a broken pipe or none at all (fd closed)
            pass
    os._exit(code)


if __name__ == "__main__":
    entry()
