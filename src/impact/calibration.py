"""Calibration of a clause before the market is published (SPEC section 6).

Hours to require = ``montant_ht`` x labour share x insertion rate / loaded hourly cost.

Example: 1 000 000 EUR x 50 % x 5 % / 30 EUR = 833 hours. Published practice: labour share by
trade (:data:`LABOUR_SHARES`), insertion rate usually 5 to 20 % (5 % of the hours on urban-renewal
works), loaded hourly cost 25 to 30 EUR.
"""

from __future__ import annotations

import numpy as np

#: Share of labour in the amount of a market, by trade (published practice).
LABOUR_SHARES = {
    "peinture_interieure": 0.70,
    "maconnerie": 0.50,
    "charpente_metallique": 0.20,
    "nettoyage": 0.80,
    "espaces_verts": 0.60,
    "voirie": 0.35,
    "fournitures": 0.15,
}
#: Default labour share when the trade is not known.
DEFAULT_LABOUR_SHARE = 0.50
#: Default insertion rate: 5 % of the hours, the rule of urban-renewal works (ANRU).
DEFAULT_INSERTION_RATE = 0.05
#: Default loaded hourly cost of labour, in euros.
DEFAULT_HOURLY_COST = 30.0


def hours_to_require(
    montant_ht: float | np.ndarray,
    labour_share: float | np.ndarray = DEFAULT_LABOUR_SHARE,
    insertion_rate: float | np.ndarray = DEFAULT_INSERTION_RATE,
    hourly_cost: float | np.ndarray = DEFAULT_HOURLY_COST,
) -> float | np.ndarray:
    """Insertion hours a clause should require (hours).

    ``montant_ht`` in euros excluding VAT, ``labour_share`` and ``insertion_rate`` as fractions
    (0.5 for 50 %), ``hourly_cost`` in euros per hour. Works on scalars and arrays.
    """
    return np.multiply(montant_ht, labour_share) * insertion_rate / hourly_cost
