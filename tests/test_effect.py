"""The effect on participants against a comparison group: hand-computed pieces, then simulations
with a known effect (50 seeds each)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from impact import effect
from tests.effect_simulation import simulate

SEEDS = range(50)
REPLICATES = 50


def _run(true_effect: float) -> pd.DataFrame:
    rows = []
    for seed in SEEDS:
        sample, truth = simulate(seed, true_effect)
        result = effect.study(sample, replicates=REPLICATES, seed=seed)
        dynamic = result.estimates["sorties_dynamiques"]
        low, high = dynamic.interval()
        rows.append({"truth": truth, "estimate": dynamic.values["doublement_robuste"], "low": low, "high": high,
                     "raw": dynamic.raw_difference, "claimed": result.credible and dynamic.significant, "credible": result.credible})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def with_effect() -> pd.DataFrame:
    return _run(0.5)


@pytest.fixture(scope="module")
def without_effect() -> pd.DataFrame:
    return _run(0.0)


def test_interval_covers_the_true_effect_and_bias_is_small(with_effect):
    runs = with_effect
    coverage = ((runs["low"] <= runs["truth"]) & (runs["truth"] <= runs["high"])).mean()
    bias = (runs["estimate"] - runs["truth"]).mean()
    width = (runs["high"] - runs["low"]).median()
    assert coverage >= 0.90, coverage
    assert abs(bias) < width / 4, (bias, width)
    assert runs["credible"].mean() >= 0.9


def test_confounding_is_removed_by_the_adjustment(with_effect, without_effect):
    for runs in (with_effect, without_effect):
        raw_bias = (runs["raw"] - runs["truth"]).mean()
        adjusted_bias = (runs["estimate"] - runs["truth"]).mean()
        width = (runs["high"] - runs["low"]).median()
        assert raw_bias > width / 2, raw_bias  # selection on age and prior employment inflates the raw gap
        assert abs(adjusted_bias) < width / 4, adjusted_bias


def test_no_effect_is_rarely_claimed(without_effect):
    assert without_effect["claimed"].mean() <= 0.10
    coverage = ((without_effect["low"] <= 0) & (0 <= without_effect["high"])).mean()
    assert coverage >= 0.90


def test_poor_overlap_refuses_and_says_why():
    sample, _ = simulate(3, 0.5, separation=8.0)
    result = effect.study(sample, replicates=20)
    assert not result.credible
    reasons = " ".join(result.failures())
    assert "recouvrement insuffisant" in reasons or "taille effective" in reasons


def test_standardised_difference_and_variance_ratio_by_hand():
    values = pd.DataFrame({"x": [1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]})
    treated = np.array([True, True, True, False, False, False, False])
    # participants: mean 2/3, variance 2/9; comparison: mean 1/4, variance 3/16
    table = effect.smd(values, treated, np.ones(7))
    assert table.loc["x", "dms_avant"] == pytest.approx((2 / 3 - 1 / 4) / np.sqrt((2 / 9 + 3 / 16) / 2))
    assert table.loc["x", "rv_avant"] == pytest.approx((2 / 9) / (3 / 16))
    # weighting the comparison person with x = 1 by 3 gives a comparison mean of 1/2, same denominator
    weighted = effect.smd(values, treated, np.array([1, 1, 1, 1, 1, 3, 1.0]))
    assert weighted.loc["x", "dms_apres"] == pytest.approx((2 / 3 - 1 / 2) / np.sqrt((2 / 9 + 3 / 16) / 2))


def test_effective_size_minimum_detectable_e_value_and_gamma_by_hand():
    assert effect.effective_size(np.array([1.0, 1.0, 2.0])) == pytest.approx(16 / 6)
    assert effect.minimum_detectable(0.5, 100, 100) == pytest.approx((1.959964 + 0.841621) * np.sqrt(0.25 * 0.02), rel=1e-5)
    # risk ratio 0.5 / 0.25 = 2: E-value 2 + sqrt(2); an interval reaching 0 gives 1
    assert effect.e_value(0.5, 0.25, 0.1)[0] == pytest.approx(2 + np.sqrt(2))
    assert effect.e_value(0.5, 0.25, -0.01)[1] == 1.0
    # 10 discordant pairs all favouring participants: significant until (G / (1 + G))^10 = 0.05
    q = 0.05 ** 0.1
    assert effect.rosenbaum_gamma(10, 0) == pytest.approx(q / (1 - q), rel=1e-6)
    assert effect.rosenbaum_gamma(3, 3) == 1.0


def test_bootstrap_fit_equals_statsmodels_on_the_sample():
    sample, _ = simulate(7, 0.5)
    X = effect._design(effect.covariates(sample))
    treated = sample["participant"].to_numpy()
    scores = effect.fit(X, treated, replicates=5)
    again = effect._batched_logit(X, treated, np.ones((1, len(treated))), np.zeros(X.shape[1]), iterations=30)[0]
    assert np.allclose(again, scores.beta, atol=1e-4)
    assert (scores.counts[:, treated].sum(axis=1) == treated.sum()).all()
