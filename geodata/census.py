"""Join a township census table (乡镇人口) to the townships: by code, else by normalised name, all problems at once.

The statistics bulletin's table names a township by its 9-digit code (统计用区划代码 has 12 digits: the
township's 9 and ``000``), or only by name, and names are written differently from one file to the next:
``城关镇`` / ``城关``, ``XX街道办事处`` / ``XX街道``, full-width ``（）`` and digits, stray spaces. Rows are matched in
three rounds, each only among rows not matched yet: (1) equal codes; (2) equal names once normalised (NFKC: full
width → half width; spaces removed); (3) equal stems (the name without its 民族乡/镇/乡/街道/办事处 suffix), only
where the stem is unique on both sides (``城关镇`` and ``城关街道`` in one county stay unmatched rather than
guessed). Every census row left over is an error listing its nearest township names, and every township left
without a census row is one too, in one report.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

import numpy as np
import pandas as pd

from healthplan.geodata.errors import ProblemReport
from healthplan.geodata.messages import say
from healthplan.geodata.text import Text
from healthplan.geodata.validate import feature_ids, report_rows

# Longest first: 民族乡 before 乡, 街道办事处 before 街道.
SUFFIXES = ("民族苏木", "街道办事处", "民族乡", "民族镇", "办事处", "地区", "街道", "苏木", "镇", "乡")
TOTAL_NAMES = frozenset({"合计", "总计", "小计", "总数", "全县", "全区", "全市", "全县合计", "全区合计", "total"})
_SPACE = re.compile(r"[\s\u3000\u200b\ufeff]+")
_NOT_DIGIT = re.compile(r"\D+")


WAN_REN = "万人"  # the unit 10,000 persons


def normalise_name(name: object) -> str:
    """A name as compared: NFKC (full-width letters, digits, brackets → half width), no spaces."""
    if name is None or (isinstance(name, float) and name != name):
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(name)))


def name_stem(name: object) -> str:
    """The normalised name without its township suffix (``城关镇`` → ``城关``); the whole name when only a suffix."""
    text = normalise_name(name)
    for suffix in SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def normalise_code(code: object) -> str:
    """A township code as compared: digits only; a 12-digit 统计用区划代码 ending in 000 → its first 9 digits."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", str(code)))
    if len(digits) == 12 and digits.endswith("000"):
        return digits[:9]
    return digits


def match_census(census: pd.DataFrame, townships: pd.DataFrame) -> np.ndarray:
    """For each census row, the position of its township in ``townships`` (-1 when unmatched).

    Both frames have ``id`` and ``name`` (text, ``""`` where missing). See the module for the three rounds.
    """
    n_c, n_t = len(census), len(townships)
    match = np.full(n_c, -1, dtype=np.int64)
    taken = np.zeros(n_t, dtype=bool)
    c_code = census["id"].map(normalise_code).to_numpy(dtype=object)
    t_code = townships["id"].map(normalise_code).to_numpy(dtype=object)
    keys = [
        (c_code, t_code),
        (census["name"].map(normalise_name).to_numpy(dtype=object),
         townships["name"].map(normalise_name).to_numpy(dtype=object)),
        (census["name"].map(name_stem).to_numpy(dtype=object), townships["name"].map(name_stem).to_numpy(dtype=object)),
    ]
    for c_key, t_key in keys:
        open_c = np.flatnonzero(match < 0)
        open_t = np.flatnonzero(~taken)
        c_vals = pd.Series(c_key[open_c])
        t_vals = pd.Series(t_key[open_t])
        # A key joins only when it is filled and unique on both sides among the rows still open.
        c_ok = (c_vals != "") & ~c_vals.duplicated(keep=False)
        t_ok = (t_vals != "") & ~t_vals.duplicated(keep=False)
        lookup = pd.Series(open_t[t_ok.to_numpy()], index=t_vals[t_ok].to_numpy())
        hit = c_vals[c_ok].map(lookup)
        found = hit.notna().to_numpy()
        rows = open_c[c_ok.to_numpy()][found]
        pos = hit[found].to_numpy(dtype=np.int64)
        match[rows] = pos
        taken[pos] = True
    return match


def join_census(census: pd.DataFrame, townships: pd.DataFrame, report: ProblemReport, *,
                target: str = "townships") -> pd.DataFrame:
    """Fill the townships' ``population`` and ``urban_population`` from the census table.

    Parameters
    ----------
    census
        The validated census layer (``id``, ``name``, ``population``, ``urban_population``).
    townships
        The validated townships (or township seats) layer (``id``, ``name`` …).
    report
        Gets an error per census row without a township and per township without a census row (each with the
        nearest names of the other side), a warning where a township's own population differs from the
        census by more than 1 %.
    target
        The input the townships come from (``townships`` or ``township_seats``), for messages.

    Returns
    -------
    pandas.DataFrame
        ``townships`` with the census figures in ``population`` and ``urban_population``; ``attrs["columns"]``
        names the census file's columns for them.
    """
    c_file = str(census.attrs.get("file", "census"))
    t_file = str(townships.attrs.get("file", target))
    given = census.attrs.get("columns", {})
    if "columns" in census.attrs and not ({"id", "name"} & set(given)):
        report.error(c_file, say("census.no_key"), say("census.no_key.fix"), column="name")
        return townships
    census = _drop_totals(census, c_file, report)
    match = match_census(census, townships)
    c_ids = feature_ids(census)
    t_label = _labels(townships)
    c_label = _labels(census)
    unmatched_c = np.flatnonzero(match < 0)
    matched_t = np.zeros(len(townships), dtype=bool)
    matched_t[match[match >= 0]] = True
    unmatched_t = np.flatnonzero(~matched_t)
    t_stems = [name_stem(v) for v in townships["name"]]
    c_stems = [name_stem(v) for v in census["name"]]
    if unmatched_c.size:
        msgs = [say("census.row_unmatched", row=c_label[i], file=t_file,
                    nearest=_nearest(c_stems[i], t_stems, t_label, unmatched_t)) for i in unmatched_c]
        report_rows(report, c_file, c_ids[unmatched_c], msgs, say("census.row_unmatched.fix"),
                    column=_column(census, "name"))
    if unmatched_t.size:
        msgs = [say("census.town_unmatched", town=t_label[j], file=c_file,
                    nearest=_nearest(t_stems[j], c_stems, c_label, unmatched_c)) for j in unmatched_t]
        report_rows(report, t_file, feature_ids(townships)[unmatched_t], msgs,
                    say("census.town_unmatched.fix"),
                    column=_column(townships, "name"))
    out = townships.copy()
    out.attrs = dict(townships.attrs)
    pop = np.full(len(out), np.nan)
    urb = np.full(len(out), np.nan)
    ok = match >= 0
    c_pop = census["population"].to_numpy(dtype=float)
    c_urb = census["urban_population"].to_numpy(dtype=float) if "urban_population" in census else np.full(
        len(census), np.nan)
    pop[match[ok]] = c_pop[ok]
    urb[match[ok]] = c_urb[ok]
    own = pd.to_numeric(out["population"], errors="coerce").to_numpy(dtype=float) if "population" in out else pop
    differs = np.isfinite(own) & np.isfinite(pop) & (np.abs(own - pop) > 0.01 * np.maximum(pop, 1))
    if differs.any():
        report_rows(report, t_file, feature_ids(townships)[differs],
                    [say("census.differs", own=int(a), census=int(b))
                     for a, b in zip(own[differs], pop[differs], strict=True)],
                    say("census.differs.fix"), column=_column(townships, "population"),
                    severity="warning")
    too_urban = np.isfinite(urb) & np.isfinite(pop) & (urb > pop)
    if too_urban.any():
        rows = np.flatnonzero(ok)[too_urban[match[ok]]]
        report_rows(report, c_file, c_ids[rows], say("census.urban_over"), say("census.urban_over.fix"),
                    column=_column(census, "urban_population"))
    out["population"] = np.where(np.isfinite(pop), pop, own)
    out["urban_population"] = urb
    cols = dict(out.attrs.get("columns", {}))
    cols["population"] = f"{_column(census, 'population')} ({c_file})"
    if "urban_population" in census.attrs.get("columns", {}):
        cols["urban_population"] = f"{_column(census, 'urban_population')} ({c_file})"
    out.attrs["columns"] = cols
    out.attrs["census_file"] = c_file
    return out


def census_in_persons(census: pd.DataFrame, file: str, report: ProblemReport) -> pd.DataFrame | None:
    """The census table as read (columns renamed, cells still text) with its figures in persons.

    Bulletins often count in 万人 (10,000 persons): when the lines above the header or the population column's
    header say 万人, the figures are multiplied by 10,000 (with a warning); figures that are all below 1,000
    with decimals and no unit stated are an error (``None``), since read as persons they would make every
    township a hamlet. Cells that are not numbers are left for the validator to name.
    """
    if "population" not in census:
        return census
    pop_col = _column(census, "population")
    said = f"{census.attrs.get('preamble', '')} {pop_col}"
    pop = pd.to_numeric(census["population"], errors="coerce").to_numpy(dtype=float)
    finite = pop[np.isfinite(pop)]
    if WAN_REN in said:
        out = census.copy()
        out.attrs = dict(census.attrs)
        for col in ("population", "urban_population"):
            if col in out:
                value = pd.to_numeric(out[col], errors="coerce")
                scaled = (value * 10_000.0).round().map(lambda v: f"{v:.0f}", na_action="ignore")
                out[col] = scaled.where(value.notna(), out[col]).astype(object)
        example = say("census.wan_ren.example", a=finite[0], b=finite[0] * 1e4) if finite.size else ""
        report.warning(file, say("census.wan_ren", column=pop_col, example=example),
                       say("census.wan_ren.fix"), column=pop_col)
        return out
    if finite.size and finite.max() < 1000 and (finite != np.round(finite)).any():
        report.error(file, say("census.looks_wan", column=pop_col, max=finite.max()),
                     say("census.looks_wan.fix"), column=pop_col)
        return None
    return census


def _drop_totals(census: pd.DataFrame, file: str, report: ProblemReport) -> pd.DataFrame:
    """Rows that are the table's total (合计, 总计, 小计, 全县 …, without a code) are left out, with a note."""
    names = census["name"].map(normalise_name)
    codes = census["id"].map(normalise_code)
    total = (names.isin(TOTAL_NAMES) | names.str.startswith(("全县", "全区", "全市"))) & (codes == "")
    if not total.any():
        return census
    names = ", ".join(census["name"][total].astype(str))
    report.warning(file, say("census.totals", n=int(total.sum()), names=names,
                             rows=", ".join(feature_ids(census)[total.to_numpy()])),
                   say("census.totals.fix"), column=_column(census, "name"))
    out = census[~total.to_numpy()].copy()
    out.attrs = dict(census.attrs)
    if "row_numbers" in census.attrs and len(census.attrs["row_numbers"]) == len(census):
        out.attrs["row_numbers"] = np.asarray(census.attrs["row_numbers"])[~total.to_numpy()]
    else:
        out.attrs["row_numbers"] = np.flatnonzero(~total.to_numpy()) + int(census.attrs.get("row_offset", 1))
    return out


def _labels(frame: pd.DataFrame) -> list[Text]:
    """``城关镇 (340102001)`` per row, for messages."""
    names = frame["name"].astype(str).tolist()
    ids = frame["id"].astype(str).tolist() if "id" in frame else [""] * len(frame)
    return [(Text.of(n) if n else say("census.no_name")) + (f" ({i})" if i else "")
            for n, i in zip(names, ids, strict=True)]


def _nearest(stem: str, stems: list[str], labels: list[Text], among: np.ndarray) -> Text:
    """The (at most 3) closest names among the open rows of the other side, or a word that there are none."""
    if not among.size:
        return say("census.none_left")
    pool = {stems[j]: labels[j] for j in among if stems[j]}
    near = difflib.get_close_matches(stem, list(pool), n=3, cutoff=0.0)
    return Text.join(Text("、", ", "), [pool[n] for n in near]) if near else say("census.none_left")


def _column(frame: pd.DataFrame, canonical: str) -> str:
    return str(frame.attrs.get("columns", {}).get(canonical, canonical))
