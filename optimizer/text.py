"""Typed texts the model carries to the reports: a label in both languages, a policy document, a graded source.

Kinds and standards declare their names and sources with these types; the reports pick the language at the
output edge (``text(lang)``), so no table is ever translated by parsing it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from healthplan.geodata.text import Text, is_en  # the one bilingual text type (re-exported here)

Lang = Literal["zh", "en"]
Grade = Literal["A", "B", "C", "D", "ASSUMPTION"]

# How a source's grade reads in each language (STANDARDS.md: A official text, B paper, C one local project …).
GRADE_NAMES: dict[str, tuple[str, str]] = {
    "A": ("A级：官方文件", "A: official text"),
    "B": ("B级：学术文献或文献转述的规定", "B: peer-reviewed paper or a paper restating a rule"),
    "C": ("C级：单一地方项目", "C: one local project or purchase"),
    "D": ("D级：弱来源，仅供参考", "D: weak source, a hint only"),
    "ASSUMPTION": ("假设值（无来源，请核实）", "ASSUMPTION (no source: please check)"),
}


@dataclass(frozen=True)
class Document:
    """A policy document or paper, cited the way a plan cites it: 《title》（文号）, or its English title.

    ``number`` is the 文号 (e.g. 国卫医发〔2020〕19号) or a journal reference; empty when it has none.
    """

    title_zh: str
    title_en: str
    number: str = ""
    year: int | None = None

    def cite(self, lang: str = "zh") -> str:
        """Citation in ``lang``: 《…》（国卫医发〔2020〕19号） or "… (Guo Wei Yi Fa [2020] No. 19)"."""
        if is_en(lang):
            return f"{self.title_en} ({self.number_en})" if self.number else self.title_en
        title = self.title_zh if self.title_zh.startswith("《") else f"《{self.title_zh}》"
        return f"{title}（{self.number}）" if self.number else title

    @property
    def number_en(self) -> str:
        """The 文号 in Latin letters, e.g. 国卫医发〔2020〕19号 → "NHC document [2020] No. 19"."""
        n = self.number
        if "〔" in n and "〕" in n and n.endswith("号"):
            year = n[n.index("〔") + 1 : n.index("〕")]
            no = n[n.index("〕") + 1 : -1]
            return f"document [{year}] No. {no}"
        return n


@dataclass(frozen=True)
class Source:
    """Where a default or a standard comes from: a document (or none), what it says, and the grade."""

    grade: Grade
    document: Document | None = None
    note: Text | None = None  # what the source says or how the figure is derived

    def cite(self, lang: str = "zh") -> str:
        """The source in ``lang``: grade, document and note, e.g. ``A级：官方文件；《…》（…）``."""
        parts = [GRADE_NAMES[self.grade][1 if is_en(lang) else 0]]
        if self.document is not None:
            parts.append(self.document.cite(lang))
        if self.note is not None:
            parts.append(self.note(lang))
        return ("; " if is_en(lang) else "；").join(parts)
