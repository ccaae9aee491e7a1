"""Dynamic exits against hours worked, without a comparison group: an association, never a
causal reading.

People who find a job leave their clause early, so total hours are partly a consequence of the
outcome. The exposure is therefore the *hours of the first k months* of the path (from the first
contract's start, ``k`` = :data:`MONTHS` by default), among the persons whose path lasted at least
``k`` months: both who leaves early and why are kept out of the exposure.

- Hours of a contract in the window: its hours (monthly rows, or ``heures_realisees``) spread
  evenly over its calendar days, the days within [first start, first start + k months) taken.
- Model: binomial GLM (``statsmodels``) of the dynamic exit on a natural cubic regression spline
  of those hours (``cr(heures, df=3)``, centred) with sex, age band and training level; the curve is the
  mean predicted rate of all persons given each number of hours (marginal standardisation), with a
  95 % pointwise interval by the delta method on the logit scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from scipy.stats import norm

from impact.facts import Facts

#: Months of the path whose hours are the exposure.
MONTHS = 3
#: Fewest persons for the curve to be estimated.
MIN_PERSONS = 100
_DAY = np.timedelta64(1, "D")


def first_months_hours(facts: Facts, months: int = MONTHS) -> pd.DataFrame:
    """Per person (``id_participant``, as in the facts): ``heures`` worked in the first ``months``
    months of their path and ``assez_long`` (their last contract ends at or after the window's end)."""
    contracts = facts.contracts
    total = facts.contract_years.groupby("id_contrat")["heures"].sum().reindex(contracts["id_contrat"]).to_numpy()
    start = contracts["date_debut"].to_numpy(dtype="datetime64[D]")
    end = contracts["fin"].to_numpy(dtype="datetime64[D]")
    person = contracts["id_participant"].to_numpy()
    first = pd.Series(start).groupby(person).transform("min").to_numpy(dtype="datetime64[D]")
    window_end = (pd.DatetimeIndex(first) + pd.DateOffset(months=months)).to_numpy(dtype="datetime64[D]")
    days = (end - start) / _DAY + 1
    inside = np.clip((np.minimum(end, window_end - _DAY) - np.maximum(start, first)) / _DAY + 1, 0, None)
    frame = pd.DataFrame({"id_participant": person, "heures": total * inside / days, "fin": end, "fin_fenetre": window_end})
    grouped = frame.groupby("id_participant")
    return pd.DataFrame({"heures": grouped["heures"].sum(), "assez_long": grouped["fin"].max() >= grouped["fin_fenetre"].first()})


@dataclass(frozen=True)
class DoseResponse:
    """The curve (``heures``, ``taux``, ``ic_bas``, ``ic_haut``), the persons it rests on, the
    hours quartiles and the p-value of the hours terms (likelihood-ratio test); or, when
    ``curve`` is None, the ``reason`` why it was not estimated."""

    curve: pd.DataFrame | None
    persons: int
    months: int
    quartiles: tuple[float, float, float] | None = None
    p_value: float | None = None
    reason: str = ""


def association(leavers: pd.DataFrame, facts: Facts, months: int = MONTHS) -> DoseResponse:
    """The dynamic-exit rate against the hours of the first ``months`` months, for the known
    ``leavers`` (:func:`impact.comparison_group.known_leavers`) whose path lasted that long."""
    import statsmodels.api as sm
    from patsy import build_design_matrices, dmatrices
    from scipy.stats import chi2

    hours = first_months_hours(facts, months)
    people = leavers.join(hours, on="id_participant", how="inner")
    people = people.loc[people["assez_long"]].assign(tranche_age=lambda d: d["tranche_age"].astype(str), sexe=lambda d: d["sexe"].astype(str),
                                                    niveau_formation=lambda d: d["niveau_formation"].astype(str))
    if len(people) < MIN_PERSONS:
        return DoseResponse(None, len(people), months, reason=f"moins de {MIN_PERSONS} personnes dont le parcours a duré au moins "
                            f"{months} mois (leur nombre exact n'est pas publié : il peut être petit)")
    covariates = "C(sexe) + C(tranche_age) + C(niveau_formation)"
    y, X = dmatrices(f"sorties_dynamiques ~ cr(heures, df=3, constraints='center') + {covariates}", people, return_type="dataframe")
    fit = sm.GLM(y, X, family=sm.families.Binomial()).fit()
    reduced = sm.GLM(*dmatrices(f"sorties_dynamiques ~ {covariates}", people, return_type="dataframe"), family=sm.families.Binomial()).fit()
    p_value = float(chi2.sf(2 * (fit.llf - reduced.llf), fit.df_model - reduced.df_model))
    grid = np.linspace(*np.quantile(people["heures"], [0.05, 0.95]), 25)
    rows = []
    for value in grid:
        exog = np.asarray(build_design_matrices([X.design_info], people.assign(heures=value))[0])
        predicted = expit(exog @ fit.params.to_numpy())
        rate = float(predicted.mean())
        gradient = ((predicted * (1 - predicted))[:, None] * exog).mean(axis=0) / (rate * (1 - rate))
        half = float(norm.ppf(0.975) * np.sqrt(gradient @ fit.cov_params().to_numpy() @ gradient))
        rows.append({"heures": value, "taux": rate, "ic_bas": float(expit(logit(rate) - half)), "ic_haut": float(expit(logit(rate) + half))})
    quartiles = tuple(float(q) for q in np.quantile(people["heures"], [0.25, 0.5, 0.75]))
    return DoseResponse(pd.DataFrame(rows), len(people), months, quartiles, p_value)

