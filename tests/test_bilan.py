"""The annual bilan, rendered for real: papermill, pandoc and Typst (Quarto is not installed here;
the same Markdown goes to ``quarto render`` when it is)."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from impact.batch import Job, run_all, split_by_territory
from impact.bilan import KEY_FIGURES
from impact.formatting import french_number, french_percent
from tests.conftest import IMPACT
from tests.layout import docx_problems, page_width, pdf_page_text, pdf_problems, soffice, word_pages

CODE_MARKERS = ["import ", "bilan.prepare", "rapport =", "dossier =", "# Parameters", "territoire =", "from impact"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Three territories and ``ensemble``, every format, through the command line."""
    root = tmp_path_factory.mktemp("bilan")
    subprocess.run([IMPACT, "demo", root / "donnees", "--territoires", "3", "--annees", "2021-2024"], check=True, capture_output=True)
    done = subprocess.run([IMPACT, "bilan", root / "donnees", "--annee", "2024", "--tous-territoires", "--out", root / "sortie"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return root, done


def _report(batch, name="val-d-argent") -> Path:
    return batch[0] / "sortie" / "2024" / name


def _published(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "indicateurs.csv", dtype=str, keep_default_na=False)


def _key_figures(folder: Path) -> dict[str, str]:
    """Each count and hour figure of the key figures table, in French format, from indicateurs.csv."""
    rows = _published(folder)
    totals = rows.loc[rows["dimension"] == "ensemble"].set_index("indicateur")
    return {code: (french_percent(float(totals.loc[code, "valeur"]), 1, fixed=True) if style == "percent"
                   else french_number(float(totals.loc[code, "valeur"]), 1 if code == "etp" else 0, fixed=True))
            for code, _, style in KEY_FIGURES if totals.loc[code, "valeur"] not in ("", "s")}


def _html_text(folder: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", (folder / "bilan.html").read_text(encoding="utf-8")))


def test_every_report_is_published_whole(batch):
    root, done = batch
    year = root / "sortie" / "2024"
    folders = sorted(p.name for p in year.iterdir() if not p.name.startswith("."))
    assert folders == ["cote-d-opale-sud", "ensemble", "indicateurs", "pays-des-trois-lacs", "val-d-argent"]
    for name in ("cote-d-opale-sud", "ensemble", "pays-des-trois-lacs", "val-d-argent"):
        assert sorted(p.name for p in (year / name).iterdir()) == ["bilan.docx", "bilan.html", "bilan.ipynb", "bilan.pdf", "indicateurs.csv", "metadonnees.json"]
    assert not [p for p in year.iterdir() if p.name.startswith(".")]  # no work folder left behind
    assert "4 bilan(s) produit(s) sur 4" in done.stdout


def test_html_holds_the_key_figures_in_french_format(batch):
    folder = _report(batch)
    text = _html_text(folder)
    figures = _key_figures(folder)
    assert len(figures) >= 12
    for code, shown in figures.items():
        assert shown in text, f"{code} : {shown} absent du HTML"
    assert re.search(r"\d\u202f\d{3}", text)  # thousands with a narrow no-break space
    rows = _published(folder)
    assert set(rows["territoire"]) == {"Val d'Argent"} and set(rows["annee"]) == {"2024"}


def test_html_is_self_contained_with_described_figures(batch):
    # A territory whose outcomes are published (Val d'Argent's 2023 cohort of 15 known situations
    # is masked whole: its rate chart gives way to a sentence).
    page = (_report(batch, "pays-des-trois-lacs") / "bilan.html").read_text(encoding="utf-8")
    images = re.findall(r"<img[^>]*>", page)
    assert len(images) == 3
    assert all('src="data:image/svg+xml;base64,' in image for image in images)  # vector charts
    assert not re.search(r'(src|href)="(?!data:|#)', page)  # nothing fetched from outside
    # pandoc writes the description as the accessible name (alt, or aria-label beside the caption).
    names = [re.search(r'(?:alt|aria-label)="([^"]+)"', image).group(1) for image in images]
    assert [n.split(" ")[0] for n in names] == ["Évolution", "Part", "Taux"] and all(len(n) > 60 for n in names)
    assert re.search(r'<html[^>]* lang="fr"', page)


def test_word_file_holds_real_tables_and_images(batch):
    folder = _report(batch, "pays-des-trois-lacs")
    with zipfile.ZipFile(folder / "bilan.docx") as archive:
        document = archive.read("word/document.xml").decode("utf-8")
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert document.count("<w:tbl>") >= 9  # tables mostly masked give way to one sentence
    assert len(media) == 3
    text = html.unescape(re.sub(r"<[^>]+>", "", document))
    for shown in _key_figures(folder).values():
        assert shown in text
    assert "avec les intervalles à 95\u202f%" in text  # a chart caption keeps « % » with its number


def test_pdf_pages_hold_the_same_figures(batch):
    folder = _report(batch)
    reader = PdfReader(folder / "bilan.pdf")
    assert len(reader.pages) >= 4
    text = "\n".join(page.extract_text() for page in reader.pages)
    for code in ("heures", "contrats", "personnes", "entreprises", "acheteurs"):
        assert _key_figures(folder)[code] in text


def test_no_report_shows_code_or_parameters(batch):
    folder = _report(batch)
    with zipfile.ZipFile(folder / "bilan.docx") as archive:
        docx = html.unescape(re.sub(r"<[^>]+>", "", archive.read("word/document.xml").decode("utf-8")))
    pdf = "\n".join(page.extract_text() for page in PdfReader(folder / "bilan.pdf").pages)
    for text in (_html_text(folder), docx, pdf):
        for marker in CODE_MARKERS:
            assert marker not in text


def test_failing_territory_is_reported_and_the_others_written(batch, tmp_path):
    root, _ = batch
    internal = root / "sortie" / "2024" / "indicateurs" / "indicateurs.csv"
    files = split_by_territory(internal, tmp_path / "decoupe")
    broken = tmp_path / "decoupe" / "atlantide.csv"
    broken.write_text(files["ensemble"].read_text(encoding="utf-8").replace(",ensemble,", ",Atlantide,", 1), encoding="utf-8")
    jobs = [Job(root / "donnees", files["Val d'Argent"], 2024, "Val d'Argent", tmp_path / "sortie", ("html",)),
            Job(root / "donnees", broken, 2024, "Atlantide", tmp_path / "sortie", ("html",))]
    good, bad = run_all(jobs, workers=2)
    assert good.ok and (good.folder / "bilan.html").exists()
    assert not bad.ok and "a échoué" in bad.error
    assert bad.notebook == tmp_path / "sortie" / "2024" / "echecs" / "atlantide.ipynb" and bad.notebook.exists()
    assert "ValueError" in bad.notebook.read_text(encoding="utf-8")  # the error cell is in the kept notebook
    year = tmp_path / "sortie" / "2024"
    assert sorted(p.name for p in year.iterdir()) == ["echecs", "val-d-argent"]


def test_command_refuses_bad_requests(batch, run_cli):
    root, _ = batch
    status, _, err = run_cli("bilan", root / "donnees", "--annee", "2024", "--territoire", "Atlantide", "--out", root / "x")
    assert status == 2 and "territoire « Atlantide » inconnu" in err
    status, _, err = run_cli("bilan", root / "donnees", "--annee", "2024", "--out", root / "x")
    assert status == 2 and "indiquez soit --territoire" in err
    status, _, err = run_cli("bilan", root / "donnees", "--annee", "2024", "--territoire", "ensemble", "--formats", "odt", "--out", root / "x")
    assert status == 2 and "--formats attend" in err
    assert not (root / "x").exists()


PERSON_COLUMNS = {"Personnes", "Employeurs", "Situations connues", "Effectif (dénominateur)"}
PERSON_ROWS = ("Personnes en contrat", "Nouvelles personnes", "Employeurs")


def _small(cell: str, seuil: int = 5) -> bool:
    return cell.strip() in {str(n) for n in range(1, seuil + 1)}


def _unmasked_small_counts(tables: list[list[list[str]]]) -> list[str]:
    """Person or employer counts from 1 to 5 in report tables (first row: the header)."""
    found = []
    for table in tables:
        header, *rows = table
        columns = [i for i, name in enumerate(header) if name.strip() in PERSON_COLUMNS]
        for row in rows:
            cells = row[1:] if row[0].strip().startswith(PERSON_ROWS) else [row[i] for i in columns if i < len(row)]
            found += [f"{row[0]} : {c}" for c in cells if _small(c)]
    return found


def test_small_territory_shows_no_unmasked_small_count(tmp_path):
    data, out = tmp_path / "donnees", tmp_path / "sortie"
    subprocess.run([IMPACT, "demo", data, "--territoires", "3", "--annees", "2023-2024", "--echelle", "0.15", "--graine", "3"], check=True, capture_output=True)
    subprocess.run([IMPACT, "bilan", data, "--annee", "2024", "--territoire", "Val d'Argent", "--out", out], check=True, capture_output=True)
    folder = out / "2024" / "val-d-argent"
    published = _published(folder)
    assert (published["valeur"] == "s").sum() >= 5  # a small territory: many cells masked
    page = (folder / "bilan.html").read_text(encoding="utf-8")
    html_tables = [[[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
                    for r in re.findall(r"<tr[^>]*>(.*?)</tr>", t, re.S)] for t in re.findall(r"<table.*?</table>", page, re.S)]
    assert len(html_tables) >= 5 and _unmasked_small_counts(html_tables) == []
    assert "tableau non publié, trop peu de personnes" in page  # a small territory: mostly masked tables replaced
    assert "secret statistique" in page
    with zipfile.ZipFile(folder / "bilan.docx") as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    word_tables = [[[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<w:tc>(.*?)</w:tc>", r, re.S)]
                    for r in re.findall(r"<w:tr[ >].*?</w:tr>", t, re.S)] for t in re.findall(r"<w:tbl>.*?</w:tbl>", document, re.S)]
    assert len(word_tables) == len(html_tables) and _unmasked_small_counts(word_tables) == []
    pdf = "\n".join(page.extract_text() for page in PdfReader(folder / "bilan.pdf").pages)
    lines = [line for line in pdf.splitlines() if line.startswith(("Personnes en contrat ", "Nouvelles personnes ", "Employeurs "))]
    assert lines and not [line for line in lines if any(_small(token) for token in line.split()[2:4])]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="Chromium absent (CI l'installe)")
def test_charts_are_displayed_in_a_browser(batch, tmp_path):
    """Headless Chromium opens the HTML report; the screenshot shows the charts' colours."""
    from matplotlib.image import imread

    from impact.charts import COLOURS

    shot = tmp_path / "page.png"
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profil'}", "--hide-scrollbars", "--window-size=1000,9000",
                    f"--screenshot={shot}", (_report(batch) / "bilan.html").as_uri()], check=True, capture_output=True, timeout=120)
    pixels = (imread(shot)[..., :3] * 255).round().astype(int)
    for name in ("heures", "personnes"):
        colour = np.array([int(COLOURS[name][i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(pixels - colour).sum(axis=2) < 30).sum() > 500, f"couleur {name} absente de la capture"


def test_outcomes_of_the_last_complete_cohort_with_their_warnings(batch):
    """Data extracted on 31/12/2024 at a 6-month horizon: the 2024 leavers are not all observable,
    so the bilan reports the 2023 cohort, says so, and no rate of an incomplete cohort carries a
    change; a knowledge rate below 70 % never appears without its warning."""
    text = re.sub(r"\s+", " ", _html_text(_report(batch, "ensemble")))
    assert "Cette partie porte donc sur la dernière cohorte complète : les personnes sorties en 2023" in text
    assert "Devenir à 6 mois des personnes sorties en 2023" in text and "personnes sorties en 2024 Taux" not in text
    assert "Évolution sur 2023" not in text  # the change of the 2024 cohort's rates is never shown
    for folder in ("ensemble", "val-d-argent", "cote-d-opale-sud", "pays-des-trois-lacs"):
        page = re.sub(r"\s+", " ", _html_text(_report(batch, folder)))
        for value in re.findall(r"Taux de connaissance de la situation (\d+(?:,\d+)?) %", page):
            assert float(value.replace(",", ".")) >= 70 or "Attention : la situation n'est connue que pour" in page


def test_low_knowledge_rate_is_warned_with_bounds(tmp_path):
    from tests.builders import contract, dataset, person

    # 21 leavers of 2023 in T1, situations known for 12 (6 in durable employment, 6 other exits),
    # unknown for 9: knowledge 12/21 = 57,1 %; durable 6/12 = 50 %, between 6/21 = 28,6 % (every
    # unknown a failure) and 15/21 = 71,4 % (every unknown a success).
    people = [person(f"P{i:02d}") for i in range(22)]
    contracts = [contract(f"C{i:02d}", f"P{i:02d}", "O1", "2023-01-02", "2023-05-31", 100) for i in range(21)]
    contracts.append(contract("C99", "P21", "O1", "2024-12-31", None, 10))  # observed on 31/12/2024
    follow = [{"id_participant": f"P{i:02d}", "horizon_mois": 6, "situation": "cdi" if i < 6 else "demandeur_emploi"} for i in range(12)]
    dataset(tmp_path / "donnees", contracts, people, suivis=follow)
    done = subprocess.run([IMPACT, "bilan", tmp_path / "donnees", "--annee", "2024", "--territoire", "T1", "--out", tmp_path / "sortie",
                           "--formats", "html"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = re.sub(r"\s+", " ", _html_text(tmp_path / "sortie" / "2024" / "t1")).replace("\u202f", " ").replace("\u2019", "'")
    assert "Attention : la situation n'est connue que pour 57,1 % des sortants" in text
    # Seven columns too wide for the page: the table is transposed, one column per rate (knowledge,
    # durable, transition, positive, dynamic), one decimal throughout.
    assert "Taux de connaissance de la situation Taux d'emploi durable" in text and "Valeur 57,1 % 50,0 % " in text
    assert "Si les inconnues étaient des échecs 28,6 % " in text and "Si les inconnues étaient des réussites 71,4 % " in text


def test_change_of_a_ratio_shown_as_a_percentage_is_in_points():
    from impact.bilan import change_cell

    # ratio_realisation 113,5 % against 120,4 %: the file's relative change is -5,7 %; the table
    # shows the difference, -6,9 points.
    row = pd.Series({"valeur": 1.135, "valeur_precedente": 1.204, "evolution": 1.135 / 1.204 - 1, "evolution_masque": False})
    assert change_cell(row, "percent") == "−6,9\u202fpts"
    assert change_cell(pd.Series({**row, "evolution": float("nan")}), "percent") == ""  # no change published: none shown
    assert change_cell(pd.Series({**row, "evolution_masque": True}), "percent") == "s"
    assert change_cell(row, "number") == "−5,7\u202f%"


def test_pdf_pages_are_a4_and_no_word_leaves_its_place(batch):
    """Every page A4, every word inside the page, no two words overprinting (the symptom of a
    figure running into the next cell); the first page holds the key figures."""
    for name in ("ensemble", "val-d-argent", "pays-des-trois-lacs"):
        pdf = _report(batch, name) / "bilan.pdf"
        assert pdf_problems(pdf) == [], name
    folder = _report(batch, "ensemble")
    first = pdf_page_text(folder / "bilan.pdf").replace("\n", " ").replace("\u202f", " ")  # the PDF's text layer spaces thousands
    figures = _key_figures(folder)
    for code in ("heures", "personnes", "contrats"):
        assert figures[code].replace("\u202f", " ") in first, f"{code} absent de la première page"


def test_word_file_uses_the_reference_template(batch):
    """Heading 1, table of contents, page numbers in the footer, numbered captions, A4, table
    text at most 10 pt, rows kept whole (python-docx)."""
    for name in ("ensemble", "val-d-argent"):
        assert docx_problems(_report(batch, name) / "bilan.docx") == [], name


@pytest.mark.skipif(soffice() is None and not os.environ.get("CI"), reason="LibreOffice absent (CI l'installe)")
def test_word_pages_as_a_reader_sees_them(batch, tmp_path):
    """The Word file laid out by a word processor (LibreOffice, headless, to PDF): A4 pages, every
    word inside its page, no two words overprinting (a figure running into the next cell), the key
    figures and a filled table of contents on the first page, the running header not on it."""
    folder = _report(batch, "ensemble")
    pdf = word_pages(folder / "bilan.docx", tmp_path)
    assert pdf_problems(pdf) == []
    first = pdf_page_text(pdf).replace("\n", " ").replace("\u202f", " ").replace("\u00a0", " ")
    figures = _key_figures(folder)
    for code in ("heures", "personnes", "contrats"):
        assert figures[code].replace("\u202f", " ") in first, f"{code} absent de la première page"
    assert "Sommaire L’essentiel Année après année" in first.replace("'", "’")
    assert pdf_page_text(pdf, 2).splitlines()[0] != "1" and "Page 1 sur" in first


@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="Chromium absent (CI l'installe)")
def test_html_fits_a_phone_and_a_desktop(batch, tmp_path):
    """At 390 px (a phone) and 1280 px the page never scrolls sideways: wide tables scroll
    inside their own box."""
    for width in (390, 1280):
        scroll, window = page_width(_report(batch, "ensemble") / "bilan.html", width, tmp_path)
        assert scroll <= window, f"{width} px : page large de {scroll} px"


def test_a_masked_total_is_told_as_not_published_never_as_small():
    """A total masked to protect another cell may be large: the sentences of « L'essentiel » and of
    the outcomes say « un nombre non publié (secret statistique) de personnes », never « 5 personnes
    ou moins », and keep their nouns (« d'employeurs », not « non publié employeurs »)."""
    from types import SimpleNamespace

    from impact.bilan import _count_words, _shown

    values = {"personnes": (8, False), "entreprises": (180, True), "heures": (91521.0, False)}
    report = SimpleNamespace(rows=lambda code: pd.DataFrame(
        [{"indicateur": code, "valeur": values[code][0], "valeur_masque": values[code][1]}], index=["ensemble"]))
    assert _shown(report, "personnes", "personnes") == "8 personnes"
    assert _shown(report, "heures", "heures") == "91\u202f521 heures"
    assert _shown(report, "entreprises", "employeurs") == "un nombre non publié (secret statistique) d'employeurs"
    assert _count_words(pd.Series({"valeur": 180, "valeur_masque": True})) == "un nombre non publié (secret statistique) de personnes"
    assert _count_words(pd.Series({"valeur": 1, "valeur_masque": False})) == "1 personne"
