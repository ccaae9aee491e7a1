"""Consolidation of many facilitators' returns into one table (SPEC section 5).

Each return is an ``indicateurs.csv`` (one facilitator, one or several years and territories).
:func:`read_returns` checks them all and names every problem by file and line: wrong columns, a
value that is not a number, an unknown indicator or dimension, a row or a territory and year given
twice, a breakdown whose counts exceed its total. :func:`consolidate` keeps each territory's rows
as returned and rebuilds ``ensemble`` from them:

- additive counts (hours, contracts, persons, employers, operations, buyers, leavers... and their
  breakdowns) are summed per year; persons, employers and buyers are summed over returns and
  cannot be de-duplicated (a person hired in two territories counts twice);
- shares, ratios (``etp``, ``heures_par_personne``, ``heures_par_contrat``), rates and their
  Wilson intervals are recomputed from the summed counts, never averaged; a rate's numerator is
  its value times its denominator (``effectif``);
- ``valeur_precedente`` is the consolidated N-1 value when the returns hold year N-1, otherwise the
  sum of the returned N-1 values; ``evolution`` is recomputed from it;
- a sum with a masked (``s``) or missing contribution is unknown and left empty, as are the mean
  length of contracts and the realisation ratio, which the returns do not carry the counts of.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from impact.indicators import COLUMNS, DIMENSIONS, ENSEMBLE, indicator_kinds
from impact.outcomes import wilson
from impact.problems import ProblemLog
from impact.publication import MARK, MEASURES
from impact.schema import HEURES_ETP

KEYS = ["annee", "territoire", "indicateur", "dimension", "modalite"]
#: Dimensions a return may hold besides those of the volume breakdowns.
OUTCOME_DIMENSIONS = ("situation_groupe", "situation")
#: Ratios recomputed from consolidated sums: numerator, denominator (``None``: the hours of one FTE).
RATIOS = {"etp": ("heures", None), "heures_par_personne": ("heures", "personnes"), "heures_par_contrat": ("heures", "contrats")}
#: Indicators whose consolidation needs counts the returns do not carry.
NOT_RECOMPUTABLE = ("duree_moyenne_contrats", "ratio_realisation")


def _additive() -> set[str]:
    kinds = indicator_kinds()
    return {code for code, kind in kinds.items() if kind in ("count", "hours")}


def read_returns(paths: list[Path], log: ProblemLog) -> pd.DataFrame:
    """Every row of every return, with its ``source`` file and ``ligne``; numbers parsed, masked
    cells NaN with a ``<measure>_masque`` flag. Problems go to ``log`` (table = file name)."""
    frames = []
    for path in paths:
        path = Path(path)
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            log.error(path.name, None, None, f"retour illisible ({type(exc).__name__}) : un indicateurs.csv est attendu")
            continue
        missing = [c for c in COLUMNS if c not in frame.columns]
        extra = [c for c in frame.columns if c not in COLUMNS]
        if missing or extra:
            detail = "; ".join(filter(None, [f"absentes : {', '.join(missing)}" if missing else "", f"inconnues : {', '.join(extra)}" if extra else ""]))
            log.error(path.name, 1, None, f"colonnes d'un indicateurs.csv attendues ({detail})")
            continue
        frame.index = pd.RangeIndex(2, 2 + len(frame), name="ligne")
        frames.append(_parse(frame, path.name, log))
    if not frames:
        return pd.DataFrame(columns=[*KEYS, *MEASURES, "source"])
    rows = pd.concat(frames).reset_index()
    _check_keys(rows, log)
    _check_breakdowns(rows, log)
    return rows


def _parse(frame: pd.DataFrame, source: str, log: ProblemLog) -> pd.DataFrame:
    known_indicators = set(indicator_kinds())
    known_dimensions = {ENSEMBLE, *DIMENSIONS, *OUTCOME_DIMENSIONS}
    year = pd.to_numeric(frame["annee"], errors="coerce")
    bad = year.isna() | (year != year.round())
    log.error(source, frame.index[bad.to_numpy()], "annee", "« " + frame.loc[bad, "annee"] + " » n'est pas une année")
    unknown = ~frame["indicateur"].isin(known_indicators)
    log.error(source, frame.index[unknown.to_numpy()], "indicateur", "indicateur inconnu « " + frame.loc[unknown, "indicateur"] + " »")
    unknown = ~frame["dimension"].isin(known_dimensions)
    log.error(source, frame.index[unknown.to_numpy()], "dimension", "dimension inconnue « " + frame.loc[unknown, "dimension"] + " »")
    parsed = frame[["territoire", "indicateur", "dimension", "modalite"]].assign(annee=year.fillna(0).astype(int), source=source)
    for column in MEASURES:
        text = frame[column].str.strip()
        number = pd.to_numeric(text.mask(text.isin(["", MARK])), errors="coerce")
        wrong = number.isna() & ~text.isin(["", MARK])
        log.error(source, frame.index[wrong.to_numpy()], column, "« " + text[wrong] + " » n'est pas un nombre")
        parsed[column] = number
        parsed[f"{column}_masque"] = text.eq(MARK)
    return parsed


def _check_keys(rows: pd.DataFrame, log: ProblemLog) -> None:
    """A row twice in one return; a territory and year in two returns."""
    twice = rows.duplicated(subset=[*KEYS, "source"], keep="first")
    for _, row in rows.loc[twice].iterrows():
        log.error(row["source"], row["ligne"], None, f"ligne en double ({row['annee']}, {row['territoire']}, {row['indicateur']}, {row['dimension']}, {row['modalite']})")
    places = rows.loc[rows["territoire"] != ENSEMBLE].groupby(["annee", "territoire"])["source"].unique()
    for (year, territory), sources in places.items():
        if len(sources) > 1:
            first = rows.loc[(rows["annee"] == year) & (rows["territoire"] == territory) & (rows["source"] == sources[1]), "ligne"].min()
            log.error(sources[1], first, "territoire", f"territoire « {territory} » et année {year} déjà fournis par {sources[0]}")


def _check_breakdowns(rows: pd.DataFrame, log: ProblemLog) -> None:
    """The counts of an additive breakdown cannot exceed its total (a ``public`` cell cannot
    exceed it either, though the publics overlap)."""
    additive = _additive()
    counts = rows.loc[rows["indicateur"].isin(additive)]
    totals = counts.loc[counts["dimension"] == ENSEMBLE, ["source", "annee", "territoire", "indicateur", "valeur", "ligne"]]
    cells = counts.loc[counts["dimension"] != ENSEMBLE]
    keys = ["source", "annee", "territoire", "indicateur", "dimension"]
    summed = cells.loc[cells["dimension"] != "public"].groupby(keys)["valeur"].agg(somme="sum", cellules="size").reset_index()
    largest = cells.groupby(keys)["valeur"].agg(somme="max", cellules=lambda v: 1).reset_index()
    checks = pd.concat([summed, largest.loc[largest["dimension"] == "public"]])
    checks = checks.merge(totals, on=["source", "annee", "territoire", "indicateur"])
    # Hours are written with 2 decimals: each rounded cell may add up to 0.005 hour.
    over = checks.loc[checks["somme"] > checks["valeur"] + 0.005 * checks["cellules"] + 1e-9]
    for _, row in over.iterrows():
        log.error(row["source"], row["ligne"], "valeur", f"la ventilation par {row['dimension']} de {row['indicateur']} ({row['territoire']}, "
                  f"{row['annee']}) dépasse son total : {row['somme']:g} pour {row['valeur']:g}")


def consolidate(rows: pd.DataFrame, heures_etp: float = HEURES_ETP, years: list[int] | None = None) -> pd.DataFrame:
    """The consolidated table (columns of ``indicateurs.csv``): each territory's rows as returned,
    and ``ensemble`` rebuilt from them (see the module docstring)."""
    territories = rows.loc[rows["territoire"] != ENSEMBLE].copy()
    ensemble = _ensemble(territories, heures_etp)
    table = pd.concat([ensemble, territories[COLUMNS]], ignore_index=True)
    if years is not None:
        table = table.loc[table["annee"].isin(years)]
    order = {name: i for i, name in enumerate([ENSEMBLE, *sorted(set(territories["territoire"]))])}
    table = table.assign(_t=table["territoire"].map(order)).sort_values(["annee", "_t"], kind="stable")
    return table.drop(columns="_t").reset_index(drop=True)[COLUMNS]


def _sum(frame: pd.DataFrame, column: str, keys: list[str]) -> pd.Series:
    """Sums per group, unknown (NaN) when one contribution is masked or missing."""
    unknown = frame[column].isna() | frame[f"{column}_masque"]
    grouped = frame.assign(_inconnu=unknown).groupby(keys, sort=False)
    return grouped[column].sum().where(~grouped["_inconnu"].any())


def _ensemble(territories: pd.DataFrame, heures_etp: float) -> pd.DataFrame:
    keys = ["annee", "indicateur", "dimension", "modalite"]
    kinds = indicator_kinds()
    layout = territories.drop_duplicates(keys)[keys].reset_index(drop=True)
    kind = layout["indicateur"].map(kinds)
    index = pd.MultiIndex.from_frame(layout)
    value = pd.Series(np.nan, index=index)
    previous = pd.Series(np.nan, index=index)
    effectif = pd.Series(np.nan, index=index)
    low = pd.Series(np.nan, index=index)
    high = pd.Series(np.nan, index=index)

    additive = territories.loc[territories["indicateur"].isin(_additive())]
    value.update(_sum(additive, "valeur", keys))
    previous.update(_sum(additive, "valeur_precedente", keys))

    # A rate on nobody (denominator 0) is empty but contributes 0 of 0, not an unknown.
    rates = territories.loc[territories["indicateur"].map(kinds).eq("rate")].assign(
        numerateur=lambda d: (d["valeur"] * d["effectif"]).round().where(d["effectif"] != 0, 0.0))
    rates["numerateur_masque"] = rates["valeur_masque"] | rates["effectif_masque"]
    numerator = _sum(rates.assign(valeur=rates["numerateur"], valeur_masque=rates["numerateur_masque"]), "valeur", keys)
    denominator = _sum(rates, "effectif", keys)
    rate, rate_low, rate_high = wilson(numerator.fillna(0).to_numpy(), denominator.fillna(0).to_numpy())
    unknown = (numerator.isna() | denominator.isna()).to_numpy()
    value.update(pd.Series(np.where(unknown, np.nan, rate), index=numerator.index))
    effectif.update(denominator)
    low.update(pd.Series(np.where(unknown, np.nan, rate_low), index=numerator.index))
    high.update(pd.Series(np.where(unknown, np.nan, rate_high), index=numerator.index))

    frame = layout.assign(territoire=ENSEMBLE, valeur=value.to_numpy(), effectif=effectif.to_numpy(), ic_bas=low.to_numpy(),
                          ic_haut=high.to_numpy(), valeur_precedente=previous.to_numpy())
    totals = frame.loc[frame["dimension"] == ENSEMBLE].set_index(["annee", "indicateur"])["valeur"]
    for code, (top, bottom) in RATIOS.items():
        for column in ("valeur", "valeur_precedente"):
            numerator_ = frame.loc[(frame["indicateur"] == top) & (frame["dimension"] == ENSEMBLE)].set_index("annee")[column]
            denominator_ = (pd.Series(heures_etp, index=numerator_.index) if bottom is None
                            else frame.loc[(frame["indicateur"] == bottom) & (frame["dimension"] == ENSEMBLE)].set_index("annee")[column])
            ratio = (numerator_ / denominator_.where(denominator_ != 0))
            where = (frame["indicateur"] == code) & (frame["dimension"] == ENSEMBLE)
            frame.loc[where, column] = frame.loc[where, "annee"].map(ratio).to_numpy()
    frame.loc[frame["indicateur"].isin(NOT_RECOMPUTABLE), ["valeur", "valeur_precedente", "effectif"]] = np.nan
    breakdown = (frame["dimension"] != ENSEMBLE) & kind.isin(["count", "hours"]).to_numpy()
    total = pd.Series(list(zip(frame["annee"], frame["indicateur"]))).map(totals).to_numpy(dtype=float)
    frame["part"] = np.where(breakdown & (total > 0), frame["valeur"] / np.where(total > 0, total, 1), np.nan)
    # N-1: the consolidated value of year N-1 when the returns hold it.
    consolidated = frame.set_index(["annee", *keys[1:]])["valeur"]
    earlier = pd.MultiIndex.from_arrays([frame["annee"] - 1, frame["indicateur"], frame["dimension"], frame["modalite"]])
    known = earlier.isin(consolidated.index)
    frame.loc[known, "valeur_precedente"] = consolidated.reindex(earlier[known]).to_numpy()
    is_rate = frame["indicateur"].map(kinds).eq("rate").to_numpy()
    value_, before = frame["valeur"].to_numpy(dtype=float), frame["valeur_precedente"].to_numpy(dtype=float)
    relative = np.divide(value_ - before, before, out=np.full(len(frame), np.nan), where=(before != 0) & ~np.isnan(before))
    frame["evolution"] = np.where(is_rate, value_ - before, relative)
    return frame[COLUMNS]


class InvalidReturnsError(ValueError):
    """Raised by :func:`consolidate_files` when returns have problems; ``problems`` lists them."""

    def __init__(self, problems: pd.DataFrame) -> None:
        from impact.problems import format_lines

        self.problems = problems
        super().__init__("retours invalides :\n" + "\n".join(format_lines(problems.head(20))))


def consolidate_files(paths: list[str | Path], heures_etp: float = HEURES_ETP, years: list[int] | None = None) -> pd.DataFrame:
    """Read, check and consolidate the returns ``paths`` in one call (Python API); raises
    :class:`InvalidReturnsError` listing every problem."""
    log = ProblemLog()
    rows = read_returns([Path(p) for p in paths], log)
    problems = log.frame()
    if not problems.empty:
        raise InvalidReturnsError(problems)
    return consolidate(rows, heures_etp, years)
