"""Comparing territories fairly: funnel plot, rates standardised on observed characteristics, and
the change of a rate on the previous year. Every comparison is on an outcome *cohort* (the
leavers of a year whose situation could be observed at the horizon, SPEC section 4): use a
complete one (:func:`last_complete_cohort`).

- :func:`funnel`: each territory's rate of *sorties dynamiques* against its number of known
  situations ``n``, with exact binomial limits around the pooled rate ``p`` at 95 % and 99.8 %: a
  territory of ``x`` successes is above the limit when ``P(X >= x) < 2.5 %`` (0.1 % at 99.8 %)
  under ``X ~ Binomial(n, p)``, below it when ``P(X <= x)`` is; the plotted limit lies half a
  person beyond the last count that is not flagged. Exact limits never flag more than their
  level of in-control territories (the normal approximation flags up to 9 % at "95 %" for n = 5
  to 30). Overdispersion is estimated as in Spiegelhalter (2005), ``φ`` = mean of the squared
  z-scores winsorised at 10 %, with its χ² test on ``I - 1`` degrees of freedom; when ``φ > 1`` the
  distance of each limit from ``p`` is multiplied by ``√φ``.
- :func:`adjusted_rates`: a Firth-penalised logit (:mod:`impact.firth`) of the dynamic exit on
  territory, sex, age band, training level and publics, fitted on the known situations of the
  cohort; each territory's rate *standardised on the observed characteristics* is the mean
  predicted rate of all leavers of the cohort given that territory (marginal standardisation), with
  a 95 % interval by the delta method on the logit scale. Whether a territory differs from the
  overall rate is read from the contrast *territory - overall* on the logit scale (the difference
  of the two log odds), with its own delta-method variance, which accounts for the territory's
  share of the overall rate, and Holm's correction across territories; the logit scale keeps the
  test honest near 0 % and 100 %, where the probability scale makes a tiny standard error. Below :data:`MIN_EVENTS_PER_PARAMETER`
  events (the rarer outcome) per parameter, the publics leave the model; below that for the
  reduced model, none is fitted: its intervals would be too optimistic, and the observed rates and
  the funnel plot stand alone. Differences may reflect the
  local labour market and characteristics the data do not measure.
- :func:`change_test`: each territory's rate in one cohort against the cohort before, Fisher's
  exact test, with Holm's correction across territories.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from scipy.stats import binom, chi2, fisher_exact, norm

from impact.dataset import Dataset
from impact.facts import build_facts
from impact.firth import firth_logit
from impact.indicators import ENSEMBLE
from impact.outcomes import leavers
from impact.schema import NIVEAU_FORMATION, PUBLICS, SEXE, SORTIES_DYNAMIQUES

Z95 = float(norm.ppf(0.975))
#: Levels of the funnel limits.
LEVELS = {"95 %": 0.95, "99,8 %": 0.998}
#: Events of the rarer outcome per model parameter below which no adjusted rate is estimated.
MIN_EVENTS_PER_PARAMETER = 10
#: Share of z-scores winsorised at each end to estimate overdispersion (Spiegelhalter 2005).
WINSORISED = 0.10
#: Categorical covariates of the adjusted model, their levels (the first is the reference).
COVARIATES = {"sexe": list(SEXE), "tranche_age": ["26_49", "moins_26", "50_plus", "inconnu"], "niveau_formation": list(NIVEAU_FORMATION)}


def holm(p_values: pd.Series) -> pd.Series:
    """Holm's step-down adjusted p-values (NaN stay NaN): the family-wise error rate stays below
    the level whatever the number of territories, less conservatively than Bonferroni."""
    values = p_values.dropna()
    order = values.sort_values(kind="stable")
    m = len(order)
    adjusted = np.minimum(1.0, np.maximum.accumulate(order.to_numpy() * (m - np.arange(m))))
    return pd.Series(adjusted, index=order.index).reindex(p_values.index)


def _rate_rows(table: pd.DataFrame, year: int, rate: str) -> pd.DataFrame:
    rows = table.loc[(table["annee"] == year) & (table["indicateur"] == rate) & (table["dimension"] == ENSEMBLE) & (table["territoire"] != ENSEMBLE)]
    return rows.assign(succes=(rows["valeur"].fillna(0) * rows["effectif"]).round(), n=rows["effectif"]).set_index("territoire")


def exact_counts(pooled: float, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """For ``n`` known situations: the largest count flagged below (``P(X <= x) < (1 - level) / 2``,
    -1 when none) and the smallest count flagged above (``P(X >= x) < (1 - level) / 2``, ``n + 1``
    when none), ``X ~ Binomial(n, pooled)``."""
    n = np.asarray(n, dtype=int)
    tail = (1 - level) / 2
    counts = np.arange(n.max(initial=0) + 2)
    low = np.full(len(n), -1)
    high = n + 1
    for i, size in enumerate(n):  # one binomial per distinct size: a few hundred at most
        x = counts[: size + 1]
        below = x[binom.cdf(x, size, pooled) < tail]
        above = x[binom.sf(x - 1, size, pooled) < tail]
        low[i] = below.max() if len(below) else -1
        high[i] = above.min() if len(above) else size + 1
    return low, high


def funnel_limits(pooled: float, n: np.ndarray, level: float, phi: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits (rates) for ``n`` known situations: half a person beyond the
    last count that is not flagged (:func:`exact_counts`), their distance from ``pooled`` widened by
    ``√phi`` when ``phi > 1``. A rate strictly outside them is flagged."""
    n = np.asarray(n, dtype=float)
    low, high = exact_counts(pooled, n, level)
    scale = np.sqrt(max(phi, 1.0))
    lower = pooled - scale * (pooled - (low + 0.5) / n)
    upper = pooled + scale * ((high - 0.5) / n - pooled)
    return lower, upper


def overdispersion(successes: np.ndarray, n: np.ndarray, pooled: float) -> tuple[float, float]:
    """Spiegelhalter's multiplicative overdispersion ``φ`` (mean of the squared z-scores, winsorised
    at :data:`WINSORISED` at each end) and the p-value of its χ² test (``I φ`` on ``I - 1`` degrees
    of freedom); NaN with fewer than 2 territories."""
    n = np.asarray(n, dtype=float)
    if len(n) < 2 or not 0 < pooled < 1:
        return float("nan"), float("nan")
    z = (np.asarray(successes) / n - pooled) / np.sqrt(pooled * (1 - pooled) / n)
    low, high = np.quantile(z, [WINSORISED, 1 - WINSORISED])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    return phi, float(chi2.sf(len(n) * phi, len(n) - 1))


@dataclass(frozen=True)
class Funnel:
    """The funnel of one rate: per territory ``n``, ``succes``, ``taux``, limits and ``position``;
    the pooled rate, the overdispersion ``phi`` and its p-value, whether limits were widened."""

    table: pd.DataFrame
    pooled: float
    phi: float
    phi_p_value: float

    @property
    def widened(self) -> bool:
        return bool(self.phi > 1)


def funnel(table: pd.DataFrame, year: int, rate: str = "taux_sorties_dynamiques", minimum: int = 1) -> Funnel:
    """The funnel of ``rate`` in ``year`` (a cohort) for the territories with at least ``minimum``
    known situations; the pooled rate is that of every territory."""
    rows = _rate_rows(table, year, rate)
    pooled = float(rows["succes"].sum() / rows["n"].sum()) if rows["n"].sum() else float("nan")
    shown = rows.loc[rows["n"] >= max(minimum, 1)]
    phi, p_value = overdispersion(shown["succes"].to_numpy(), shown["n"].to_numpy(), pooled)
    result = pd.DataFrame({"n": shown["n"].astype(int), "succes": shown["succes"].astype(int), "taux": shown["valeur"]})
    positions = []
    for label, level in LEVELS.items():
        low, high = funnel_limits(pooled, result["n"].to_numpy(), level, phi if np.isfinite(phi) else 1.0)
        result[f"bas_{label}"], result[f"haut_{label}"] = low, high
        positions.append((label, result["taux"] > high, result["taux"] < low))
    (l95, above95, below95), (l998, above998, below998) = positions
    result["position"] = np.select([above998, below998, above95, below95],
                                   [f"au-dessus ({l998})", f"en dessous ({l998})", f"au-dessus ({l95})", f"en dessous ({l95})"],
                                   "dans les limites")
    return Funnel(result, pooled, phi, p_value)


def leavers_with_covariates(dataset: Dataset, year: int, horizon: int = 6, extraction_date: pd.Timestamp | None = None) -> pd.DataFrame:
    """The leavers of the cohort ``year`` whose situation at ``horizon`` months is known, one row
    each: ``dynamique`` (1 for a dynamic exit), ``territoire``, ``sexe``, ``tranche_age``,
    ``niveau_formation`` and the publics (0 or 1). The hours worked are left out: they are
    produced by the clause itself (people who find a job leave early)."""
    facts = build_facts(dataset, extraction_date)
    people = leavers(facts, horizon)
    people = people.loc[(people["annee"] == year) & people["observable"] & ~people["groupe"].isin(["neutralisee", "inconnue"])].copy()
    people["territoire"] = np.asarray(facts.territories, dtype=object)[people["territoire"].to_numpy()]
    people["dynamique"] = people["groupe"].isin(SORTIES_DYNAMIQUES).astype(int)
    people["tranche_age"] = people["tranche_age"].astype(object)
    for public in PUBLICS:
        people[public] = people[public].astype(int)
    return people[["dynamique", "territoire", "sexe", "tranche_age", "niveau_formation", *PUBLICS]].reset_index(drop=True)


def design(frame: pd.DataFrame, territories: list[str], publics: list[str]) -> np.ndarray:
    """The model's design: intercept, territory dummies (the first territory is the reference),
    dummies of :data:`COVARIATES` that vary (reference: their first level), and ``publics``."""
    columns = [np.ones(len(frame))]
    for column, levels in (("territoire", territories), *COVARIATES.items()):
        values = frame[column].astype(object).to_numpy()
        present = [level for level in levels if level in set(values)] if column != "territoire" else levels
        columns += [(values == level).astype(float) for level in present[1:]]
    columns += [frame[p].to_numpy(dtype=float) for p in publics]
    return np.column_stack(columns)


@dataclass(frozen=True)
class Adjusted:
    """Rates standardised on observed characteristics, or the reason they were not estimated.
    ``table``: per territory ``n``, ``taux_observe``, ``taux_ajuste``, ``ic_bas``, ``ic_haut``,
    ``ecart`` (territory - overall), ``p_valeur``, ``p_holm`` and ``verdict``; ``events`` of the rarer
    outcome; ``parameters`` of the model used; ``publics`` it holds (none in the reduced model)."""

    table: pd.DataFrame | None
    overall: float
    events: int
    parameters: int
    publics: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def events_per_parameter(self) -> float:
        return self.events / self.parameters if self.parameters else float("nan")


def adjusted_rates(frame: pd.DataFrame) -> Adjusted:
    """Each territory's dynamic-exit rate standardised on sex, age band, training level and the
    publics that vary (see the module docstring), from the known leavers of one cohort
    (:func:`leavers_with_covariates`). When the events are too few for that model, the reduced
    model without the publics is tried; when they are too few for it, none is fitted."""
    territories = sorted(frame["territoire"].unique())
    y = frame["dynamique"].to_numpy(dtype=float)
    overall = float(y.mean()) if len(y) else float("nan")
    events = int(min(y.sum(), len(y) - y.sum()))
    varying = tuple(p for p in PUBLICS if frame[p].nunique() > 1)
    for publics in (varying, ()):
        X = design(frame, territories, list(publics))
        if events >= MIN_EVENTS_PER_PARAMETER * X.shape[1]:
            break
    parameters = X.shape[1]
    if len(territories) < 2:
        return Adjusted(None, overall, events, parameters, publics, "il faut au moins deux territoires")
    if events < MIN_EVENTS_PER_PARAMETER * parameters:
        return Adjusted(None, overall, events, parameters, publics,
                        f"trop peu de sorties de la catégorie la plus rare pour les {parameters} paramètres du plus petit modèle (sans "
                        f"les publics) : il en faudrait au moins {MIN_EVENTS_PER_PARAMETER} par paramètre ({MIN_EVENTS_PER_PARAMETER * parameters})")
    fit = firth_logit(X, y)

    def standardised(data: pd.DataFrame) -> tuple[float, np.ndarray]:
        exog = design(data, territories, list(publics))
        predicted = expit(exog @ fit.params)
        return float(predicted.mean()), ((predicted * (1 - predicted))[:, None] * exog).mean(axis=0)

    mean_all, gradient_all = standardised(frame)
    logit_gradient_all = gradient_all / (mean_all * (1 - mean_all))
    rows = []
    for territory in territories:
        rate, gradient = standardised(frame.assign(territoire=territory))
        se = float(np.sqrt(gradient @ fit.cov @ gradient))
        logit_gradient = gradient / (rate * (1 - rate))
        contrast = logit_gradient - logit_gradient_all
        z = (logit(rate) - logit(mean_all)) / float(np.sqrt(contrast @ fit.cov @ contrast))
        half = Z95 * se / (rate * (1 - rate))
        members = frame["territoire"] == territory
        rows.append({"territoire": territory, "n": int(members.sum()), "taux_observe": float(frame.loc[members, "dynamique"].mean()),
                     "taux_ajuste": rate, "erreur_type": se, "ic_bas": float(expit(logit(rate) - half)), "ic_haut": float(expit(logit(rate) + half)),
                     "ecart": rate - mean_all, "p_valeur": float(2 * norm.sf(abs(z)))})
    return Adjusted(judged(pd.DataFrame(rows).set_index("territoire")), mean_all, events, parameters, publics)


def judged(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` (:func:`adjusted_rates`) with Holm's p-values among them (``p_holm``)
    and each one's ``verdict`` at 5 %: a report that shows some territories only corrects among
    those (the p-values of the others would enter what it shows)."""
    table = table.copy()
    table["p_holm"] = holm(table["p_valeur"])
    table["verdict"] = np.where(table["p_holm"] >= 0.05, "non", np.where(table["ecart"] > 0, "au-dessus", "en dessous"))
    return table


def change_test(table: pd.DataFrame, year: int, rate: str = "taux_sorties_dynamiques") -> pd.DataFrame:
    """Each territory's rate in the cohort ``year`` against the cohort ``year - 1``: counts, the
    difference in points, Fisher's exact two-sided p-value and Holm's adjusted p-value across the
    territories tested (NaN where a cohort has no known situation)."""
    now, before = _rate_rows(table, year, rate), _rate_rows(table, year - 1, rate)
    result = pd.DataFrame({"succes": now["succes"], "n": now["n"]}).join(
        pd.DataFrame({"succes_precedent": before["succes"], "n_precedent": before["n"]}), how="left")
    testable = (result["n"] > 0) & (result["n_precedent"] > 0)
    result["ecart_points"] = (result["succes"] / result["n"] - result["succes_precedent"] / result["n_precedent"]).where(testable)
    result["p_valeur"] = np.nan
    for territory, row in result.loc[testable].iterrows():  # one 2 x 2 table per territory
        cells = [[row["succes"], row["n"] - row["succes"]], [row["succes_precedent"], row["n_precedent"] - row["succes_precedent"]]]
        result.loc[territory, "p_valeur"] = fisher_exact(np.asarray(cells, dtype=int)).pvalue
    result["p_holm"] = holm(result["p_valeur"])
    return result
