"""The plan appendix: project list, standards compliance, investment by kind × year and township coverage, as
``appendix.xlsx`` (openpyxl) and ``appendix.docx`` (python-docx) with captions, units, totals rows and footnotes.

The tables are built once as DataFrames (:func:`appendix_tables`) and only formatted by the two writers. The
standards table is built from ``summary.json``'s ``standards`` list, so the two always agree; the investment and
project totals come from ``plan.items``, so they equal ``plan.spent_wan``. Both files are normalised after saving
(fixed ZIP entry times, document dates set to the run's timestamp) so re-rendering a run gives identical bytes.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.kinds import KINDS, SERVICE_KEYS
from healthplan.reports.i18n import coverage_name, kind_name, label, standard_name, unit_name
from healthplan.reports.summary import MONEY_DECIMALS, fmt_wan, time_limit_warning

SHEETS_ZH = ("重点项目清单", "标准达标情况", "投资汇总", "乡镇覆盖情况")
SHEETS_EN = ("Project list", "Standards", "Investment", "Township coverage")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest ZIP timestamp: entry times carry no run-specific data


@dataclass
class AppendixTable:
    """One table of the appendix: a caption, a unit line, the data (numbers stay numbers) and footnotes.

    ``total_row`` marks that the last row is a totals row (bold in both writers); ``formats`` maps a column to
    ``money`` (万元), ``persons``, ``share`` (0–1) or ``number``; ``wide`` asks the DOCX writer for landscape.
    """

    sheet: str
    caption: str
    unit: str
    data: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    total_row: bool = False
    formats: dict[str, str] = field(default_factory=dict)
    wide: bool = False


def appendix_tables(
    projects: pd.DataFrame,
    summary: dict,
    townships: pd.DataFrame,
    *,
    opt: OptimizerConfig | None = None,
    title: str = "",
    lang: str = "zh",
) -> list[AppendixTable]:
    """The four appendix tables in order: project list, standards, investment (kind × year), township coverage.

    Parameters
    ----------
    projects
        :func:`reports.projects.project_table` (ten columns; may be empty).
    summary
        :func:`reports.summary.summary_dict` of the run (standards, spend by kind and year, assumptions, status).
    townships
        :func:`reports.placements.township_frame` (persons before/after per coverage key).
    opt
        Optimizer configuration, for the unit costs and their sources in the footnotes.
    title
        The plan's title, prefixed to the captions.
    """
    en = lang == "en"
    sheets = SHEETS_EN if en else SHEETS_ZH
    common = common_notes(summary, lang)
    # the seeds caption the appendix as 《plan title》重点项目清单
    prefix = (f"{title} — " if en else f"《{title}》") if title else ""
    # 1. project list with a totals row
    pdata = projects.reset_index(drop=True).copy()
    money_col = pdata.columns[5] if len(pdata.columns) > 5 else ("Investment (10k CNY)" if en else "总投资(万元)")
    if len(pdata.columns):
        total = {c: "" for c in pdata.columns}
        total[pdata.columns[0]] = label("total", lang)
        total[money_col] = round(float(pd.to_numeric(pdata[money_col]).sum()) if len(pdata) else 0.0,
                                 MONEY_DECIMALS)
        pdata = pd.concat([pdata, pd.DataFrame([total])], ignore_index=True)
        pdata[pdata.columns[0]] = pdata[pdata.columns[0]].astype(object)
    proj_notes = [*cost_notes(summary, opt, lang), *common]
    if not len(projects):
        proj_notes.insert(0, "The plan adds no projects (baseline or nothing affordable)." if en
                          else "本方案未新增项目（现状评估或预算内无可行项目）。")
    tables = [
        AppendixTable(sheets[0], f"{prefix}{'Key projects' if en else '重点项目清单'}",
                      "Unit: 10k CNY" if en else "单位：万元", pdata, proj_notes, total_row=True,
                      formats={money_col: "money"}, wide=True),
    ]
    # 2. standards, straight from summary.json
    sdata = standards_frame(summary, lang)
    tables.append(AppendixTable(
        sheets[1], f"{prefix}{'Standards: required, existing and planned' if en else '标准达标情况'}",
        "Units: vehicles, sites, shares" if en else "单位：辆、个、比例", sdata,
        [*source_notes(summary, lang), *common],
        formats={c: "number" for c in sdata.columns if c in {label(k, lang) for k in (
            "std_required", "std_existing", "std_planned", "std_shortfall")}},
    ))
    # 3. investment by kind and year
    vdata = spend_frame(summary, lang)
    tables.append(AppendixTable(
        sheets[2], f"{prefix}{'Investment by kind and year' if en else '投资汇总（按类别和年度）'}",
        "Unit: 10k CNY" if en else "单位：万元", vdata, common, total_row=True,
        formats={c: "money" for c in vdata.columns[1:]},
    ))
    # 4. township coverage
    tdata, tfmt = township_table(townships, lang)
    tables.append(AppendixTable(
        sheets[3], f"{prefix}{'Coverage by township, before and after the plan' if en else '乡镇覆盖情况（规划前后）'}",
        "Unit: persons; shares of the township population" if en else "单位：人；覆盖率为占乡镇人口比例",
        tdata, [coverage_definition_note(lang), *common], total_row=len(tdata) > 0, formats=tfmt, wide=True,
    ))
    return tables


# ---------------------------------------------------------------- tables


def standards_frame(summary: dict, lang: str = "zh") -> pd.DataFrame:
    """Standards table from ``summary['standards']``: code, name, required, existing, planned, shortfall, met,
    mode, source (figures unchanged, so the sheet equals summary.json)."""
    L = lambda k: label(k, lang)  # noqa: E731
    recs = summary.get("standards") or []
    has_unit = any(s.get("unit") for s in recs)
    cols = ["Code" if lang == "en" else "代码", L("std_name"), L("std_required"), L("std_existing"),
            L("std_planned"), L("std_shortfall"), L("std_met"), L("std_mode"), L("std_source")]
    rows = []
    for s in recs:
        met = s.get("met")
        mode = s.get("mode")
        rows.append([
            s.get("name", ""), s.get(f"label_{lang}") or standard_name(s.get("name", ""), lang),
            _num(s.get("required")),
            _num(s.get("existing")), _num(s.get("planned")), _num(s.get("shortfall")),
            "" if met is None else L("met_yes") if met else L("met_no"),
            L(f"mode_{mode}") if mode else "", (s.get("source_zh") if lang == "zh" else None) or s.get("source") or "",
        ])
    out = pd.DataFrame(rows, columns=cols)
    if has_unit:
        out.insert(2, L("std_unit"), [unit_name(s.get("unit") or "", lang) for s in recs])
    return out


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


def township_table(townships: pd.DataFrame, lang: str = "zh") -> tuple[pd.DataFrame, dict[str, str]]:
    """Township coverage: id, name, population, then per key persons before/after and shares before/after,
    with a totals row (shares of the total population). Returns the frame and its column formats."""
    en = lang == "en"
    id_col, name_col = ("Township id", "Township") if en else ("乡镇编码", "乡镇")
    pop_col = label("population", lang)
    fmt: dict[str, str] = {pop_col: "persons"}
    if townships is None or not len(townships):
        return pd.DataFrame(columns=[id_col, name_col, pop_col]), fmt
    out = pd.DataFrame({id_col: townships["township_id"].astype(str), name_col: townships["name"].astype(str),
                        pop_col: townships["population"].astype(float)})
    total = {id_col: label("total", lang), name_col: "", pop_col: float(townships["population"].sum())}
    for k in SERVICE_KEYS:
        if f"{k}_before" not in townships:
            continue
        kn = coverage_name(k, lang)
        for when, wl in (("before", "before" if en else "规划前"), ("after", "after" if en else "规划后")):
            pc = f"{kn} {wl} (persons)" if en else f"{kn}{wl}(人)"
            out[pc] = townships[f"{k}_{when}"].astype(float)
            fmt[pc] = "persons"
            total[pc] = float(townships[f"{k}_{when}"].sum())
        for when, wl in (("before", "before" if en else "规划前"), ("after", "after" if en else "规划后")):
            sc = f"{kn} {wl} (share)" if en else f"{kn}{wl}覆盖率"
            out[sc] = townships[f"{k}_{when}_share"].astype(float)
            fmt[sc] = "share"
            total[sc] = total[f"{kn} {wl} (persons)" if en else f"{kn}{wl}(人)"] / total[pop_col] \
                if total[pop_col] else np.nan
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out, fmt


# ---------------------------------------------------------------- footnotes


def common_notes(summary: dict, lang: str = "zh") -> list[str]:
    """Notes under every table: ASSUMPTION values used, solver status when not optimal, synthetic data."""
    en = lang == "en"
    notes = []
    if summary.get("assumptions"):
        head = ("ASSUMPTION values used (no source; replace them with your own): " if en
                else "以下取值无来源依据（ASSUMPTION），请按本地实际核实替换：")
        notes.append(head + ("; " if en else "；").join(summary["assumptions"]))
    warn = time_limit_warning(summary, lang)
    if warn:
        notes.append(warn)
    elif summary.get("status") not in ("optimal", "baseline", None):
        notes.append(("Solver status: " if en else "求解状态：") + str(summary.get("status")))
    if summary.get("synthetic"):
        notes.append(label("synthetic_note", lang))
    return notes


def source_notes(summary: dict, lang: str = "zh") -> list[str]:
    """One note per distinct source cited by the standards table."""
    sources = list(dict.fromkeys(str(s.get("source")) for s in summary.get("standards") or [] if s.get("source")))
    if not sources:
        return []
    head = "Sources of the standards: " if lang == "en" else "标准来源："
    return [head + ("; " if lang == "en" else "；").join(sources)]


def cost_notes(summary: dict, opt: OptimizerConfig | None, lang: str = "zh") -> list[str]:
    """Unit costs used for the kinds in the plan, each with the source and grade from the configuration."""
    if opt is None:
        return []
    en = lang == "en"
    in_plan = set((summary.get("items_by_kind") or {}).keys()) or set(summary.get("spend_by_kind_year") or {})
    fields: list[tuple[str, object, str]] = []
    for k in KINDS:
        kc = k.settings(opt)
        # the costs of a kind whose items (or spend rows) are in the plan
        if not ({it.key for it in k.items} | {k.name}) & in_plan:
            continue
        for c in k.costs:
            if len(k.items) > 1 and not _cost_used(k, c.key, in_plan):
                continue
            value, assumed = c.value(kc)
            fields.append((c.label(lang).lower() if en else c.label(lang), value, _cost_source(kc, c.field, assumed, en)))
    if not fields:
        return []
    parts = []
    for name, value, src in fields:
        v = fmt_wan(float(value))
        parts.append(f"{name} {v} (10k CNY; {src})" if en else f"{name}{v}万元（{src}）")
    head = "Unit costs: " if en else "单位造价："
    tail = " Per-site overrides of the scenario take precedence." if en else "（情景中按站点另设的造价优先）"
    return [head + ("; " if en else "；").join(parts) + tail]


def _cost_used(k: object, key: str, in_plan: set[str]) -> bool:
    """Whether a cost of a kind with several item types belongs to an item type in the plan (or is shared)."""
    owners = [it.key for it in k.items if it.cost_key == key]  # type: ignore[attr-defined]
    return not owners or bool(set(owners) & in_plan)


def _cost_source(kc: object, dotted: str, assumed: bool, en: bool) -> str:
    """Where a unit cost comes from: the scenario when the user set it, ASSUMPTION for an unset fallback, else the
    source in the config field's description."""
    *parents, name = dotted.split(".")
    model, user_set = kc, True
    for part in parents:
        user_set = user_set and part in model.model_fields_set  # type: ignore[attr-defined]
        model = getattr(model, part)
    if user_set and name in model.model_fields_set and not assumed:  # type: ignore[attr-defined]
        return "set by the scenario" if en else "情景设定"
    if assumed:
        return "ASSUMPTION"
    desc = type(model).model_fields[name].description or ""
    return desc.split(";", 1)[1].strip() if ";" in desc else desc


def coverage_definition_note(lang: str = "zh") -> str:
    """How coverage is counted (travel-time standards; MEXCLP expected coverage for ambulances)."""
    if lang == "en":
        return ("Coverage counts persons within each kind's travel-time standard; ambulance coverage is the expected "
                "coverage of the MEXCLP model (Daskin 1983), single coverage is shown separately.")
    return "覆盖人口指在各类资源行车时间标准内的人口；救护车覆盖为期望覆盖（MEXCLP，Daskin 1983），单重覆盖另列。"


# ---------------------------------------------------------------- XLSX


def appendix_to_xlsx(path: Path, tables: list[AppendixTable], *, timestamp: str | None = None) -> Path:
    """Write the tables as sheets: caption (row 1), unit (row 2), header (row 3), data, totals, notes below.

    ``timestamp`` (ISO 8601, UTC) becomes the document's created/modified date; see :func:`normalise_ooxml`.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    number_formats = {"money": "#,##0.00", "persons": "#,##0", "share": "0.0%", None: "General", "number": "General"}

    # Named styles, registered once and assigned by name: assigning style objects cell by cell makes openpyxl
    # hash them every time (most of the run time on a province's township sheet).
    def style(kind: str | None, bold: bool, header: bool = False) -> str:
        name = f"hp_{'header' if header else kind or 'text'}{'_bold' if bold and not header else ''}"
        if name not in wb.named_styles:
            wb.add_named_style(NamedStyle(
                name=name, font=Font(bold=bold or header), border=border,
                alignment=Alignment(horizontal="center" if header else None, vertical="center", wrap_text=True),
                number_format=number_formats.get(kind, "General"),
            ))
        return name

    for t in tables:
        ws = wb.create_sheet(t.sheet[:31])
        ncol = max(len(t.data.columns), 1)
        ws.cell(row=1, column=1, value=t.caption).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
        ws.cell(row=2, column=1, value=t.unit).font = Font(italic=True)
        head = style(None, True, header=True)
        for j, c in enumerate(t.data.columns, start=1):
            ws.cell(row=3, column=j, value=str(c)).style = head
        n = len(t.data)
        plain = [style(t.formats.get(c), False) for c in t.data.columns]
        bold = [style(t.formats.get(c), True) for c in t.data.columns]
        for i, row in enumerate(t.data.itertuples(index=False, name=None), start=4):
            names = bold if t.total_row and i == 3 + n else plain
            for j, v in enumerate(row):
                ws.cell(row=i, column=j + 1, value=_xlsx_value(v)).style = names[j]
        r = 4 + n + 1
        for k, note in enumerate(t.notes, start=1):
            ws.cell(row=r, column=1, value=(f"Note {k}: " if t.sheet in SHEETS_EN else f"注{k}：") + note)
            r += 1
        for j, c in enumerate(t.data.columns, start=1):
            width = max([_text_width(str(c))] + [_text_width(str(v)) for v in t.data[c].head(200)])
            ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
        ws.freeze_panes = "A4"
    path = Path(path)
    wb.save(path)
    normalise_ooxml(path, timestamp)
    return path


# ---------------------------------------------------------------- DOCX


def appendix_to_docx(path: Path, tables: list[AppendixTable], *, title: str = "", lang: str = "zh",
                     timestamp: str | None = None) -> Path:
    """Write the tables for a plan document: numbered captions with units, grid tables, bold totals, notes.

    Wide tables (project list, township coverage) go into landscape sections. Chinese text uses 宋体 (the
    East-Asian font of the runs), Latin text Times New Roman.
    """
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    en = lang == "en"
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title or ("Appendix" if en else "附件"))
    run.bold = True
    run.font.size = Pt(16)
    for n, t in enumerate(tables, start=1):
        section = doc.sections[-1] if n == 1 else doc.add_section()
        landscape = t.wide
        if landscape != (section.orientation == WD_ORIENT.LANDSCAPE):
            w, h = section.page_width, section.page_height
            section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = max(w, h) if landscape else min(w, h), \
                min(w, h) if landscape else max(w, h)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(1.8))
        cap = doc.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = cap.add_run((f"Table {n}  " if en else f"表{n}  ") + t.caption)
        r.bold = True
        unit = doc.add_paragraph()
        unit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        unit.add_run(t.unit).font.size = Pt(9)
        data = _docx_frame(t, lang)
        table = doc.add_table(rows=0, cols=max(len(data.columns), 1))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for tr in _docx_rows(data, bold_last=t.total_row):
            table._tbl.append(tr)
        for k, note in enumerate(t.notes, start=1):
            p = doc.add_paragraph()
            p.add_run((f"Note {k}: " if en else f"注{k}：") + note).font.size = Pt(8)
    path = Path(path)
    doc.core_properties.title = title or ""
    doc.save(path)
    normalise_ooxml(path, timestamp)
    return path


def _docx_rows(data: pd.DataFrame, *, bold_last: bool) -> list:
    """The table's ``w:tr`` elements (header repeated on every page, 9 pt text, bold header and totals row).

    Built as one WordprocessingML string and parsed once: python-docx's per-cell API rebuilds its cell grid and
    run properties on every call, which takes minutes for a province's 1,500-township table.
    """
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def cell(text: str, bold: bool) -> str:
        rpr = f"<w:rPr>{'<w:b/>' if bold else ''}<w:sz w:val=\"18\"/></w:rPr>"
        run = f"<w:r>{rpr}<w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r>" if text else ""
        return f"<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr><w:p>{run}</w:p></w:tc>"

    parts = ["<w:tr><w:trPr><w:tblHeader/></w:trPr>" + "".join(cell(str(c), True) for c in data.columns) + "</w:tr>"]
    last = len(data)
    for i, values in enumerate(data.itertuples(index=False, name=None), start=1):
        bold = bold_last and i == last
        parts.append("<w:tr>" + "".join(cell(str(v), bold) for v in values) + "</w:tr>")
    tbl = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(parts)}</w:tbl>")
    return list(tbl)


def _docx_frame(t: AppendixTable, lang: str) -> pd.DataFrame:
    """The table as display strings; township coverage compacted to 'before → after' shares per key."""
    df = t.data
    if t.sheet in (SHEETS_ZH[3], SHEETS_EN[3]) and len(df.columns) > 3:
        en = lang == "en"
        out = df.iloc[:, [1, 2]].copy()
        out.iloc[-1, 0] = label("total", lang) if t.total_row else out.iloc[-1, 0]
        for k in SERVICE_KEYS:
            kn = coverage_name(k, lang)
            b = f"{kn} before (share)" if en else f"{kn}规划前覆盖率"
            a = f"{kn} after (share)" if en else f"{kn}规划后覆盖率"
            if b in df:
                out[kn] = [f"{_pct(x)} → {_pct(y)}" for x, y in zip(df[b], df[a], strict=True)]
        return _display(out, {df.columns[2]: "persons"})
    return _display(df, t.formats)


def _display(df: pd.DataFrame, formats: dict[str, str]) -> pd.DataFrame:
    out = df.copy().astype(object)
    for c in df.columns:
        f = formats.get(c)
        out[c] = [_fmt_cell(v, f) for v in df[c]]
    return out


def _fmt_cell(v: object, fmt: str | None) -> str:
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


def _pct(x: float) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{100 * float(x):.1f}%"


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
    return None if x is None else float(x)


def _text_width(s: str) -> int:
    # CJK characters take two columns in Excel
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s[:80])


__all__ = [
    "SHEETS_EN",
    "SHEETS_ZH",
    "AppendixTable",
    "appendix_tables",
    "appendix_to_docx",
    "appendix_to_xlsx",
    "normalise_ooxml",
]
