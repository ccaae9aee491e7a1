"""``impact comparer``: the comparison report published like the bilan, from its notebook."""

from __future__ import annotations

import html
import re
import subprocess
import zipfile

import pandas as pd
from pypdf import PdfReader

from tests.conftest import IMPACT
from tests.layout import chromium, docx_problems, page_width, pdf_problems, soffice, word_pages


def test_comparison_report_in_three_formats(tmp_path):
    """The comparison in HTML, Word and PDF: its sections, and pages a reader can use (A4, no figure
    running into the next cell, the Word template, no sideways scrolling on a phone)."""
    data, out = tmp_path / "donnees", tmp_path / "sortie"
    subprocess.run([IMPACT, "demo", data, "--territoires", "4", "--annees", "2021-2024", "--echelle", "2"], check=True, capture_output=True)
    done = subprocess.run([IMPACT, "comparer", data, "--annee", "2024", "--out", out], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    folder = out / "2024" / "comparaison"
    assert sorted(p.name for p in folder.iterdir()) == ["comparaison.docx", "comparaison.html", "comparaison.ipynb", "comparaison.pdf",
                                                        "indicateurs.csv", "metadonnees.json"]
    page = (folder / "comparaison.html").read_text(encoding="utf-8")
    # pandoc writes typographic apostrophes and wraps lines; narrow no-break spaces stay (thousands)
    text = re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u2019", "'"))
    # side by side (transposed to fit the page), publics, standardised rates, changes; funnel, ranked
    # bars, small trends (the file hashes are in metadonnees.json)
    assert len(re.findall(r"<table", page)) == 4 and len(re.findall(r"<img", page)) == 3
    assert "Graphique en entonnoir, sortants de 2023 : taux commun" in text and "Holm" in text and "Firth" in text
    assert "dernière cohorte complète, les personnes sorties en 2023" in text  # 2024's leavers are not all observable
    assert "standardisé sur les caractéristiques observées" in text and "corrigé de la composition" not in text
    for territory in ("Val d'Argent", "Côte d'Opale Sud", "Pays des Trois Lacs", "Plaine de l'Ouest"):
        assert territory in text
    published = pd.read_csv(folder / "indicateurs.csv", dtype=str, keep_default_na=False)
    hours = published.loc[(published["territoire"] == "Val d'Argent") & (published["indicateur"] == "heures") & (published["dimension"] == "ensemble"), "valeur"].iloc[0]
    assert hours == "s" or f"{float(hours):,.0f}".replace(",", "\u202f") in text  # hours to the unit in reports
    for marker in ("import ", "comparaison.prepare", "dossier =", "# Parameters"):
        assert marker not in text
    with zipfile.ZipFile(folder / "comparaison.docx") as archive:
        assert archive.read("word/document.xml").decode("utf-8").count("<w:tbl>") == 4
    assert "Comparaison des territoires" in PdfReader(folder / "comparaison.pdf").pages[0].extract_text()
    assert pdf_problems(folder / "comparaison.pdf") == []
    assert docx_problems(folder / "comparaison.docx") == []
    if soffice():  # the Word pages as a word processor lays them out (CI installs LibreOffice; see test_bilan)
        assert pdf_problems(word_pages(folder / "comparaison.docx", tmp_path)) == []
    if chromium():
        scroll, window = page_width(folder / "comparaison.html", 390, tmp_path)
        assert scroll <= window, f"390 px : page large de {scroll} px"
