"""Compare run folders side by side: coverage, standards, spend, the projects that differ, a map of the
differences.

Reads what ``healthplan run`` (or a sweep point) wrote: ``summary.json``, ``new_items.csv`` and, for the map,
``demand_coverage.csv`` / ``facilities_after.csv`` (coordinates in metres of the instance CRS).
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from healthplan.geodata.errors import HealthplanError
from healthplan.optimizer.kinds import SERVICE_KEYS
from healthplan.reports.run_folder import OutputFolderError, prepare_out, write_folder

COVERAGE_ORDER = SERVICE_KEYS  # the registered kinds' services, in their order
PROJECT_KEY = ("site_id", "kind", "year")
OK_STATUSES = ("optimal", "time_limit", "baseline")


class CompareError(HealthplanError):
    """A folder given to ``compare`` is not a run folder, or fewer than two were given."""


@dataclass
class RunData:
    """One run folder as ``compare`` reads it (money 万元, coverage persons)."""

    label: str  # A, B, C … in the order given
    name: str
    path: Path
    summary: dict[str, Any]
    items: pd.DataFrame
    demand: pd.DataFrame | None = None
    facilities: pd.DataFrame | None = None


@dataclass
class Comparison:
    """Tables of a comparison (one column per run) and the files written."""

    runs: list[RunData]
    overview: pd.DataFrame
    coverage: pd.DataFrame
    standards: pd.DataFrame
    spend: pd.DataFrame
    projects: pd.DataFrame
    files: list[Path] = field(default_factory=list)


def _read_csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"site_id": str, "id": str, "demand_id": str})


def load_run(path: Path, label: str = "A") -> RunData:
    """Read a run folder (``summary.json`` is required; the CSV tables are used when present).

    Raises
    ------
    CompareError
        When ``path`` is not a folder or holds no readable ``summary.json``.
    """
    path = Path(path)
    summ = path / "summary.json"
    if not path.is_dir():
        raise CompareError(f"{path}: not a folder — fix: pass run folders written by 'healthplan run --out "
                           "DIR'")
    if not summ.is_file():
        msg = (f"{path}: no summary.json, so this is not a run folder — fix: pass folders written by "
               "'healthplan run --out DIR' or a sweep's points/<point> folders")
        raise CompareError(msg)
    try:
        summary = json.loads(summ.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CompareError(f"{summ}: not valid JSON ({exc}) — fix: re-run the scenario to rewrite "
                           "it") from None
    items = _read_csv(path / "new_items.csv")
    if items is None:
        items = pd.DataFrame(columns=[*PROJECT_KEY, "quantity", "cost_wan"])
    name = str(summary.get("scenario") or path.name)
    return RunData(label, name, path, summary, items, _read_csv(path / "demand_coverage.csv"),
                   _read_csv(path / "facilities_after.csv"))


def _labels(n: int) -> list[str]:
    letters = string.ascii_uppercase
    return [letters[i] if i < 26 else f"R{i + 1}" for i in range(n)]


def _col(run: RunData) -> str:
    return f"{run.label}: {run.name}"


def overview_table(runs: list[RunData]) -> pd.DataFrame:
    """Status, gap, budget, spend (万元), number of projects and standards met, one column per run."""
    rows: dict[str, dict[str, Any]] = {}
    for r in runs:
        s = r.summary
        stds = s.get("standards") or []
        rows[_col(r)] = {
            "status": s.get("status"), "gap": s.get("gap"), "budget_wan": s.get("budget_wan"),
            "spent_wan": s.get("spent_wan"), "items": s.get("items"),
            "standards_met": f"{sum(bool(x.get('met')) for x in stds)}/{len(stds)}",
        }
    return pd.DataFrame(rows)


def coverage_table(runs: list[RunData]) -> pd.DataFrame:
    """Population covered after the plan (persons) and its share (%), per coverage key, one column pair per
    run."""
    keys = [k for k in COVERAGE_ORDER if any(k in (r.summary.get("coverage") or {}) for r in runs)]
    data: dict[str, list[Any]] = {}
    for r in runs:
        cov = r.summary.get("coverage") or {}
        after = [cov.get(k, {}).get("after") for k in keys]
        pop = [cov.get(k, {}).get("population") for k in keys]
        data[f"{r.label} persons"] = after
        data[f"{r.label} %"] = [None if a is None or not p else round(100 * a / p, 2)
                                for a, p in zip(after, pop, strict=True)]
    if len(runs) >= 2:
        a, b = data[f"{runs[0].label} persons"], data[f"{runs[-1].label} persons"]
        data[f"{runs[-1].label} − {runs[0].label} persons"] = [
            None if x is None or y is None else round(y - x, 3) for x, y in zip(a, b, strict=True)]
    return pd.DataFrame(data, index=pd.Index(keys, name="coverage"))


def standards_table(runs: list[RunData]) -> pd.DataFrame:
    """Per standard: planned value against required, and met or short, one column per run."""
    names: list[str] = []
    for r in runs:
        for s in r.summary.get("standards") or []:
            if s.get("name") not in names:
                names.append(s.get("name"))
    data: dict[str, list[Any]] = {}
    for r in runs:
        by = {s.get("name"): s for s in r.summary.get("standards") or []}
        cells = []
        for n in names:
            s = by.get(n)
            if s is None:
                cells.append("")
                continue
            mark = "✓" if s.get("met") else "✗"
            cells.append(f"{mark} {_num(s.get('planned'))}/{_num(s.get('required'))}")
        data[_col(r)] = cells
    return pd.DataFrame(data, index=pd.Index(names, name="standard"))


def spend_table(runs: list[RunData]) -> pd.DataFrame:
    """Spend by kind (万元), one column per run, with a total row."""
    kinds: list[str] = []
    for r in runs:
        for k in (r.summary.get("spend_by_kind") or {}):
            if k not in kinds:
                kinds.append(k)
    data = {_col(r): [float((r.summary.get("spend_by_kind") or {}).get(k, 0.0)) for k in kinds] for r in runs}
    df = pd.DataFrame(data, index=pd.Index(kinds, name="kind"))
    df.loc["total"] = [float(r.summary.get("spent_wan") or 0.0) for r in runs]
    return df


def _num(v: Any) -> str:
    if v is None:
        return "—"
    f = float(v)
    return f"{f:,.0f}" if f.is_integer() else f"{f:,.2f}"


def _quantity(items: pd.DataFrame) -> pd.Series:
    """One label per project: '2 (np 1 + ord 1)' for ambulances, the quantity otherwise."""
    q = items["quantity"].astype(float).map(lambda v: f"{v:g}")
    if {"quantity_ord", "quantity_np"} <= set(items.columns):
        amb = items["kind"].astype(str) == "ambulance"
        detail = " (np " + items["quantity_np"].fillna(0).astype(int).astype(str) + " + ord " + \
            items["quantity_ord"].fillna(0).astype(int).astype(str) + ")"
        q = q.where(~amb, q + detail)
    return q


def project_diff(runs: list[RunData]) -> pd.DataFrame:
    """Projects (site × kind × year) that are not the same in every run: one column per run with the quantity
    (blank where the run has no such project), plus the site name and the cost in each run (万元)."""
    frames = []
    for r in runs:
        it = r.items
        if not len(it):
            continue
        f = it.assign(site_id=it["site_id"].astype(str), kind=it["kind"].astype(str),
                      year=it["year"].astype(int))
        f = f.assign(_q=_quantity(f), _run=_col(r))
        keep = [*PROJECT_KEY, "_q", "_run", "cost_wan"] + [c for c in ("site_name", "x", "y") if c in f]
        frames.append(f[keep])
    cols = [*PROJECT_KEY, "site_name", *(_col(r) for r in runs), "x", "y"]
    if not frames:
        return pd.DataFrame(columns=cols)
    allp = pd.concat(frames, ignore_index=True)
    wide = allp.pivot_table(index=list(PROJECT_KEY), columns="_run", values="_q", aggfunc="first").reindex(
        columns=[_col(r) for r in runs])
    wide = wide.fillna("")
    differs = wide.nunique(axis=1) > 1
    wide = wide[differs]
    meta = allp.drop_duplicates(list(PROJECT_KEY)).set_index(list(PROJECT_KEY))
    for c in ("site_name", "x", "y"):
        wide[c] = meta[c].reindex(wide.index) if c in meta else np.nan
    wide = wide.reset_index().sort_values(list(PROJECT_KEY), kind="stable").reset_index(drop=True)
    return wide[cols]


def compare_tables(runs: list[RunData]) -> Comparison:
    """All tables of a comparison of two or more loaded runs."""
    return Comparison(runs, overview_table(runs), coverage_table(runs), standards_table(runs),
                      spend_table(runs), project_diff(runs))


def compare_runs(
    paths: list[Path], *, out: Path | None = None, force: bool = False, lang: str = "zh"
) -> Comparison:
    """Compare two or more run folders; with ``out``, write ``compare.md``, the tables as CSV and
    ``compare_map.png``.

    Raises
    ------
    CompareError
        Fewer than two folders, a folder that is not a run folder, or an ``out`` the rules of
        :mod:`reports.run_folder` refuse (checked before any run is read).
    """
    if len(paths) < 2:
        raise CompareError("compare needs at least two run folders — fix: healthplan compare RUN_A RUN_B")
    protected = [("a run folder being compared", Path(p)) for p in paths]
    if out is not None:  # every output-folder rule before any run is read
        _out_rules(lambda: prepare_out(out, force=force, protected=protected))
    runs = [load_run(p, lab) for p, lab in zip(paths, _labels(len(paths)), strict=True)]
    names = [r.name for r in runs]
    for r in runs:
        if names.count(r.name) > 1:  # the same scenario twice (e.g. with --set): the folder tells them apart
            r.name = f"{r.name} ({r.path.name})"
    cmp = compare_tables(runs)
    if out is None:
        return cmp

    def build(folder: Path) -> list[Path]:
        files = []
        for name, df in (("compare_overview", cmp.overview), ("compare_coverage", cmp.coverage),
                         ("compare_standards", cmp.standards), ("compare_spend", cmp.spend)):
            df.to_csv(folder / f"{name}.csv", encoding="utf-8-sig", lineterminator="\n")
            files.append(folder / f"{name}.csv")
        cmp.projects.to_csv(folder / "compare_projects.csv", index=False, encoding="utf-8-sig",
                            lineterminator="\n")
        files.append(folder / "compare_projects.csv")
        if plot_differences(cmp, folder / "compare_map.png", lang=lang) is not None:
            files.append(folder / "compare_map.png")
        (folder / "compare.md").write_text(compare_markdown(cmp, lang=lang), encoding="utf-8")
        files.append(folder / "compare.md")
        return files

    cmp.files = _out_rules(lambda: write_folder(Path(out), build, kind="compare", force=force,
                                                protected=protected))
    return cmp


def _out_rules(call: Any) -> Any:
    """``call()`` with the output-folder errors of reports.run_folder raised as :class:`CompareError`."""
    try:
        return call()
    except OutputFolderError as exc:
        raise CompareError(str(exc)) from None


def _cell(value: Any) -> str:
    """A table cell: blank for missing values, thousands separators for numbers."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | int | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
        return _num(value)
    return str(value)


def _md(df: pd.DataFrame, index: bool = True) -> list[str]:
    d = df.reset_index() if index else df
    cols = [str(c) for c in d.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in d.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return lines


def compare_markdown(cmp: Comparison, *, lang: str = "zh") -> str:
    """``compare.md``: the runs, then overview, coverage, standards, spend and differing projects."""
    zh = lang == "zh"
    lines = ["# 方案比较" if zh else "# Comparison of runs", ""]
    lines += [f"- **{r.label}**: {r.name} (`{r.path}`)" for r in cmp.runs] + [""]
    sections = [
        ("概况" if zh else "Overview", cmp.overview, True),
        ("规划后覆盖人口（人，%）" if zh else "Covered after the plan (persons, %)", cmp.coverage, True),
        ("标准达标情况（规划后/要求）" if zh else "Standards (planned/required)", cmp.standards, True),
        ("投资（万元）" if zh else "Spend (万元)", cmp.spend, True),
    ]
    for head, df, idx in sections:
        lines += [f"## {head}", ""] + (_md(df, idx) if len(df) else ["无" if zh else "none"]) + [""]
    lines += ["## 不同的项目" if zh else "## Projects that differ", ""]
    proj = cmp.projects.drop(columns=[c for c in ("x", "y") if c in cmp.projects])
    lines += _md(proj, index=False) if len(proj) else ["无：各方案项目相同" if zh else "none: the runs have the same "
                                                                              "projects"]
    return "\n".join(lines) + "\n"


def plot_differences(cmp: Comparison, path: Path, *, lang: str = "zh") -> Path | None:
    """Scatter map (metres, instance CRS) of the demand points and sites, with the projects that differ marked
    by which runs have them. Returns ``None`` (no map) when the run folders carry no coordinates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from healthplan.scenarios.frontier import _font

    rc, lang = _font(lang)
    try:
        from healthplan.reports.i18n import kind_name
    except ImportError:  # reports absent: raw kind keys
        kind_name = lambda k, lang: k  # noqa: E731
    zh = lang == "zh"
    base = cmp.runs[0]
    proj = cmp.projects.dropna(subset=["x", "y"]) if len(cmp.projects) else cmp.projects
    d = base.demand
    have_xy = d is not None and {"x", "y"} <= set(d.columns) and bool(d["x"].notna().any())
    if not have_xy and not len(proj):
        return None
    run_cols = [_col(r) for r in cmp.runs]
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(8, 8))
        if have_xy:
            d = base.demand
            size = 4 + 40 * np.sqrt(d["population"].astype(float) / max(float(d["population"].max()), 1.0)) \
                if "population" in d else 6
            ax.scatter(d["x"], d["y"], s=size, c="0.8", lw=0, label="需求点" if zh else "demand points",
                       zorder=1)
        fac = base.facilities
        if fac is not None and {"x", "y"} <= set(fac.columns):
            ax.scatter(fac["x"], fac["y"], s=10, marker="s", c="0.45", lw=0, label="现有站点" if zh else "sites",
                       zorder=2)
        if len(proj):
            present = proj[run_cols].astype(str).ne("")
            who = present.apply(lambda r: ",".join(c.split(":")[0] for c, v in r.items() if v), axis=1)
            groups = sorted(who.unique(), key=lambda w: (len(w), w))
            cmap = plt.get_cmap("tab10")
            markers = {"ambulance": "^", "fever_clinic": "P", "fever_room": "P", "blood": "D",
                       "subcentre": "*"}
            for i, g in enumerate(groups):
                sel = proj[who == g]
                for kind, ks in sel.groupby("kind"):
                    tag = (f"仅 {g}" if zh else f"only in {g}") if g.count(",") == 0 else (
                        f"{g}（数量不同）" if zh and g.count(",") == len(run_cols) - 1 else
                        f"{g} (different quantity)" if g.count(",") == len(run_cols) - 1 else g)
                    ax.scatter(ks["x"], ks["y"], s=110, marker=markers.get(kind, "o"), color=cmap(i % 10),
                               edgecolor="k", lw=0.6, label=f"{tag} · {kind_name(str(kind), lang)}", zorder=3)
        ax.set_aspect("equal")
        ax.ticklabel_format(useOffset=False, style="plain")
        ax.set_xlabel("x (m)")
        ax.set_ylabel("y (m)")
        names = " / ".join(f"{r.label}: {r.name}" for r in cmp.runs)
        ax.set_title(("方案差异图  " if zh else "Differences between runs  ") + names, fontsize=9)
        ax.legend(loc="best", fontsize=7, framealpha=0.8)
        fig.tight_layout()
        fig.savefig(path, dpi=150, metadata={"Software": None})
        plt.close(fig)
    return path


def console_tables(cmp: Comparison, *, lang: str = "zh") -> list[Any]:
    """The comparison as rich tables for the terminal."""
    from rich.table import Table

    zh = lang == "zh"
    out = []
    for title, df, idx in (
        ("概况" if zh else "Overview", cmp.overview, True),
        ("规划后覆盖" if zh else "Covered after the plan", cmp.coverage, True),
        ("标准" if zh else "Standards", cmp.standards, True),
        ("投资（万元）" if zh else "Spend (万元)", cmp.spend, True),
        ("不同的项目" if zh else "Projects that differ",
         cmp.projects.drop(columns=[c for c in ("x", "y") if c in cmp.projects]), False),
    ):
        d = df.reset_index() if idx else df
        t = Table(title=title)
        for c in d.columns:
            t.add_column(str(c))
        for row in d.itertuples(index=False):
            t.add_row(*(_cell(v) for v in row))
        out.append(t)
    return out
