"""Validation of the national-size demo: the kit's full validation against a bare pandas read of the
same files, measured side by side in one run.

Targets on a 2-core machine: at least 1 million rows over all tables, validation under 20 s and
under 2 GB of peak memory.
"""

from __future__ import annotations

import sys

from common import count_rows, measure, national_demo

TARGET_SECONDS = 20.0
TARGET_MB = 2048.0


def main() -> int:
    folder = national_demo("national")
    rows = count_rows(folder)
    total = sum(rows.values())
    print(f"Jeu national de démonstration : {folder}")
    print("  " + ", ".join(f"{name} {n:,}".replace(",", " ") for name, n in rows.items()) + f" ; total {total:,}".replace(",", " ") + " lignes")

    bare = measure(
        "import pandas as pd, pathlib\n"
        f"for p in sorted(pathlib.Path({str(folder)!r}).glob('*.csv')):\n"
        "    pd.read_csv(p, sep=';', dtype=str, keep_default_na=False, encoding='utf-8-sig')"
    )
    kit = measure(f"import impact\nd = impact.validate({str(folder)!r})\nassert d.is_valid, d.errors.head()")
    print(f"{'':32}{'durée (s)':>12}{'mémoire max (Mo)':>20}")
    print(f"{'lecture seule pandas.read_csv':32}{bare['seconds']:>12.2f}{bare['peak_mb']:>20.0f}")
    print(f"{'validation complète impact':32}{kit['seconds']:>12.2f}{kit['peak_mb']:>20.0f}")
    print(f"ratio validation / lecture seule : durée x{kit['seconds'] / bare['seconds']:.2f}, mémoire x{kit['peak_mb'] / bare['peak_mb']:.2f}")
    ok = total >= 1_000_000 and kit["seconds"] < TARGET_SECONDS and kit["peak_mb"] < TARGET_MB
    print(f"cibles (>= 1 000 000 lignes, < {TARGET_SECONDS:.0f} s, < {TARGET_MB:.0f} Mo) : {'atteintes' if ok else 'MANQUÉES'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
