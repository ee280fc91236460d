"""Excel workbooks (.xlsx) as tables: the sheet asked for, the header row found below any merged title rows.

A statistics bulletin or a facility list exported from Excel rarely starts with its header: a merged title
("2020年XX县第七次人口普查乡镇常住人口") and a unit line ("单位：人") come first. The header is the first row, among
the first :data:`HEADER_SEARCH_ROWS`, that holds the most of the column names the layer expects (canonical
names, their Chinese aliases and the scenario's ``columns:`` map); when no row holds any, the first row with two
or more filled cells that is not a merged title row. ``inputs.<layer>.header_row`` sets it explicitly.

Cells are returned as text, as the CSV reader returns them (ids keep their leading zeros; a number Excel
stores as 340102001.0 reads as ``340102001``), so the validator coerces and names bad cells the same way for
every format. Rows are numbered as Excel numbers them (``row 7`` is the seventh row of the sheet).
"""

from __future__ import annotations

import datetime as dt
import difflib
import warnings
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from healthplan.geodata.messages import say
from healthplan.geodata.text import Text

# The header is looked for in the first rows only: a title, a unit line, a blank row and a two-level header are
# at most a handful of rows in any bulletin seen.
HEADER_SEARCH_ROWS = 15


class SheetError(ValueError):
    """The workbook has no sheet of that name or number (the message lists the sheets, in ``text`` in both
    languages)."""

    def __init__(self, text: Text):
        self.text = text
        super().__init__(text.en)


def cell_text(value: object) -> object:
    """One cell as text: integral numbers without ``.0``, dates as ISO dates, ``None`` stays missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return "nan"
        if value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return None if text.strip() == "" else text


def sheet_names(path: Path | str) -> list[str]:
    """Names of the workbook's sheets, in order."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_xlsx(
    path: Path | str, *, sheet: str | int | None = None, header_row: int | None = None,
    expected: Iterable[str] = (),
) -> tuple[pd.DataFrame, int, str]:
    """Read one sheet of an .xlsx workbook as a text table.

    Parameters
    ----------
    path
        The workbook.
    sheet
        Sheet name, or 1-based sheet number; ``None``: the first sheet.
    header_row
        1-based row of the header; ``None``: found as the module describes.
    expected
        Column names the layer looks for (canonical names, aliases, mapped names), to find the header.

    Returns
    -------
    frame, header_row, sheet_name
        The table (text cells, ``None`` where empty; the header's empty cells named ``Unnamed: k`` as pandas
        names them), the 1-based header row used and the sheet's name.

    Raises
    ------
    SheetError
        When ``sheet`` is not in the workbook.
    """
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns about data validation and conditional formatting it does not read: not our business.
        warnings.simplefilter("ignore", UserWarning)
        wb = openpyxl.load_workbook(path, data_only=True)
    try:
        ws = _sheet(wb, sheet)
        merged_title_rows = {
            rng.min_row for rng in ws.merged_cells.ranges if rng.max_col > rng.min_col and rng.min_row == rng.max_row
        }
        rows = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        name = ws.title
    finally:
        wb.close()
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    if header_row is None:
        header_row = find_header(rows, expected, merged_title_rows)
    if not rows or header_row > len(rows):
        return pd.DataFrame(), header_row, name
    header = rows[header_row - 1]
    columns = [str(h).strip() if h is not None else f"Unnamed: {k}" for k, h in enumerate(header)]
    frame = pd.DataFrame(rows[header_row:], columns=columns, dtype=object)
    frame.attrs["preamble"] = preamble_text(rows[:header_row - 1])
    return frame, header_row, name


def preamble_text(rows: list[list[object]]) -> str:
    """The title and unit lines above a table's header as one line of text (``单位：万人`` says the unit)."""
    return " ".join(str(v).strip() for row in rows for v in row if v is not None and str(v).strip())


def find_header(rows: list[list[object]], expected: Iterable[str], merged_title_rows: set[int]) -> int:
    """1-based header row: the first row among the first ones with the most expected names, else the first
    row with two or more filled cells that is not a merged title; 1 when nothing fits."""
    wanted = {str(e).strip().lower() for e in expected if str(e).strip()}
    best, best_hits = 0, 0
    for k, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        hits = sum(1 for v in row if v is not None and str(v).strip().lower() in wanted)
        if hits > best_hits:
            best, best_hits = k, hits
    if best:
        return best
    for k, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        filled = sum(1 for v in row if v is not None)
        if filled >= 2 and k not in merged_title_rows:
            return k
    return 1


def _sheet(wb: object, sheet: str | int | None) -> object:
    names = list(wb.sheetnames)  # type: ignore[attr-defined]
    if sheet is None:
        return wb[names[0]]  # type: ignore[index]
    if isinstance(sheet, int):
        if 1 <= sheet <= len(names):
            return wb[names[sheet - 1]]  # type: ignore[index]
        raise SheetError(say("file.sheet.number", sheet=sheet, n=len(names), names=", ".join(names)))
    if sheet in names:
        return wb[sheet]  # type: ignore[index]
    near = difflib.get_close_matches(sheet, names, n=1, cutoff=0.5)
    hint = say("file.did_you_mean", guess=near[0]) if near else Text("", "")
    raise SheetError(say("file.sheet.name", sheet=sheet, hint=hint, names=", ".join(names)))
