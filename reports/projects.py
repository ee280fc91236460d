"""The project lists of the plan's appendix, as typed data: the per-site list (附表: one row per site × item type,
committed projects apart) and the plan-level list (重点项目清单: one row per kind, as the seeds write it).

Typed means: canonical English snake_case columns, numbers as numbers, texts already in the requested language.
Localised headers are put on only where a table is written (:func:`localised`, used by the XLSX, DOCX and CSV
writers); nothing reads a table back by header or position.

The per-site list (:func:`project_table`) — the contract the maps code against
------------------------------------------------------------------------------
index ``item_id`` (the project's first plan row in list order); columns

==============  ==========================================================================================
``no``          int, 序号 of the per-site list (the number a map prints beside a new site)
``item_ids``    list of the ``Plan.items`` rows grouped into the project
``site_id``     site id
``kind``        item type (``ambulance``, ``fever_room`` …)
``origin``      ``optimized`` | ``must`` | ``committed``
``name``        项目名称: ``{县区}{site}{item name}``, the county prefix only when the site's name lacks it
``nature``      建设性质 (新建 / 改扩建 / 改造升级 / 购置 …; committed rows add 〔续建〕)
``location``    建设地点: the township's name
``content``     建设内容及规模 (vehicles by type, the site's beds for a sub-centre …)
``cost_wan``    float, 总投资 (万元)
``funding``     资金来源 (one source, or each source with its 万元; :mod:`reports.funding`)
``period``      建设年限: 「2025年」 or, over several years, 「2024—2025年」 once
``responsible`` 责任单位: lead unit first, then co-units
``basis``       依据 (below)
==============  ==========================================================================================

One project is one (group, site, item type), group = committed (approved before the plan: 续建/已批) or new
(``must`` and ``optimized``): vehicles bought at one site over several years are one row. Order: committed first,
then the new projects; item types in registry order; first year; site id (:func:`optimizer.justification.
list_order`). 序号 counts from 1 through both groups.

Justification (依据), in this order: why the project is there when a named decision put it there (「已批准续建项目」,
「规划指定建设项目」, with the decision's note); the standards it is needed for (each standard's sentence with the
scenario's figures, e.g. 落实农村地区每1万人口配置1辆救护车标准); then what it covers:
新增{T}分钟{service}覆盖人口{X}，其中{Y}仅由本{unit}覆盖. X is additive (the plan's ``newly_covered``: marginal gains in
the list's order, summing to the plan's gain per service); a project whose reach is covered already says what it
adds instead (:meth:`ResourceKind.no_gain_sentence`, e.g. 「充实急救运力，站内救护车由2辆增至3辆」). Persons are written
by :func:`fmt_persons_zh` (万人 with one decimal from 10,000, else whole 人). T is the kind's standard for the area
type of the site's township (urban, rural, or both when the township is mixed).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd

from healthplan.geodata.instance import Instance
from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.decisions import item_key
from healthplan.optimizer.justification import list_order, project_keys
from healthplan.optimizer.kinds import ITEM_KEYS, KINDS, SERVICE_KEYS, item_type, service
from healthplan.optimizer.plan import Plan
from healthplan.optimizer.standards import standard_named
from healthplan.optimizer.text import is_en
from healthplan.reports.config import ReportConfig
from healthplan.reports.funding import (
    Money,
    merged_units_text,
    project_money,
    responsibility,
    running_costs,
    units_text,
)
from healthplan.reports.i18n import sep, tr
from healthplan.reports.summary import fmt_num, fmt_wan

# Columns of the per-site list (the typed contract) and the message ids of their localised headers.
PROJECT_FIELDS: tuple[str, ...] = (
    "no", "item_ids", "site_id", "kind", "origin", "name", "nature", "location", "content", "cost_wan", "funding",
    "period", "responsible", "basis",
)
# The ten 项目清单 columns a document shows (STANDARDS.md "Project-list columns"), in order.
PROJECT_DOC_COLUMNS: tuple[str, ...] = (
    "no", "name", "nature", "location", "content", "cost_wan", "funding", "period", "responsible", "basis",
)
PROGRAMME_FIELDS: tuple[str, ...] = (
    "no", "kind", "programme", "goal", "remarks", "cost_wan", "committed_wan", "running_wan", "projects",
)
PROGRAMME_DOC_COLUMNS: tuple[str, ...] = ("no", "programme", "goal", "remarks")


def header(column: str, lang: str = "zh") -> str:
    """The localised header of a typed column (``cost_wan`` → 「总投资(万元)」)."""
    return tr(f"col.{column}", lang)


def localised(table: pd.DataFrame, columns: tuple[str, ...], lang: str = "zh") -> pd.DataFrame:
    """``table[columns]`` with localised headers, for a writer (XLSX, DOCX, CSV); the index is dropped."""
    out = table.reindex(columns=list(columns)).reset_index(drop=True)
    out.columns = [header(c, lang) for c in columns]
    return out


def project_columns(lang: str = "zh") -> tuple[str, ...]:
    """The ten localised headers of the per-site list as documents print them."""
    return tuple(header(c, lang) for c in PROJECT_DOC_COLUMNS)


# ---------------------------------------------------------------- the per-site list


def project_table(
    instance: Instance, plan: Plan, *, report: ReportConfig, opt: OptimizerConfig, lang: str = "zh",
    money: Money | None = None,
) -> pd.DataFrame:
    """The per-site project list (附表), typed: columns :data:`PROJECT_FIELDS`, index ``item_id``.

    ``attrs['units']`` names the unit of ``cost_wan`` (万元); ``attrs['notes']`` holds footnote texts in ``lang``
    (how the coverage figures are computed, funding notes). An empty plan gives an empty table with the same
    columns. ``cost_wan`` sums to ``plan.spent_wan + plan.committed_wan``. ``money`` is
    :func:`reports.funding.project_money` of ``group_projects(plan.items)`` when the caller has it already.
    """
    projects = group_projects(plan.items)
    if projects.empty:
        out = pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in PROJECT_FIELDS},
                           index=pd.Index([], name="item_id", dtype=str))
        out.attrs["units"] = {"cost_wan": "万元"}
        out.attrs["notes"] = []
        return out
    sites = instance.sites
    tw_names = instance.township_names("en" if is_en(lang) else "zh")
    urban_share = _township_urban_share(instance)
    if money is None:
        money = project_money(projects, plan.items, report, opt)
    notes = {(d.site, item_key(d.kind)): d.note for d in opt.decisions if d.note}
    rows = []
    for p in projects.itertuples(index=False):
        site = sites.loc[p.site_id] if p.site_id in sites.index else pd.Series(dtype=object)
        sname = _site_name(site, p.site_id, lang)
        tw = str(site.get("township", "") or "")
        share = urban_share.get(tw, np.nan)
        nature = project_nature(p.kind, bool(p.new_station), lang)
        if p.origin == "committed":
            nature = tr("fmt.committed_nature", lang, nature=nature)
        rows.append({
            "no": int(p.no), "item_ids": list(p.item_ids), "site_id": str(p.site_id), "kind": str(p.kind),
            "origin": str(p.origin),
            "name": project_name(p.kind, sname, p, county=report.county, lang=lang),
            "nature": nature,
            "location": tw_names.get(tw, tw) or sname,
            "content": project_content(p.kind, p, site, lang),
            "cost_wan": round(float(p.cost_wan), 4),
            "funding": money.project_text(int(p.no), lang),
            "period": period_text(int(p.first_year), int(p.last_year), lang),
            "responsible": units_text(responsibility(p, report), lang),
            "basis": project_basis(p.kind, p, opt, urban_share=share, lang=lang, site=site,
                                   note=notes.get((str(p.site_id), str(p.kind)), "")),
        })
    out = pd.DataFrame(rows, index=pd.Index(projects["item_id"].astype(str).tolist(), name="item_id"))
    out = out[list(PROJECT_FIELDS)]
    out.attrs["units"] = {"cost_wan": "万元"}
    out.attrs["notes"] = [tr("note.newly_covered", lang), *(n(lang) for n in money.notes)]
    return out


def group_projects(items: pd.DataFrame) -> pd.DataFrame:
    """One row per project of the per-site list (group, site, item type), in list order, numbered (``no``).

    Quantities, cost and coverage figures summed, flags OR-ed, standards joined (each once), years spanned
    (``first_year``, ``last_year``); ``item_id`` is the first row in list order, ``item_ids`` all of them.
    """
    cols = ["no", "item_id", "item_ids", "site_id", "kind", "origin", "first_year", "last_year", "quantity",
            "quantity_ord", "quantity_np", "new_station", "cost_wan", "newly_covered", "only_covered",
            "expected_gain", "standards"]
    if items is None or not len(items):
        return pd.DataFrame(columns=cols)
    df = items.copy().reset_index(drop=True)
    for c in ("quantity", "quantity_ord", "quantity_np", "cost_wan", "newly_covered", "only_covered"):
        if c not in df:
            df[c] = 0
        df[c] = pd.to_numeric(df[c], errors="coerce").fillna(0)
    df["new_station"] = df["new_station"].fillna(False).astype(bool) if "new_station" in df else False
    df["expected_gain"] = pd.to_numeric(df.get("expected_gain", pd.Series(np.nan, index=df.index)), errors="coerce")
    df["standards"] = df.get("standards", pd.Series("", index=df.index)).fillna("").astype(str)
    if "origin" not in df:
        df["origin"] = "optimized"
    df["origin"] = df["origin"].fillna("optimized").astype(str)
    df = df.iloc[list_order(df)].reset_index(drop=True)
    keys = project_keys(df)
    df["_g"], df["_s"], df["_k"] = keys["group"], keys["site_id"], keys["kind"]
    g = df.groupby(["_g", "_s", "_k"], sort=False)
    out = g.agg(
        item_id=("item_id", "first"),
        item_ids=("item_id", list),
        site_id=("site_id", "first"),
        kind=("kind", "first"),
        origin=("origin", "first"),
        first_year=("year", "min"),
        last_year=("year", "max"),
        quantity=("quantity", "sum"),
        quantity_ord=("quantity_ord", "sum"),
        quantity_np=("quantity_np", "sum"),
        new_station=("new_station", "any"),
        cost_wan=("cost_wan", "sum"),
        newly_covered=("newly_covered", "sum"),
        only_covered=("only_covered", "max"),  # persons only this site covers: a site figure, not a sum
        expected_gain=("expected_gain", lambda s: s.sum(min_count=1)),
        standards=("standards", lambda s: ";".join(dict.fromkeys(x for v in s for x in v.split(";") if x))),
    ).reset_index(drop=True)
    out.insert(0, "no", np.arange(1, len(out) + 1))
    out["item_id"] = out["item_id"].astype(str)
    out["site_id"] = out["site_id"].astype(str)
    return out[cols]


# ---------------------------------------------------------------- the plan-level list


def programme_table(
    projects: pd.DataFrame, plan: Plan, summary: dict, *, report: ReportConfig, opt: OptimizerConfig,
    instance: Instance | None = None, lang: str = "zh", money: Money | None = None,
) -> pd.DataFrame:
    """The plan-level list (重点项目清单): one row per kind with its totals and target years, as seed 000 writes it.

    Columns :data:`PROGRAMME_FIELDS`: ``no``, ``kind`` (resource kind), ``programme`` (重点项目, the kind's
    programme name), ``goal`` (建设目标: 「到2025年底，新建急救站6个，购置救护车51辆（其中负压救护车21辆），…覆盖人口比例由
    71.8%提高到88.2%；救护车配置数量达到73辆（标准73辆）〔责任单位：…〕」), ``remarks`` (备注: investment, running cost,
    committed projects listed apart, standards still short), and the figures: ``cost_wan`` (new projects, 万元),
    ``committed_wan``, ``running_wan`` (万元 a year), ``projects`` (rows of the per-site list).

    ``projects`` is :func:`project_table`'s output; ``summary`` is summary.json's content (coverage,
    standards); ``money`` as for :func:`project_table`.
    """
    grouped = group_projects(plan.items)
    if grouped.empty:
        return pd.DataFrame({c: pd.Series(dtype=_programme_dtype(c)) for c in PROGRAMME_FIELDS})
    grouped["site_name"] = [_site_label(instance, sid, lang) for sid in grouped["site_id"]]
    run = running_costs(grouped, report, opt).set_index("no")["running_wan"]
    funds = money if money is not None else project_money(grouped, plan.items, report, opt)
    cost_of = {int(n): float(c) for n, c in zip(grouped["no"], grouped["cost_wan"], strict=True)}
    rows = []
    for k in KINDS:
        mine = grouped[grouped["kind"].isin([it.key for it in k.items])]
        if not len(mine):
            continue
        new = mine[mine["origin"] != "committed"]
        committed = mine[mine["origin"] == "committed"]
        goal = _programme_goal(k, new, summary, opt, lang)
        rs = [responsibility(p, report) for p in mine.itertuples(index=False)]
        goal += tr("fmt.responsible_bracket", lang, units=merged_units_text(rs, lang))
        cost = float(sum(cost_of[int(n)] for n in new["no"]))
        ccost = float(sum(cost_of[int(n)] for n in committed["no"]))
        running = float(run.reindex(mine["no"]).sum())
        sources = funds.sources_text([int(n) for n in new["no"]], lang) if len(new) else ""
        remarks = _programme_remarks(k, cost, ccost, len(committed), running, summary, lang, sources=sources)
        built = [it for it in k.items if it.key in set(mine["kind"])]  # a kind naming its types names these
        rows.append({"no": len(rows) + 1, "kind": k.name, "programme": k.programme_name(lang, built), "goal": goal,
                     "remarks": remarks, "cost_wan": round(cost, 4), "committed_wan": round(ccost, 4),
                     "running_wan": round(running, 4), "projects": [int(n) for n in mine["no"]]})
    return pd.DataFrame(rows, columns=list(PROGRAMME_FIELDS))


def _programme_goal(k: object, new: pd.DataFrame, summary: dict, opt: OptimizerConfig, lang: str) -> str:
    """「到2025年底，{what the projects build}，{coverage from → to}；{standards reached}」."""
    parts = []
    if len(new):
        first, last = int(new["first_year"].min()), int(new["last_year"].max())
        what = k.programme_goal(new, lang)  # type: ignore[attr-defined]
        when = (tr("fmt.by_end_of", lang, year=last) if first == last
                else tr("fmt.years_by_end_of", lang, first=first, last=last))
        parts.append(when + what)
    cov = summary.get("coverage") or {}
    kc = k.settings(opt)  # type: ignore[attr-defined]
    for s in k.services:  # type: ignore[attr-defined]
        c = cov.get(s.key)
        if s.expected or not c or not c.get("population"):
            continue
        b, a = float(c["before"]) / c["population"], float(c["after"]) / c["population"]
        if a - b < 5e-4:
            continue
        parts.append(tr("fmt.coverage_from_to", lang, within=_within_text(k, kc, s.key, lang), service=s.short(lang),
                        before=_pct(b), after=_pct(a)))
    reached = []
    for st in summary.get("standards") or []:
        std = standard_named(str(st.get("name", "")))
        if std is None or std.kind != k.name or not st.get("met") or st.get("required") in (None, 0):  # type: ignore[attr-defined]
            continue
        unit = str(st.get("unit") or std.unit)
        if unit.startswith("share"):
            reached.append(tr("fmt.standard_share_met", lang, label=std.label(lang), planned=_pct(st["planned"]),
                              required=_pct(st["required"], trim=True)))
        elif unit in ("vehicles", "sites"):
            reached.append(tr("fmt.standard_count_met", lang, label=std.label(lang), planned=fmt_num(st["planned"]),
                              required=fmt_num(st["required"]), unit=tr(f"measure.{unit}", lang)))
    text = tr("sep.comma", lang).join(parts)
    if reached:
        text += sep(lang) + tr("sep.comma", lang).join(reached)
    return text + tr("sep.end", lang) if text else ""


def _programme_remarks(k: object, cost: float, ccost: float, n_committed: int, running: float, summary: dict,
                       lang: str, sources: str = "") -> str:
    """「总投资2,935万元（省级补助资金1,415万元、县级财政资金1,520万元）；{committed apart}；{running}；{short}」."""
    parts = [tr("fmt.investment_funded", lang, wan=fmt_wan(cost), sources=sources) if sources
             else tr("fmt.investment", lang, wan=fmt_wan(cost))]
    if n_committed:
        parts.append(tr("fmt.committed_apart", lang, n=n_committed, wan=fmt_wan(ccost)))
    if running > 0:
        parts.append(tr("fmt.running_cost", lang, wan=fmt_wan(running)))
    for st in summary.get("standards") or []:
        std = standard_named(str(st.get("name", "")))
        if std is None or std.kind != k.name or st.get("met") is not False:  # type: ignore[attr-defined]
            continue
        unit = str(st.get("unit") or std.unit)
        if unit.startswith("share"):
            parts.append(tr("fmt.standard_share_short", lang, label=std.label(lang), planned=_pct(st["planned"]),
                            required=_pct(st["required"], trim=True)))
        elif unit in ("vehicles", "sites", "persons"):
            parts.append(tr("fmt.standard_count_short", lang, label=std.label(lang), planned=fmt_num(st["planned"]),
                            required=fmt_num(st["required"]), shortfall=fmt_num(st["shortfall"]),
                            unit=tr(f"measure.{unit}", lang)))
    return sep(lang).join(parts)


# ---------------------------------------------------------------- the pieces of a row


def project_name(kind: str, site_name: str, p: object, *, county: str | None = None, lang: str = "zh") -> str:
    """Project name by the rules of the module docstring (``p`` carries quantity_ord, quantity_np, new_station)."""
    if kind not in ITEM_KEYS:
        return f"{site_name}: {kind}" if is_en(lang) else f"{site_name}{kind}建设项目"
    k, it = item_type(kind)
    base = site_name if is_en(lang) or not county or site_name.startswith(county) else f"{county}{site_name}"
    return k.item_name(it, p, base, lang)


def project_nature(kind: str, new_station: bool = False, lang: str = "zh") -> str:
    """建设性质: 购置 (ambulances), 新建 (new station, blood point), 改扩建 (fever), 改造升级 (sub-centre) …"""
    if kind not in ITEM_KEYS:
        return tr("nature.new", lang)
    k, it = item_type(kind)
    return k.item_nature(it, SimpleNamespace(new_station=new_station), lang)


def project_content(kind: str, p: object, site: pd.Series, lang: str = "zh") -> str:
    """建设内容及规模 from the item's quantities (and the site's beds for a sub-centre)."""
    if kind not in ITEM_KEYS:
        return kind
    k, it = item_type(kind)
    return k.item_content(it, p, site, lang)


def period_text(first: int, last: int, lang: str = "zh") -> str:
    """建设年限: 「2025年」, or 「2024—2025年」 for a project over several years."""
    if first == last:
        return tr("fmt.year", lang, year=first)
    return tr("fmt.year_span", lang, first=first, last=last)


def project_basis(
    kind: str, p: object, opt: OptimizerConfig, *, urban_share: float = float("nan"), lang: str = "zh",
    site: pd.Series | None = None, note: str = "",
) -> str:
    """依据: why the project is there (a named decision), the standards it is needed for, and what it covers.

    ``urban_share`` is the urban share of population in the site's township (0 rural … 1 urban, NaN unknown);
    it picks which ratio and which time standard the sentences quote.
    """
    parts = []
    origin = str(getattr(p, "origin", "optimized") or "optimized")
    if origin in ("committed", "must"):
        why = tr(f"basis.{origin}", lang)
        parts.append(tr("fmt.with_note", lang, text=why, note=note) if note else why)
    stds = [s for s in str(getattr(p, "standards", "") or "").split(";") if s]
    parts += list(dict.fromkeys(filter(None, (standard_sentence(s, kind, opt, urban_share, lang) for s in stds))))
    newly = float(getattr(p, "newly_covered", 0) or 0)
    only = float(getattr(p, "only_covered", 0) or 0)
    cov = coverage_sentence(kind, newly, only, opt, urban_share, lang, p=p,
                            site=site if site is not None else pd.Series(dtype=object))
    if cov:
        parts.append(cov)
    text = sep(lang).join(parts)
    return text[:1].upper() + text[1:] if is_en(lang) else text


def standard_sentence(name: str, kind: str, opt: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
    """The policy sentence of the standard ``name`` (each standard writes its own); the raw name otherwise."""
    s = standard_named(name)
    return s.sentence(opt, urban_share, lang) if s is not None else name


def coverage_sentence(
    kind: str, newly: float, only: float, opt: OptimizerConfig, urban_share: float, lang: str = "zh",
    *, p: object = None, site: pd.Series | None = None,
) -> str:
    """新增{T}分钟{service}覆盖人口{X}，其中{Y}仅由本{unit}覆盖 (the clause on Y only when Y > 0).

    A project that newly covers nobody says what it adds instead (the kind's :meth:`no_gain_sentence`), followed by
    the persons only it covers when there are any.
    """
    if kind not in ITEM_KEYS:
        return ""
    k, it = item_type(kind)
    svc = service(it.service)[1]
    en = is_en(lang)
    t = _time_text(k.time_text(k.settings(opt), it.service), urban_share, en)
    t = t if ("/" in t) else (f"{t} min" if en else f"{t}分钟")
    unit, service_name = it.unit(lang), svc.short(lang)
    persons = fmt_persons_en if en else fmt_persons_zh
    if round(newly) <= 0:
        text = k.no_gain_sentence(it, p if p is not None else SimpleNamespace(quantity=0),
                                  site if site is not None else pd.Series(dtype=object), lang)
        if round(only) > 0:  # still the only one of its kind in reach of these persons
            text += sep(lang) + tr("basis.only_covered_alone", lang, persons=persons(only), unit=unit)
        return text
    text = tr("basis.newly_covered", lang, within=t, service=service_name, persons=persons(newly))
    if round(only) > 0:
        text += tr("basis.of_them_only", lang, persons=persons(only), unit=unit)
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


def _within_text(k: object, kc: object, key: str, lang: str) -> str:
    """「城市15分钟、农村30分钟」 or 「30分钟」: the kind's time standard of a service for the plan-level goal."""
    times = k.time_text(kc, key)  # type: ignore[attr-defined]
    u, r = _num(times["urban"]), _num(times["rural"])
    if u == r:
        return tr("fmt.within", lang, minutes=u)
    return tr("fmt.within_urban_rural", lang, urban=u, rural=r)


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


def _pct(x: float, *, trim: bool = False) -> str:
    """A share as a percentage with one decimal (``trim``: 40.0% → 40%, for a standard's round figure)."""
    s = f"{100 * float(x):.1f}"
    return (s.removesuffix(".0") if trim else s) + "%"


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
    if is_en(lang):
        v = site.get("name_en")
        if isinstance(v, str) and v.strip():
            return v.strip()
    v = site.get("name")
    return v.strip() if isinstance(v, str) and v.strip() else str(site_id)


def _site_label(instance: Instance | None, site_id: str, lang: str) -> str:
    if instance is None or site_id not in instance.sites.index:
        return str(site_id)
    return _site_name(instance.sites.loc[site_id], site_id, lang)


def _dtype(col: str) -> str:
    if col == "no":
        return "int64"
    if col == "cost_wan":
        return "float64"
    return "object"


def _programme_dtype(col: str) -> str:
    if col == "no":
        return "int64"
    if col.endswith("_wan"):
        return "float64"
    return "object"


__all__ = [
    "PROGRAMME_DOC_COLUMNS", "PROGRAMME_FIELDS", "PROJECT_DOC_COLUMNS", "PROJECT_FIELDS", "SERVICE_KEYS",
    "fmt_persons_en", "fmt_persons_zh", "group_projects", "header", "localised", "period_text", "programme_table",
    "project_basis", "project_columns", "project_table",
]
