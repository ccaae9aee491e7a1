"""The impact study report (``notebooks/etude_impact.ipynb``): its sections, in French.

Guard rail on words: this report is the only output of the kit that may speak of an *effet* or an
*impact* of the clause, and only when the diagnostics pass (overlap and balance,
:attr:`impact.effect.Study.credible`). Otherwise every section speaks of an *écart* between the
groups, the failing diagnostics are named, and only the descriptive comparison is shown. Without a
comparison file the report holds the association with hours and the external benchmark, neither
of which is an estimate of what the clause changed. The kit's own name in the provenance line
(« Kit : impact x.y ») is not report prose.

The editorial layer is the bilan's (:mod:`impact.editorial`): front matter with publisher, dates
and licence; *L'essentiel* in sentences whose verbs follow the design (an *effet* only when the
diagnostics pass, an *écart* otherwise, an *association* for the hours, a *comparaison* for the
benchmark) with the key figures; *Champ* and *Source* lines under every table and figure; a
methods box; the study's parameters and the SHA-256 of the comparison and reference files in the
report's ``metadonnees.json`` (``impact effet``).

Secrecy (SPEC 7) of what the study adds to the yearly indicators published beside it
(:func:`disclosive`): its figures are pooled over cohorts, so a cohort whose known leavers are
masked in the indicators is left out (and named); a pooled rate, or a balance share of a sex or a
public, that would give back a count of 1 to ``seuil`` persons, or a yearly count or rate masked in
a single cohort (pooled less published), is « s » with what it can be read from (raw difference,
E-value, detectable difference, standardised differences); every share when a group's persons
left out of the common support number 1 to ``seuil``; the benchmark is published whole or not at
all. Left for later: a pooled count over two masked cohorts gives their sum.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Markdown

import impact
from impact import charts, editorial, effect
from impact.benchmark import Benchmark, benchmark, read_reference, strata
from impact.comparison_group import known_leavers, read_comparison, study_sample
from impact.dose_response import MONTHS, DoseResponse, association
from impact.editorial import Publisher
from impact.facts import build_facts
from impact.escaping import Markup, markdown
from impact.formatting import french_change, french_number, french_percent
from impact.tables import markdown_table
from impact.indicators import ENSEMBLE, HEURES_ETP, indicators, write
from impact.problems import ProblemLog
from impact.publication import MARK
from impact.reading import sha256
from impact.schema import NIVEAU_FORMATION, PUBLICS, SEXE


DYNAMIC = "sorties_dynamiques"


@dataclass(frozen=True)
class Report:
    """What the study report is built from; ``study`` and ``benchmark`` are None without their file."""

    horizon: int
    threshold: int
    metadata: dict
    comparison_file: str | None
    study: effect.Study | None
    dose: DoseResponse
    benchmark: Benchmark | None
    leavers: int
    replicates: int
    files: dict[str, str]
    #: Share of the known leavers in a dynamic exit, and the years of their cohorts.
    dynamic: float = float("nan")
    cohorts: tuple[int, int] | None = None
    publisher: Publisher = Publisher()
    #: Cohorts left out of the study: their number of known leavers is masked in the published
    #: indicators, and the study's totals, added over cohorts, would give it back.
    left_out: tuple[int, ...] = ()
    #: Outcomes whose rates are not printed (:func:`hidden_rates`), with every figure they can be
    #: read from: over all the known leavers (the first page, the benchmark), over the participants
    #: of the common support (the estimates, the E-values), over the comparison group.
    pooled_hidden: dict[str, bool] = field(default_factory=dict)
    hidden: dict[str, bool] = field(default_factory=dict)
    comparison_hidden: dict[str, bool] = field(default_factory=dict)
    #: The yearly indicators' masks the study's figures are checked against.
    masks: YearlyMasks | None = None
    #: Whether the benchmark can be published (:func:`benchmark_publishable`).
    benchmark_shown: bool = False
    #: Whether the figures over the participants (``support_hidden``), or over the comparison group
    #: (``comparison_support_hidden``), of the common support are not printed: those left out of it
    #: number 1 to the threshold, and the rates, means and matching estimates over the rest would
    #: tell how many (:func:`support_told`).
    support_hidden: bool = False
    comparison_support_hidden: bool = False

    @property
    def credible(self) -> bool:
        return self.study is not None and self.study.credible

    @property
    def extraction(self) -> dt.date:
        return pd.Timestamp(self.metadata["parametres"]["date_extraction"]).date()

    @property
    def years(self) -> str:
        """The years the leavers left their path: ``de 2021 à 2024`` (or ``en 2024``)."""
        if self.cohorts is None:
            return ""
        first, last = self.cohorts
        inside = [str(year) for year in self.left_out if first < year < last]
        return (f"en {last}" if first == last else f"de {first} à {last}") + (f" (sauf {' et '.join(inside)})" if inside else "")

    @property
    def left_out_sentence(self) -> str:
        """Why cohorts are left out of the study, or nothing."""
        if not self.left_out:
            return ""
        years = " et ".join(str(year) for year in self.left_out)
        return (f"Les sortants de {years} ne sont pas dans l'étude : le nombre de personnes de {'leur cohorte' if len(self.left_out) == 1 else 'leurs cohortes'} "
                "dont la situation est connue n'est pas publié (secret statistique), et les totaux de l'étude, additionnés sur les "
                "cohortes, le redonneraient par différence.")

    def champ(self, comparison: bool = False) -> str:
        """The scope of the study's tables and figures."""
        return (f"personnes sorties {self.years} d'un parcours en clause sociale, situation connue {self.horizon} mois après la fin "
                "du parcours" + (" ; personnes du groupe de comparaison, situation connue à la même distance de leur date de "
                                 "référence" if comparison and self.comparison_file else ""))

    def notes(self, champ: str, lecture: str = "", comparison: bool = False) -> list[str]:
        """The Champ and Source lines (and Lecture) under a table or a figure; ``comparison``: the
        comparison group's file is a source too."""
        lines = editorial.notes(champ, self.publisher, self.extraction, lecture)
        if comparison and self.comparison_file:
            lines.insert(2, f"Groupe de comparaison : fichier {self.comparison_file}, fourni par l'éditeur.")
        return lines


def _rate(outcome: str) -> str:
    """``taux d'emploi durable``, ``taux de sortie dynamique``."""
    name = effect.OUTCOMES[outcome]
    return f"taux d'{name}" if name[0] in "aeéèiouyh" else f"taux de {name}"


def _counted(count: int, noun: str) -> str:
    """``1 participant``, ``0 participant``, ``6 participants``."""
    return f"{french_number(count, 0)} {noun}{'s' if count > 1 else ''}"


#: The key of a whole cohort in :class:`YearlyMasks`.
WHOLE = (ENSEMBLE, ENSEMBLE)


@dataclass(frozen=True)
class YearlyMasks:
    """What the published yearly indicators mask of the whole's known leavers, by category
    (``(dimension, modalite)``; :data:`WHOLE` for all of them): the years whose number of known
    leavers (the ``effectif`` of the outcome rates) is masked, and for each outcome the years whose
    rate is masked. The study's figures are pooled over the same cohorts: they must not give these
    back by difference."""

    sizes: dict[tuple[str, str], set[int]]
    rates: dict[str, dict[tuple[str, str], set[int]]]

    def size(self, key: tuple[str, str] = WHOLE) -> set[int]:
        return self.sizes.get(key, set())

    def rate(self, outcome: str, key: tuple[str, str] = WHOLE) -> set[int]:
        return self.rates.get(outcome, {}).get(key, set())


def yearly_masks(indicateurs: str | Path) -> YearlyMasks:
    """The :class:`YearlyMasks` of the published ``indicateurs`` (file path)."""
    table = pd.read_csv(indicateurs, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    rows = table.loc[table["territoire"].eq(ENSEMBLE)].assign(annee=lambda t: t["annee"].astype(int))

    def years(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], set[int]]:
        return {key: set(group.loc[group[column].eq(MARK), "annee"]) for key, group in frame.groupby(["dimension", "modalite"])}

    rates = {name: rows.loc[rows["indicateur"].eq(f"taux_{name}")] for name in effect.OUTCOMES}
    return YearlyMasks(years(rates[DYNAMIC], "effectif"), {name: years(frame, "valeur") for name, frame in rates.items()})


def disclosive(having: pd.Series, years: pd.Series, masked: set[int], groups: list[pd.Series], threshold: int) -> bool:
    """Whether printing how many people have ``having`` (True per person), or its share of them,
    would give back what secrecy hides: a count of 1 to ``threshold`` persons with it, or without
    it, among all the people, among each of ``groups`` (boolean selections of them, such as those
    left out of the common support), or among the people of the cohorts (``years``, one per person)
    whose count is ``masked`` in the yearly indicators (the pooled count less the published yearly
    ones); or a single cohort masked there (the difference would give its count back)."""
    in_masked = years.isin(masked)
    if years[in_masked].nunique() == 1:
        return True
    for chosen in (pd.Series(True, index=having.index), in_masked, *groups):
        size, count = int(chosen.sum()), int(having[chosen].sum())
        if _small(count, threshold) or _small(size - count, threshold):
            return True
    return False


#: Half the last digit of a printed figure, as a share: a rate in percent with one decimal, an
#: effect in points with one decimal; a mean with two decimals.
_RATE_PRINTED, _MEAN_PRINTED = 0.0005, 0.005


def sizes_fitting(figures: list[tuple[float, float]], most: int) -> np.ndarray:
    """The group sizes ``n`` from 1 to ``most`` over which each printed figure (its value and half
    the last digit it is printed to) can be a whole number divided by ``n``: a rate, a mean of
    whole ages or months, a matching estimate. What a reader can tell of a size that is not
    printed from figures over it (a reviewer found the number of participants left out of the
    support from two means: of 1 to 41 persons, only 39 give both 38,46 and 2,79)."""
    n = np.arange(1, most + 1)
    fits = np.ones(most, dtype=bool)
    for value, half in figures:
        fits &= np.ceil(n * (value - half) - 1e-9) <= np.floor(n * (value + half) + 1e-9)
    return n[fits]


def support_told(total: int, trimmed: int, over_kept: list[tuple[float, float]], over_matched: list[tuple[float, float]],
                 threshold: int) -> bool:
    """Whether the figures printed over the ``total - trimmed`` persons of a group kept in the
    common support (``over_kept``), and over those of them matched to a neighbour
    (``over_matched``, at most as many), would tell more of the number left out, ``trimmed``, than
    the rule does (1 to ``threshold``, since it is not printed): whether the numbers left out that
    fit them (``total`` less the sizes of :func:`sizes_fitting`) no longer run from 1 to
    ``threshold``. The matching estimates give the matched count, and the kept count is at least
    that (a reviewer: 5/38 and 7/38, so at most 3 left out of 41)."""
    if not _small(trimmed, threshold):
        return False
    kept = sizes_fitting(over_kept, total)
    if over_matched:
        kept = kept[kept >= sizes_fitting(over_matched, total).min(initial=total + 1)]
    left = total - kept
    left = left[(left >= 1) & (left <= threshold)]
    return not (left.min(initial=threshold + 1) == 1 and left.max(initial=0) == threshold)


def _support_figures(study: effect.Study, participants: bool, hidden: dict[str, bool]) -> tuple[list, list]:
    """The figures printed over a group's persons in the common support (its rates not ``hidden``,
    its means of the balance table) and, for the participants, over those matched (the matching
    estimates): what :func:`support_told` checks."""
    column = "moyenne_participants" if participants else "moyenne_comparaison"
    # A mean of whole numbers over the group, printed to 0,01; the age squared is printed over 100.
    scale = {"Âge² / 100": 100.0}
    means = [(float(study.balance.loc[name, column]) * scale.get(name, 1.0), _MEAN_PRINTED * scale.get(name, 1.0))
             for name in effect.CONTINUOUS if study.balance is not None and name in study.balance.index]
    rates = [(e.p1 if participants else e.p0_raw, _RATE_PRINTED) for name, e in study.estimates.items() if not hidden.get(name)]
    matched = [(e.values["appariement"], _RATE_PRINTED) for e in study.estimates.values()] if participants else []
    return rates + means, matched


def hidden_rates(people: pd.DataFrame, groups: list[pd.Series], masks: YearlyMasks | None, threshold: int) -> dict[str, bool]:
    """For each outcome, whether the rate of ``people`` (one row per person: ``annee``, the outcomes
    as 1 or 0) must not be printed (:func:`disclosive`, against the yearly rates of the whole masked
    in ``masks``; None: no yearly table covers these people, as for the comparison group)."""
    return {name: disclosive(people[name].astype(bool), people["annee"], masks.rate(name) if masks else set(), groups, threshold)
            for name in effect.OUTCOMES}


def prepare(dossier: str | Path, comparaison: str | Path | None = None, reference: str | Path | None = None, horizon: int = 6,
            mois: int = MONTHS, seuil: int = 5, sortie: str | Path = ".", indicateurs: str | Path | None = None,
            replications: int = effect.REPLICATES, graine: int = 1, editeur: str | None = None,
            date_publication: str | None = None) -> Report:
    """The study of ``dossier``: against the comparison group of ``comparaison`` when given, the
    association with the hours of the first ``mois`` months, the benchmark of ``reference``;
    ``editeur`` replaces the publisher's name of ``dossier/publication.toml``;
    ``date_publication``: the date printed on the report (``AAAA-MM-JJ``; default: today)."""
    dataset = impact.load(dossier)
    if indicateurs is None:
        indicateurs = write(dataset, indicators(dataset, horizon=horizon), Path(sortie), horizon, HEURES_ETP, False, seuil)
    metadata = json.loads((Path(indicateurs).parent / "metadonnees.json").read_text(encoding="utf-8"))
    facts = build_facts(dataset, pd.Timestamp(metadata["parametres"]["date_extraction"]))
    leavers = known_leavers(facts, dataset, horizon)
    masks = yearly_masks(indicateurs)
    left_out = tuple(sorted(masks.size() & set(leavers["annee"])))
    leavers = leavers.loc[~leavers["annee"].isin(left_out)].reset_index(drop=True)
    study = None
    if comparaison is not None:
        log = ProblemLog()
        group = read_comparison(Path(comparaison), log)
        if group is None or (log.frame()["gravite"] == "erreur").any():
            raise ValueError(f"groupe de comparaison inutilisable : {Path(comparaison).name}")
        sample = study_sample(facts, dataset, group, horizon)
        sample = sample.loc[~(sample["participant"] & sample["annee"].isin(left_out))].reset_index(drop=True)
        study = effect.study(sample, replications, graine) if sample["participant"].any() else None
    pooled_hidden = hidden = hidden_rates(leavers, [], masks, seuil)
    comparison_hidden = dict.fromkeys(effect.OUTCOMES, False)
    support_hidden = comparison_support_hidden = False
    if study is not None:
        kept, treated = study.overlap.kept, study.sample["participant"].to_numpy(dtype=bool)
        participants = study.sample.loc[treated].reset_index(drop=True)
        hidden = hidden_rates(participants, [pd.Series(~kept[treated]), pd.Series(kept[treated])], masks, seuil)
        comparison_hidden = hidden_rates(study.sample.loc[~treated & kept], [], None, seuil)
        support_hidden = support_told(int(treated.sum()), study.overlap.trimmed_treated, *_support_figures(study, True, hidden), seuil)
        comparison_support_hidden = support_told(int((~treated).sum()), study.overlap.trimmed_comparison,
                                                 *_support_figures(study, False, comparison_hidden), seuil)
        hidden = dict.fromkeys(hidden, True) if support_hidden else hidden
        comparison_hidden = dict.fromkeys(comparison_hidden, True) if comparison_support_hidden else comparison_hidden
    references = read_reference(Path(reference)) if reference is not None else None
    bench = benchmark(leavers, references) if references is not None else None
    bench_shown = bench is not None and not pooled_hidden[DYNAMIC] and benchmark_publishable(leavers, references, masks, seuil)
    files = {name: entry["sha256"] for name, entry in metadata["entrees"]["fichiers"].items()}
    files |= {Path(f).name: sha256(Path(f).read_bytes()) for f in (comparaison, reference) if f is not None}
    cohorts = (int(leavers["annee"].min()), int(leavers["annee"].max())) if len(leavers) else None
    return Report(int(horizon), int(seuil), metadata, Path(comparaison).name if comparaison else None, study,
                  association(leavers, facts, mois), bench, len(leavers), int(replications), files,
                  float(leavers["sorties_dynamiques"].mean()) if len(leavers) else float("nan"), cohorts,
                  editorial.publisher(dossier, editeur, date_publication), left_out, pooled_hidden, hidden, comparison_hidden, masks, bench_shown,
                  support_hidden, comparison_support_hidden)


_MASKED_RATE = ("« s » : taux non publié (secret statistique) : il redonnerait un nombre de 1 à {threshold} personnes (celles écartées "
                "du support commun parmi elles), ou un taux masqué des indicateurs annuels ; ce qui le redonnerait (écart brut, valeur E, "
                "estimation par appariement) est masqué avec lui.")


def _raw_hidden(report: Report, name: str) -> bool:
    """The raw difference of ``name`` gives either group's rate from the other's."""
    return bool(report.hidden.get(name) or report.comparison_hidden.get(name))


def _masked_notes(report: Report, rows: list[list[str]], lecture: str = "") -> list[str]:
    """The Champ and Source lines (and Lecture) of a study table, and what « s » means when the
    table holds one."""
    notes = report.notes(report.champ(comparison=True), lecture, comparison=True)
    return notes + ([_MASKED_RATE.format(threshold=report.threshold)] if any(MARK in row for row in rows) else [])


def _with_study(section: Callable[[Report], Markdown | charts.FigureOutput]) -> Callable[[Report], Markdown | charts.FigureOutput]:
    """A section that shows nothing without a comparison group."""
    @functools.wraps(section)
    def shown(report: Report) -> Markdown | charts.FigureOutput:
        return Markdown("") if report.study is None else section(report)

    return shown


def _difference(report: Report) -> str:
    return "effet" if report.credible else "écart"


def title(report: Report) -> Markdown:
    """Front matter and the opening paragraph, which says what the report can and cannot claim."""
    if report.study is None:
        heading = "Devenir des participants : heures travaillées et référence externe"
        opening = (("Aucun groupe de comparaison n'a été fourni" if report.comparison_file is None else
                    f"Le groupe de comparaison ({report.comparison_file}) n'a aucun participant à qui être comparé")
                   + " : ce rapport ne dit pas ce que la clause a changé pour les personnes. Il décrit le lien entre les heures "
                     "travaillées et le devenir, et compare le devenir observé à des taux de référence.")
    elif report.credible:
        heading = "Étude d'impact : ce que la clause a changé pour les personnes recrutées"
        opening = (f"Les participants sont comparés à des personnes éligibles non recrutées ({report.comparison_file}), rendues "
                   "comparables par leurs caractéristiques observées. Le recouvrement et l'équilibre des deux groupes sont "
                   "satisfaisants : l'estimation ci-dessous peut se lire comme l'effet moyen de la clause sur les participants, "
                   "sous l'hypothèse qu'aucune différence non mesurée ne sépare les groupes (voir la sensibilité).")
    else:
        heading = "Devenir des participants et d'un groupe de comparaison"
        opening = ("Les participants sont comparés à des personnes éligibles non recrutées "
                   f"({report.comparison_file}), mais **les diagnostics ne permettent pas d'estimer ce que la clause a changé** : "
                   + " ; ".join(report.study.failures())
                   + ". Seule la comparaison descriptive est montrée : l'écart entre les groupes mêle la clause et les "
                     "différences de profil.")
    subtitle = f"Devenir à {report.horizon} mois des personnes sorties {report.years} de leur parcours en clause sociale"
    head = editorial.front_matter(heading, subtitle, report.publisher, report.extraction)
    sentences = "\n".join(f"{markdown(sentence)}\n" for sentence in summary(report))
    return editorial.opening("\n".join([head, "## L'essentiel", "", sentences, opening, "", key_figures(report), method_box(report)]),
                             report.publisher)


def summary(report: Report) -> list[str]:
    """What the study finds, in plain French, never more than its design allows: an *effet* only
    when the diagnostics pass, an *écart* otherwise; the hours, an *association*; the reference, a
    *comparaison*."""
    dynamic = ("leur taux de sorties dynamiques (emploi ou sortie positive) n'est pas publié (secret statistique)"
               if report.pooled_hidden.get(DYNAMIC) else f"{french_percent(report.dynamic, 1, fixed=True)} sont en emploi ou en sortie positive (sorties dynamiques)")
    sentences = [f"{french_number(report.leavers, 0)} personnes sorties {report.years} ont une situation connue {report.horizon} mois après la "
                 f"fin de leur parcours ; {dynamic}."] if report.leavers else []
    if report.left_out:
        sentences.append(report.left_out_sentence)
    study = report.study
    if study is None:
        sentences.append("Sans groupe de comparaison, ce rapport ne dit pas ce que la clause a changé pour elles." if report.leavers else
                         "Aucun sortant ne peut entrer dans l'étude : ce rapport ne dit pas ce que la clause a changé.")
    elif (e := study.estimates.get("sorties_dynamiques")) is not None:
        if not report.credible and not _raw_hidden(report, DYNAMIC):
            sentences.append(f"Les participants ont un taux de sorties dynamiques de {french_percent(e.p1, 1)}, contre "
                             f"{french_percent(e.p0_raw, 1)} dans le groupe de comparaison : un écart brut de "
                             f"{french_change(e.raw_difference, True)}, qui mêle la clause et les différences de profil. Les diagnostics "
                             "ne permettent pas d'en tirer ce que la clause a changé.")
        elif not report.credible:
            sentences.append("L'écart brut de sorties dynamiques entre les participants et le groupe de comparaison n'est pas publié "
                             "(secret statistique) ; les diagnostics ne permettent pas d'en tirer ce que la clause a changé.")
        else:
            low, high = e.interval()
            value = french_change(e.values["doublement_robuste"], True)
            sentences.append(
                f"À profil observé comparable, la clause a un effet estimé de {value} sur le taux de sorties dynamiques "
                f"(intervalle à 95 % : {french_change(low, True)} à {french_change(high, True)}), si aucune différence non mesurée ne "
                "sépare les groupes." if e.significant else
                f"À profil observé comparable, aucun effet de la clause sur le taux de sorties dynamiques n'est établi : l'intervalle "
                f"à 95 % va de {french_change(low, True)} à {french_change(high, True)} et contient zéro.")
    dose = report.dose
    if dose.curve is not None and dose.p_value is not None:
        linked = "varie" if dose.p_value < 0.05 else "ne varie pas de façon nette"
        sentences.append(f"Le taux de sorties dynamiques {linked} avec les heures des {dose.months} premiers mois du parcours "
                         f"(p = {french_number(dose.p_value, 3)}) : une association, qui ne dit pas ce que les heures ont causé.")
    bench = report.benchmark
    if report.benchmark_shown:
        sentences.append(f"Rapportées aux taux de référence ({bench.source}), les sorties dynamiques observées valent "
                         f"{french_number(bench.ratio, 2)} fois les attendues : une comparaison à une référence, pas une estimation "
                         "de ce que la clause a changé.")
    return sentences


def key_figures(report: Report) -> str:
    """The key figures of the first page: who is followed and compared, the rates, the estimate
    only when the diagnostics pass."""
    rows = [[f"Sortants {report.years}, situation connue à {report.horizon} mois", french_number(report.leavers, 0)],
            ["Dont en sortie dynamique", MARK if report.pooled_hidden.get(DYNAMIC) else french_percent(report.dynamic, 1, fixed=True)]] if report.leavers else []
    study = report.study
    if study is not None:
        treated = int(study.sample["participant"].sum())
        rows.append(["Personnes du groupe de comparaison (situation connue)", french_number(len(study.sample) - treated, 0)])
        e = study.estimates.get("sorties_dynamiques")
        if e is not None:
            rows.append(["Sorties dynamiques, groupe de comparaison (taux brut)",
                         MARK if report.comparison_hidden.get(DYNAMIC) else french_percent(e.p0_raw, 1)])
            rows.append(["Écart brut (participants du support commun)", MARK if _raw_hidden(report, DYNAMIC) else french_change(e.raw_difference, True)])
            if report.credible:
                low, high = e.interval()
                rows.append(["Effet estimé (doublement robuste, intervalle à 95 %)",
                             f"{french_change(e.values['doublement_robuste'], True)} ({french_change(low, True)} à {french_change(high, True)})"])
    if report.benchmark_shown:
        rows.append(["Sorties dynamiques observées / attendues selon la référence", french_number(report.benchmark.ratio, 2)])
    if not rows:
        return ""
    lecture = (f"{french_percent(report.dynamic, 1, fixed=True)} des sortants dont la situation est connue {report.horizon} mois après la fin de "
               "leur parcours sont en emploi ou en sortie positive." if report.leavers and not report.pooled_hidden.get(DYNAMIC) else "")
    return markdown_table(rows, ["Indicateur", "Valeur"], "L'étude en chiffres", "lr", notes=_masked_notes(report, rows, lecture))


def method_box(report: Report) -> str:
    """The methods box of the first page: what is compared, how, and what may be said."""
    if report.study is None:
        design = ("Sans groupe de comparaison, le rapport ne mesure pas ce que la clause a changé : le lien entre les heures et le "
                  "devenir est une association, la référence externe une comparaison.")
    else:
        design = ("Groupe de comparaison : des personnes éligibles non recrutées, rendues comparables par un score de propension "
                  "(sexe, âge, niveau de formation, publics, emploi passé) ; appariement, pondération et estimation doublement "
                  f"robuste, intervalles par bootstrap ({report.replicates} tirages). " + (
                      "Le recouvrement et l'équilibre des groupes sont satisfaisants : l'estimation peut se lire comme un effet, si "
                      "aucune différence non mesurée ne sépare les groupes." if report.credible else
                      "Le recouvrement ou l'équilibre des groupes n'est pas satisfaisant : seul l'écart brut entre les groupes est "
                      "montré."))
    return editorial.box("Méthode en bref", [
        f"Le devenir est la situation {report.horizon} mois après la fin du parcours (emploi durable ; sortie dynamique : emploi "
        "ou sortie positive) ; les situations inconnues ou neutralisées sont écartées.", design,
        f"Règle de diffusion : les comptes de 1 à {report.threshold} personnes et les taux dont le numérateur ou le dénominateur "
        f"compte de 1 à {report.threshold} personnes sont masqués (« {MARK} »), ainsi que les valeurs qui permettraient de les retrouver"
        + (" ; les cohortes dont le nombre de sortants de situation connue est masqué dans les indicateurs ne sont pas dans "
           "l'étude." if report.left_out else ".")])


def sizes(report: Report) -> Markdown:
    """Who is compared, and the minimum detectable differences, before any estimate."""
    if report.study is None:
        return Markdown(f"Pas de groupe de comparaison. {french_number(report.leavers, 0)} sortants dont la situation à "
                        f"{report.horizon} mois est connue fondent les sections suivantes.\n")
    study = report.study
    sample = study.sample
    treated = int(sample["participant"].sum())
    o = study.overlap
    lines = [["Participants (situation connue)", french_number(treated, 0), _kept(treated, o.trimmed_treated, report.threshold)],
             ["Groupe de comparaison (situation connue)", french_number(len(sample) - treated, 0),
              _kept(len(sample) - treated, o.trimmed_comparison, report.threshold)]]
    hidden = [f"« {MARK} » : le nombre de personnes écartées, de 1 à {report.threshold}, se lirait par différence (secret statistique)."]
    table = markdown_table(lines, ["Groupe", "Personnes", "Dans le support commun"], "Les deux groupes comparés",
                           notes=report.notes(report.champ(comparison=True), comparison=True)
                           + (hidden if any(line[2] == MARK for line in lines) else []))
    text = (f"Participants : sortants {report.years} (cohortes observables), situation à {report.horizon} mois après la fin du parcours. "
            f"Groupe de comparaison : situation {report.horizon} mois après la date de référence. Les situations inconnues ou "
            "neutralisées sont écartées.\n\n")
    # A detectable difference holds the comparison group's rate: not told when that rate is masked (two of them give it back).
    detectable = {name: value for name, value in study.detectable.items() if not report.comparison_hidden.get(name)}
    if detectable:
        text += ("**Ce que l'étude peut détecter.** Avec ces effectifs, un écart réel est trouvé 8 fois sur 10 (au seuil de 5 %) "
                 "s'il atteint au moins "
                 + " et ".join(f"{french_change(value, True)} sur le {_rate(name)}" for name, value in detectable.items())
                 + " : un écart plus petit peut exister sans être vu.\n\n")
    return Markdown(text + table)


#: Equal bins of the propensity-score histograms (0 to 1), before merging (:func:`histogram_edges`).
SCORE_BINS = 30


def _small(count: int, threshold: int) -> bool:
    """A count of persons from 1 to the threshold: never printed, nor anything it can be read from."""
    return 1 <= count <= threshold


def _kept(persons: int, trimmed: int, threshold: int) -> str:
    """The persons of a group in the common support, masked when those left out are 1 to the threshold."""
    return MARK if _small(trimmed, threshold) else french_number(persons - trimmed, 0)


def _trimmed(count: int, noun: str, threshold: int) -> str:
    """``3 participants``, or an unpublished number when it is 1 to the threshold."""
    return f"un nombre non publié (secret statistique) de {noun}s" if _small(count, threshold) else _counted(count, noun)


def histogram_edges(scores: np.ndarray, threshold: int, bins: int = SCORE_BINS) -> np.ndarray:
    """Edges (scores, 0 to 1) of a histogram of ``scores`` whose every bar holds no one or more than
    ``threshold`` persons: ``bins`` equal bins, neighbours merged from the left until each bar that
    holds someone holds more than ``threshold``, a last bar short of it merged into those before.
    A bar of 1 to ``threshold`` persons would publish a small count (its share times the group's
    published size), and the bars beyond the common support the number of persons left out of it,
    which the text does not print when it is that small."""
    counts = np.histogram(scores, bins=np.linspace(0, 1, bins + 1))[0]
    edges, running = [0], 0
    for end, count in enumerate(counts, start=1):
        running += count
        if running == 0 or running > threshold:  # an empty bin stays a bar of its own; a bar closes above the threshold
            edges.append(end)
            running = 0
    edges.append(bins)
    edges = sorted(set(edges))
    while len(edges) > 2 and 0 < counts[edges[-2]:].sum() <= threshold:
        del edges[-2]
    return np.array(edges) / bins


@_with_study
def overlap_chart(report: Report) -> charts.FigureOutput | Markdown:
    """Histograms of the propensity scores of both groups, with the common support; each bar holds
    no one or more than the threshold (:func:`histogram_edges`)."""
    o = report.study.overlap
    treated = report.study.sample["participant"].to_numpy(dtype=bool)
    groups = [o.score[treated], o.score[~treated]]
    figure = charts.overlap(*((scores, histogram_edges(scores, report.threshold)) for scores in groups), o.support,
                            "Recouvrement des scores de propension", 1 / SCORE_BINS)
    alt = (f"Histogrammes des scores de propension : participants et groupe de comparaison ; support commun de "
           f"{french_percent(o.support[0])} à {french_percent(o.support[1])}.")
    return charts.figure_output(figure, alt, "Les profils des deux groupes se recouvrent-ils ? Scores de propension",
                                report.notes(report.champ(comparison=True), comparison=True))


@_with_study
def overlap_text(report: Report) -> Markdown:
    """The trimming applied, the effective size, and their reading."""
    o = report.study.overlap
    verdict = "suffisant" if o.passes else "**insuffisant**"
    return Markdown(
        "Le score de propension est la probabilité d'être participant selon le sexe, l'âge, le niveau de formation, les publics"
        + (" et les mois en emploi avant" if report.study.prior_used else "") + " (régression logistique). "
        f"Les personnes hors du support commun ({french_percent(o.support[0])} à {french_percent(o.support[1])}) sont écartées : "
        f"{_trimmed(o.trimmed_treated, 'participant', report.threshold)}"
        + ("" if _small(o.trimmed_treated, report.threshold) else f" ({french_percent(o.share_trimmed)})")
        + f" et {_trimmed(o.trimmed_comparison, 'personne', report.threshold)} du groupe de comparaison. Taille effective du groupe de comparaison pondéré : {french_number(o.effective, 0)} personnes. "
        f"Recouvrement {verdict} (au plus {french_percent(effect.MAX_TRIMMED, 0)} de participants écartés et une taille "
        f"effective d'au moins {effect.MIN_EFFECTIVE}). *Lecture : les deux groupes doivent partager les mêmes profils ; un "
        "participant sans équivalent dans l'autre groupe ne peut pas être comparé.*\n")


def _figure(value: float) -> str:
    """Two decimals, always (one format per column), without a negative zero."""
    return french_number(round(float(value), 2) + 0.0, 2, fixed=True)


#: The categories of the yearly indicators a balance row counts (or its complement counts).
_YEARLY_CATEGORIES = {"Femme": [(("sexe", "F"), False), (("sexe", "M"), True)],
                      **{label: [(("public", code), False)] for code, label in effect.PUBLIC_LABELS.items()}}


def disclosive_shares(report: Report) -> pd.Series:
    """For each characteristic of the balance table, whether its row is masked: a yes-or-no one
    whose share in a group, beside the group's size, gives back a count (:func:`disclosive`) of 1 to
    the threshold persons, or, for the participants pooled over the cohorts, a yearly count of the
    category masked in the indicators (sex and publics; each standardised difference gives the share
    back from the other group's). Every row is masked when the persons of a group left out of the
    common support number 1 to the threshold (the shares would tell the group's size); every
    training level when the level left out of the table (the first) is one to mask."""
    study, threshold = report.study, report.threshold
    sample, kept = study.sample, pd.Series(study.overlap.kept, index=study.sample.index)
    treated = sample["participant"].astype(bool)
    frame = effect.covariates(sample, study.prior_used).reindex(columns=study.balance.index)
    binary = ~study.balance.index.isin(effect.CONTINUOUS)
    if _small(study.overlap.trimmed_treated, threshold) or _small(study.overlap.trimmed_comparison, threshold):
        return pd.Series(binary, index=study.balance.index)
    participants, comparison = sample.loc[treated], sample.loc[~treated & kept]
    groups = [~kept[treated], kept[treated]]
    masks = report.masks or YearlyMasks({}, {})

    def hidden(member: pd.Series, categories: list) -> bool:
        return (disclosive(member[participants.index], participants["annee"], set(), groups, threshold)
                or disclosive(member[comparison.index], comparison["annee"], set(), [], threshold)
                or any(disclosive(~member[participants.index] if complement else member[participants.index], participants["annee"],
                                  masks.size(key), groups, threshold) for key, complement in categories))

    result = pd.Series([bool(b) and hidden(frame[name].eq(1), _YEARLY_CATEGORIES.get(name, [])) for name, b in zip(frame.columns, binary)],
                       index=study.balance.index)
    if hidden(sample["niveau_formation"].astype(object).eq(next(iter(NIVEAU_FORMATION))), []):
        result[result.index.str.startswith("Formation ")] = True
    return result


@_with_study
def balance(report: Report) -> Markdown:
    """Standardised mean differences and variance ratios, before and after weighting and matching."""
    study = report.study
    if study.balance is None:
        return Markdown("Équilibre non mesurable : aucun participant ou aucune personne de comparaison dans le support commun.\n")
    table, matched = study.balance, study.matched_balance
    hidden = disclosive_shares(report)
    # A characteristic masked in every column is left out of the table and named under it.
    lines = [[name, MARK if report.support_hidden else _figure(r["moyenne_participants"]),
              MARK if report.comparison_support_hidden else _figure(r["moyenne_comparaison"]), _figure(r["dms_avant"]), _figure(r["dms_apres"]),
              _figure(matched.loc[name, "dms_apres"]) if matched is not None else "",
              _figure(r["rv_apres"]) if name in effect.CONTINUOUS else ""] for name, r in table.loc[~hidden].iterrows()]
    notes = report.notes(report.champ(comparison=True), comparison=True)
    if hidden.any():
        notes.append(f"Non publiées (secret statistique) : {', '.join(hidden.index[hidden])} ; 1 à {report.threshold} personnes ont, ou "
                     "n'ont pas, chacune de ces caractéristiques parmi les participants, le groupe de comparaison ou les participants "
                     "écartés du support commun, ou leur nombre redonnerait un compte masqué des indicateurs annuels, et ses moyennes "
                     "et différences standardisées le redonneraient.")
    if report.support_hidden or report.comparison_support_hidden:
        notes.append(f"Moyennes masquées (« {MARK} ») : 1 à {report.threshold} personnes de ce groupe sont écartées du support commun, et "
                     "les moyennes des autres redonneraient leur nombre (secret statistique).")
    header = ["Caractéristique", "Participants", "Comparaison", "DMS avant", "DMS pondérée", "DMS appariée", "RV pondéré"]
    verdict = "est atteint" if study.balance_ok else "**n'est pas atteint**"
    figures = [cell for line in lines for cell in line[1:] if cell]
    if sum(cell == MARK for cell in figures) * 2 >= len(figures):  # a table mostly masked gives way to a sentence
        return Markdown(f"L'équilibre des caractéristiques après pondération {verdict} (différences moyennes standardisées de moins de "
                        f"{french_number(effect.MAX_SMD, 1)} en valeur absolue, rapports de variances entre 0,5 et 2). Le tableau "
                        f"d'équilibre n'est pas publié : la plupart de ses valeurs porteraient sur 1 à {report.threshold} personnes ou "
                        "permettraient de les retrouver (secret statistique).\n")
    text = (f"Différence moyenne standardisée (DMS) de chaque caractéristique, avant et après pondération ou appariement ; "
            f"cible : moins de {french_number(effect.MAX_SMD, 1)} en valeur absolue, et un rapport de variances entre 0,5 et 2 pour "
            f"l'âge et les mois en emploi. L'équilibre après pondération {verdict}. *Lecture : une fois pondérés, les deux groupes "
            "doivent se ressembler sur tout ce que les données mesurent.*"
            + ("" if _small(study.overlap.trimmed_treated, report.threshold) else
               f" Appariement : {french_percent(study.matched_share)} des participants ont un voisin dans la marge de "
               f"{french_number(effect.CALIPER, 1)} écart-type du logit du score.") + "\n\n")
    return Markdown(text + markdown_table(lines, header, "Équilibre des caractéristiques : moyennes, différences moyennes standardisées (DMS) et rapport de variances (RV)",
                                          notes=notes, nil=False))


@_with_study
def estimates(report: Report) -> Markdown:
    """The estimates of the three estimators when the diagnostics pass; the descriptive rates otherwise."""
    study = report.study
    if not study.estimates or not report.credible:
        rows = [[effect.OUTCOMES[name].capitalize(), MARK if report.hidden.get(name) else french_percent(e.p1, fixed=True),
                 MARK if report.comparison_hidden.get(name) else french_percent(e.p0_raw, fixed=True),
                 MARK if _raw_hidden(report, name) else french_change(e.raw_difference, True)] for name, e in study.estimates.items()]
        return Markdown("Comparaison descriptive seulement (diagnostics non satisfaits) : l'écart brut mêle la clause et les "
                        "différences de profil entre les groupes.\n\n"
                        + markdown_table(rows, ["Devenir", "Participants", "Groupe de comparaison", "Écart brut"], "Taux bruts des deux groupes",
                                         notes=_masked_notes(report, rows), nil=False))
    noun = _difference(report)
    rows = []
    for name, e in study.estimates.items():
        low, high = e.interval()
        rows.append([effect.OUTCOMES[name].capitalize(), MARK if report.hidden.get(name) else french_percent(e.p1, fixed=True),
                     MARK if _raw_hidden(report, name) else french_change(e.raw_difference, True),
                     MARK if report.support_hidden else french_change(e.values["appariement"], True), french_change(e.values["ponderation"], True),
                     french_change(e.values["doublement_robuste"], True), f"{french_change(low, True)} à {french_change(high, True)}"])
    header = ["Devenir", "Taux des participants", "Écart brut", "Appariement", "Pondération", "Doublement robuste", "Intervalle à 95 %"]
    lines = []
    for name, e in study.estimates.items():
        low, high = e.interval()
        found = (f"la clause a un {noun} de {french_change(e.values['doublement_robuste'], True)} (de {french_change(low, True)} à "
                 f"{french_change(high, True)})") if e.significant else (f"aucun {noun} n'est établi (intervalle de {french_change(low, True)} à "
                                                                       f"{french_change(high, True)}, qui contient zéro)")
        lines.append(f"- {_rate(name).capitalize()} : {found}.")
    text = ("Estimation principale : doublement robuste (régression du devenir pondérée par les chances d'être participant), "
            "cohérente si le score de propension ou le modèle du devenir est juste. Intervalles par bootstrap : "
            f"{report.replicates} tirages de personnes avec remise dans chaque groupe, score réestimé à chaque tirage, intervalle "
            "normal (estimation ± 1,96 erreur type).\n\n" + "\n".join(lines) + "\n\n")
    return Markdown(text + markdown_table(rows, header, f"{noun.capitalize()} moyen sur les participants (points de pourcentage)",
                                          notes=_masked_notes(report, rows), nil=False))


@_with_study
def placebo(report: Report) -> Markdown:
    """The placebo outcome: prior employment, with a score that leaves it out."""
    study = report.study
    if study.placebo is None:
        return Markdown("Contrôle placebo impossible : les mois en emploi avant ne sont pas renseignés pour toutes les personnes.\n")
    e = study.placebo
    low, high = e.interval()
    passed = low <= 0 <= high
    reading = ("les autres caractéristiques suffisent à rendre les groupes semblables sur leur passé professionnel, ce qui rend "
               "plausible qu'elles captent aussi une partie de ce qui n'est pas mesuré." if passed else
               "la sélection dépend du passé professionnel au-delà des autres caractéristiques : l'estimation principale repose sur sa "
               "prise en compte, et d'autres différences non mesurées peuvent subsister.")
    return Markdown(f"Même estimation, sur un devenir que la clause ne peut pas changer : les mois en emploi dans les 12 mois avant, "
                    f"avec un score de propension qui les ignore. Écart : {french_number(e.values['doublement_robuste'], 2)} mois "
                    f"(de {french_number(low, 2)} à {french_number(high, 2)}). " + ("Aucun écart : " if passed else "**Écart net** : ")
                    + reading + "\n")


@_with_study
def sensitivity(report: Report) -> Markdown:
    """E-values and Rosenbaum bounds, only once the diagnostics pass."""
    study = report.study
    if not report.credible:
        return Markdown("Sans estimation ajustée, pas d'analyse de sensibilité.\n")
    rows = [[effect.OUTCOMES[name].capitalize(), *([MARK] * 2 if report.hidden.get(name) else
                                                   [_figure(study.e_values[name][0]), _figure(study.e_values[name][1])]),
             _figure(study.gamma[name])] for name in study.estimates]
    text = ("**Valeur E** : la force d'association (en rapport de risques) qu'un facteur non mesuré devrait avoir à la fois avec le "
            "recrutement en clause et avec le devenir pour expliquer entièrement l'estimation (puis pour ramener l'intervalle à zéro) ; "
            "1 signifie qu'aucun facteur n'est nécessaire. **Γ de Rosenbaum** : sur les paires appariées, le rapport de chances "
            "d'être recruté entre deux personnes de même profil observé jusqu'auquel le résultat reste significatif à 5 % "
            "(1 : déjà non significatif sans biais caché).\n\n")
    return Markdown(text + markdown_table(rows, ["Devenir", "Valeur E", "Valeur E de l'intervalle", "Γ de Rosenbaum"], "Sensibilité à un facteur non mesuré",
                                          notes=_masked_notes(report, rows), nil=False))


def dose_chart(report: Report) -> charts.FigureOutput | Markdown:
    """The dynamic-exit rate against the hours of the first months: an association."""
    dose = report.dose
    if dose.curve is None:
        return Markdown(f"Lien entre heures et devenir non estimé : {dose.reason}.\n")
    c = dose.curve
    figure = charts.curve(c["heures"].to_numpy(), c["taux"].to_numpy(), c["ic_bas"].to_numpy(), c["ic_haut"].to_numpy(),
                          f"Sorties dynamiques selon les heures des {dose.months} premiers mois",
                          f"Heures travaillées pendant les {dose.months} premiers mois du parcours", "Taux de sorties dynamiques")
    alt = (f"Courbe du taux de sorties dynamiques selon les heures des {dose.months} premiers mois : de "
           f"{french_percent(c['taux'].iloc[0])} à {french_number(c['heures'].iloc[0], 0)} heures à {french_percent(c['taux'].iloc[-1])} "
           f"à {french_number(c['heures'].iloc[-1], 0)} heures.")
    return charts.figure_output(figure, alt, f"Sorties dynamiques et heures des {dose.months} premiers mois : une association",
                                report.notes(f"{report.champ()}, parcours d'au moins {dose.months} mois"))


def dose_text(report: Report) -> Markdown:
    """How the association is estimated and why it is not causal."""
    dose = report.dose
    if dose.curve is None:
        return Markdown("")
    q1, median, q3 = dose.quartiles
    return Markdown(
        f"**Une association, qui ne dit pas ce que les heures ont causé.** {french_number(dose.persons, 0)} sortants dont le parcours a duré au "
        f"moins {dose.months} mois ; heures de leurs {dose.months} premiers mois (quartiles : {french_number(q1, 0)}, "
        f"{french_number(median, 0)} et {french_number(q3, 0)} heures). Les heures totales ne sont pas utilisées : une personne qui "
        "trouve un emploi quitte la clause plus tôt, ce qui ferait paraître les longs parcours moins favorables. Modèle logistique "
        "avec une spline des heures, à sexe, âge et niveau de formation donnés ; test d'un lien avec les heures : "
        f"p = {french_number(dose.p_value, 3)}. Les personnes qui travaillent plus d'heures peuvent différer sur ce que les données ne "
        "mesurent pas.\n")


def benchmark_publishable(people: pd.DataFrame, reference: pd.DataFrame, masks: YearlyMasks, threshold: int) -> bool:
    """Whether the benchmark of the known leavers ``people`` can be published whole: its leavers and
    dynamic exits by category, with their totals, ratio and interval (which give a masked
    category's persons back from two reference rates), give back neither a count of 1 to
    ``threshold`` persons nor, pooled over the cohorts, a yearly count or rate of the category
    masked in the indicators (:func:`disclosive`); the leavers without a reference rate are not
    1 to ``threshold`` either. A category of publics is each leaver's first public, which the yearly
    tables do not count: it is checked on its counts only."""
    stratum = strata(people, reference)
    dimension = reference["dimension"].iloc[0]
    if _small(int(stratum.isna().sum()), threshold):
        return False
    counted = dimension != "public"
    for modalite in reference["modalite"]:
        member = stratum.eq(modalite)
        members = people.loc[member]
        sizes, rates = (masks.size((dimension, modalite)), masks.rate(DYNAMIC, (dimension, modalite))) if counted else (set(), set())
        if disclosive(member, people["annee"], sizes, [], threshold) or (
                len(members) and disclosive(members[DYNAMIC].astype(bool), members["annee"], rates, [], threshold)):
            return False
    return True


def benchmark_section(report: Report) -> Markdown:
    """Observed against expected dynamic exits, by indirect standardisation on the reference rates."""
    bench = report.benchmark
    if bench is None:
        return Markdown("Pas de fichier de taux de référence : pas de comparaison à une référence externe.\n")
    if not report.benchmark_shown:
        return Markdown("Comparaison à la référence non publiée (secret statistique) : les sortants et les sorties dynamiques d'une "
                        f"catégorie, ou leurs totaux, redonneraient un nombre de 1 à {report.threshold} personnes ou une valeur masquée "
                        "des indicateurs annuels.\n")
    rows = [[str(stratum), french_number(r["personnes"], 0), french_percent(r["taux_reference"]), french_number(r["observees"], 0),
             french_number(r["attendues"], 1)] for stratum, r in bench.table.iterrows()]
    labels = {**PUBLICS, "aucun": "Aucun public", **SEXE, **NIVEAU_FORMATION, "moins_26": "Moins de 26 ans", "26_49": "26 à 49 ans",
              "50_plus": "50 ans et plus"}
    rows = [[labels.get(r[0], r[0]).split(" (")[0], *r[1:]] for r in rows]
    unmatched = (f" {_counted(bench.unmatched, 'sortant')} sans taux de référence pour leur catégorie "
                 f"{'sont écartés' if bench.unmatched > 1 else 'est écarté'}." if bench.unmatched else "")
    text = (f"**Une comparaison à une référence, pas une estimation de ce que la clause a changé.** Source des taux de référence : "
            f"{bench.source}. Sorties dynamiques observées : {french_number(bench.observed, 0)} ; attendues si chaque sortant avait le "
            f"taux de référence de sa catégorie : {french_number(bench.expected, 1)} ; rapport observé / attendu "
            f"{french_number(bench.ratio, 2)} (intervalle exact de Poisson à 95 % : {french_number(bench.low, 2)} à "
            f"{french_number(bench.high, 2)}). La population de référence diffère des participants de bien des façons que les données "
            "ne montrent pas." + unmatched + "\n\n")
    return Markdown(text + markdown_table(rows, ["Catégorie", "Sortants", "Taux de référence", "Observées", "Attendues"],
                                          "Sorties dynamiques observées et attendues",
                                          notes=[*report.notes(report.champ()), f"Taux de référence : {bench.source}."]))


def sources(report: Report) -> Markdown:
    """Method annex: kit version, parameters and the SHA-256 of every input file."""
    text = (f"Devenir à {report.horizon} mois. Les calculs portent sur les données individuelles ; seuls des résultats agrégés sont "
            f"montrés. Kit : impact {report.metadata['version']}.\n")
    table = markdown_table([[name, Markup(f"`{digest}`")] for name, digest in report.files.items()], ["Fichier", "SHA-256"],
                           "Fichiers de données lus et leur empreinte SHA-256", "ll")
    return Markdown(text + "\n" + table)
