"""The bundled CJK font: WenQuanYi Micro Hei from PyPI (``paperang-p2-fonts-cjk``), registered in matplotlib.

Chinese map labels must never depend on the fonts of the machine that draws them, so the project installs its
font from PyPI. ``paperang-p2-fonts-cjk`` (2.3 MB wheel) ships WenQuanYi Micro Hei 0.2.0-beta (文泉驿微米黑;
Apache License 2.0 per the font's own name table; 34,600 code points including all 6,763 GB 2312 hanzi). It
was chosen over Noto Sans SC (``pylopdf-fonts-zh-cn``, 17 MB) because its TrueType outlines embed in PDFs as
proper CID TrueType fonts with ``pdf.fonttype = 42``; matplotlib writes Noto's CFF outlines as ``FontFile2``,
which PDF readers flag as a font-type mismatch. This module finds the file through ``importlib.resources``,
registers it with matplotlib's font manager once, and checks that labels have glyphs.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthplan.geodata.errors import HealthplanError

if TYPE_CHECKING:
    from matplotlib import font_manager

FONT_PACKAGE = "paperang_p2_fonts_cjk"  # PyPI: paperang-p2-fonts-cjk (pyproject dependency)
# WenQuanYi Micro Hei, Apache-2.0; face 0 = proportional (face 1 is Mono).
FONT_FILE = "fonts/wqy-microhei.ttc"
FONT_PIP_NAME = "paperang-p2-fonts-cjk"


class FontMissingError(HealthplanError):
    """The bundled CJK font package is not installed."""


@cache
def font_path() -> Path:
    """Path of the bundled WenQuanYi Micro Hei file inside its installed package.

    Raises
    ------
    FontMissingError
        When ``paperang-p2-fonts-cjk`` is not installed (``pip install -e .`` installs it).
    """
    try:
        res = importlib.resources.files(FONT_PACKAGE).joinpath(FONT_FILE)
    except ModuleNotFoundError as exc:
        msg = (
            f"the CJK font package '{FONT_PACKAGE}' is not installed, so Chinese map labels cannot be drawn; "
            f"fix: pip install {FONT_PIP_NAME} (or reinstall healthplan: pip install -e .)"
        )
        raise FontMissingError(msg) from exc
    path = Path(str(res))
    if not path.is_file():
        msg = (
            f"the CJK font file {path} is missing from package '{FONT_PACKAGE}'; "
            f"fix: reinstall {FONT_PIP_NAME}"
        )
        raise FontMissingError(msg)
    return path


@cache
def _register() -> str:
    # addfont is idempotent per process only by convention: cache so the list of fonts does not grow per map.
    from matplotlib import font_manager  # here: finding the font file and checking glyphs need no matplotlib

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def font_name() -> str:
    """Family name of the bundled font in matplotlib (``'WenQuanYi Micro Hei'``), registering it first."""
    return _register()


def cjk_font(size: float | None = None) -> font_manager.FontProperties:
    """The bundled CJK font, registered with matplotlib; pass as ``fontproperties=`` or use :func:`rc_params`.

    Parameters
    ----------
    size
        Font size in points; ``None`` keeps matplotlib's default.
    """
    from matplotlib import font_manager

    return font_manager.FontProperties(family=font_name(), size=size)


def rc_params() -> dict[str, Any]:
    """Matplotlib rc settings that make every text of a figure use the bundled font and embed it in PDFs.

    ``pdf.fonttype = 42`` embeds the (subset) font as CID TrueType instead of Type 3 outlines, so Chinese text
    in
    the PDF stays selectable and searchable; the minus sign is drawn as a hyphen (ASCII) for plain-text
    copying.
    """
    return {
        "font.family": [font_name()],
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "axes.unicode_minus": False,
        "svg.fonttype": "none",
    }


@cache
def _cmap() -> frozenset[int]:
    """Code points of the bundled font (face 0). In a process that has matplotlib (a map worker) its FreeType
    reads them in ≈ 3 ms; elsewhere fontTools does, in ≈ 90 ms, so that a check imports no matplotlib."""
    import sys

    if "matplotlib" in sys.modules:
        from matplotlib.ft2font import FT2Font

        return frozenset(FT2Font(str(font_path())).get_charmap())
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path()), lazy=True, fontNumber=0) as tt:
        return frozenset(tt.getBestCmap())


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` the bundled font has no glyph for (whitespace and control characters aside)."""
    cmap = _cmap()
    return {ch for ch in str(text) if not ch.isspace() and ch.isprintable() and ord(ch) not in cmap}


def resolved_font_file(props: font_manager.FontProperties) -> Path:
    """The font file matplotlib picks for ``props`` (what a Text with these properties is drawn with)."""
    from matplotlib import font_manager

    return Path(font_manager.findfont(props, fallback_to_default=False))
