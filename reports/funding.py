"""Money and responsibility of each project: funding by source and year (万元), 责任单位, annual running cost.

The rules (which split applies, fixed amounts before shares) are in :mod:`reports.config`. Everything here is
typed: a source is identified by its built-in key or its Chinese name, and named in the requested language only
when a table is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.decisions import item_key
from healthplan.optimizer.kinds import item_type
from healthplan.optimizer.text import Text
from healthplan.reports.config import FundingPart, Named, NameSpec, ReportConfig, Responsibility, builtin_key
from healthplan.reports.i18n import tr
from healthplan.reports.summary import fmt_wan

MONEY_DECIMALS = 4  # 万元 to 4 decimals = 1 元


def name_text(name: NameSpec) -> Text:
    """A unit's or source's name in both languages: built-in names from the catalogs, ``{zh, en}`` as given, a
    plain string as written."""
    if isinstance(name, Named):
        return Text(name.zh, name.en)
    hit = builtin_key(name)
    if hit is not None:
        group, key = hit
        return Text(tr(f"{group}.{key}", "zh"), tr(f"{group}.{key}", "en"))
    return Text.of(str(name))


def source_id(name: NameSpec) -> str:
    """The identity of a funding source (its built-in key, else its Chinese name), for summing by source."""
    hit = builtin_key(name)
    if hit is not None:
        return hit[1]
    return name.zh if isinstance(name, Named) else str(name)


@dataclass(frozen=True)
class Money:
    """Funding of the projects, long: one row per project (``no``) × year × source, 万元; and notes for footnotes.

    ``frame`` columns: ``no``, ``kind`` (item type), ``origin``, ``year``, ``source`` (id), ``source_zh``,
    ``source_en``, ``wan``.
    """

    frame: pd.DataFrame
    notes: tuple[Text, ...] = ()

    def project_text(self, no: int, lang: str) -> str:
        """资金来源 of project ``no``: the one source, or each source with its 万元 (「中央预算内投资60万元、县级财政资金40万元」)."""
        by = self._by_project.get(no)
        return "" if by is None else self._text(by, lang)

    def sources_text(self, nos: list[int], lang: str) -> str:
        """资金来源 of the projects ``nos`` together: the one source, or each source with its 万元 summed over them."""
        rows = self.frame[self.frame["no"].isin(nos)]
        return self._text(_by_source(rows), lang)

    @cached_property
    def _by_project(self) -> dict[int, pd.DataFrame]:
        """:func:`_by_source` of each project's rows, all in one groupby (a project list asks for every
        project: one groupby each took ≈ 10 ms)."""
        by = _by_source(self.frame, ["no"])
        return {int(no): g.droplevel("no") for no, g in by.groupby(level="no", sort=False)}

    @staticmethod
    def _text(by: pd.DataFrame, lang: str) -> str:
        by = by[by["wan"] > 1e-9]
        col = "en" if lang == "en" else "zh"
        if len(by) <= 1:
            return str(by[col].iloc[0]) if len(by) else ""
        return tr("sep.list", lang).join(tr("fmt.source_amount", lang, source=r[col], wan=fmt_wan(r["wan"]))
                                         for _, r in by.iterrows())


def _by_source(rows: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """万元 by source (and ``keys`` first) in order of first appearance, with the source's zh/en names."""
    return rows.groupby([*(keys or []), "source"], sort=False).agg(
        wan=("wan", "sum"), zh=("source_zh", "first"), en=("source_en", "first"))


def project_money(projects: pd.DataFrame, items: pd.DataFrame, report: ReportConfig,
                  opt: OptimizerConfig) -> Money:
    """Funding of every project of the per-site list, by year and source.

    Parameters
    ----------
    projects
        The grouped projects (``no``, ``item_ids``, ``site_id``, ``kind`` = item type, ``origin``, ``cost_wan``).
    items
        ``Plan.items`` (each row's ``year`` and ``cost_wan``: a project's money follows its rows' years).
    """
    cols = ["no", "kind", "origin", "year", "source", "source_zh", "source_en", "wan"]
    if not len(projects):
        return Money(pd.DataFrame(columns=cols))
    by_item = items.set_index("item_id")
    stated = {(d.site, item_key(d.kind)): d.funding for d in opt.decisions
              if d.action == "committed" and d.funding}
    # the scope each project takes its split from: (rule id, parts)
    scopes: dict[str, list[FundingPart]] = {}
    scope_of: list[str] = []
    for p in projects.itertuples(index=False):
        k, _ = item_type(p.kind)
        if p.origin == "committed" and (p.site_id, p.kind) in stated:
            sid = f"decision:{p.site_id}:{p.kind}"
            scopes[sid] = [FundingPart(source=str(stated[(p.site_id, p.kind)]), share=1.0)]
        elif p.site_id in report.sites and report.sites[p.site_id].funding:
            sid = f"site:{p.site_id}"
            scopes[sid] = list(report.sites[p.site_id].funding or [])
        elif p.kind in report.funding:
            sid = f"item:{p.kind}"
            scopes[sid] = report.funding[p.kind]
        elif k.name in report.funding:
            sid = f"kind:{k.name}"
            scopes[sid] = report.funding[k.name]
        else:
            sid = "default"
            scopes[sid] = [FundingPart(source=report.funding_source, share=1.0)]
        scope_of.append(sid)
    cost = projects["cost_wan"].to_numpy(dtype=float)
    scope_arr = np.array(scope_of, dtype=object)
    rows: list[tuple] = []
    notes: list[Text] = []
    for sid, parts in scopes.items():
        members = np.flatnonzero(scope_arr == sid)
        total = float(cost[members].sum())
        fixed = [p for p in parts if p.wan is not None]
        shares = [p for p in parts if p.share is not None]
        fixed_total = float(sum(p.wan for p in fixed))  # type: ignore[misc]
        scale = 1.0
        if fixed_total > total + 1e-9:
            scale = total / fixed_total if fixed_total else 0.0
            notes.append(Text(
                f"资金来源中的定额资金（{fixed_total:g}万元）超过适用项目的总投资（{total:g}万元），已按比例调减。",
                f"Fixed funding amounts ({fixed_total:g}) exceed the cost of the projects they fund ({total:g}, "
                "10k CNY); they were scaled down in proportion."))
        for m in members:
            p = projects.iloc[m]
            part_of = cost[m] / total if total else 0.0
            fixed_m = [(f.source, float(f.wan) * scale * part_of) for f in fixed]  # type: ignore[arg-type]
            rest = max(cost[m] - sum(w for _, w in fixed_m), 0.0)
            split = [(s.source, rest * float(s.share)) for s in shares] or (
                [(report.funding_source, rest)] if rest > 1e-9 else [])
            years = by_item.loc[list(p["item_ids"]), ["year", "cost_wan"]].groupby("year")["cost_wan"].sum()
            ysum = float(years.sum())
            for year, ycost in years.items():
                frac = float(ycost) / ysum if ysum else 1.0 / len(years)
                for src, wan in [*fixed_m, *split]:
                    t = name_text(src)
                    rows.append((int(p["no"]), p["kind"], p["origin"], int(year), source_id(src), t.zh, t.en,
                                 round(wan * frac, MONEY_DECIMALS)))
    frame = pd.DataFrame(rows, columns=cols)
    return Money(frame, tuple(dict.fromkeys(notes)))


def responsibility(p: object, report: ReportConfig) -> Responsibility:
    """The 责任单位 of a project: the site's override, its item type's, its kind's, else the defaults."""
    site = getattr(p, "site_id", None)
    kind = str(getattr(p, "kind", ""))
    if site in report.sites and report.sites[site].responsible is not None:
        return report.sites[site].responsible  # type: ignore[return-value]
    if kind in report.responsible:
        return report.responsible[kind]
    k_name = item_type(kind)[0].name if kind else ""
    if k_name in report.responsible:
        return report.responsible[k_name]
    return Responsibility(lead=report.responsible_unit, co=list(report.co_units))


def units_text(r: Responsibility, lang: str) -> str:
    """Lead unit first, then co-units, joined 「、」 (「县卫生健康局、县财政局」)."""
    names = list(dict.fromkeys(name_text(n)(lang) for n in [r.lead, *r.co]))
    return tr("sep.list", lang).join(names)


def merged_units_text(rs: list[Responsibility], lang: str) -> str:
    """Several projects' units in one list: each project's lead first (in order), then the co-units."""
    leads = [name_text(r.lead)(lang) for r in rs]
    cos = [name_text(c)(lang) for r in rs for c in r.co]
    return tr("sep.list", lang).join(dict.fromkeys([*leads, *cos]))


def running_costs(projects: pd.DataFrame, report: ReportConfig, opt: OptimizerConfig) -> pd.DataFrame:
    """Annual running cost of each project (万元 a year), from the kind's own figure (e.g. ambulance crews) or,
    where the kind has none, ``report.running_cost_share`` × capital (flagged ASSUMPTION).

    Columns: ``no``, ``kind`` (item type), ``origin``, ``running_wan``, ``assumed`` (bool), ``source`` (Source or
    None).
    """
    out = []
    for p in projects.itertuples(index=False):
        k, _ = item_type(p.kind)
        got = k.running_cost(k.settings(opt), p)
        if got is None:
            out.append((int(p.no), p.kind, p.origin, float(p.cost_wan) * report.running_cost_share, True, None))
        else:
            out.append((int(p.no), p.kind, p.origin, float(got[0]), False, got[1]))
    return pd.DataFrame(out, columns=["no", "kind", "origin", "running_wan", "assumed", "source"])
