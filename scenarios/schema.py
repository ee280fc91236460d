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
from healthplan.geodata.text import Text
from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.config import ReportConfig
from healthplan.scenarios.validation_text import pydantic_text, scenario_text


class ScenarioError(HealthplanError):
    """A scenario file cannot be read or does not validate (the message in Chinese and English)."""


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


def duplicate_keys(text: str) -> list[Text]:
    """List every key written twice in one mapping of a YAML text, with its dotted place and both lines.

    E.g. ``'resources.blood.enabled' (lines 3 and 4)``. Plain YAML silently keeps the last one, so a scenario
    with two ``budget_wan:`` lines would run on one of them without a word. Keys merged in with
    ``<<: *anchor`` may be overridden, as YAML means. Raises :class:`yaml.YAMLError` when the text is not
    YAML.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        found: list[tuple[int, Text]] = []
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
                    found.append((line, scenario_text("dup", key=dotted, first=first, line=line)))
                else:
                    lines[key] = line
                walk(value_node, dotted)

        walk(root, "")
        return [text for _line, text in sorted(found, key=lambda f: f[0])]
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    """Read the file as text: UTF-8 (with or without BOM), else GB18030 (Notepad on Chinese Windows: GBK)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(scenario_text("not_found", path=path)) from None
    except IsADirectoryError:
        raise ScenarioError(scenario_text("folder", path=path)) from None
    except OSError as exc:
        raise ScenarioError(scenario_text("unreadable", path=path, detail=exc.strerror or exc)) from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ScenarioError(scenario_text("not_text", path=path))


def _read_yaml(path: Path) -> dict[str, Any]:
    text = _read_text(path)
    if "\x00" in text:
        raise ScenarioError(scenario_text("nul", path=path))
    try:
        dups = duplicate_keys(text)
        data = yaml.safe_load(text) if not dups else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = scenario_text("yaml.where", line=mark.line + 1, column=mark.column + 1) if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise ScenarioError(scenario_text("yaml", path=path, where=Text.of(where), problem=problem)) from None
    except RecursionError:
        raise ScenarioError(scenario_text("deep", path=path)) from None
    if dups:
        keys = Text.join(Text("；", "; "), dups)
        code = "dups.one" if len(dups) == 1 else "dups.many"
        raise ScenarioError(scenario_text(code, path=path, n=len(dups), keys=keys))
    if data is None:
        raise ScenarioError(scenario_text("empty", path=path))
    if not isinstance(data, dict):
        raise ScenarioError(scenario_text("not_mapping", path=path, type=type(data).__name__))
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
        raise ScenarioError(scenario_text("cycle", path=path, chain=chain))
    data = _absolutise_paths(_read_yaml(path), path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(scenario_text("extends_type", path=path, value=parent))
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        raise ScenarioError(scenario_text("extends_missing", path=path, parent=parent, full=parent_path))
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
        return [name for name, f in cur.model_fields.items() if not f.exclude]  # source_path is the loader's
    return []


def format_validation_error(path: Path | str, exc: ValidationError) -> Text:
    """Every problem of a scenario, one per line, with 'did you mean' for misspelt keys, in both languages.

    Key paths are the YAML keys as the user wrote them (``resources.blood.enabled``); pydantic's error types
    are worded by :mod:`scenarios.validation_text`.
    """
    lines: list[Text] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # pydantic names the member of a union it tried (``literal['all', …]``, ``list[str]``): not a user's key
        keys = [str(p) for p in loc if not (isinstance(p, str) and "[" in p)]
        dotted = Text.of(".".join(keys)) if keys else scenario_text("top_level")
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(Scenario, loc)
            guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            lines.append(scenario_text("unknown_key.guess", key=dotted, guess=guess[0]) if guess else
                         scenario_text("unknown_key.allowed", key=dotted, allowed=", ".join(allowed)))
        else:
            got = err.get("input")
            shown = Text("", "") if isinstance(got, dict | list) or err["type"] == "missing" else \
                scenario_text("got", value=got)
            lines.append(scenario_text("problem", key=dotted, text=pydantic_text(err), got=shown))
    n = len(lines)
    head = scenario_text("head", path=path, n=n, s="s" if n != 1 else "")
    return Text.join("\n", [head, *(Text.of("  ") + line for line in lines)])


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
