"""Attribution rules of SPEC section 4: the extraction date, the years the data cover, when a
contract ends and how its hours fall into years.

- *Observed dates* are the dates the export shows to have happened: contract starts, the last day
  of each month of ``heures`` rows, follow-up observations (``date_observation``) and contract
  ends (``date_fin``). Nothing after the day of the run is observed. A ``date_fin`` in a calendar
  year after that of every other observed date (no contract start, month of hours or follow-up
  in that year) and more than :data:`PLANNED_END_GAP` after them is taken for a *planned* end
  typed in advance: the export cannot have seen it, so it is not observed, and the contract counts
  as running at the extraction date (a year of data that holds nothing but planned ends would
  otherwise appear, with leavers who have not left). Planned dates of operations (``date_fin_prevue``) and notification dates
  are never observed dates.
- The *extraction date* ``E`` is by default the latest observed date. It closes the contracts
  that run at ``E`` (no ``date_fin``, or a ``date_fin`` after ``E``): their end is ``E``.
- *Coverage*: year N is *complete at its end* when ``E`` >= 31 December N (otherwise it is a
  partial year); it is *covered from 1 January* when its first observed date falls in January and
  a contract ended in it. A year-on-year change needs year N complete at its end and N-1 covered
  from 1 January (a yearly export holds only the contracts of N-1 still running in N).
- *Hours of a contract in year N*: the sum of its monthly rows of ``heures`` in N when it has any;
  otherwise ``heures_realisees`` (the hours of the whole contract up to its end, not of one year)
  spread evenly over the calendar days from ``date_debut`` to its end (both included) and the days
  in N taken.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from impact.columns import is_member

_DAY = np.timedelta64(1, "D")
#: How long after every other observed date, in a later year, an end date is taken for a planned one.
PLANNED_END_GAP = pd.Timedelta(days=31)


def _today() -> pd.Timestamp:
    return pd.Timestamp.today().normalize()


def observed_dates(contrats: pd.DataFrame, heures: pd.DataFrame, suivis: pd.DataFrame,
                   today: pd.Timestamp | None = None) -> tuple[pd.Series, pd.Series]:
    """The observed dates of the dataset (see the module docstring), and for each contract whether
    its ``date_fin`` is a planned end (not observed). ``today``: the day of the run."""
    today = _today() if today is None else pd.Timestamp(today)
    others = pd.concat([
        contrats["date_debut"],
        heures["mois"].dropna() + pd.offsets.MonthEnd(0),
        suivis["date_observation"],
    ], ignore_index=True).dropna()
    others = others.loc[others <= today]
    latest = others.max() if len(others) else today
    ends = contrats["date_fin"]
    planned = ends.notna() & ((ends > today) | ((ends.dt.year > latest.year) & (ends > latest + PLANNED_END_GAP)))
    dates = pd.concat([others, ends.loc[ends.notna() & ~planned]], ignore_index=True).sort_values(ignore_index=True)
    return dates, planned


def default_extraction_date(contrats: pd.DataFrame, heures: pd.DataFrame, suivis: pd.DataFrame,
                            today: pd.Timestamp | None = None) -> pd.Timestamp:
    """Latest observed date of the dataset (see the module docstring); ``NaT`` when there is none."""
    dates, _ = observed_dates(contrats, heures, suivis, today)
    return dates.max() if len(dates) else pd.NaT


def coverage(dates: pd.Series, ends: pd.Series, extraction: pd.Timestamp, years: list[int]) -> pd.DataFrame:
    """For each of ``years``: its first and last observed date (``dates``), whether it is
    ``couverte_des_janvier`` (first observed date in January and a contract end, ``ends``, in the
    year) and ``complete`` (the extraction date is on or after 31 December)."""
    observed = dates.loc[dates <= extraction]
    by_year = observed.groupby(observed.dt.year).agg(["min", "max"]).reindex(years)
    ended = set(ends.loc[ends <= extraction].dt.year.dropna().astype(int))
    frame = pd.DataFrame({"premiere_date": by_year["min"], "derniere_date": by_year["max"]}, index=pd.Index(years, name="annee"))
    frame["couverte_des_janvier"] = (frame["premiere_date"].dt.month == 1).fillna(False).astype(bool) & frame.index.isin(ended)
    frame["complete"] = [extraction >= pd.Timestamp(year, 12, 31) for year in years]
    return frame


def comparable_years(cover: pd.DataFrame) -> pd.Series:
    """Whether each year of ``cover`` (:func:`coverage`) can carry a change on the year before:
    complete at its end, and the year before covered from 1 January."""
    previous = cover["couverte_des_janvier"].shift(1, fill_value=False).astype(bool)
    return cover["complete"] & previous


#: Window of a usable follow-up observation around end of path + horizon, in months.
WINDOW_BEFORE, WINDOW_AFTER = 1, 2


def follow_up_window(end_of_path: pd.Series, horizon: int) -> tuple[pd.Series, pd.Series]:
    """First and last day on which a follow-up at ``horizon`` months may be observed."""
    target = end_of_path + pd.DateOffset(months=horizon)
    return target - pd.DateOffset(months=WINDOW_BEFORE), target + pd.DateOffset(months=WINDOW_AFTER)


def contract_ends(contrats: pd.DataFrame, extraction_date: pd.Timestamp) -> pd.Series:
    """End of each contract: ``date_fin``, or ``extraction_date`` while it runs (no ``date_fin``,
    or one after the extraction date); never before its start."""
    ends = contrats["date_fin"].where(contrats["date_fin"] <= extraction_date, extraction_date)
    return ends.where(ends >= contrats["date_debut"], contrats["date_debut"])


def end_of_path(contrats: pd.DataFrame, extraction_date: pd.Timestamp) -> pd.Series:
    """Each person's *end of path*, indexed by ``id_participant``: the latest ``date_fin`` of their
    contracts when none of them runs at the extraction date (no ``date_fin``, or one after it);
    persons with a running contract are left out."""
    running = contrats["date_fin"].isna() | (contrats["date_fin"] > extraction_date)
    by_person = pd.DataFrame({"id_participant": contrats["id_participant"], "fin": contrats["date_fin"], "en_cours": running})
    grouped = by_person.groupby("id_participant", observed=True, sort=False)
    ends = grouped["fin"].max()
    return ends.loc[~grouped["en_cours"].any()]


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
