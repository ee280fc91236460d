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
    """The map of the differences, drawn as a plan map (A4 landscape, 300 dpi): township boundaries and roads of
    the first run (from its saved ``state/``; the demand points' outline when it has none), existing facilities,
    and each project that differs at its site with its kind's symbol, coloured by which runs have it and
    labelled with the site's name; legend, scale bar and north arrow. Returns ``None`` (no map) when the run
    folders carry no coordinates."""
    import matplotlib

    from healthplan.reports import map_draw as md
    from healthplan.reports.map_fonts import chars_of, subset_rc
    from healthplan.scenarios.frontier import _font

    rc, lang = _font(lang)
    zh = lang == "zh"
    base = cmp.runs[0]
    proj = cmp.projects.dropna(subset=["x", "y"]) if len(cmp.projects) else cmp.projects
    layers = _base_layers(base)
    if layers is None and not len(proj):
        return None
    run_cols = [_col(r) for r in cmp.runs]
    present = proj[run_cols].astype(str).ne("") if len(proj) else pd.DataFrame(columns=run_cols)
    who = present.apply(lambda r: ",".join(c.split(":")[0] for c, v in r.items() if v), axis=1) \
        if len(proj) else pd.Series(dtype=str)
    groups = sorted(who.unique(), key=lambda w: (len(w), w))
    names = _site_names(base, proj)
    title = ("方案差异图" if zh else "Differences between runs")
    subtitle = " / ".join(f"{r.label}: {r.name}" for r in cmp.runs)
    texts = [title, subtitle, *names.values(), *(_group_text(g, len(run_cols), zh) for g in groups),
             *(_kind_label(k, lang) for k in (proj["kind"] if len(proj) else [])),
             *(t for pair in _COMPARE_TEXT.values() for t in pair)]
    try:  # the bundled CJK font in both languages: site names may be Chinese in an English map
        rc = subset_rc(chars_of(texts))
    except Exception:  # FontMissingError: matplotlib's default font (English labels)
        pass
    with matplotlib.rc_context(rc):
        fig = md.new_figure()
        md.frame(fig, title, subtitle, [_ct("note", zh)], lang)
        bounds = _compare_bounds(layers, proj)
        ax = md.map_axes(fig, md.MAP_BOX, bounds)
        _draw_base(ax, layers)
        cmap = matplotlib.colormaps["tab10"]
        obstacles, labels = [], []
        from healthplan.reports.map_labels import Label, marker_box, place_labels, spread

        # One symbol per (site, group, kind); several at a site stand side by side, as on the run's maps.
        sym = proj.assign(_g=who.map({g: i for i, g in enumerate(groups)}))
        sym = sym.drop_duplicates(["site_id", "_g", "kind"])
        sym = sym.sort_values(["site_id", "_g", "kind"], kind="stable")
        slot = sym.groupby("site_id").cumcount().to_numpy()
        n_at = sym.groupby("site_id")["kind"].transform("size").to_numpy()
        x0, x1 = ax.get_xlim()
        m_per_pt = (x1 - x0) / (ax.get_position().width * fig.get_size_inches()[0] * 72)
        dx_pt = (slot - (n_at - 1) / 2) * md.NEW_MARKER_PT * 1.3
        # Sites so close that their groups would overprint are moved apart (as on the run's maps).
        first = sym.groupby("site_id", sort=False).agg(x=("x", "first"), y=("y", "first"), n=("kind", "size"))
        px_per_pt = fig.dpi / 72
        half = np.column_stack([first["n"].to_numpy() * 1.3 * md.NEW_MARKER_PT / 2,
                                np.full(len(first), md.NEW_MARKER_PT / 2)]) * px_per_pt
        centres = ax.transData.transform(first[["x", "y"]].to_numpy(dtype=float))
        shift = spread(centres, half) / px_per_pt * m_per_pt
        first[["x", "y"]] += shift
        at = first.reindex(sym["site_id"])
        xs = at["x"].to_numpy(dtype=float) + dx_pt * m_per_pt
        ys = at["y"].to_numpy(dtype=float)
        for (gi, kind), idx in sym.groupby(["_g", "kind"], sort=True).indices.items():
            ax.scatter(xs[idx], ys[idx], s=md.NEW_MARKER_PT**2, marker=_kind_marker(str(kind)),
                       color=cmap(int(gi) % 10), edgecolor="#111111", linewidths=0.8, zorder=8)
        obstacles += [marker_box(ax, x, y, md.NEW_MARKER_PT) for x, y in zip(xs, ys, strict=True)]
        for sid, g in first.sort_index().iterrows():
            radius = g["n"] * md.NEW_MARKER_PT * 1.3 / 2 + 1
            labels.append(Label(names.get(str(sid), str(sid)), float(g["x"]), float(g["y"]), radius,
                                {"fontsize": 7.5}))
        placed = place_labels(ax, labels, obstacles, md.furniture_boxes(ax))
        md.scale_bar(ax, lang)
        md.north_arrow(ax, lang)
        side = fig.add_axes(md.SIDE_BOX)
        p = md.LegendPanel(side)
        p.heading(_ct("legend", zh))
        p.heading(_ct("groups", zh))
        for i, g in enumerate(groups):
            p.patch(_group_text(g, len(run_cols), zh), matplotlib.colors.to_hex(cmap(i % 10)), "#111111")
        kinds = sorted(set(proj["kind"].astype(str))) if len(proj) else []
        if kinds:
            p.heading(_ct("kinds", zh))
            for k in kinds:
                p.marker(_kind_label(k, lang), _kind_marker(k), "#ffffff", "#111111", md.EXISTING_MARKER_PT, 1.0)
        p.heading(_ct("base", zh))
        if layers is not None and layers.get("sites") is not None:
            p.marker(_ct("sites", zh), "o", "#9e9e9e", "white", md.CONTEXT_MARKER_PT, 0.3)
        if layers is not None and layers.get("demand") is not None:
            p.marker(_ct("demand", zh), "o", "#c8c8c8", "none", 4.0, 0)
        if layers is not None and layers.get("roads") is not None:
            p.line(_ct("roads", zh), "#b0b0b0", 1.0)
        p.line(_ct("boundary" if layers is not None and layers.get("townships") is not None else "extent", zh),
               "#555555", 0.8)
        rows = [f"{r.label}: {r.name}" for r in cmp.runs]
        rows.append(_ct("count", zh).format(n=len(proj)))
        if placed.dropped:
            rows.append(_ct("unlabelled", zh).format(n=len(placed.dropped)))
        p.heading(_ct("runs", zh))
        p.lines(rows, fontsize=7.5, step=0.026)
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp.png")
        md._save_png(fig, str(tmp))
        tmp.replace(path)
    return path


_COMPARE_TEXT: dict[str, tuple[str, str]] = {
    "legend": ("图例", "Legend"),
    "groups": ("不同的项目（所在方案）", "Projects that differ (runs that have them)"),
    "only": ("仅方案{g}", "only in {g}"),
    "quantity": ("方案{g}均有，数量或年份不同", "in {g}, different quantity"),
    "some": ("方案{g}", "in {g}"),
    "kinds": ("项目类别", "Kind"),
    "base": ("底图", "Base map"),
    "sites": ("现有医疗机构", "Existing health facilities"),
    "demand": ("村/社区", "Villages/communities"),
    "roads": ("道路", "Roads"),
    "boundary": ("乡镇界", "Township boundary"),
    "extent": ("村点范围", "Extent of the villages"),
    "runs": ("方案", "Runs"),
    "count": ("不同的项目 {n} 个（站点×类别×年份）", "{n} projects differ (site × kind × year)"),
    "unlabelled": ("另有{n}处名称因图面空间未标注", "{n} more names left out for space"),
    "note": ("底图取自方案A的运行结果；坐标为方案A数据的投影坐标（米）。",
             "Base map from run A's saved inputs; coordinates in run A's projected CRS (metres)."),
}


def _ct(key: str, zh: bool) -> str:
    return _COMPARE_TEXT[key][0 if zh else 1]


def _group_text(g: str, n_runs: int, zh: bool) -> str:
    if g.count(",") == 0:
        return _ct("only", zh).format(g=g)
    if g.count(",") == n_runs - 1:
        return _ct("quantity", zh).format(g=g.replace(",", "、" if zh else ", "))
    return _ct("some", zh).format(g=g.replace(",", "、" if zh else ", "))


def _kind_marker(kind: str) -> str:
    from healthplan.optimizer.kinds import ITEM_KEYS, item_type

    return item_type(kind)[1].symbol.marker if kind in ITEM_KEYS else "o"


def _kind_label(kind: str, lang: str) -> str:
    from healthplan.reports.i18n import kind_name

    return kind_name(str(kind), lang)


def _site_names(base: RunData, proj: pd.DataFrame) -> dict[str, str]:
    """Site names of the differing projects: the project table's ``site_name``, else the first run's saved
    sites, else the id."""
    names: dict[str, str] = {}
    sites = _read_state_table(base.path, "sites")
    if sites is not None and "name" in sites:
        names.update({str(k): str(v) for k, v in sites["name"].items()})
    if len(proj) and "site_name" in proj:
        names.update({str(s): str(n) for s, n in zip(proj["site_id"], proj["site_name"], strict=True)
                      if isinstance(n, str) and n})
    return names


def _read_state_table(run: Path, name: str) -> Any:
    p = Path(run) / "state" / f"{name}.parquet"
    if not p.is_file():
        return None
    try:
        if name in ("townships", "roads"):
            import geopandas as gpd

            return gpd.read_parquet(p)
        return pd.read_parquet(p)
    except Exception:  # an unreadable state only costs the base map: the points are drawn instead
        return None


def _base_layers(run: RunData) -> dict[str, Any] | None:
    """Townships, roads and sites of the run's saved state; demand points from ``demand_coverage.csv``;
    ``None`` when there are no coordinates at all."""
    out: dict[str, Any] = {"townships": _read_state_table(run.path, "townships"),
                           "roads": _read_state_table(run.path, "roads")}
    sites = _read_state_table(run.path, "sites")
    if sites is None and run.facilities is not None and {"x", "y"} <= set(run.facilities.columns):
        sites = run.facilities
    out["sites"] = sites if sites is not None and {"x", "y"} <= set(sites.columns) else None
    d = run.demand
    has_xy = d is not None and {"x", "y"} <= set(d.columns) and bool(d["x"].notna().any())
    out["demand"] = d.dropna(subset=["x", "y"]) if has_xy else None
    if out["townships"] is None and out["demand"] is None:
        return None
    return out


def _compare_bounds(layers: dict[str, Any] | None, proj: pd.DataFrame) -> tuple[float, float, float, float]:
    pts = [proj[["x", "y"]].to_numpy(dtype=float)] if len(proj) else []
    if layers is not None and layers["townships"] is not None:
        x0, y0, x1, y1 = (float(v) for v in layers["townships"].total_bounds)
        pts.append(np.array([[x0, y0], [x1, y1]]))
    if layers is not None and layers["demand"] is not None:
        pts.append(layers["demand"][["x", "y"]].to_numpy(dtype=float))
    allp = np.vstack(pts)
    allp = allp[np.isfinite(allp).all(axis=1)]
    (x0, y0), (x1, y1) = allp.min(axis=0), allp.max(axis=0)
    pad = 0.05 * max(x1 - x0, y1 - y0, 1.0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _draw_base(ax: Any, layers: dict[str, Any] | None) -> None:
    import shapely
    from matplotlib.patches import PathPatch

    from healthplan.reports import map_draw as md

    if layers is None:
        return
    tw = layers["townships"]
    if tw is not None:
        paths = [md.polygon_path(g) for g in tw.geometry.to_numpy()]
        md.draw_townships(ax, paths, ["#f4f1e8"] * len(paths),
                          md.polygon_path(shapely.union_all(tw.geometry.to_numpy())))
    elif layers["demand"] is not None:
        hull = shapely.convex_hull(shapely.multipoints(layers["demand"][["x", "y"]].to_numpy(dtype=float)))
        md.add_fixed(ax, PathPatch(md.polygon_path(hull.buffer(0.02 * max(np.ptp(layers["demand"]["x"]), 1.0))),
                                   facecolor="#f4f1e8", edgecolor="#555555", linewidth=0.8, linestyle="--",
                                   zorder=1))
    if layers["roads"] is not None:
        md.draw_roads(ax, md.lines_path(layers["roads"].geometry.to_numpy()))
    d = layers["demand"]
    if d is not None:
        size = 4 + 30 * np.sqrt(d["population"].astype(float) / max(float(d["population"].max()), 1.0)) \
            if "population" in d else 6
        ax.scatter(d["x"], d["y"], s=size, c="#c8c8c8", linewidths=0, zorder=4)
    s = layers["sites"]
    if s is not None:
        ax.scatter(s["x"], s["y"], s=md.CONTEXT_MARKER_PT**2, c="#9e9e9e", edgecolors="white", linewidths=0.3,
                   zorder=6)


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
