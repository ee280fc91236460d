"""reports.i18n: the gettext catalogs (read with Babel at run time) hold every text the reports ask for, in both
languages, with the same fields."""

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from healthplan.reports.i18n import (
    LANGS,
    MissingMessage,
    catalog,
    catalog_path,
    coverage_name,
    kind_name,
    label,
    message,
    status_name,
    tr,
)

REPORTS = Path(__file__).resolve().parents[1] / "reports"


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_both_catalogs_hold_the_same_ids_and_no_empty_text():
    zh, en = catalog("zh"), catalog("en")
    assert set(zh) == set(en)
    assert len(zh) > 150
    assert not [k for k, v in zh.items() if not v.strip()]
    assert not [k for k, v in en.items() if not v.strip() and k != "sep.clause"]


def test_fields_match_between_languages():
    zh, en = catalog("zh"), catalog("en")
    bad = {k: (_fields(zh[k]), _fields(en[k])) for k in zh if _fields(zh[k]) != _fields(en[k])}
    assert not bad


def test_catalog_files_are_valid_po_read_by_babel():
    for lang in LANGS:
        with catalog_path(lang).open("rb") as f:
            cat = read_po(f, locale=lang)
        assert str(cat.locale) == lang
        assert len(list(cat)) > 150


def _literal_keys() -> set[str]:
    """Every string literal passed as the first argument of tr(), message() or label() in reports/*.py."""
    keys = set()
    for path in REPORTS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("tr", "message", "L", "label") and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                keys.add(node.args[0].value)
    return keys


def test_every_message_the_code_asks_for_is_in_the_catalogs():
    keys = _literal_keys()
    assert len(keys) > 100
    missing = sorted(k for k in keys if k not in catalog("zh"))
    assert not missing


def test_every_formatted_key_family_is_complete():
    # f-string keys: tr(f"col.{column}"), tr(f"status.{s}") … — each family has both languages' entries
    zh = catalog("zh")
    for prefix in ("col.", "status.", "stage.", "timing.", "files.", "source.", "unit.", "measure.", "sheet.",
                   "basis.", "layer."):
        assert any(k.startswith(prefix) for k in zh), prefix


def test_tr_formats_and_rejects_unknown_ids():
    assert tr("fmt.year_span", "zh", first=2024, last=2025) == "2024—2025年"
    assert tr("fmt.year_span", "en", first=2024, last=2025) == "2024–2025"
    with pytest.raises(MissingMessage):
        tr("no.such.message", "zh")
    assert label("no.such.label") == "no.such.label"  # labels of unknown keys pass through


def test_message_has_both_languages():
    t = message("note.no_spatial")
    assert re.search(r"[\u4e00-\u9fff]", t.zh) and not re.search(r"[\u4e00-\u9fff]", t.en)


def test_names_come_from_the_kinds_and_the_catalog():
    assert kind_name("fever_room") == "发热诊室" and kind_name("fever_room", "en") == "Fever rooms"
    assert coverage_name("blood", "en") == "Blood point access"
    assert status_name("optimal") == "最优" and status_name("time_limit", "en").startswith("time limit")
    assert status_name("weird") == "weird"
