"""The table writer and the editorial layer, on hand-made cases."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest

from impact.editorial import PublicationError, Publisher, direction, front_matter, publisher
from impact.escaping import markdown, yaml_string
from impact.formatting import french_number, french_percent
from docx.enum.section import WD_ORIENT

from impact.publication import FOOTNOTE
from impact.rendering import render
from impact.tables import NIL, markdown_table
from tests.conftest import IMPACT
from tests.layout import pdf_problems, soffice, word_pages


def _rule(text: str) -> list[str]:
    return text.splitlines()[1].strip("|").split("|")


def test_widths_come_from_the_content():
    # Label column: 28 characters ("Heures d'insertion réalisées"); figures: 6 ("91 521"); with
    # their padding, 30 and 8. Pandoc sizes columns by their dashes: 30 and 8 scaled to 80
    # characters, 63,2 and 16,8, rounded, less the colon: 62 and 16 dashes.
    text = markdown_table([["Heures d'insertion réalisées", "91\u202f521"]], ["Indicateur", "2024"], "Chiffres")
    assert _rule(text) == [":" + "-" * 62, "-" * 16 + ":"]


def test_zero_reads_as_a_dash_and_the_secret_footnote_comes_once():
    text = markdown_table([["0 contrat", "0", "0,0\u202f%", "s"], ["Autre", "s", "12,5\u202f%", "3"]], ["Type", "A", "B", "C"], "Essai")
    lines = text.splitlines()
    assert lines[2] == f"| 0 contrat | {NIL} | {NIL} | s |"  # a label is never replaced
    assert lines[3] == "| Autre | s | 12\\,5\u202f\\% | 3 |"  # cells escaped for pandoc (impact.escaping.markdown)
    assert text.count(markdown(FOOTNOTE)) == 1 and 'custom-style="Notes"' in text
    assert markdown(FOOTNOTE) not in markdown_table([["Autre", "1"]], ["Type", "A"], "Sans secret")


def test_wide_table_with_few_rows_is_transposed():
    header = ["Territoire", *(f"Colonne {i}" for i in range(1, 12))]
    rows = [[f"T{r}", *(str(r * 100 + i) for i in range(1, 12))] for r in range(1, 6)]
    text = markdown_table(rows, header, "Large")
    lines = text.splitlines()
    assert lines[0] == "|  | T1 | T2 | T3 | T4 | T5 |"
    assert lines[2] == "| Colonne 1 | 101 | 201 | 301 | 401 | 501 |" and len([line for line in lines if line.startswith("| Colonne")]) == 11


def test_wide_table_with_many_rows_goes_on_a_landscape_page():
    header = ["Territoire", *(f"Colonne {i}" for i in range(1, 10))]
    rows = [[f"T{r}", *(str(i) for i in range(1, 10))] for r in range(1, 12)]
    text = markdown_table(rows, header, "Large", notes=["Champ : essai."])
    # 10 columns: too many for a portrait page (7), few enough for a landscape one (11): one table,
    # its caption and notes in the landscape block.
    assert text.startswith("::: paysage\n| Territoire | Colonne 1 |") and text.endswith("Champ \\: essai\\.\n:::\n:::\n")
    assert text.count("Table: Large") == 1


def test_wide_table_too_wide_even_in_landscape_is_cut_repeating_its_labels():
    header = ["Territoire", *(f"Colonne {i}" for i in range(1, 15))]
    rows = [[f"T{r}", *(str(i) for i in range(1, 15))] for r in range(1, 12)]
    text = markdown_table(rows, header, "Large")
    # 14 figure columns, at most 6 beside the label column in each table: 6, 6 then 2.
    assert "Table: Large \\(1 sur 3\\)" in text and "Table: Large \\(3 sur 3\\)" in text and "paysage" not in text
    firsts = [line for line in text.splitlines() if line.startswith("| Territoire")]
    assert firsts == ["| Territoire | Colonne 1 | Colonne 2 | Colonne 3 | Colonne 4 | Colonne 5 | Colonne 6 |",
                      "| Territoire | Colonne 7 | Colonne 8 | Colonne 9 | Colonne 10 | Colonne 11 | Colonne 12 |",
                      "| Territoire | Colonne 13 | Colonne 14 |"]


@pytest.mark.skipif(soffice() is None and not os.environ.get("CI"), reason="LibreOffice absent (CI l'installe)")
def test_landscape_pages_in_pdf_and_word(tmp_path):
    """A wide table between two sections: its page turned in the PDF (Typst) and in Word (a
    landscape section between portrait ones, the header and footer kept, the title page alone
    without running header), and in Word's pages as LibreOffice lays them out; nothing overflows."""
    import docx as python_docx
    import pdfplumber

    header = ["Territoire", *(f"Indicateur {i}" for i in range(1, 10))]
    rows = [[f"Territoire numéro {r}", *(f"{r * 1000 + i * 37}" for i in range(1, 10))] for r in range(1, 13)]
    wide = markdown_table(rows, header, "Un tableau large", notes=["Champ : essai."])
    source = tmp_path / "essai.md"
    source.write_text(front_matter("Essai", "Pages à l'italienne", Publisher("X"), dt.date(2024, 12, 31), dt.date(2025, 3, 1))
                      + "\n## Avant\n\nTexte.\n\n" + wide + "\n## Après\n\nTexte.\n\n" + wide, encoding="utf-8")
    files = render(source, ("docx", "pdf"))
    portrait, landscape = (595, 842), (842, 595)
    for pdf in (files["pdf"], word_pages(files["docx"], tmp_path)):
        with pdfplumber.open(pdf) as document:
            assert [(round(p.width), round(p.height)) for p in document.pages] == [portrait, landscape, portrait, landscape], pdf
        assert pdf_problems(pdf) == [], pdf
    sections = python_docx.Document(str(files["docx"])).sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    assert [round(s.page_width.cm, 1) for s in sections] == [21.0, 29.7, 21.0, 29.7]
    assert [s.different_first_page_header_footer for s in sections] == [True, False, False, False]
    assert all(" PAGE " in s.footer._element.xml for s in sections)  # page numbers in every section


def test_fixed_decimals_in_a_column():
    assert french_number(1234.5, 2, fixed=True) == "1\u202f234,50" and french_number(1234.5, 2) == "1\u202f234,5"
    assert french_percent(0.2, 1, fixed=True) == "20,0\u202f%" and french_percent(0.2) == "20\u202f%"
    assert french_number(91520.91, 0, fixed=True) == "91\u202f521"  # hours to the unit


def test_publisher_from_publication_toml_and_the_option(tmp_path):
    assert publisher(tmp_path) == Publisher()
    (tmp_path / "publication.toml").write_text('editeur = "Maison de l\'emploi"\ncontact = "a@b.fr"\nlicence = "Licence Ouverte 2.0"\n',
                                               encoding="utf-8")
    assert publisher(tmp_path) == Publisher("Maison de l'emploi", "a@b.fr", "Licence Ouverte 2.0")
    assert publisher(tmp_path, "PLIE du Sud").name == "PLIE du Sud"
    (tmp_path / "publication.toml").write_text('editeur = "X"\nlogos = "l.png"\n', encoding="utf-8")
    with pytest.raises(PublicationError, match="clé\\(s\\) inconnue\\(s\\) logos \\(clés possibles : editeur, contact, licence, logo\\)"):
        publisher(tmp_path)
    (tmp_path / "publication.toml").write_text('editeur = "X\n', encoding="utf-8")
    with pytest.raises(PublicationError, match="publication.toml illisible"):
        publisher(tmp_path)


def test_front_matter_and_change_words():
    head = front_matter("Bilan 2024", "Val d'Argent", Publisher("PLIE", licence="Licence Ouverte 2.0"), dt.date(2024, 12, 31), dt.date(2025, 3, 1))
    expected = {"title": "Bilan 2024", "subtitle": "Val d'Argent", "date": "Publié le 1er mars 2025 ; données extraites le 31/12/2024",
                "author": "PLIE", "editeur": "PLIE", "licence": "Licence : Licence Ouverte 2.0"}
    assert head.splitlines() == ["---", *(f"{key}: {yaml_string(value)}" for key, value in expected.items()), "lang: fr", "---"]
    assert direction(0.127) == "en hausse de 12,7\u202f%" and direction(-0.03) == "en baisse de 3,0\u202f%"
    assert direction(0.004) == "stables" and direction(float("nan")) == ""


def test_unreadable_publication_file_is_a_french_error(tmp_path, run_cli):
    subprocess.run([IMPACT, "demo", tmp_path / "d", "--territoires", "2", "--annees", "2023-2024"], check=True, capture_output=True)
    (tmp_path / "d" / "publication.toml").write_text('editeur = "X"\nadresse = "1 rue"\n', encoding="utf-8")
    status, out, err = run_cli("bilan", tmp_path / "d", "--annee", "2024", "--territoire", "ensemble", "--out", tmp_path / "s")
    assert status == 2 and "publication.toml : clé(s) inconnue(s) adresse" in out + err and "Traceback" not in out + err
    assert not (tmp_path / "s").exists()


def test_an_interval_wraps_after_its_a_only_when_the_table_would_not_fit():
    """The outcome table of a bilan had its intervals on two lines with a third of the page free:
    on one line when the table fits a page so, else wrapping after « à »."""
    from impact.tables import _figure_width, _widths

    # "12,5 % à 30,0 %" (15 characters) needs the width of "12,5 %" and of " à" when it wraps: 6 + 2.
    assert _figure_width("12,5\u202f% à 30,0\u202f%", True) == 8 and _figure_width("12,5\u202f% à 30,0\u202f%", False) == 15
    assert _figure_width("91\u202f521", True) == 6
    interval = "78,7\u202f% à 89,3\u202f%"
    header = ["Taux", "Valeur", "Intervalle à 95 %", "Effectif (dénominateur)"]
    assert _widths([["Taux de connaissance", "84,7\u202f%", interval, "177"]], header, "lrrr")[2] == 15
    assert "95\u202f\\%" in markdown_table([["a", interval]], ["Taux", "Intervalle à 95 %"], "t").splitlines()[0]  # « % » never alone on a line
    wide = [["x" * 34, *[interval] * 6]]
    assert _widths(wide, ["Taux", *[f"Intervalle {i}" for i in range(6)]], "l" + "r" * 6)[1] == 11  # wraps: « Intervalle » in bold


def test_a_table_of_measures_keeps_its_zeros():
    """0,00 is a standardised difference, +0,0 pts an effect: a value, never the nil dash."""
    lines = markdown_table([["Femme", "0,00", "+0,0\u202fpts", "0"]], ["Caractéristique", "DMS", "Effet", "n"], "Mesures", nil=False).splitlines()
    assert lines[2] == "| Femme | 0\\,00 | \\+0\\,0\u202fpts | 0 |"  # escaped for pandoc
    assert NIL in markdown_table([["Femme", "0,00"]], ["Caractéristique", "DMS"], "Comptes").splitlines()[2]


def test_the_word_reference_keeps_figures_whole_and_tables_at_the_size_of_their_layout():
    """reports/reference.docx as built by impact.reference_docx: tables in 8.5 pt (the size the
    column widths are reckoned for; in 9 pt, « Appariement » broke in its column), a figure kept with
    its caption and every note but the last with the next one."""
    import docx as python_docx

    from impact.reference_docx import LINKED_NOTES
    from impact.rendering import REPORTS

    styles = {style.name: style for style in python_docx.Document(str(REPORTS / "reference.docx")).styles}
    assert styles["Table"].font.size.pt == styles["Compact"].font.size.pt == 8.5
    assert styles["Captioned Figure"].paragraph_format.keep_with_next and styles["Image Caption"].paragraph_format.keep_with_next
    assert styles[LINKED_NOTES].paragraph_format.keep_with_next and styles[LINKED_NOTES].base_style.name == "Notes"
    assert not styles["Notes"].paragraph_format.keep_with_next
