"""The run summary: summary.json (issue 3 §5 schema plus extras), summary.md and the terminal tables."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from healthplan.geodata.instance import Instance
from healthplan.optimizer.config import (
    OptimizerConfig,
)
from healthplan.optimizer.kinds import SERVICE_KEYS, enabled_kinds
from healthplan.optimizer.plan import STANDARD_COLUMNS, Plan
from healthplan.optimizer.standards import standard_named
from healthplan.optimizer.text import Text
from healthplan.reports.i18n import (
    ITEM_KIND_ORDER,
    coverage_name,
    has_message,
    kind_name,
    label,
    lang_of,
    standard_name,
    status_name,
    tr,
)

TIMING_KEYS = ("read_s", "travel_s", "build_s", "solve_s")
STANDARD_DECIMALS = 6  # figures of the standards table (vehicles, sites, shares)
MONEY_DECIMALS = 4  # 万元 to 4 decimals = 1 元: removes float noise from sums without changing any figure


def summary_dict(
    instance: Instance,
    plan: Plan,
    *,
    timings: dict[str, float],
    scenario_name: str = "",
    opt: OptimizerConfig | None = None,
    report: Any = None,
) -> dict:
    """The content of ``summary.json``: issue 3 §5 keys first, then extras; JSON-safe (NaN → ``None``).

    Parameters
    ----------
    instance
        The instance the plan was made for (population in persons).
    plan
        The plan (or the baseline, with no items).
    timings
        Seconds per stage; ``read_s``, ``travel_s``, ``build_s``, ``solve_s`` are always present (the plan's own
        build/solve seconds fill missing ones); other keys are kept after them.
    scenario_name
        Name of the scenario, stored under ``scenario``.
    opt
        The optimizer configuration, when known: its defaults of grade ASSUMPTION that the scenario did not set
        are listed under ``assumptions`` with the plan's own assumptions.
    report
        The report settings (``reports.config.ReportConfig``), when known: its ASSUMPTION defaults in use (the
        running-cost rate) join the list.

    Returns
    -------
    dict
        Keys in a fixed order: ``status, gap, objective, budget_wan, spent_wan, items, coverage, standards,
        timings`` (issue 3 §5), then ``scenario, instance, synthetic, solver, bound, message, population,
        items_by_kind, spend_by_kind_year, spend_by_kind, spend_by_year, assumptions, assumptions_zh, stages,
        notes``. Coverage is in persons; money in 万元. ``assumptions`` are English sentences (the stable key a
        sweep flattens), ``assumptions_zh`` the same sentences in Chinese, in the same order.
    """
    info = plan.solve
    coverage = plan.coverage_summary(instance.demand["population"]) if len(plan.demand_coverage) else {}
    coverage = {k: coverage[k] for k in SERVICE_KEYS if k in coverage}
    tm = {k: float(timings.get(k, _plan_timing(plan, k))) for k in TIMING_KEYS}
    tm.update({k: float(v) for k, v in timings.items() if k not in tm})
    spend = spend_by_kind_year(plan)
    items = plan.items
    assumed = assumptions_used(plan, opt, report)
    by_kind = (
        {str(k): int(v) for k, v in items.groupby("kind", sort=False)["kind"].size().items()} if len(items) else {}
    )
    out: dict[str, Any] = {
        "status": str(info.status.value if hasattr(info.status, "value") else info.status),
        "gap": info.gap,
        "objective": info.objective,
        "budget_wan": plan.budget_wan,
        "spent_wan": round(plan.spent_wan, MONEY_DECIMALS),
        "items": len(items),
        "coverage": coverage,
        "standards": standards_records(plan),
        "timings": tm,
        # extras
        "scenario": scenario_name,
        "instance": instance.name,
        "synthetic": bool(instance.synthetic),
        "solver": info.solver,
        "bound": info.bound,
        "message": info.message,
        "population": instance.population,
        "items_by_kind": dict(sorted(by_kind.items(), key=lambda kv: _kind_rank(kv[0]))),
        "spend_by_kind_year": spend,
        "spend_by_kind": {k: round(sum(v.values()), MONEY_DECIMALS) for k, v in spend.items()},
        "spend_by_year": _spend_by_year(spend),
        "assumptions": [a.en for a in assumed],
        "assumptions_zh": [a.zh for a in assumed],
        # a tie-break stopped at its own bound (gapped runs) is named as such, not as the run's time limit
        "stages": [{"stage": str(s.get("stage", "")),
                    "status": "bounded" if s.get("bounded") else str(s.get("status", ""))} for s in info.stages],
        "notes": list(dict.fromkeys(str(n) for n in instance.notes)),
        "notes_en": _notes_en(instance),
        # issue 13: the standards of every plan year, the estimated call satisfaction, the population's year
        "standards_by_year": list(plan.meta.get("standards_by_year") or []),
        "call_satisfaction": plan.meta.get("call_satisfaction"),
        "population_projection": (instance.meta or {}).get("population_projection"),
    }
    return json_safe(out)


def standards_records(plan: Plan) -> list[dict]:
    """``Plan.standards`` as a list of records with ``STANDARD_COLUMNS`` (JSON-safe; extra columns kept after)."""
    df = plan.standards
    if df is None or not len(df):
        return []
    cols = [c for c in STANDARD_COLUMNS if c in df.columns] + [c for c in df.columns if c not in STANDARD_COLUMNS]
    recs = []
    for row in df[cols].itertuples(index=False, name=None):
        rec = dict(zip(cols, row, strict=True))
        if "met" in rec and rec["met"] is not None and not _isnan(rec["met"]):
            rec["met"] = bool(rec["met"])
        for k in ("required", "existing", "planned", "shortfall"):
            # 6 decimals: exact for counts, 1e-6 for shares; XLSX keeps only 16 digits of a float
            if isinstance(rec.get(k), float | np.floating) and not _isnan(rec[k]):
                rec[k] = round(float(rec[k]), STANDARD_DECIMALS)
        recs.append(rec)
    return json_safe(recs)


def spend_by_kind_year(plan: Plan) -> dict[str, dict[str, float]]:
    """``{kind: {year: 万元}}`` from the plan's items (falls back to ``Plan.spend`` when there are no items).

    Items are the single source: the totals then equal ``plan.spent_wan`` exactly. Kinds in canonical order,
    years ascending, keys as strings (JSON).
    """
    items = plan.items
    if len(items):
        g = items.groupby(["kind", "year"], sort=True)["cost_wan"].sum()
        table: dict[str, dict[str, float]] = {}
        for (kind, year), v in g.items():
            table.setdefault(str(kind), {})[str(int(year))] = round(float(v), MONEY_DECIMALS)
    else:
        table = {}
        sp = plan.spend
        if sp is not None and len(sp):
            for kind, row in sp.iterrows():
                vals = {str(int(y)): round(float(v), MONEY_DECIMALS) for y, v in row.items() if float(v) != 0}
                if vals:
                    table[str(kind)] = vals
    return {k: dict(sorted(table[k].items())) for k in sorted(table, key=_kind_rank)}


def assumptions_used(plan: Plan, opt: OptimizerConfig | None, report: Any = None) -> list[Text]:
    """Every ASSUMPTION behind the plan, in both languages: the plan's own sentences (unit costs without a source,
    derived figures), then defaults of grade ASSUMPTION the scenario did not set.

    A default counts when its kind is enabled, its field description carries the grade ``ASSUMPTION``, the
    scenario did not set it (pydantic ``model_fields_set``) and the kind's other settings do not make it
    irrelevant (:meth:`ResourceKind.unused_fields`). Its Chinese sentence uses the field's Chinese name (the
    field's ``zh`` schema entry). ``report`` adds the report section's own ASSUMPTION defaults (the running-cost
    rate), when given.
    """
    out: list[Text] = [Text.of(a) for a in plan.assumptions]
    if opt is not None:
        for k in enabled_kinds(opt):
            kc = k.settings(opt)
            skip = set(k.unused_fields(kc))
            for path, value, f in _unset_assumption_fields(kc, ""):
                if path in skip:
                    continue
                out.append(assumption_text(f"resources.{k.name}.{path}", value, f))
    if report is not None and opt is not None and _uses_running_rate(plan, opt):
        for path, value, f in _unset_assumption_fields(report, ""):
            out.append(assumption_text(f"report.{path}", value, f))
    return list(dict.fromkeys(out))


def _uses_running_rate(plan: Plan, opt: OptimizerConfig) -> bool:
    """Whether a project of the plan belongs to a kind without its own running-cost figure."""
    from types import SimpleNamespace

    from healthplan.optimizer.kinds import item_type

    probe = SimpleNamespace(quantity=1, cost_wan=1.0)
    return any(item_type(key)[0].running_cost(item_type(key)[0].settings(opt), probe) is None
               for key in dict.fromkeys(plan.items["kind"].astype(str)) if len(plan.items))


def assumption_text(path: str, value: Any, f: Any) -> Text:
    """An unset ASSUMPTION default as a sentence: zh 「{field's Chinese name}：{value}{unit}（默认值，无来源依据）」,
    en ``{dotted key} = {value} ({description})``."""
    extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
    zh_name = str(extra.get("zh") or "")
    unit = str(extra.get("unit_zh") or "")
    shown = _fmt_value(value)
    if not zh_name:  # a field without a Chinese name: say what it is without its English key
        zh_name = "情景参数默认值"
    if unit == "" and isinstance(value, float) and 0 < value < 1:
        shown = f"{100 * value:g}%"  # a share reads as a percentage
    return Text(tr("fmt.assumed_default", "zh", name=zh_name, value=shown, unit=unit),
                f"{path} = {_fmt_value(value)} ({(f.description or '').replace('万元', '10k CNY')})")


def _unset_assumption_fields(model: BaseModel, prefix: str) -> Iterable[tuple[str, Any, Any]]:
    """(dotted path, value, field info) of every unset field graded ASSUMPTION, nested sections included."""
    fields = type(model).model_fields
    for name, f in fields.items():
        value = getattr(model, name)
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, BaseModel):
            # a section the user wrote may still leave some of its fields at their defaults
            yield from _unset_assumption_fields(value, path)
            continue
        desc = f.description or ""
        if "ASSUMPTION" in desc and name not in model.model_fields_set and value is not None:
            yield path, value, f


def json_safe(obj: Any) -> Any:
    """Recursively turn numpy/pandas scalars into Python ones and NaN/±inf into ``None``; keeps key order."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [json_safe(v) for v in obj.tolist()]
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        f = float(obj)
        return None if not math.isfinite(f) else f
    if hasattr(obj, "value") and isinstance(obj.value, str):  # enums
        return obj.value
    if isinstance(obj, Path):
        return str(obj)
    return obj


# ---------------------------------------------------------------- summary.md


def summary_markdown(summary: dict, *, lang: str = "zh", files: Sequence[Path] = ()) -> str:
    """``summary.md``: solver status and gap, money, coverage before/after, standards, spend, assumptions, files.

    Chinese output has no English: solver stages and timings by their Chinese names, sources and assumptions in
    Chinese (``source_zh``, ``assumptions_zh``), and the files described by what they hold instead of their
    names; ``--lang en`` is the mirror image.

    Parameters
    ----------
    summary
        The dict from :func:`summary_dict` (or read back from ``summary.json``).
    lang
        ``zh`` (default) or ``en``.
    files
        Files of the run, listed by name (English) or described by kind and count (Chinese).
    """
    L = lambda k: label(k, lang)  # noqa: E731
    en = lang_of(lang) == "en"
    name = summary.get("title") or summary.get("scenario")
    title = L("summary_title") + (tr("sep.title", lang) + str(name) if name else "")
    lines = [f"# {title}", ""]
    if en and summary.get("title") and summary.get("scenario") and summary["title"] != summary["scenario"]:
        lines += [f"{L('scenario')}: `{summary['scenario']}`", ""]
    if summary.get("synthetic"):
        lines += [f"> {L('synthetic_note')}", ""]
    lines += [f"## {L('solver_section')}", ""]
    for k, v in _solver_rows(summary, lang):
        lines.append(f"- {k}{tr('sep.field', lang)}{v}")
    warn = time_limit_warning(summary, lang)
    if warn:
        lines += ["", f"> **{warn}**"]
    lines += ["", f"## {L('coverage_section')}", ""]
    lines += _md_table(*coverage_table(summary, lang))
    cs = call_satisfaction_line(summary, lang)
    if cs:
        lines += ["", f"- {cs}"]
    lines += ["", f"## {L('standards_section')}", ""]
    hdr, rows = standards_table(summary, lang)
    lines += _md_table(hdr, rows) if rows else [L("none")]
    hdr, rows = standards_by_year_table(summary, lang)
    if rows:
        lines += ["", f"## {L('standards_by_year_section')}", ""]
        lines += _md_table(hdr, rows)
    lines += ["", f"## {L('spend_section')}", ""]
    hdr, rows = spend_table(summary, lang)
    lines += _md_table(hdr, rows) if rows else [L("none")]
    assumed = assumptions_in(summary, lang)
    if assumed:
        lines += ["", f"## {L('assumptions_section')}", ""]
        lines += [f"- {a}" for a in assumed]
    if notes_in(summary, lang):
        lines += ["", f"## {L('notes_section')}", ""]
        lines += [f"- {n}" for n in notes_in(summary, lang)]
    tm = summary.get("timings") or {}
    if tm:
        lines += ["", f"## {L('timings_section')}", ""]
        lines.append(tr("sep.list", lang).join(
            f"{tr(f'timing.{k}', lang) if has_message(f'timing.{k}') else k} {float(v):.2f}"
            for k, v in tm.items() if v is not None))
    if files:
        lines += ["", f"## {L('files_section')}", ""]
        if en:
            # paths relative to the run folder (maps/overview.png); absolute paths are shown by name only
            lines += [f"- `{Path(f).name if Path(f).is_absolute() else Path(f).as_posix()}`" for f in files]
        else:
            lines += [f"- {d}" for d in files_described(files, lang)]
    return "\n".join(lines) + "\n"


def assumptions_in(summary: dict, lang: str = "zh") -> list[str]:
    """The ASSUMPTION sentences of a summary in ``lang`` (``assumptions_zh`` for Chinese)."""
    if lang_of(lang) == "en":
        return [str(a) for a in summary.get("assumptions") or []]
    zh = summary.get("assumptions_zh")
    return [str(a) for a in (zh if zh is not None else summary.get("assumptions") or [])]


FILE_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("files.summary", (".md", ".json")),
    ("files.documents", (".xlsx", ".docx")),
    ("files.maps", (".png",)),
    ("files.maps_print", (".pdf",)),
    ("files.html", (".html",)),
    ("files.tables", (".csv",)),
    ("files.spatial", (".gpkg",)),
)


def files_described(files: Sequence[Path], lang: str = "zh") -> list[str]:
    """What a run folder holds, by kind and count (「附件文档2份」), without file names."""
    out = []
    suffixes = [Path(f).suffix.lower() for f in files]
    for key, kinds in FILE_KINDS:
        n = sum(s in kinds for s in suffixes)
        if n:
            out.append(tr(key, lang, n=n))
    return out


def time_limit_warning(summary: dict, lang: str = "zh") -> str:
    """A sentence saying the run stopped at its time limit, with the gap; '' for any other status."""
    if summary.get("status") != "time_limit":
        return ""
    return f"{label('time_limit_warning', lang)} {fmt_gap(summary.get('gap'))}"


def fmt_gap(gap: float | None) -> str:
    """Relative MIP gap as a percentage with two decimals ('—' when unknown: no bound, or none found)."""
    return "—" if gap is None or _isnan(gap) or not math.isfinite(float(gap)) else f"{100 * float(gap):.2f}%"


def fmt_persons(x: float | None) -> str:
    """Persons rounded to a whole number with thousands separators."""
    return "—" if x is None or _isnan(x) else f"{round(float(x)):,}"


def fmt_wan(x: float | None) -> str:
    """万元 with up to two decimals, trailing zeros removed."""
    if x is None or _isnan(x):
        return "—"
    s = f"{float(x):,.2f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def fmt_share(part: float | None, whole: float | None) -> str:
    """``part / whole`` as a percentage with one decimal."""
    if part is None or not whole:
        return "—"
    return f"{100 * float(part) / float(whole):.1f}%"


def fmt_share_value(x: Any) -> str:
    """A share (0–1) as a percentage with one decimal, e.g. 0.411 → ``41.1%``."""
    if x is None or _isnan(x):
        return "—"
    return f"{100 * float(x):.1f}%"


def coverage_table(summary: dict, lang: str = "zh") -> tuple[list[str], list[list[str]]]:
    """Header and rows of the coverage table (persons and shares, before/after, gain) per coverage key."""
    L = lambda k: label(k, lang)  # noqa: E731
    hdr = [L("kind"), L("population"), L("before"), L("before_share"), L("after"), L("after_share"), L("gain")]
    rows = []
    for key, c in (summary.get("coverage") or {}).items():
        pop, b, a = c.get("population"), c.get("before"), c.get("after")
        gain = None if a is None or b is None else a - b
        rows.append([
            coverage_name(key, lang), fmt_persons(pop), fmt_persons(b), fmt_share(b, pop), fmt_persons(a),
            fmt_share(a, pop), fmt_persons(gain),
        ])
    return hdr, rows


def standards_table(summary: dict, lang: str = "zh") -> tuple[list[str], list[list[str]]]:
    """Header and rows of the standards table (required, existing, planned, shortfall, met, mode, source)."""
    L = lambda k: label(k, lang)  # noqa: E731
    hdr = [L("std_name"), L("std_required"), L("std_existing"), L("std_planned"), L("std_shortfall"),
           L("std_met"), L("std_mode"), L("std_source")]
    rows = []
    for s in summary.get("standards") or []:
        met = s.get("met")
        mode = s.get("mode")
        num = fmt_share_value if str(s.get("unit") or "").startswith("share") else fmt_num  # shares print as %
        rows.append([
            standard_label(s, lang), num(s.get("required")), num(s.get("existing")),
            num(s.get("planned")), num(s.get("shortfall")),
            "—" if met is None else L("met_yes") if met else L("met_no"),
            L(f"mode_{mode}") if mode else "—", standard_source(s, lang),
        ])
    return hdr, rows


def standards_by_year_table(summary: dict, lang: str = "zh") -> tuple[list[str], list[list[str]]]:
    """Header and rows of the standards of every plan year (``standards_by_year``): the milestone due, today's
    level, the level with the items built by that year, met. Empty for a one-year plan (the standards table says
    it all)."""
    recs = summary.get("standards_by_year") or []
    if len({r.get("year") for r in recs}) < 2:
        return [], []
    L = lambda k: label(k, lang)  # noqa: E731
    hdr = [L("std_year"), L("std_name"), L("std_due"), L("std_existing"), L("std_planned"), L("std_met")]
    rows = []
    for r in recs:
        num = fmt_share_value if str(r.get("unit") or "").startswith("share") else fmt_num
        met = r.get("met")
        rows.append([
            str(r.get("year")), standard_label(r, lang),
            L("std_not_due") if r.get("required") is None else num(r.get("required")),
            num(r.get("existing")), num(r.get("planned")),
            "—" if met is None else L("met_yes") if met else L("met_no"),
        ])
    return hdr, rows


def call_satisfaction_line(summary: dict, lang: str = "zh") -> str:
    """「急救呼叫满足率（估算）：71.0% → 88.1%」 with its assumptions, or ``""`` without ambulances."""
    cs = summary.get("call_satisfaction")
    if not cs:
        return ""
    note = cs.get("note_en" if lang_of(lang) == "en" else "note_zh") or ""
    left, right = ("（", "）") if lang_of(lang) == "zh" else (" (", ")")
    return (f"{label('call_satisfaction', lang)}{tr('sep.field', lang)}{fmt_share_value(cs.get('before'))} → "
            f"{fmt_share_value(cs.get('after'))}{left}{note}{right}")


def standard_source(record: dict, lang: str = "zh") -> str:
    """A standards row's source in ``lang`` (``source_zh`` for Chinese, ``source`` is English).

    A Chinese row without ``source_zh`` (a plan written before the standards carried it) cites the registered
    standard in Chinese rather than printing the English text in a Chinese document."""
    if lang_of(lang) == "zh":
        if record.get("source_zh"):
            return str(record["source_zh"])
        std = standard_named(str(record.get("name", "")))
        if std is not None:
            return std.cite("zh")
    return str(record.get("source") or "")


def standard_label(record: dict, lang: str = "zh") -> str:
    """A standards row's name in ``lang`` (``label_zh``/``label_en``, else the standard's own label)."""
    return str(record.get(f"label_{lang_of(lang)}") or standard_name(record.get("name", ""), lang))


def spend_table(summary: dict, lang: str = "zh") -> tuple[list[str], list[list[str]]]:
    """Header and rows of spend by kind (rows) and year (columns), 万元, with a totals row and column."""
    spend = summary.get("spend_by_kind_year") or {}
    years = sorted({y for v in spend.values() for y in v})
    if not spend:
        return [label("kind", lang), label("total", lang)], []
    hdr = [label("kind", lang), *years, label("total", lang)]
    rows = []
    for kind, by_year in spend.items():
        rows.append([kind_name(kind, lang), *(fmt_wan(by_year.get(y, 0.0)) for y in years),
                     fmt_wan(sum(by_year.values()))])
    col_tot = [sum(v.get(y, 0.0) for v in spend.values()) for y in years]
    rows.append([label("total", lang), *(fmt_wan(t) for t in col_tot), fmt_wan(summary.get("spent_wan"))])
    return hdr, rows


def fmt_num(x: Any) -> str:
    """A standard's figure: integers plain, shares/fractions with up to three decimals."""
    if x is None or _isnan(x):
        return "—"
    f = float(x)
    if abs(f - round(f)) < 1e-9:
        return f"{round(f):,}"
    return f"{f:,.3f}".rstrip("0").rstrip(".")


def _solver_rows(summary: dict, lang: str) -> list[tuple[str, str]]:
    L = lambda k: label(k, lang)  # noqa: E731
    budget = summary.get("budget_wan")
    rows = [
        (L("status"), status_name(summary.get("status", ""), lang)),
        (L("solver"), solver_name(summary.get("solver"))),
        (L("gap"), fmt_gap(summary.get("gap"))),
        (L("budget"), L("unlimited") if budget is None else fmt_wan(budget)),
        (L("spent"), fmt_wan(summary.get("spent_wan"))),
        (L("n_items"), str(summary.get("items", 0))),
    ]
    stages = summary.get("stages") or []
    if stages:
        # the lexicographic stages by name and status (the solver's own message is English: English output only)
        rows.append((L("stages"), tr("sep.clause", lang).join(
            tr("fmt.stage", lang, stage=tr(f"stage.{s['stage']}", lang) if has_message(f"stage.{s['stage']}")
               else s["stage"], status=status_name(s.get("status", ""), lang)) for s in stages)))
    elif summary.get("message") and lang_of(lang) == "en":
        rows.append((L("notes_section"), str(summary["message"])))
    return rows


def solver_name(solver: str | None) -> str:
    """The solver's proper name (HiGHS, CBC) for display; '—' when none."""
    if not solver:
        return "—"
    key = f"solver.{str(solver).lower()}"
    return tr(key, "en") if has_message(key) else str(solver)


def _md_table(hdr: list[str], rows: list[list[str]]) -> list[str]:
    esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
    out = ["| " + " | ".join(esc(h) for h in hdr) + " |", "|" + "|".join("---" for _ in hdr) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return out


# ---------------------------------------------------------------- console


def summary_console(summary: dict, *, lang: str = "zh"):  # -> rich.console.RenderableType
    """The same content as ``summary.md`` as rich tables for the terminal (a ``rich.console.Group``)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    head = Table(title=label("solver_section", lang), show_header=False, title_justify="left")
    head.add_column(style="bold")
    head.add_column()
    for k, v in _solver_rows(summary, lang):
        head.add_row(k, v)
    parts.append(head)
    warn = time_limit_warning(summary, lang)
    if warn:
        parts.append(Text(warn, style="bold yellow"))
    std_hdr, std_rows = standards_table(summary, lang)
    # the terminal is narrow: the sources stay in summary.md and the appendix
    std_hdr, std_rows = std_hdr[:-1], [r[:-1] for r in std_rows]
    # and the total population, equal on every row, moves into the title
    cov_hdr, cov_rows = coverage_table(summary, lang)
    cov_title = label("coverage_section", lang)
    if cov_rows:
        cov_title += f" · {cov_hdr[1]} {cov_rows[0][1]}"
        cov_hdr, cov_rows = [cov_hdr[0], *cov_hdr[2:]], [[r[0], *r[2:]] for r in cov_rows]
    for title, (hdr, rows) in (
        (cov_title, (cov_hdr, cov_rows)),
        (label("standards_section", lang), (std_hdr, std_rows)),
        (label("standards_by_year_section", lang), standards_by_year_table(summary, lang)),
        (label("spend_section", lang), spend_table(summary, lang)),
    ):
        if not rows:
            continue
        t = Table(title=title, title_justify="left")
        for i, h in enumerate(hdr):
            # figures are never cut: the column is at least as wide as its widest value; headers wrap instead
            widest = max((len(r[i]) for r in rows), default=0)
            # (an English name wraps at its spaces; a Chinese one, having none, keeps its width)
            keep = i > 0 or lang == "zh"
            t.add_column(h, justify="left" if i == 0 else "right", min_width=widest if keep else None,
                         overflow="fold")
        for r in rows:
            style = "red" if r and label("met_no", lang) in r else None
            t.add_row(*r, style=style)
        parts.append(t)
    assumed = assumptions_in(summary, lang)
    if assumed:
        parts.append(Text(label("assumptions_section", lang) + tr("sep.field", lang), style="bold yellow"))
        # a grid, not "  • " + text: rich moves a long Chinese line (no spaces to break at) whole to the next
        # line and leaves the bullet alone on its own; the second column wraps under itself (hanging indent)
        bullets = Table.grid(padding=(0, 1))
        bullets.add_column(width=3, justify="right")
        bullets.add_column(overflow="fold")
        for a in assumed:
            bullets.add_row("•", a)
        parts.append(bullets)
    return Group(*parts)


# ---------------------------------------------------------------- helpers


def _notes_en(instance: Instance) -> list[str]:
    """The instance's notes in English (geodata keeps them in ``meta['notes_en']``, aligned with ``notes``)."""
    en = list((instance.meta or {}).get("notes_en") or [])
    notes = list(dict.fromkeys(str(n) for n in instance.notes))
    return list(dict.fromkeys(str(n) for n in en)) if len(en) == len(instance.notes) else notes


def notes_in(summary: dict, lang: str = "zh") -> list[str]:
    """The data notes of a summary in ``lang`` (``notes`` Chinese, ``notes_en`` English)."""
    if lang_of(lang) == "en" and summary.get("notes_en") is not None:
        return [str(n) for n in summary["notes_en"]]
    return [str(n) for n in summary.get("notes") or []]


def _plan_timing(plan: Plan, key: str) -> float:
    if key == "build_s":
        return float(plan.solve.build_s)
    if key == "solve_s":
        return float(plan.solve.solve_s)
    return 0.0


def _spend_by_year(spend: dict[str, dict[str, float]]) -> dict[str, float]:
    years = sorted({y for v in spend.values() for y in v})
    return {y: round(sum(v.get(y, 0.0) for v in spend.values()), MONEY_DECIMALS) for y in years}


def _kind_rank(kind: str) -> tuple[int, str]:
    return (ITEM_KIND_ORDER.index(kind) if kind in ITEM_KIND_ORDER else len(ITEM_KIND_ORDER), kind)


def _fmt_value(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(str(getattr(x, "value", x)) for x in v) + "]"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _isnan(x: Any) -> bool:
    try:
        return x is None or (isinstance(x, float | np.floating) and math.isnan(float(x)))
    except (TypeError, ValueError):
        return False
