"""The impact study report, rendered for real (papermill, pandoc, Typst), and the guard rail on
the words « impact » and « effet ».

Rule of the guard rail: in the prose of every report (markdown headings, the text and tables the
sections print, the charts' alt text), the words « impact » and « effet(s) » appear only in the
study report, and there only when its diagnostics pass. The kit's name in the provenance line
(« Kit : impact x.y ») is not prose and is removed before the scan; code, parameters and file
names of the command line are never in a report."""

from __future__ import annotations

import ast
import hashlib
import html
import json
import re
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from impact import effect, effect_report
from impact.escaping import markdown
from impact.formatting import french_change, french_percent
from tests.conftest import IMPACT

ROOT = Path(__file__).resolve().parents[1]
WORDS = re.compile(r"\b(impacts?|effets?)\b", re.IGNORECASE)
PROVENANCE = re.compile(r"Kit : impact [0-9][^\s]*")


def guarded_words(text: str) -> list[str]:
    """The words « impact » and « effet » in report prose, the kit's provenance line aside."""
    return WORDS.findall(PROVENANCE.sub("", text))


def report_prose(notebook: Path, parameters: dict) -> str:
    """Everything a report built from ``notebook`` says: its markdown cells, and what each code
    cell displays (Markdown text, images' alt text), executed in this process with ``parameters``."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {}
    parts = []
    for position, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            parts.append(source)
            continue
        if position == 0:
            exec(source, namespace)  # noqa: S102 - the notebook's own parameters cell
            namespace.update(parameters)
            continue
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, str(notebook), "exec"), namespace)  # noqa: S102
        if last is not None:
            shown = eval(compile(ast.Expression(last.value), str(notebook), "eval"), namespace)  # noqa: S307
            parts.append(getattr(shown, "data", "") if isinstance(getattr(shown, "data", ""), str) else "")
            parts.append(str(getattr(shown, "metadata", {}).get("alt", "")) if shown is not None else "")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("etude")
    subprocess.run([IMPACT, "demo", root / "donnees", "--comparaison", root / "comparaison"], check=True, capture_output=True)
    return root


@pytest.fixture(scope="module")
def rendered(demo) -> Path:
    reference = demo / "reference.csv"
    # By first public: by sex or age band, the demo's leavers of some years are masked in the yearly
    # indicators, and the benchmark's pooled counts would give them back (it is then not published:
    # see the small case below); a category of publics is checked on its counts only.
    reference.write_text("dimension;modalite;taux;source\npublic;deld;0,45;Référence fictive du test\n"
                         "public;jeune_peu_qualifie;0,5;Référence fictive du test\npublic;aucun;0,52;Référence fictive du test\n",
                         encoding="utf-8")
    done = subprocess.run([IMPACT, "effet", demo / "donnees", "--comparaison", demo / "comparaison" / "comparaison.csv",
                           "--reference", reference, "--out", demo / "sortie", "--replications", "100", "--editeur", "PLIE du Val",
                           "--date-publication", "2025-03-01"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return demo / "sortie" / "2024" / "etude_impact"


def test_demo_study_in_three_formats_with_balance_table_and_overlap_chart(rendered):
    assert sorted(p.name for p in rendered.iterdir()) == ["etude_impact.docx", "etude_impact.html", "etude_impact.ipynb",
                                                          "etude_impact.pdf", "indicateurs.csv", "metadonnees.json"]
    page = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", (rendered / "etude_impact.html").read_text(encoding="utf-8"))))
    assert "Équilibre des caractéristiques : moyennes" in page and "DMS pondérée" in page
    assert 'alt="Histogrammes des scores de propension' in html.unescape((rendered / "etude_impact.html").read_text(encoding="utf-8"))
    bench = page[page.index("Sorties dynamiques observées et attendues"):][:700]
    assert "Référence fictive du test" in bench and "Demandeur d'emploi de longue durée" in bench and "Aucun public" in bench
    with zipfile.ZipFile(rendered / "etude_impact.docx") as archive:
        document = archive.read("word/document.xml").decode("utf-8")
        images = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert "DMS pondérée" in document and len(images) == 2
    # In Word, a figure, its caption and its notes stay on one page: the figure and its caption are
    # kept with the next paragraph (reference.docx), and so is each note but the last (a note cut
    # from its figure by a page break was seen on the demo).
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", document, flags=re.S)
    for at in (i for i, p in enumerate(paragraphs) if "graphicData" in p and "CaptionedFigure" in p):
        styles = []
        for paragraph in paragraphs[at + 2:]:
            style = re.search(r'w:pStyle w:val="([^"]+)"', paragraph)
            if not style or not style.group(1).startswith("Notes"):
                break
            styles.append(style.group(1))
        assert len(styles) >= 2 and styles == ["Notesliees"] * (len(styles) - 1) + ["Notes"], styles
    pdf = "\n".join(page.extract_text() for page in PdfReader(rendered / "etude_impact.pdf").pages)
    assert "Recouvrement des profils" in pdf and "DMS" in pdf
    # the diagnostics pass on the demo: the effect is stated, close to the known one (+13,8 points)
    assert guarded_words(page) and "Étude d'impact" in page.replace("\u2019", "'")
    # French as written: elided where it must be, plurals agreed, digests shown as code (no backticks)
    assert "taux de sortie dynamique" in page.lower() and "taux d'sortie" not in page.lower()
    assert not re.search(r"\w\(s\)", page) and "`" not in page
    # The rule of secrecy in the bilan's words; the raw gap says which participants it is over.
    assert "Règle de diffusion : les comptes de 1 à 5 personnes et les taux dont le numérateur ou le dénominateur" in page
    assert "Écart brut (participants du support commun)" in page
    # The balance rows masked in every column are left out and named under the table.
    named = page[page.index("Non publiées (secret statistique) : "):][:300]
    assert "Formation CAP-BEP, " in named and "Formation CAP-BEP s" not in page
    # Measures keep one format per column (« 1,00 », never « 1 » beside « 1,04 ») and a value of
    # 0,00 is a value, not the nil dash of counts.
    tables = re.findall(r"<table.*?</table>", (rendered / "etude_impact.html").read_text(encoding="utf-8"), flags=re.S)
    for caption in ("Équilibre des caractéristiques", "Sensibilité à un facteur non mesuré"):
        table = next(t for t in tables if caption in html.unescape(t))
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table, flags=re.S)]
        figures = [c for c in cells if c and c[0] in "−-0123456789" and c != "–"]
        assert figures and all(re.fullmatch(r"[−-]?\d+,\d\d", c) for c in figures), figures
        assert "–" not in cells


def test_study_has_the_editorial_layer_of_the_bilan(rendered, demo):
    """Publisher and dates, L'essentiel in sentences with the key figures, Champ and Source lines
    under the tables and figures, a methods box; the study's parameters and files in metadonnees.json."""
    page = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", (rendered / "etude_impact.html").read_text(encoding="utf-8"))))
    page = page.replace("\u2019", "'")
    assert "PLIE du Val" in page and "Publié le 1er mars 2025 ; données extraites le 31/12/2024" in page
    essential = page[page.index("L'essentiel"):page.index("Les groupes comparés")]
    assert "À profil observé comparable, la clause a un effet estimé de +" in essential and "si aucune différence non mesurée" in essential
    assert "L'étude en chiffres" in essential and "Méthode en bref" in essential and "une association, qui ne dit pas" in essential
    assert "Rapportées aux taux de référence (Référence fictive du test)" in essential
    # every table and figure of the study has its Champ and Source lines (6 tables, 2 figures here)
    tables = len(re.findall(r"<table", (rendered / "etude_impact.html").read_text(encoding="utf-8")))
    assert page.count("Champ : personnes sorties de") == tables - 1 + 2  # the SHA-256 annex table has none
    assert page.count("Source : PLIE du Val, données de suivi des clauses sociales extraites le 31/12/2024") == tables - 1 + 2
    record = json.loads((rendered / "metadonnees.json").read_text(encoding="utf-8"))
    assert {k: record["parametres"][k] for k in ("comparaison", "reference", "mois", "replications", "graine", "date_publication")} == {
        "comparaison": "comparaison.csv", "reference": "reference.csv", "mois": 3, "replications": 100, "graine": 1, "date_publication": "2025-03-01"}
    for name, path in (("comparaison.csv", demo / "comparaison" / "comparaison.csv"), ("reference.csv", demo / "reference.csv")):
        assert record["entrees"]["fichiers"][name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert str(demo) not in (rendered / "metadonnees.json").read_text(encoding="utf-8")  # names, never the user's folders


def _poor_overlap(demo: Path) -> Path:
    """The demo comparison group made older and more employed than any participant."""
    frame = pd.read_csv(demo / "comparaison" / "comparaison.csv", sep=";", dtype=str, keep_default_na=False)
    frame["annee_naissance"] = frame["date_reference"].str[-4:].astype(int) - 58
    frame["mois_emploi_12m"] = "12"
    frame["deld"] = "non"
    path = demo / "comparaison_sans_recouvrement.csv"
    frame.to_csv(path, sep=";", index=False)
    return path


def test_poor_overlap_refuses_to_state_an_effect_and_says_why(demo, tmp_path):
    prose = report_prose(ROOT / "notebooks" / "etude_impact.ipynb",
                         {"dossier": str(demo / "donnees"), "comparaison": str(_poor_overlap(demo)), "sortie": str(tmp_path),
                          "replications": 20})
    assert "les diagnostics ne permettent pas d'estimer ce que la clause a changé" in prose
    assert "recouvrement insuffisant" in prose
    assert "Comparaison descriptive seulement" in prose
    assert "Méthode en bref" in prose and "seul l'écart brut entre les groupes est montré" in prose.replace("\\", "")  # Markdown escapes aside
    assert guarded_words(prose) == [], guarded_words(prose)


def test_without_comparison_file_the_report_claims_nothing(demo, tmp_path):
    prose = report_prose(ROOT / "notebooks" / "etude_impact.ipynb",
                         {"dossier": str(demo / "donnees"), "comparaison": None, "sortie": str(tmp_path)})
    assert "Aucun groupe de comparaison n'a été fourni" in prose and "Une association" in prose
    unescaped = prose.replace("\\", "")
    assert "Sans groupe de comparaison, ce rapport ne dit pas ce que la clause a changé" in unescaped and "L'étude en chiffres" in unescaped
    assert guarded_words(prose) == []


def test_other_reports_never_speak_of_impact_or_effect(demo, tmp_path):
    data = str(demo / "donnees")
    texts = {
        "bilan": report_prose(ROOT / "notebooks" / "bilan_territoire.ipynb", {"dossier": data, "sortie": str(tmp_path / "b")}),
        "comparaison": report_prose(ROOT / "notebooks" / "comparaison_territoires.ipynb", {"dossier": data, "sortie": str(tmp_path / "c")}),
    }
    subprocess.run([IMPACT, "indicateurs", data, "--out", tmp_path / "i"], check=True, capture_output=True)
    from impact.consolidation import consolidate, read_returns, write
    from impact.problems import ProblemLog

    returns = [tmp_path / "i" / "indicateurs.csv"]
    write(consolidate(read_returns(returns, ProblemLog())), returns, tmp_path / "n", 1607.0, 5)
    texts["consolidation"] = report_prose(ROOT / "notebooks" / "consolidation.ipynb", {"indicateurs": str(tmp_path / "n" / "indicateurs.csv")})
    for name, text in texts.items():
        assert len(text) > 2000, name
        assert guarded_words(text) == [], (name, guarded_words(text))
    assert "Kit : impact" in texts["bilan"]  # the provenance stays, and is not prose
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "devenir" in readme


def test_bad_comparison_file_is_named_line_and_column(demo, tmp_path, run_cli):
    frame = pd.read_csv(demo / "comparaison" / "comparaison.csv", sep=";", dtype=str, keep_default_na=False)
    frame.loc[2, "situation"] = "embauche"
    path = tmp_path / "groupe.csv"
    frame.to_csv(path, sep=";", index=False)
    status, out, err = run_cli("effet", demo / "donnees", "--comparaison", path, "--out", tmp_path / "s")
    assert status == 2
    assert "comparaison:4:situation: erreur : « embauche » n'est pas un code de situation" in out
    assert "Traceback" not in out + err
    assert not (tmp_path / "s").exists()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """Three small territories (scale 0.3, 2022-2024, seed 7): the whole's 2024 cohort is masked in
    the published indicators (a reviewer's case; the rate of one cohort masked alone, whose pooled
    rate would give it back, is :func:`test_hidden_rates_follow_counts_and_the_cohorts_masked_in_the_indicators`)."""
    root = tmp_path_factory.mktemp("petite")
    subprocess.run([IMPACT, "demo", root / "donnees", "--territoires", "3", "--echelle", "0.3", "--annees", "2022-2024", "--graine", "7",
                    "--comparaison", root / "comparaison"], check=True, capture_output=True)
    return root


def test_the_study_prints_nothing_that_gives_back_a_masked_cohort_or_a_small_count(small):
    report = effect_report.prepare(small / "donnees", small / "comparaison" / "comparaison.csv", sortie=small / "sortie", replications=20)
    published = pd.read_csv(small / "sortie" / "indicateurs.csv", dtype=str, keep_default_na=False)
    whole = published.loc[published["territoire"].eq("ensemble") & published["dimension"].eq("ensemble")
                          & published["indicateur"].eq("taux_sorties_dynamiques")].set_index("annee")
    # The 2024 cohort's size is masked: it is left out, and the study's total is the sum of published sizes.
    assert whole.loc["2024", "effectif"] == "s" and report.left_out == (2024,)
    assert report.leavers == int(whole.loc["2022", "effectif"]) + int(whole.loc["2023", "effectif"]) == 46
    assert "sortants de 2024 ne sont pas dans l'étude" in " ".join(effect_report.summary(report))
    # The pooled rate is the published cohorts' (10 of 22 and 9 of 24: 19 of 46).
    pooled = sum(round(float(whole.loc[year, "valeur"]) * int(whole.loc[year, "effectif"])) for year in ("2022", "2023"))
    figures = effect_report.key_figures(report)
    assert pooled == 19 and re.search(r"Dont en sortie dynamique\s*\|\s*41\\?,3", figures)
    # Balance: no yes-or-no characteristic's mean gives 1 to 5 persons of either group in the support.
    study = report.study
    treated = study.sample.loc[study.overlap.kept, "participant"].to_numpy(dtype=bool)
    hidden = effect_report.disclosive_shares(report)
    table = effect_report.balance(report).data
    for name, row in study.balance.iterrows():
        counts = [round(row["moyenne_participants"] * treated.sum()), round(row["moyenne_comparaison"] * (~treated).sum())]
        sizes = [treated.sum(), (~treated).sum()]
        small_count = any(1 <= c <= 5 or 1 <= n - c <= 5 for c, n in zip(counts, sizes))
        assert hidden[name] or not small_count, name
        assert not (hidden[name] and name in effect.CONTINUOUS), name
        # A characteristic masked in every column is left out of the table and named under it.
        shown = [line for line in table.splitlines() if line.startswith(f"| {markdown(name)} ")]
        assert bool(shown) != hidden[name] or "Le tableau d'équilibre n'est pas publié" in table, name
    named = table[table.index(markdown("Non publiées (secret statistique) :")):]
    assert all(markdown(name) in named for name in hidden.index[hidden])
    assert hidden["Handicap"]  # 1 to 5 participants with a disability: the reviewer's first recovered count


def test_hidden_rates_follow_counts_and_the_cohorts_masked_in_the_indicators():
    people = pd.DataFrame({"annee": [2022] * 10 + [2023] * 10,
                           "emploi_durable": [1] * 3 + [0] * 7 + [1] * 6 + [0] * 4,
                           "sorties_dynamiques": [1] * 6 + [0] * 4 + [1] * 6 + [0] * 4})

    def masks(**years):
        return effect_report.YearlyMasks({}, {name: {effect_report.WHOLE: found} for name, found in years.items()})

    # 9 of 20 and 12 of 20: nothing from 1 to 5, nothing masked: both shown.
    assert effect_report.hidden_rates(people, [], masks(), 5) == {"emploi_durable": False, "sorties_dynamiques": False}
    # 2023's durable-employment rate masked alone: 9 - 3 published = 6 would come back.
    assert effect_report.hidden_rates(people, [], masks(emploi_durable={2023}), 5)["emploi_durable"]
    # Both years masked: their sum (9 of 20) is all a reader gets.
    assert not effect_report.hidden_rates(people, [], masks(emploi_durable={2022, 2023}), 5)["emploi_durable"]
    # A group (those left out of the support) of 4 persons, 3 of whom in a dynamic exit: masked.
    left = pd.Series([True] * 4 + [False] * 16)
    assert effect_report.hidden_rates(people, [left], masks(), 5) == {"emploi_durable": True, "sorties_dynamiques": True}
    # At seuil 2, in that group: 3 durable jobs and 1 without (masked); 4 dynamic exits and none without (shown).
    assert effect_report.hidden_rates(people, [left], None, 2) == {"emploi_durable": True, "sorties_dynamiques": False}


def test_the_benchmark_is_published_whole_or_not_at_all():
    """Its leavers by age band are the yearly counts by age band pooled: a band masked in one year
    would come back (59 − 27 − 16 = 16 in a reviewer's attack); a band of 1 to 5 leavers, or of 1 to
    5 without a dynamic exit, too."""
    reference = pd.DataFrame({"dimension": "tranche_age", "modalite": ["moins_26", "26_49"], "taux": [0.5, 0.5], "source": "x"})
    people = pd.DataFrame({"annee": [2022] * 20 + [2023] * 20, "tranche_age": (["moins_26"] * 10 + ["26_49"] * 10) * 2,
                           "sorties_dynamiques": ([1] * 6 + [0] * 4) * 4})
    nothing = effect_report.YearlyMasks({}, {})
    assert effect_report.benchmark_publishable(people, reference, nothing, 5)
    one_year = effect_report.YearlyMasks({("tranche_age", "26_49"): {2022}}, {})
    assert not effect_report.benchmark_publishable(people, reference, one_year, 5)
    # 4 leavers of 26-49 without a dynamic exit in all: 1 to 5.
    assert not effect_report.benchmark_publishable(people.assign(sorties_dynamiques=([1] * 10 + [1] * 8 + [0] * 2) * 2), reference, nothing, 5)
    # 3 leavers of unknown age, without a reference rate: their number would come back from the totals.
    unknown = pd.DataFrame({"annee": 2022, "tranche_age": "inconnu", "sorties_dynamiques": [1, 0, 1]})
    assert not effect_report.benchmark_publishable(pd.concat([people, unknown], ignore_index=True), reference, nothing, 5)


def test_a_small_number_left_out_of_the_support_masks_every_share_and_what_tells_it(tmp_path):
    """Two participants left out of the common support: the shares, each a count over the hidden
    size of the group, would tell it (only one size fits them all, a reviewer found): every yes-or-no
    row is masked, and the matched share is not printed. A detectable difference is not printed
    beside a masked rate of the comparison group (the ratio of two of them gives it back)."""
    import dataclasses

    subprocess.run([IMPACT, "demo", tmp_path / "d", "--territoires", "3", "--echelle", "0.3", "--annees", "2022-2024", "--graine", "2",
                    "--comparaison", tmp_path / "c"], check=True, capture_output=True)
    report = effect_report.prepare(tmp_path / "d", tmp_path / "c" / "comparaison.csv", sortie=tmp_path / "s", replications=20)
    assert 1 <= report.study.overlap.trimmed_treated <= 5
    hidden = effect_report.disclosive_shares(report)
    assert hidden.equals(pd.Series(~hidden.index.isin(effect.CONTINUOUS), index=hidden.index))
    assert "des participants ont un voisin" not in effect_report.balance(report).data
    sizes = effect_report.sizes(report).data
    assert "Dans le support commun" in sizes and "sur le taux d'emploi durable" in sizes
    masked = dataclasses.replace(report, comparison_hidden={"emploi_durable": True, "sorties_dynamiques": False})
    assert "sur le taux d'emploi durable" not in effect_report.sizes(masked).data
    # The histogram of the participants' scores: with 30 equal bins, bars of 1 to 5 participants
    # (those beyond the support among them: their number, which the text does not print, came back).
    scores = report.study.overlap.score[report.study.sample["participant"].to_numpy(dtype=bool)]
    equal_bins = np.histogram(scores, bins=np.linspace(0, 1, 31))[0]
    assert ((equal_bins >= 1) & (equal_bins <= 5)).any()
    shown = np.histogram(scores, bins=effect_report.histogram_edges(scores, 5))[0]
    assert ((shown == 0) | (shown > 5)).all() and shown.sum() == len(scores)
    # A reviewer's third attack: the participants' means over the support (38,46 and 2,79 fit 39 of
    # 41 only) and the matching estimates (5/38, 7/38) told how many were left out. They are masked,
    # with the participants' rates, raw gaps and E-values.
    assert report.support_hidden and all(report.hidden.values())
    assert effect_report.support_told(len(scores), report.study.overlap.trimmed_treated,
                                      *effect_report._support_figures(report.study, True, {}), 5)
    estimates = effect_report.estimates(report).data
    balance = effect_report.balance(report).data
    for name, e in report.study.estimates.items():
        assert french_change(e.values["appariement"], True) not in estimates and french_percent(e.p1, fixed=True) not in estimates
    participants_means = [effect_report._figure(report.study.balance.loc[name, "moyenne_participants"]) for name in effect.CONTINUOUS]
    assert not any(f"| {mean} |" in balance for mean in participants_means) and "Moyennes masquées" in balance


def test_figures_over_the_support_tell_the_number_left_out():
    """By hand, a reviewer's numbers: 41 participants, 1 to 5 left out. Of the sizes 1 to 41, 24, 28
    and 39 give a mean of whole ages of 38,46 and of whole months of 2,79 (923/24, 67/24; 1077/28,
    78/28; 1500/39, 109/39): only 39 leaves 1 to 5 out, so 2. The matching estimates 13,2 and 18,4
    points fit 38 matched only (5/38, 7/38): 3 at most left out. Figures that fit every size from
    36 to 40 tell nothing."""
    assert effect_report.sizes_fitting([(38.46, 0.005), (2.79, 0.005)], 41).tolist() == [24, 28, 39]
    assert effect_report.sizes_fitting([(0.132, 0.0005), (0.184, 0.0005)], 41).tolist() == [38]
    assert effect_report.support_told(41, 2, [(38.46, 0.005), (2.79, 0.005)], [], 5)
    assert effect_report.support_told(41, 2, [], [(0.132, 0.0005), (0.184, 0.0005)], 5)
    assert not effect_report.support_told(41, 2, [(0.5, 0.5)], [], 5)  # fits every size
    assert not effect_report.support_told(41, 6, [(38.46, 0.005)], [], 5)  # 6 left out: printed, nothing to tell


def test_histogram_bars_hold_no_one_or_more_than_the_threshold():
    """Hand-counted: 2 scores in the first bin, 4 in the 16th, 2 in the 17th, 1 in the last: a bar
    of 6 (bins 1 to 16), then 3 left, merged into it at a threshold of 3 (one bar), not at 2.
    10 in the 16th bin and 2 in the 29th: fifteen empty bars, then one bar of 12 from the 16th bin
    to the end (at 5; at 1, every bin as it is)."""
    scores = np.array([0.01, 0.02, 0.5, 0.51, 0.52, 0.53, 0.54, 0.55, 0.99])
    assert effect_report.histogram_edges(scores, 5).tolist() == [0.0, 1.0]
    assert (effect_report.histogram_edges(scores, 3) * 30).round(9).tolist() == [0, 30]  # 6, then 3: not more than 3, merged
    assert (effect_report.histogram_edges(scores, 2) * 30).round(9).tolist() == [0, 16, 30]  # 6, then 3
    assert (effect_report.histogram_edges(scores[2:], 1) * 30).round(9).tolist() == list(range(16)) + [16, 30]
    spread = np.array([0.5] * 10 + [0.95] * 2)
    assert (effect_report.histogram_edges(spread, 5) * 30).round(9).tolist() == list(range(16)) + [30]
    assert (effect_report.histogram_edges(spread, 1) * 30).round(9).tolist() == list(range(31))  # every bin 0 or more than 1
