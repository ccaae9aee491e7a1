"""The publisher's logo (``publication.toml``, key ``logo``) on the first page of the bilan, the
comparison and the consolidation, in HTML, Word and PDF; and the caption words of every format."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import docx as python_docx
import matplotlib
import pandas as pd
import pdfplumber
import pytest

from tests.conftest import IMPACT
from tests.layout import chromium, html_pages

matplotlib.use("Agg")
PUBLISHER = "Maison de l'emploi du Val"
ALT = f"Logo de {PUBLISHER}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _logo(folder: Path, suffix: str) -> Path:
    """A logo drawn by matplotlib: a filled square beside the word LOGO, 3 by 1 inches."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(3, 1))
    axes.add_patch(plt.Rectangle((0.02, 0.1), 0.25, 0.8, color="#2e5a6b"))
    axes.text(0.35, 0.5, "LOGO", va="center", fontsize=30)
    axes.axis("off")
    path = folder / f"logo{suffix}"
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _publication(folder: Path, logo: str) -> None:
    (folder / "publication.toml").write_text(f'editeur = "{PUBLISHER}"\nlogo = "{logo}"\n', encoding="utf-8")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The three reports of a small demo, with a PNG logo (bilan), an SVG one (comparison) and a
    JPEG one beside the consolidation's output (consolidation)."""
    root = tmp_path_factory.mktemp("logo")
    data = root / "donnees"
    subprocess.run([IMPACT, "demo", data, "--territoires", "2", "--annees", "2023-2024"], check=True, capture_output=True)
    (data / "images").mkdir()
    _logo(data / "images", ".png")
    _logo(data / "images", ".svg")
    _publication(data, "images/logo.png")
    done = subprocess.run([IMPACT, "bilan", data, "--annee", "2024", "--territoire", "ensemble", "--out", root / "s"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    _publication(data, "images/logo.svg")
    done = subprocess.run([IMPACT, "comparer", data, "--annee", "2024", "--out", root / "s", "--date-publication", "2025-03-01"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    subprocess.run([IMPACT, "indicateurs", data, "--out", root / "i"], check=True, capture_output=True)
    table = pd.read_csv(root / "i" / "indicateurs_interne_NON_DIFFUSABLE.csv", comment="#", dtype=str, keep_default_na=False)
    returns = []
    for territory, rows in table.loc[table["territoire"] != "ensemble"].groupby("territoire"):
        returns.append(root / f"{territory}.csv")
        rows.to_csv(returns[-1], index=False)
    (root / "c").mkdir()
    _logo(root / "c", ".jpg")
    _publication(root / "c", "logo.jpg")
    done = subprocess.run([IMPACT, "consolider", *returns, "--out", root / "c", "--date-publication", "2025-03-01"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return {"bilan": (root / "s" / "2024" / "ensemble" / "bilan", "png"),
            "comparaison": (root / "s" / "2024" / "comparaison" / "comparaison", "svg+xml"),
            "consolidation": (root / "c" / "2024" / "rapport" / "consolidation", "jpeg")}


@pytest.mark.parametrize("report", ["bilan", "comparaison", "consolidation"])
def test_logo_heads_the_first_page_in_every_format(reports, report):
    stem, kind = reports[report]
    # HTML: before the title block, embedded (the file stands alone), its alt text naming the publisher.
    page = stem.with_suffix(".html").read_text(encoding="utf-8")
    logo = re.search(r'<div class="logo">\s*<p><img [^>]*src="data:image/([a-z+]+);base64,[^"]+"[^>]*alt="([^"]+)"', page)
    assert logo and logo.group(1) == kind and logo.group(2).replace("&#39;", "'") == ALT
    assert logo.start() < page.index('<header id="title-block-header">')
    # Word: a picture in the title paragraph, above the title, described; the title property is the title alone.
    document = python_docx.Document(str(stem.with_suffix(".docx")))
    title = document.paragraphs[0]
    assert title.style.name == "Title" and title._p.xpath(".//w:drawing") and title.text.strip().startswith(("Bilan", "Comparaison", "Consolidation"))
    assert title._p.xpath(".//wp:docPr/@descr") == [ALT]
    assert document.core_properties.title == title.text.strip()
    # PDF: page 1 holds the logo above the title: a picture for PNG and JPEG, vector paths for SVG.
    with pdfplumber.open(stem.with_suffix(".pdf")) as pdf:
        first = pdf.pages[0]
        title_top = min(w["top"] for w in first.extract_words() if w["text"] in ("Bilan", "Comparaison", "Consolidation"))
        drawn = first.images if kind != "svg+xml" else first.curves + first.rects
        assert [shape for shape in drawn if shape["bottom"] <= title_top], "pas de logo au-dessus du titre"


@pytest.mark.parametrize("report", ["comparaison", "consolidation"])
def test_publication_date_of_the_option_printed_and_recorded(reports, report):
    stem, _ = reports[report]
    assert "Publié le 1er mars 2025" in stem.with_suffix(".html").read_text(encoding="utf-8")
    assert json.loads((stem.parent / "metadonnees.json").read_text(encoding="utf-8"))["parametres"]["date_publication"] == "2025-03-01"


def test_captions_read_graphique_and_tableau_in_word_pdf_and_html(reports, tmp_path):
    """The INSEE words: ``Tableau n – `` and ``Graphique n – `` in the PDF, in Word, whose numbering
    fields are named after them, and in the HTML (numbered by its style sheet, printed by Chromium)."""
    stem, _ = reports["bilan"]
    document = python_docx.Document(str(stem.with_suffix(".docx")))
    fields = [f.get(f"{W}instr") for f in document.element.body.iter(f"{W}fldSimple")]
    assert fields and {f.split()[1] for f in fields if f.startswith("SEQ")} == {"Tableau", "Graphique"}
    # every run's text, the numbers of the fields too (python-docx's Paragraph.text leaves them out)
    captions = ["".join(t.text for t in p._p.iter(f"{W}t")) for p in document.paragraphs if p.style.name in ("Table Caption", "Image Caption")]
    assert captions[0].startswith("Tableau\u00a01\u00a0– ") and any(c.startswith("Graphique\u00a01\u00a0– ") for c in captions)
    assert not [c for c in captions if re.match(r"(Figure|Table)\b", c)]
    with pdfplumber.open(stem.with_suffix(".pdf")) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
    assert re.search(r"Tableau 1 – ", text) and re.search(r"Graphique 1 – ", text) and not re.search(r"\bFigure \d", text)
    # the captions in the PDF, in order: the same numbers and words in Word and in the HTML
    numbered = re.findall(r"((?:Tableau|Graphique) \d+) – (\S+)", text)
    assert [c.replace("\u00a0", " ").split(" – ")[0] for c in captions] == [n for n, _ in numbered]
    if chromium() or os.environ.get("CI"):
        with pdfplumber.open(html_pages(stem.with_suffix(".html"), tmp_path)) as pdf:
            printed = "\n".join(page.extract_text() for page in pdf.pages)
        assert re.findall(r"((?:Tableau|Graphique) \d+) – (\S+)", printed) == numbered


@pytest.mark.parametrize("logo, content, message", [
    ("absent.png", None, "fichier « {path} » introuvable"),
    ("casse.png", b"\x89PNG\r\n\x1a\n tronque", "image « {path} » illisible"),
    ("logo.gif", b"GIF89a", "« {path} » n'est pas une image PNG, JPEG ou SVG"),
])
def test_missing_or_unreadable_logo_is_a_french_error_and_nothing_is_written(tmp_path, run_cli, logo, content, message):
    data = tmp_path / "d"
    subprocess.run([IMPACT, "demo", data, "--territoires", "2", "--annees", "2023-2024"], check=True, capture_output=True)
    if content is not None:
        (data / logo).write_bytes(content)
    _publication(data, logo)
    for command in (["bilan", data, "--annee", "2024", "--territoire", "ensemble"], ["comparer", data, "--annee", "2024"]):
        status, out, err = run_cli(*command, "--out", tmp_path / "s")
        assert status == 2 and "Traceback" not in out + err
        assert f"publication.toml, clé logo : {message.format(path=data / logo)}" in err
        assert not (tmp_path / "s").exists()
