"""Facility levels: the controlled vocabulary, with the Chinese and English names planners write."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """Level of a site (an existing facility or a greenfield candidate)."""

    COUNTY_HOSPITAL = "county_hospital"  # 县(区)人民医院
    SECONDARY_HOSPITAL = "secondary_hospital"  # 第二人民医院等二级综合医院
    TCM_HOSPITAL = "tcm_hospital"  # 中医院
    MCH_HOSPITAL = "mch_hospital"  # 妇幼保健院
    CENTRAL_THC = "central_thc"  # 中心卫生院
    THC = "thc"  # 乡镇卫生院
    CHC = "chc"  # 社区卫生服务中心
    BLOOD_STATION = "blood_station"  # 血站
    CANDIDATE = "candidate"  # 新选址 (greenfield: commercial centre, transport hub …)


LEVEL_NAMES_ZH: dict[Level, str] = {
    Level.COUNTY_HOSPITAL: "县级人民医院",
    Level.SECONDARY_HOSPITAL: "二级综合医院",
    Level.TCM_HOSPITAL: "中医院",
    Level.MCH_HOSPITAL: "妇幼保健院",
    Level.CENTRAL_THC: "中心卫生院",
    Level.THC: "乡镇卫生院",
    Level.CHC: "社区卫生服务中心",
    Level.BLOOD_STATION: "血站",
    Level.CANDIDATE: "候选新址",
}

# Spellings accepted in input files (lower-cased English, Chinese); anything else is an "unknown level" error.
LEVEL_ALIASES: dict[str, Level] = {
    **{lv.value: lv for lv in Level},
    **{name: lv for lv, name in LEVEL_NAMES_ZH.items()},
    "县人民医院": Level.COUNTY_HOSPITAL,
    "区人民医院": Level.COUNTY_HOSPITAL,
    "county hospital": Level.COUNTY_HOSPITAL,
    "第二人民医院": Level.SECONDARY_HOSPITAL,
    "二级医院": Level.SECONDARY_HOSPITAL,
    "secondary hospital": Level.SECONDARY_HOSPITAL,
    "tcm": Level.TCM_HOSPITAL,
    "中医医院": Level.TCM_HOSPITAL,
    "mch": Level.MCH_HOSPITAL,
    "妇幼保健计划生育服务中心": Level.MCH_HOSPITAL,
    "central township health centre": Level.CENTRAL_THC,
    "township health centre": Level.THC,
    "卫生院": Level.THC,
    "community health centre": Level.CHC,
    "社区医院": Level.CHC,
    "候选点": Level.CANDIDATE,
    "新建": Level.CANDIDATE,
    "greenfield": Level.CANDIDATE,
}

HOSPITAL_LEVELS = frozenset(
    {Level.COUNTY_HOSPITAL, Level.SECONDARY_HOSPITAL, Level.TCM_HOSPITAL, Level.MCH_HOSPITAL}
)
PRIMARY_LEVELS = frozenset({Level.CENTRAL_THC, Level.THC, Level.CHC})


def parse_level(value: object) -> Level | None:
    """Return the :class:`Level` for a spelling found in an input file, or ``None`` when it is unknown."""
    if value is None:
        return None
    key = str(value).strip()
    return LEVEL_ALIASES.get(key) or LEVEL_ALIASES.get(key.lower())
