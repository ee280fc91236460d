"""The project list (重点项目清单): one row per site × kind × year, named and justified from the plan's figures.

Rules (documented here because planners copy these rows into a plan's appendix verbatim):

Project name (项目名称)
    ``{县区}{site name}{suffix}``, where the county/district prefix (``report.county``) is added only when the
    site's name does not already start with it, and the suffix follows the kind:

    ==============  =====================================================  ==============
    kind            suffix (zh)                                            建设性质
    ==============  =====================================================  ==============
    ambulance       急救站救护车购置项目（负压2辆、普通1辆）                   购置
    ambulance, new  新建急救站及救护车购置项目（负压…、普通…）               新建
    station
    fever_clinic    发热门诊建设项目                                         改扩建
    fever_room      发热诊室建设项目                                         改扩建
    blood           固定采血点（献血屋）建设项目                             新建
    subcentre       医疗卫生次中心建设项目                                   改造升级
    ==============  =====================================================  ==============

    (e.g. 「花桥中心卫生院医疗卫生次中心建设项目」, 「石笋镇卫生院发热诊室建设项目」,
    「石笋中心卫生院急救站救护车购置项目（负压2辆、普通1辆）」). A site whose name already ends with 急救站 is not
    given a second one. English names follow the same rules ("… ambulance purchase (2 negative-pressure,
    1 ordinary)").

Location (建设地点(乡镇))
    The township's name from ``instance.townships['name']`` (else the township id; else the site's name).

Content and scale (建设内容及规模)
    Quantities of the item: vehicles by type; one fever clinic or room built to the 三区两通道 layout (West China
    Medical Journal 2021, B); one fixed blood-collection point (≈40 m², one county example); one sub-centre upgraded
    to the secondary general hospital standard (seed 003, Guang'an), with the site's beds.

Funding source, responsible unit (资金来源, 责任单位)
    ``report.funding_source`` (default 县级财政) and ``report.responsible_unit`` (default 县卫生健康局); their
    defaults are translated in English tables.

Period (建设年限)
    The item's year (``2025年``).

Justification (依据)
    The standards the item serves (``Plan.items.standards``, each turned into its policy sentence with the
    scenario's figures, e.g. 落实农村地区每1万人口配置1辆救护车标准), then the item's coverage figures:
    新增{T}分钟{service}覆盖人口{newly_covered}，其中{only_covered}仅由本{unit}覆盖 (without newly covered
    persons: 不新增覆盖人口 …；{only_covered}仅由本{unit}覆盖; zero figures are left out). An ambulance that newly
    covers nobody but adds a further vehicle in reach quotes its MEXCLP gain instead: 不新增覆盖人口，提高急救可靠覆盖
    （期望覆盖增加{expected_gain}）. Persons are written by :func:`fmt_persons_zh` (万人 with one decimal from
    10,000, else whole 人), so each figure can be parsed back and equals the plan's ``newly_covered`` /
    ``only_covered`` / ``expected_gain`` at that precision. The time ``T`` is the kind's
    standard for the area type of the site's township (urban, rural, or both when the township is mixed).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd

from healthplan.geodata.instance import Instance
from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.plan import Plan
from healthplan.reports.config import ReportConfig
from healthplan.optimizer.kinds import ITEM_KEYS, item_type, service
from healthplan.optimizer.standards import standard_named
from healthplan.reports.i18n import ITEM_KIND_ORDER

PROJECT_COLUMNS_ZH: tuple[str, ...] = (
    "序号", "项目名称", "建设性质", "建设地点(乡镇)", "建设内容及规模", "总投资(万元)", "资金来源", "建设年限", "责任单位", "依据",
)
PROJECT_COLUMNS_EN: tuple[str, ...] = (
    "No.", "Project", "Type", "Location (township)", "Content and scale", "Investment (10k CNY)",
    "Funding source", "Period", "Responsible unit", "Justification",
)
# Defaults of ReportConfig and their English renderings (reports/config.py).
_DEFAULT_EN = {"县级财政": "County budget", "县卫生健康局": "County Health Commission"}


def project_columns(lang: str = "zh") -> tuple[str, ...]:
    """The ten project-list headers in ``lang``."""
    return PROJECT_COLUMNS_EN if _en(lang) else PROJECT_COLUMNS_ZH


def project_table(
    instance: Instance, plan: Plan, *, report: ReportConfig, opt: OptimizerConfig, lang: str = "zh"
) -> pd.DataFrame:
    """The 重点项目清单: one row per site × kind × year, columns :data:`PROJECT_COLUMNS_ZH` (or ``_EN``).

    Rows are ordered by year, kind (ambulance, fever clinic, fever room, blood, sub-centre), township and site;
    序号 counts from 1. The index is the (first) ``item_id`` of each project so that maps can join popups to
    ``plan.items``; ``attrs['units']`` names the unit of the money column (万元). An empty plan gives an empty
    table with the same columns. 总投资 sums to ``plan.spent_wan``.
    """
    cols = project_columns(lang)
    projects = group_projects(plan.items)
    if projects.empty:
        out = pd.DataFrame(columns=list(cols), index=pd.Index([], name="item_id"))
        out.attrs["units"] = {cols[5]: "万元"}
        return out
    sites = instance.sites
    tw_names = _township_names(instance, lang)
    urban_share = _township_urban_share(instance)
    rows = []
    for p in projects.itertuples(index=False):
        site = sites.loc[p.site_id] if p.site_id in sites.index else pd.Series(dtype=object)
        sname = _site_name(site, p.site_id, lang)
        tw = str(site.get("township", "") or "")
        location = tw_names.get(tw, tw) or sname
        share = urban_share.get(tw, np.nan)
        rows.append({
            cols[1]: project_name(p.kind, sname, p, county=report.county, lang=lang),
            cols[2]: project_nature(p.kind, bool(p.new_station), lang),
            cols[3]: location,
            cols[4]: project_content(p.kind, p, site, lang),
            cols[5]: round(float(p.cost_wan), 4),
            cols[6]: _cfg_text(report.funding_source, lang),
            cols[7]: f"{int(p.year)}" if _en(lang) else f"{int(p.year)}年",
            cols[8]: _cfg_text(report.responsible_unit, lang),
            cols[9]: project_basis(p.kind, p, opt, urban_share=share, lang=lang),
        })
    out = pd.DataFrame(rows, index=pd.Index(projects["item_id"].tolist(), name="item_id"))
    out.insert(0, cols[0], np.arange(1, len(out) + 1))
    out = out[list(cols)]
    out.attrs["units"] = {cols[5]: "万元"}
    return out


def group_projects(items: pd.DataFrame) -> pd.DataFrame:
    """One row per (site, kind, year): quantities, cost and coverage figures summed, flags OR-ed, standards joined.

    The optimizer already emits one row per project; grouping only guards against split rows (e.g. ordinary and
    negative-pressure vehicles as two rows). Sorted by year, kind order, then site id.
    """
    if items is None or not len(items):
        return pd.DataFrame(columns=[*items.columns] if items is not None else [])
    df = items.copy()
    for c in ("quantity", "quantity_ord", "quantity_np", "cost_wan", "newly_covered", "only_covered"):
        if c not in df:
            df[c] = 0
        df[c] = pd.to_numeric(df[c], errors="coerce").fillna(0)
    if "new_station" not in df:
        df["new_station"] = False
    df["new_station"] = df["new_station"].fillna(False).astype(bool)
    # NaN (non-ambulance rows, or a table without the column) stays NaN: no gain to quote
    df["expected_gain"] = pd.to_numeric(df.get("expected_gain", pd.Series(np.nan, index=df.index)), errors="coerce")
    df["standards"] = df.get("standards", pd.Series("", index=df.index)).fillna("").astype(str)
    keys = ["site_id", "kind", "year"]
    g = df.groupby(keys, sort=False)
    out = g.agg(
        item_id=("item_id", "first"),
        quantity=("quantity", "sum"),
        quantity_ord=("quantity_ord", "sum"),
        quantity_np=("quantity_np", "sum"),
        new_station=("new_station", "any"),
        cost_wan=("cost_wan", "sum"),
        newly_covered=("newly_covered", "sum"),
        only_covered=("only_covered", "sum"),
        expected_gain=("expected_gain", lambda s: s.sum(min_count=1)),
        standards=("standards", lambda s: ";".join(dict.fromkeys(x for v in s for x in v.split(";") if x))),
    ).reset_index()
    rank = {k: i for i, k in enumerate(ITEM_KIND_ORDER)}
    out["_k"] = out["kind"].map(rank).fillna(len(rank))
    out = out.sort_values(["year", "_k", "site_id"], kind="stable").drop(columns="_k").reset_index(drop=True)
    return out


# ---------------------------------------------------------------- the pieces of a row


def project_name(kind: str, site_name: str, p: object, *, county: str | None = None, lang: str = "zh") -> str:
    """Project name by the rules of the module docstring (``p`` carries quantity_ord, quantity_np, new_station)."""
    if kind not in ITEM_KEYS:
        return f"{site_name}: {kind}" if _en(lang) else f"{site_name}{kind}建设项目"
    k, it = item_type(kind)
    base = site_name if _en(lang) or not county or site_name.startswith(county) else f"{county}{site_name}"
    return k.item_name(it, p, base, lang)


def project_nature(kind: str, new_station: bool = False, lang: str = "zh") -> str:
    """建设性质: 购置 (ambulances), 新建 (new station, blood point), 改扩建 (fever), 改造升级 (sub-centre) …"""
    if kind not in ITEM_KEYS:
        return "New build" if _en(lang) else "新建"
    k, it = item_type(kind)
    return k.item_nature(it, SimpleNamespace(new_station=new_station), lang)


def project_content(kind: str, p: object, site: pd.Series, lang: str = "zh") -> str:
    """建设内容及规模 from the item's quantities (and the site's beds for a sub-centre)."""
    if kind not in ITEM_KEYS:
        return kind
    k, it = item_type(kind)
    return k.item_content(it, p, site, lang)


def project_basis(
    kind: str, p: object, opt: OptimizerConfig, *, urban_share: float = float("nan"), lang: str = "zh"
) -> str:
    """依据: the standards served (policy sentences with the scenario's figures) and the coverage figures.

    ``urban_share`` is the urban share of population in the site's township (0 rural … 1 urban, NaN unknown);
    it picks which ratio and which time standard the sentence quotes.
    """
    stds = [s for s in str(getattr(p, "standards", "") or "").split(";") if s]
    sentences = list(dict.fromkeys(filter(None, (standard_sentence(s, kind, opt, urban_share, lang) for s in stds))))
    newly = float(getattr(p, "newly_covered", 0) or 0)
    only = float(getattr(p, "only_covered", 0) or 0)
    try:
        gain = float(getattr(p, "expected_gain", np.nan))
    except (TypeError, ValueError):  # None or text in a hand-made table: no gain to quote
        gain = float("nan")
    cov = coverage_sentence(kind, newly, only, opt, urban_share, lang, expected_gain=gain)
    sep = "; " if _en(lang) else "；"
    text = sep.join([*sentences, cov]) if cov else sep.join(sentences)
    return text[:1].upper() + text[1:] if _en(lang) else text


def standard_sentence(name: str, kind: str, opt: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
    """The policy sentence of the standard ``name`` (each standard writes its own); the raw name otherwise."""
    s = standard_named(name)
    return s.sentence(opt, urban_share, lang) if s is not None else name


def coverage_sentence(
    kind: str, newly: float, only: float, opt: OptimizerConfig, urban_share: float, lang: str = "zh",
    *, expected_gain: float = float("nan"),
) -> str:
    """新增{T}分钟{service}覆盖人口{X}，其中{Y}仅由本{unit}覆盖 (the clause on Y only when Y > 0).

    An ambulance with no newly covered persons but a positive ``expected_gain`` (persons of MEXCLP expected
    coverage, ``Plan.items.expected_gain``) says so: 提高急救可靠覆盖（期望覆盖增加{gain}）.
    """
    if kind not in ITEM_KEYS:
        return ""
    k, it = item_type(kind)
    svc = service(it.service)[1]
    en = _en(lang)
    t = _time_text(k.time_text(k.settings(opt), it.service), urban_share, en)
    t = t if ("/" in t) else (f"{t} min" if en else f"{t}分钟")
    unit, service_name = it.unit(lang), svc.short(lang)
    vehicles = k.name == "ambulance"
    if round(newly) <= 0:
        if vehicles and np.isfinite(expected_gain) and round(expected_gain) > 0:
            text = (f"no newly covered population; raises reliable emergency coverage (expected coverage "
                    f"+{fmt_persons_en(expected_gain)} persons)" if en
                    else f"不新增覆盖人口，提高急救可靠覆盖（期望覆盖增加{fmt_persons_zh(expected_gain)}）")
        elif vehicles:
            text = ("adds reliability (a further vehicle) where coverage exists" if en
                    else "不新增覆盖人口，提高已覆盖地区急救保障能力（多车覆盖）")
        else:
            text = "no newly covered population" if en else "不新增覆盖人口"
        if round(only) > 0:  # still the only one of its kind in reach of these persons
            text += (f"; {fmt_persons_en(only)} persons covered only by this {unit}" if en
                     else f"；{fmt_persons_zh(only)}仅由本{unit}覆盖")
        return text
    if en:
        text = f"newly covers {fmt_persons_en(newly)} persons within {t} of {service_name}"
        if round(only) > 0:
            text += f", {fmt_persons_en(only)} of them covered only by this {unit}"
        return text
    text = f"新增{t}{service_name}覆盖人口{fmt_persons_zh(newly)}"
    if round(only) > 0:
        text += f"，其中{fmt_persons_zh(only)}仅由本{unit}覆盖"
    return text


def fmt_persons_zh(x: float) -> str:
    """Persons in Chinese: 万人 with one decimal from 10,000 (12,345 → 1.2万人), else whole 人 (8,021 → 8021人)."""
    n = round(float(x))
    if n >= 10_000:
        return f"{n / 10_000:.1f}万人"
    return f"{n}人"


def fmt_persons_en(x: float) -> str:
    """Persons in English: whole persons with thousands separators (12,345)."""
    return f"{round(float(x)):,}"


# ---------------------------------------------------------------- helpers


def _time_text(times: dict[str, float], urban_share: float, en: bool) -> str:
    u, r = _num(times["urban"]), _num(times["rural"])
    if u == r:
        return u
    if isinstance(urban_share, float) and not math.isnan(urban_share):
        if urban_share >= 1 - 1e-9:
            return u
        if urban_share <= 1e-9:
            return r
    # mixed township: both standards, named
    return f"{u}/{r} min (urban/rural)" if en else f"{u}/{r}分钟（城市/农村）"


def _num(x: float) -> str:
    return f"{x:g}"


def _township_names(instance: Instance, lang: str = "zh") -> dict[str, str]:
    tw = instance.townships
    if tw is None or "name" not in tw:
        return {}
    names = {str(k): str(v) for k, v in tw["name"].items()}
    if _en(lang) and "name_en" in tw:  # optional English alias of a township
        names.update({str(k): str(v) for k, v in tw["name_en"].items() if isinstance(v, str) and v.strip()})
    return names


def _township_urban_share(instance: Instance) -> dict[str, float]:
    d = instance.demand
    if not len(d) or "township" not in d:
        return {}
    pop = d["population"].astype(float)
    urb = pop.where(d["urban"].astype(bool), 0.0)
    tot = pop.groupby(d["township"].astype(str)).sum()
    share = urb.groupby(d["township"].astype(str)).sum() / tot.replace(0, np.nan)
    return {str(k): float(v) for k, v in share.items()}


def _site_name(site: pd.Series, site_id: str, lang: str) -> str:
    if not len(site):
        return str(site_id)
    if _en(lang):
        v = site.get("name_en")
        if isinstance(v, str) and v.strip():
            return v.strip()
    v = site.get("name")
    return v.strip() if isinstance(v, str) and v.strip() else str(site_id)


def _cfg_text(value: str, lang: str) -> str:
    return _DEFAULT_EN.get(value, value) if _en(lang) else value


def _en(lang: str) -> bool:
    return str(lang).lower().startswith("en")
