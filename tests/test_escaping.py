"""One escaping rule per output kind (impact.escaping), checked on the real consumers: pandoc reads
the escaped Markdown back as the literal text, matplotlib draws a ``$`` label without mathtext."""

from __future__ import annotations

import json

import pypandoc
import pytest

from impact import escaping
from impact.tables import markdown_table

HOSTILE = [
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "[clic](javascript:alert(1))",
    "@citation et ~indice~ et ^exposant^ et $\\frac{1}{$",
    "*gras* _it_ `code` # titre \\ fin",
    "{=html} <Nord> | barre | [x]{.cls}",
    "=1+1",
]


def _pandoc_text(source: str) -> str:
    """What pandoc reads from ``source``: its plain-text rendering (one line)."""
    return " ".join(pypandoc.convert_text(source, "plain", format=escaping.PANDOC_INPUT, extra_args=["--wrap=none"]).split())


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_escaped_value_reads_back_literally(value):
    assert _pandoc_text(escaping.markdown(value)) == value
    assert "<script" not in pypandoc.convert_text(escaping.markdown(value), "html5", format=escaping.PANDOC_INPUT)


def test_raw_html_is_text_even_unescaped():
    """The input format itself refuses raw HTML: a value the writers missed shows as text."""
    html = pypandoc.convert_text("<script>alert(1)</script> `<b>x</b>`{=html}", "html5", format=escaping.PANDOC_INPUT)
    assert "<script>" not in html and "<b>" not in html and "&lt;script&gt;" in html


def test_front_matter_title_is_literal():
    value = 'Le "Nord" \\ @cite <b>x</b> : $a$'
    source = f"---\ntitle: {escaping.yaml_string(value)}\n---\n\ntexte\n"
    document = json.loads(pypandoc.convert_text(source, "json", format=escaping.PANDOC_INPUT))
    title = pypandoc.convert_text(json.dumps({**document, "blocks": [{"t": "Plain", "c": document["meta"]["title"]["c"]}]}),
                                  "plain", format="json")
    assert title.strip() == value


def test_table_cells_are_escaped_and_markup_cells_kept():
    text = markdown_table([["<b>x</b> | y", escaping.Markup("`abc`")]], ["Nom", "Code"], "Légende *a*")
    html = pypandoc.convert_text(text, "html5", format=escaping.PANDOC_INPUT)
    assert "&lt;b&gt;x&lt;/b&gt; | y" in html and "<code>abc</code>" in html and "Légende *a*" in html


def test_plain_drops_controls_and_breaks_lines():
    assert escaping.plain("a\r\nb\tc\u202ed\x1b[2Je\u00a0f") == "a b cd[2Je\u00a0f"


def test_spreadsheet_cells_starting_like_formulas_are_text():
    assert [escaping.spreadsheet(v) for v in ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(1)", "\tx", "\rx", "Nord", 3.5]] == [
        "'=1+1", "'+cmd|' /C calc'!A0", "'-2", "'@SUM(1)", "'\tx", "'\rx", "Nord", 3.5]


def test_console_shows_controls_and_cuts_long_values():
    line = escaping.console("a:1:b: erreur : « x\r0 erreur\x1b[1m\u202e » et « " + "y" * 200 + " »")
    assert line == "a:1:b: erreur : « x\\r0 erreur\\x1b[1m\\u202e » et « " + "y" * 80 + "… »"


def test_typst_markup_is_escaped():
    assert escaping.typst("#set $x$ @ref <l> *b* _i_ [c] \\") == "\\#set \\$x\\$ \\@ref \\<l\\> \\*b\\* \\_i\\_ \\[c\\] \\\\"


def test_chart_label_with_dollars_draws_without_mathtext():
    from impact import charts

    figure = charts.funnel([10, 20], [0.5, 0.6], ["$\\frac{1}{$", "Nord"], 0.55, {}, "Titre $x$")
    charts.figure_output(figure, "Graphique")  # SVG and PNG both drawn
    assert escaping.chart("a $b$\nc") == "a \\$b\\$ c"


def test_slugs_are_short_and_distinct():
    from impact.output import SLUG_LENGTH, slug

    assert slug("Val d'Argent") == "val-d-argent" and slug("Côte d'Opale") == "cote-d-opale"
    long = slug("a" * 300)
    assert len(long) == SLUG_LENGTH and long.startswith("a" * 51 + "-") and long != slug("a" * 301)
    assert slug("???") != slug("!!!") and slug("???").startswith("territoire-")


def test_methods_annex_names_the_folder_and_files_as_text():
    """A dataset folder and a workbook named like HTML tags, the folder given by its full path: the
    annex shows their names as text, never the path."""
    import pandas as pd

    from impact.bilan import Report, methods

    metadata = {"version": "0", "parametres": {"heures_etp": 1607, "date_extraction": "2024-12-31", "date_extraction_origine": "x"},
                "entrees": {"dossier": "/home/agent/<img src=x onerror=alert(1)>",
                            "fichiers": {"<svg onload=alert(2)>.xlsx": {"sha256": "ab12"}}}}
    text = methods(Report(2024, "Nord", 6, 5, pd.DataFrame(), metadata)).data
    html = pypandoc.convert_text(text, "html5", format=escaping.PANDOC_INPUT)
    assert "Source : dossier « &lt;img src=x onerror=alert(1)&gt; »" in " ".join(html.split())
    assert "&lt;svg onload=alert(2)&gt;.xlsx" in html and "<code>ab12</code>" in html
    assert "/home/agent" not in html and "<img" not in html and "<svg" not in html
