"""Disclosure control of the national-size indicator table (issue 10): the time to mask the whole
table (every year, every territory) beside the time to compute it, measured in one run.

Target: masking under 5 s on the national demo at scale 6 (300 territories, 2015-2024), for the
quick examination (``complet=False``: the national groups examined territory by territory). The
complete examination (the default: those groups then examined whole) is measured beside it.
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
        for complete in (False, True):
            start = time.perf_counter()
            masks = mask(table, seuil, complete)
            timings[seuil, complete] = (time.perf_counter() - start, masks["valeur"].mean())
    print(f"Table nationale : {len(table):,} lignes".replace(",", " "))
    print(f"{'':46}{'durée (s)':>10}{'cellules masquées':>20}")
    print(f"{'calcul de la table':46}{computed:>10.2f}{'':>20}")
    for (seuil, complete), (seconds, share) in timings.items():
        label = f"masquage, seuil {seuil}, examen {'complet (défaut)' if complete else 'rapide'}"
        print(f"{label:46}{seconds:>10.2f}{share:>19.2%}")
    print(f"ratio masquage rapide (seuil 5) / calcul : x{timings[5, False][0] / computed:.2f} ; "
          f"complet / rapide : x{timings[5, True][0] / timings[5, False][0]:.1f} (seuil 5), "
          f"x{timings[11, True][0] / timings[11, False][0]:.1f} (seuil 11)")
    ok = all(timings[seuil, False][0] < TARGET_SECONDS for seuil in (5, 11))
    print(f"cible (examen rapide < {TARGET_SECONDS:.0f} s aux seuils 5 et 11) : {'atteinte' if ok else 'MANQUÉE'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
