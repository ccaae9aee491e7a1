"""The facts every indicator is computed from, built once from a dataset (SPEC section 4).

- ``contract_years``: one row per contract and calendar year in which it is *active* (started on
  or before 31 December, ended on or after 1 January; a contract with no ``date_fin`` ends at the
  extraction date) or has hours attributed, with its hours in that year (``heures``), the flag
  ``actif``, and every attribute of its operation, buyer, employer and person;
- ``contracts``: one row per contract with the same attributes;
- ``operations``: one row per operation with its territory, buyer type and the hours carried out
  on it up to the extraction date.

Territories are given by their position in ``Facts.territories`` (sorted names).

Identifiers are replaced by integer codes, so that distinct counts hash integers, not text;
a contract's code is the rank of its identifier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from impact.attribution import contract_ends, coverage, hours_by_contract_year, observed_dates
from impact.dataset import Dataset
from impact.hints import UserError
from impact.schema import HEURES_ETP, PUBLICS

#: Age bands of a person in year N (age = N - annee_naissance); ``inconnu`` without a birth year.
AGE_BANDS = ("moins_26", "26_49", "50_plus", "inconnu")
#: Label of the CPV division of a market without a CPV code.
UNKNOWN_DIVISION = "inconnue"


@dataclass(frozen=True)
class Facts:
    """Prepared tables and parameters of one indicator computation."""

    contract_years: pd.DataFrame
    contracts: pd.DataFrame
    operations: pd.DataFrame
    suivis: pd.DataFrame
    participant_ids: pd.Index
    territories: list[str]
    years: list[int]
    first_year: int
    extraction_date: pd.Timestamp
    heures_etp: float
    divisions: list[str]
    coverage: pd.DataFrame


def age_band(age: pd.Series) -> pd.Categorical:
    """``moins_26`` under 26, ``26_49`` from 26 to 49, ``50_plus`` from 50 (age in years),
    ``inconnu`` when the age is unknown."""
    bands = np.select([age.isna(), age < 26, age < 50], ["inconnu", "moins_26", "26_49"], "50_plus")
    return pd.Categorical(bands, categories=list(AGE_BANDS))


class NoContractError(UserError):
    """The dataset has no contract: there is nothing to compute."""


def build_facts(dataset: Dataset, extraction_date: pd.Timestamp | None = None, heures_etp: float = HEURES_ETP) -> Facts:
    """Join the tables of ``dataset`` into the facts of the indicators.

    The data are seen as they stood at the extraction date: contracts that start after it, monthly
    rows of later months and later follow-up observations are left out (they only exist when the
    extraction date is set before the end of the data). Raises :class:`NoContractError` when the
    dataset has no contract (by then).
    """
    dates, _ = observed_dates(dataset.contrats, dataset.heures, dataset.suivis)
    extraction = pd.Timestamp(extraction_date) if extraction_date is not None else (dates.max() if len(dates) else pd.NaT)
    contrats = dataset.contrats.loc[dataset.contrats["date_debut"] <= extraction]
    if contrats.empty:
        raise NoContractError("le jeu de données ne contient aucun contrat : aucun indicateur à calculer", "aucun_contrat")
    heures = dataset.heures.loc[dataset.heures["mois"] <= extraction]
    suivis = dataset.suivis.loc[~(dataset.suivis["date_observation"] > extraction)]
    territories = sorted(set(dataset.operations["territoire"].dropna().unique()) | set(dataset.territoires["territoire"].dropna()))
    operations = _operations(dataset, territories)
    contracts = _contracts(dataset, contrats, operations, extraction)
    first_year = int(min(operations["date_notification"].min(), contracts["date_debut"].min()).year)
    years = list(range(first_year, extraction.year + 1))

    rank = contract_rank(contrats["id_contrat"])
    heures = heures.assign(id_contrat=rank[_lookup(contrats, "id_contrat", heures["id_contrat"])])
    hours = hours_by_contract_year(
        contracts[["id_contrat", "date_debut", "date_fin", "heures_realisees"]], heures[["id_contrat", "mois", "heures"]], extraction
    )
    realised = hours.loc[hours["annee"] <= extraction.year].groupby("id_contrat")["heures"].sum()
    operations["heures_realisees"] = (
        realised.groupby(contracts.set_index("id_contrat")["id_operation"].reindex(realised.index).to_numpy()).sum()
        .reindex(operations.index, fill_value=0.0)
    )
    divisions = sorted(set(operations["division_cpv"].unique()) - {UNKNOWN_DIVISION}) + [UNKNOWN_DIVISION]
    operations["division_cpv"] = pd.Categorical(operations["division_cpv"], categories=divisions)
    contracts = contracts.join(operations[["division_cpv"]], on="id_operation")
    return Facts(
        contract_years=_contract_years(contracts, hours, years),
        contracts=contracts,
        operations=operations,
        suivis=suivis,
        participant_ids=pd.Index(dataset.participants["id_participant"]),
        territories=territories,
        years=years,
        first_year=first_year,
        extraction_date=extraction,
        heures_etp=float(heures_etp),
        divisions=divisions,
        coverage=coverage(dates, contrats["date_fin"], extraction, years),
    )


def contract_rank(ids: pd.Series) -> np.ndarray:
    """Integer code of each contract: the rank of its identifier, so that the smallest code is the
    smallest ``id_contrat``."""
    ranks = pc.rank(pa.array(ids, from_pandas=True), sort_keys="ascending", tiebreaker="first")
    return ranks.to_numpy().astype(np.int64) - 1


def _division(code_cpv: str) -> str:
    """The CPV division of a code: its first two digits (``45`` for ``45262500``)."""
    digits = "".join(code_cpv.split())[:2]
    return digits if len(digits) == 2 and digits.isdigit() else UNKNOWN_DIVISION


def _lookup(table: pd.DataFrame, key: str, values: pd.Series) -> np.ndarray:
    """Row positions in ``table`` of each of ``values`` of its key column (all exist: the dataset
    was validated). Arrow's hash lookup: pandas compares Arrow strings one at a time."""
    found = pc.index_in(pa.array(values, from_pandas=True), value_set=pa.array(table[key], from_pandas=True))
    return pc.fill_null(found, -1).to_numpy().astype(np.int64)


def _take(column: pd.Series, positions: np.ndarray) -> pd.Series:
    """``column`` at ``positions``, with a fresh index and its dtype kept (categories included)."""
    return column.iloc[positions].reset_index(drop=True)


def _operations(dataset: Dataset, territories: list[str]) -> pd.DataFrame:
    """Operations indexed by integer code, with their territory's position in ``territories``,
    their buyer's type and their CPV division."""
    operations = dataset.operations.reset_index(drop=True)
    buyer = _lookup(dataset.acheteurs, "id_acheteur", operations["id_acheteur"])
    codes, distinct = pd.factorize(operations["code_cpv"])
    divisions = np.array([_division(c) for c in distinct] + [UNKNOWN_DIVISION], dtype=object)
    return pd.DataFrame({
        "territoire": _lookup(pd.DataFrame({"territoire": territories}), "territoire", operations["territoire"]),
        "id_acheteur": buyer,
        "type_acheteur": _take(dataset.acheteurs["type_acheteur"], buyer),
        "type_marche": operations["type_marche"],
        "dispositif": operations["dispositif"],
        "division_cpv": divisions[codes],
        "date_notification": operations["date_notification"],
        "heures_prevues": operations["heures_prevues"],
        "date_fin_prevue": operations["date_fin_prevue"],
    }).rename_axis("id_operation")


def _contracts(dataset: Dataset, contrats: pd.DataFrame, operations: pd.DataFrame, extraction: pd.Timestamp) -> pd.DataFrame:
    """``contrats`` with integer identifiers and the attributes of their operation, employer and person."""
    contrats = contrats.reset_index(drop=True)
    operation = _lookup(dataset.operations, "id_operation", contrats["id_operation"])
    company = _lookup(dataset.entreprises, "id_entreprise", contrats["id_entreprise"])
    person = _lookup(dataset.participants, "id_participant", contrats["id_participant"])
    frame = pd.DataFrame({
        "id_contrat": contract_rank(contrats["id_contrat"]),
        "id_participant": person,
        "id_operation": operation,
        "id_entreprise": company,
        "type_contrat": contrats["type_contrat"],
        "modalite": contrats["modalite"],
        "date_debut": contrats["date_debut"],
        "date_fin": contrats["date_fin"],
        "fin": contract_ends(contrats, extraction),
        "heures_realisees": contrats["heures_realisees"],
        "type_structure": _take(dataset.entreprises["type_structure"], company),
        "taille": _take(dataset.entreprises["taille"], company),
    })
    for column in ("territoire", "id_acheteur", "type_acheteur", "type_marche", "dispositif"):
        frame[column] = _take(operations[column], operation)
    for column in ("sexe", "annee_naissance", "niveau_formation", *PUBLICS):
        frame[column] = _take(dataset.participants[column], person)
    frame["annee_naissance"] = frame["annee_naissance"].astype(float)
    return frame


def _contract_years(contracts: pd.DataFrame, hours: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """One row per contract and year of ``years`` where it is active or has hours, ordered by
    contract then year."""
    first = np.maximum(contracts["date_debut"].dt.year.to_numpy(), years[0])
    last = np.minimum(contracts["fin"].dt.year.to_numpy(), years[-1])
    spans = np.maximum(last - first + 1, 0)
    row = np.repeat(np.arange(len(contracts)), spans)
    active_year = first[row] + (np.arange(len(row)) - np.repeat(np.cumsum(spans) - spans, spans))
    # Each (contract, year) as one integer key; contract codes are row positions here.
    width = len(years)
    active = row.astype(np.int64) * width + (active_year - years[0])
    hours = hours.loc[hours["annee"].between(years[0], years[-1])]
    position = pd.Index(contracts["id_contrat"]).get_indexer(hours["id_contrat"])
    with_hours = position.astype(np.int64) * width + (hours["annee"].to_numpy() - years[0])
    keys = np.sort(np.concatenate([active, with_hours]), kind="stable")
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
    rows = keys // width
    # ``active`` is sorted (contracts in order, then years): a binary search tells membership.
    found = np.minimum(np.searchsorted(active, keys), max(len(active) - 1, 0))
    frame = pd.DataFrame({
        "annee": keys % width + years[0],
        "actif": active[found] == keys if len(active) else np.zeros(len(keys), dtype=bool),
        "heures": np.zeros(len(keys)),
    })
    frame.loc[np.searchsorted(keys, with_hours), "heures"] = hours["heures"].to_numpy()
    attributes = contracts.drop(columns=["date_debut", "date_fin", "fin", "heures_realisees"])
    frame = pd.concat([frame, attributes.iloc[rows].reset_index(drop=True)], axis=1)
    frame["tranche_age"] = age_band(frame["annee"] - frame["annee_naissance"])
    return frame
