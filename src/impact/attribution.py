"""Attribution rules of SPEC section 4: when a contract ends and how its hours fall into years.

- The *extraction date* ``E`` closes the contracts that have no ``date_fin``. By default it is the
  latest observed date of the dataset: ``date_notification``, ``date_debut``, ``date_fin`` and
  ``date_observation``. Planned dates (``date_fin_prevue``) are left out, because a planned end in
  the future would otherwise push ``E`` past the data.
- *Hours of a contract in year N*: the sum of its monthly rows of ``heures`` in N when it has any;
  otherwise ``heures_realisees`` spread evenly over the calendar days from ``date_debut`` to its
  end (both included) and the days in N taken.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from impact.columns import is_member

_DAY = np.timedelta64(1, "D")


def default_extraction_date(
    operations: pd.DataFrame, contrats: pd.DataFrame, suivis: pd.DataFrame | None = None
) -> pd.Timestamp:
    """Latest observed date of the dataset (see module docstring); ``NaT`` when there is none."""
    columns = [operations.get("date_notification"), contrats.get("date_debut"), contrats.get("date_fin")]
    if suivis is not None:
        columns.append(suivis.get("date_observation"))
    latest = [c.max() for c in columns if c is not None and c.notna().any()]
    return max(latest) if latest else pd.NaT


def contract_ends(contrats: pd.DataFrame, extraction_date: pd.Timestamp) -> pd.Series:
    """End of each contract: ``date_fin``, or ``extraction_date`` while it runs (never before its
    start)."""
    ends = contrats["date_fin"].fillna(extraction_date)
    return ends.where(ends >= contrats["date_debut"], contrats["date_debut"])


def hours_by_contract_year(
    contrats: pd.DataFrame, heures: pd.DataFrame, extraction_date: pd.Timestamp
) -> pd.DataFrame:
    """Hours of each contract in each calendar year.

    Returns columns ``id_contrat``, ``annee`` (int) and ``heures`` (hours, float), one row per
    contract and year where the contract has hours attributed (zero-hour years of pro-rated
    contracts are kept, so that every year a contract spans appears).
    """
    monthly_ids = pd.Index(heures["id_contrat"].dropna().unique())
    monthly = (
        heures.dropna(subset=["id_contrat", "mois"])
        .assign(annee=lambda d: d["mois"].dt.year)
        .groupby(["id_contrat", "annee"], as_index=False, observed=True)["heures"]
        .sum(min_count=1)
    )
    spread = contrats.loc[~is_member(contrats["id_contrat"], monthly_ids.to_series())].dropna(subset=["date_debut"])
    prorated = _prorate(spread, contract_ends(spread, extraction_date))
    frame = pd.concat([monthly, prorated], ignore_index=True)
    frame["annee"] = frame["annee"].astype("int64")
    frame["heures"] = frame["heures"].astype(float)
    return frame


def _prorate(contrats: pd.DataFrame, ends: pd.Series) -> pd.DataFrame:
    """``heures_realisees`` spread over the calendar days of each contract, split by year."""
    start = contrats["date_debut"].to_numpy(dtype="datetime64[D]")
    end = ends.to_numpy(dtype="datetime64[D]")
    first_year = start.astype("datetime64[Y]").astype(int) + 1970
    last_year = end.astype("datetime64[Y]").astype(int) + 1970
    spans = np.maximum(last_year - first_year + 1, 1)
    row = np.repeat(np.arange(len(contrats)), spans)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(spans) - spans, spans)
    year = first_year[row] + offset
    year_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    year_end = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - _DAY
    overlap = (np.minimum(end[row], year_end) - np.maximum(start[row], year_start)) / _DAY + 1
    total = (end - start) / _DAY + 1
    hours = contrats["heures_realisees"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "id_contrat": contrats["id_contrat"].to_numpy()[row],
            "annee": year,
            "heures": hours[row] * overlap / total[row],
        }
    )
