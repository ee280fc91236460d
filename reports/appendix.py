"""The plan appendix as ``appendix.xlsx`` (openpyxl) and ``appendix.docx`` (python-docx), laid out as a Chinese
government document's annex.

Tables, in order (:func:`appendix_tables`):

1. 《title》重点项目清单 — the plan-level list, one row per kind (序号 | 重点项目 | 建设目标 | 备注), as seed 000 writes it;
2. 附表1 重点项目明细表 — the per-site list (the ten 项目清单 columns), committed projects (续建/已批) apart from the new
   ones, a project over several years once (「2024—2025年」);
3. 附表2 投资汇总表 — capital by kind × funding source × year, with each kind's annual running cost beside it;
4. 附表3 标准达标情况 — required, existing and planned level of every standard, cited 《title》（文号）;
5. 附表4 乡镇覆盖情况 — persons and shares covered per township before and after.

The tables are built once as typed frames (:mod:`reports.projects`, :mod:`reports.funding`, summary.json) and only
formatted by the two writers; headers are localised here, at the output edge. No internal code column (site,
township or standard ids) appears in either document.

Layout (:func:`appendix_to_docx`): A4, portrait margins of GB/T 9704-2012 (top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm), wide tables in landscape sections (25/24/25/25 mm); body text 仿宋_GB2312 (fallbacks 仿宋, 方正仿宋_GBK),
headings 黑体 (SimHei), the title 方正小标宋简体 (fallback 宋体), Latin text Times New Roman; fixed column widths, header
rows repeated on every page, rows kept whole, page numbers 「— 1 —」 in the footer. The workbook
(:func:`appendix_to_xlsx`) prints on A4 fitted to the page width, repeats its caption and header rows, and freezes
the panes below the header. Both files are normalised after saving (fixed ZIP entry times, document dates set to
the run's timestamp) so re-rendering a run gives identical bytes.
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from healthplan.geodata.instance import Instance
from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.kinds import KINDS, SERVICE_KEYS, item_type
from healthplan.optimizer.plan import Plan
from healthplan.reports.config import ReportConfig
from healthplan.reports.funding import Money, project_money, running_costs
from healthplan.reports.i18n import coverage_name, kind_name, label, lang_of, status_name, tr, unit_name
from healthplan.reports.projects import (
    PROGRAMME_DOC_COLUMNS,
    PROJECT_DOC_COLUMNS,
    group_projects,
    header,
    localised,
    programme_table,
    project_table,
)
from healthplan.reports.summary import (
    MONEY_DECIMALS,
    assumptions_in,
    fmt_wan,
    standard_label,
    standard_source,
    time_limit_warning,
)

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest ZIP timestamp: entry times carry no run-specific data
TABLE_KEYS = ("programme", "projects", "investment", "standards", "townships")

# Page geometry, cm. Portrait margins: GB/T 9704-2012 (党政机关公文格式): 37 / 35 / 28 / 26 mm.
A4 = (21.0, 29.7)
PORTRAIT_MARGINS = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
LANDSCAPE_MARGINS = {"top": 2.5, "bottom": 2.4, "left": 2.5, "right": 2.5}
FOOTER_DISTANCE_CM = 1.6


def text_width_cm(landscape: bool) -> float:
    """Width of the text block (cm) of a portrait or landscape A4 page."""
    m = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
    return (A4[1] if landscape else A4[0]) - m["left"] - m["right"]


# Fonts: the usual fonts of Chinese government documents, each with the fallbacks a machine without it uses.
FONT_BODY = "仿宋_GB2312"
FONT_HEADING = "黑体"
FONT_TITLE = "方正小标宋简体"
FONT_LATIN = "Times New Roman"
FONT_FALLBACKS: dict[str, tuple[str, str, str]] = {  # name → (altName, panose-1, family) for word/fontTable.xml
    FONT_BODY: ("仿宋", "02010609030101010101", "modern"),
    FONT_HEADING: ("SimHei", "02010609060101010101", "modern"),
    FONT_TITLE: ("宋体", "02000000000000000000", "auto"),
    "仿宋": ("FangSong", "02010609060101010101", "modern"),
}
PT_TITLE, PT_HEADING, PT_CAPTION, PT_TABLE, PT_TABLE_DENSE, PT_NOTE = 18, 16, 14, 10.5, 9, 9
TAIL_ROWS_KEPT = 3  # rows kept on the page of a table's closing total: never a total alone on a page
XLSX_LINE_PT, XLSX_NOTE_LINE_PT = 13.5, 12.0  # row height a wrapped line takes in the workbook (10 pt, 9 pt text)


@dataclass
class AppendixTable:
    """One table of the appendix: caption, unit line, data (localised headers; numbers stay numbers), footnotes.

    ``total_rows`` and ``section_rows`` are row positions: totals (bold) and group headings (one merged cell);
    ``formats`` maps a column to ``money`` (万元), ``persons``, ``share`` (0–1), ``number`` or ``text``;
    ``cell_formats`` overrides the format of single cells (row, column) — a share row in a table of counts;
    ``widths`` are the columns' widths in cm at the page's text width; ``wide`` asks for a landscape page;
    ``dense`` for the smaller table font; ``align`` maps a column to ``center`` or ``right``.
    """

    key: str
    sheet: str
    label: str
    caption: str
    unit: str
    data: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    total_rows: list[int] = field(default_factory=list)
    section_rows: list[int] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    cell_formats: dict[tuple[int, str], str] = field(default_factory=dict)
    widths: list[float] = field(default_factory=list)
    align: dict[str, str] = field(default_factory=dict)
    wide: bool = False
    dense: bool = False

    @property
    def heading(self) -> str:
        """The caption as printed: 「附表1　重点项目明细表」, or the caption alone."""
        return f"{self.label}\u3000{self.caption}" if self.label else self.caption


def appendix_tables(
    instance: Instance,
    plan: Plan,
    summary: dict,
    *,
    report: ReportConfig,
    opt: OptimizerConfig,
    projects: pd.DataFrame | None = None,
    townships: pd.DataFrame | None = None,
    title: str = "",
    lang: str = "zh",
    programme: pd.DataFrame | None = None,
    money: Money | None = None,
) -> list[AppendixTable]:
    """The five appendix tables in order (module docstring), in ``lang``.

    Parameters
    ----------
    instance, plan
        The run's instance and plan.
    summary
        :func:`reports.summary.summary_dict` of the run (coverage, standards, assumptions, status).
    report, opt
        Report settings (funding, units, running-cost rate) and the optimizer configuration (unit costs).
    projects
        :func:`reports.projects.project_table` of the run (computed when not given).
    townships
        :func:`reports.placements.township_frame` (persons before/after per coverage key).
    title
        The plan's title: the plan-level list is captioned 《title》重点项目清单.
    programme, money
        :func:`reports.projects.programme_table` and :func:`reports.funding.project_money` of the run, when
        the caller has them already (computed when not given).
    """
    from healthplan.reports.placements import township_frame

    lang = lang_of(lang)
    grouped = group_projects(plan.items)
    if money is None:
        money = project_money(grouped, plan.items, report, opt)
    if projects is None:
        projects = project_table(instance, plan, report=report, opt=opt, lang=lang, money=money)
    if townships is None:
        townships = township_frame(instance, plan)
    common = common_notes(summary, lang)
    synthetic = [label("synthetic_note", lang)] if summary.get("synthetic") else []
    if programme is None:
        programme = programme_table(projects, plan, summary, report=report, opt=opt, instance=instance,
                                    lang=lang, money=money)
    tables = [
        _programme(programme, title, [*common, *synthetic], lang),
        _projects(projects, [*projects.attrs.get("notes", []), *cost_notes(summary, opt, lang), *common,
                             *synthetic], lang),
        _investment(grouped, money, report, opt, synthetic, lang),
        _standards(summary, [*source_notes(lang), *synthetic], lang),
        _townships(townships, [coverage_definition_note(lang), *synthetic], lang),
    ]
    by_year = _standards_by_year(summary, [tr("doc.milestone_note", lang), *synthetic], lang)
    if by_year is not None:  # a phased plan: the standards of every year (issue 13 §3)
        tables.append(by_year)
    return tables


# ---------------------------------------------------------------- the tables


def _programme(programme: pd.DataFrame, title: str, notes: list[str], lang: str) -> AppendixTable:
    data = localised(programme, PROGRAMME_DOC_COLUMNS, lang)
    total_rows = []
    if len(programme):
        from healthplan.reports.i18n import sep

        cost = float(programme["cost_wan"].sum())
        run = float(programme["running_wan"].sum())
        parts = [tr("fmt.investment", lang, wan=fmt_wan(cost))]
        if programme["committed_wan"].sum() > 0:
            parts.append(tr("fmt.committed_total", lang, wan=fmt_wan(float(programme["committed_wan"].sum()))))
        if run > 0:
            parts.append(tr("fmt.running_cost", lang, wan=fmt_wan(run)))
        total = {c: "" for c in data.columns}
        total[data.columns[0]] = label("total", lang)
        total[data.columns[3]] = sep(lang).join(parts)
        data = pd.concat([data.astype(object), pd.DataFrame([total])], ignore_index=True)
        total_rows = [len(data) - 1]
    else:
        notes = [tr("note.no_projects", lang), *notes]
    caption = tr("doc.programme_caption_titled", lang, title=title) if title else tr("doc.programme_caption", lang)
    w = text_width_cm(False)
    return AppendixTable(
        "programme", tr("sheet.programme", lang), "", caption, "", data, notes, total_rows=total_rows,
        formats={c: "text" for c in data.columns}, widths=_scale([1.0, 3.0, 7.8, 3.8], w),
        align={data.columns[0]: "center"},
    )


def _projects(projects: pd.DataFrame, notes: list[str], lang: str) -> AppendixTable:
    committed = projects[projects["origin"] == "committed"] if len(projects) else projects
    new = projects[projects["origin"] != "committed"] if len(projects) else projects
    money = tr("col.cost_wan", lang)
    rows: list[pd.DataFrame] = []
    section_rows, total_rows = [], []
    n = 0
    heads = list(localised(projects, PROJECT_DOC_COLUMNS, lang).columns)

    def heading(text: str) -> pd.DataFrame:
        return pd.DataFrame([{**{c: "" for c in heads}, heads[0]: text}])

    groups = [(tr("doc.group_committed", lang), committed), (tr("doc.group_new", lang), new)] if len(committed) \
        else [("", new)]
    for name, part in groups:
        if name:
            rows.append(heading(name))
            section_rows.append(n)
            n += 1
        body = localised(part, PROJECT_DOC_COLUMNS, lang).astype(object)
        # a split funding reads one source a line (「省级补助资金52.5万元」/「县级财政资金52.5万元」) and each
        # responsible unit starts a line: names are never cut in the middle
        sep = tr("sep.list", lang)
        for col, joint in (("funding", "\n"), ("responsible", sep.rstrip() + "\n")):
            head = header(col, lang)
            body[head] = body[head].map(lambda v, joint=joint: str(v).replace(sep, joint) if v else v)
        rows.append(body)
        n += len(body)
        if name:
            sub = {c: "" for c in heads}
            sub[heads[0]] = tr("doc.subtotal", lang)
            sub[money] = round(float(part["cost_wan"].sum()), MONEY_DECIMALS)
            rows.append(pd.DataFrame([sub]))
            total_rows.append(n)
            n += 1
    total = {c: "" for c in heads}
    total[heads[0]] = label("total", lang)
    total[money] = round(float(projects["cost_wan"].sum()) if len(projects) else 0.0, MONEY_DECIMALS)
    rows.append(pd.DataFrame([total]))
    total_rows.append(n)
    data = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=heads)
    if not len(projects):
        notes = [tr("note.no_projects", lang), *notes]
    w = text_width_cm(True)
    widths = _scale([0.9, 3.2, 1.5, 1.5, 2.7, 1.3, 3.7, 1.4, 2.5, 6.0], w)  # 资金来源: 「省级补助资金52.5万元」 a line
    return AppendixTable(
        "projects", tr("sheet.projects", lang), tr("doc.annex", lang, n=1), tr("doc.projects_caption", lang),
        tr("doc.unit_wan", lang), data, notes, total_rows=total_rows, section_rows=section_rows,
        formats={money: "money", heads[0]: "number"}, widths=widths, wide=True, dense=True,
        align={heads[0]: "center", heads[2]: "center", heads[3]: "center", money: "right", heads[7]: "center"},
    )


def _investment(grouped: pd.DataFrame, funds: Money, report: ReportConfig, opt: OptimizerConfig,
                notes: list[str], lang: str) -> AppendixTable:
    """Capital by kind × source × year (万元) with the kind's annual running cost; source totals; grand total."""
    kcol, scol, tcol = tr("col.kind", lang), tr("col.source", lang), label("total", lang)
    rcol = tr("col.running_wan", lang)
    if grouped.empty:
        data = pd.DataFrame(columns=[kcol, scol, tcol, rcol])
        return AppendixTable("investment", tr("sheet.investment", lang), tr("doc.annex", lang, n=2),
                             tr("doc.investment_caption", lang), tr("doc.unit_wan", lang), data,
                             [tr("note.no_projects", lang), *notes])
    money = funds.frame.copy()  # a column is added below: the caller's Money stays as it was
    running = running_costs(grouped, report, opt)
    years = sorted(money["year"].unique().tolist())
    ycols = [tr("fmt.year", lang, year=y) for y in years]
    src_name = "source_en" if lang == "en" else "source_zh"
    money["res"] = money["kind"].map(lambda key: item_type(key)[0].name)
    running["res"] = running["kind"].map(lambda key: item_type(key)[0].name)
    rows, total_rows = [], []

    def line(k: str, s: str, by_year: pd.Series, run: object = "") -> dict:
        vals = [round(float(by_year.get(y, 0.0)), MONEY_DECIMALS) for y in years]
        return {kcol: k, scol: s, **dict(zip(ycols, vals, strict=True)),
                tcol: round(sum(vals), MONEY_DECIMALS), rcol: run}

    for k in KINDS:
        mine = money[money["res"] == k.name]
        if not len(mine):
            continue
        run = round(float(running.loc[running["res"] == k.name, "running_wan"].sum()), MONEY_DECIMALS)
        sources = mine.groupby("source", sort=False)
        for i, (_, part) in enumerate(sources):
            rows.append(line(k.label(lang) if i == 0 else "", str(part[src_name].iloc[0]),
                             part.groupby("year")["wan"].sum(), run if i == 0 and sources.ngroups == 1 else ""))
        if sources.ngroups > 1:
            rows.append(line(tr("doc.subtotal_of", lang, kind=k.label(lang)), "", mine.groupby("year")["wan"].sum(),
                             run))
            total_rows.append(len(rows) - 1)
    by_source = money.groupby("source", sort=False)
    if by_source.ngroups > 1:
        for i, (_, part) in enumerate(by_source):
            rows.append(line(tr("doc.by_source", lang) if i == 0 else "", str(part[src_name].iloc[0]),
                             part.groupby("year")["wan"].sum()))
    rows.append(line(tcol, "", money.groupby("year")["wan"].sum(),
                     round(float(running["running_wan"].sum()), MONEY_DECIMALS)))
    total_rows.append(len(rows) - 1)
    data = pd.DataFrame(rows, columns=[kcol, scol, *ycols, tcol, rcol])
    fmts = {c: "money" for c in [*ycols, tcol, rcol]}
    n_num = len(ycols) + 2
    w = text_width_cm(False)
    widths = [2.9, 3.6, *[(w - 2.9 - 3.6) / n_num] * n_num]
    committed = float(grouped.loc[grouped["origin"] == "committed", "cost_wan"].sum())
    extra = [tr("note.committed_in_investment", lang, wan=fmt_wan(committed))] if committed > 0 else []
    return AppendixTable(
        "investment", tr("sheet.investment", lang), tr("doc.annex", lang, n=2), tr("doc.investment_caption", lang),
        tr("doc.unit_wan_running", lang), data, [*running_notes(running, report, lang), *extra, *notes],
        total_rows=total_rows, formats=fmts, widths=widths, align={c: "right" for c in fmts},
    )


def _standards(summary: dict, notes: list[str], lang: str) -> AppendixTable:
    sdata, cell_fmt = standards_frame(summary, lang)
    num = {label(k, lang) for k in ("std_required", "std_existing", "std_planned", "std_shortfall")}
    w = text_width_cm(True)
    widths = _scale([4.4, 1.3, 1.6, 1.6, 1.6, 1.5, 1.6, 1.6, 9.5], w)
    return AppendixTable(
        "standards", tr("sheet.standards", lang), tr("doc.annex", lang, n=3), tr("doc.standards_caption", lang),
        tr("doc.unit_standards", lang), sdata, notes, formats={c: "number" for c in sdata.columns if c in num},
        cell_formats=cell_fmt, widths=widths, wide=True,
        align={**{c: "right" for c in num}, label("std_unit", lang): "center", label("std_met", lang): "center",
               label("std_mode", lang): "center"},
    )


def _standards_by_year(summary: dict, notes: list[str], lang: str) -> AppendixTable | None:
    """附表5: the standards of every plan year (the milestone due, today's level, planned by that year, met);
    ``None`` for a one-year plan."""
    from healthplan.reports.summary import standards_by_year_table

    hdr, rows = standards_by_year_table(summary, lang)
    if not rows:
        return None
    data = pd.DataFrame(rows, columns=hdr)
    w = text_width_cm(True)
    return AppendixTable(
        "standards_by_year", tr("sheet.standards_by_year", lang), tr("doc.annex", lang, n=5),
        tr("doc.standards_by_year_caption", lang), tr("doc.unit_standards", lang), data, notes,
        widths=_scale([1.6, 6.0, 2.4, 2.2, 2.2, 1.8], w), wide=True,
        align={c: "right" for c in hdr[2:5]} | {hdr[0]: "center", hdr[5]: "center"},
    )


def _townships(townships: pd.DataFrame, notes: list[str], lang: str) -> AppendixTable:
    tdata, tfmt = township_table(townships, lang)
    w = text_width_cm(True)
    rest = max(len(tdata.columns) - 2, 1)
    widths = [2.8, 2.2, *[(w - 5.0) / rest] * rest]
    return AppendixTable(
        "townships", tr("sheet.townships", lang), tr("doc.annex", lang, n=4), tr("doc.townships_caption", lang),
        tr("doc.unit_townships", lang), tdata, notes, total_rows=[len(tdata) - 1] if len(tdata) else [],
        formats=tfmt, widths=widths, wide=True, dense=True,
        align={c: "right" for c in tdata.columns[1:]},
    )


def standards_frame(summary: dict, lang: str = "zh") -> tuple[pd.DataFrame, dict[tuple[int, str], str]]:
    """Standards table from ``summary['standards']``: name, unit, required, existing, planned, shortfall, met, mode,
    source (figures unchanged, so the sheet equals summary.json); shares are formatted as percentages cell by cell.

    Returns the frame and the per-cell formats.
    """
    L = lambda k: label(k, lang)  # noqa: E731
    recs = summary.get("standards") or []
    nums = [L("std_required"), L("std_existing"), L("std_planned"), L("std_shortfall")]
    cols = [L("std_name"), L("std_unit"), *nums, L("std_met"), L("std_mode"), L("std_source")]
    rows, cell_fmt = [], {}
    for i, s in enumerate(recs):
        met, mode, unit = s.get("met"), s.get("mode"), str(s.get("unit") or "")
        rows.append([standard_label(s, lang), unit_name(unit, lang) if unit else "", _num(s.get("required")),
                     _num(s.get("existing")), _num(s.get("planned")), _num(s.get("shortfall")),
                     "" if met is None else L("met_yes") if met else L("met_no"), L(f"mode_{mode}") if mode else "",
                     standard_source(s, lang)])
        if unit.startswith("share"):
            cell_fmt.update({(i, c): "share" for c in nums})
        elif unit == "persons":
            cell_fmt.update({(i, c): "persons" for c in nums})
    return pd.DataFrame(rows, columns=cols), cell_fmt


def township_table(townships: pd.DataFrame, lang: str = "zh") -> tuple[pd.DataFrame, dict[str, str]]:
    """Township coverage: name, population, then per key persons before/after and shares before/after, with a
    totals row (shares of the total population). No township id column. Returns the frame and its formats."""
    name_col, pop_col = tr("col.township", lang), label("population", lang)
    fmt: dict[str, str] = {pop_col: "persons"}
    if townships is None or not len(townships):
        return pd.DataFrame(columns=[name_col, pop_col]), fmt
    out = pd.DataFrame({name_col: townships["name"].astype(str).to_numpy(),
                        pop_col: townships["population"].astype(float).to_numpy()})
    total = {name_col: label("total", lang), pop_col: float(townships["population"].sum())}
    for k in SERVICE_KEYS:
        if f"{k}_before" not in townships:
            continue
        kn = coverage_name(k, lang)
        for when in ("before", "after"):
            pc = tr(f"col.persons_{when}", lang, service=kn)
            out[pc] = townships[f"{k}_{when}"].astype(float).to_numpy()
            fmt[pc] = "persons"
            total[pc] = float(townships[f"{k}_{when}"].sum())
        for when in ("before", "after"):
            sc = tr(f"col.share_{when}", lang, service=kn)
            out[sc] = townships[f"{k}_{when}_share"].astype(float).to_numpy()
            fmt[sc] = "share"
            pc = tr(f"col.persons_{when}", lang, service=kn)
            total[sc] = total[pc] / total[pop_col] if total[pop_col] else np.nan
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out, fmt


def spend_frame(summary: dict, lang: str = "zh") -> pd.DataFrame:
    """Investment by kind (rows) and year (columns), 万元, with a totals column and a totals row."""
    spend = summary.get("spend_by_kind_year") or {}
    years = sorted({y for v in spend.values() for y in v})
    kcol, tcol = label("kind", lang), label("total", lang)
    rows = []
    for kind, by_year in spend.items():
        vals = [float(by_year.get(y, 0.0)) for y in years]
        rows.append([kind_name(kind, lang), *vals, round(sum(vals), MONEY_DECIMALS)])
    col_tot = [round(sum(float(v.get(y, 0.0)) for v in spend.values()), MONEY_DECIMALS) for y in years]
    rows.append([tcol, *col_tot, round(float(summary.get("spent_wan") or 0.0), MONEY_DECIMALS)])
    return pd.DataFrame(rows, columns=[kcol, *[str(y) for y in years], tcol])


# ---------------------------------------------------------------- footnotes


def common_notes(summary: dict, lang: str = "zh") -> list[str]:
    """Notes of the lists: ASSUMPTION values used, solver status when not optimal."""
    notes = []
    assumed = assumptions_in(summary, lang)
    if assumed:
        # the note's lead-in already says "no source, please check": drop that tail from each default's sentence
        tail = tr("fmt.assumed_default", lang, name="\0", value="\0", unit="\0").rsplit("\0", 1)[1]
        listed = (a.rstrip("。.").removesuffix(tail) for a in assumed)
        notes.append(tr("note.assumptions", lang) + tr("sep.clause", lang).join(listed))
    warn = time_limit_warning(summary, lang)
    if warn:
        notes.append(warn)
    elif summary.get("status") not in ("optimal", "baseline", None):
        notes.append(tr("note.solver_status", lang, status=status_name(str(summary.get("status")), lang)))
    return notes


def source_notes(lang: str = "zh") -> list[str]:
    """How to read the sources column (grades)."""
    return [tr("note.grades", lang)]


def running_notes(running: pd.DataFrame, report: ReportConfig, lang: str = "zh") -> list[str]:
    """Where each running-cost figure comes from: the kinds' sourced figures, the flagged ASSUMPTION rate."""
    out = []
    sourced = running[~running["assumed"]]
    cites = list(dict.fromkeys(s.cite(lang) for s in sourced["source"] if s is not None))
    if cites:
        out.append(tr("note.running_sourced", lang, sources=tr("sep.clause", lang).join(cites)))
    if running["assumed"].any():
        out.append(tr("note.running_assumed", lang, pct=f"{100 * report.running_cost_share:g}"))
    return out


def cost_notes(summary: dict, opt: OptimizerConfig | None, lang: str = "zh") -> list[str]:
    """Unit costs used for the kinds in the plan, each with its source and grade (the scenario's own figure, the
    kind's cited source, or ASSUMPTION)."""
    if opt is None:
        return []
    en = lang == "en"
    in_plan = set((summary.get("items_by_kind") or {}).keys()) or set(summary.get("spend_by_kind_year") or {})
    parts = []
    for k in KINDS:
        kc = k.settings(opt)
        # the costs of a kind whose items (or spend rows) are in the plan
        if not ({it.key for it in k.items} | {k.name}) & in_plan:
            continue
        for c in k.costs:
            if len(k.items) > 1 and not _cost_used(k, c.key, in_plan):
                continue
            value, assumed = c.value(kc)
            src = _cost_source(kc, c, assumed, lang)
            name = c.label(lang).lower() if en else c.label(lang)
            parts.append(tr("fmt.unit_cost", lang, name=name, wan=fmt_wan(float(value)), source=src))
    if not parts:
        return []
    return [tr("note.unit_costs", lang, costs=tr("sep.clause", lang).join(parts))]


def _cost_used(k: object, key: str, in_plan: set[str]) -> bool:
    """Whether a cost of a kind with several item types belongs to an item type in the plan (or is shared)."""
    owners = [it.key for it in k.items if it.cost_key == key]  # type: ignore[attr-defined]
    return not owners or bool(set(owners) & in_plan)


def _cost_source(kc: object, cost: object, assumed: bool, lang: str) -> str:
    """Where a unit cost comes from: the scenario when the user set it, ASSUMPTION for an unset fallback, else the
    kind's cited source."""
    *parents, name = cost.field.split(".")  # type: ignore[attr-defined]
    model, user_set = kc, True
    for part in parents:
        user_set = user_set and part in model.model_fields_set  # type: ignore[attr-defined]
        model = getattr(model, part)
    if user_set and name in model.model_fields_set and not assumed:  # type: ignore[attr-defined]
        return tr("source.scenario", lang)
    if assumed or cost.source is None:  # type: ignore[attr-defined]
        return tr("source.assumption", lang)
    return cost.source.cite(lang)  # type: ignore[attr-defined]


def coverage_definition_note(lang: str = "zh") -> str:
    """How coverage is counted (travel-time standards; expected coverage for ambulances)."""
    return tr("note.coverage_definition", lang)


# ---------------------------------------------------------------- display


def display_value(v: object, fmt: str | None) -> str:
    """A cell as printed in the DOCX: 万元 with up to two decimals, persons with separators, shares as %."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, str):
        return v
    if fmt == "money":
        return fmt_wan(float(v))
    if fmt == "persons":
        return f"{round(float(v)):,}"
    if fmt == "share":
        return _pct(float(v))
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, float | np.floating):
        f = float(v)
        return f"{round(f):,}" if abs(f - round(f)) < 1e-9 else f"{f:,.3f}".rstrip("0").rstrip(".")
    return str(v)


def _display(t: AppendixTable) -> pd.DataFrame:
    out = t.data.copy().astype(object)
    for j, c in enumerate(t.data.columns):
        f = t.formats.get(c)
        out.iloc[:, j] = [display_value(v, t.cell_formats.get((i, c), f)) for i, v in enumerate(t.data[c])]
    return out


def _docx_frame(t: AppendixTable, lang: str) -> tuple[pd.DataFrame, list[float]]:
    """The table as display strings and widths; township coverage compacted to 'before → after' shares."""
    df = t.data
    if t.key == "townships" and len(df.columns) > 2:
        keep = [df.columns[0], df.columns[1]]
        out = df[keep].copy().astype(object)
        out.iloc[:, 1] = [display_value(v, "persons") for v in df.iloc[:, 1]]
        for k in SERVICE_KEYS:
            kn = coverage_name(k, lang)
            b, a = tr("col.share_before", lang, service=kn), tr("col.share_after", lang, service=kn)
            if b in df:
                out[kn] = [f"{_pct(x)} → {_pct(y)}" for x, y in zip(df[b], df[a], strict=True)]
        w = text_width_cm(True)
        rest = max(len(out.columns) - 2, 1)
        return out, [2.8, 2.2, *[(w - 5.0) / rest] * rest]
    return _display(t), t.widths


def _pct(x: float) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{100 * float(x):.1f}%"


def _scale(widths: list[float], total: float) -> list[float]:
    s = sum(widths)
    return [w * total / s for w in widths]


# ---------------------------------------------------------------- XLSX


def appendix_to_xlsx(path: Path, tables: list[AppendixTable], *, lang: str = "zh",
                     timestamp: str | None = None) -> Path:
    """Write the tables as sheets: caption (row 1), unit (row 2), header (row 3), data, totals, notes below.

    Print setup: A4, landscape for wide tables, fitted to one page wide, caption and header rows repeated on
    every page, page numbers in the footer; panes frozen below the header. ``timestamp`` (ISO 8601, UTC) becomes
    the document's created/modified date; see :func:`normalise_ooxml`.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    number_formats = {"money": "#,##0.00", "persons": "#,##0", "share": "0.0%", None: "General",
                      "number": "General", "text": "@"}
    body_font = "宋体"  # present on every Chinese Windows/WPS machine; the DOCX carries the official fonts

    # Named styles, registered once and assigned by name: assigning style objects cell by cell makes openpyxl
    # hash them every time (most of the run time on a province's township sheet).
    def style(kind: str | None, bold: bool, align: str | None = None, header: bool = False) -> str:
        name = f"hp_{'header' if header else kind or 'text'}{'_bold' if bold and not header else ''}_{align or 'l'}"
        if name not in wb.named_styles:
            wb.add_named_style(NamedStyle(
                name=name, font=Font(name=FONT_HEADING if header else body_font, bold=bold or header, size=10),
                border=border,
                alignment=Alignment(horizontal="center" if header else align, vertical="center", wrap_text=True),
                number_format=number_formats.get(kind, "General"),
            ))
        return name

    for t in tables:
        ws = wb.create_sheet(t.sheet[:31])
        cols = list(t.data.columns)
        ncol = max(len(cols), 1)
        ws.cell(row=1, column=1, value=t.heading).font = Font(name=FONT_HEADING, bold=True, size=14)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
        ws.row_dimensions[1].height = 30
        ws.cell(row=2, column=ncol, value=t.unit).font = Font(name=body_font, size=10)
        ws.cell(row=2, column=ncol).alignment = Alignment(horizontal="right")
        head = style(None, True, header=True)
        for j, c in enumerate(cols, start=1):
            ws.cell(row=3, column=j, value=str(c)).style = head
        aligns = [t.align.get(c) for c in cols]
        plain = [style(t.formats.get(c), False, a) for c, a in zip(cols, aligns, strict=True)]
        bold = [style(t.formats.get(c), True, a) for c, a in zip(cols, aligns, strict=True)]
        section = style("text", True)
        totals, sections = set(t.total_rows), set(t.section_rows)
        for i, row in enumerate(t.data.itertuples(index=False, name=None)):
            r = 4 + i
            if i in sections:
                ws.cell(row=r, column=1, value=row[0]).style = section
                for j in range(2, ncol + 1):
                    ws.cell(row=r, column=j).style = section
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
                continue
            names = bold if i in totals else plain
            for j, v in enumerate(row):
                cell = ws.cell(row=r, column=j + 1, value=_xlsx_value(v))
                cell.style = names[j]
                f = t.cell_formats.get((i, cols[j]))
                if f is not None:
                    cell.number_format = number_formats[f]
        total_width = sum(t.widths) or 1.0
        chars = 150 if t.wide else 100  # Excel character widths across the printed page
        widths = []
        for j, c in enumerate(cols, start=1):
            if t.widths and len(t.widths) == ncol:
                width = t.widths[j - 1] / total_width * chars
            else:
                width = max([_text_width(str(c))] + [_text_width(str(v)) for v in t.data[c].head(200)]) + 2
            widths.append(min(max(6, width), 70))
            ws.column_dimensions[get_column_letter(j)].width = widths[-1]
        # Row heights from the wrapped lines (Excel and LibreOffice keep one line a row unless told), so the printed
        # table shows every line of a long 依据 or name
        ws.row_dimensions[3].height = XLSX_LINE_PT * max(_lines(str(c), w) for c, w in zip(cols, widths, strict=True))
        for i, row in enumerate(t.data.itertuples(index=False, name=None)):
            if i not in sections:
                n = max(_lines(str(v), w) for v, w in zip(row, widths, strict=True) if isinstance(v, str)) \
                    if any(isinstance(v, str) for v in row) else 1
                ws.row_dimensions[4 + i].height = XLSX_LINE_PT * n + 3
        # Notes: one merged, wrapped cell across the table each (a long unmerged note would widen the printed page)
        r = 4 + len(t.data) + 1
        for k, note in enumerate(t.notes, start=1):
            text = tr("fmt.note_numbered", lang, n=k, text=note)
            cell = ws.cell(row=r, column=1, value=text)
            cell.font = Font(name=body_font, size=9)
            cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
            ws.row_dimensions[r].height = XLSX_NOTE_LINE_PT * _lines(text, sum(widths)) + 2
            r += 1
        ws.freeze_panes = "A4"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if t.wide else "portrait"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:3"
        ws.print_options.horizontalCentered = True
        m = LANDSCAPE_MARGINS if t.wide else PORTRAIT_MARGINS
        ws.page_margins.left, ws.page_margins.right = m["left"] / 2.54, m["right"] / 2.54
        ws.page_margins.top, ws.page_margins.bottom = m["top"] / 2.54, m["bottom"] / 2.54
        ws.oddFooter.center.text = tr("doc.xlsx_footer", lang)
    path = Path(path)
    wb.save(path)
    normalise_ooxml(path, timestamp)
    return path


# ---------------------------------------------------------------- DOCX


def appendix_to_docx(path: Path, tables: list[AppendixTable], *, title: str = "", lang: str = "zh",
                     timestamp: str | None = None) -> Path:
    """Write the tables as a government document's annex (layout in the module docstring).

    The first page carries 「附件」 (黑体) and the plan-level list under its title (方正小标宋简体); each 附表 starts a
    new section, landscape when wide. Table text is 仿宋_GB2312, headers 黑体, totals bold.
    """
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    lang = lang_of(lang)
    doc = Document()
    _font_table(doc)
    normal = doc.styles["Normal"]
    normal.font.name = FONT_LATIN
    normal.font.size = Pt(PT_TABLE)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT_BODY)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)

    def run(p: object, text: str, font: str, size: float, bold: bool = False) -> None:
        r = p.add_run(text)  # type: ignore[attr-defined]
        r.bold = bold
        r.font.size = Pt(size)
        r.font.name = FONT_LATIN
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)

    def page(section: object, landscape: bool) -> None:
        w, h = Cm(A4[0]), Cm(A4[1])
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
        section.page_width, section.page_height = (h, w) if landscape else (w, h)  # type: ignore[attr-defined]
        m = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
        for side in ("top", "bottom", "left", "right"):
            setattr(section, f"{side}_margin", Cm(m[side]))
        section.footer_distance = Cm(FOOTER_DISTANCE_CM)  # type: ignore[attr-defined]
        section.header_distance = Cm(1.5)  # type: ignore[attr-defined]

    for n, t in enumerate(tables):
        if n == 0:
            section = doc.sections[0]
            page(section, t.wide)
            _page_number_footer(section, lang)
            tag = doc.add_paragraph()
            run(tag, tr("doc.annex_tag", lang), FONT_HEADING, PT_HEADING)
            head = doc.add_paragraph()
            head.alignment = WD_ALIGN_PARAGRAPH.CENTER
            head.paragraph_format.space_before = Pt(12)
            head.paragraph_format.space_after = Pt(12)
            run(head, t.heading, FONT_TITLE, PT_TITLE)
        else:
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            page(section, t.wide)
            cap = doc.add_paragraph()
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            cap.paragraph_format.space_after = Pt(6)
            run(cap, t.heading, FONT_HEADING, PT_CAPTION)
        if t.unit:
            unit = doc.add_paragraph()
            unit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run(unit, t.unit, FONT_BODY, PT_NOTE)
        data, widths = _docx_frame(t, lang)
        body = doc.element.body
        tbl = _docx_table(data, t, widths, lang)
        sect = body.find(qn("w:sectPr"))  # the last section's properties close the body: the table goes before
        if sect is not None:
            sect.addprevious(tbl)
        else:
            body.append(tbl)
        if t.notes:
            gap = doc.add_paragraph()
            gap.paragraph_format.space_after = Pt(3)
            for k, note in enumerate(t.notes, start=1):
                p = doc.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.space_after = Pt(2)
                run(p, tr("fmt.note_numbered", lang, n=k, text=note), FONT_BODY, PT_NOTE)
    path = Path(path)
    doc.core_properties.title = title or ""
    doc.core_properties.language = "zh-CN" if lang == "zh" else "en-GB"
    doc.save(path)
    normalise_ooxml(path, timestamp)
    return path


def _docx_table(data: pd.DataFrame, t: AppendixTable, widths: list[float], lang: str) -> object:
    """The table as one WordprocessingML element: fixed layout and column widths, header row repeated on every
    page, rows kept whole, totals bold, group headings merged across.

    Built as one string and parsed once: python-docx's per-cell API rebuilds its cell grid and run properties on
    every call, which takes minutes for a province's 1,500-township table.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ncol = max(len(data.columns), 1)
    if len(widths) != ncol:
        widths = [text_width_cm(t.wide) / ncol] * ncol
    tw = [round(w / 2.54 * 1440) for w in widths]  # twips
    size = round(2 * (PT_TABLE_DENSE if t.dense else PT_TABLE))
    aligns = [{"center": "center", "right": "right"}.get(t.align.get(c, ""), "left") for c in data.columns]

    def rpr(bold: bool, heading: bool = False) -> str:
        font = FONT_HEADING if heading else FONT_BODY
        return (f'<w:rPr><w:rFonts w:ascii="{FONT_LATIN}" w:hAnsi="{FONT_LATIN}" w:eastAsia="{font}"/>'
                f'{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>')

    def cell(text: str, width: int, jc: str, bold: bool, heading: bool = False, span: int = 1,
             keep: bool = False) -> str:
        lines = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n"))
        runs = f"<w:r>{rpr(bold, heading)}{lines}</w:r>" if text else ""  # a line break per "\n" of the cell
        grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}<w:vAlign w:val="center"/></w:tcPr>'
                f'<w:p><w:pPr>{"<w:keepNext/>" if keep else ""}'
                f'<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
                f'<w:jc w:val="{jc}"/></w:pPr>{runs}</w:p></w:tc>')

    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in tw)
    tblpr = (f'<w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(tw)}" w:type="dxa"/><w:jc w:val="center"/>'
             '<w:tblBorders>' + "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                                        for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
             + '</w:tblBorders><w:tblLayout w:type="fixed"/>'
             '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>'
             '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
             '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
             'w:noHBand="0" w:noVBand="1"/></w:tblPr>')
    parts = ['<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>'
             + "".join(cell(str(c), w, "center", True, heading=True) for c, w in zip(data.columns, tw, strict=True))
             + "</w:tr>"]
    totals, sections = set(t.total_rows), set(t.section_rows)
    n = len(data)
    # widow control: the last rows travel with the table's closing total (a page holding only 合计 is refused
    # by reviewers), and a group heading never ends a page without its first row
    tail = set(range(max(n - 1 - TAIL_ROWS_KEPT, 0), n - 1)) if (n - 1) in totals else set()
    for i, values in enumerate(data.itertuples(index=False, name=None)):
        if i in sections:
            parts.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>'
                         + cell(str(values[0]), sum(tw), "left", True, heading=True, span=ncol, keep=True)
                         + "</w:tr>")
            continue
        bold = i in totals
        keep = i in tail
        parts.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>' + "".join(
            cell(str(v), w, "center" if bold and j == 0 else jc, bold, keep=keep)
            for j, (v, w, jc) in enumerate(zip(values, tw, aligns, strict=True))) + "</w:tr>")
    return parse_xml(f"<w:tbl {nsdecls('w')}>{tblpr}<w:tblGrid>{grid}</w:tblGrid>{''.join(parts)}</w:tbl>")


def _page_number_footer(section: object, lang: str) -> None:
    """Centred page number 「— 1 —」 (GB/T 9704: 4号 宋体 Arabic numerals between dashes); later sections link to it."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    footer = section.footer  # type: ignore[attr-defined]
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    rpr = (f'<w:rPr><w:rFonts w:ascii="{FONT_LATIN}" w:hAnsi="{FONT_LATIN}" w:eastAsia="宋体"/>'
           '<w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>')
    xml = (f'<w:p {nsdecls("w")}><w:pPr><w:jc w:val="center"/></w:pPr>'
           f'<w:r>{rpr}<w:t xml:space="preserve">— </w:t></w:r>'
           f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
           f'<w:r>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
           f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
           f'<w:r>{rpr}<w:t>1</w:t></w:r>'
           f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'
           f'<w:r>{rpr}<w:t xml:space="preserve"> —</w:t></w:r></w:p>')
    new = parse_xml(xml)
    p._p.addnext(new)
    p._p.getparent().remove(p._p)


def _font_table(doc: object) -> None:
    """Declare the official fonts with their fallbacks (``w:altName``, GB 2312 charset, PANOSE) in the font
    table, so Word substitutes 仿宋 for 仿宋_GB2312, SimHei for 黑体 and 宋体 for 方正小标宋简体 where they are missing."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    part = doc.part  # type: ignore[attr-defined]
    fonts = next((r.target_part for r in part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if fonts is None:
        return
    root = parse_xml(fonts.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, panose, family) in FONT_FALLBACKS.items():
        if name in have:
            continue
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
            f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="fixed"/></w:font>'))
    from lxml import etree

    fonts._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------- determinism


def normalise_ooxml(path: Path, timestamp: str | None) -> None:
    """Rewrite an OOXML (zip) file with fixed entry times and, when given, core.xml dates set to ``timestamp``.

    openpyxl and python-docx stamp the save time into the ZIP entries and ``docProps/core.xml``; fixing both
    makes a re-rendered run byte-identical to the original.
    """
    path = Path(path)
    with zipfile.ZipFile(path) as zin:
        entries = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    out = []
    for name, data in entries:
        if name == "docProps/core.xml" and timestamp:
            text = data.decode("utf-8")
            for tag in ("created", "modified"):
                text = re.sub(rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)", rf"\g<1>{timestamp}\g<2>", text)
            data = text.encode("utf-8")
        out.append((name, data))
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name, data in out:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)
    tmp.replace(path)


def _xlsx_value(v: object) -> object:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _num(x: object) -> float | None:
    return None if x is None else float(x)  # type: ignore[arg-type]


def _text_width(s: str) -> int:
    # CJK characters take two columns in Excel
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s[:80])


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` Excel characters wide (CJK counts two; explicit breaks too)."""
    usable = max(width - 1.5, 1.0)  # the cell's padding
    return sum(max(1, math.ceil(sum(2 if ord(ch) > 0x2E80 else 1 for ch in part) / usable))
               for part in str(text).split("\n"))


__all__ = [
    "TABLE_KEYS",
    "AppendixTable",
    "appendix_tables",
    "appendix_to_docx",
    "appendix_to_xlsx",
    "display_value",
    "normalise_ooxml",
    "spend_frame",
    "standards_frame",
    "township_table",
]
