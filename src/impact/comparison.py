"""Comparing territories fairly: funnel plot limits, rates adjusted for who the territories hire,
and the change of a rate on the previous year.

- :func:`funnel`: each territory's rate of *sorties dynamiques* against its number of known
  situations ``n``, with limits ``p ± z √(p (1 - p) / n)`` around the pooled rate ``p`` (the
  normal approximation of the binomial), at 95 % (z = 1.96) and 99.8 % (z = 3.09);
- :func:`adjusted_rates`: a binomial GLM (logit link, statsmodels) of the dynamic exit on the
  territory, sex, age band, publics and band of hours worked, fitted on the leavers of year N
  whose situation is known; each territory's adjusted rate is obtained by marginal
  standardisation (the mean predicted rate of *all* leavers as if they had all been followed in
  that territory), with a 95 % interval by the delta method; a territory stands significantly
  above or below when its interval excludes the overall rate; with many territories some do by
  chance alone, so the Bonferroni-corrected verdict is given too;
- :func:`change_test`: each territory's rate in N against N-1, two-proportion z-test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm

from impact.dataset import Dataset
from impact.facts import build_facts
from impact.indicators import ENSEMBLE
from impact.outcomes import leavers
from impact.schema import PUBLICS, SORTIES_DYNAMIQUES

Z95 = float(norm.ppf(0.975))
Z998 = float(norm.ppf(0.999))
#: Bands of hours worked over the whole path (upper bounds, hours).
HOUR_BANDS = {"moins_150": 150, "150_399": 400, "400_799": 800, "800_plus": np.inf}


def _rate_rows(table: pd.DataFrame, year: int, rate: str) -> pd.DataFrame:
    rows = table.loc[(table["annee"] == year) & (table["indicateur"] == rate) & (table["dimension"] == ENSEMBLE) & (table["territoire"] != ENSEMBLE)]
    return rows.assign(succes=(rows["valeur"].fillna(0) * rows["effectif"]).round(), n=rows["effectif"]).set_index("territoire")


def funnel_limits(pooled: float, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits around the ``pooled`` rate for ``n`` known situations."""
    n = np.asarray(n, dtype=float)
    half = z * np.sqrt(pooled * (1 - pooled) / np.where(n > 0, n, np.nan))
    return np.clip(pooled - half, 0, 1), np.clip(pooled + half, 0, 1)


def funnel(table: pd.DataFrame, year: int, rate: str = "taux_sorties_dynamiques") -> pd.DataFrame:
    """Each territory's rate, its known situations, the 95 % and 99.8 % limits and where it falls."""
    rows = _rate_rows(table, year, rate)
    pooled = rows["succes"].sum() / rows["n"].sum()
    result = pd.DataFrame({"n": rows["n"], "taux": rows["valeur"]})
    result["taux_commun"] = pooled
    result["bas_95"], result["haut_95"] = funnel_limits(pooled, rows["n"], Z95)
    result["bas_998"], result["haut_998"] = funnel_limits(pooled, rows["n"], Z998)
    result["position"] = np.select(
        [result["taux"] > result["haut_998"], result["taux"] < result["bas_998"], result["taux"] > result["haut_95"], result["taux"] < result["bas_95"]],
        ["au-dessus (99,8 %)", "en dessous (99,8 %)", "au-dessus (95 %)", "en dessous (95 %)"], "dans les limites")
    return result


def leavers_with_covariates(dataset: Dataset, year: int, horizon: int = 6) -> pd.DataFrame:
    """The leavers of ``year`` whose situation at ``horizon`` months is known, one row each:
    ``dynamique`` (1 for a dynamic exit), ``territoire``, ``sexe``, ``tranche_age``, the publics
    and ``tranche_heures`` (hours worked over the whole path)."""
    facts = build_facts(dataset)
    people = leavers(facts, horizon)
    hours = facts.contract_years.groupby("id_participant")["heures"].sum()
    people = people.loc[(people["annee"] == year) & ~people["groupe"].isin(["neutralisee", "inconnue"])].copy()
    people["territoire"] = np.asarray(facts.territories, dtype=object)[people["territoire"].to_numpy()]
    people["dynamique"] = people["groupe"].isin(SORTIES_DYNAMIQUES).astype(int)
    worked = people["id_participant"].map(hours).fillna(0).to_numpy()
    people["tranche_heures"] = pd.Categorical(np.array(list(HOUR_BANDS))[np.searchsorted(list(HOUR_BANDS.values()), worked, side="right")],
                                              categories=list(HOUR_BANDS))
    for public in PUBLICS:
        people[public] = people[public].astype(int)
    return people[["dynamique", "territoire", "sexe", "tranche_age", "tranche_heures", *PUBLICS]].reset_index(drop=True)


def model_formula(frame: pd.DataFrame) -> str:
    """The GLM's formula: territory, sex, age band, hours band and the publics that vary."""
    publics = [p for p in PUBLICS if frame[p].nunique() > 1]
    return "dynamique ~ C(territoire) + C(sexe) + C(tranche_age) + C(tranche_heures)" + "".join(f" + {p}" for p in publics)


def adjusted_rates(frame: pd.DataFrame) -> tuple[pd.DataFrame, object]:
    """Adjusted rate of each territory by marginal standardisation, its 95 % interval (delta
    method) and its verdict; returns the table and the fitted statsmodels result."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    fit = smf.glm(model_formula(frame), data=frame, family=sm.families.Binomial()).fit()
    beta = fit.params.to_numpy()
    covariance = fit.cov_params().to_numpy()
    overall = frame["dynamique"].mean()
    territories = sorted(frame["territoire"].unique())
    z_bonferroni = float(norm.ppf(1 - 0.025 / len(territories)))
    rows = []
    for territory in territories:
        exog = design_matrix(fit, frame.assign(territoire=territory))
        predicted = expit(exog @ beta)
        gradient = (predicted * (1 - predicted))[:, None] * exog
        gradient = gradient.mean(axis=0)
        rate, se = predicted.mean(), float(np.sqrt(gradient @ covariance @ gradient))
        rows.append({"territoire": territory, "taux_observe": frame.loc[frame["territoire"] == territory, "dynamique"].mean(),
                     "n": int((frame["territoire"] == territory).sum()), "taux_ajuste": rate, "erreur_type": se,
                     "ic_bas": max(rate - Z95 * se, 0.0), "ic_haut": min(rate + Z95 * se, 1.0),
                     "ecart_significatif": _verdict(rate, se, overall, Z95), "ecart_significatif_bonferroni": _verdict(rate, se, overall, z_bonferroni)})
    return pd.DataFrame(rows).set_index("territoire").assign(taux_ensemble=overall), fit


def design_matrix(fit, frame: pd.DataFrame) -> np.ndarray:
    """The design matrix of ``fit``'s formula for new data ``frame`` (statsmodels keeps the formula's
    specification as ``design_info`` up to 0.14, ``model_spec`` since; patsy's or formulaic's)."""
    data = fit.model.data
    spec = getattr(data, "model_spec", None) or data.design_info
    if hasattr(spec, "get_model_matrix"):
        return np.asarray(spec.get_model_matrix(frame), dtype=float)
    import patsy

    return np.asarray(patsy.build_design_matrices([spec], frame)[0], dtype=float)


def _verdict(rate: float, se: float, overall: float, z: float) -> str:
    if rate - z * se > overall:
        return "au-dessus"
    if rate + z * se < overall:
        return "en dessous"
    return "non"


def change_test(table: pd.DataFrame, year: int, rate: str = "taux_sorties_dynamiques") -> pd.DataFrame:
    """Each territory's rate in ``year`` against ``year - 1``: two-proportion z-test with pooled
    variance (the statistic of statsmodels' ``proportions_ztest``), two-sided p-value; NaN where a
    year has no known situation or the pooled rate is 0 or 1."""
    now, before = _rate_rows(table, year, rate), _rate_rows(table, year - 1, rate)
    result = pd.DataFrame({"succes": now["succes"], "n": now["n"]}).join(
        pd.DataFrame({"succes_precedent": before["succes"], "n_precedent": before["n"]}), how="left")
    n1, n0 = result["n"].to_numpy(dtype=float), result["n_precedent"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p0 = result["succes"].to_numpy() / n1, result["succes_precedent"].to_numpy() / n0
        pooled = (result["succes"].to_numpy() + result["succes_precedent"].to_numpy()) / (n1 + n0)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        z = np.where((n1 > 0) & (n0 > 0) & (se > 0), (p1 - p0) / se, np.nan)
    result["ecart_points"] = p1 - p0
    result["z"] = z
    result["p_valeur"] = 2 * norm.sf(np.abs(z))
    return result
