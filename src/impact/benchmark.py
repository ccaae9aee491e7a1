"""Observed against expected dynamic exits, from reference rates the user supplies: a benchmark,
not a counterfactual (the reference population differs in ways the data do not show).

The reference file (CSV, ``;`` or ``,``) has one row per stratum: ``dimension`` (one of
:data:`DIMENSIONS`, the same on every row), ``modalite`` (a code of that dimension), ``taux``
(the reference rate of dynamic exits, 0 to 1, or a percentage above 1) and ``source`` (where the
rate comes from, for example the national rates of exits from insertion structures of a year).
For ``public``, a person of several publics takes the first of the file's rows that applies, and
a row ``aucun`` serves the persons of none.

Indirect standardisation: expected ``E`` = sum over the known leavers of the reference rate of
their stratum; observed ``O`` = their dynamic exits; the ratio ``O / E`` has the exact Poisson
95 % interval ``[χ²(0.025; 2O) / 2, χ²(0.975; 2O + 2) / 2] / E`` (Garwood).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chi2

from impact.hints import UserError
from impact.schema import NIVEAU_FORMATION, PUBLICS, SEXE

#: Dimensions a reference file may be broken down by, with their codes.
DIMENSIONS = {"sexe": list(SEXE), "tranche_age": ["moins_26", "26_49", "50_plus"], "niveau_formation": list(NIVEAU_FORMATION),
              "public": [*PUBLICS, "aucun"]}
COLUMNS = ("dimension", "modalite", "taux", "source")


class ReferenceError(UserError):
    """A reference file that cannot be used; the message names the line and column."""


def read_reference(path: Path) -> pd.DataFrame:
    """The reference rates of ``path``, checked; raises :class:`ReferenceError` in French."""
    name = Path(path).name
    try:
        frame = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ReferenceError(f"{name} : fichier de référence illisible ({error})", "reference_illisible") from None
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ReferenceError(f"{name}:1 : colonne(s) absente(s) : {', '.join(missing)} (attendues : {', '.join(COLUMNS)})", "reference_illisible")
    frame = frame.apply(lambda column: column.str.strip())
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="ligne")
    dimensions = set(frame["dimension"])
    if len(dimensions) != 1 or not dimensions <= set(DIMENSIONS):
        raise ReferenceError(f"{name}:2:dimension : une seule dimension parmi {', '.join(DIMENSIONS)}, pas {', '.join(sorted(dimensions))}", "reference_dimension")
    dimension = dimensions.pop()
    unknown = frame.loc[~frame["modalite"].isin(DIMENSIONS[dimension])]
    if len(unknown):
        line = unknown.index[0]
        raise ReferenceError(f"{name}:{line}:modalite : « {unknown.iloc[0]['modalite']} » n'est pas un code de {dimension} "
                             f"({', '.join(DIMENSIONS[dimension])})", "reference_modalite")
    rates = pd.to_numeric(frame["taux"].str.replace(",", ".").str.rstrip("% "), errors="coerce")
    rates = rates.where(rates <= 1, rates / 100)
    wrong = rates.isna() | (rates < 0) | (rates > 1)
    if wrong.any():
        line = wrong.idxmax()
        raise ReferenceError(f"{name}:{line}:taux : « {frame.loc[line, 'taux']} » n'est pas un taux (de 0 à 1, ou en pourcentage)", "reference_taux")
    return frame.assign(taux=rates)


def strata(people: pd.DataFrame, reference: pd.DataFrame) -> pd.Series:
    """Each person's stratum in the reference's dimension (NaN when the reference has no row for it)."""
    dimension = reference["dimension"].iloc[0]
    if dimension != "public":
        return people[dimension].astype(object).where(people[dimension].astype(object).isin(reference["modalite"]))
    listed = [p for p in reference["modalite"] if p != "aucun"]
    member = people[listed].to_numpy(dtype=bool) if listed else np.zeros((len(people), 0), dtype=bool)
    first = np.where(member.any(axis=1), np.array(listed, dtype=object)[member.argmax(axis=1)] if listed else None, "aucun")
    result = pd.Series(first, index=people.index, dtype=object)
    return result.where(result.isin(reference["modalite"]))


@dataclass(frozen=True)
class Benchmark:
    """Observed and expected exits per stratum (``table``), overall ratio and its interval, the
    persons without a reference rate, and the stated source."""

    table: pd.DataFrame
    observed: float
    expected: float
    low: float
    high: float
    unmatched: int
    source: str

    @property
    def ratio(self) -> float:
        return self.observed / self.expected


def poisson_interval(observed: float, expected: float) -> tuple[float, float]:
    """Exact 95 % interval of ``observed / expected`` for a Poisson count."""
    low = chi2.ppf(0.025, 2 * observed) / 2 if observed > 0 else 0.0
    return float(low / expected), float(chi2.ppf(0.975, 2 * observed + 2) / 2 / expected)


def benchmark(people: pd.DataFrame, reference: pd.DataFrame) -> Benchmark:
    """Indirect standardisation of the known leavers' dynamic exits (``sorties_dynamiques``)."""
    stratum = strata(people, reference)
    rates = reference.set_index("modalite")["taux"]
    used = people.assign(strate=stratum, attendu=stratum.map(rates)).dropna(subset=["strate"])
    table = used.groupby("strate", sort=False).agg(personnes=("attendu", "size"), observees=("sorties_dynamiques", "sum"),
                                                   attendues=("attendu", "sum"))
    table = table.reindex([m for m in reference["modalite"] if m in table.index])
    table["taux_reference"] = rates.reindex(table.index)
    observed, expected = float(table["observees"].sum()), float(table["attendues"].sum())
    low, high = poisson_interval(observed, expected)
    return Benchmark(table, observed, expected, low, high, int(stratum.isna().sum()), "; ".join(dict.fromkeys(reference["source"])))
