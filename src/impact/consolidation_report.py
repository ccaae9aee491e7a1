"""The consolidation report (``notebooks/consolidation.ipynb``): the national series, the totals of
the year with their change like for like, what each total rests on (returns, territories, share of
the hours), the territories ranked, the regions when a mapping is given, and what consolidation
cannot do: persons are summed over returns and cannot be de-duplicated. Everything shown comes
from the published (masked) consolidated table and its metadata; a return that carries only a few
totals leaves the other lines empty, never the report undone.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from impact import charts, editorial
from impact.bilan import LABELS, cell, read_published, with_footnote
from impact.editorial import Publisher
from impact.escaping import markdown
from impact.formatting import french_number, french_percent
from impact.hints import UserError
from impact.tables import markdown_table
from impact.indicators import ENSEMBLE

#: The national totals shown, with their label and style.
TOTALS = [("heures", "Heures d'insertion réalisées", "number"), ("etp", "Équivalents temps plein", "number"),
          ("contrats", "Contrats actifs", "number"), ("personnes", "Personnes en contrat (somme des retours)", "number"),
          ("entreprises", "Employeurs (somme des retours)", "number"), ("operations", "Opérations en cours", "number"),
          ("acheteurs", "Acheteurs (somme des retours)", "number"), ("heures_par_contrat", "Heures par contrat", "number"),
          ("sortants", "Personnes sorties", "number"), ("taux_sorties_dynamiques", "Taux de sorties dynamiques", "percent")]
#: The national series: indicator and label.
SERIES = [("heures", "Heures"), ("contrats", "Contrats"), ("personnes", "Personnes (somme)"), ("entreprises", "Employeurs (somme)")]


@dataclass(frozen=True)
class Consolidation:
    """The consolidated table (published), its year, its metadata (returns, coverage) and the
    region of each territory."""

    year: int
    table: pd.DataFrame
    metadata: dict
    regions: pd.Series
    facilitators: pd.Series = field(default_factory=lambda: pd.Series(dtype=str))
    publisher: Publisher = Publisher()

    def notes(self, champ: str, lecture: str = "") -> list[str]:
        """The Champ, Source and Lecture lines of a table or figure of this report."""
        return [f"Champ : {champ}", f"Source : retours des facilitateurs ({len(self.metadata['entrees']['retours'])} fichiers "
                f"indicateurs.csv), consolidés par {self.publisher.source}.",
                *([f"Lecture : {lecture}"] if lecture else [])]

    @property
    def territories(self) -> list[str]:
        return sorted(set(self.table["territoire"]) - {ENSEMBLE})

    @property
    def coverage(self) -> pd.DataFrame:
        """What each total rests on, per year and indicator (see :func:`impact.consolidation.coverage`)."""
        frame = pd.DataFrame(self.metadata.get("couverture", []))
        return frame.set_index(["annee", "indicateur"]) if len(frame) else frame


class RegionsError(UserError):
    """The ``--regions`` table cannot be used."""


def read_regions(path: str | Path) -> pd.DataFrame:
    """The ``--regions`` table (headers in lower case), or :class:`RegionsError` in French when it
    cannot be read or lacks ``territoire`` or ``region``."""
    try:
        frame = pd.read_csv(path, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise RegionsError(f"table des régions « {path} » illisible ({type(error).__name__})", "regions_illisible") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("territoire", "region") if c not in frame.columns]
    if missing:
        raise RegionsError(f"table des régions « {path} » : colonne(s) absente(s) : {', '.join(missing)} "
                           f"(colonnes lues : {', '.join(frame.columns)})", "regions_illisible")
    return frame


def prepare(indicateurs: str | Path, annee: int, regions: str | Path | None = None, editeur: str | None = None,
            publication: str | Path | None = None, date_publication: str | None = None) -> Consolidation:
    """The report of the consolidated ``indicateurs.csv`` for ``annee``; ``regions``: an optional
    side table (CSV) with ``territoire`` and ``region`` columns (the ``territoires`` table of the
    data model) and, optionally, ``type_facilitateur`` (the kind of structure that facilitates the
    territory's clauses: maison de l'emploi, PLIE, collectivité...); ``editeur``: the publisher's
    name, replacing that of ``publication.toml``, read in the folder ``publication`` (the output
    folder of ``impact consolider``), by default beside ``indicateurs``; ``date_publication``: the
    date printed on the report (``AAAA-MM-JJ``; default: today)."""
    path = Path(indicateurs)
    mapping = kinds = pd.Series(dtype=str)
    if regions:
        frame = read_regions(regions)
        mapping = frame.set_index("territoire")["region"].dropna()
        if "type_facilitateur" in frame.columns:
            kinds = frame.set_index("territoire")["type_facilitateur"].dropna()
    metadata = json.loads((path.parent / "metadonnees.json").read_text(encoding="utf-8"))
    return Consolidation(int(annee), read_published(path), metadata, mapping, kinds, editorial.publisher(publication or path.parent, editeur, date_publication))


def _total(report: Consolidation, territory: str, indicator: str, year: int | None = None) -> pd.Series | None:
    table = report.table
    rows = table.loc[(table["annee"] == (year or report.year)) & (table["territoire"] == territory) & (table["indicateur"] == indicator)
                     & (table["dimension"] == ENSEMBLE)]
    return rows.iloc[0] if len(rows) else None


def _shown(row: pd.Series | None, column: str = "valeur", style: str = "number") -> str:
    """A cell of a total that a return may not carry: empty when absent."""
    return "" if row is None else cell(row, column, style)


def title(report: Consolidation) -> Markdown:
    """The front matter, *L'essentiel* in sentences, the scope and the warning on persons."""
    returns = report.metadata["entrees"]["retours"]
    years = sorted(set(report.table["annee"]))
    span = f"{years[0]} à {years[-1]}" if len(years) > 1 else str(years[0])
    head = editorial.front_matter(f"Consolidation {report.year} des clauses sociales d'insertion",
                                  f"{len(report.territories)} territoires, {len(returns)} retours de facilitateurs, {span}",
                                  report.publisher, None)
    return editorial.opening("\n".join([
        head, "## L'essentiel", "", *(f"{markdown(s)}\n" for s in summary(report)),
        f"Cette consolidation rassemble {len(returns)} retours de facilitateurs couvrant {len(report.territories)} territoires "
        f"({span}). Les comptes sont additionnés ; les parts, les ratios, les taux et leurs intervalles sont recalculés à partir "
        "des comptes additionnés, jamais moyennés ; un ratio ne porte que sur les territoires qui en donnent les deux termes. "
        "Les évolutions nationales sont calculées à périmètre constant : sur les seuls territoires connus les deux années.", "",
        "Attention : les personnes, les employeurs et les acheteurs sont additionnés d'un retour à l'autre et ne peuvent pas "
        "être dédoublonnés ; une personne recrutée dans deux territoires suivis par deux facilitateurs compte deux fois.", ""]),
        report.publisher)


def summary(report: Consolidation) -> list[str]:
    """What the consolidation shows, in sentences: the year's hours and their like-for-like change,
    what they rest on; descriptions, never causes."""
    hours = _total(report, ENSEMBLE, "heures")
    if hours is None or hours["valeur_masque"] or pd.isna(hours["valeur"]):
        return [f"Aucun retour ne donne les heures de {report.year}."]
    cover = report.coverage
    returns = cover["retours"].get((report.year, "heures"), "") if len(cover) else ""
    sentence = (f"En {report.year}, les retours consolidés totalisent {cell(hours, 'valeur')} heures d'insertion"
                + (f" ({returns} retours)" if returns != "" else ""))
    if not hours["evolution_masque"] and pd.notna(hours["evolution"]):
        compared = cover["territoires_comparables"].get((report.year, "heures"), 0) if len(cover) else 0
        sentence += (f", {editorial.direction(hours['evolution'])} sur {report.year - 1} à périmètre constant "
                     f"({french_number(compared, 0)} territoires connus les deux années)")
    sentences = [sentence + "."]
    persons, contracts = _total(report, ENSEMBLE, "personnes"), _total(report, ENSEMBLE, "contrats")
    if persons is not None and contracts is not None and not persons["valeur_masque"] and not contracts["valeur_masque"]:
        sentences.append(f"Ils déclarent {cell(contracts, 'valeur')} contrats et {cell(persons, 'valeur')} personnes (somme des "
                         "retours, sans dédoublonnage).")
    return sentences


def national(report: Consolidation) -> Markdown:
    """The national totals of year N, N-1 and the change like for like, with the number of
    territories it compares."""
    cover = report.coverage
    rows = []
    for code, label, style in TOTALS:
        row = _total(report, ENSEMBLE, code)
        if row is None:
            continue
        compared = cover["territoires_comparables"].get((report.year, code), 0) if len(cover) else 0
        change = cell(row, "evolution", "points" if style == "percent" else "change")
        rows.append([label, cell(row, "valeur", style), cell(row, "valeur_precedente", style), change,
                     french_number(compared, 0) if change else ""])
    header = ["Indicateur", str(report.year), str(report.year - 1), "Évolution à périmètre constant", "Territoires comparés"]
    return with_footnote([markdown_table(rows, header, f"Totaux consolidés {report.year} et évolution sur {report.year - 1}")])


def series(report: Consolidation) -> Markdown:
    """The national series over every year returned, with the number of returns of each year."""
    cover = report.coverage
    years = sorted(set(report.table["annee"]))
    lines = []
    for year in years:
        returns = cover["retours"].get((year, "heures"), "") if len(cover) else ""
        lines.append([str(year), *(_shown(_total(report, ENSEMBLE, code, year)) for code, _ in SERIES), str(returns)])
    return with_footnote([markdown_table(lines, ["Année", *(label for _, label in SERIES), "Retours (heures)"],
                                         f"Série consolidée, {years[0]}-{years[-1]}",
                                         notes=report.notes(f"retours reçus pour chaque année de {years[0]} à {years[-1]} ; un total ne "
                                                            "porte que sur les retours qui le donnent (colonne Retours)")
                                         + ["Note : personnes et employeurs additionnés d'un retour à l'autre, sans dédoublonnage."])])


def series_chart(report: Consolidation) -> charts.FigureOutput | Markdown:
    """The national hours and the number of returns, year by year (two panels, never two axes)."""
    cover = report.coverage
    years = sorted(set(report.table["annee"]))
    if len(years) < 2:
        return Markdown("")
    hours = [_value(_total(report, ENSEMBLE, "heures", y)) for y in years]
    returns = [float(cover["retours"].get((y, "heures"), float("nan"))) if len(cover) else float("nan") for y in years]
    figure = charts.trend(years, {"Heures d'insertion réalisées": hours, "Retours reçus": returns}, f"Série consolidée, {years[0]}-{years[-1]}")
    alt = ("Heures consolidées et retours par année : "
           + " ; ".join(f"{y} : {french_number(h, 0) + ' heures' if french_number(h, 0) else 'heures non publiées'}, {french_number(r, 0)} retours" for y, h, r in zip(years, hours, returns)) + ".")
    return charts.figure_output(figure, alt, f"Heures consolidées et nombre de retours, {years[0]}-{years[-1]}",
                                report.notes("retours reçus pour chaque année ; les totaux dépendent du nombre de retours"))


def _value(row: pd.Series | None) -> float:
    return float("nan") if row is None or row["valeur_masque"] else float(row["valeur"])


#: The breakdowns of the national totals, like the AVE's consolidations: indicator, dimension, title.
BREAKDOWNS = [("personnes", "public", "Personnes par public"), ("personnes", "sexe", "Personnes par sexe"),
              ("personnes", "tranche_age", "Personnes par tranche d'âge"), ("contrats", "type_contrat", "Contrats par type"),
              ("contrats", "type_structure", "Contrats par type d'employeur"), ("heures", "type_acheteur", "Heures par type d'acheteur"),
              ("heures", "type_marche", "Heures par type de marché")]


def breakdowns(report: Consolidation) -> Markdown:
    """Publics, contracts, employers, buyers and markets of the year, from the returns that give
    them (a return that carries only totals leaves them out: the shares are over those returns)."""
    parts = []
    for indicator, dimension, heading in BREAKDOWNS:
        table = report.table
        rows = table.loc[(table["annee"] == report.year) & (table["territoire"] == ENSEMBLE) & (table["indicateur"] == indicator)
                         & (table["dimension"] == dimension)]
        if rows.empty:
            continue
        labels = LABELS.get(dimension, {})
        lines = [[labels.get(m, m).split(" (")[0], cell(r, "valeur"), cell(r, "part", "percent")] for m, r in rows.set_index("modalite").iterrows()]
        unit = {"personnes": "Personnes (somme)", "contrats": "Contrats", "heures": "Heures"}[indicator]
        notes = report.notes(f"retours de {report.year} qui donnent cette ventilation")
        if indicator == "personnes":
            notes.append("Note : personnes additionnées d'un retour à l'autre ; une personne compte dans chaque public qui la concerne."
                         if dimension == "public" else "Note : personnes additionnées d'un retour à l'autre.")
        parts.append(markdown_table(lines, [heading.split(" par ")[1].capitalize(), unit, "Part"], f"{heading}, {report.year}", notes=notes))
    if not parts:
        return Markdown(f"Aucun retour ne donne de ventilation pour {report.year} : seuls les totaux sont consolidés.\n")
    return with_footnote(parts)


def facilitators(report: Consolidation) -> Markdown:
    """Hours, contracts and persons summed by type of facilitator, when the side table gives it."""
    if report.facilitators.empty:
        return Markdown("La table des territoires ne donne pas de type de facilitateur : pas de regroupement par type.\n")
    return _grouped(report, report.facilitators, "Type de facilitateur", f"Consolidation par type de facilitateur, {report.year}")


def resting_on(report: Consolidation) -> Markdown:
    """What each total of year N rests on: returns, territories and their share of the hours."""
    cover = report.coverage
    if not len(cover) or report.year not in cover.index.get_level_values("annee"):
        return Markdown("")
    year = cover.xs(report.year, level="annee")
    labels = {code: label for code, label, _ in TOTALS}
    lines = [[labels.get(code, code), french_number(row["retours"], 0), french_number(row["territoires"], 0),
              french_percent(row["part_heures"]) if pd.notna(row["part_heures"]) else ""]
             for code, row in year.iterrows() if code in labels]
    note = ("Un total ne porte que sur les retours qui le donnent : la dernière colonne dit quelle part des heures réalisées "
            "ces territoires représentent. Une part inférieure à 100 % signale un total partiel.\n")
    return Markdown(note + "\n" + markdown_table(lines, ["Indicateur", "Retours", "Territoires", "Part des heures"],
                                                 f"Sur quoi reposent les totaux {report.year}"))


def ranking(report: Consolidation) -> Markdown:
    """The territories ranked by hours carried out in N (those that return their hours)."""
    lines = []
    for territory in report.territories:
        hours = _total(report, territory, "heures")
        if hours is None:
            continue
        lines.append((hours["valeur"] if not hours["valeur_masque"] and pd.notna(hours["valeur"]) else -1, territory, hours))
    lines.sort(key=lambda item: (-item[0], item[1]))
    rows = [[str(rank), territory, cell(hours, "valeur"), cell(hours, "evolution", "change"),
             _shown(_total(report, territory, "personnes")), _shown(_total(report, territory, "contrats")),
             report.regions.get(territory, "")]
            for rank, (_, territory, hours) in enumerate(lines, start=1)]
    if not rows:
        return Markdown(f"Aucun retour ne donne les heures de {report.year} : pas de classement.\n")
    return with_footnote([markdown_table(rows, ["Rang", "Territoire", "Heures", "Évolution", "Personnes", "Contrats", "Région"],
                                         f"Territoires classés par heures réalisées en {report.year}", "rlrrrrl")])


def regions(report: Consolidation) -> Markdown:
    """Hours, contracts and persons summed by region, when a mapping is given."""
    if report.regions.empty:
        return Markdown("Les retours ne portent pas de région, et aucune table des territoires ne les y rattache : pas de regroupement par région.\n")
    return _grouped(report, report.regions, "Région", f"Consolidation par région, {report.year}")


def _grouped(report: Consolidation, mapping: pd.Series, heading: str, caption: str) -> Markdown:
    """Hours, contracts, persons and returning territories summed by group of territories."""
    table = report.table.loc[(report.table["annee"] == report.year) & (report.table["dimension"] == ENSEMBLE)
                             & report.table["indicateur"].isin(["heures", "contrats", "personnes"]) & (report.table["territoire"] != ENSEMBLE)]
    table = table.assign(groupe=table["territoire"].map(mapping).fillna("Non renseigné"))
    unknown = table.groupby(["groupe", "indicateur"])["valeur_masque"].any()
    sums = table.groupby(["groupe", "indicateur"])["valeur"].sum().where(~unknown).unstack().reindex(columns=["heures", "contrats", "personnes"])
    counts = table.groupby("groupe")["territoire"].nunique()
    sums = sums.assign(_order=sums["heures"].fillna(-1)).sort_values("_order", ascending=False)
    rows = [[group, french_number(counts[group], 0),
             *("s" if unknown.get((group, c), False) else french_number(sums.loc[group, c], 0) if pd.notna(sums.loc[group, c]) else ""
               for c in ("heures", "contrats", "personnes"))]
            for group in sums.index]
    return with_footnote([markdown_table(rows, [heading, "Territoires", "Heures", "Contrats", "Personnes (somme)"], caption,
                                         notes=report.notes(f"retours de {report.year}, groupés selon la table des territoires")
                                         + ["Note : personnes additionnées d'un retour à l'autre, sans dédoublonnage."])])


def _told_apart(paths: list[str]) -> list[str]:
    """The returns' file paths from their common folder (``sud/2024/indicateurs.csv``), never a
    list of identical names (every return is an ``indicateurs.csv``)."""
    if len(paths) < 2:
        return [Path(p).name for p in paths]
    absolute = [os.path.abspath(p) for p in paths]
    common = os.path.commonpath(absolute)
    return [Path(p).name if p == common else Path(os.path.relpath(p, common)).as_posix() for p in absolute]


def sources(report: Consolidation) -> Markdown:
    """The returns, the parameters, and where the technical provenance is."""
    returns = report.metadata["entrees"]["retours"]
    text = (f"Un équivalent temps plein compte {french_number(report.metadata['parametres']['heures_etp'], 0)} heures. Seuil de "
            f"diffusion : {report.metadata['parametres']['seuil']} personnes. Retours consolidés : {markdown(', '.join(_told_apart(returns)))}.\n\n"
            "Provenance : la version du kit, les paramètres et l'empreinte SHA-256 de chaque retour figurent dans metadonnees.json, "
            "publié avec ce rapport et avec indicateurs.csv.\n")
    return Markdown(text)
