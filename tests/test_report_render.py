"""appendix.docx as a reviewer sees it: rendered to PDF by LibreOffice (headless, a real subprocess), then the PDF's
pages are checked — A4 everywhere, the plan-level list on a portrait page, the wide tables on landscape pages, the
page count, the Chinese text present as text (the bundled CJK font embedded, not boxes) and no English words.

Skips, with the reason, when LibreOffice (``soffice``) is not installed; CI installs ``libreoffice-writer``
(``.ci/run``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report_fixtures import make_instance, make_plan

from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.appendix import appendix_tables, appendix_to_docx
from healthplan.reports.config import ReportConfig
from healthplan.reports.fonts import font_path
from healthplan.reports.summary import summary_dict

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install "
                                   "libreoffice-writer (.ci/run does) to render the DOCX to PDF")
A4_PT = (595.3, 841.9)  # 210 × 297 mm in PDF points
OPT = OptimizerConfig()


def render_pdf(docx: Path, workdir: Path) -> bytes:
    """``docx`` converted by LibreOffice headless; its own profile folder and a fontconfig file that adds the
    bundled CJK font (the machine may have none), so the PDF shows what a reader with a Chinese font sees."""
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{font_path().parent}</dir>\n  <cachedir>{workdir / 'fc-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(workdir)}
    proc = subprocess.run(
        [str(SOFFICE), "--headless", "--norestore", f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(workdir), str(docx)],
        env=env, capture_output=True, text=True, timeout=240, check=False)
    pdf = workdir / (docx.stem + ".pdf")
    assert proc.returncode == 0 and pdf.is_file(), f"LibreOffice failed: {proc.stdout}\n{proc.stderr}"
    return pdf.read_bytes()


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page, in file order (LibreOffice writes one page object per page)."""
    sizes = []
    for body in re.findall(rb"\d+ 0 obj(.*?)endobj", pdf, flags=re.S):
        if re.search(rb"/Type\s*/Page(?![a-zA-Z])", body):
            box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", body)
            assert box, "a page without its own MediaBox"
            x0, y0, x1, y1 = (float(v) for v in box.groups())
            sizes.append((x1 - x0, y1 - y0))
    return sizes


def is_a4(size: tuple[float, float]) -> bool:
    return sorted(round(v, 1) for v in size) == sorted(A4_PT)


def pdf_text(pdf_path: Path) -> str | None:
    """The PDF's text by pdftotext (poppler-utils), or None when pdftotext is not installed."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    return subprocess.run([tool, "-layout", str(pdf_path), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout


@pytest.fixture(scope="module")
def fixture_pdf(tmp_path_factory):
    """The four-kind fixture plan's appendix.docx (Chinese) rendered to PDF."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    tmp = tmp_path_factory.mktemp("render")
    inst = make_instance()
    plan = make_plan(inst)
    report = ReportConfig(county="示范县")
    summary = summary_dict(inst, plan, timings={}, scenario_name="t", opt=OPT, report=report)
    tables = appendix_tables(inst, plan, summary, report=report, opt=OPT)
    docx = tmp / "appendix.docx"
    appendix_to_docx(docx, tables, title="示范县规划", lang="zh")
    return tmp / "out" / "appendix.pdf", render_pdf(docx, tmp / "out")


@needs_soffice
def test_every_page_is_a4_list_portrait_and_wide_tables_landscape(fixture_pdf):
    _, pdf = fixture_pdf
    sizes = page_sizes(pdf)
    assert sizes and all(is_a4(s) for s in sizes), sizes
    portrait = [w < h for w, h in sizes]
    runs = [p for i, p in enumerate(portrait) if i == 0 or p != portrait[i - 1]]
    # 重点项目清单 (portrait) · 附表1 per-site list (landscape) · 附表2 investment (portrait) · 附表3 standards and
    # 附表4 townships (landscape): each table starts its own section
    assert runs == [True, False, True, False], sizes
    assert portrait[0] and not portrait[1]
    assert 5 <= len(sizes) <= 7, len(sizes)  # five projects: about a page a table (6 when measured)


@needs_soffice
def test_chinese_text_is_text_in_the_bundled_font_with_no_english_words(fixture_pdf):
    path, pdf = fixture_pdf
    assert b"WenQuanYi" in pdf  # the CJK glyphs come from a real font, embedded (no boxes)
    text = pdf_text(path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the text check needs it")
    for words in ("重点项目清单", "附表1", "附表2", "附表3", "附表4", "责任单位", "资金来源", "依据", "— 1 —"):
        assert words.replace(" ", "") in text.replace(" ", ""), words
    english = re.findall(r"[A-Za-z]{3,}", text)
    assert not english, english  # no English, no file names, no internal codes in the Chinese document
