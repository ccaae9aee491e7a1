"""Synthetic samples for the tests of :mod:`impact.effect`: participants selected on age and prior
employment (younger persons with more months employed are hired more often), both of which raise
the chance of a dynamic exit, so that the raw difference overstates the effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from impact.schema import NIVEAU_FORMATION, PUBLICS


def simulate(seed: int, effect_logit: float = 0.5, n: int = 800, separation: float = 1.0) -> tuple[pd.DataFrame, float]:
    """A sample of ``n`` persons and its true ATT on the dynamic exit (mean over the participants
    of ``P(Y(1)) - P(Y(0))``); the effect is ``effect_logit`` on the logit scale. ``separation``
    multiplies the selection: large values leave the two groups with few shared profiles."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 62, n).astype(float)
    prior = rng.binomial(12, rng.beta(1.2, 2.5, n)).astype(float)
    deld = rng.random(n) < 0.45
    woman = rng.random(n) < 0.2
    level = np.array(list(NIVEAU_FORMATION))[rng.choice(5, n, p=[0.4, 0.3, 0.18, 0.05, 0.07])]
    selection = -0.9 + separation * (-0.04 * (age - 40) + 0.15 * (prior - 4)) + 0.3 * deld
    participant = rng.random(n) < expit(selection)
    base = -0.4 - 0.03 * (age - 40) + 0.18 * (prior - 4) + 0.2 * woman - 0.2 * deld
    p0, p1 = expit(base), expit(base + effect_logit)
    dynamic = rng.random(n) < np.where(participant, p1, p0)
    publics = {name: rng.random(n) < 0.2 for name in PUBLICS} | {"deld": deld}
    frame = pd.DataFrame({"participant": participant, "sexe": np.where(woman, "F", "M"), "age": age, "niveau_formation": level,
                          **publics, "mois_emploi_12m": prior, "sorties_dynamiques": dynamic.astype(float),
                          "emploi_durable": (dynamic & (rng.random(n) < 0.45)).astype(float)})
    return frame, float((p1 - p0)[participant].mean())
