"""The indicator table of the national-size demo, and a DuckDB SQL reference for the three core
indicators (``heures``, ``contrats``, ``personnes`` per territory and year), measured side by side
in one run on the same files. The script checks that both agree.

Both sides start from the tables in memory (DuckDB tables built from the CSV files; the kit's
loaded dataset), so the ratio compares the computations, not two CSV readers.

Targets on a 2-core machine: at least 2 million monthly hour rows; whole table under 15 s and
under 3 GB of peak memory; the three core indicators within 2x of DuckDB.
"""

from __future__ import annotations

import sys

from common import count_rows, national_demo

TARGET_SECONDS = 15.0
TARGET_MB = 3072.0
TARGET_RATIO = 2.0

DUCKDB = r"""
import duckdb, time
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
csv = "read_csv('{folder}/{{}}.csv', delim=';', decimal_separator=',', dateformat='%d/%m/%Y', header=true, all_varchar=false)"
for name in ("contrats", "operations", "heures", "suivis"):
    con.execute(f"CREATE TABLE {{name}} AS SELECT * FROM " + csv.format(name))
start = time.perf_counter()
rows = con.execute('''
WITH extraction AS (
  SELECT greatest((SELECT max(date_notification) FROM operations), (SELECT max(date_debut) FROM contrats),
                  (SELECT max(date_fin) FROM contrats), (SELECT max(date_observation) FROM suivis)) AS e),
c AS (
  SELECT c.id_contrat, c.id_participant, o.territoire, c.date_debut, c.heures_realisees,
         greatest(coalesce(c.date_fin, (SELECT e FROM extraction)), c.date_debut) AS fin
  FROM contrats c JOIN operations o USING (id_operation)),
years AS (SELECT c.*, y AS annee FROM c, range(year(c.date_debut), year(c.fin) + 1) r(y)),
monthly AS (
  SELECT h.id_contrat, year(strptime(h.mois, '%Y-%m')) AS annee, sum(h.heures) AS heures
  FROM heures h GROUP BY ALL),
spread AS (
  SELECT y.id_contrat, y.annee,
         y.heures_realisees * (datediff('day', greatest(y.date_debut, make_date(y.annee::INT, 1, 1)),
                                        least(y.fin, make_date(y.annee::INT, 12, 31))) + 1)
         / (datediff('day', y.date_debut, y.fin) + 1) AS heures
  FROM years y ANTI JOIN (SELECT DISTINCT id_contrat FROM heures) m USING (id_contrat)),
hours AS (
  SELECT c.territoire, h.annee, sum(h.heures) AS heures
  FROM (SELECT * FROM spread UNION ALL SELECT * FROM monthly) h JOIN c USING (id_contrat) GROUP BY ALL),
counts AS (
  SELECT territoire, annee, count(*) AS contrats, count(DISTINCT id_participant) AS personnes FROM years GROUP BY ALL)
SELECT coalesce(h.territoire, k.territoire) AS territoire, coalesce(h.annee, k.annee) AS annee,
       coalesce(h.heures, 0) AS heures, coalesce(k.contrats, 0) AS contrats, coalesce(k.personnes, 0) AS personnes
FROM hours h FULL JOIN counts k ON h.territoire = k.territoire AND h.annee = k.annee
''').df()
result = {{"seconds_inside": time.perf_counter() - start}}
rows.to_parquet("{out}")
"""

KIT_CORE = r"""
import impact, time
from impact.facts import build_facts
from impact.indicators import Grouping, Scope, heures, contrats, personnes
import numpy as np, pandas as pd
dataset = impact.load("{folder}")
start = time.perf_counter()
facts = build_facts(dataset)
scope = Scope(True, facts.first_year, len(facts.years), len(facts.territories))
g = Grouping(facts, scope)
values = {{"heures": heures(g), "contrats": contrats(g), "personnes": personnes(g)}}
elapsed = time.perf_counter() - start
frame = pd.DataFrame({{"annee": np.repeat(facts.years, len(facts.territories)), "territoire": np.tile(facts.territories, len(facts.years)), **values}})
frame.to_parquet("{out}")
print("CORE", elapsed)
"""

KIT_TABLE = r"""
import impact, time
from impact.indicators import indicators
dataset = impact.load("{folder}")
start = time.perf_counter()
table = indicators(dataset)
print("TABLE", time.perf_counter() - start, len(table))
"""


def _inner_seconds(code: str, marker: str) -> tuple[float, dict]:
    import json
    import subprocess

    from common import _MEASURE

    done = subprocess.run([sys.executable, "-c", _MEASURE, code], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"échec de la mesure :\n{done.stderr}")
    lines = done.stdout.strip().splitlines()
    inner = next(float(line.split()[1]) for line in lines if line.startswith(marker))
    return inner, json.loads(lines[-1])


def main() -> int:
    import pandas as pd

    folder = national_demo("national_x6", scale=6.0)
    rows = count_rows(folder)
    print(f"Jeu national de démonstration (--echelle 6) : {folder}")
    print("  " + ", ".join(f"{name} {n:,}".replace(",", " ") for name, n in rows.items()))
    tmp = folder.parent / "resultats"
    tmp.mkdir(exist_ok=True)

    duck_inner, duck_run = _inner_seconds(DUCKDB.format(folder=folder, out=tmp / "duckdb.parquet") + "\nprint('CORE', result['seconds_inside'])", "CORE")
    kit_inner, kit_run = _inner_seconds(KIT_CORE.format(folder=folder, out=tmp / "kit.parquet"), "CORE")
    table_inner, table_run = _inner_seconds(KIT_TABLE.format(folder=folder), "TABLE")

    kit = pd.read_parquet(tmp / "kit.parquet").set_index(["territoire", "annee"]).sort_index()
    ref = pd.read_parquet(tmp / "duckdb.parquet").astype({"annee": int}).set_index(["territoire", "annee"]).sort_index()
    ref = ref.reindex(kit.index, fill_value=0)
    agree = (
        (kit["contrats"].to_numpy() == ref["contrats"].to_numpy()).all()
        and (kit["personnes"].to_numpy() == ref["personnes"].to_numpy()).all()
        and ((kit["heures"] - ref["heures"]).abs() <= 1e-6 * (1 + ref["heures"].abs())).all()
    )
    print(f"accord kit / DuckDB sur heures, contrats, personnes ({len(kit)} couples territoire-année) : {'oui' if agree else 'NON'}")
    print(f"{'':46}{'durée (s)':>10}{'mémoire max (Mo)':>18}")
    print(f"{'DuckDB : 3 indicateurs (tables en mémoire)':46}{duck_inner:>10.2f}{duck_run['peak_mb']:>18.0f}")
    print(f"{'impact : 3 indicateurs (jeu chargé)':46}{kit_inner:>10.2f}{kit_run['peak_mb']:>18.0f}")
    print(f"{'impact : table complète (jeu chargé)':46}{table_inner:>10.2f}{table_run['peak_mb']:>18.0f}")
    ratio = kit_inner / duck_inner
    print(f"ratio impact / DuckDB sur les 3 indicateurs : x{ratio:.2f}")
    ok = agree and rows.get("heures", 0) >= 2_000_000 and table_inner < TARGET_SECONDS and table_run["peak_mb"] < TARGET_MB and ratio <= TARGET_RATIO
    print(f"cibles (accord, >= 2 000 000 lignes mensuelles, table < {TARGET_SECONDS:.0f} s et < {TARGET_MB:.0f} Mo, ratio <= {TARGET_RATIO:.0f}) : "
          f"{'atteintes' if ok else 'MANQUÉES'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
