"""The consolidation report (``notebooks/consolidation.ipynb``): national totals and growth, the
territories ranked, the regions when a mapping is given, and what consolidation cannot do: persons
are summed over returns and cannot be de-duplicated. Everything shown comes from the published
(masked) consolidated table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from impact.bilan import cell, read_published, with_footnote
from impact.formatting import french_number, markdown_table
from impact.indicators import ENSEMBLE

#: The national totals shown, with their label and style.
TOTALS = [("heures", "Heures d'insertion réalisées", "number"), ("etp", "Équivalents temps plein", "number"),
          ("contrats", "Contrats actifs", "number"), ("personnes", "Personnes en contrat (somme des retours)", "number"),
          ("entreprises", "Employeurs (somme des retours)", "number"), ("operations", "Opérations en cours", "number"),
          ("sortants", "Personnes sorties", "number"), ("taux_sorties_dynamiques", "Taux de sorties dynamiques", "percent")]


@dataclass(frozen=True)
class Consolidation:
    """The consolidated table (published), its year, its returns and the region of each territory."""

    year: int
    table: pd.DataFrame
    metadata: dict
    regions: pd.Series


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


def _total(report: Consolidation, territory: str, indicator: str) -> pd.Series:
    table = report.table
    rows = table.loc[(table["annee"] == report.year) & (table["territoire"] == territory) & (table["indicateur"] == indicator) & (table["dimension"] == ENSEMBLE)]
    return rows.iloc[0] if len(rows) else None


def title(report: Consolidation) -> Markdown:
    """The front matter, the scope and the warning on persons."""
    returns = report.metadata["entrees"]["retours"]
    territories = sorted(set(report.table["territoire"]) - {ENSEMBLE})
    return Markdown("\n".join([
        "---", f'title: "Consolidation {report.year} des clauses sociales d\'insertion"', "lang: fr", "---", "",
        f"Cette consolidation rassemble {len(returns)} retours de facilitateurs couvrant {len(territories)} territoires. "
        "Les comptes sont additionnés ; les taux et leurs intervalles sont recalculés à partir des comptes additionnés, jamais "
        "moyennés.", "",
        "Attention : les personnes, les employeurs et les acheteurs sont additionnés d'un retour à l'autre et ne peuvent pas "
        "être dédoublonnés ; une personne recrutée dans deux territoires suivis par deux facilitateurs compte deux fois.", ""]))


def national(report: Consolidation) -> Markdown:
    """The national totals of year N, N-1 and the change."""
    rows = []
    for code, label, style in TOTALS:
        row = _total(report, ENSEMBLE, code)
        if row is None:
            continue
        rows.append([label, cell(row, "valeur", style), cell(row, "valeur_precedente", style),
                     cell(row, "evolution", "points" if style == "percent" else "change")])
    return with_footnote([markdown_table(rows, ["Indicateur", str(report.year), str(report.year - 1), "Évolution"],
                                         f"Totaux consolidés {report.year}")])


def ranking(report: Consolidation) -> Markdown:
    """The territories ranked by hours carried out in N."""
    territories = sorted(set(report.table["territoire"]) - {ENSEMBLE})
    lines = []
    for territory in territories:
        hours = _total(report, territory, "heures")
        if hours is None:
            continue
        lines.append((hours["valeur"] if not hours["valeur_masque"] else -1, territory, hours))
    lines.sort(key=lambda item: (-item[0], item[1]))
    rows = [[str(rank), territory, cell(hours, "valeur"), cell(hours, "evolution", "change"),
             cell(_total(report, territory, "personnes"), "valeur"), cell(_total(report, territory, "contrats"), "valeur"),
             report.regions.get(territory, "")]
            for rank, (_, territory, hours) in enumerate(lines, start=1)]
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
    sums = table.groupby(["region", "indicateur"])["valeur"].sum().where(~unknown).unstack()
    rows = [[region, *("s" if pd.isna(sums.loc[region, c]) else french_number(sums.loc[region, c], 2) for c in ("heures", "contrats", "personnes"))]
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
