"""The scenarios of a sweep: the base scenario file's data, one validated scenario per grid point, every
axis value checked against the schema before anything runs, and the one scenario whose instance all points
share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from healthplan.geodata.text import Text
from healthplan.scenarios.schema import Scenario, ScenarioError, deep_merge, load_raw, validate_scenario
from healthplan.scenarios.sweep_axis import Axis, SweepError, format_value
from healthplan.scenarios.sweep_grid import SweepPoint
from healthplan.scenarios.sweep_keys import check_key


def base_data(scenario: str | Path) -> dict[str, Any]:
    """The scenario file with its ``extends`` chain merged and paths made absolute (as ``load_scenario`` reads
    it)."""
    path = Path(scenario)
    data = load_raw(path)
    data.setdefault("name", path.stem)
    return data


def point_scenario(
    data: dict[str, Any], params: dict[str, Any], *, source: Path | None, where: str
) -> Scenario:
    """Validate the base scenario data with one point's parameters applied."""
    merged = data
    for key, value in params.items():
        nested: Any = value
        for part in reversed(key.split(".")):
            nested = {part: nested}
        merged = deep_merge(merged, nested)
    scen = validate_scenario(merged, path=where)
    return scen.model_copy(update={"source_path": source}) if source is not None else scen


def validate_axes(data: dict[str, Any], axes: Sequence[Axis], *, source: Path | None = None) -> None:
    """Validate every value of every axis against the schema before anything runs.

    Raises
    ------
    SweepError
        Naming the option (``--budget`` / ``--set key``) and the value the schema rejects, with its reason.
    """
    for axis in axes:
        check_key(axis.key, axis.option)
        for value in axis.values:
            try:
                point_scenario(data, {axis.key: value}, source=source,
                               where=f"{axis.option}={format_value(value)}")
            except ScenarioError as exc:
                zh, en = (exc.render(lang).split("\n", 1)[-1].strip() for lang in ("zh", "en"))
                msg = Text(f"{axis.option}：取值 {value!r} 不适用于 '{axis.key}'：{zh}",
                           f"{axis.option}: the value {value!r} is not allowed for '{axis.key}': {en}")
                raise SweepError(msg) from None


def point_scenarios(
    data: dict[str, Any], points: Sequence[SweepPoint], *, source: Path | None = None
) -> list[Scenario]:
    """One validated scenario per point (name = base name + the point's slug; solver threads 1 unless set).

    A sweep's parallelism comes from its points, so each solve is single-threaded unless the scenario asks for
    threads; this also makes a point's answer independent of the executor.
    """
    out = []
    for p in points:
        try:
            scen = point_scenario(data, p.params, source=source, where=f"sweep point {p.slug}")
        except ScenarioError as exc:
            raise SweepError(exc.text) from None
        if scen.solver.threads is None:
            scen = scen.model_copy(update={"solver": scen.solver.model_copy(update={"threads": 1})})
        out.append(scen.model_copy(update={"name": f"{scen.name}/{p.slug}"}))
    return out


def shared_instance_scenario(base: Scenario, scens: Sequence[Scenario]) -> Scenario:
    """The base scenario with a travel-time cutoff large enough for every point's standards (one instance for
    all)."""
    if base.travel.cutoff_minutes is not None:
        return base
    from healthplan.scenarios.runner import cutoff_minutes

    cut = max(cutoff_minutes(s) for s in [base, *scens])
    return base.model_copy(update={"travel": base.travel.model_copy(update={"cutoff_minutes": cut})})
