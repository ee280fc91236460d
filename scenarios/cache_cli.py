"""The ``healthplan cache`` verbs: where the travel-time cache is, how big, and emptying it.

Attached to the CLI by ``register(app)``. The folder is ``--dir``, else the scenario's
``travel.cache_dir`` (``--scenario``), else ``.healthplan-cache`` in the current folder, the same rule the run
commands follow. Only files the cache owns (``travel-<sha256>.npz`` entries and their ``.tmp`` partial
writes) are counted or removed, so a ``cache_dir`` pointed at a folder of the user's keeps everything else.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


console = Console(soft_wrap=True)  # a path or a line stays whole (grep, logs)

cache_app = typer.Typer(help="旅行时间缓存 · The travel-time cache: where it is, its size, clearing it.",
                        no_args_is_help=True)

DirOpt = Annotated[Path | None, typer.Option("--dir", help="cache folder (default: .healthplan-cache here)")]
ScenarioOpt = Annotated[Path | None, typer.Option("--scenario", help="use this scenario's travel.cache_dir")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh (default) or en")]


def cache_folder(folder: Path | None, scenario: Path | None) -> tuple[Path, float]:
    """The cache folder (absolute) and its size cap in MB, as a run of ``scenario`` would use them."""
    from healthplan.geodata.config import TravelConfig
    from healthplan.scenarios.runner import DEFAULT_CACHE_DIR

    cap = TravelConfig().cache_max_mb
    if scenario is not None:
        from healthplan.scenarios.schema import load_scenario

        travel = load_scenario(scenario).travel
        cap = travel.cache_max_mb
        folder = folder or travel.cache_dir
    folder = (folder or DEFAULT_CACHE_DIR).resolve()
    if folder.exists() and not folder.is_dir():
        from healthplan.geodata.errors import HealthplanError  # here: healthplan.geodata loads geopandas

        raise HealthplanError(f"the cache folder {folder} is a file — fix: give a folder with --dir, or set "
                              "travel.cache_dir to a folder")
    return folder, cap


@cache_app.command("info")
def info(folder: DirOpt = None, scenario: ScenarioOpt = None, lang: LangOpt = None,
         verify: Annotated[bool, typer.Option("--verify", help="also read every entry and check its format "
                                                                "and checksum")] = False) -> None:
    """缓存位置与大小 · Where the cache is, its entries and total size (MB)."""
    from healthplan.geodata.cache import BYTES_PER_MB, check_file, list_entries, list_temporary

    path, cap = cache_folder(folder, scenario)
    zh = _zh(lang)
    entries = list_entries(path)
    total = sum(e.size for e in entries) / BYTES_PER_MB
    temps = list_temporary(path)
    state = "" if path.is_dir() else ("（尚未建立）" if zh else " (not created yet)")
    console.print(f"{'缓存位置' if zh else 'cache folder'}: {path}{state}", highlight=False)
    console.print((f"条目 {len(entries)} 个，共 {total:,.1f} MB（上限 {cap:,.0f} MB）" if zh else
                   f"{len(entries)} entries, {total:,.1f} MB in all (cap {cap:,.0f} MB)"), highlight=False)
    if entries:
        newest, oldest = _when(entries[-1].last_used), _when(entries[0].last_used)
        console.print(f"{'最近使用' if zh else 'last used'}: {newest}; "
                      f"{'最久未用' if zh else 'least recently used'}: {oldest}", highlight=False)
    if temps:
        console.print((f"中断写入留下的临时文件 {len(temps)} 个（cache clear 可删除）" if zh else
                       f"{len(temps)} temporary files left by interrupted writes (cache clear removes "
                       "them)"), highlight=False)
    if verify:
        bad = [(e.path.name, reason) for e in entries if (reason := check_file(e.path)) is not None]
        console.print((f"校验：{len(entries) - len(bad)} 个完好，{len(bad)} 个损坏（下次使用时会重算并覆盖）" if zh
                       else f"verified: {len(entries) - len(bad)} sound, {len(bad)} damaged (recomputed and "
                       "replaced when next used)"), highlight=False)
        for name, reason in bad:
            console.print(f"  [yellow]{name}: {reason}[/yellow]", highlight=False)


@cache_app.command("clear")
def clear(folder: DirOpt = None, scenario: ScenarioOpt = None, lang: LangOpt = None) -> None:
    """清空缓存 · Remove every cache entry (the next run recomputes its travel times)."""
    from healthplan.geodata.cache import BYTES_PER_MB
    from healthplan.geodata.cache import clear as clear_folder

    path, _cap = cache_folder(folder, scenario)
    zh = _zh(lang)
    n, size = clear_folder(path)
    mb = size / BYTES_PER_MB
    console.print((f"已从 {path} 删除 {n} 个文件（{mb:,.1f} MB）" if zh else
                   f"removed {n} files ({mb:,.1f} MB) from {path}"), highlight=False)


def _zh(lang: str | None) -> bool:
    if lang not in (None, "zh", "en"):
        raise typer.BadParameter(f"--lang {lang!r}: use zh or en")
    return lang != "en"


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def register(app: typer.Typer) -> None:
    """Attach ``healthplan cache info|clear``."""
    app.add_typer(cache_app, name="cache")
