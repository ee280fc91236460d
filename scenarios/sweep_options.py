"""The sweep's command-line options as axes: ``--budget`` (万元) and ``--set key=…`` read into :class:`Axis`
values (ranges ``start:stop:step``, lists ``v1,v2``), every mistake named by its option."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import yaml

from healthplan.scenarios.sweep_axis import BUDGET_KEY, MAX_POINTS, Axis, SweepError
from healthplan.scenarios.sweep_keys import check_key


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


def _decimals(text: str) -> int:
    text = text.strip().lower()
    if "e" in text:
        return 12
    return len(text.split(".", 1)[1]) if "." in text else 0


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


def _no_duplicates(values: Sequence[Any], option: str) -> None:
    seen: list[Any] = []
    for v in values:
        if v in seen:
            raise SweepError(f"{option}: the value {v!r} is listed twice — fix: list each value once")
        seen.append(v)


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
    schema by :func:`~healthplan.scenarios.sweep_keys.check_key`, and its values by
    :func:`~healthplan.scenarios.sweep_scenarios.validate_axes`.
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
