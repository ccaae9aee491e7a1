"""The indicators of the bilans (SPEC sections 4 and 5), per year and territory.

Each indicator is computed by one function below, registered with its code and French label; its
docstring is its definition, and the indicator page of the docs is generated from them
(:func:`definitions_markdown`). :func:`indicators` assembles them into the long table of SPEC
section 5, one row per (year, territory, indicator, dimension, modality), with the change on the
previous year.

Every function takes the :class:`~impact.facts.Facts` and a :class:`Scope`: by year and
territory, or by year alone for ``ensemble``, where distinct counts are distinct over the whole
dataset (a person hired in two territories counts once). Functions return one value per group of
the scope, for every year and territory of the table, zeros included: group-bys are integer
``bincount``\\ s over group codes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import impact.outcomes as outcomes_module
from impact.dataset import Dataset
from impact.metadata import metadata, to_json
from impact.output import atomic_write_bytes, atomic_write_text, spreadsheet_bytes
from impact.publication import mask, secrecy_record
from impact.attribution import comparable_years
from impact.facts import AGE_BANDS, Facts, build_facts
from impact.outcomes import (KNOWLEDGE_RATE, NOT_OBSERVABLE, RATE_DIMENSIONS, RATES, cohort_complete, leavers, outcome_flags,
                             rate_counts, rates_from_counts)
from impact.schema import HEURES_ETP, PUBLICS, SEXE, SITUATION, SITUATION_GROUPE

COLUMNS = ["annee", "territoire", "indicateur", "dimension", "modalite", "valeur", "part", "effectif",
           "ic_bas", "ic_haut", "valeur_precedente", "evolution"]
ENSEMBLE = "ensemble"
#: Internal columns, beside those of ``indicateurs.csv``, for the publishing rules
#: (:mod:`impact.publication`): for hours cells, the number of employers with hours in the cell,
#: the share of the cell's hours made by the first of them, and the number of persons whose
#: hours they are. They are never published.
CONCENTRATION = ["employeurs", "part_premier_employeur", "personnes_heures"]
_MEASURES = ["valeur", "part", "effectif", "ic_bas", "ic_haut", *CONCENTRATION]


@dataclass(frozen=True)
class Scope:
    """How rows are grouped: by year and territory, or by year alone (``ensemble``).

    Group ``g`` of a row is ``year_index * territories + territory_index`` (territorial scope) or
    ``year_index``; rows outside the years of the table get -1.
    """

    territorial: bool
    first_year: int
    years: int
    territories: int

    @property
    def width(self) -> int:
        """Territories per year in this scope (1 for ``ensemble``)."""
        return self.territories if self.territorial else 1

    @property
    def size(self) -> int:
        """Number of groups."""
        return self.years * self.width

    def groups(self, years: np.ndarray | pd.Series, territories: np.ndarray | pd.Series) -> np.ndarray:
        """Group of each row from its calendar year and territory position."""
        index = np.asarray(years, dtype=np.int64) - self.first_year
        group = index * self.width + (np.asarray(territories, dtype=np.int64) if self.territorial else 0)
        return np.where((index >= 0) & (index < self.years), group, -1)


class Grouping:
    """The facts seen through one scope, with the group arrays that several indicators share
    computed once: groups of the contract-years, and the first active row of each distinct
    (group, unit) pair, from which every distinct count is a plain count."""

    def __init__(self, facts: Facts, scope: Scope) -> None:
        self.facts = facts
        self.scope = scope
        rows = facts.contract_years
        self.all_rows = scope.groups(rows["annee"], rows["territoire"])
        self.active_rows = np.where(rows["actif"].to_numpy(), self.all_rows, -1)
        self._firsts: dict[str, np.ndarray] = {}

    @property
    def size(self) -> int:
        """Number of groups."""
        return self.scope.size

    def concentration(self, cells: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For hours cells (``cells``: the cell of each contract-year, -1 if none): the number of
        employers with hours in each cell, the share of the cell's hours made by the first one, and
        the number of persons with hours in it."""
        rows = self.facts.contract_years
        hours = rows["heures"].to_numpy()
        keep = (cells >= 0) & (hours > 0)
        kept = cells[keep].astype(np.int64)
        company = rows["id_entreprise"].to_numpy(dtype=np.int64)[keep]
        width = np.int64(company.max(initial=0)) + 1
        pairs, distinct = pd.factorize(kept * width + company)
        sums = np.bincount(pairs, weights=hours[keep], minlength=len(distinct))
        cell = np.asarray(distinct) // width
        top = np.zeros(size)
        np.maximum.at(top, cell, sums)
        person = rows["id_participant"].to_numpy(dtype=np.int64)[keep]
        persons = pd.unique(kept * (np.int64(person.max(initial=0)) + 1) + person) // (np.int64(person.max(initial=0)) + 1)
        return (np.bincount(cell, minlength=size).astype(float), _divide(top, np.bincount(cell, weights=sums, minlength=size)),
                np.bincount(persons, minlength=size).astype(float))

    def first(self, unit: str) -> np.ndarray:
        """Groups of the active contract-years that are the first of their (group, ``unit``) pair;
        -1 elsewhere. Counting them counts distinct units per group."""
        if unit not in self._firsts:
            units = self.facts.contract_years[unit].to_numpy(dtype=np.int64)
            key = self.active_rows.astype(np.int64) * (np.int64(np.max(units, initial=0)) + 1) + units
            repeated = pd.Series(key).duplicated().to_numpy()
            self._firsts[unit] = np.where(repeated, -1, self.active_rows)
        return self._firsts[unit]


def _count(groups: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Rows (or the sum of ``weights``) per group; rows with group -1 are left out."""
    # Rows left out go to an extra first bin, dropped: cheaper than selecting the others.
    counts = np.bincount(groups + 1, weights=None if weights is None else np.asarray(weights, dtype=float), minlength=size + 1)
    return counts[1:].astype(float)


def _by(groups: np.ndarray, codes: np.ndarray, modalities: int) -> np.ndarray:
    """Groups crossed with a modality code (-1 where either is missing)."""
    codes = np.asarray(codes, dtype=np.int64)
    return np.where((groups >= 0) & (codes >= 0), groups * modalities + codes, -1)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, NaN where the denominator is zero."""
    return np.divide(numerator, denominator, out=np.full(np.shape(numerator), np.nan), where=denominator != 0)


@dataclass(frozen=True)
class Definition:
    """One indicator: its code, French label, kind and the function that computes it.

    ``kind``: ``count`` (whole numbers), ``hours`` and ``ratio`` (2 decimals), ``rate`` (a
    proportion from 0 to 1 whose change is in points).
    """

    code: str
    label: str
    kind: str
    compute: Callable[[Grouping], np.ndarray]

    @property
    def definition(self) -> str:
        """The docstring of the computing function: the definition of the indicator."""
        return " ".join((self.compute.__doc__ or "").split())


DEFINITIONS: dict[str, Definition] = {}


def indicator(code: str, label: str, kind: str):
    """Register the decorated function as the computation of indicator ``code``."""

    def register(function: Callable[[Grouping], np.ndarray]):
        DEFINITIONS[code] = Definition(code, label, kind, function)
        return function

    return register


# --- volume indicators -------------------------------------------------------------------------

@indicator("heures", "Heures d'insertion réalisées", "hours")
def heures(g: Grouping) -> np.ndarray:
    """Sum of the hours of contracts in year N (hours). A contract's hours in N are the sum of its
    monthly rows of N when it has rows in ``heures``; otherwise ``heures_realisees`` spread evenly
    over the calendar days from ``date_debut`` to its end (``date_fin``, or the extraction date),
    both included, and the days of N taken."""
    return _count(g.all_rows, g.size, g.facts.contract_years["heures"].to_numpy())


@indicator("etp", "Équivalents temps plein", "ratio")
def etp(g: Grouping) -> np.ndarray:
    """Full-time equivalents: ``heures`` / ``heures_etp`` (1 607 hours by default, the legal yearly
    working time; the national consolidation uses 1 600)."""
    return heures(g) / g.facts.heures_etp


@indicator("contrats", "Contrats actifs dans l'année", "count")
def contrats(g: Grouping) -> np.ndarray:
    """Distinct contracts active in N: ``date_debut`` on or before 31 December N and end
    (``date_fin``, or the extraction date while the contract runs) on or after 1 January N."""
    return _count(g.active_rows, g.size)


@indicator("nouveaux_contrats", "Nouveaux contrats", "count")
def nouveaux_contrats(g: Grouping) -> np.ndarray:
    """Contracts whose ``date_debut`` is in N."""
    rows = g.facts.contracts
    return _count(g.scope.groups(rows["date_debut"].dt.year, rows["territoire"]), g.size)


@indicator("personnes", "Personnes en contrat dans l'année", "count")
def personnes(g: Grouping) -> np.ndarray:
    """Distinct participants with a contract active in N."""
    return _count(g.first("id_participant"), g.size)


@indicator("nouvelles_personnes", "Nouvelles personnes", "count")
def nouvelles_personnes(g: Grouping) -> np.ndarray:
    """Participants whose first contract in the dataset starts in N, counted in the territory of
    that first contract (ties: the smallest ``id_contrat``)."""
    first = g.facts.contracts.sort_values(["id_participant", "date_debut", "id_contrat"], kind="stable").drop_duplicates("id_participant")
    return _count(g.scope.groups(first["date_debut"].dt.year, first["territoire"]), g.size)


@indicator("entreprises", "Employeurs", "count")
def entreprises(g: Grouping) -> np.ndarray:
    """Distinct employers of the contracts active in N."""
    return _count(g.first("id_entreprise"), g.size)


@indicator("operations", "Opérations en cours", "count")
def operations(g: Grouping) -> np.ndarray:
    """Distinct operations (markets or lots) with a contract active in N."""
    return _count(g.first("id_operation"), g.size)


@indicator("acheteurs", "Acheteurs", "count")
def acheteurs(g: Grouping) -> np.ndarray:
    """Distinct buyers of the operations with a contract active in N."""
    return _count(g.first("id_acheteur"), g.size)


def _notified(g: Grouping) -> np.ndarray:
    rows = g.facts.operations
    return g.scope.groups(rows["date_notification"].dt.year, rows["territoire"])


@indicator("operations_notifiees", "Opérations notifiées", "count")
def operations_notifiees(g: Grouping) -> np.ndarray:
    """Operations whose ``date_notification`` is in N."""
    return _count(_notified(g), g.size)


@indicator("heures_prevues", "Heures prévues des opérations notifiées", "hours")
def heures_prevues(g: Grouping) -> np.ndarray:
    """Sum of ``heures_prevues`` of the operations notified in N (hours)."""
    return _count(_notified(g), g.size, g.facts.operations["heures_prevues"].fillna(0).to_numpy())


@indicator("heures_par_personne", "Heures par personne", "ratio")
def heures_par_personne(g: Grouping) -> np.ndarray:
    """``heures`` / ``personnes`` (hours per person)."""
    return _divide(heures(g), personnes(g))


@indicator("heures_par_contrat", "Heures par contrat", "ratio")
def heures_par_contrat(g: Grouping) -> np.ndarray:
    """``heures`` / ``contrats`` (hours per contract)."""
    return _divide(heures(g), contrats(g))


def _ended(g: Grouping) -> np.ndarray:
    """Groups of the contracts whose ``date_fin`` is in N (and not after the extraction date)."""
    rows = g.facts.contracts
    ended = (rows["date_fin"] <= g.facts.extraction_date).to_numpy()
    return np.where(ended, g.scope.groups(rows["date_fin"].dt.year.fillna(-1), rows["territoire"]), -1)


@indicator("duree_moyenne_contrats", "Durée moyenne des contrats terminés (jours)", "ratio")
def duree_moyenne_contrats(g: Grouping) -> np.ndarray:
    """Mean length in days, both ends included, of the contracts whose ``date_fin`` is in N and
    on or before the extraction date. ``effectif`` is the number of those contracts."""
    rows = g.facts.contracts
    groups = _ended(g)
    days = ((rows["date_fin"] - rows["date_debut"]).dt.days + 1).fillna(0).to_numpy()
    return _divide(_count(groups, g.size, days), _count(groups, g.size))


def _finished(g: Grouping, planned_only: bool) -> np.ndarray:
    """Groups of the operations whose planned end is in N and on or before the extraction date."""
    rows = g.facts.operations
    done = (rows["date_fin_prevue"] <= g.facts.extraction_date).to_numpy()
    if planned_only:
        done = done & rows["heures_prevues"].notna().to_numpy()
    groups = g.scope.groups(rows["date_fin_prevue"].dt.year.fillna(-1), rows["territoire"])
    return np.where(done, groups, -1)


@indicator("operations_terminees", "Opérations terminées", "count")
def operations_terminees(g: Grouping) -> np.ndarray:
    """Operations whose ``date_fin_prevue`` is in N and on or before the extraction date."""
    return _count(_finished(g, False), g.size)


@indicator("ratio_realisation", "Taux de réalisation des heures prévues", "ratio")
def ratio_realisation(g: Grouping) -> np.ndarray:
    """Hours carried out on the ``operations_terminees`` of N (all years up to the extraction
    date) / their ``heures_prevues``, over the operations that have planned hours only; can exceed
    1. ``effectif`` is the number of those operations."""
    groups = _finished(g, True)
    done = _count(groups, g.size, g.facts.operations["heures_realisees"].to_numpy())
    return _divide(done, _count(groups, g.size, g.facts.operations["heures_prevues"].fillna(0).to_numpy()))


# --- breakdowns --------------------------------------------------------------------------------

#: Dimensions, their French label and the indicators they break down.
DIMENSIONS = {
    "sexe": ("Sexe", ("personnes", "heures")),
    "tranche_age": ("Tranche d'âge", ("personnes", "heures")),
    "niveau_formation": ("Niveau de formation", ("personnes", "heures")),
    "public": ("Public (une personne compte dans chaque public qui la concerne)", ("personnes", "heures")),
    "type_contrat": ("Type de contrat", ("contrats", "heures")),
    "modalite": ("Modalité de mise en œuvre", ("contrats", "heures")),
    "type_structure": ("Type d'employeur", ("contrats", "heures")),
    "type_marche": ("Type de marché", ("heures", "operations")),
    "type_acheteur": ("Type d'acheteur", ("heures", "operations")),
    "dispositif": ("Dispositif juridique", ("heures", "operations")),
    "division_cpv": ("Division CPV (deux premiers chiffres du code CPV)", ("heures", "operations")),
    "taille": ("Taille de l'employeur", ("entreprises",)),
}
#: The distinct unit counted by each breakdown of a count indicator.
_UNITS = {"personnes": "id_participant", "operations": "id_operation", "entreprises": "id_entreprise"}


def modalities(facts: Facts, dimension: str) -> list[str]:
    """Every modality of ``dimension``, in reporting order."""
    if dimension == "public":
        return list(PUBLICS)
    return [str(c) for c in facts.contract_years[dimension].cat.categories]


def breakdown(g: Grouping, indicator_code: str, dimension: str) -> np.ndarray:
    """Indicator ``indicator_code`` broken down by ``dimension``: its value for each modality,
    as an array of shape (groups, modalities).

    ``heures`` sums the hours of the contracts of each modality; ``contrats`` counts active
    contracts; ``personnes``, ``operations`` and ``entreprises`` count distinct units among the
    active contracts, each unit in the modality it has (these dimensions are attributes of the
    unit). For ``public``, a person counts in each public that applies to them, and the hours of
    their contracts count in each of those publics.
    """
    rows = g.facts.contract_years
    if indicator_code == "heures":
        groups, weights = g.all_rows, rows["heures"].to_numpy()
    elif indicator_code == "contrats":
        groups, weights = g.active_rows, None
    else:
        groups, weights = g.first(_UNITS[indicator_code]), None
    if dimension == "public":
        columns = []
        for public in PUBLICS:
            applies = rows[public].to_numpy(dtype=bool)
            columns.append(_count(np.where(applies, groups, -1), g.size, weights))
        return np.column_stack(columns)
    names = modalities(g.facts, dimension)
    crossed = _by(groups, rows[dimension].cat.codes.to_numpy(), len(names))
    return _count(crossed, g.size * len(names), weights).reshape(g.size, len(names))


# --- assembly ----------------------------------------------------------------------------------

@dataclass
class Block:
    """Rows of one (indicator, dimension) for every group of a scope: arrays of shape
    (groups, modalities)."""

    indicateur: str
    dimension: str
    modalites: list[str]
    valeur: np.ndarray
    part: np.ndarray | None = None
    effectif: np.ndarray | None = None
    ic_bas: np.ndarray | None = None
    ic_haut: np.ndarray | None = None
    employeurs: np.ndarray | None = None
    part_premier_employeur: np.ndarray | None = None
    personnes_heures: np.ndarray | None = None

    def column(self, name: str) -> np.ndarray:
        value = getattr(self, name)
        shape = (self.valeur.shape[0], len(self.modalites))
        return np.full(shape, np.nan) if value is None else np.asarray(value, dtype=float).reshape(shape)


def _total_block(code: str, values: np.ndarray, **columns: np.ndarray) -> Block:
    return Block(code, ENSEMBLE, [ENSEMBLE], values.reshape(-1, 1), **{k: v.reshape(-1, 1) for k, v in columns.items()})


def _share(values: np.ndarray, total: np.ndarray) -> np.ndarray:
    return _divide(values, np.broadcast_to(total.reshape(-1, 1), values.shape))


def _blocks(g: Grouping, people: pd.DataFrame) -> list[Block]:
    """Every block of one scope, in the order of the table; ``people`` are the leavers."""
    totals = {code: definition.compute(g) for code, definition in DEFINITIONS.items()}
    blocks = []
    for code, values in totals.items():
        extra = {"ratio_realisation": {"effectif": _count(_finished(g, True), g.size)},
                 "duree_moyenne_contrats": {"effectif": _count(_ended(g), g.size)}}.get(code, {})
        if code == "heures":
            extra = dict(zip(CONCENTRATION, g.concentration(g.all_rows, g.size)))
        blocks.append(_total_block(code, values, **extra))
        for dimension, (_, codes) in DIMENSIONS.items():
            if code in codes:
                values_by = breakdown(g, code, dimension)
                block = Block(code, dimension, modalities(g.facts, dimension), values_by, part=_share(values_by, totals[code]))
                if code == "heures" and dimension != "public":
                    names = block.modalites
                    cells = _by(g.all_rows, g.facts.contract_years[dimension].cat.codes.to_numpy(), len(names))
                    block.employeurs, block.part_premier_employeur, block.personnes_heures = g.concentration(cells, g.size * len(names))
                elif code == "heures":
                    by_public = [g.concentration(np.where(g.facts.contract_years[p].to_numpy(dtype=bool), g.all_rows, -1), g.size) for p in PUBLICS]
                    block.employeurs, block.part_premier_employeur, block.personnes_heures = (np.column_stack(c) for c in zip(*by_public))
                blocks.append(block)
    return blocks + _outcome_blocks(g.scope, people)


def _outcome_blocks(scope: Scope, people: pd.DataFrame) -> list[Block]:
    """Leavers, those not yet observable, the situations of the cohort (shares of the cohort), and
    the outcome rates (overall and by group)."""
    groups = scope.groups(people["annee"], people["territoire"])
    flags = outcome_flags(people["observable"].to_numpy(), people["groupe"].array)
    totals = rate_counts(flags, groups, scope.size)
    blocks = [_total_block("sortants", totals["sortants"])]
    for dimension, column, names in (("situation_groupe", "groupe", list(SITUATION_GROUPE)), ("situation", "situation", list(SITUATION))):
        values = _count(_by(groups, people[column].cat.codes.to_numpy(), len(names)), scope.size * len(names)).reshape(scope.size, len(names))
        blocks.append(Block("sortants", dimension, names, values, part=_share(values, totals["cohorte"])))
    blocks.append(_total_block(NOT_OBSERVABLE[0], totals["non_observables"]))

    rates = {code: [] for code in (KNOWLEDGE_RATE[0], *RATES)}
    for code, (value, base, low, high) in rates_from_counts(totals).items():
        rates[code].append(_total_block(code, value, effectif=base, ic_bas=low, ic_haut=high))
    for dimension in RATE_DIMENSIONS:
        if dimension == "public":
            names = list(PUBLICS)
            counts = [rate_counts(flags, np.where(people[p].to_numpy(dtype=bool), groups, -1), scope.size) for p in names]
            by_rate = [rates_from_counts(c) for c in counts]
            results = {code: tuple(np.column_stack([r[code][i] for r in by_rate]) for i in range(4)) for code in rates}
        else:
            names = list(SEXE) if dimension == "sexe" else list(AGE_BANDS)
            codes = pd.Categorical(people[dimension], categories=names).codes
            crossed = _by(groups, codes, len(names))
            results = {code: tuple(a.reshape(scope.size, len(names)) for a in values)
                       for code, values in rates_from_counts(rate_counts(flags, crossed, scope.size * len(names))).items()}
        for code, (value, base, low, high) in results.items():
            rates[code].append(Block(code, dimension, names, value, effectif=base, ic_bas=low, ic_haut=high))
    return blocks + [block for code in rates for block in rates[code]]


def indicator_kinds() -> dict[str, str]:
    """The kind of every indicator of the table: ``count``, ``hours``, ``ratio`` or ``rate``."""
    return {**{code: d.kind for code, d in DEFINITIONS.items()}, "sortants": "count", NOT_OBSERVABLE[0]: "count",
            KNOWLEDGE_RATE[0]: "rate", **{code: "rate" for code in RATES}}


def indicators(
    dataset: Dataset,
    years: Iterable[int] | None = None,
    horizon: int = 6,
    extraction_date: str | pd.Timestamp | None = None,
    heures_etp: float = HEURES_ETP,
) -> pd.DataFrame:
    """The long table of SPEC section 5 for every year of the data (or ``years``), every territory
    and ``ensemble``: one row per (year, territory, indicator, dimension, modality), sorted by
    year, territory (``ensemble`` first), indicator, dimension and modality in reporting order,
    in the column order of ``indicateurs.csv``.

    ``horizon``: months after the end of path at which situations are read (6 by default);
    ``extraction_date``: closes the contracts without ``date_fin`` (default: the latest observed
    date of the dataset); ``heures_etp``: hours of one full-time equivalent.

    Two internal columns follow those of ``indicateurs.csv``: :data:`CONCENTRATION`. The
    extraction date used is in ``table.attrs["date_extraction"]``. ``valeur_precedente`` is
    the same row in N-1 and ``evolution`` the relative change (counts,
    hours, ratios) or the difference in points (rates, as proportions); both are empty when N-1
    precedes the data, and ``evolution`` when N-1 is zero.
    """
    facts = build_facts(dataset, extraction_date, heures_etp)
    n_years, n_terr = len(facts.years), len(facts.territories)
    scopes = [Scope(False, facts.first_year, n_years, n_terr), Scope(True, facts.first_year, n_years, n_terr)]
    people = leavers(facts, horizon)
    per_scope = [_blocks(Grouping(facts, scope), people) for scope in scopes]
    layout = per_scope[0]
    # measures[name]: shape (years, 1 + territories, rows per year and territory)
    measures = {
        name: np.concatenate(
            [np.concatenate([b.column(name) for b in blocks], axis=1).reshape(n_years, scope.width, -1)
             for scope, blocks in zip(scopes, per_scope)], axis=1)
        for name in _MEASURES
    }
    row_indicator = np.concatenate([[b.indicateur] * len(b.modalites) for b in layout])
    is_rate = pd.Series(row_indicator).map(indicator_kinds()).eq("rate").to_numpy()
    value = measures["valeur"]
    previous = np.concatenate([np.full((1, *value.shape[1:]), np.nan), value[:-1]], axis=0)
    relative = _divide(value - previous, previous)
    measures["valeur_precedente"] = previous
    row_dimension = np.concatenate([[b.dimension] * len(b.modalites) for b in layout])
    cohort_rows = is_rate | (row_indicator == NOT_OBSERVABLE[0]) | ((row_indicator == "sortants") & (row_dimension != ENSEMBLE))
    comparable = comparable_years(facts.coverage).to_numpy()
    complete = np.array([cohort_complete(y, horizon, facts.extraction_date) for y in facts.years])
    # Years x rows: a change needs comparable years, and for the cohort's rows a complete cohort.
    changes = comparable[:, None] & (complete[:, None] | ~cohort_rows[None, :])
    measures["evolution"] = np.where(changes[:, None, :], np.where(is_rate, value - previous, relative), np.nan)

    chosen = np.array([i for i, y in enumerate(facts.years) if years is None or y in set(years)], dtype=int)
    rows_per_year = (1 + n_terr) * len(row_indicator)
    table = pd.DataFrame({
        "annee": np.repeat(np.array(facts.years)[chosen], rows_per_year),
        "territoire": np.tile(np.repeat(np.array([ENSEMBLE, *facts.territories], dtype=object), len(row_indicator)), len(chosen)),
        "indicateur": np.tile(row_indicator.astype(object), (1 + n_terr) * len(chosen)),
        "dimension": np.tile(row_dimension.astype(object), (1 + n_terr) * len(chosen)),
        "modalite": np.tile(np.concatenate([b.modalites for b in layout]).astype(object), (1 + n_terr) * len(chosen)),
        **{name: measures[name][chosen].reshape(-1) for name in (*_MEASURES, "valeur_precedente", "evolution")},
    })
    table = table[COLUMNS + CONCENTRATION]
    table.attrs["date_extraction"] = facts.extraction_date.date().isoformat()
    table.attrs["couverture"] = coverage_record(facts, horizon, comparable, complete)
    return table


def coverage_record(facts: Facts, horizon: int, comparable: np.ndarray, complete: np.ndarray) -> dict:
    """What the data cover, year by year, for ``metadonnees.json`` and the reports: first and last
    observed dates, whether the year is partial (extraction before 31 December), whether it is
    covered from 1 January, whether it can carry a change on N-1, and whether its outcome cohort
    at ``horizon`` months is complete."""
    cover = facts.coverage

    def day(value) -> str | None:
        return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()

    return {str(year): {"premiere_date_observee": day(row["premiere_date"]), "derniere_date_observee": day(row["derniere_date"]),
                        "annee_partielle": not bool(row["complete"]), "couverte_des_janvier": bool(row["couverte_des_janvier"]),
                        "evolution_calculee": bool(comparable[i]), "cohorte_complete": bool(complete[i])}
            for i, (year, row) in enumerate(cover.iterrows())}


#: The unmasked table, for internal work only: its name and its first line say so.
INTERNAL_FILE = "indicateurs_interne_NON_DIFFUSABLE.csv"
INTERNAL_LABEL = "# NON DIFFUSABLE : indicateurs non masqués, réservés à l'usage interne ; publiez indicateurs.csv\n"


def write(dataset: Dataset, table: pd.DataFrame, folder: Path, horizon: int, heures_etp: float, extraction_given: bool, seuil: int = 5,
          years: Iterable[int] | None = None, complet: bool = True) -> Path:
    """Write, atomically, in ``folder``: ``indicateurs.csv``, published, its small counts masked
    (:mod:`impact.publication`, threshold ``seuil``); :data:`INTERNAL_FILE`, the unmasked table
    for internal work; ``metadonnees.json`` (kit version, parameters, SHA-256 of every input
    file, coverage of the years, how secrecy was examined). ``table`` holds every year; ``years`` (default: all) are those
    written: the masks are computed on the whole table first, so that a year written alone, and
    its N-1 values, carry the masks of the whole; ``complet``: every year's masked cells examined on
    all its relations, however many territories (:func:`impact.publication.mask`). Return the
    published file's path."""
    masks = every_year = mask(table, seuil, complet)
    if years is not None:
        keep = table["annee"].isin(list(years)).to_numpy()
        table, masks = table.loc[keep], masks.loc[keep]
    parameters = {"annees": sorted(set(table["annee"].tolist())), "horizon_mois": horizon, "heures_etp": heures_etp,
                  "date_extraction": table.attrs["date_extraction"],
                  "date_extraction_origine": "paramètre" if extraction_given else "dernière date observée", "seuil": seuil,
                  "secret_complet": complet}
    record = metadata(dataset, parameters)
    record["couverture"] = table.attrs.get("couverture", {})
    record["secret"] = secrecy_record(every_year, seuil, parameters["annees"])
    record["sorties"] = {"indicateurs.csv": f"publiable : petits effectifs masqués (seuil {seuil}), marque « s »",
                         INTERNAL_FILE: "NON DIFFUSABLE : usage interne, aucun masquage"}
    path = atomic_write_bytes(Path(folder) / "indicateurs.csv", to_csv(table, masks))
    atomic_write_bytes(Path(folder) / SPREADSHEET_FILE, to_xlsx(path.read_bytes()))
    atomic_write_bytes(Path(folder) / INTERNAL_FILE, INTERNAL_LABEL.encode("utf-8") + to_csv(table))
    atomic_write_text(Path(folder) / "metadonnees.json", to_json(record))
    return path


#: The published table for people, beside ``indicateurs.csv`` (the machine contract).
SPREADSHEET_FILE = "indicateurs.xlsx"


def to_xlsx(published: bytes) -> bytes:
    """The published ``indicateurs.csv`` (its bytes) as a workbook of one sheet for people: text
    cells are strings (a territory named ``=1+1`` stays text), numbers are numbers shown in the
    reader's format (counts ``1 234``, hours and ratios ``1 234,57``, rates and shares ``12,5 %``),
    masked cells the mark ``s``."""
    import io

    table = pd.read_csv(io.BytesIO(published), dtype=str, keep_default_na=False)
    table = table.replace("", None)
    for column in COLUMNS[5:]:
        table[column] = table[column].where(table[column].isin(["s"]) | table[column].isna(),
                                            pd.to_numeric(table[column], errors="coerce"))
    table["annee"] = table["annee"].astype(int)
    kinds = table["indicateur"].map(indicator_kinds())
    value = np.select([kinds.eq("count"), kinds.eq("rate")], ["#,##0", "0.0%"], "#,##0.00")
    formats = {"annee": "0", "valeur": value, "valeur_precedente": value, "part": "0.0%", "effectif": "#,##0", "ic_bas": "0.0%",
               "ic_haut": "0.0%", "evolution": "0.0%"}
    return spreadsheet_bytes(table, formats, "indicateurs")


def to_csv(table: pd.DataFrame, masks: pd.DataFrame | None = None) -> bytes:
    """``indicateurs.csv`` (SPEC section 5): UTF-8, ``,``-separated, ``.`` as decimal mark; counts
    as integers, hours and ratios with at most 2 decimals, proportions with at most 6; empty cells
    for "not applicable"; text quoted only where it holds a comma, a quote or a line break. The
    cells that ``masks`` (see :func:`impact.publication.mask`) flags are written ``s``. The same
    table always gives the same bytes."""
    kinds = table["indicateur"].map(indicator_kinds())
    value_decimals = np.select([kinds.eq("count"), kinds.eq("rate")], [0, 6], 2)
    decimals = {"valeur": value_decimals, "part": 6, "effectif": 0, "ic_bas": 6, "ic_haut": 6,
                "valeur_precedente": value_decimals, "evolution": 6}
    cells = [pc.cast(pa.array(table["annee"].to_numpy()), pa.string())]
    cells += [_quoted(table[column]) for column in ("territoire", "indicateur", "dimension", "modalite")]
    for column in COLUMNS[5:]:
        text = _format(table[column].to_numpy(dtype=float), decimals[column])
        if masks is not None:
            text = pc.if_else(pa.array(masks[column].to_numpy(dtype=bool)), "s", text)
        cells.append(text)
    lines = pc.binary_join_element_wise(*cells, ",").to_pylist()
    return ("\n".join([",".join(COLUMNS), *lines]) + "\n").encode("utf-8")


def _quoted(column: pd.Series) -> pa.Array:
    """Text cells, quoted as CSV requires."""
    text = pa.array(column.astype(str).to_numpy(dtype=object), pa.string())
    special = pc.match_substring_regex(text, r'[",\n\r]')
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(special, escaped, text)


def _format(values: np.ndarray, decimals: int | np.ndarray) -> pa.Array:
    """Numbers rounded to ``decimals``, in their shortest decimal writing (``12``, ``0.5``, never
    an exponent); NaN as an empty cell."""
    scale = 10.0 ** np.asarray(decimals, dtype=float)
    rounded = np.round(values * scale) / scale + 0.0  # + 0.0 turns -0.0 into 0.0
    return pc.fill_null(pc.cast(pa.array(rounded, from_pandas=True), pa.string()), "")


def definitions_markdown() -> str:
    """The indicator page of the docs, generated from the definitions above."""
    lines = [
        "# Indicateurs",
        "",
        "<!-- Page générée par `python -m impact.indicators` depuis les docstrings de `src/impact/indicators.py` "
        "et `src/impact/outcomes.py` : ne pas modifier à la main. -->",
        "",
        "Chaque indicateur est calculé par année N, pour chaque territoire et pour l'ensemble "
        "(`territoire` = `ensemble`, où les comptes de personnes, d'entreprises, d'opérations et "
        "d'acheteurs sont distincts sur tout le jeu de données). Chaque ligne porte aussi la valeur "
        "de N-1 (`valeur_precedente`) et l'évolution (`evolution`) : relative pour les volumes et "
        "les ratios, en points (différence de proportions) pour les taux ; vides quand N-1 précède "
        "les données, et l'évolution quand N-1 vaut zéro. Les définitions sont celles du code, en anglais.",
        "",
        "## Volumes",
        "",
        "| code | libellé | définition |",
        "|---|---|---|",
        *(f"| `{d.code}` | {d.label} | {d.definition} |" for d in DEFINITIONS.values()),
        "",
        "## Ventilations",
        "",
        " ".join(inspect.cleandoc(breakdown.__doc__).split("\n\n", 1)[1].split()),
        "",
        "| dimension | libellé | indicateurs ventilés |",
        "|---|---|---|",
        *(f"| `{dim}` | {label} | {', '.join(f'`{c}`' for c in codes)} |" for dim, (label, codes) in DIMENSIONS.items()),
        "",
        "Chaque ligne de ventilation porte son compte dans `valeur` et sa part du total dans `part` "
        "(de 0 à 1 ; pour `public`, la part des personnes concernées).",
        "",
        "## Devenir des personnes",
        "",
        " ".join(outcomes_module.__doc__.split()),
        "",
        "| code | libellé |",
        "|---|---|",
        "| `sortants` | Personnes sorties dans l'année (ventilées par `situation_groupe` et `situation` : la cohorte observable) |",
        f"| `{NOT_OBSERVABLE[0]}` | {NOT_OBSERVABLE[1]} (horizon après la date d'extraction) |",
        f"| `{KNOWLEDGE_RATE[0]}` | {KNOWLEDGE_RATE[1]} |",
        *(f"| `{code}` | {label} (groupes : {', '.join(groups)}) |" for code, (label, groups) in RATES.items()),
        "",
        f"Les taux sont aussi ventilés par {', '.join(f'`{d}`' for d in RATE_DIMENSIONS)}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    atomic_write_text(Path(__file__).resolve().parents[2] / "docs" / "indicateurs.md", definitions_markdown())
