"""The sweep grid: axes expanded into points in a fixed order, each with its folder name (slug) and the point
it warm-starts from. The chains are fixed by the grid alone, never by the executor, so a serial sweep and a
Dask sweep do exactly the same solves."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from healthplan.scenarios.sweep_axis import BUDGET_KEY, MAX_POINTS, Axis, SweepError, format_value

# Points per warm-start chain: longer chains reuse more, shorter chains parallelise better. The optimizer does
# use the start (HiGHS setSolution), but on the demo county (20 budgets, 2026-11) it saved nothing measurable
# (serial 19.8 s with chains of 2, 19.4 s without): chains are kept short so they cost little parallelism.
DEFAULT_WARM_CHAIN = 2


@dataclass(frozen=True)
class SweepPoint:
    """One grid point: its position, its parameter values (axis order), folder name and warm-start source."""

    index: int
    params: dict[str, Any]
    slug: str
    warm_from: int | None = None


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
        label = "_".join(f"{_slug_part(short[a.key])}-{_slug_part(format_value(v))}"
                         for a, v in zip(ordered, combo, strict=True))
        pos = index % len(inner.values)  # position along the innermost axis
        warm = index - 1 if pos % warm_chain else None
        points.append(SweepPoint(index, params, f"{index:0{width}d}_{label}", warm))
    # keep the user's axis order in the parameter columns
    return [replace(p, params={a.key: p.params[a.key] for a in axes}) for p in points]
