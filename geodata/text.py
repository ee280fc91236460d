"""A text in Chinese and English, for the messages a planner reads about their inputs.

The one bilingual text type of the project: it lives in ``geodata`` because dependencies point geodata →
optimizer → reports → scenarios, and ``optimizer.text`` re-exports it for labels and sources. A message is built
once with both languages and rendered in the planner's language where it is printed (``text("zh")`` /
``text("en")``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def is_en(lang: str | None) -> bool:
    """True for English output (``--lang en``); everything else, and no choice at all, is Chinese."""
    return str(lang or "zh").lower().startswith("en")


@dataclass(frozen=True)
class Text:
    """One text in Chinese and English; ``text(lang)`` picks one (Chinese unless ``lang`` is English)."""

    zh: str
    en: str

    def __call__(self, lang: str | None = "zh", **fmt: object) -> str:
        """The text in ``lang``, formatted with ``fmt`` (``str.format`` fields) when given."""
        s = self.en if is_en(lang) else self.zh
        return s.format(**fmt) if fmt else s

    def as_dict(self) -> dict[str, str]:
        """``{"zh": …, "en": …}`` (JSON: saved run state, summary.json)."""
        return {"zh": self.zh, "en": self.en}

    def __str__(self) -> str:  # the English text: logs, str(exception), tests of the Python API
        return self.en

    def format(self, **params: Any) -> Text:
        """Both templates formatted with ``params`` (``str.format`` fields); a Text parameter gives each
        language its own wording (``layer=Text("需求点", "demand")``)."""
        zh = {k: v.zh if isinstance(v, Text) else v for k, v in params.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in params.items()}
        return Text(self.zh.format(**zh), self.en.format(**en))

    def __add__(self, other: Text | str) -> Text:
        other = Text.of(other)
        return Text(self.zh + other.zh, self.en + other.en)

    def __radd__(self, other: str) -> Text:
        return Text.of(other) + self

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)

    @classmethod
    def of(cls, value: Text | dict | str | None) -> Text:
        """A Text from a Text, a ``{"zh", "en"}`` mapping, or a plain string (the same in both languages: a
        message from code that has no Chinese yet, or user text such as a file name)."""
        if isinstance(value, Text):
            return value
        if isinstance(value, dict):
            return cls(str(value.get("zh") or value.get("en", "")), str(value.get("en") or value.get("zh", "")))
        return cls("" if value is None else str(value), "" if value is None else str(value))

    @classmethod
    def entry(cls, catalogue: Mapping[str, tuple[str, str]], code: str, **params: Any) -> Text:
        """Message ``code`` of a catalogue (``{code: (zh, en)}``) formatted with ``params`` (a Text parameter
        gives each language its own words)."""
        zh, en = catalogue[code]
        return cls(zh, en).format(**params)

    @classmethod
    def join(cls, sep: Text | str, parts: list[Text | str]) -> Text:
        """The parts joined by ``sep``, in each language."""
        sep_t = cls.of(sep)
        texts = [cls.of(p) for p in parts]
        return cls(sep_t.zh.join(t.zh for t in texts), sep_t.en.join(t.en for t in texts))
