"""Twenty HTML bilans rendered two ways in the same run: the kit's batch (``impact bilan
--tous-territoires --formats html``: parallel workers, one papermill run and one pandoc call per
territory) and a plain loop of the ``papermill`` and ``jupyter nbconvert --to html --no-input``
command lines, one territory after the other, on the same notebook and the same indicators.

Targets on a 2-core machine: at least 3x faster than the loop, under 2 s per territory.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import DATA

ROOT = Path(__file__).resolve().parents[1]
TERRITORIES = 19  # plus ``ensemble``: 20 reports
TARGET_RATIO = 3.0
TARGET_PER_REPORT = 2.0


def main() -> int:
    bin_dir = Path(sys.executable).parent
    data = DATA / "bilan_20"
    if not (data / "contrats.csv").exists():
        subprocess.run([bin_dir / "impact", "demo", data, "--territoires", str(TERRITORIES)], check=True)
    out = DATA / "resultats_bilan"
    shutil.rmtree(out, ignore_errors=True)

    start = time.perf_counter()
    subprocess.run([bin_dir / "impact", "bilan", data, "--annee", "2024", "--tous-territoires", "--formats", "html", "--out", out / "kit"],
                   check=True, capture_output=True)
    kit = time.perf_counter() - start
    reports = sorted((out / "kit" / "2024").glob("*/bilan.html"))

    # The loop reuses the indicators the kit computed, split by territory: only rendering is compared.
    split = out / "kit" / "2024" / "indicateurs" / "territoires"
    loop_dir = out / "boucle"
    loop_dir.mkdir(parents=True)
    start = time.perf_counter()
    for file in sorted(split.glob("*.csv")):
        executed = loop_dir / f"{file.stem}.ipynb"
        subprocess.run([bin_dir / "papermill", ROOT / "notebooks" / "bilan_territoire.ipynb", executed, "-k", "python3",
                        "-p", "dossier", str(data), "-p", "annee", "2024", "-p", "territoire", _territory(file),
                        "-p", "sortie", str(loop_dir), "-p", "indicateurs", str(file), "--no-progress-bar"],
                       check=True, capture_output=True)
        subprocess.run([bin_dir / "jupyter", "nbconvert", "--to", "html", "--no-input", str(executed)], check=True, capture_output=True)
    loop = time.perf_counter() - start
    loop_reports = sorted(loop_dir.glob("*.html"))

    count = len(reports)
    print(f"{count} bilans HTML (kit) et {len(loop_reports)} (boucle) sur le jeu de démonstration à {TERRITORIES} territoires")
    print(f"{'':52}{'total (s)':>10}{'par bilan (s)':>15}")
    print(f"{'kit : impact bilan --tous-territoires (calcul compris)':52}{kit:>10.1f}{kit / count:>15.2f}")
    print(f"{'boucle : papermill puis jupyter nbconvert':52}{loop:>10.1f}{loop / len(loop_reports):>15.2f}")
    ratio = loop / kit
    print(f"ratio boucle / kit : x{ratio:.2f}")
    ok = count == 20 and len(loop_reports) == 20 and ratio >= TARGET_RATIO and kit / count < TARGET_PER_REPORT
    print(f"cibles (x{TARGET_RATIO:.0f} au moins, moins de {TARGET_PER_REPORT:.0f} s par bilan) : {'atteintes' if ok else 'MANQUÉES'}")
    return 0 if ok else 1


def _territory(file: Path) -> str:
    """The territory whose rows ``file`` holds (second column of its first data row)."""
    import csv

    with file.open(encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        return next(reader)[1]


if __name__ == "__main__":
    sys.exit(main())
