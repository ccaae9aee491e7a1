"""The persons of the impact study: participants drawn from the dataset, the comparison group read
from its own file (table ``comparaison`` of the schema).

- *Participants*: the leavers of every outcome cohort (SPEC section 4) whose situation ``h``
  months after their end of path is known (neither ``inconnue`` nor ``neutralisee``); their age is
  taken in the year of their end of path, their prior employment from
  ``participants.mois_emploi_12m``.
- *Comparison group*: the rows of the file at ``horizon_mois`` = ``h`` whose situation is known;
  their age is taken in the year of their reference date.
- *Outcomes*: ``emploi_durable`` (situation in the group ``emploi_durable``) and
  ``sorties_dynamiques`` (groups ``emploi_durable``, ``emploi_transition``, ``sortie_positive``),
  1 or 0.

Participants are observed ``h`` months after the end of their clause path, comparison persons
``h`` months after their reference date: the study compares having had a clause path with not
having had one, at the same distance from a comparable starting point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from impact.dataset import Dataset
from impact.facts import Facts
from impact.outcomes import leavers
from impact.problems import ProblemLog
from impact.reading import read_file
from impact.schema import COMPARAISON, PRIOR_EMPLOYMENT, PUBLICS, SITUATION, SORTIES_DYNAMIQUES
from impact.validation import validate_table

PROFILE = ["sexe", "age", "niveau_formation", *PUBLICS, PRIOR_EMPLOYMENT]
UNUSABLE = ("neutralisee", "inconnue")


def read_comparison(path: Path, log: ProblemLog) -> pd.DataFrame | None:
    """The comparison file, typed and checked (problems named ``comparaison:ligne:colonne``); None
    when it cannot be read."""
    raw = read_file(Path(path), COMPARAISON.name, log)
    return None if raw is None else validate_table(COMPARAISON, raw, log)


def _outcomes(groups: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"emploi_durable": (groups == "emploi_durable").astype(float),
                         "sorties_dynamiques": groups.isin(SORTIES_DYNAMIQUES).astype(float)}, index=groups.index)


def known_leavers(facts: Facts, dataset: Dataset, horizon: int) -> pd.DataFrame:
    """The leavers of every outcome cohort whose situation is known, with their profile, their
    end of path (``date_fin``) and outcomes."""
    people = leavers(facts, horizon)
    people = people.loc[people["observable"] & ~people["groupe"].isin(UNUSABLE)].copy()
    people["age"] = people["annee"] - people["annee_naissance"]
    people[PRIOR_EMPLOYMENT] = dataset.participants[PRIOR_EMPLOYMENT].to_numpy(dtype=float)[people["id_participant"].to_numpy()]
    return pd.concat([people, _outcomes(people["groupe"].astype(object))], axis=1)


def study_sample(facts: Facts, dataset: Dataset, comparison: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """One row per person of the study: ``participant``, the profile (:data:`PROFILE`), the two
    outcomes and ``annee`` (year of the end of path or of the reference date)."""
    treated = known_leavers(facts, dataset, horizon)
    rows = comparison.loc[comparison["horizon_mois"] == horizon]
    groups = rows["situation"].astype(object).map({code: group for code, (_, group) in SITUATION.items()})
    rows, groups = rows.loc[~groups.isin(UNUSABLE)], groups.loc[~groups.isin(UNUSABLE)]
    others = rows.assign(annee=rows["date_reference"].dt.year, age=rows["date_reference"].dt.year - rows["annee_naissance"].astype(float))
    others = pd.concat([others, _outcomes(groups)], axis=1)
    columns = [*PROFILE, "annee", "emploi_durable", "sorties_dynamiques"]
    sample = pd.concat([treated[columns].assign(participant=True), others[columns].assign(participant=False)], ignore_index=True)
    sample["sexe"] = sample["sexe"].astype(object)
    sample["niveau_formation"] = sample["niveau_formation"].astype(object)
    sample[PRIOR_EMPLOYMENT] = sample[PRIOR_EMPLOYMENT].astype(float)
    for public in PUBLICS:
        sample[public] = sample[public].astype(bool)
    return sample


def comparison_rows(comparison: pd.DataFrame, horizon: int) -> dict[str, int]:
    """Counts of the comparison file at ``horizon``: rows, and those of known situation."""
    rows = comparison.loc[comparison["horizon_mois"] == horizon]
    unknown = rows["situation"].astype(object).isin(UNUSABLE)
    return {"lignes": len(comparison), "horizon": len(rows), "connues": int((~unknown).sum())}

