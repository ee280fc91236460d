"""The scenario-key reference (scenarios/KEYS.md), generated from the pydantic schema: every key, type,
default, unit and source.

Run ``python -m scenarios.keys_doc`` to rewrite ``scenarios/KEYS.md``; a test checks the committed file is
current.
"""

from __future__ import annotations

import enum
import json
import sys
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

KEYS_MD = Path(__file__).resolve().parent / "KEYS.md"
SKIP = {"source_path"}  # set by the loader, never written by a user

HEADER = """# Scenario keys

Generated from the schema by `python -m scenarios.keys_doc` — do not edit by hand.
A scenario file sets only what differs from these defaults (and may `extends:` another file). Units are in the
descriptions: minutes (min), persons, 万元 (10,000 CNY); a description's grade says where a default comes from
(A official, B paper, C one local project, ASSUMPTION no source — reports flag these when you leave them
unset; the README section "Standards and their sources" lists them). Any scalar key can be swept:
`healthplan sweep FILE --set dotted.key=v1,v2`.
"""


def type_name(annotation: Any) -> str:
    """A short readable type: ``number``, ``integer``, ``text``, ``yes/no``, ``"a" | "b"``, ``list of …``."""
    if annotation is type(None):
        return "null"
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Literal:
        return " | ".join(json.dumps(a, ensure_ascii=False) for a in args)
    if origin in (Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin is list:
        return f"list of {type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping {type_name(args[0])} → {type_name(args[1])}" if args else "mapping"
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "yes/no"
        if issubclass(annotation, int):
            return "integer"
        if issubclass(annotation, float):
            return "number"
        if issubclass(annotation, enum.Enum):
            return "level" if annotation.__name__ == "Level" else annotation.__name__
        if issubclass(annotation, str):
            return "text"
        if issubclass(annotation, Path):
            return "path"
        if issubclass(annotation, BaseModel):
            return "section"
    return str(annotation)


def default_text(value: Any) -> str:
    """A default as it would be written in YAML (``null`` for None; sections are summarised elsewhere)."""
    if isinstance(value, BaseModel):
        return "(section)"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, list):
        return "[" + ", ".join(default_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {default_text(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
    if isinstance(value, Path):
        return str(value)
    return str(value)


def _default(field: Any) -> Any:
    if field.default is not PydanticUndefined:
        return field.default
    if field.default_factory is not None:
        return field.default_factory()
    return PydanticUndefined


def _model(annotation: Any) -> type[BaseModel] | None:
    for a in get_args(annotation) or (annotation,):
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
    return None


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rows(model: type[BaseModel], prefix: str = "") -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Sections (dotted prefix) with their rows ``(key, type, default, description)``, depth first."""
    own: list[tuple[str, str, str, str]] = []
    subs: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    for name, field in model.model_fields.items():
        if name in SKIP:
            continue
        key = f"{prefix}{name}"
        sub = _model(field.annotation)
        desc = field.description or ""
        if sub is not None and get_origin(field.annotation) not in (list, dict):
            default = _default(field)
            if sub.__name__ == "StandardRule" and isinstance(default, BaseModel):
                # a rule is small: one row with its default inline, and its two keys documented once below
                own.append((key, "rule (mode, weight)", f"mode: {default.mode}, weight: {default.weight:g}",
                            desc or "how the standard enters the model (see `StandardRule` keys)"))
                continue
            doc = " ".join((sub.__doc__ or "").strip().split("\n\n")[0].split())
            if isinstance(default, BaseModel) or default is PydanticUndefined:
                own.append((key, "section", "" if default is not PydanticUndefined else "required", desc or doc))
            else:  # a scalar or a section (e.g. a built-in key or {zh, en}): its scalar default is what applies
                own.append((key, type_name(field.annotation), default_text(default), desc or doc))
            subs.extend(rows(sub, f"{key}."))
            continue
        default = _default(field)
        shown = "required" if default is PydanticUndefined else default_text(default)
        own.append((key, type_name(field.annotation), shown, desc))
    return [(prefix.rstrip(".") or "(top level)", own), *subs]


def keys_markdown() -> str:
    """The whole reference as Markdown: one table per section, in schema order, then the standard-rule
    keys."""
    from healthplan.optimizer.config import StandardRule
    from healthplan.scenarios.schema import Scenario

    out = [HEADER]
    for section, items in rows(Scenario):
        if not items:
            continue
        out += [f"## `{section}`" if section != "(top level)" else "## Top level", ""]
        doc = _section_doc(section)
        if doc:
            out += [doc, ""]
        out += ["| key | type | default | unit, meaning and source |", "|---|---|---|---|"]
        out += [f"| `{_cell(k)}` | {_cell(t)} | {_cell(d)} | {_cell(desc)} |" for k, t, d, desc in items]
        out.append("")
    out += ["## Standard rules (`…rule`, `…mandate`, `fleet`, …)", "",
            (StandardRule.__doc__ or "").strip().replace("\n", " ").replace("    ", " "), "",
            "| key | type | default | meaning |", "|---|---|---|---|"]
    for name, field in StandardRule.model_fields.items():
        out.append(f"| `{name}` | {_cell(type_name(field.annotation))} | {default_text(_default(field))} | "
                   f"{_cell(field.description or '')} |")
    return "\n".join(out).rstrip() + "\n"


def _section_doc(section: str) -> str:
    from healthplan.scenarios.schema import Scenario

    model: Any = Scenario
    if section == "(top level)":
        return ""
    for part in section.split("."):
        field = model.model_fields.get(part)
        if field is None:
            return ""
        model = _model(field.annotation)
        if model is None:
            return ""
    return " ".join((model.__doc__ or "").split())


def write(path: Path = KEYS_MD) -> Path:
    """Write the reference to ``path`` (default ``scenarios/KEYS.md``)."""
    path.write_text(keys_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(f"{write(Path(sys.argv[1]) if len(sys.argv) > 1 else KEYS_MD)}\n")
