"""Typed configuration of what a run writes: title, language, funding source and responsible unit defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ReportConfig(BaseModel):
    """Report settings of a scenario (the ``report:`` section)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # .inf/.nan in YAML are errors

    title: str | None = Field(default=None, description="map and appendix title; default from the scenario name")
    lang: Literal["zh", "en"] = Field(default="zh", description="language of tables and maps (CLI --lang wins)")
    county: str | None = Field(default=None, description="county/district name used in project names")
    funding_source: str = Field(default="县级财政", description="资金来源 default (e.g. 中央预算内/省级补助/县级配套)")
    responsible_unit: str = Field(default="县卫生健康局", description="责任单位 default")
    data_note: str | None = Field(default=None, description="data note printed on maps (source, date)")
    maps: bool = Field(default=True, description="write PNG/PDF maps")
    html_map: bool = Field(default=True, description="write map.html")
    documents: bool = Field(default=True, description="write appendix.xlsx and appendix.docx")
