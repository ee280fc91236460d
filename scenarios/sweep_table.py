"""The rows of sweep.csv: a point's ``summary.json`` flattened into columns (the wall-clock ones left out, so
the table depends on the inputs alone) and the points' rows assembled in grid order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from healthplan.scenarios.sweep_point import PointOutcome

# Columns of summary.json that are not deterministic (wall-clock seconds): kept out of sweep.csv, written to
# sweep_timings.csv instead, so that sweep.csv depends on the inputs alone.
VOLATILE_PREFIXES = ("timings.",)


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


def summary_columns(summary: dict[str, Any]) -> dict[str, Any]:
    """The columns a point's summary adds to its sweep.csv row: :func:`flatten_summary` without the
    wall-clock ones."""
    return {k: v for k, v in flatten_summary(summary).items() if not k.startswith(VOLATILE_PREFIXES)}


def sweep_table(outcomes: Sequence[PointOutcome]) -> pd.DataFrame:
    """The rows of sweep.csv: grid order, columns in order of first appearance (parameters first)."""
    rows = [o.row for o in sorted(outcomes, key=lambda o: o.index)]
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return pd.DataFrame(rows, columns=list(cols))
