"""The scenario file: one validated pydantic model composed of the geodata, optimizer and report sections.

A scenario may ``extends:`` another (deep merge, the child wins); unknown keys are errors with a "did you mean"
suggestion; relative paths resolve against the file that wrote them.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError

from healthplan.geodata.config import InputsConfig, TravelConfig
from healthplan.geodata.errors import HealthplanError
from healthplan.geodata.projection import PopulationProjection
from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.config import ReportConfig


class ScenarioError(HealthplanError):
    """A scenario file cannot be read or does not validate."""


class Scenario(OptimizerConfig):
    """A whole scenario: inputs, travel times, resources and standards, budget, phasing, objective, solver, report."""

    name: str = Field(default="", description="short name; default: the file name without extension")
    title: str | None = Field(default=None, description="title of maps and appendix")
    description: str = Field(default="", description="free text")
    extends: str | None = Field(default=None, description="path of a scenario this one modifies (deep merge)")
    synthetic: bool = Field(default=False, description="the inputs are synthetic (maps and tables say so)")
    inputs: InputsConfig = InputsConfig()
    travel: TravelConfig = TravelConfig()
    report: ReportConfig = ReportConfig()
    population: PopulationProjection = Field(
        default_factory=PopulationProjection,
        description="carry the census population to the plan's target year (base_year, growth per year)")
    source_path: Path | None = Field(default=None, description="set by the loader: the scenario file", exclude=True)

    def optimizer_config(self) -> OptimizerConfig:
        """The optimizer's part of the scenario, as its own typed object."""
        fields = OptimizerConfig.model_fields
        return OptimizerConfig(**{k: getattr(self, k) for k in fields})

    @property
    def display_title(self) -> str:
        """Title for maps and documents."""
        return self.report.title or self.title or self.name


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base`` recursively (mappings merge, everything else is replaced)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def duplicate_keys(text: str) -> list[str]:
    """List every key written twice in one mapping of a YAML text, with its dotted place and both lines.

    E.g. ``'resources.blood.enabled' (lines 3 and 4)``. Plain YAML silently keeps the last one, so a scenario
    with two ``budget_wan:`` lines would run on one of them without a word. Keys merged in with
    ``<<: *anchor`` may be overridden, as YAML means. Raises :class:`yaml.YAMLError` when the text is not
    YAML.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        found: list[tuple[int, str]] = []
        seen_nodes: set[int] = set()

        def walk(node: yaml.Node | None, place: str) -> None:
            if node is None or id(node) in seen_nodes:  # an alias repeats a node already walked
                return
            seen_nodes.add(id(node))
            if isinstance(node, yaml.SequenceNode):
                for i, item in enumerate(node.value):
                    walk(item, f"{place}[{i}]")
            if not isinstance(node, yaml.MappingNode):
                return
            lines: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = loader.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                dotted = f"{place}.{key}" if place else str(key)
                try:
                    first = lines.get(key)
                except TypeError:  # an unhashable key: yaml.safe_load reports it
                    continue
                if first is not None:
                    found.append((line, f"{dotted!r} (lines {first} and {line})"))
                else:
                    lines[key] = line
                walk(value_node, dotted)

        walk(root, "")
        return [text for _line, text in sorted(found)]
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    """Read the file as text: UTF-8 (with or without BOM), else GB18030 (Notepad on Chinese Windows: GBK)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        msg = f"scenario file {path} not found — fix: check the path (relative paths start from the current folder)"
        raise ScenarioError(msg) from None
    except IsADirectoryError:
        msg = f"{path} is a folder, not a scenario file — fix: give the path of the .yaml file"
        raise ScenarioError(msg) from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file: {exc.strerror or exc}") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ScenarioError(f"{path}: the scenario file is not text (not UTF-8 or GBK) — fix: save it as UTF-8")


_EMPTY_FIX = ("write at least its inputs, e.g. inputs: {demand: demand.csv, sites: sites.csv, travel_times: "
              "od.csv} (see scenarios/examples/csv/minimal.yaml)")


def _read_yaml(path: Path) -> dict[str, Any]:
    text = _read_text(path)
    if "\x00" in text:
        msg = f"{path}: the scenario file is not text (it holds NUL bytes) — fix: give the .yaml file"
        raise ScenarioError(msg)
    try:
        dups = duplicate_keys(text)
        data = yaml.safe_load(text) if not dups else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        msg = f"{path}: not valid YAML{where}: {problem} — fix: check indentation and colons"
        raise ScenarioError(msg) from None
    except RecursionError:
        msg = f"{path}: the YAML is nested too deeply to read — fix: simplify the file"
        raise ScenarioError(msg) from None
    if dups:
        head = "a key is" if len(dups) == 1 else f"{len(dups)} keys are"
        msg = (f"{path}: {head} written twice in the same mapping: {'; '.join(dups)} — YAML would silently "
               "keep only the last; fix: delete or merge the repeated lines")
        raise ScenarioError(msg)
    if data is None:
        msg = f"{path}: the scenario file is empty (nothing but blank lines or comments) — fix: {_EMPTY_FIX}"
        raise ScenarioError(msg)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario must be a mapping of keys (got {type(data).__name__})")
    return data


_PATH_SECTIONS = ("inputs",)


def _absolutise_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make the input paths written in one file absolute against that file's folder (before merging)."""
    data = dict(data)
    inputs = data.get("inputs")
    if isinstance(inputs, dict):
        new = {}
        for key, spec in inputs.items():
            if isinstance(spec, str):
                spec = {"path": spec}
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                p = Path(spec["path"])
                spec = {**spec, "path": str(p if p.is_absolute() else (base / p).resolve())}
            new[key] = spec
        data["inputs"] = new
    travel = data.get("travel")
    if isinstance(travel, dict) and isinstance(travel.get("cache_dir"), str):
        p = Path(travel["cache_dir"])
        data["travel"] = {**travel, "cache_dir": str(p if p.is_absolute() else (base / p).resolve())}
    return data


def load_raw(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and everything it ``extends``, merged, with paths made absolute."""
    path = Path(path).resolve()
    if path in _chain:
        chain = " → ".join(p.name for p in (*_chain, path))
        raise ScenarioError(f"{path}: 'extends' forms a cycle ({chain}) — fix: remove one of the extends")
    data = _absolutise_paths(_read_yaml(path), path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: 'extends' must be a file path, got {parent!r}")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        msg = (
            f"{path}: 'extends: {parent}' names a file that does not exist ({parent_path}) — "
            "fix: paths in extends are relative to the scenario file"
        )
        raise ScenarioError(msg)
    return deep_merge(load_raw(parent_path, (*_chain, path)), data)


def _allowed_keys(model: type, loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed at ``loc`` (the location of an unknown key) in the model tree."""
    from pydantic import BaseModel

    cur: Any = model
    for part in loc[:-1]:
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return []
        field = cur.model_fields.get(str(part))
        if field is None:
            return []
        ann = field.annotation
        cands = [a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        cur = cands[0] if cands else None
    if isinstance(cur, type) and issubclass(cur, BaseModel):
        return list(cur.model_fields)
    return []


def format_validation_error(path: Path | str, exc: ValidationError) -> str:
    """Every problem of a scenario, one per line, with 'did you mean' for misspelt keys."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(Scenario, loc)
            guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            hint = f" — did you mean '{guess[0]}'?" if guess else f" — allowed here: {', '.join(allowed)}"
            lines.append(f"unknown key '{dotted}'{hint}")
        else:
            got = err.get("input")
            shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
            lines.append(f"{dotted}: {err['msg']}{shown}")
    n = len(lines)
    head = f"{path}: {n} problem{'s' if n != 1 else ''} in the scenario:"
    return "\n".join([head, *("  " + line for line in lines)])


def validate_scenario(data: dict[str, Any], *, path: Path | str = "<scenario>") -> Scenario:
    """Validate merged scenario data (raises :class:`ScenarioError` listing every problem)."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(path, exc)) from None


def load_scenario(path: str | Path, *, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, merge (``extends``), apply ``overrides`` (dotted keys → values) and validate a scenario file."""
    path = Path(path)
    data = load_raw(path)
    data.setdefault("name", path.stem)
    for dotted, value in (overrides or {}).items():
        data = deep_merge(data, _nest(dotted, value))
    scen = validate_scenario(data, path=path)
    return scen.model_copy(update={"source_path": path.resolve()})


def _nest(dotted: str, value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(dotted.split(".")):
        out = {part: out}
    return out


def json_schema() -> str:
    """The scenario's JSON Schema, pretty-printed (``healthplan scenario schema``)."""
    return json.dumps(Scenario.model_json_schema(), ensure_ascii=False, indent=2)
