"""Comparing territories: exact funnel limits and overdispersion by hand, an in-control simulation,
Firth's logit against its closed form, standardised rates against a bootstrap, the sparse case
refused, Fisher's exact test and Holm's correction by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit
from scipy.stats import chi2

import impact
from impact.comparison import (adjusted_rates, change_test, design, exact_counts, funnel, funnel_limits, holm, judged, leavers_with_covariates,
                               overdispersion)
from impact.demo import DemoParameters, write
from impact.firth import firth_logit
from impact.schema import PUBLICS


def _rates(rows):
    return pd.DataFrame([{"annee": y, "territoire": t, "indicateur": "taux_sorties_dynamiques", "dimension": "ensemble",
                          "modalite": "ensemble", "valeur": k / n if n else np.nan, "effectif": n} for y, t, k, n in rows])


def test_exact_funnel_limits_by_hand():
    # n = 10 around 0.5: P(X >= 9) = 11/1024 = 1.1 % < 2.5 % but P(X >= 8) = 56/1024 = 5.5 %: 9 is the first
    # count flagged above at 95 %; P(X <= 1) = 1.1 %: 1 is the last flagged below. At 99.8 % (0.1 % a side):
    # P(X >= 10) = 0.098 %, P(X <= 0) = 0.098 %.
    low, high = exact_counts(0.5, np.array([10]), 0.95)
    assert (low[0], high[0]) == (1, 9)
    lower, upper = funnel_limits(0.5, np.array([10]), 0.95)
    assert (lower[0], upper[0]) == pytest.approx((0.15, 0.85))  # half a person beyond 1 and 8
    lower, upper = funnel_limits(0.5, np.array([10]), 0.998)
    assert (lower[0], upper[0]) == pytest.approx((0.05, 0.95))
    # n = 5 around 0.5: P(X = 5) = 3.1 % is not below 2.5 %: 5 of 5 is within the limits.
    assert exact_counts(0.5, np.array([5]), 0.95)[1][0] == 6
    # Overdispersion widens the distance from the pooled rate by the square root of phi.
    lower, upper = funnel_limits(0.5, np.array([10]), 0.95, phi=4.0)
    assert (lower[0], upper[0]) == pytest.approx((0.5 - 2 * 0.35, 0.5 + 2 * 0.35))


def test_overdispersion_by_hand():
    successes, n = np.array([9, 1, 20, 20, 10]), np.array([10, 10, 40, 40, 20])
    pooled = 60 / 120
    z = (successes / n - pooled) / np.sqrt(pooled * (1 - pooled) / n)  # 2.53, -2.53, 0, 0, 0
    low, high = np.quantile(z, [0.1, 0.9])  # winsorised at 10 % each end: +-1.518
    phi = np.mean(np.clip(z, low, high) ** 2)
    assert overdispersion(successes, n, pooled) == pytest.approx((phi, chi2.sf(5 * phi, 4)))
    assert phi == pytest.approx(2 * (0.6 * 0.4 / math.sqrt(0.025)) ** 2 / 5)


def test_funnel_positions_follow_the_limits():
    table = _rates([(2024, "A", 30, 50), (2024, "B", 5, 40), (2024, "C", 45, 110), (2024, "D", 3, 3), (2024, "ensemble", 83, 203)])
    result = funnel(table, 2024, minimum=5)
    assert result.pooled == pytest.approx(83 / 203)  # every territory, D included
    assert list(result.table.index) == ["A", "B", "C"]  # D has fewer than 5 known situations
    assert result.phi == pytest.approx(overdispersion(np.array([30, 5, 45]), np.array([50, 40, 110]), 83 / 203)[0])
    for territory, row in result.table.iterrows():
        lower, upper = funnel_limits(result.pooled, np.array([row["n"]]), 0.95, result.phi)
        assert row["haut_95 %"] == pytest.approx(upper[0]) and row["bas_95 %"] == pytest.approx(lower[0])
    positions = result.table["position"]
    below = result.table["taux"] < result.table["bas_95 %"]
    above = result.table["taux"] > result.table["haut_95 %"]
    assert (positions.str.startswith("en dessous") == below).all() and (positions.str.startswith("au-dessus") == above).all()
    assert result.widened  # three territories far apart: phi > 1


def test_in_control_territories_are_flagged_at_most_at_the_nominal_rate():
    """200 territories of 5 to 30 known situations drawn around one rate: the 95 % exact limits flag
    at most 5 % of them (the normal approximation flagged up to 9 %), and 5 of 5 is never flagged."""
    rng = np.random.default_rng(2026)
    flagged = []
    for replicate in range(10):
        n = rng.integers(5, 31, 200)
        successes = rng.binomial(n, 0.55)
        table = _rates([(2024, f"T{i}", k, m) for i, (k, m) in enumerate(zip(successes, n))] + [(2024, "T5/5", 5, 5)])
        result = funnel(table, 2024).table
        flagged.append((result["position"] != "dans les limites").drop("T5/5").mean())
        assert result.loc["T5/5", "position"] == "dans les limites"
    assert max(flagged) <= 0.05
    # The normal approximation around the same rate flags far more: the reason for exact limits.
    p, n = 0.55, np.arange(5, 31)
    normal_upper = p + 1.96 * np.sqrt(p * (1 - p) / n)
    from scipy.stats import binom
    normal_rate = np.mean([binom.sf(np.floor(u * m), m, p) + binom.cdf(np.ceil((2 * p - u) * m) - 1, m, p) for u, m in zip(normal_upper, n)])
    assert normal_rate > np.mean(flagged)


def test_holm_by_hand():
    adjusted = holm(pd.Series([0.01, 0.04, 0.03, np.nan], index=list("abcd")))
    # Sorted 0.01, 0.03, 0.04 times 3, 2, 1: 0.03, 0.06, 0.04, then running maximum: 0.03, 0.06, 0.06.
    assert adjusted["a"] == pytest.approx(0.03) and adjusted["c"] == pytest.approx(0.06) and adjusted["b"] == pytest.approx(0.06)
    assert math.isnan(adjusted["d"])


def test_holm_among_the_territories_shown():
    """By hand: p = 0.01, 0.02, 0.04 give 0.03, 0.04, 0.04 among three territories; a report that
    shows only the first two corrects among them (0.02, 0.02): a masked territory's p-value would
    otherwise enter the p-values shown."""
    table = pd.DataFrame({"p_valeur": [0.01, 0.02, 0.04], "ecart": [0.1, -0.1, 0.2]}, index=["A", "B", "C"])
    every = judged(table)
    assert every["p_holm"].tolist() == pytest.approx([0.03, 0.04, 0.04])
    assert every["verdict"].tolist() == ["au-dessus", "en dessous", "au-dessus"]
    assert judged(table.loc[["A", "B"]])["p_holm"].tolist() == pytest.approx([0.02, 0.02])
    assert judged(table.loc[["C"]])["verdict"].tolist() == ["au-dessus"]  # 0.04 alone


def test_change_test_is_fisher_exact_with_holm():
    table = _rates([(2024, "A", 6, 9), (2023, "A", 5, 18), (2024, "B", 30, 50), (2023, "B", 20, 50), (2024, "C", 5, 40), (2023, "C", 0, 0)])
    result = change_test(table, 2024)
    # 6/9 against 5/18: the z-test gave p = 0.053, Fisher's exact test gives 0.097.
    assert result.loc["A", "p_valeur"] == pytest.approx(0.0968, abs=5e-4)
    assert result.loc["A", "ecart_points"] == pytest.approx(6 / 9 - 5 / 18)
    assert math.isnan(result.loc["C", "p_valeur"])
    small, large = sorted([result.loc["A", "p_valeur"], result.loc["B", "p_valeur"]])
    assert sorted([result.loc["A", "p_holm"], result.loc["B", "p_holm"]]) == pytest.approx([2 * small, max(2 * small, large)])


def test_firth_logit_equals_the_half_corrected_table():
    # One binary covariate: the estimates are the log odds with 0.5 added to each cell. Group 0: 5 of 5
    # succeed (separation: the maximum-likelihood coefficient is infinite); group 1: 3 of 10.
    x = np.r_[np.zeros(5), np.ones(10)]
    y = np.r_[np.ones(5), np.ones(3), np.zeros(7)]
    fit = firth_logit(np.column_stack([np.ones(15), x]), y)
    assert fit.params[0] == pytest.approx(math.log(5.5 / 0.5))
    assert fit.params[1] == pytest.approx(math.log(3.5 / 7.5) - math.log(5.5 / 0.5))
    assert np.all(np.isfinite(fit.cov)) and np.all(np.diag(fit.cov) > 0)


def _frame(rng, size, territories):
    frame = pd.DataFrame({
        "territoire": rng.choice(territories, size), "sexe": rng.choice(["F", "M"], size), "tranche_age": rng.choice(["moins_26", "26_49", "50_plus"], size),
        "niveau_formation": rng.choice(["infra_3", "niveau_3", "niveau_4"], size), **{p: rng.integers(0, 2, size) for p in PUBLICS}})
    logit = -0.2 + 0.4 * (frame["sexe"] == "F") - 0.5 * (frame["tranche_age"] == "50_plus") - 0.3 * frame["minima_sociaux"]
    frame["dynamique"] = (rng.random(size) < expit(logit)).astype(int)
    return frame


def test_separated_territory_gets_a_finite_interval_and_no_verdict():
    rng = np.random.default_rng(3)
    frame = _frame(rng, 900, ["A", "B", "C"])
    small = _frame(rng, 5, ["Z"]).assign(dynamique=1)  # 5 of 5 succeed
    result = adjusted_rates(pd.concat([frame, small], ignore_index=True))
    z = result.table.loc["Z"]
    assert 0 < z["ic_bas"] < z["taux_ajuste"] < z["ic_haut"] < 1
    assert z["ic_haut"] - z["ic_bas"] > 0.2
    assert z["verdict"] == "non"


def test_standardised_rates_close_to_maximum_likelihood_on_large_data():
    rng = np.random.default_rng(4)
    frame = _frame(rng, 3000, ["A", "B", "C", "D"])
    result = adjusted_rates(frame)
    assert result.publics  # enough events for the full model
    publics = list(result.publics)
    territories = sorted(frame["territoire"].unique())
    mle = sm.GLM(frame["dynamique"], design(frame, territories, publics), family=sm.families.Binomial()).fit()
    for territory in territories:
        expected = expit(design(frame.assign(territoire=territory), territories, publics) @ mle.params.to_numpy()).mean()
        assert result.table.loc[territory, "taux_ajuste"] == pytest.approx(expected, abs=2e-3)
    assert result.overall == pytest.approx(frame["dynamique"].mean(), abs=2e-3)


@pytest.fixture(scope="module")
def demo_leavers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("comparaison")
    write(DemoParameters(seed=5, territories=5, first_year=2021, last_year=2024, scale=2.0), folder)
    return leavers_with_covariates(impact.load(folder), 2023)


def test_delta_method_interval_within_ten_percent_of_a_bootstrap(demo_leavers):
    """On a demo cohort (329 known situations, 5 territories: the reduced model, 142 events for 12
    parameters) the delta-method standard error of every standardised rate is within 10 % of the
    bootstrap's (persons resampled within territory)."""
    result = adjusted_rates(demo_leavers)
    assert result.table is not None and result.publics == ()
    rng = np.random.default_rng(7)
    groups = [frame.index.to_numpy() for _, frame in demo_leavers.groupby("territoire")]
    draws = []
    for _ in range(300):
        rows = np.concatenate([rng.choice(g, len(g)) for g in groups])
        draws.append(adjusted_rates(demo_leavers.loc[rows].reset_index(drop=True)).table["taux_ajuste"])
    bootstrap = pd.concat(draws, axis=1).std(axis=1)
    ratio = result.table["erreur_type"] / bootstrap
    assert ratio.between(0.9, 1.1).all(), ratio


def test_sparse_cohort_is_refused_with_its_reason(tmp_path):
    write(DemoParameters(seed=2024, territories=4, first_year=2021, last_year=2024), tmp_path)
    result = adjusted_rates(leavers_with_covariates(impact.load(tmp_path), 2023))
    assert result.table is None
    assert "il en faudrait au moins 10 par paramètre" in result.reason


def test_the_comparison_shows_nothing_computed_from_a_masked_rate(tmp_path):
    """The funnel's common rate and overdispersion come from the published rates only (the
    overdispersion of every territory and its p-value gave three masked rates back, exactly, on the
    demo); with the whole's rate masked, no standardised comparison (each gap to the whole would
    give it back) and no count of the rarer outcome."""
    import re
    import subprocess

    from impact import comparison_report
    from impact.comparison import overdispersion
    from tests.conftest import IMPACT

    def prepared(name, *options):
        subprocess.run([IMPACT, "demo", tmp_path / name, *options], check=True, capture_output=True)
        return comparison_report.prepare(tmp_path / name, 2024, sortie=tmp_path / f"{name}_sortie")

    report = prepared("deux_sur_quatre", "--territoires", "4", "--annees", "2021-2024", "--graine", "6")
    rows = report.published.loc[(report.published["annee"] == report.cohort) & (report.published["indicateur"] == "taux_sorties_dynamiques")
                                & (report.published["dimension"] == "ensemble") & ~report.published["valeur_masque"]
                                & ~report.published["effectif_masque"] & (report.published["territoire"] != "ensemble")].set_index("territoire")
    result = comparison_report._funnel(report)
    assert 2 <= len(result.table) == len(rows) < len(report.territories)  # some shown, some masked
    successes, n = (rows["valeur"] * rows["effectif"]).round().to_numpy(), rows["effectif"].to_numpy()
    assert result.pooled == pytest.approx(successes.sum() / n.sum())
    assert result.phi == pytest.approx(overdispersion(successes, n, successes.sum() / n.sum())[0])
    masked = prepared("ensemble_masque", "--territoires", "3", "--annees", "2022-2024", "--echelle", "0.3", "--graine", "3")
    assert comparison_report._ensemble_rate(masked) is None
    text = comparison_report.adjusted(masked).data + comparison_report.funnel_note(masked).data
    assert "Comparaison standardisée non publiée" in text and not re.search(r"\d+ sorties de la catégorie", text)
    # The hours of each territory start with the first year of activity (the table begins a year
    # earlier, without hours): no curve rises from a year without any.
    trends = comparison_report.trends_chart(report)
    hours = report.published.loc[(report.published["indicateur"] == "heures") & (report.published["dimension"] == "ensemble")
                                 & (report.published["territoire"] != "ensemble")]
    first = int(hours.loc[hours["valeur_masque"] | (hours["valeur"] > 0), "annee"].min())
    assert re.search(rf"de [^;]+ en {first} à", trends.metadata["alt"]) and f" en {first - 1} " not in trends.metadata["alt"]
