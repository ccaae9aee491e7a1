"""Comparing territories: funnel limits by the binomial formula, adjusted rates against a direct
statsmodels fit, the two-proportion test against statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.proportion import proportions_ztest

import impact
from impact.comparison import adjusted_rates, change_test, funnel, leavers_with_covariates, model_formula
from impact.demo import DemoParameters, write


def _rates(rows):
    return pd.DataFrame([{"annee": y, "territoire": t, "indicateur": "taux_sorties_dynamiques", "dimension": "ensemble",
                          "modalite": "ensemble", "valeur": k / n if n else np.nan, "effectif": n} for y, t, k, n in rows])


def test_funnel_limits_by_the_binomial_formula():
    table = _rates([(2024, "A", 30, 50), (2024, "B", 5, 40), (2024, "C", 45, 110), (2024, "ensemble", 80, 200)])
    result = funnel(table, 2024)
    pooled = 80 / 200  # (30 + 5 + 45) / (50 + 40 + 110), the ensemble row left out
    assert result["taux_commun"].iloc[0] == pytest.approx(pooled)
    for territory, n in (("A", 50), ("B", 40), ("C", 110)):
        half95 = 1.959963984540054 * math.sqrt(pooled * (1 - pooled) / n)
        half998 = 3.090232306167813 * math.sqrt(pooled * (1 - pooled) / n)
        assert result.loc[territory, "bas_95"] == pytest.approx(pooled - half95)
        assert result.loc[territory, "haut_95"] == pytest.approx(pooled + half95)
        assert result.loc[territory, "haut_998"] == pytest.approx(pooled + half998)
    # A: 0.6 > 0.4 + 3.09 x 0.069 = 0.614? no, but > 0.4 + 1.96 x 0.069 = 0.536: above at 95 %.
    assert result.loc["A", "position"] == "au-dessus (95 %)"
    assert result.loc["B", "position"] == "en dessous (99,8 %)"  # 0.125 < 0.4 - 3.09 x 0.077 = 0.161
    assert result.loc["C", "position"] == "dans les limites"


def test_two_proportion_test_equals_statsmodels():
    table = _rates([(2024, "A", 30, 50), (2023, "A", 20, 50), (2024, "B", 5, 40), (2023, "B", 0, 0)])
    result = change_test(table, 2024)
    statistic, p_value = proportions_ztest([30, 20], [50, 50])
    assert result.loc["A", "z"] == pytest.approx(statistic) and result.loc["A", "p_valeur"] == pytest.approx(p_value)
    assert result.loc["A", "ecart_points"] == pytest.approx(0.2)
    assert math.isnan(result.loc["B", "z"])


@pytest.fixture(scope="module")
def leavers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("comparaison")
    write(DemoParameters(seed=5, territories=5, first_year=2021, last_year=2024, scale=2.0), folder)
    return leavers_with_covariates(impact.load(folder), 2023)


def test_adjusted_rates_equal_a_direct_statsmodels_fit(leavers):
    result, _ = adjusted_rates(leavers)
    direct = smf.glm(model_formula(leavers), data=leavers, family=sm.families.Binomial()).fit()
    for territory in result.index:
        expected = direct.predict(leavers.assign(territoire=territory)).mean()
        assert result.loc[territory, "taux_ajuste"] == pytest.approx(expected, rel=1e-9)
        assert result.loc[territory, "ic_bas"] < expected < result.loc[territory, "ic_haut"]
    assert result["taux_ensemble"].iloc[0] == pytest.approx(leavers["dynamique"].mean())
    assert set(result["ecart_significatif"]) <= {"au-dessus", "en dessous", "non"}
    assert len(leavers) > 300 and set(leavers["tranche_heures"].cat.categories) == {"moins_150", "150_399", "400_799", "800_plus"}


def test_delta_method_interval_against_simulation(leavers):
    """The delta-method standard error agrees with the spread of the standardised rate over draws
    of the coefficients from their estimated distribution."""
    from scipy.special import expit

    from impact.comparison import design_matrix

    result, fit = adjusted_rates(leavers)
    territory = result.index[0]
    exog = design_matrix(fit, leavers.assign(territoire=territory))
    draws = np.random.default_rng(1).multivariate_normal(fit.params.to_numpy(), fit.cov_params().to_numpy(), size=400)
    simulated = expit(exog @ draws.T).mean(axis=0)
    assert result.loc[territory, "erreur_type"] == pytest.approx(simulated.std(), rel=0.15)
