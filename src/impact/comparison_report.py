"""The comparison of territories (``notebooks/comparaison_territoires.ipynb``): its sections, in
French. The analyses (:mod:`impact.comparison`) run on the unmasked figures and the individual
leavers; what is shown obeys the publishing rules: the side-by-side table comes from the published
(masked) table, and the funnel plot, the adjusted rates and the change tests show only the
territories with at least ``seuil`` known situations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Image, Markdown

import impact
from impact import charts, comparison
from impact.bilan import cell, read_published, with_footnote
from impact.formatting import french_change, french_number, french_percent, markdown_table
from impact.indicators import ENSEMBLE, HEURES_ETP, INTERNAL_FILE, indicators, write


@dataclass(frozen=True)
class Comparison:
    """What the comparison report is built from."""

    year: int
    horizon: int
    threshold: int
    published: pd.DataFrame
    internal: pd.DataFrame
    dataset: impact.Dataset
    metadata: dict

    @property
    def territories(self) -> list[str]:
        return sorted(t for t in set(self.published["territoire"]) if t != ENSEMBLE)


def prepare(dossier: str | Path, annee: int, horizon: int = 6, seuil: int = 5, sortie: str | Path = ".",
            indicateurs: str | Path | None = None) -> Comparison:
    """The comparison of every territory of ``dossier`` in ``annee``; ``indicateurs``: a published
    ``indicateurs.csv`` computed with this horizon and threshold (its internal version beside it),
    or else computed here and written to ``sortie``."""
    dataset = impact.load(dossier)
    if indicateurs is None:
        indicateurs = write(dataset, indicators(dataset, horizon=horizon), Path(sortie), horizon, HEURES_ETP, False, seuil)
    path = Path(indicateurs)
    internal = pd.read_csv(path.parent / INTERNAL_FILE, comment="#", keep_default_na=False, na_values={c: [""] for c in ("valeur", "part", "effectif", "ic_bas", "ic_haut", "valeur_precedente", "evolution")},
                           dtype={"territoire": str, "modalite": str})
    metadata = json.loads((path.parent / "metadonnees.json").read_text(encoding="utf-8"))
    return Comparison(int(annee), int(horizon), int(seuil), read_published(path), internal, dataset, metadata)


def title(report: Comparison) -> Markdown:
    """The front matter and the opening paragraph."""
    return Markdown("\n".join([
        "---", f'title: "Comparaison des territoires, {report.year}"', "lang: fr", "---", "",
        f"Cette comparaison met côte à côte les {len(report.territories)} territoires du jeu de données en {report.year} : "
        "volumes, publics, devenir des personnes, puis le taux de sorties dynamiques corrigé de la composition des publics "
        "de chaque territoire.", ""]))


def side_by_side(report: Comparison) -> Markdown:
    """Volumes and their change, hours per person, shares of women and of publics, the dynamic-exit
    rate with its interval; hours per 1 000 inhabitants when the population is known."""
    table = report.published.loc[report.published["annee"] == report.year]
    population = report.dataset.territoires.set_index("territoire")["population"].dropna()

    def row(territory: str, indicator: str, dimension: str = ENSEMBLE, modality: str = ENSEMBLE) -> pd.Series:
        rows = table.loc[(table["territoire"] == territory) & (table["indicateur"] == indicator) & (table["dimension"] == dimension) & (table["modalite"] == modality)]
        return rows.iloc[0]

    lines = []
    for territory in [ENSEMBLE, *report.territories]:
        hours = row(territory, "heures")
        rate = row(territory, "taux_sorties_dynamiques")
        interval = "s" if rate["ic_bas_masque"] else (f"{french_percent(rate['ic_bas'])} à {french_percent(rate['ic_haut'])}" if pd.notna(rate["ic_bas"]) else "")
        per_inhabitant = ""
        if territory in population.index and not hours["valeur_masque"]:
            per_inhabitant = french_number(hours["valeur"] / float(population[territory]) * 1000, 1)
        lines.append([("Ensemble" if territory == ENSEMBLE else territory), cell(hours, "valeur"), cell(hours, "evolution", "change"),
                      cell(row(territory, "personnes"), "valeur"), cell(row(territory, "heures_par_personne"), "valeur"),
                      cell(row(territory, "personnes", "sexe", "F"), "part", "percent"),
                      cell(row(territory, "personnes", "public", "deld"), "part", "percent"),
                      cell(row(territory, "personnes", "public", "minima_sociaux"), "part", "percent"),
                      cell(rate, "valeur", "percent"), interval, per_inhabitant])
    header = ["Territoire", "Heures", "Évolution", "Personnes", "Heures par personne", "Part de femmes", "Part DELD",
              "Part minima sociaux", "Sorties dynamiques", "Intervalle à 95 %", "Heures pour 1 000 habitants"]
    return with_footnote([markdown_table(lines, header, f"Les territoires côte à côte en {report.year}")])


def publics(report: Comparison) -> Markdown:
    """The share of persons in each public, territory by territory."""
    from impact.schema import PUBLICS

    table = report.published.loc[(report.published["annee"] == report.year) & (report.published["indicateur"] == "personnes")
                                 & (report.published["dimension"] == "public")].set_index(["territoire", "modalite"])
    lines = [[("Ensemble" if t == ENSEMBLE else t), *(cell(table.loc[(t, p)], "part", "percent") for p in PUBLICS)]
             for t in [ENSEMBLE, *report.territories]]
    header = ["Territoire", *(label.split(" (")[0] for label in PUBLICS.values())]
    return with_footnote([markdown_table(lines, header, f"Part des personnes de chaque public en {report.year} (une personne compte dans chaque public qui la concerne)")])


def _eligible(report: Comparison) -> pd.DataFrame:
    result = comparison.funnel(report.internal, report.year)
    return result.loc[result["n"] >= report.threshold]


def funnel_chart(report: Comparison) -> Image:
    """The funnel plot of the dynamic-exit rates (territories with at least ``seuil`` known situations)."""
    result = _eligible(report)
    pooled = float(comparison.funnel(report.internal, report.year)["taux_commun"].iloc[0])
    grid = np.linspace(max(report.threshold, 1), max(float(result["n"].max()) if len(result) else 10, 10) * 1.1, 200)
    limits = {"Limites à 95 %": (grid, *comparison.funnel_limits(pooled, grid, comparison.Z95)),
              "Limites à 99,8 %": (grid, *comparison.funnel_limits(pooled, grid, comparison.Z998))}
    figure = charts.funnel(result["n"].tolist(), result["taux"].tolist(), list(result.index), pooled, limits,
                           f"Sorties dynamiques par territoire, sortants de {report.year}")
    outside = [f"{t} ({p})" for t, p in result["position"].items() if p != "dans les limites"]
    alt = (f"Graphique en entonnoir : taux commun {french_percent(pooled)} ; "
           + ("territoires hors des limites : " + ", ".join(outside) if outside else "tous les territoires sont dans les limites") + ".")
    return Image(data=charts.png(figure), format="png", metadata={"alt": alt})


def adjusted(report: Comparison) -> Markdown:
    """Adjusted rates by marginal standardisation, their intervals and verdicts."""
    frame = comparison.leavers_with_covariates(report.dataset, report.year, report.horizon)
    if frame["territoire"].nunique() < 2 or frame["dynamique"].nunique() < 2:
        return Markdown("Comparaison ajustée impossible : il faut au moins deux territoires et des sorties des deux sortes.\n")
    result, _ = comparison.adjusted_rates(frame)
    shown = result.loc[result["n"] >= report.threshold]
    lines = [[t, french_number(r["n"], 0), french_percent(r["taux_observe"]), french_percent(r["taux_ajuste"]),
              f"{french_percent(r['ic_bas'])} à {french_percent(r['ic_haut'])}", r["ecart_significatif"], r["ecart_significatif_bonferroni"]]
             for t, r in shown.iterrows()]
    note = (f"Modèle : régression logistique (GLM binomial) de la sortie dynamique selon le territoire, le sexe, la tranche d'âge, "
            f"la tranche d'heures travaillées et les publics, sur les {french_number(len(frame), 0)} sortants de {report.year} dont la "
            f"situation est connue (taux d'ensemble {french_percent(result['taux_ensemble'].iloc[0])}). Le taux ajusté d'un territoire est "
            "le taux moyen prédit pour l'ensemble des sortants s'ils avaient tous été suivis dans ce territoire. Avec plusieurs "
            f"territoires, certains écarts sortent par hasard : la dernière colonne applique la correction de Bonferroni "
            f"({len(result)} comparaisons). Les territoires de moins de {report.threshold} situations connues ne sont pas montrés.\n")
    header = ["Territoire", "Situations connues", "Taux observé", "Taux ajusté", "Intervalle à 95 %", "Écart significatif", "Avec Bonferroni"]
    return Markdown(note + "\n" + markdown_table(lines, header, f"Taux de sorties dynamiques ajustés, sortants de {report.year}"))


def changes(report: Comparison) -> Markdown:
    """The change of each territory's dynamic-exit rate on N-1, with a two-proportion test."""
    result = comparison.change_test(report.internal, report.year)
    shown = result.loc[(result["n"] >= report.threshold) & (result["n_precedent"] >= report.threshold)]
    lines = [[t, french_percent(r["succes"] / r["n"]), french_percent(r["succes_precedent"] / r["n_precedent"]),
              french_change(r["ecart_points"], True), french_number(r["p_valeur"], 3)] for t, r in shown.iterrows()]
    return Markdown(markdown_table(lines, ["Territoire", str(report.year), str(report.year - 1), "Écart", "p-valeur (test de deux proportions)"],
                                   f"Évolution du taux de sorties dynamiques, {report.year - 1} à {report.year}"))


def sources(report: Comparison) -> Markdown:
    """The methods annex: publishing rule, kit version and the SHA-256 of every input file."""
    files = report.metadata["entrees"]["fichiers"]
    text = (f"Règle de diffusion : comptes de 1 à {report.threshold} personnes, taux sur moins de {report.threshold} personnes et "
            "cellules de moins de 3 employeurs masqués (« s »), ainsi que ce qui permettrait de les retrouver ; les analyses "
            f"portent sur les données complètes, seuls leurs résultats publiables sont montrés. Limites de l'entonnoir : taux commun "
            "± z × √(p(1-p)/n), z = 1,96 (95 %) et 3,09 (99,8 %). Kit : impact " + report.metadata["version"] + ".\n")
    table = markdown_table([[name, f"`{entry['sha256']}`"] for name, entry in files.items()], ["Fichier", "SHA-256"],
                           "Fichiers de données lus et leur empreinte SHA-256", "ll")
    return Markdown(text + "\n" + table)
