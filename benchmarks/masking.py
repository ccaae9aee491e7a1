"""Disclosure control of the national-size indicator table (issue 10): the time to mask the whole
table (every year, every territory) beside the time to compute it, measured in one run.

Target: masking under 5 s on the national demo at scale 6 (300 territories, 2015-2024).
"""

from __future__ import annotations

import sys
import time

from common import national_demo

TARGET_SECONDS = 5.0


def main() -> int:
    import impact
    from impact.indicators import indicators
    from impact.publication import mask

    folder = national_demo("national_x6", scale=6.0)
    dataset = impact.load(folder)
    start = time.perf_counter()
    table = indicators(dataset)
    computed = time.perf_counter() - start
    timings = {}
    for seuil in (5, 11):
        start = time.perf_counter()
        masks = mask(table, seuil)
        timings[seuil] = (time.perf_counter() - start, masks["valeur"].mean())
    print(f"Table nationale : {len(table):,} lignes".replace(",", " "))
    print(f"{'':34}{'durée (s)':>10}{'cellules masquées':>20}")
    print(f"{'calcul de la table':34}{computed:>10.2f}{'':>20}")
    for seuil, (seconds, share) in timings.items():
        print(f"{'masquage, seuil ' + str(seuil):34}{seconds:>10.2f}{share:>19.1%}")
    ratio = timings[5][0] / computed
    print(f"ratio masquage (seuil 5) / calcul : x{ratio:.2f}")
    ok = all(seconds < TARGET_SECONDS for seconds, _ in timings.values())
    print(f"cible (masquage < {TARGET_SECONDS:.0f} s aux seuils 5 et 11) : {'atteinte' if ok else 'MANQUÉE'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
