"""What a sweep axis is: one swept scenario key with its values, the error every sweep option raises, and
how a swept value is written (folder names, sweep.md, error messages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from healthplan.geodata.errors import HealthplanError

BUDGET_KEY = "budget_wan"
MAX_POINTS = 10_000  # a guard against a mistyped range (e.g. a step of 1 万元 over 100,000 万元)


class SweepError(HealthplanError):
    """A sweep option is invalid (unknown key, bad range, value the schema rejects)."""


@dataclass(frozen=True)
class Axis:
    """One swept scenario key with its values, and the option the user wrote (named in error messages)."""

    key: str
    values: tuple[Any, ...]
    option: str


def format_value(value: Any) -> str:
    """A swept value as text: floats without trailing zeros (0.3, 2500), everything else as ``str``."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
