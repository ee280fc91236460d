"""``sweep.md``: the grid, one line per point, the budget at which each standard is first met, the failed
points and the files; and the two figures of a sweep.csv row that the console table shows too (spend,
coverage %)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from healthplan.reports.i18n import coverage_name, standard_name, status_name
from healthplan.scenarios.frontier import coverage_columns, first_met, group_keys, standard_names, x_key
from healthplan.scenarios.sweep_axis import BUDGET_KEY, Axis, format_value


def spent_cell(row: pd.Series) -> str:
    """A row's spend in 万元 with thousands separators and one decimal; empty when the point has no plan."""
    spent = row.get("spent_wan")
    return "" if spent is None or pd.isna(spent) else f"{float(spent):,.1f}"


def coverage_cell(row: pd.Series, kind: str) -> str:
    """A row's covered share of the population for one service, in % with one decimal; empty when unknown."""
    a, pop = row.get(f"coverage.{kind}.after"), row.get(f"coverage.{kind}.population")
    ok = a is not None and pop is not None and not pd.isna(a) and not pd.isna(pop) and float(pop) > 0
    return f"{100 * float(a) / float(pop):.1f}" if ok else ""


def _met_count(row: pd.Series, stds: Sequence[str]) -> str:
    met = [row.get(f"standards.{s}.met") for s in stds]
    return f"{sum(m is True or str(m).lower() == 'true' for m in met)}/{len(stds)}" if stds else ""


def _first_met_lines(table: pd.DataFrame, axes: Sequence[Axis], x: str, zh: bool, lang: str) -> list[str]:
    groups = group_keys(axes, x)
    marks = first_met(table, x, groups)
    head = "各标准首次达标的" + ("预算(万元)" if x == BUDGET_KEY else f" `{x}`") if zh else (
        f"First {'budget (万元)' if x == BUDGET_KEY else f'`{x}`'} from which each standard is met")
    lines = ["", f"## {head}", "", "| " + " | ".join([*groups, "标准" if zh else "standard", x]) + " |",
             "|" + "---|" * (len(groups) + 2)]
    for _, m in marks.iterrows():
        val = "—" if pd.isna(m["first_met"]) else format_value(m["first_met"])
        cells = [*(format_value(m[g]) for g in groups), standard_name(m["standard"], lang), val]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def sweep_markdown(
    table: pd.DataFrame, *, axes: Sequence[Axis], lang: str = "zh", files: Sequence[Path] = ()
) -> str:
    """``sweep.md``: the grid, one line per point (status, spend, coverage share per kind, standards met), the
    budget at which each standard is first met, and the failed points with their messages."""
    zh = lang == "zh"
    n_fail = int((table["error"].astype(str) != "").sum()) if "error" in table else 0
    lines = ["# 情景扫描结果" if zh else "# Sweep results", ""]
    if len(table) and "scenario" in table:
        lines += [f"- {'情景' if zh else 'Scenario'}: {str(table['scenario'].iloc[0]).split('/')[0]}"]
    for a in axes:
        lines.append(f"- `{a.key}` ({a.option}): {', '.join(format_value(v) for v in a.values)}")
    lines += [f"- {'点数' if zh else 'Points'}: {len(table)}" + (f" ({n_fail} {'个失败' if zh else 'failed'})"
                                                                if n_fail else ""), ""]
    kinds = coverage_columns(table)
    stds = standard_names(table)
    params = [a.key for a in axes]
    hdr = [*params, "状态" if zh else "status", "投资(万元)" if zh else "spent (万元)"]
    hdr += [f"{coverage_name(k, lang)} %" for k in kinds]
    hdr += ["达标标准" if zh else "standards met"]
    lines += ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for _, r in table.iterrows():
        cells: list[Any] = [format_value(r[k]) for k in params]
        cells += [status_name(str(r.get("status", "")), lang), spent_cell(r)]
        cells += [coverage_cell(r, k) for k in kinds]
        cells.append(_met_count(r, stds))
        lines.append("| " + " | ".join(cells) + " |")
    try:
        x = x_key(table, axes)
    except ValueError:
        x = None
    if x is not None and stds:
        lines += _first_met_lines(table, axes, x, zh, lang)
    elif x is None:
        lines += ["", "（无数值扫描键，未绘制覆盖率曲线）" if zh else
                  "(no numeric swept key: no frontier drawn)"]
    if n_fail:
        lines += ["", "## 失败的点" if zh else "## Failed points", ""]
        for _, r in table[table["error"].astype(str) != ""].iterrows():
            lines.append(f"- `{r['slug']}` ({r['status']}): {r['error']}")
    if files:
        lines += ["", "## 文件" if zh else "## Files", ""]
        lines += [f"- {Path(f).name}" for f in files]
        note = ("各点运行目录：表格与摘要；需要地图与文档时加 --reports 重新扫描" if zh else
                "one run folder per point: tables and summaries; for maps and documents sweep with --reports")
        lines.append(f"- points/ ({note})")
    return "\n".join(lines) + "\n"
