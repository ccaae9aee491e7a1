"""The annual bilan of one territory (or ``ensemble``): its sections, in French, from the indicator
table.

Each section is a function that returns one displayable object (Markdown text or a figure with
its alt text); the notebook ``notebooks/bilan_territoire.ipynb`` calls them one per cell and holds
no computation of its own. Figures come from the same table as ``indicateurs.csv`` and appear in
French formats (``1 234``, ``12,5 %``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from impact import charts, editorial
from impact.escaping import Markup, markdown
from impact.formatting import french_change, french_number, french_percent
from impact.tables import markdown_table
from impact.dataset import load
from impact.editorial import Publisher
from impact.indicators import DEFINITIONS, DIMENSIONS, ENSEMBLE, HEURES_ETP, indicators, write
from impact.outcomes import KNOWLEDGE_RATE, NOT_OBSERVABLE, RATES, last_complete_cohort
from impact.publication import MARK, MEASURES
from impact.schema import (DISPOSITIF, MODALITE, NIVEAU_FORMATION, PUBLICS, SEXE, SITUATION_GROUPE, TAILLE, TYPE_ACHETEUR,
                           TYPE_CONTRAT, TYPE_MARCHE, TYPE_STRUCTURE)

AGE_LABELS = {"moins_26": "Moins de 26 ans", "26_49": "De 26 à 49 ans", "50_plus": "50 ans et plus", "inconnu": "Âge inconnu"}
CPV_DIVISIONS = {
    "45": "Travaux de construction", "90": "Assainissement, nettoyage et environnement",
    "77": "Espaces verts (services agricoles et horticoles)", "79": "Services aux entreprises",
    "55": "Hôtellerie et restauration", "39": "Mobilier et équipements", "50": "Réparation et entretien",
    "71": "Architecture et ingénierie", "60": "Transport", "inconnue": "Code CPV non renseigné",
}
#: French label of each modality, by dimension.
LABELS = {
    "sexe": SEXE, "tranche_age": AGE_LABELS, "niveau_formation": NIVEAU_FORMATION, "public": PUBLICS,
    "type_contrat": TYPE_CONTRAT, "modalite": MODALITE, "type_structure": TYPE_STRUCTURE, "type_marche": TYPE_MARCHE,
    "type_acheteur": TYPE_ACHETEUR, "dispositif": DISPOSITIF, "taille": TAILLE, "situation_groupe": SITUATION_GROUPE,
}
#: The key figures of the first page: indicator, label and how it is written.
HIGHLIGHTS = [("heures", "Heures d'insertion réalisées", "number"), ("etp", "Équivalents temps plein", "number"),
              ("personnes", "Personnes en contrat", "number"), ("contrats", "Contrats actifs", "number"),
              ("entreprises", "Employeurs", "number")]
#: Every key figure: indicator, label and how it is written.
KEY_FIGURES = [
    ("heures", "Heures d'insertion réalisées", "number"),
    ("etp", "Équivalents temps plein", "number"),
    ("contrats", "Contrats actifs", "number"),
    ("nouveaux_contrats", "Nouveaux contrats", "number"),
    ("personnes", "Personnes en contrat", "number"),
    ("nouvelles_personnes", "Nouvelles personnes", "number"),
    ("entreprises", "Employeurs", "number"),
    ("operations", "Opérations (marchés et lots) en cours", "number"),
    ("acheteurs", "Acheteurs", "number"),
    ("operations_notifiees", "Opérations notifiées", "number"),
    ("heures_prevues", "Heures prévues des opérations notifiées", "number"),
    ("operations_terminees", "Opérations terminées", "number"),
    ("ratio_realisation", "Réalisation des heures prévues (opérations terminées)", "percent"),
    ("heures_par_personne", "Heures par personne", "number"),
    ("heures_par_contrat", "Heures par contrat", "number"),
]


@dataclass(frozen=True)
class Report:
    """The indicator rows of one territory (every year) and what the bilan states about them."""

    year: int
    territory: str
    horizon: int
    threshold: int
    table: pd.DataFrame
    metadata: dict
    publisher: Publisher = Publisher()

    @property
    def name(self) -> str:
        """The territory as the report names it."""
        return "Ensemble des territoires" if self.territory == ENSEMBLE else self.territory

    @property
    def extraction(self) -> dt.date:
        """The extraction date of the data."""
        return dt.date.fromisoformat(self.metadata["parametres"]["date_extraction"])

    def notes(self, champ: str, lecture: str = "") -> list[str]:
        """The Champ, Source and Lecture lines of a table or figure of this report."""
        return editorial.notes(f"{champ}, {self.name}.", self.publisher, self.extraction, lecture)

    def rows(self, indicator: str, dimension: str = ENSEMBLE, year: int | None = None) -> pd.DataFrame:
        """Rows of ``indicator`` by ``dimension`` in ``year`` (the report's year by default)."""
        table = self.table
        selected = table.loc[(table["annee"] == (year or self.year)) & (table["indicateur"] == indicator) & (table["dimension"] == dimension)]
        return selected.set_index("modalite")

    @property
    def cohort(self) -> int | None:
        """The last complete outcome cohort up to the report's year (SPEC section 4), when the
        table holds it."""
        cohort = last_complete_cohort(self.year, self.horizon, pd.Timestamp(self.metadata["parametres"]["date_extraction"]))
        return cohort if cohort in set(self.table["annee"]) else None

    def total(self, indicator: str, column: str = "valeur", year: int | None = None) -> float:
        """The total row of ``indicator`` (NaN when masked)."""
        rows = self.rows(indicator, year=year)
        return float(rows[column].iloc[0]) if len(rows) else float("nan")


def read_published(path: Path) -> pd.DataFrame:
    """A published ``indicateurs.csv``: numbers parsed, masked cells NaN with a ``<measure>_masque``
    flag."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False).assign(annee=lambda d: d["annee"].astype(int))
    for column in MEASURES:
        table[f"{column}_masque"] = table[column].eq(MARK)
        table[column] = pd.to_numeric(table[column].mask(table[column].isin(["", MARK])), errors="raise")
    return table


#: Decimals of an indicator's values in the reports (hours, counts and means to the unit otherwise).
DECIMALS = {"etp": 1}


def cell(row: pd.Series, column: str, style: str = "number") -> str:
    """One cell as published: the mark of a masked value, or the value in French format with a
    fixed number of decimals (percentages with one, see :data:`DECIMALS` for the numbers)."""
    if row.get(f"{column}_masque", False):
        return MARK
    value = row[column]
    if style == "percent":
        return french_percent(value, 1, fixed=True)
    if style == "points":
        return french_change(value, True)
    if style == "change":
        return french_change(value)
    return french_number(value, DECIMALS.get(row.get("indicateur"), 0) if column in ("valeur", "valeur_precedente") else 0, fixed=True)


def change_cell(row: pd.Series, style: str) -> str:
    """The change on N-1 as published: relative (``+12,5 %``) for a number; for a value shown as a
    percentage, the difference in points of the two values (``evolution`` of a ratio such as the
    realisation of planned hours is relative: 113,5 % against 120,4 % is -6,9 points, not -5,7)."""
    if style != "percent":
        return cell(row, "evolution", "change")
    if row.get("evolution_masque", False):
        return MARK
    if pd.isna(row["evolution"]):
        return ""
    return french_change(row["valeur"] - row["valeur_precedente"], True)


def interval(row: pd.Series) -> str:
    """A rate's 95 % interval as published: ``12,5 % à 30,0 %``, the mark, or nothing."""
    if row["ic_bas_masque"]:
        return MARK
    return f"{french_percent(row['ic_bas'], 1, fixed=True)} à {french_percent(row['ic_haut'], 1, fixed=True)}" if pd.notna(row["ic_bas"]) else ""


def with_footnote(parts: list[str]) -> Markdown:
    """The section's tables, each with the footnote of the mark under it when it shows one (see
    :func:`impact.tables.markdown_table`)."""
    return Markdown("\n".join(parts))


def prepare(dossier: str | Path, annee: int, territoire: str, horizon: int = 6, seuil: int = 5,
            sortie: str | Path = ".", indicateurs: str | Path | None = None, editeur: str | None = None,
            date_publication: str | None = None) -> Report:
    """The report of ``territoire`` for ``annee``.

    ``indicateurs``: an ``indicateurs.csv`` already computed from ``dossier`` with this horizon
    (``metadonnees.json`` beside it), as ``impact bilan`` passes to each territory; when absent,
    the indicators are computed from the dataset folder ``dossier`` and written to ``sortie``.
    ``editeur``: the publisher's name, replacing that of ``dossier/publication.toml``;
    ``date_publication``: the date printed on the report (``AAAA-MM-JJ``; default: today).
    """
    if indicateurs is None:
        dataset = load(dossier)
        indicateurs = write(dataset, indicators(dataset, horizon=horizon), Path(sortie), horizon, HEURES_ETP, False, seuil)
    path = Path(indicateurs)
    table = read_published(path)
    table = table.loc[table["territoire"] == territoire]
    if table.empty:
        raise ValueError(f"territoire « {territoire} » absent des indicateurs")
    if annee not in set(table["annee"]):
        raise ValueError(f"année {annee} absente des indicateurs de « {territoire} »")
    metadata = json.loads((path.parent / "metadonnees.json").read_text(encoding="utf-8"))
    return Report(int(annee), territoire, int(horizon), int(seuil), table.reset_index(drop=True), metadata,
                  editorial.publisher(dossier, editeur, date_publication))


def coverage_note(metadata: dict, year: int) -> str:
    """What a reader must know of the coverage of ``year`` (from ``metadonnees.json``): a partial
    year, a previous year not covered from 1 January; empty when the year compares as it is."""
    record = metadata.get("couverture", {}).get(str(year), {})
    previous = metadata.get("couverture", {}).get(str(year - 1), {})
    extraction = pd.Timestamp(metadata["parametres"]["date_extraction"])
    if record.get("annee_partielle"):
        return (f"**Année {year} partielle : les données s'arrêtent au {extraction:%d/%m/%Y}.** Ses chiffres sont provisoires et "
                f"ne sont pas comparés à {year - 1} : l'écart mesurerait surtout le calendrier.")
    if previous and not previous.get("couverte_des_janvier", True):
        first = previous.get("premiere_date_observee")
        since = f" (première date observée : {pd.Timestamp(first):%d/%m/%Y})" if first else ""
        return (f"**Évolutions non calculées : l'année {year - 1} n'est pas couverte depuis le 1er janvier dans les données{since}.** "
                f"Un export annuel ne contient de {year - 1} que les contrats encore en cours en {year} : l'écart mesurerait l'export.")
    return ""


def title(report: Report) -> Markdown:
    """The front matter, then *L'essentiel*: what happened in the year, in sentences."""
    heading = f"Bilan {report.year} des clauses sociales d'insertion"
    subtitle = f"{report.name} : heures d'insertion, personnes, employeurs et devenir"
    lines = [editorial.front_matter(heading, subtitle, report.publisher, report.extraction), "## L'essentiel", "",
             *(f"{markdown(sentence)}\n" for sentence in summary(report)), coverage_note(report.metadata, report.year), ""]
    return editorial.opening("\n".join(lines), report.publisher)


def _shown(report: Report, code: str, noun: str) -> str:
    """A total as a sentence gives it, with its ``noun``: ``91 521 heures``, or ``un nombre non
    publié (secret statistique) d'heures`` (a masked total may be large: masked to protect another)."""
    rows = report.rows(code)
    row = rows.iloc[0] if not rows.empty else None
    if row is None or row["valeur_masque"] or pd.isna(row["valeur"]):
        return _unpublished(noun)
    return f"{cell(row, 'valeur')} {noun}"


def _not_drawn(hidden: list[str]) -> str:
    """The note under a chart of what it leaves out: ``Non représentés, non publié : A, B.``"""
    return f"{'Non représentés' if len(hidden) > 1 else 'Non représenté'}, {UNPUBLISHED} : {', '.join(hidden)}."


def _unpublished(noun: str) -> str:
    """``un nombre non publié (secret statistique) de personnes`` (``d'heures``)."""
    article = "d'" if noun[0] in "aeéèiouyh" else "de "
    return f"un nombre {UNPUBLISHED} {article}{noun}"


def _change(report: Report, code: str) -> float:
    rows = report.rows(code)
    if rows.empty or rows["evolution_masque"].iloc[0]:
        return float("nan")
    return float(rows["evolution"].iloc[0])


def main_contributor(report: Report, dimensions: tuple[str, ...] = ("type_marche", "type_acheteur", "type_structure")) -> tuple[str, str, float] | None:
    """The category whose hours changed most, in the direction of the total's change, among the
    published categories of ``dimensions``: (dimension label, category label, change in hours)."""
    total = _change(report, "heures")
    if pd.isna(total) or abs(total) < editorial.STABLE:
        return None
    table = report.table
    rows = table.loc[(table["annee"] == report.year) & (table["indicateur"].isin(["heures", "contrats"]))
                     & table["dimension"].isin(dimensions) & ~table["valeur_masque"] & ~table["valeur_precedente_masque"]
                     & table["valeur"].notna() & table["valeur_precedente"].notna()]
    rows = rows.loc[rows["indicateur"] == "heures"].assign(ecart=lambda d: d["valeur"] - d["valeur_precedente"])
    rows = rows.loc[rows["ecart"] * total > 0]
    if rows.empty:
        return None
    top = rows.loc[rows["ecart"].abs().idxmax()]
    label = LABELS.get(top["dimension"], {}).get(top["modalite"], top["modalite"])
    return DIMENSIONS[top["dimension"]][0].split(" (")[0].lower(), label.split(" (")[0], float(top["ecart"])


def summary(report: Report) -> list[str]:
    """What happened in the year, in plain sentences: volumes and their change, the category that
    changed most, who was reached, what became of the leavers; descriptions, never causes."""
    year, previous = report.year, report.year - 1
    hours_change = _change(report, "heures")
    change = f", {editorial.direction(hours_change)} par rapport à {previous}" if pd.notna(hours_change) else ""
    sentences = [f"En {year}, {_shown(report, 'heures', 'heures')} d'insertion ont été réalisées au titre des clauses sociales "
                 f"({report.name}), soit {_shown(report, 'etp', 'équivalents temps plein')}{change}."]
    persons = _shown(report, "personnes", "personnes")
    sentences.append(f"{persons[0].upper()}{persons[1:]} ont travaillé sous {_shown(report, 'contrats', 'contrats')}, "
                     f"chez {_shown(report, 'entreprises', 'employeurs')} ; {_shown(report, 'nouvelles_personnes', 'personnes')} ont "
                     f"été recrutées pour la première fois dans l'année.")
    contributor = main_contributor(report)
    if contributor:
        dimension, label, hours = contributor
        sentences.append(f"L'écart le plus marqué sur {previous} concerne la catégorie « {label} » ({dimension}) : "
                         f"{'+' if hours > 0 else '−'}{french_number(abs(hours), 0)} heures.")
    women, deld = report.rows("personnes", "sexe"), report.rows("personnes", "public")
    parts = []
    if "F" in women.index and not women.loc["F", "part_masque"] and pd.notna(women.loc["F", "part"]):
        parts.append(f"{french_percent(women.loc['F', 'part'])} de femmes")
    if "deld" in deld.index and not deld.loc["deld", "part_masque"] and pd.notna(deld.loc["deld", "part"]):
        parts.append(f"{french_percent(deld.loc['deld', 'part'])} de demandeurs d'emploi de longue durée")
    if parts:
        sentences.append(f"Parmi les personnes en contrat, on compte {' et '.join(parts)}.")
    cohort = report.cohort
    if cohort is not None:
        rate = report.rows("taux_sorties_dynamiques", year=cohort)
        known = report.rows(KNOWLEDGE_RATE[0], year=cohort)
        if len(rate) and not rate["valeur_masque"].iloc[0] and pd.notna(rate["valeur"].iloc[0]):
            sentences.append(f"Des personnes sorties en {cohort} dont la situation est connue {report.horizon} mois plus tard, "
                             f"{french_percent(rate['valeur'].iloc[0])} sont en emploi ou en sortie positive (sorties dynamiques)"
                             + (f" ; la situation est connue pour {french_percent(known['valeur'].iloc[0])} des sortants."
                                if len(known) and not known["valeur_masque"].iloc[0] and pd.notna(known["valeur"].iloc[0]) else "."))
    return sentences


def _figure_rows(report: Report, figures: list[tuple[str, str, str]], previous: bool) -> list[list[str]]:
    """One row per figure the table holds: label, value of N (and of N-1 when ``previous``), change."""
    rows = []
    for code, label, style in figures:
        total = report.rows(code)
        if len(total):
            row = total.iloc[0]
            rows.append([label, cell(row, "valeur", style), *([cell(row, "valeur_precedente", style)] if previous else []), change_cell(row, style)])
    return rows


def highlights(report: Report) -> Markdown:
    """The key figures of the first page: five or six figures with their change on N-1."""
    rows = _figure_rows(report, HIGHLIGHTS, previous=False)
    cohort = report.cohort
    if cohort is not None:
        rate = report.rows("taux_sorties_dynamiques", year=cohort).iloc[0]
        if not rate["valeur_masque"] and pd.notna(rate["valeur"]):
            rows.append([f"Sorties dynamiques à {report.horizon} mois (sortants de {cohort})", cell(rate, "valeur", "percent"),
                         cell(rate, "evolution", "points") if cohort == report.year else ""])
    hours = report.rows("heures")
    lecture = (f"en {report.year}, {cell(hours.iloc[0], 'valeur')} heures d'insertion ont été réalisées."
               if len(hours) and not hours["valeur_masque"].iloc[0] else "")
    return Markdown(markdown_table(rows, ["Indicateur", str(report.year), "Évolution sur un an"],
                                   f"{report.name} : l'essentiel en chiffres, {report.year}",
                                   notes=report.notes(f"contrats d'insertion actifs en {report.year} au titre des clauses sociales suivies", lecture)))


def method_box(report: Report) -> Markdown:
    """The methods box of the first pages: what is counted, how, and what is not shown."""
    etp = report.metadata["parametres"]["heures_etp"]
    return Markdown(editorial.box("Méthode en bref", [
        f"Les heures sont celles des contrats d'insertion actifs en {report.year} au titre des clauses sociales des marchés "
        f"suivis ; un équivalent temps plein compte {french_number(etp, 0)} heures. Une personne ou un employeur compte une "
        "fois, quel que soit le nombre de ses contrats.",
        f"Le devenir est la situation {report.horizon} mois après la fin du parcours, pour la dernière cohorte de sortants "
        "entièrement observable à la date d'extraction ; les taux portent sur les situations connues.",
        f"Secret statistique : les effectifs de 1 à {report.threshold} personnes et ce qui permettrait de les retrouver sont "
        "remplacés par « s ». Les évolutions décrivent les chiffres ; elles n'en donnent pas la cause. Définitions complètes en annexe."]))


def series(report: Report) -> Markdown:
    """The series since the first year with active contracts: hours, FTE, contracts, persons,
    employers, year by year."""
    years = _years(report)
    codes = [("heures", "Heures"), ("etp", "ETP"), ("contrats", "Contrats"), ("personnes", "Personnes"), ("entreprises", "Employeurs")]
    lines = []
    for year in years:
        line = [str(year)]
        for code, _ in codes:
            rows = report.rows(code, year=year)
            line.append(cell(rows.iloc[0], "valeur") if len(rows) else "")
        lines.append(line)
    return Markdown(markdown_table(lines, ["Année", *(label for _, label in codes)], f"{report.name} : la série depuis {years[0]}",
                                   notes=report.notes(f"contrats d'insertion actifs chaque année de {years[0]} à {years[-1]}")))


def _years(report: Report) -> list[int]:
    active = report.table.loc[(report.table["indicateur"] == "contrats") & (report.table["dimension"] == ENSEMBLE) & (report.table["valeur"] > 0), "annee"]
    return list(range(min(int(active.min()), report.year) if len(active) else report.year, report.year + 1))


def _date(report: Report) -> str:
    iso = report.metadata["parametres"]["date_extraction"]
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def key_figures(report: Report) -> Markdown:
    """The key figures of year N with N-1 and the change."""
    rows = _figure_rows(report, KEY_FIGURES, previous=True)
    etp = report.metadata["parametres"]["heures_etp"]
    caption = f"{report.name} : tous les chiffres clés, {report.year} et {report.year - 1}"
    notes = [*report.notes(f"contrats d'insertion actifs en {report.year} et {report.year - 1}"),
             f"Note : un équivalent temps plein compte {french_number(etp, 0)} heures."]
    return with_footnote([markdown_table(rows, ["Indicateur", str(report.year), str(report.year - 1), "Évolution"], caption, notes=notes)])


def trend_chart(report: Report) -> charts.FigureOutput:
    """Hours, persons and contracts over the years up to N: one panel each (small multiples)."""
    years = _years(report)
    series = {code: [report.total(code, year=y) for y in years] for code in ("heures", "personnes", "contrats")}
    figure = charts.trend(years, {"Heures réalisées": series["heures"], "Personnes en contrat": series["personnes"],
                                  "Contrats actifs": series["contrats"]}, f"Heures, personnes et contrats, {years[0]}-{years[-1]}")
    def shown(value: float) -> str:
        return french_number(value, 0) or UNPUBLISHED

    alt = (f"Évolution de {years[0]} à {years[-1]} : heures réalisées de {shown(series['heures'][0])} à "
           f"{shown(series['heures'][-1])}, personnes de {shown(series['personnes'][0])} à "
           f"{shown(series['personnes'][-1])}, contrats de {shown(series['contrats'][0])} à {shown(series['contrats'][-1])}.")
    first, last = series["heures"][0], series["heures"][-1]
    if len(years) > 1 and pd.notna(first) and pd.notna(last) and first > 0:
        message = f"{'Plus' if last > first else 'Moins'} d'heures d'insertion en {years[-1]} qu'en {years[0]} ({french_change(last / first - 1)})"
    else:
        message = f"Heures, personnes et contrats, {years[0]}-{years[-1]}"
    return charts.figure_output(figure, alt, message, report.notes(f"contrats d'insertion actifs de {years[0]} à {years[-1]}"))


def _breakdown(report: Report, indicator: str, dimension: str, second: str | None, headers: list[str], caption: str) -> str:
    rows = report.rows(indicator, dimension)
    other = report.rows(second, dimension) if second else None
    labels = LABELS.get(dimension, {})
    lines = []
    for modality, row in rows.iterrows():
        line = [labels.get(modality, CPV_DIVISIONS.get(modality, f"Division {modality}") if dimension == "division_cpv" else modality),
                cell(row, "valeur"), cell(row, "part", "percent")]
        if other is not None:
            line.append(cell(other.loc[modality], "part", "percent"))
        lines.append(line)
    return table_or_notice(lines, headers, caption, notes=report.notes(CHAMPS[indicator].format(year=report.year)))


#: The Champ line of a breakdown of each indicator.
CHAMPS = {"personnes": "personnes en contrat d'insertion en {year} au titre des clauses sociales suivies",
          "contrats": "contrats d'insertion actifs en {year} au titre des clauses sociales suivies",
          "heures": "heures d'insertion réalisées en {year} au titre des clauses sociales suivies",
          "entreprises": "employeurs des contrats d'insertion actifs en {year}"}
#: How a masked value reads in a caption or a sentence.
UNPUBLISHED = "non publié (secret statistique)"


def table_or_notice(rows: list[list[str]], header: list[str], caption: str, align: str | None = None, notes: list[str] = ()) -> str:
    """The table with its notes, or one sentence in its place when more than half of its figures
    are masked: a table of marks tells the reader nothing but that the group is small."""
    figures = [c for row in rows for c in row[1:] if c != ""]
    if figures and sum(c == MARK for c in figures) * 2 > len(figures):
        return f"{markdown(caption)} : tableau non publié, trop peu de personnes ou d'employeurs pour le diffuser (secret statistique).\n"
    return markdown_table(rows, header, caption, align, notes)


def people_reached(report: Report) -> Markdown:
    """Who was reached: persons by sex, age band, training level and public (shares of persons)."""
    parts = []
    for dimension in ("sexe", "tranche_age", "niveau_formation", "public"):
        label = DIMENSIONS[dimension][0].split(" (")[0]
        note = " ; une personne compte dans chaque public qui la concerne" if dimension == "public" else ""
        parts.append(_breakdown(report, "personnes", dimension, "heures", [label, "Personnes", "Part des personnes", "Part des heures"],
                                f"Personnes en contrat en {report.year} par {label.lower()}{note}"))
    return with_footnote(parts)


def publics_chart(report: Report) -> charts.FigureOutput | Markdown:
    """Shares of persons in each public whose share is published (the masked ones are named in the
    description, never drawn)."""
    rows = report.rows("personnes", "public")
    shown = rows.loc[~rows["part_masque"] & rows["part"].notna()]
    hidden = [PUBLICS[m].split(" (")[0] for m in rows.index if m not in shown.index]
    if shown.empty:
        return Markdown("")
    labels = [PUBLICS[m].split(" (")[0] for m in shown.index]
    figure = charts.shares(labels, shown["part"].tolist(), f"Publics des personnes en contrat en {report.year}", "Part des personnes")
    alt = "Part des personnes par public : " + " ; ".join(f"{l} {french_percent(v)}" for l, v in zip(labels, shown["part"]))
    notes = [*report.notes(CHAMPS["personnes"].format(year=report.year)), "Note : une personne compte dans chaque public qui la concerne."]
    if hidden:
        alt += f". {UNPUBLISHED.capitalize()} : " + ", ".join(hidden)
        notes.append(_not_drawn(hidden))
    first = shown["part"].idxmax()
    title = f"{PUBLICS[first].split(' (')[0]} : le premier public, {french_percent(shown['part'].max())} des personnes en {report.year}"
    return charts.figure_output(figure, alt + ".", title, notes)


def delivery(report: Report) -> Markdown:
    """How: contract types, delivery methods and types of employer."""
    parts = [_breakdown(report, "contrats", dimension, "heures", [DIMENSIONS[dimension][0], "Contrats", "Part des contrats", "Part des heures"],
                        f"Contrats actifs en {report.year} par {DIMENSIONS[dimension][0].lower()}")
             for dimension in ("type_contrat", "modalite", "type_structure")]
    parts.append(_breakdown(report, "entreprises", "taille", None, ["Taille", "Employeurs", "Part"], f"Employeurs en {report.year} par taille"))
    return with_footnote(parts)


def origin(report: Report) -> Markdown:
    """Where from: market types, buyer types, legal mechanisms and CPV divisions."""
    parts = [_breakdown(report, "heures", dimension, "operations", [DIMENSIONS[dimension][0].split(" (")[0], "Heures", "Part des heures", "Part des opérations"],
                        f"Heures réalisées en {report.year} par {DIMENSIONS[dimension][0].split(' (')[0].lower()}")
             for dimension in ("type_marche", "type_acheteur", "dispositif", "division_cpv")]
    return with_footnote(parts)


def _rate_cells(row: pd.Series) -> list[str]:
    return [cell(row, "valeur", "percent"), interval(row), cell(row, "effectif"), cell(row, "evolution", "points")]


#: Below this share of known situations, the report gives the bounds of every outcome rate.
MIN_KNOWN = 0.70


def _count_words(row: pd.Series) -> str:
    return _unpublished("personnes") if row["valeur_masque"] else f"{french_number(row['valeur'], 0)} personne{'s' if row['valeur'] > 1 else ''}"


def _bounds(rate: pd.Series, known: pd.Series) -> list[str]:
    """Worst and best cases of an outcome rate: every unknown situation a failure, or a success."""
    if rate["valeur_masque"] or rate["effectif_masque"] or known["effectif_masque"]:
        return [MARK, MARK]
    if pd.isna(rate["valeur"]):
        return ["", ""]
    base = known["effectif"]  # the cohort less the neutralised: known and unknown situations
    unknown = base - rate["effectif"]
    successes = round(rate["valeur"] * rate["effectif"])
    return [french_percent(successes / base, 1, fixed=True), french_percent((successes + unknown) / base, 1, fixed=True)]


def cohort_intro(report: Report) -> str:
    """Which cohort the outcome section is about, and why."""
    leavers = report.rows("sortants").iloc[0]
    pending = report.rows(NOT_OBSERVABLE[0]).iloc[0]
    cohort = report.cohort
    if cohort == report.year:
        return ""
    pending_words = ("certaines" if pending["valeur_masque"] else f"{french_number(pending['valeur'], 0)}")
    text = (f"Les personnes sorties en {report.year} ({_count_words(leavers)}) ne sont pas encore toutes observables "
            f"{report.horizon} mois après leur sortie : pour {pending_words} d'entre elles, cet horizon tombe après la date "
            f"d'extraction ({_date(report)}). ")
    if cohort is None:
        return text + "Aucune cohorte de sortants n'est encore complète dans les données : le devenir n'est pas présenté.\n"
    return text + (f"Cette partie porte donc sur la dernière cohorte complète : les personnes sorties en {cohort}, toutes "
                   f"observables à {report.horizon} mois.\n")


def outcomes(report: Report) -> Markdown:
    """What became of people ``horizon`` months after their path ended, for the last complete
    cohort: the knowledge rate beside the outcome rates with their intervals (and their bounds when
    fewer than 70 % of situations are known), the situations, and the rates by group."""
    intro = cohort_intro(report)
    cohort = report.cohort
    if cohort is None:
        return Markdown(intro)
    leavers = report.rows("sortants", year=cohort).iloc[0]
    known = report.rows(KNOWLEDGE_RATE[0], year=cohort).iloc[0]
    low_knowledge = not known["valeur_masque"] and pd.notna(known["valeur"]) and known["valeur"] < MIN_KNOWN
    share = ("une part qui n'est pas publiée (trop peu de personnes)" if known["valeur_masque"] or pd.isna(known["valeur"])
             else f"{french_percent(known['valeur'])} d'entre elles")
    text = (f"En {cohort}, {_count_words(leavers)} ont terminé leur parcours (aucun contrat en cours ensuite). "
            f"Leur situation {report.horizon} mois plus tard est connue pour {share} (hors situations neutralisées). "
            "Les taux portent sur les situations connues ; l'intervalle de confiance à 95 % (Wilson) mesure la précision "
            "due au petit nombre.\n")
    if low_knowledge:
        text += (f"\n**Attention : la situation n'est connue que pour {french_percent(known['valeur'])} des sortants (moins de "
                 f"{french_percent(MIN_KNOWN, 0)}).** Les taux pourraient être très différents si les situations inconnues "
                 "ressemblaient peu aux connues : les deux dernières colonnes donnent leurs bornes, si toutes les situations "
                 "inconnues étaient des échecs ou toutes des réussites.\n")
    rows = [[KNOWLEDGE_RATE[1], *_rate_cells(known)] + (["", ""] if low_knowledge else [])]
    for code, (label, _) in RATES.items():
        rate = report.rows(code, year=cohort).iloc[0]
        rows.append([label, *_rate_cells(rate)] + (_bounds(rate, known) if low_knowledge else []))
    header = ["Taux", "Valeur", "Intervalle à 95 %", "Effectif (dénominateur)", f"Évolution sur {cohort - 1}"]
    header += ["Si les inconnues étaient des échecs", "Si les inconnues étaient des réussites"] if low_knowledge else []
    champ = report.notes(f"personnes sorties en {cohort}, situation {report.horizon} mois après la fin de leur parcours")
    parts = [intro, text, table_or_notice(rows, header, f"Devenir à {report.horizon} mois des personnes sorties en {cohort}", notes=champ)]
    groups = report.rows("sortants", "situation_groupe", year=cohort)
    parts.append(table_or_notice([[SITUATION_GROUPE[m], cell(r, "valeur"), cell(r, "part", "percent")] for m, r in groups.iterrows()],
                                ["Situation", "Personnes", "Part de la cohorte"], f"Situation à {report.horizon} mois des personnes sorties en {cohort}",
                                notes=champ))
    by_group = []
    for dimension in ("sexe", "tranche_age", "public"):
        knowledge = report.rows(KNOWLEDGE_RATE[0], dimension, year=cohort)
        for modality, row in report.rows("taux_sorties_dynamiques", dimension, year=cohort).iterrows():
            by_group.append([LABELS[dimension][modality].split(" (")[0], *_rate_cells(row)[:3], cell(knowledge.loc[modality], "valeur", "percent")])
    parts.append(table_or_notice(by_group, ["Groupe", "Sorties dynamiques", "Intervalle à 95 %", "Situations connues", "Taux de connaissance"],
                                f"Taux de sorties dynamiques des personnes sorties en {cohort}, par groupe", notes=champ))
    return with_footnote(parts)


def outcomes_chart(report: Report) -> charts.FigureOutput | Markdown:
    """The outcome rates of the last complete cohort with their 95 % intervals."""
    cohort = report.cohort
    if cohort is None:
        return Markdown("")
    labels = dict([KNOWLEDGE_RATE, *((code, label) for code, (label, _) in RATES.items())])
    rows = {code: report.rows(code, year=cohort).iloc[0] for code in labels}
    shown = {code: row for code, row in rows.items() if not row["valeur_masque"] and pd.notna(row["valeur"])}
    if not shown:
        return Markdown("")
    figure = charts.rates([labels[c] for c in shown], [r["valeur"] for r in shown.values()], [r["ic_bas"] for r in shown.values()],
                          [r["ic_haut"] for r in shown.values()], f"Devenir à {report.horizon} mois des sortants de {cohort}")
    alt = "Taux et intervalles à 95 % : " + " ; ".join(
        f"{labels[c]} {french_percent(r['valeur'])} ({french_percent(r['ic_bas'])} à {french_percent(r['ic_haut'])})" for c, r in shown.items())
    hidden = [labels[c] for c in rows if c not in shown]
    notes = report.notes(f"personnes sorties en {cohort} dont la situation à {report.horizon} mois est connue")
    if hidden:
        alt += f". {UNPUBLISHED.capitalize()} : " + ", ".join(hidden)
        notes.append(_not_drawn(hidden))
    return charts.figure_output(figure, alt + ".", f"Devenir à {report.horizon} mois des personnes sorties en {cohort}, avec les intervalles à 95 %", notes)


def methods(report: Report) -> Markdown:
    """The methods annex: definitions, coverage, conventions, masking rule, and the technical
    provenance (version, files read and their SHA-256, also in ``metadonnees.json``)."""
    parameters = report.metadata["parametres"]
    lines = [
        "Définitions. Un contrat est actif l'année N s'il a commencé au plus tard le 31 décembre et s'est terminé au plus tôt le "
        "1er janvier (un contrat sans date de fin court jusqu'à la date d'extraction). Les heures d'un contrat sont celles de ses "
        "déclarations mensuelles quand il en a ; sinon ses heures réalisées sont réparties également sur ses jours calendaires, "
        "bornes comprises. Les personnes, employeurs, opérations et acheteurs sont comptés une fois chacun ; pour l'ensemble des "
        "territoires, une personne recrutée dans deux territoires compte une fois. Une personne est sortie l'année N quand son "
        "dernier contrat s'y termine et qu'aucun ne court plus. La cohorte de N rassemble les sortants de N dont la situation "
        "pouvait être observée à l'horizon avant la date d'extraction ; les autres sont comptés à part, jamais comme inconnus, et "
        "une cohorte n'est complète que lorsque tous ses sortants sont observables. La situation est celle du suivi à l'horizon "
        "observé entre un mois avant et deux mois après la date attendue ; sans suivi utilisable, elle est inconnue. Les sorties "
        "dynamiques regroupent l'emploi durable, l'emploi de transition et les sorties positives ; les situations neutralisées "
        "(déménagement, santé, décès) sont exclues des dénominateurs.",
        "",
        "Date d'extraction et années couvertes. Par défaut, la date d'extraction est la dernière date observée des données "
        "(débuts et fins de contrats, mois d'heures déclarées, suivis) ; une date de fin isolée dans une année où rien d'autre "
        "n'est observé est prise pour une date prévue. Une année qui s'arrête avant le 31 décembre est partielle : ses chiffres "
        "sont provisoires et sans évolution. Une évolution n'est calculée que si l'année précédente est couverte depuis le "
        "1er janvier (première date observée en janvier et au moins un contrat terminé dans l'année).",
        "",
        "Indicateurs : " + " ; ".join(d.label for d in DEFINITIONS.values()) + ".",
        "",
        f"Conventions : un équivalent temps plein compte {french_number(parameters['heures_etp'], 0)} heures ; date d'extraction "
        f"{_date(report)} ({parameters.get('date_extraction_origine', '')}) ; horizon du devenir {report.horizon} mois.",
        "",
        f"Règle de diffusion : les comptes de 1 à {report.threshold} personnes, les taux dont le numérateur ou le dénominateur "
        f"compte de 1 à {report.threshold} personnes et les comptes de moins de 3 employeurs sont masqués (« {MARK} »), ainsi que les "
        "valeurs qui permettraient de les retrouver par différence (autres cellules d'une même ventilation, valeur de "
        "l'année précédente, évolution, part).",
        "",
        f"Source : dossier « {markdown(Path(report.metadata['entrees']['dossier']).name)} », données extraites le {_date(report)}. "
        f"Kit : impact {report.metadata['version']}. Les paramètres et l'empreinte SHA-256 de chaque fichier de données lu "
        "figurent aussi dans metadonnees.json, publié avec ce rapport et avec indicateurs.csv.",
        "",
    ]
    files = report.metadata["entrees"]["fichiers"]
    table = markdown_table([[Path(name).name, Markup(f"`{entry['sha256']}`")] for name, entry in files.items()], ["Fichier", "SHA-256"],
                           "Fichiers de données lus et leur empreinte SHA-256", "ll")
    return Markdown("\n".join(lines) + "\n" + table)
