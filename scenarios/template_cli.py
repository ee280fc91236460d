"""The ``healthplan template DIR`` verb: empty input templates (XLSX, GeoPackage, scenario) to fill in.

Attached to the CLI by ``register(app)``. The stock columns of the facility template are those the resource
kinds declare (``optimizer.kinds.SITE_STOCK``); geodata writes the files and names no kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(soft_wrap=True)


def template(folder: Annotated[Path, typer.Argument(help="folder to write the templates into (created)")]) -> None:
    """输入模板 · Write empty input templates (XLSX and GeoPackage with Chinese headers, a scenario) to fill in."""
    from healthplan.geodata.template import write_templates
    from healthplan.optimizer.kinds import SITE_STOCK

    paths = write_templates(folder, SITE_STOCK)
    console.print(f"[bold]模板已写入[/bold] {folder.resolve()}")
    for path in paths:
        console.print(f"  {path.name}")
    console.print("填好各表（每个表的“说明”工作表解释各列）后运行：")
    console.print(f"  python -m healthplan check {folder / 'scenario.yaml'}")


def register(app: typer.Typer) -> None:
    """Attach ``template`` to the healthplan CLI."""
    app.command("template")(template)
