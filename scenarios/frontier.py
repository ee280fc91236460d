"""The coverage–budget frontier of a sweep (frontier.png): coverage share per kind against budget, with the
budget at which each standard is first met marked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from healthplan.optimizer.kinds import SERVICE_KEYS

COVERAGE_ORDER = SERVICE_KEYS  # the registered kinds' services, in their order
MAX_PANELS = 12  # more groups than this are cut (the CSV has them all); a figure of 40 panels reads as noise
DPI = 300  # print resolution, as the maps
# Curves that coincide (two kinds both at 100 %, or equal shares) stay visible: each kind has its own marker
# and dash, and the earlier curves are drawn wider underneath the later ones.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
DASHES = ("-", "--", "-.", ":")
WIDTHS = (3.4, 2.6, 1.9, 1.3, 0.9)


def _names(lang: str) -> tuple[Any, Any, Any]:
    """Label functions from reports.i18n when present, else plain English keys."""
    try:
        from healthplan.reports.i18n import coverage_name, label, standard_name
    except ImportError:  # reports not installed: English keys are still readable
        return (lambda k, lang: k), (lambda k, lang: k), (lambda k, lang: k)
    return coverage_name, standard_name, label


def _font(lang: str) -> tuple[dict[str, Any], str]:
    """rc settings with the bundled CJK font, and the language actually usable (en when the font is
    missing)."""
    if lang != "zh":
        return {}, lang
    try:
        from healthplan.reports.fonts import rc_params
    except ImportError:
        return {}, "en"
    try:
        return rc_params(), "zh"
    except Exception:  # FontMissingError: draw English labels rather than boxes
        return {}, "en"


def x_key(table: pd.DataFrame, axes: Sequence[Any]) -> str:
    """The column on the x axis: ``budget_wan`` when swept, else the first numeric swept key.

    Raises
    ------
    ValueError
        When no swept key is numeric (nothing to draw a frontier against).
    """
    keys = [a.key for a in axes]
    if "budget_wan" in keys:
        return "budget_wan"
    for k in keys:
        col = table[k] if k in table else None
        if col is not None and pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            return k
    raise ValueError("no numeric swept key to draw a frontier against")


def group_keys(axes: Sequence[Any], x: str) -> list[str]:
    """The swept keys other than the x axis: each combination of their values is one panel of the figure."""
    return [a.key for a in axes if a.key != x]


def coverage_columns(table: pd.DataFrame) -> list[str]:
    """Coverage keys with ``coverage.<key>.after`` and ``.population`` columns, in canonical order."""
    return [k for k in COVERAGE_ORDER
            if f"coverage.{k}.after" in table and f"coverage.{k}.population" in table]


def standard_names(table: pd.DataFrame) -> list[str]:
    """Names of the standards with a ``standards.<name>.met`` column, in column order."""
    return [c[len("standards."):-len(".met")] for c in table.columns
            if c.startswith("standards.") and c.endswith(".met")]


def _is_true(value: Any) -> bool:
    """A ``met`` cell as read back from CSV or JSON (True, 1, 'True', 'true')."""
    return value is True or value == 1 or str(value).lower() == "true"


def first_met(table: pd.DataFrame, x: str, groups: Sequence[str] = ()) -> pd.DataFrame:
    """The smallest ``x`` at which each standard is met and stays met for every larger ``x`` (per group).

    Returns
    -------
    DataFrame
        Columns: the group keys, ``standard``, ``first_met`` (NaN when never met within the sweep).
    """
    rows = []
    grouped = table.groupby(list(groups), sort=False, dropna=False) if groups else [((), table)]
    for key, g in grouped:
        key = key if isinstance(key, tuple) else (key,)
        g = g.sort_values(x)
        for name in standard_names(table):
            met = g[f"standards.{name}.met"].map(_is_true).to_numpy()
            ok = g["status"].isin(["optimal", "time_limit", "baseline"]).to_numpy() & met
            # the first x from which on every point meets it (a single lucky point does not count)
            tail_ok = np.flip(np.logical_and.accumulate(np.flip(ok)))
            first = g[x].to_numpy()[tail_ok][0] if tail_ok.any() else np.nan
            rows.append({**dict(zip(groups, key, strict=True)), "standard": name, "first_met": first})
    return pd.DataFrame(rows, columns=[*groups, "standard", "first_met"])


def plot_frontier(table: pd.DataFrame, path: Path, *, axes: Sequence[Any], lang: str = "zh") -> Path:
    """Draw coverage share (%) per kind against the budget (or the first numeric swept key) into ``path``
    (PNG).

    One panel per combination of the other swept keys; dotted vertical lines mark, per standard, the smallest
    value from which the standard is met. Failed points are left out of the lines and marked with a cross.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = x_key(table, axes)
    groups = group_keys(axes, x)
    rc, lang = _font(lang)
    coverage_name, standard_name, label = _names(lang)
    zh = lang == "zh"
    # kinds the plan never changes (switched off, or nothing to buy) would only add flat lines: sweep.md lists
    # them
    kinds = [k for k in coverage_columns(table) if f"coverage.{k}.before" not in table
             or not np.allclose(table[f"coverage.{k}.after"].astype(float),
                                table[f"coverage.{k}.before"].astype(float), equal_nan=True)
             ] or coverage_columns(table)
    panels = list(table.groupby(groups, sort=False, dropna=False)) if groups else [((), table)]
    panels = panels[:MAX_PANELS]
    marks = first_met(table, x, groups)
    ncol = min(len(panels), 3)
    nrow = int(np.ceil(len(panels) / ncol))
    with plt.rc_context(rc):
        fig, axs = plt.subplots(nrow, ncol, figsize=(6.4 * ncol, 4.4 * nrow), squeeze=False, sharey=True)
        colours = plt.get_cmap("tab10")
        for n, (key, g) in enumerate(panels):
            ax = axs[n // ncol][n % ncol]
            key = key if isinstance(key, tuple) else (key,)
            g = g.sort_values(x)
            ok = g["status"].isin(["optimal", "time_limit", "baseline"])
            for i, kind in enumerate(kinds):
                after = g[f"coverage.{kind}.after"].astype(float)
                share = 100 * after / g[f"coverage.{kind}.population"].astype(float)
                ax.plot(g.loc[ok, x], share[ok], marker=MARKERS[i % len(MARKERS)],
                        ms=7.5 - 4.5 * i / max(len(kinds) - 1, 1), ls=DASHES[i % len(DASHES)],
                        lw=WIDTHS[min(i, len(WIDTHS) - 1)], color=colours(i), markeredgecolor="white",
                        markeredgewidth=0.5, zorder=2 + i, label=coverage_name(kind, lang))
            if (~ok).any():
                ax.scatter(g.loc[~ok, x], np.zeros(int((~ok).sum())), marker="x", color="red",
                           label="失败的点" if zh else "failed point", zorder=5)
            sel = marks
            for gk, gv in zip(groups, key, strict=True):
                sel = sel[sel[gk] == gv]
            sel = sel.dropna(subset=["first_met"]).sort_values(["first_met", "standard"])
            # one dotted line per budget; standards first met at the same budget share it, one text column each
            for at, same in sel.groupby("first_met", sort=True):
                ax.axvline(at, color="0.45", ls=":", lw=1)
                names = "\n".join(standard_name(s, lang) for s in same["standard"])
                ax.annotate(names, (at, 2), rotation=90, fontsize=7, color="0.3", ha="right", va="bottom",
                            linespacing=1.1)
            title = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(groups, key, strict=True))
            if title:
                ax.set_title(title, fontsize=9)
            ax.set_ylim(0, 105)
            ax.grid(alpha=0.3)
            if x == "budget_wan":
                ax.set_xlabel(label("budget", lang) if zh else "Budget (10k CNY)")
            else:
                ax.set_xlabel(x)
            if n % ncol == 0:
                ax.set_ylabel("覆盖人口比例 (%)" if zh else "Population covered (%)")
        for n in range(len(panels), nrow * ncol):
            axs[n // ncol][n % ncol].set_visible(False)
        handles, labels_ = axs[0][0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels_, loc="lower center", ncol=min(len(handles), 3), fontsize=8,
                       frameon=False)
        head = "覆盖率与预算（虚线：标准首次达标）" if zh else "Coverage against budget (dotted: standard first met)"
        fig.suptitle(head, fontsize=11)
        fig.tight_layout(rect=(0, 0.08 if handles else 0, 1, 0.96))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp.png")
        fig.savefig(tmp, dpi=DPI, metadata={"Software": None})
        plt.close(fig)
    tmp.replace(path)
    return path
