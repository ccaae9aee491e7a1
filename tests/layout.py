"""Checks of the published pages as a reader sees them: PDF pages (pdfplumber word boxes), the
HTML in headless Chromium at a phone's and a desktop's width, the Word file (python-docx)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

A4 = (595.28, 841.89)  # points


def pdf_problems(pdf: Path) -> list[str]:
    """What is wrong with the pages of ``pdf``: a page that is not A4 (in portrait, or in landscape
    for a wide table), a word outside its page, two words that overprint each other (digits
    running into the next cell)."""
    import pdfplumber

    problems = []
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, 1):
            if not any(abs(page.width - w) <= 1 and abs(page.height - h) <= 1 for w, h in (A4, A4[::-1])):
                problems.append(f"page {number} : {page.width:.0f} x {page.height:.0f} pt, pas A4")
            words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
            if not words:
                continue
            boxes = np.array([[w["x0"], w["top"], w["x1"], w["bottom"]] for w in words])
            outside = (boxes[:, 0] < 0) | (boxes[:, 1] < 0) | (boxes[:, 2] > page.width) | (boxes[:, 3] > page.height)
            problems += [f"page {number} : « {words[i]['text']} » hors de la page" for i in np.flatnonzero(outside)]
            # Overlap of two boxes by more than a sliver in both directions (0,5 pt).
            width = np.minimum(boxes[:, None, 2], boxes[None, :, 2]) - np.maximum(boxes[:, None, 0], boxes[None, :, 0])
            height = np.minimum(boxes[:, None, 3], boxes[None, :, 3]) - np.maximum(boxes[:, None, 1], boxes[None, :, 1])
            overlap = np.triu((width > 0.5) & (height > 0.5), k=1)
            problems += [f"page {number} : « {words[i]['text']} » chevauche « {words[j]['text']} »" for i, j in zip(*np.nonzero(overlap))]
    return problems


def pdf_page_text(pdf: Path, number: int = 1) -> str:
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return document.pages[number - 1].extract_text() or ""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _browser(arguments: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'profil'}", "--hide-scrollbars", *arguments],
                          check=True, capture_output=True, text=True, timeout=120)


def page_width(html: Path, width: int, tmp_path: Path) -> tuple[int, int]:
    """The page's scroll width and its viewport's width when ``html`` is shown ``width`` px wide: a
    scroll width above the viewport means the reader has to scroll the whole page sideways. The
    page is shown in a frame of that width (headless Chromium keeps its window at least 500 px
    wide), so that its media queries and viewport units see a phone's width."""
    copy = tmp_path / f"page-{width}.html"
    shutil.copy(html, copy)
    probe = tmp_path / f"largeur-{width}.html"
    probe.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe id="page" src="{copy.name}" style="width:{width}px;height:900px;border:0">'
        "</iframe><script>addEventListener('load', () => { const page = document.getElementById('page').contentDocument.documentElement; "
        "document.body.setAttribute('data-largeur', page.scrollWidth); document.body.setAttribute('data-fenetre', page.clientWidth); });"
        "</script></body></html>", encoding="utf-8")
    dom = _browser(["--allow-file-access-from-files", "--window-size=1400,1000", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                   tmp_path).stdout
    found = re.search(r'data-largeur="(\d+)" data-fenetre="(\d+)"', dom)
    assert found, "mesure de largeur absente du DOM"
    return int(found.group(1)), int(found.group(2))


def html_pages(html: Path, folder: Path) -> Path:
    """The HTML page printed to PDF by headless Chromium (its generated content, such as the
    caption numbers of ``bilan.css``, becomes text)."""
    target = folder / html.with_suffix(".pdf").name
    _browser(["--no-pdf-header-footer", f"--print-to-pdf={target}", html.as_uri()], folder)
    return target


def screenshot(html: Path, width: int, height: int, target: Path, tmp_path: Path) -> Path:
    _browser([f"--window-size={width},{height}", f"--screenshot={target}", html.as_uri()], tmp_path)
    return target


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def word_pages(docx: Path, folder: Path) -> Path:
    """The Word file's pages as a reader sees them: converted to PDF by LibreOffice (headless, its
    own profile in ``folder``), which lays them out as a word processor does."""
    subprocess.run([soffice(), f"-env:UserInstallation={(folder / 'profil-libreoffice').as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(docx)], check=True, capture_output=True, text=True, timeout=300)
    return folder / docx.with_suffix(".pdf").name


def docx_problems(docx: Path) -> list[str]:
    """What the Word file lacks: Heading 1, a table of contents field, page number fields in the
    footer, caption numbering fields, an A4 section, table text at most 10 pt, rows that do not
    split."""
    import docx as python_docx
    from docx.shared import Pt

    document = python_docx.Document(str(docx))
    problems = []
    xml = document.element.xml
    if not any(p.style.name == "Heading 1" for p in document.paragraphs):
        problems.append("aucun Titre 1")
    if not re.search(r"<w:instrText[^>]*>\s*TOC\b", xml):
        problems.append("pas de champ TOC (table des matières)")
    footer = document.sections[0].footer._element.xml
    if " PAGE " not in footer:
        problems.append("pas de champ PAGE dans le pied de page")
    if not re.search(r'w:instr="SEQ (Tableau|Graphique)', xml):
        problems.append("pas de champ SEQ de légende numérotée")
    section = document.sections[0]
    size = (section.page_width.cm, section.page_height.cm) if section.page_width and section.page_height else None
    if size is None or abs(size[0] - 21) > 0.05 or abs(size[1] - 29.7) > 0.05:
        problems.append(f"format de page {size} : pas A4")
    styles = {s.name: s for s in document.styles}
    for name in ("Compact", "Table"):
        size = styles[name].font.size
        if size is None or size > Pt(10):
            problems.append(f"style {name} : {size.pt if size else 'taille héritée'} pt")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for table in document.tables:
        for row in table.rows:
            if row._tr.trPr is None or row._tr.trPr.find(f"{w}cantSplit") is None:
                problems.append("une ligne de tableau peut se couper entre deux pages")
                break
        if any(p._p.pPr is None or p._p.pPr.find(f"{w}keepNext") is None for row in table.rows[:-1] for cell in row.cells
               for p in cell.paragraphs):
            problems.append("un tableau peut se couper entre deux pages alors qu'il tient sur une")
    return problems
