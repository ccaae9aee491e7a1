"""The consolidation report (``notebooks/consolidation.ipynb``): the national series, the totals of
the year with their change like for like, what each total rests on (returns, territories, share of
the hours), the territories ranked, the regions when a mapping is given, and what consolidation
cannot do: persons are summed over returns and cannot be de-duplicated. Everything shown comes
from the published (masked) consolidated table and its metadata; a return that carries only a few
totals leaves the other lines empty, never the report undone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from impact.bilan import cell, read_published, with_footnote
from impact.formatting import french_number, french_percent
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

    @property
    def territories(self) -> list[str]:
        return sorted(set(self.table["territoire"]) - {ENSEMBLE})

    @property
    def coverage(self) -> pd.DataFrame:
        """What each total rests on, per year and indicator (see :func:`impact.consolidation.coverage`)."""
        frame = pd.DataFrame(self.metadata.get("couverture", []))
        return frame.set_index(["annee", "indicateur"]) if len(frame) else frame


def prepare(indicateurs: str | Path, annee: int, regions: str | Path | None = None) -> Consolidation:
    """The report of the consolidated ``indicateurs.csv`` for ``annee``; ``regions``: an optional
    CSV with ``territoire`` and ``region`` columns (the ``territoires`` table of the data model)."""
    path = Path(indicateurs)
    mapping = pd.Series(dtype=str)
    if regions:
        frame = pd.read_csv(regions, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
        frame.columns = [c.strip().lower() for c in frame.columns]
        mapping = frame.set_index("territoire")["region"].dropna()
    metadata = json.loads((path.parent / "metadonnees.json").read_text(encoding="utf-8"))
    return Consolidation(int(annee), read_published(path), metadata, mapping)


def _total(report: Consolidation, territory: str, indicator: str, year: int | None = None) -> pd.Series | None:
    table = report.table
    rows = table.loc[(table["annee"] == (year or report.year)) & (table["territoire"] == territory) & (table["indicateur"] == indicator)
                     & (table["dimension"] == ENSEMBLE)]
    return rows.iloc[0] if len(rows) else None


def _shown(row: pd.Series | None, column: str = "valeur", style: str = "number") -> str:
    """A cell of a total that a return may not carry: empty when absent."""
    return "" if row is None else cell(row, column, style)


def title(report: Consolidation) -> Markdown:
    """The front matter, the scope and the warning on persons."""
    returns = report.metadata["entrees"]["retours"]
    years = sorted(set(report.table["annee"]))
    span = f"{years[0]} à {years[-1]}" if len(years) > 1 else str(years[0])
    return Markdown("\n".join([
        "---", f'title: "Consolidation {report.year} des clauses sociales d\'insertion"', "lang: fr", "---", "",
        f"Cette consolidation rassemble {len(returns)} retours de facilitateurs couvrant {len(report.territories)} territoires "
        f"({span}). Les comptes sont additionnés ; les parts, les ratios, les taux et leurs intervalles sont recalculés à partir "
        "des comptes additionnés, jamais moyennés ; un ratio ne porte que sur les territoires qui en donnent les deux termes. "
        "Les évolutions nationales sont calculées à périmètre constant : sur les seuls territoires connus les deux années.", "",
        "Attention : les personnes, les employeurs et les acheteurs sont additionnés d'un retour à l'autre et ne peuvent pas "
        "être dédoublonnés ; une personne recrutée dans deux territoires suivis par deux facilitateurs compte deux fois.", ""]))


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
                                         f"Série consolidée, {years[0]}-{years[-1]}")])


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
        return Markdown("Les retours ne portent pas de région : donnez la table des territoires (`--regions`) pour ce regroupement.\n")
    table = report.table.loc[(report.table["annee"] == report.year) & (report.table["dimension"] == ENSEMBLE)
                             & report.table["indicateur"].isin(["heures", "contrats", "personnes"]) & (report.table["territoire"] != ENSEMBLE)]
    table = table.assign(region=table["territoire"].map(report.regions).fillna("Région non renseignée"))
    unknown = table.groupby(["region", "indicateur"])["valeur_masque"].any()
    sums = table.groupby(["region", "indicateur"])["valeur"].sum().where(~unknown).unstack().reindex(columns=["heures", "contrats", "personnes"])
    rows = [[region, *("s" if unknown.get((region, c), False) else french_number(sums.loc[region, c], 0) if pd.notna(sums.loc[region, c]) else ""
                       for c in ("heures", "contrats", "personnes"))]
            for region in sums.index]
    return with_footnote([markdown_table(rows, ["Région", "Heures", "Contrats", "Personnes (somme)"], f"Consolidation par région, {report.year}")])


def sources(report: Consolidation) -> Markdown:
    """The returns and their SHA-256, the kit version and the parameters."""
    returns = report.metadata["entrees"]["retours"]
    text = (f"Kit : impact {report.metadata['version']}. Un équivalent temps plein compte "
            f"{french_number(report.metadata['parametres']['heures_etp'], 0)} heures. Seuil de diffusion : "
            f"{report.metadata['parametres']['seuil']} personnes.\n")
    return Markdown(text + "\n" + markdown_table([[name, f"`{entry['sha256']}`"] for name, entry in returns.items()],
                                                 ["Retour", "SHA-256"], "Retours consolidés et leur empreinte SHA-256", "ll"))
