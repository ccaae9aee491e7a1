"""The comparison of territories (``notebooks/comparaison_territoires.ipynb``): its sections, in
French. The analyses (:mod:`impact.comparison`) run on the unmasked figures and the individual
leavers; what is shown obeys the publishing rules: the side-by-side table comes from the published
(masked) table, and the funnel plot, the standardised rates and the change tests show only the
territories whose rate and its denominator ``indicateurs.csv`` publishes (a count of 1 to
``seuil`` persons, or a rate the secondary suppression hides, is never shown). Outcomes are those
of the last complete cohort (SPEC section 4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Markdown

import impact
from impact import charts, comparison, editorial
from impact.editorial import Publisher
from impact.bilan import MIN_KNOWN, cell, coverage_note, interval, read_published, with_footnote
from impact.escaping import markdown
from impact.formatting import french_change, french_number, french_percent
from impact.tables import markdown_table
from impact.indicators import ENSEMBLE, HEURES_ETP, INTERNAL_FILE, indicators, write
from impact.outcomes import KNOWLEDGE_RATE, last_complete_cohort


@dataclass(frozen=True)
class Comparison:
    """What the comparison report is built from: ``cohort`` is the last complete outcome cohort up
    to ``year`` (None when there is none)."""

    year: int
    horizon: int
    threshold: int
    published: pd.DataFrame
    internal: pd.DataFrame
    dataset: impact.Dataset
    metadata: dict
    cohort: int | None
    publisher: Publisher = Publisher()

    @property
    def territories(self) -> list[str]:
        return sorted(t for t in set(self.published["territoire"]) if t != ENSEMBLE)

    @property
    def extraction_date(self) -> pd.Timestamp:
        return pd.Timestamp(self.metadata["parametres"]["date_extraction"])

    def notes(self, champ: str, lecture: str = "") -> list[str]:
        """The Champ, Source and Lecture lines of a table or figure of this report."""
        return editorial.notes(champ, self.publisher, self.extraction_date.date(), lecture)

    def total(self, territory: str, indicator: str, year: int | None = None) -> pd.Series | None:
        """The published total row of ``indicator`` for ``territory`` (None when absent)."""
        table = self.published
        rows = table.loc[(table["annee"] == (year or self.year)) & (table["territoire"] == territory) & (table["indicateur"] == indicator)
                         & (table["dimension"] == ENSEMBLE)]
        return rows.iloc[0] if len(rows) else None

    def per_inhabitant(self) -> pd.Series:
        """Hours per 1 000 inhabitants of each territory (and ``ensemble``) whose hours are published
        and population known."""
        population = self.dataset.territoires.set_index("territoire")["population"].dropna().astype(float)
        values = {}
        for territory in [*self.territories, ENSEMBLE]:
            row = self.total(territory, "heures")
            people = population.sum() if territory == ENSEMBLE and len(population) == len(self.territories) else population.get(territory)
            if row is not None and not row["valeur_masque"] and pd.notna(row["valeur"]) and people:
                values[territory] = row["valeur"] / people * 1000
        return pd.Series(values, dtype=float)


def prepare(dossier: str | Path, annee: int, horizon: int = 6, seuil: int = 5, sortie: str | Path = ".",
            indicateurs: str | Path | None = None, editeur: str | None = None, date_publication: str | None = None) -> Comparison:
    """The comparison of every territory of ``dossier`` in ``annee``; ``indicateurs``: a published
    ``indicateurs.csv`` computed with this horizon and threshold (its internal version beside it),
    or else computed here and written to ``sortie``; ``editeur``: the publisher's name, replacing
    that of ``dossier/publication.toml``; ``date_publication``: the date printed on the report
    (``AAAA-MM-JJ``; default: today)."""
    dataset = impact.load(dossier)
    if indicateurs is None:
        indicateurs = write(dataset, indicators(dataset, horizon=horizon), Path(sortie), horizon, HEURES_ETP, False, seuil)
    path = Path(indicateurs)
    internal = pd.read_csv(path.parent / INTERNAL_FILE, comment="#", keep_default_na=False, na_values={c: [""] for c in ("valeur", "part", "effectif", "ic_bas", "ic_haut", "valeur_precedente", "evolution")},
                           dtype={"territoire": str, "modalite": str})
    metadata = json.loads((path.parent / "metadonnees.json").read_text(encoding="utf-8"))
    published = read_published(path)
    cohort = last_complete_cohort(int(annee), int(horizon), pd.Timestamp(metadata["parametres"]["date_extraction"]))
    cohort = cohort if cohort in set(published["annee"]) else None
    return Comparison(int(annee), int(horizon), int(seuil), published, internal, dataset, metadata, cohort,
                      editorial.publisher(dossier, editeur, date_publication))


def _cohort_words(report: Comparison) -> str:
    return f"sortants de {report.cohort}, situation à {report.horizon} mois"


def title(report: Comparison) -> Markdown:
    """The front matter and the opening paragraph."""
    if report.cohort is None:
        cohort = "Aucune cohorte de sortants n'est encore complète : le devenir des personnes n'est pas comparé."
    elif report.cohort == report.year:
        cohort = f"Le devenir porte sur les personnes sorties en {report.cohort}, toutes observables à {report.horizon} mois."
    else:
        cohort = (f"Le devenir porte sur la dernière cohorte complète, les personnes sorties en {report.cohort} : celles sorties en "
                  f"{report.year} ne sont pas encore toutes observables {report.horizon} mois après leur sortie à la date d'extraction.")
    head = editorial.front_matter(f"Comparaison des territoires, {report.year}",
                                  f"Volumes, publics et devenir des personnes dans {len(report.territories)} territoires",
                                  report.publisher, report.extraction_date.date())
    return editorial.opening("\n".join([head, "## L'essentiel", "", *(f"{markdown(s)}\n" for s in summary(report)), cohort, "",
                                         coverage_note(report.metadata, report.year), ""]), report.publisher)


def summary(report: Comparison) -> list[str]:
    """What the comparison shows, in plain sentences: where most hours were worked, the range of
    hours per 1 000 inhabitants, the range of changes; descriptions, never causes."""
    hours = {t: report.total(t, "heures") for t in report.territories}
    shown = {t: r for t, r in hours.items() if r is not None and not r["valeur_masque"] and pd.notna(r["valeur"])}
    sentences = []
    total = report.total(ENSEMBLE, "heures")
    if shown and total is not None and not total["valeur_masque"] and total["valeur"] > 0:
        first = max(shown, key=lambda t: shown[t]["valeur"])
        sentences.append(f"En {report.year}, {french_number(total['valeur'], 0)} heures d'insertion ont été réalisées dans les "
                         f"{len(report.territories)} territoires ; {first} en compte le plus, {french_number(shown[first]['valeur'], 0)} "
                         f"heures, soit {french_percent(shown[first]['valeur'] / total['valeur'])} du total.")
    density = report.per_inhabitant().drop(ENSEMBLE, errors="ignore")
    if len(density) >= 2:
        sentences.append(f"Rapportées à la population, les heures vont de {french_number(density.min(), 0)} pour 1 000 habitants "
                         f"({density.idxmin()}) à {french_number(density.max(), 0)} ({density.idxmax()}).")
    changes = {t: r["evolution"] for t, r in shown.items() if not r["evolution_masque"] and pd.notna(r["evolution"])}
    if len(changes) >= 2:
        low, high = min(changes, key=changes.get), max(changes, key=changes.get)
        sentences.append(f"Sur un an, les heures évoluent de {french_change(changes[low])} ({low}) à {french_change(changes[high])} ({high}).")
    return sentences


def ranked_chart(report: Comparison) -> charts.FigureOutput | Markdown:
    """The territories ranked by hours per 1 000 inhabitants (population known), else by hours per
    contract; the whole of the territories as a reference line."""
    density = report.per_inhabitant()
    if len(density.drop(ENSEMBLE, errors="ignore")) >= 2:
        values, unit, decimals = density, "Heures pour 1 000 habitants", 0
    else:
        rows = {t: report.total(t, "heures_par_contrat") for t in [*report.territories, ENSEMBLE]}
        values = pd.Series({t: r["valeur"] for t, r in rows.items() if r is not None and not r["valeur_masque"] and pd.notna(r["valeur"])}, dtype=float)
        unit, decimals = "Heures par contrat", 0
    territories = values.drop(ENSEMBLE, errors="ignore")
    if len(territories) < 2:
        return Markdown("")
    reference = ("Ensemble", float(values[ENSEMBLE])) if ENSEMBLE in values.index else None
    figure = charts.ranked(list(territories.index), territories.tolist(), f"{unit}, {report.year}", unit, reference, decimals)
    alt = f"{unit} en {report.year}, du plus grand au plus petit : " + " ; ".join(
        f"{t} {french_number(v, decimals)}" for t, v in territories.sort_values(ascending=False).items()) + "."
    hidden = [t for t in report.territories if t not in territories.index]
    if hidden:
        alt += f" Non publié ou population inconnue : {', '.join(hidden)}."
    title = f"{unit} : {territories.idxmax()} en tête en {report.year}"
    lecture = f"en {report.year}, {territories.idxmax()} compte {french_number(territories.max(), decimals)} {unit.lower()}."
    notes = report.notes(f"contrats d'insertion actifs en {report.year} au titre des clauses sociales suivies", lecture)
    if hidden:
        notes.append(f"Territoire(s) absent(s) du graphique (heures non publiées ou population inconnue) : {', '.join(hidden)}.")
    return charts.figure_output(figure, alt, title, notes)


def trends_chart(report: Comparison) -> charts.FigureOutput | Markdown:
    """One small chart of hours per territory, every year of the data up to N, on a common scale."""
    table = report.published
    rows = table.loc[(table["indicateur"] == "heures") & (table["dimension"] == ENSEMBLE) & (table["territoire"] != ENSEMBLE)
                     & (table["annee"] <= report.year)]
    # From the first year with hours in some territory, as the bilans: a year without activity would make every curve rise from 0.
    active = rows.loc[rows["valeur_masque"] | (rows["valeur"] > 0), "annee"]
    rows = rows.loc[rows["annee"] >= (active.min() if len(active) else report.year)]
    years = sorted(set(rows["annee"]))
    if len(years) < 2:
        return Markdown("")
    frame = rows.assign(v=rows["valeur"].where(~rows["valeur_masque"])).pivot_table(index="territoire", columns="annee", values="v", aggfunc="first", dropna=False)
    frame = frame.reindex(index=report.territories, columns=years)
    series = {t: frame.loc[t].tolist() for t in report.territories}
    figure = charts.small_trends(years, series, f"Heures réalisées par territoire, {years[0]}-{years[-1]}", "Heures")
    alt = "Heures réalisées par territoire : " + " ; ".join(
        f"{t} de {french_number(v[0], 0) or 'non publié'} en {years[0]} à {french_number(v[-1], 0) or 'non publié'} en {years[-1]}" for t, v in series.items()) + "."
    return charts.figure_output(figure, alt, f"Les heures de chaque territoire, {years[0]}-{years[-1]}",
                                report.notes(f"contrats d'insertion actifs de {years[0]} à {years[-1]}") + ["Note : « s » sur un graphique, valeur non publiée (secret statistique)."])


def side_by_side(report: Comparison) -> Markdown:
    """Volumes and their change, hours per person, shares of women and of publics in year N; the
    dynamic-exit rate of the last complete cohort with its interval and the knowledge rate; hours
    per 1 000 inhabitants when the population is known."""
    density = report.per_inhabitant()
    table = report.published

    def row(territory: str, indicator: str, dimension: str = ENSEMBLE, modality: str = ENSEMBLE, year: int | None = None) -> pd.Series:
        rows = table.loc[(table["annee"] == (year or report.year)) & (table["territoire"] == territory) & (table["indicateur"] == indicator)
                         & (table["dimension"] == dimension) & (table["modalite"] == modality)]
        return rows.iloc[0]

    lines, fragile = [], False
    for territory in [ENSEMBLE, *report.territories]:
        hours = row(territory, "heures")
        per_inhabitant = french_number(density[territory], 0, fixed=True) if territory in density.index else ""
        line = [("Ensemble" if territory == ENSEMBLE else territory), cell(hours, "valeur"), cell(hours, "evolution", "change"),
                cell(row(territory, "personnes"), "valeur"), cell(row(territory, "heures_par_personne"), "valeur"),
                cell(row(territory, "personnes", "sexe", "F"), "part", "percent"),
                cell(row(territory, "personnes", "public", "deld"), "part", "percent"),
                cell(row(territory, "personnes", "public", "minima_sociaux"), "part", "percent")]
        if report.cohort is not None:
            rate, known = row(territory, "taux_sorties_dynamiques", year=report.cohort), row(territory, KNOWLEDGE_RATE[0], year=report.cohort)
            low = not known["valeur_masque"] and pd.notna(known["valeur"]) and known["valeur"] < MIN_KNOWN
            fragile |= low
            line += [cell(rate, "valeur", "percent") + (" †" if low and not rate["valeur_masque"] else ""), interval(rate),
                     cell(known, "valeur", "percent")]
        lines.append(line + [per_inhabitant])
    header = ["Territoire", "Heures", "Évolution", "Personnes", "Heures par personne", "Part de femmes", "Part DELD", "Part minima sociaux"]
    if report.cohort is not None:
        header += [f"Sorties dynamiques ({report.cohort})", "Intervalle à 95 %", "Taux de connaissance"]
    note = (f"† situation connue pour moins de {french_percent(MIN_KNOWN, 0)} des sortants : taux fragile, les situations "
            "inconnues pourraient le changer beaucoup (le bilan du territoire en donne les bornes).\n" if fragile else "")
    notes = report.notes(f"contrats d'insertion actifs en {report.year} ; devenir des sortants de {report.cohort}" if report.cohort
                         else f"contrats d'insertion actifs en {report.year}")
    return with_footnote([markdown_table(lines, header + ["Heures pour 1\u00a0000 habitants"], f"Les territoires côte à côte en {report.year}",
                                         notes=notes + ([note.strip()] if note else [])), ""])


def publics(report: Comparison) -> Markdown:
    """The share of persons in each public, territory by territory."""
    from impact.schema import PUBLICS

    table = report.published.loc[(report.published["annee"] == report.year) & (report.published["indicateur"] == "personnes")
                                 & (report.published["dimension"] == "public")].set_index(["territoire", "modalite"])
    lines = [[("Ensemble" if t == ENSEMBLE else t), *(cell(table.loc[(t, p)], "part", "percent") for p in PUBLICS)]
             for t in [ENSEMBLE, *report.territories]]
    header = ["Territoire", *(label.split(" (")[0] for label in PUBLICS.values())]
    return with_footnote([markdown_table(lines, header, f"Part des personnes de chaque public en {report.year}",
                                         notes=report.notes(f"personnes en contrat d'insertion en {report.year}")
                                         + ["Note : une personne compte dans chaque public qui la concerne."])])


def _published_rates(report: Comparison, year: int) -> set[str]:
    """The territories whose dynamic-exit rate of ``year`` and its denominator are published (the
    comparison never shows a rate or a count that ``indicateurs.csv`` masks)."""
    table = report.published
    rows = table.loc[(table["annee"] == year) & (table["indicateur"] == "taux_sorties_dynamiques") & (table["dimension"] == ENSEMBLE)
                     & ~table["valeur_masque"] & ~table["effectif_masque"] & table["valeur"].notna() & (table["effectif"] > report.threshold)]
    return set(rows["territoire"]) - {ENSEMBLE}


def _funnel(report: Comparison) -> comparison.Funnel:
    """The funnel of the last complete cohort, on the territories whose rate is published only:
    their common rate, the limits and the overdispersion are computed from published figures, so
    that none of them gives back a masked rate (the overdispersion of every territory did, from its
    value and p-value)."""
    shown = _published_rates(report, report.cohort)
    return comparison.funnel(report.internal.loc[report.internal["territoire"].isin(shown)], report.cohort, minimum=report.threshold + 1)


def _ensemble_rate(report: Comparison) -> pd.Series | None:
    """The published row of the whole's dynamic-exit rate of the cohort, None when it is masked."""
    table = report.published
    rows = table.loc[(table["annee"] == report.cohort) & (table["indicateur"] == "taux_sorties_dynamiques")
                     & (table["territoire"] == ENSEMBLE) & (table["dimension"] == ENSEMBLE)]
    return None if rows.empty or rows["valeur_masque"].iloc[0] or rows["effectif_masque"].iloc[0] else rows.iloc[0]


def _left_out(report: Comparison, shown: pd.Index) -> str:
    hidden = [t for t in report.territories if t not in shown]
    if not hidden:
        return ""
    several = len(hidden) > 1
    return (f" {len(hidden)} territoire{'s' if several else ''} dont le taux n'est pas publié (secret statistique) "
            f"n'y figure{'nt' if several else ''} pas : {', '.join(hidden)}.")


def funnel_chart(report: Comparison) -> charts.FigureOutput | Markdown:
    """The funnel plot of the dynamic-exit rates of the last complete cohort."""
    if report.cohort is None:
        return Markdown("Aucune cohorte complète : pas de graphique en entonnoir.\n")
    result = _funnel(report)
    table = result.table
    if len(table) < 2:  # nothing to compare
        return Markdown(f"{'Un seul territoire' if len(table) else 'Aucun territoire'} dont le taux de sorties dynamiques est publié : "
                        f"pas de graphique en entonnoir.{markdown(_left_out(report, table.index))}\n")
    phi = result.phi if np.isfinite(result.phi) else 1.0
    grid = np.arange(report.threshold + 1, max(int(table["n"].max()) if len(table) else 10, 10) * 1.1 + 1, dtype=int)
    limits = {f"Limites à {label}": (grid, *comparison.funnel_limits(result.pooled, grid, level, phi))
              for label, level in comparison.LEVELS.items()}
    figure = charts.funnel(table["n"].tolist(), table["taux"].tolist(), list(table.index), result.pooled, limits,
                           f"Sorties dynamiques par territoire, sortants de {report.cohort}")
    outside = [f"{t} ({p})" for t, p in table["position"].items() if p != "dans les limites"]
    alt = (f"Graphique en entonnoir, sortants de {report.cohort} : taux commun des territoires montrés {french_percent(result.pooled)} ; "
           + ("territoires hors des limites : " + ", ".join(outside) if outside else "tous les territoires montrés sont dans les limites")
           + "." + _left_out(report, table.index))
    return charts.figure_output(figure, alt)


def funnel_note(report: Comparison) -> Markdown:
    """How the funnel limits are drawn, and the overdispersion found."""
    if report.cohort is None:
        return Markdown("")
    result = _funnel(report)
    if len(result.table) < 2:
        return Markdown("")
    text = ("Les limites sont exactes (loi binomiale autour du taux commun des territoires montrés) : un territoire est signalé quand la probabilité d'un "
            "écart au moins aussi grand est inférieure à 2,5 % (95 %) ou à 0,1 % (99,8 %) de chaque côté. ")
    if np.isfinite(result.phi):
        text += (f"Surdispersion estimée φ = {french_number(result.phi, 2)} (test du χ² : p = {french_number(result.phi_p_value, 3)}) ; "
                 + ("les limites sont élargies d'un facteur √φ, comme le recommande Spiegelhalter (2005), car les territoires varient "
                    "plus que le hasard ne l'explique." if result.widened else "les limites ne sont pas élargies."))
    return Markdown(text + " " + markdown(_left_out(report, result.table.index)) + "\n")


def adjusted(report: Comparison) -> Markdown:
    """Rates standardised on observed characteristics, their intervals, the contrast with the
    overall rate and Holm's verdict; or why they are not estimated."""
    if report.cohort is None:
        return Markdown("Aucune cohorte complète : pas de comparaison standardisée.\n")
    whole = _ensemble_rate(report)
    if whole is None:  # each territory's gap to the whole would give the whole's rate back
        return Markdown(f"Comparaison standardisée non publiée ({_cohort_words(report)}) : le taux de sorties dynamiques de l'ensemble "
                        "n'est pas publié (secret statistique), et l'écart de chaque territoire à l'ensemble le redonnerait.\n")
    frame = comparison.leavers_with_covariates(report.dataset, report.cohort, report.horizon, report.extraction_date)
    result = comparison.adjusted_rates(frame)
    if result.table is None:
        return Markdown(
            f"Comparaison standardisée non produite ({_cohort_words(report)}) : {result.reason}. Un modèle estimé sur si peu de "
            "données donnerait des intervalles trop étroits et des écarts de hasard. À la place, le tableau des territoires et le "
            "graphique en entonnoir ci-dessus donnent les taux observés, sans ajustement.\n")
    # Holm's correction among the territories shown: the p-values of the others would enter it.
    shown = comparison.judged(result.table.loc[result.table.index.isin(_published_rates(report, report.cohort))])
    lines = [[t, french_number(r["n"], 0), french_percent(r["taux_observe"], 1, fixed=True), french_percent(r["taux_ajuste"], 1, fixed=True),
              f"{french_percent(r['ic_bas'], 1, fixed=True)} à {french_percent(r['ic_haut'], 1, fixed=True)}", french_change(r["ecart"], True),
              french_number(r["p_holm"], 3), r["verdict"]] for t, r in shown.iterrows()]
    covariates = "le sexe, la tranche d'âge, le niveau de formation et les publics" if result.publics else (
        "le sexe, la tranche d'âge et le niveau de formation (les publics n'y sont pas : trop peu de données pour les estimer, "
        f"moins de {comparison.MIN_EVENTS_PER_PARAMETER} sorties de la catégorie la plus rare par paramètre)")
    note = (f"Modèle : régression logistique pénalisée de Firth de la sortie dynamique selon le territoire, {covariates}, sur les "
            f"{french_number(len(frame), 0)} sortants de {report.cohort} dont la situation à {report.horizon} mois est connue (taux "
            f"d'ensemble standardisé {french_percent(result.overall)} ; au moins {comparison.MIN_EVENTS_PER_PARAMETER} sorties de la "
            f"catégorie la plus rare pour chacun des {result.parameters} paramètres). Le taux standardisé d'un "
            "territoire est le taux moyen que le modèle prédit pour l'ensemble de ces sortants avec ce territoire : il est "
            "standardisé sur les caractéristiques observées ; les écarts peuvent refléter le marché du travail local et des "
            "différences que les données ne mesurent pas. L'écart au taux d'ensemble est testé avec sa propre variance, et la "
            f"correction de Holm tient compte des {len(shown)} comparaisons montrées. Les heures travaillées ne sont pas dans le "
            "modèle : elles dépendent du parcours lui-même (une personne qui trouve un emploi part plus tôt)."
            + " " + markdown(_left_out(report, shown.index)) + "\n")
    header = ["Territoire", "Situations connues", "Taux observé", "Taux standardisé", "Intervalle à 95 %", "Écart à l'ensemble",
              "p (Holm)", "Écart significatif"]
    return Markdown(note + "\n" + markdown_table(lines, header, f"Taux de sorties dynamiques standardisés, {_cohort_words(report)}"))


def changes(report: Comparison) -> Markdown:
    """The change of each territory's dynamic-exit rate on the cohort before, Fisher's exact test
    with Holm's correction."""
    if report.cohort is None:
        return Markdown("Aucune cohorte complète : pas d'évolution du devenir.\n")
    result = comparison.change_test(report.internal, report.cohort)
    published = _published_rates(report, report.cohort) & _published_rates(report, report.cohort - 1)
    # Only the territories published both years, Holm's correction among them: nothing shown depends on a masked rate.
    shown = result.loc[result.index.isin(published) & result["p_valeur"].notna()].copy()
    shown["p_holm"] = comparison.holm(shown["p_valeur"])
    lines = [[t, french_percent(r["succes"] / r["n"], 1, fixed=True), french_percent(r["succes_precedent"] / r["n_precedent"], 1, fixed=True),
              french_change(r["ecart_points"], True), french_number(r["p_valeur"], 3), french_number(r["p_holm"], 3)] for t, r in shown.iterrows()]
    note = (f"Test exact de Fisher pour chaque territoire (sortants de {report.cohort} contre ceux de {report.cohort - 1}), "
            f"p-valeurs corrigées par la méthode de Holm sur les {len(shown)} territoires montrés. "
            "Seuls les territoires dont le taux est publié les deux années figurent ici.\n")
    if not lines:
        return Markdown(note + "\nAucun territoire n'a de taux publié les deux années : pas de tableau d'évolution.\n")
    return Markdown(note + "\n" + markdown_table(lines, ["Territoire", str(report.cohort), str(report.cohort - 1), "Écart", "p (Fisher)", "p (Holm)"],
                                                 f"Évolution du taux de sorties dynamiques, sortants de {report.cohort - 1} et de {report.cohort}"))


def sources(report: Comparison) -> Markdown:
    """The methods annex: publishing rule, outcome cohort, and where the technical provenance is."""
    text = (f"Règle de diffusion : comptes de 1 à {report.threshold} personnes, taux dont le numérateur ou le dénominateur compte "
            f"de 1 à {report.threshold} personnes et "
            "cellules de moins de 3 employeurs masqués (« s »), ainsi que ce qui permettrait de les retrouver ; les analyses "
            "portent sur les données complètes, seuls leurs résultats publiables sont montrés. Devenir : la dernière cohorte "
            f"complète à la date d'extraction ({report.extraction_date:%d/%m/%Y}), c'est-à-dire la dernière année dont tous les "
            f"sortants pouvaient être observés {report.horizon} mois après leur sortie.\n\n"
            "Provenance : la version du kit, les paramètres et l'empreinte SHA-256 de chaque fichier de données lu figurent dans "
            "metadonnees.json, publié avec ce rapport et avec indicateurs.csv.\n")
    return Markdown(text)
