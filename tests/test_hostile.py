"""Hostile data (issue 14): payloads in every free-text column of the demo and in the dataset
folder's name go through validation, the bilans, the comparison and the consolidation. Every
HTML report parsed holds no script, no event handler and no ``javascript:`` URL; Chromium loads
it and runs nothing; the Word and PDF files show the text literally; the console shows no
control character; the spreadsheet files hold no formula."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from impact.output import slug
from tests.conftest import IMPACT

#: The demo's territories and what they become. The script payloads set an attribute when they
#: run, so that a browser that ran them shows it in its DOM.
TERRITORIES = {
    "Val d'Argent": "<script>document.body.setAttribute('data-pirate','1');alert(1)</script><img src=x onerror=alert(2)> Argent",
    "Côte d'Opale Sud": "[Opale](javascript:alert(3)) @cite $\\frac{1}{$ #titre *gras* _it_ ~sub~ ^sup^ \\textbf{x} <Nord>",
    "Pays des Trois Lacs": "=1+1 \"Lacs\" \x1b[31mrouge\x1b[0m \u202eenrev\u202c",
    "Plaine de l'Ouest": "Plaine" + " tres long nom" * 715,
}
#: What the other free-text columns receive, in turn.
PAYLOADS = ["+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "=HYPERLINK(\"http://x\")", "<b onmouseover=alert(4)>gras</b>",
            "a\rb", "ligne\x1b[2J", "#set page(width: 1cm)", "[lien](http://hameçon.example)", "\u202egnol"]
FOLDER = "<img src=x onerror=alert(9)>"


class _Audit(HTMLParser):
    """Collects script elements, event-handler attributes and script URLs of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"{tag} {name}")
            if value and re.match(r"\s*(javascript|vbscript|data:text/html)", value, re.I):
                self.found.append(f"{tag} {name}={value[:40]}")


def _audit(page: Path) -> list[str]:
    parser = _Audit()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def _hostile_dataset(root: Path) -> Path:
    source = root / "demo"
    subprocess.run([IMPACT, "demo", source, "--territoires", "4", "--annees", "2022-2024"], check=True, capture_output=True)
    folder = root / FOLDER
    folder.mkdir()
    turn = iter(PAYLOADS * 1000)
    for path in source.glob("*.csv"):
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for column in ("territoire",):
            if column in frame:
                frame[column] = frame[column].map(lambda v: TERRITORIES.get(v, v))
        for column in ("nom", "intitule", "raison_sociale", "region"):
            if column in frame:
                frame[column] = [next(turn) for _ in range(len(frame))]
        (folder / path.name).write_text(frame.to_csv(sep=";", index=False, lineterminator="\n", quoting=csv.QUOTE_ALL), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data, out = _hostile_dataset(root), root / "sortie"
    runs = {"valider": subprocess.run([IMPACT, "valider", data, "--rapport", root / "validation.csv"], capture_output=True, text=True),
            "bilan": subprocess.run([IMPACT, "bilan", data, "--annee", "2024", "--tous-territoires", "--out", out, "--processus", "2"],
                                    capture_output=True, text=True),
            "comparer": subprocess.run([IMPACT, "comparer", data, "--annee", "2024", "--out", out], capture_output=True, text=True)}
    runs["consolider"] = subprocess.run([IMPACT, "consolider", out / "2024" / "indicateurs" / "indicateurs.csv", "--out", root / "national",
                                         "--formats", "html,docx,pdf"], capture_output=True, text=True)
    return root, out, runs


def _reports(root: Path, out: Path) -> list[Path]:
    folders = [out / "2024" / slug(t) for t in TERRITORIES.values()] + [out / "2024" / "ensemble", out / "2024" / "comparaison",
                                                                         root / "national" / "2024" / "rapport"]
    return [next(folder.glob("*.html")) for folder in folders]


def test_every_command_succeeds_and_the_console_shows_no_control_character(hostile):
    root, out, runs = hostile
    for name, done in runs.items():
        assert done.returncode == 0, (name, done.stdout[-2000:], done.stderr[-2000:])
        for text in (done.stdout, done.stderr):
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text), name
    messages = runs["valider"].stdout
    assert "\\x1b[31mrouge" in messages and "\\u202eenrev" in messages  # shown, not acted on
    assert "commence comme une formule de tableur" in messages and "contient du balisage" in messages


def test_html_reports_hold_no_script_handler_or_script_url(hostile):
    root, out, _ = hostile
    pages = _reports(root, out)
    assert len(pages) == 7
    for page in pages:
        assert _audit(page) == [], page
    text = pages[0].read_text(encoding="utf-8")
    assert "&lt;script&gt;document.body.setAttribute" in text and "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "Source : dossier « &lt;img src=x onerror=alert(9)&gt; »" in re.sub(r"\s+", " ", text)
    assert str(root) not in text  # the folder's name, never its path
    for notebook in [*out.rglob("*.ipynb"), *(root / "national").rglob("*.ipynb")]:
        assert str(root) not in notebook.read_text(encoding="utf-8"), notebook
    opale = _reports(root, out)[1].read_text(encoding="utf-8")
    assert "[Opale](javascript:alert(3)) @cite $\\frac{1}{$ #titre *gras* _it_ ~sub~ ^sup^ \\textbf{x} &lt;Nord&gt;" in re.sub(r"\s+", " ", opale)


def test_word_and_pdf_show_the_text_literally(hostile):
    root, out, _ = hostile
    for page in _reports(root, out)[:2] + _reports(root, out)[-2:-1]:
        with zipfile.ZipFile(page.with_suffix(".docx")) as archive:
            document = archive.read("word/document.xml").decode("utf-8")
        pdf = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(page.with_suffix(".pdf")).pages))
        if page.parent.name == slug(TERRITORIES["Val d'Argent"]):
            assert "&lt;script&gt;document.body.setAttribute" in document
            assert "<script>document.body.setAttribute('data-pirate','1');alert(1)</script>" in pdf.replace("’", "'")
        if page.parent.name == slug(TERRITORIES["Côte d'Opale Sud"]):
            assert "[Opale](javascript:alert(3)) @cite $\\frac{1}{$" in document
            assert "[Opale](javascript:alert(3))@cite$\\frac{1}{$#titre*gras*_it_~sub~^sup^\\textbf{x}<Nord>" in pdf
        with zipfile.ZipFile(page.with_suffix(".docx")) as archive:
            relations = archive.read("word/_rels/document.xml.rels").decode("utf-8")
        assert "javascript" not in relations and "hameçon" not in relations


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium absent (CI l'installe)")
def test_chromium_runs_nothing(hostile, tmp_path):
    """The pages as a browser leaves them after their scripts would have run: the payload that
    marks the page when it runs is there as text, and the mark is absent."""
    root, out, _ = hostile
    for page in _reports(root, out):
        done = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                               "--disable-background-networking", f"--user-data-dir={tmp_path / 'profil'}", "--dump-dom",
                               "--virtual-time-budget=2000", page.as_uri()], capture_output=True, text=True, timeout=120)
        assert "</html>" in done.stdout, done.stderr[-500:]
        assert "data-pirate=" not in done.stdout
        if page.parent.name in ("comparaison", "rapport", slug(TERRITORIES["Val d'Argent"])):
            assert "&lt;script&gt;document.body.setAttribute('data-pirate','1')" in done.stdout


def test_workbooks_hold_no_formula(hostile):
    """``indicateurs.xlsx`` beside each ``indicateurs.csv``: the territory ``=1+1 ...`` is a string
    cell (its escape characters kept as Office escapes), numbers are numbers, and no cell is a formula."""
    from openpyxl import load_workbook

    root, out, _ = hostile
    for path in (out / "2024" / "indicateurs" / "indicateurs.xlsx", root / "national" / "indicateurs.xlsx"):
        rows = list(load_workbook(path).active.iter_rows())
        assert {c.data_type for row in rows for c in row} == {"s", "n"}
        names = {row[1].value for row in rows}
        # escape characters, which XML cannot hold, written as Office escapes (Excel shows them decoded)
        assert '=1+1 "Lacs" _x001B_[31mrouge_x001B_[0m \u202eenrev\u202c' in names
    published = pd.read_csv(out / "2024" / "indicateurs" / "indicateurs.csv", dtype=str, keep_default_na=False)
    assert TERRITORIES["Pays des Trois Lacs"] in set(published["territoire"])  # the machine contract keeps the value
