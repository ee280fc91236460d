"""Declared schemas of the input layers: canonical column, type, unit, required, default — one source.

Each input layer kind (``townships``, ``demand``, ``facilities``, ``sites``, ``candidates``, ``roads``,
``travel_times``) is declared once here, in the spirit of pandera's ``DataFrameModel`` but hand-written:
the readers use it to find the columns (through the scenario's ``columns:`` map, then the canonical name,
then a few common Chinese headers), the validator to coerce and check them, and the README to document them.

The site layers (``facilities``, ``sites``, ``candidates``) declare the columns every site has (id, name, level,
township, beds, candidate); the stock columns of each resource kind (vehicles, a fever room, a blood point …) are
declared by the kind itself (``optimizer/kinds/``) and handed to :func:`schema_for` as ``stock``, so geodata
names no resource kind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

ColumnType = Literal["id", "str", "int", "float", "bool", "level"]
GeometryKind = Literal["point", "polygon", "line"]


@dataclass(frozen=True)
class ColumnSchema:
    """One canonical column of an input layer.

    ``dtype`` is how the value is coerced (``id``: non-blank text; ``level``: a :class:`geodata.levels.Level`
    spelling); ``minimum`` is the smallest allowed value for numbers (``None``: no bound); ``maximum`` the
    largest plausible one (above it: an error, the value is a unit or typing mistake), ``warn_above`` the
    value above which a number is unusual enough to be reported as a warning; ``aliases`` are file headers
    recognised without a ``columns:`` entry (exact match, after the canonical name itself).
    """

    name: str
    dtype: ColumnType
    unit: str = ""
    required: bool = False
    default: object = None
    description: str = ""
    minimum: float | None = None
    aliases: tuple[str, ...] = ()
    maximum: float | None = None
    warn_above: float | None = None
    bound_reason: str = ""  # why ``maximum`` is where it is, for the message
    warn_reason: str = ""  # why ``warn_above`` is where it is


@dataclass(frozen=True)
class LayerSchema:
    """The declared columns and geometry of one input layer kind.

    ``geometry`` is the expected geometry kind (``None``: a table without geometry); ``geometry_required`` is
    False for layers that may come as a plain CSV without coordinates (the "any instance" inputs with an
    OD matrix). ``layer_names`` are GeoPackage layer names tried, in order, when the scenario gives no
    ``layer``.
    """

    kind: str
    description: str
    columns: tuple[ColumnSchema, ...]
    geometry: GeometryKind | None = None
    geometry_required: bool = False
    layer_names: tuple[str, ...] = ()
    open_columns: bool = False  # extra ``columns:`` keys allowed (roads: TravelConfig names its own columns)

    def column(self, name: str) -> ColumnSchema:
        """The column called ``name`` (KeyError when undeclared)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Canonical column names, in declared order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Canonical columns that must be present in the file."""
        return [c.name for c in self.columns if c.required]


_ID = ColumnSchema("id", "id", required=True, description="unique id of the row/feature",
                   aliases=("ID", "Id", "编码", "代码", "编号"))
_NAME = ColumnSchema("name", "str", default="", description="name (Chinese)", aliases=("名称", "名字"))
_NAME_EN = ColumnSchema("name_en", "str", default="", description="English alias", aliases=("英文名",))
_TOWNSHIP = ColumnSchema("township", "str", default="", description="township id (乡镇/街道 编码)",
                         aliases=("乡镇", "乡镇编码", "街道"))
# Plausible populations of one demand point or township. The largest county-level unit in China had 4.5
# million residents in the 2020 census (Bao'an, Shenzhen), so more than 10 million in one point is a unit or
# typing mistake (an error); no village, community, 街道 or town has a million residents (the largest towns,
# e.g. Humen and Chang'an in Dongguan, have about 0.6-0.7 million), so more than that is a warning.
MAX_POPULATION = 10_000_000
WARN_POPULATION = 1_000_000
_POPULATION_REASON = ("the largest county-level unit of China, Bao'an in Shenzhen, had 4.5 million in the "
                      "2020 census")
_POPULATION_WARN_REASON = "the largest villages, communities, 街道 and towns of China have ~0.7 million"
_POPULATION = ColumnSchema("population", "int", "persons", required=True, minimum=0,
                           description="resident population", aliases=("人口", "常住人口", "pop"),
                           maximum=MAX_POPULATION, warn_above=WARN_POPULATION,
                           bound_reason=_POPULATION_REASON, warn_reason=_POPULATION_WARN_REASON)
_URBAN = ColumnSchema("urban", "bool", default=None, description="urban (城市/街道) = 1, rural = 0",
                      aliases=("城乡", "是否城市"))
_URBAN_POPULATION = ColumnSchema(
    "urban_population", "int", "persons", default=None, minimum=0, description="urban resident population "
    "(城镇人口)", aliases=("城镇人口", "城镇常住人口"), maximum=MAX_POPULATION, bound_reason=_POPULATION_REASON)

# Properties every site has; the stock of each resource kind is declared by the kind (``stock`` below).
# The largest hospitals of China have about 10,000 beds (Zhengzhou University First Affiliated Hospital).
_BEDS = ColumnSchema("beds", "int", "beds", default=0, minimum=0, description="beds", aliases=("床位", "床位数"),
                     maximum=50_000, warn_above=12_000, bound_reason="five times the largest hospital of China",
                     warn_reason="the largest hospital of China has about 10,000")
SITE_KINDS = ("facilities", "sites", "candidates")  # the layers whose rows are sites

TOWNSHIPS = LayerSchema(
    "townships",
    "township polygons (乡镇/街道)",
    (
        _ID,
        _NAME,
        _NAME_EN,
        ColumnSchema("kind", "str", default="", description="街道 (urban) | 镇 | 乡", aliases=("类型", "类别")),
        _URBAN,
        # Required only when there is no demand layer (then each township is one demand point).
        ColumnSchema("population", "int", "persons", default=None, minimum=0,
                     description="resident population", aliases=("人口", "常住人口", "pop"),
                     maximum=MAX_POPULATION, warn_above=WARN_POPULATION, bound_reason=_POPULATION_REASON,
                     warn_reason=_POPULATION_WARN_REASON),
        _URBAN_POPULATION,
    ),
    geometry="polygon",
    geometry_required=True,
    layer_names=("townships", "township", "乡镇"),
)

DEMAND = LayerSchema(
    "demand",
    "demand points: villages/communities (村/社区) with population",
    (_ID, _NAME, _POPULATION, _URBAN, _TOWNSHIP),
    geometry="point",
    layer_names=("demand", "villages", "village", "村"),
)

_SITE_COLUMNS: tuple[ColumnSchema, ...] = (
    _ID,
    _NAME,
    _NAME_EN,
    ColumnSchema("level", "level", required=True, description="facility level (geodata.levels, Chinese ok)",
                 aliases=("级别", "等级", "类型")),
    _TOWNSHIP,
    _BEDS,
    ColumnSchema("candidate", "bool", default=None,
                 description="greenfield candidate; default: level is candidate"),
)

FACILITIES = LayerSchema(
    "facilities",
    "existing facilities (hospitals, health centres) with their stock",
    _SITE_COLUMNS,
    geometry="point",
    layer_names=("facilities", "facility", "sites"),
)

SITES = LayerSchema(
    "sites",
    "sites of a plain instance: facilities and candidates in one table (level 'candidate' marks candidates)",
    _SITE_COLUMNS,
    geometry="point",
    layer_names=("sites", "facilities"),
)

CANDIDATES = LayerSchema(
    "candidates",
    "greenfield candidate sites (commercial centres, transport hubs …)",
    tuple(
        ColumnSchema("level", "level", default="candidate", description="level, default candidate",
                     aliases=("级别", "等级"))
        if c.name == "level" else c
        for c in _SITE_COLUMNS
    ),
    geometry="point",
    layer_names=("candidates", "candidate", "候选"),
)

ROADS = LayerSchema(
    "roads",
    "road lines; which columns hold class, speed and one-way is set by the scenario's travel section",
    (
        ColumnSchema("id", "str", default="", description="road id (optional)"),
        _NAME,
        ColumnSchema("class", "str", default="", description="expressway | national | provincial | county | "
                     "township | village", aliases=("等级", "道路等级")),
        ColumnSchema("oneway", "bool", default=False, description="1 = one-way along the line",
                     aliases=("单行",)),
        ColumnSchema("speed_kph", "float", "km/h", default=None,
                     description="speed; empty = use the class speed", aliases=("速度", "限速")),
    ),
    geometry="line",
    geometry_required=True,
    layer_names=("roads", "road", "道路"),
    open_columns=True,
)

# Township tables from the statistics bulletin: a 9-digit township code (统计用区划代码 has 12 digits: the
# township's 9 and 000) and/or a name, 常住人口 and optionally 城镇人口.
_TOWNSHIP_CODE = ColumnSchema("id", "id", description="township code (9 digits; a 12-digit 统计用区划代码 ending "
                              "in 000 is read as its first 9)",
                              aliases=("乡镇代码", "乡镇编码", "区划代码", "统计用区划代码", "代码", "编码", "ID", "Id"))
_TOWNSHIP_NAME = ColumnSchema("name", "str", default="", description="township name (乡镇/街道名称)",
                              aliases=("乡镇名称", "乡镇", "名称", "乡镇街道", "乡镇（街道）", "街道"))
_TOWNSHIP_POPULATION = ColumnSchema("population", "int", "persons", default=None, minimum=0,
                                    description="resident population (常住人口)", aliases=("常住人口", "人口", "pop"),
                                    maximum=MAX_POPULATION, warn_above=WARN_POPULATION,
                                    bound_reason=_POPULATION_REASON, warn_reason=_POPULATION_WARN_REASON)

CENSUS = LayerSchema(
    "census",
    "township census table (乡镇人口): code or name, 常住人口, optional 城镇人口",
    (
        replace(_TOWNSHIP_CODE, dtype="str", required=False, default=""),
        _TOWNSHIP_NAME,
        replace(_TOWNSHIP_POPULATION, required=True, default=None),
        _URBAN_POPULATION,
    ),
    layer_names=("census", "人口"),
)

TOWNSHIP_SEATS = LayerSchema(
    "township_seats",
    "township seats (乡镇驻地) as points: code, name, optional population, kind",
    (
        replace(_TOWNSHIP_CODE, required=True),
        _TOWNSHIP_NAME,
        ColumnSchema("kind", "str", default="", description="街道 (urban) | 镇 | 乡", aliases=("类型", "类别")),
        _URBAN,
        _TOWNSHIP_POPULATION,
        _URBAN_POPULATION,
    ),
    geometry="point",
    geometry_required=True,
    layer_names=("township_seats", "seats", "驻地", "乡镇驻地"),
)

BOUNDARY = LayerSchema(
    "boundary",
    "county boundary (县界) polygon(s)",
    (ColumnSchema("id", "str", default="", description="id (optional)"), _NAME),
    geometry="polygon",
    geometry_required=True,
    layer_names=("boundary", "county", "县界", "边界"),
    open_columns=True,
)

TRAVEL_TIMES = LayerSchema(
    "travel_times",
    "OD travel-time matrix: one row per reachable (site, demand point) pair; a missing pair is unreachable",
    (
        ColumnSchema("site_id", "id", required=True, description="site id (facilities/candidates/sites)"),
        ColumnSchema("demand_id", "id", required=True, description="demand point id"),
        ColumnSchema("minutes", "float", "minutes", required=True, minimum=0, description="travel time"),
    ),
    layer_names=("travel_times", "od"),
)

SCHEMAS: dict[str, LayerSchema] = {
    s.kind: s for s in (TOWNSHIPS, DEMAND, FACILITIES, SITES, CANDIDATES, ROADS, TRAVEL_TIMES, CENSUS,
                        TOWNSHIP_SEATS, BOUNDARY)
}


def schema_for(kind: str, stock: tuple[ColumnSchema, ...] = ()) -> LayerSchema:
    """The schema of a layer kind, a site layer with the given ``stock`` columns appended (each resource kind's
    existing stock: vehicles, a fever room …; absent in a file they take their defaults, 0 / False, since a
    greenfield site has nothing yet); ``ValueError`` naming the known kinds when ``kind`` is unknown."""
    try:
        base = SCHEMAS[kind]
    except KeyError:
        msg = f"unknown layer kind {kind!r}; known kinds: {', '.join(SCHEMAS)}"
        raise ValueError(msg) from None
    if not stock or kind not in SITE_KINDS:
        return base
    have = set(base.names)
    cols = [c for c in base.columns if c.name != "candidate"]
    cols += [c for c in stock if c.name not in have]
    cols += [c for c in base.columns if c.name == "candidate"]
    return replace(base, columns=tuple(cols))


def describe(kind: str) -> str:
    """Markdown table of a layer's columns (for the README and ``healthplan check --schema``)."""
    sch = schema_for(kind)
    rows = [f"**{sch.kind}** — {sch.description}", "",
            "| column | type | unit | required | default | meaning |", "|---|---|---|---|---|---|"]
    for c in sch.columns:
        default = "" if c.required or c.default is None else repr(c.default)
        rows.append(f"| {c.name} | {c.dtype} | {c.unit} | {'yes' if c.required else ''} | {default} | "
                    f"{c.description} |")
    return "\n".join(rows)
