"""Which scenario keys a sweep may vary: a dotted key is checked against the scenario schema before any value
is read (unknown keys with "did you mean", sections, lists, and keys that would change the shared
instance)."""

from __future__ import annotations

import difflib
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from healthplan.scenarios.schema import Scenario
from healthplan.scenarios.sweep_axis import SweepError

# Keys that change the instance itself cannot vary inside one sweep: the instance is prepared once for all
# points.
INSTANCE_SECTIONS = ("inputs", "travel")
# Top-level keys that name or describe the scenario rather than set the model.
NOT_MODEL_KEYS = ("name", "title", "description", "extends", "synthetic", "report", "source_path")


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
    if parts[0] in NOT_MODEL_KEYS:
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
