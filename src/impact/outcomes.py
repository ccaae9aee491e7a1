"""What became of people after their clause (SPEC section 4, outcome indicators).

- A person's *end of path* is the latest end date of their contracts, when none of them is still
  running at the extraction date ``E`` (no ``date_fin``, or a ``date_fin`` after ``E``).
- The *leavers of N* (``sortants``) are the persons whose end of path is in N. A leaver belongs
  to the territory of the operation of the contract that ended last (ties: the smallest
  ``id_contrat``, compared as text: ``C10`` comes before ``C9``).
- The *outcome cohort* of N at horizon ``h`` is the leavers of N whose end of path + ``h`` months
  is on or before ``E``; the others are *not yet observable* (``sortants_non_observables``):
  counted apart, never as ``inconnue``, never in a rate. The cohort of N is *complete* when
  31 December N + ``h`` months is on or before ``E``; an incomplete cohort is provisional and its
  rates carry no change on N-1.
- The situation of a leaver of the cohort is their ``suivis`` row with ``horizon_mois`` = ``h``
  whose ``date_observation`` falls within [end of path + ``h`` months - 1 month, end of path + ``h``
  months + 2 months] (a row without ``date_observation`` is taken as it is); no usable row means
  ``inconnue``.
- *Known* situations are those neither ``inconnue`` nor ``neutralisee``. The knowledge rate is
  known / (cohort - neutralised); the other rates are their count / known.
- Intervals are Wilson score intervals at 95 % (``statsmodels`` ``proportion_confint``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from impact.attribution import follow_up_window
from impact.facts import Facts, age_band
from impact.schema import PUBLICS, SITUATION, SITUATION_GROUPE, SORTIES_DYNAMIQUES

#: The outcome rates: code, French label and the situation groups counted in the numerator.
RATES = {
    "taux_emploi_durable": ("Taux d'emploi durable", ("emploi_durable",)),
    "taux_emploi_transition": ("Taux d'emploi de transition", ("emploi_transition",)),
    "taux_sortie_positive": ("Taux de sortie positive", ("sortie_positive",)),
    "taux_sorties_dynamiques": ("Taux de sorties dynamiques", SORTIES_DYNAMIQUES),
}
KNOWLEDGE_RATE = ("taux_connaissance", "Taux de connaissance de la situation")
#: Leavers whose horizon falls after the extraction date.
NOT_OBSERVABLE = ("sortants_non_observables", "Sortants dont la situation n'est pas encore observable")
#: Dimensions the rates are broken down by.
RATE_DIMENSIONS = ("sexe", "tranche_age", "public")
def cohort_complete(year: int, horizon: int, extraction_date: pd.Timestamp) -> bool:
    """Whether every leaver of ``year`` can be observed ``horizon`` months after their end of path."""
    return pd.Timestamp(year, 12, 31) + pd.DateOffset(months=horizon) <= extraction_date


def last_complete_cohort(year: int, horizon: int, extraction_date: pd.Timestamp) -> int:
    """The latest year up to ``year`` whose outcome cohort at ``horizon`` months is complete."""
    last = (pd.Timestamp(extraction_date) - pd.DateOffset(months=horizon)).year
    return min(year, last if cohort_complete(last, horizon, extraction_date) else last - 1)


def leavers(facts: Facts, horizon: int) -> pd.DataFrame:
    """One row per leaver: ``id_participant``, ``annee`` (year of the end of path), ``territoire``,
    ``observable`` (in the outcome cohort), ``situation`` and ``groupe`` at ``horizon`` months
    (missing for a leaver not yet observable), and the person's attributes."""
    contracts = facts.contracts
    person = contracts["id_participant"].to_numpy()
    running = (contracts["date_fin"].isna() | (contracts["date_fin"] > facts.extraction_date)).to_numpy()
    finished = np.bincount(person, weights=running)[person] == 0
    ends = contracts["date_fin"].to_numpy().astype("datetime64[D]").astype(np.int64)
    order = np.lexsort((contracts["id_contrat"].to_numpy(), -ends, person))
    order = order[finished[order]]
    last_of_person = np.r_[True, person[order][1:] != person[order][:-1]][: len(order)]
    last = contracts.iloc[order[last_of_person]]
    frame = last[["id_participant", "territoire", "date_fin", "sexe", "annee_naissance", "niveau_formation", *PUBLICS]].copy()
    frame["annee"] = frame["date_fin"].dt.year
    frame["tranche_age"] = age_band(frame["annee"] - frame["annee_naissance"])
    frame["observable"] = (frame["date_fin"] + pd.DateOffset(months=horizon) <= facts.extraction_date).to_numpy()

    follow = facts.suivis.loc[facts.suivis["horizon_mois"] == horizon]
    position = pc.index_in(pa.array(follow["id_participant"], from_pandas=True), value_set=pa.array(facts.participant_ids, from_pandas=True))
    position = pc.fill_null(position, -1).to_numpy().astype(np.int64)
    unknown = list(SITUATION).index("inconnue")
    codes = np.full(len(facts.participant_ids), unknown, dtype=np.int64)
    observed = np.full(len(facts.participant_ids), np.datetime64("NaT"), dtype="datetime64[ns]")
    codes[position[position >= 0]] = follow["situation"].cat.codes.to_numpy()[position >= 0]
    observed[position[position >= 0]] = follow["date_observation"].to_numpy(dtype="datetime64[ns]")[position >= 0]
    ids = frame["id_participant"].to_numpy()
    seen = pd.Series(observed[ids], index=frame.index)
    first, last_day = follow_up_window(frame["date_fin"], horizon)
    usable = seen.isna() | ((seen >= first) & (seen <= last_day))
    situation = np.where(usable.to_numpy(), codes[ids], unknown)
    situation = np.where(frame["observable"].to_numpy(), situation, -1)
    frame["situation"] = pd.Categorical.from_codes(situation, categories=list(SITUATION))
    groups = {code: group for code, (_, group) in SITUATION.items()}
    frame["groupe"] = pd.Categorical(frame["situation"].map(groups), categories=list(SITUATION_GROUPE))
    return frame.reset_index(drop=True)


def outcome_flags(observable: np.ndarray, groupe: pd.Categorical) -> dict[str, np.ndarray]:
    """Per leaver, 1 or 0: leaver, not yet observable, in the cohort, neutralised, known, and in
    the numerator of each rate."""
    code = np.asarray(groupe.codes)
    names = list(SITUATION_GROUPE)
    cohort = np.asarray(observable, dtype=float)

    def among(groups: tuple[str, ...]) -> np.ndarray:
        return np.isin(code, [names.index(g) for g in groups]).astype(float)

    return {
        "sortants": np.ones(len(code)),
        "non_observables": 1.0 - cohort,
        "cohorte": cohort,
        "neutralisees": among(("neutralisee",)),
        "connues": cohort - among(("neutralisee", "inconnue")),
        **{rate: among(groups) for rate, (_, groups) in RATES.items()},
    }


def rate_counts(flags: dict[str, np.ndarray], groups: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """Per group (integer ``groups``, -1 for rows left out) the sum of each of :func:`outcome_flags`."""
    return {name: np.bincount(groups + 1, weights=values, minlength=size + 1)[1:] for name, values in flags.items()}


def wilson(successes: np.ndarray, trials: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proportion and Wilson 95 % interval; NaN where there is no trial."""
    from statsmodels.stats.proportion import proportion_confint  # imported here: reports need not load it

    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    some = trials > 0
    low = np.full(trials.shape, np.nan)
    high = np.full(trials.shape, np.nan)
    if some.any():
        low[some], high[some] = proportion_confint(successes[some], trials[some], alpha=0.05, method="wilson")
    rate = np.divide(successes, trials, out=np.full(trials.shape, np.nan), where=some)
    return rate, low, high


def rates_from_counts(counts: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Each rate as (value, denominator, interval low, interval high), from :func:`rate_counts`."""
    result = {}
    denominators = {KNOWLEDGE_RATE[0]: counts["cohorte"] - counts["neutralisees"], **{code: counts["connues"] for code in RATES}}
    numerators = {KNOWLEDGE_RATE[0]: counts["connues"], **{code: counts[code] for code in RATES}}
    for code, base in denominators.items():
        rate, low, high = wilson(numerators[code], base)
        result[code] = (rate, base, low, high)
    return result
