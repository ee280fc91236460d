"""The files of a sweep folder: ``sweep.csv`` (UTF-8 without BOM, ``\\n`` line ends: byte-identical for the
same inputs), ``sweep_timings.csv``, ``frontier.png`` and ``sweep.md``, each written through a temporary
file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from healthplan.scenarios.frontier import plot_frontier
from healthplan.scenarios.sweep_axis import Axis
from healthplan.scenarios.sweep_markdown import sweep_markdown


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


def write_text_atomic(text: str, path: Path) -> Path:
    """Write UTF-8 text through a temporary file, so it is never half-written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return path


def write_sweep_files(
    folder: Path, table: pd.DataFrame, point_timings: pd.DataFrame, *, axes: Sequence[Axis], lang: str
) -> list[Path]:
    """Write sweep.csv, sweep_timings.csv, frontier.png (when a numeric key was swept) and sweep.md, which
    lists the others; return the paths in that order."""
    files = [write_csv_atomic(table, folder / "sweep.csv"),
             write_csv_atomic(point_timings, folder / "sweep_timings.csv")]
    try:
        files.append(plot_frontier(table, folder / "frontier.png", axes=axes, lang=lang))
    except ValueError:
        pass  # nothing to plot against (no numeric axis): sweep.md says so
    md = sweep_markdown(table, axes=axes, lang=lang, files=files)
    files.append(write_text_atomic(md, folder / "sweep.md"))
    return files
