"""Every fixed text of the reports, in Chinese (default) and English (``--lang en``), from gettext catalogs.

The texts live in ``reports/locale/<lang>/LC_MESSAGES/healthplan.po`` (one catalog per language, the same message
ids in both), read at run time with Babel's ``babel.messages.pofile.read_po``: the .po files are the single
source, so there is no compiled .mo file that could fall behind them. Message ids are keys (``summary_title``,
``status.optimal``, ``doc.per_site_caption`` …); a text with fields is formatted with ``str.format``
(:func:`tr`). ``tests/test_report_i18n.py`` checks that both catalogs hold the same ids, no empty text, the same
fields per id, and every id the code asks for.

What kinds and standards call themselves stays with them (``Text`` in the kind modules, picked by ``lang``):
:func:`kind_name`, :func:`coverage_name` and :func:`standard_name` read those.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from healthplan.optimizer.kinds import ITEM_KEYS, KIND_NAMES, SERVICE_KEYS, item_type, service
from healthplan.optimizer.kinds import kind as registered_kind
from healthplan.optimizer.standards import standard_named
from healthplan.optimizer.text import Text

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "healthplan"

# Item types (Plan.items "kind") in the order of the registered kinds: the order of every list and table.
ITEM_KIND_ORDER: tuple[str, ...] = ITEM_KEYS


class MissingMessage(KeyError):
    """A message id the catalogs do not have (a programming error: the catalog test catches it)."""


def lang_of(lang: str) -> str:
    """``en`` for English output (``--lang en``), else ``zh``."""
    return "en" if str(lang).lower().startswith("en") else "zh"


def catalog_path(lang: str) -> Path:
    """The .po file of ``lang``."""
    return LOCALE_DIR / lang_of(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(lang: str) -> dict[str, str]:
    """Message id → text of ``lang``'s catalog (read once per process with Babel)."""
    from babel.messages.pofile import read_po

    path = catalog_path(lang)
    with path.open("rb") as f:
        cat = read_po(f, locale=lang_of(lang), domain=DOMAIN)
    return {str(m.id): str(m.string) for m in cat if m.id and isinstance(m.id, str)}


def tr(key: str, lang: str = "zh", /, **fmt: object) -> str:
    """The text ``key`` in ``lang``, formatted with ``fmt``.

    Raises
    ------
    MissingMessage
        When the catalog has no such id (never at run time once the catalog test passes).
    """
    text = catalog(lang_of(lang)).get(key)
    if text is None:
        raise MissingMessage(f"message {key!r} is missing from {catalog_path(lang)}")
    return text.format(**fmt) if fmt else text


def message(key: str, /, **fmt: object) -> Text:
    """The text ``key`` in both languages (a ``Text``), for notes that are written before the language is known."""
    return Text(tr(key, "zh", **fmt), tr(key, "en", **fmt))


def has_message(key: str) -> bool:
    """Whether the catalogs define ``key``."""
    return key in catalog("zh")


def label(key: str, lang: str = "zh") -> str:
    """The label ``key`` in ``lang`` ('zh' or 'en'); unknown keys come back unchanged."""
    return tr(key, lang) if has_message(key) else key


def unit_name(unit: str, lang: str = "zh") -> str:
    """Unit of a standard row (``vehicles``, ``sites``, ``share`` …) in ``lang``; unknown units unchanged."""
    return label(f"unit_{unit}", lang) if has_message(f"unit_{unit}") else str(unit)


def status_name(status: str, lang: str = "zh") -> str:
    """Name of a solver status value (optimizer.status.Status) in ``lang``."""
    key = f"status.{status}"
    return tr(key, lang) if has_message(key) else str(status)


def kind_name(kind: str, lang: str = "zh") -> str:
    """Name of an item type (``ambulance``, ``fever_room`` …) or of a resource kind (``fever``) in ``lang``."""
    key = str(kind)
    if key in ITEM_KEYS:
        return item_type(key)[1].label(lang)
    if key in KIND_NAMES:
        return registered_kind(key).label(lang)
    return key


def coverage_name(key: str, lang: str = "zh") -> str:
    """Name of a coverage key (``ambulance``, ``ambulance_single``, ``fever``, ``blood``, ``secondary`` …)."""
    if str(key) not in SERVICE_KEYS:
        return str(key)
    return service(str(key))[1].label(lang)


def standard_name(name: str, lang: str = "zh") -> str:
    """Readable name of a standard row of ``Plan.standards``: the standard's own label (kinds' standards, the
    township floors ``equity_{key}`` and coverage targets ``{key}_target_coverage``); otherwise the raw name."""
    s = standard_named(str(name))
    return s.label(lang) if s is not None else str(name)


def sep(lang: str) -> str:
    """The list separator of ``lang`` between clauses (「；」 / "; ")."""
    return tr("sep.clause", lang)
