"""Population of the plan's target year: census figures carried forward by a growth rate per year, for the county
or per township (issue 13 §6). Standards (vehicles per resident) and coverage then count the residents of the year
the plan is built for, not those of the census; the source year and the rates are stated with the outputs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from healthplan.geodata.errors import InputError
from healthplan.geodata.messages import say

if TYPE_CHECKING:
    from healthplan.geodata.instance import Instance


class PopulationProjection(BaseModel):
    """How the demand points' population (persons, as of ``base_year``) is carried to the plan's target year."""

    model_config = ConfigDict(extra="forbid")

    base_year: int | None = Field(default=None, ge=1950, le=2100,
                                  description="year of the population figures, e.g. 2020 (第七次全国人口普查); "
                                  "null: use them as they are")
    growth_per_year: float = Field(default=0.0, gt=-0.2, lt=0.2,
                                   description="share per year, e.g. 0.005 (+0.5 %/year) or -0.01; ASSUMPTION unless "
                                   "the scenario cites its source")
    by_township: dict[str, Annotated[float, Field(gt=-0.2, lt=0.2)]] = Field(default_factory=dict,
                                          description="growth per year of named townships (id or name), overriding "
                                          "growth_per_year, e.g. {花桥镇: -0.012}")
    target_year: int | None = Field(default=None, ge=1950, le=2100,
                                    description="year to project to; default: the plan's last year")
    source: str = Field(default="", description="where the rates come from, printed with the outputs")


def project_population(instance: Instance, proj: PopulationProjection, target_year: int,
                       *, where: str = "scenario (population)") -> Instance:
    """The instance with each demand point's population × (1 + g)^(target − base), rounded to whole persons.

    ``g`` is the point's township rate (``by_township``, matched on township id or name) or ``growth_per_year``.
    The census figures stay in the ``population_base`` column; a note (Chinese and English) states the base year,
    the target year, the rates and the totals. Nothing changes without ``base_year`` or when the years agree and
    no rate is set.

    Raises
    ------
    InputError
        When ``by_township`` names a township the demand points do not have (all unknown names listed).
    """
    if proj.base_year is None:
        return instance
    target = proj.target_year or target_year
    d = instance.demand
    town = d["township"].astype(str)
    names = instance.township_names()
    known = set(town) | set(names.values())
    unknown = sorted(set(proj.by_township) - known)
    if unknown:
        raise InputError(say("projection.unknown_townships", names=", ".join(unknown)), file=where,
                         fix=say("projection.unknown_townships.fix", known=", ".join(sorted(set(town))[:12])))
    rate = np.full(len(d), float(proj.growth_per_year))
    for key, g in proj.by_township.items():
        ids = {key} | {tid for tid, name in names.items() if name == key}
        rate[town.isin(ids).to_numpy()] = float(g)
    years = target - proj.base_year
    if years == 0 or not rate.any():  # the figures are already those of the target year
        return instance
    base = d["population"].to_numpy(dtype=float)
    projected = np.rint(base * (1.0 + rate) ** years).astype(np.int64)
    demand = d.copy()
    demand["population_base"] = d["population"].astype(np.int64)
    demand["population"] = projected
    total0, total1 = int(base.sum()), int(projected.sum())
    src = f"；依据：{proj.source}" if proj.source else "（增长率为情景假设）"
    src_en = f"; source: {proj.source}" if proj.source else " (rates are the scenario's assumption)"
    rates = sorted(set(np.round(rate, 6)))
    rate_zh = "、".join(f"{100 * r:+.2f}%" for r in rates)
    note_zh = (f"人口按{proj.base_year}年数据推算至{target}年（年增长率{rate_zh}）：{total0:,}人 → {total1:,}人"
               f"{src}。覆盖与配置标准均按{target}年人口计算。")
    note_en = (f"Population projected from {proj.base_year} to {target} at {', '.join(f'{100 * r:+.2f}%' for r in rates)}"
               f" a year: {total0:,} → {total1:,} persons{src_en}; coverage and standards use the {target} figures.")
    meta = dict(instance.meta) if isinstance(instance.meta, dict) else {}
    meta["population_projection"] = {"base_year": proj.base_year, "target_year": target,
                                     "base_total": total0, "target_total": total1, "rates": [float(r) for r in rates],
                                     "source": proj.source, "note_zh": note_zh, "note_en": note_en}
    if "notes_en" in meta or not instance.notes:  # the English notes stay aligned with the Chinese ones
        meta["notes_en"] = [*meta.get("notes_en", []), note_en]
    return replace(instance, demand=demand, notes=(*instance.notes, note_zh), meta=meta)
