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

import json
from pathlib import Path

import numpy as np
import pandas as pd

from impact import __version__
from impact.indicators import COLUMNS, DIMENSIONS, ENSEMBLE, INTERNAL_FILE, INTERNAL_LABEL, SPREADSHEET_FILE, indicator_kinds, to_csv, to_xlsx
from impact.metadata import to_json
from impact.outcomes import NOT_OBSERVABLE, wilson
from impact.output import atomic_write_bytes, atomic_write_text
from impact.problems import ProblemLog
from impact.publication import MARK, MEASURES, mask, secrecy_record
from impact.reading import sha256
from impact.schema import HEURES_ETP, NIVEAU_FORMATION, PUBLICS, SEXE, SITUATION, SITUATION_GROUPE

KEYS = ["annee", "territoire", "indicateur", "dimension", "modalite"]
#: Dimensions a return may hold besides those of the volume breakdowns.
OUTCOME_DIMENSIONS = ("situation_groupe", "situation")
#: Ratios recomputed from consolidated sums: numerator, denominator (``None``: the hours of one FTE).
RATIOS = {"etp": ("heures", None), "heures_par_personne": ("heures", "personnes"), "heures_par_contrat": ("heures", "contrats")}
#: Indicators whose consolidation needs counts the returns do not carry.
NOT_RECOMPUTABLE = ("duree_moyenne_contrats", "ratio_realisation")
#: Flags of the cells masked in the returns (``s``) or unknown because of them.
MASKS = [f"{column}_masque" for column in MEASURES]
#: The modality of the part of a total that its breakdown does not cover.
NOT_BROKEN_DOWN = "non_ventile"


def _additive() -> set[str]:
    kinds = indicator_kinds()
    return {code for code, kind in kinds.items() if kind in ("count", "hours")}


def read_returns(paths: list[Path], log: ProblemLog) -> pd.DataFrame:
    """Every row of every return, with its ``source`` (the path as given: returns may all be called
    ``indicateurs.csv`` in their own folders) and ``ligne``; numbers parsed, masked cells NaN with a
    ``<measure>_masque`` flag. Problems go to ``log`` (table = the path)."""
    frames = []
    seen: dict[Path, str] = {}
    for path in paths:
        path = Path(path)
        source = str(path)
        if path.resolve() in seen:
            log.error(source, None, None, f"retour fourni deux fois (déjà lu sous le nom {seen[path.resolve()]})", "retour_en_double")
            continue
        seen[path.resolve()] = source
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            log.error(source, None, None, f"retour illisible ({type(exc).__name__}) : un indicateurs.csv est attendu", "retour_illisible")
            continue
        missing = [c for c in COLUMNS if c not in frame.columns]
        extra = [c for c in frame.columns if c not in COLUMNS]
        if missing or extra:
            detail = "; ".join(filter(None, [f"absentes : {', '.join(missing)}" if missing else "", f"inconnues : {', '.join(extra)}" if extra else ""]))
            log.error(source, 1, None, f"colonnes d'un indicateurs.csv attendues ({detail})", "retour_colonnes")
            continue
        frame.index = pd.RangeIndex(2, 2 + len(frame), name="ligne")
        frames.append(_parse(frame, source, log))
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
    log.error(source, frame.index[bad.to_numpy()], "annee", "« " + frame.loc[bad, "annee"] + " » n'est pas une année", "retour_annee")
    unknown = ~frame["indicateur"].isin(known_indicators)
    log.error(source, frame.index[unknown.to_numpy()], "indicateur", "indicateur inconnu « " + frame.loc[unknown, "indicateur"] + " »",
              "retour_code_inconnu")
    unknown = ~frame["dimension"].isin(known_dimensions)
    log.error(source, frame.index[unknown.to_numpy()], "dimension", "dimension inconnue « " + frame.loc[unknown, "dimension"] + " »",
              "retour_code_inconnu")
    parsed = frame[["territoire", "indicateur", "dimension", "modalite"]].assign(annee=year.fillna(0).astype(int), source=source)
    for column in MEASURES:
        text = frame[column].str.strip()
        number = pd.to_numeric(text.mask(text.isin(["", MARK])), errors="coerce")
        wrong = number.isna() & ~text.isin(["", MARK])
        log.error(source, frame.index[wrong.to_numpy()], column, "« " + text[wrong] + " » n'est pas un nombre", "retour_non_nombre")
        parsed[column] = number
        parsed[f"{column}_masque"] = text.eq(MARK)
    return parsed


def _check_keys(rows: pd.DataFrame, log: ProblemLog) -> None:
    """A row twice in one return; a territory and year in two returns."""
    twice = rows.duplicated(subset=[*KEYS, "source"], keep="first")
    for _, row in rows.loc[twice].iterrows():
        log.error(row["source"], row["ligne"], None, f"ligne en double ({row['annee']}, {row['territoire']}, {row['indicateur']}, {row['dimension']}, {row['modalite']})",
                  "retour_ligne_en_double")
    places = rows.loc[rows["territoire"] != ENSEMBLE].groupby(["annee", "territoire"])["source"].unique()
    for (year, territory), sources in places.items():
        if len(sources) > 1:
            first = rows.loc[(rows["annee"] == year) & (rows["territoire"] == territory) & (rows["source"] == sources[1]), "ligne"].min()
            log.error(sources[1], first, "territoire", f"territoire « {territory} » et année {year} déjà fournis par {sources[0]}",
                      "retour_deja_fourni")


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
                  f"{row['annee']}) dépasse son total : {row['somme']:g} pour {row['valeur']:g}", "retour_ventilation")


def consolidate(rows: pd.DataFrame, heures_etp: float = HEURES_ETP, years: list[int] | None = None) -> pd.DataFrame:
    """The consolidated table (columns of ``indicateurs.csv``, then :data:`MASKS`: the cells masked
    in the returns, or left unknown by a masked contribution): each territory's rows as returned,
    completed with what its counts allow (:func:`complete`), and ``ensemble`` rebuilt from them
    (:func:`ensemble`). ``table.attrs["couverture"]`` holds the records of :func:`coverage`."""
    territories = complete(rows.loc[rows["territoire"] != ENSEMBLE], heures_etp)
    whole = ensemble(territories, heures_etp)
    table = pd.concat([whole, territories[COLUMNS + MASKS]], ignore_index=True)
    cover = coverage(territories, heures_etp)
    if years is not None:
        table = table.loc[table["annee"].isin(years)]
        cover = cover.loc[cover["annee"].isin(years)]
    order = {name: i for i, name in enumerate([ENSEMBLE, *sorted(set(territories["territoire"]))])}
    modalities = {m: i for i, m in enumerate(dict.fromkeys([*_modality_order(), *table["modalite"]]))}
    indicators = {code: i for i, code in enumerate(indicator_kinds())}
    dimensions = {d: i for i, d in enumerate([ENSEMBLE, *DIMENSIONS, *OUTCOME_DIMENSIONS])}
    table = table.assign(_t=table["territoire"].map(order), _i=table["indicateur"].map(indicators), _d=table["dimension"].map(dimensions),
                         _m=table["modalite"].map(modalities)).sort_values(["annee", "_t", "_i", "_d", "_m"], kind="stable")
    table = table.drop(columns=["_t", "_i", "_d", "_m"]).reset_index(drop=True)[COLUMNS + MASKS]
    table.attrs["couverture"] = cover.to_dict("records")
    return table


def _modality_order() -> list[str]:
    """Modalities in the order of the kit's own tables, ``non_ventile`` last."""
    return [ENSEMBLE, *SEXE, "moins_26", "26_49", "50_plus", *NIVEAU_FORMATION, *PUBLICS, *SITUATION_GROUPE, *SITUATION, NOT_BROKEN_DOWN]


def _known(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].notna() & ~frame[f"{column}_masque"]


def _with(frame: pd.DataFrame, **columns) -> pd.DataFrame:
    """Rows built from ``frame``'s keys, every measure empty unless given (``<measure>_masque`` too)."""
    rows = frame[["annee", "territoire", "indicateur", "dimension", "modalite", "source"]].copy()
    for column in MEASURES:
        rows[column] = columns.get(column, np.nan)
        rows[f"{column}_masque"] = columns.get(f"{column}_masque", False)
    return rows


def _totals(frame: pd.DataFrame, indicator: str, keys: list[str]) -> pd.DataFrame:
    rows = frame.loc[(frame["indicateur"] == indicator) & (frame["dimension"] == ENSEMBLE)]
    return rows.set_index(keys)[["valeur", "valeur_masque"]]


def complete(territories: pd.DataFrame, heures_etp: float = HEURES_ETP) -> pd.DataFrame:
    """Each territory's rows as returned, with what its returned counts allow besides:

    - the ratios ``etp``, ``heures_par_personne`` and ``heures_par_contrat`` from its totals;
    - the ``part`` of each breakdown cell (its count over its total);
    - a :data:`NOT_BROKEN_DOWN` cell where an additive breakdown covers less than its total;
    - ``valeur_precedente`` from the territory's row of N-1 in the returns, and then ``evolution``
      (relative, or in points for rates). A row that was returned with its ``valeur_precedente``
      keeps its ``evolution`` as returned, empty included: the kit leaves it empty on purpose
      for a partial year or an incomplete cohort.

    A value computed from a masked one is masked."""
    frame = territories.copy()
    keys = ["source", "annee", "territoire"]
    groups = frame.drop_duplicates(keys)[keys + ["indicateur", "dimension", "modalite"]].assign(indicateur="", dimension=ENSEMBLE, modalite=ENSEMBLE)
    added = []
    for code, (top, bottom) in RATIOS.items():
        numerator = _totals(frame, top, keys)
        denominator = (pd.DataFrame({"valeur": heures_etp, "valeur_masque": False}, index=numerator.index) if bottom is None
                       else _totals(frame, bottom, keys))
        both = numerator.add_suffix("_n").join(denominator.add_suffix("_d"), how="inner")
        present = pd.MultiIndex.from_frame(frame.loc[(frame["indicateur"] == code) & (frame["dimension"] == ENSEMBLE), keys])
        both = both.loc[~both.index.isin(present)]
        rows = groups.set_index(keys).loc[both.index].reset_index().assign(indicateur=code)
        masked = (both["valeur_masque_n"] | both["valeur_masque_d"]).to_numpy()
        ratio = (both["valeur_n"] / both["valeur_d"].where(both["valeur_d"] != 0)).to_numpy()
        added.append(_with(rows, valeur=np.where(masked, np.nan, ratio), valeur_masque=masked))
    frame = pd.concat([frame, *added], ignore_index=True)
    frame = pd.concat([frame, _not_broken_down(frame, keys)], ignore_index=True)
    _parts(frame, keys)
    _previous(frame)
    return frame


def _breakdown_totals(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The total each additive breakdown cell adds up to: its indicator's total, or for the
    situations of the leavers the outcome cohort (leavers less those not yet observable)."""
    totals = frame.loc[frame["dimension"] == ENSEMBLE].set_index([*keys, "indicateur"])[["valeur", "valeur_masque"]]
    leavers = totals.xs("sortants", level="indicateur") if "sortants" in totals.index.get_level_values("indicateur") else None
    pending = totals.xs(NOT_OBSERVABLE[0], level="indicateur") if NOT_OBSERVABLE[0] in totals.index.get_level_values("indicateur") else None
    if leavers is not None and pending is not None:
        cohort = leavers.join(pending.add_suffix("_p"), how="left")
        cohort["valeur"] = cohort["valeur"] - cohort["valeur_p"].fillna(0)
        cohort["valeur_masque"] = cohort["valeur_masque"] | cohort["valeur_masque_p"].fillna(False).astype(bool)
        cohort = cohort[["valeur", "valeur_masque"]].assign(indicateur="cohorte").set_index("indicateur", append=True)
        totals = pd.concat([totals, cohort])
    return totals


def _total_key(frame: pd.DataFrame) -> pd.Series:
    """For each row, the indicator whose total it adds up to (``cohorte`` for the situations)."""
    return frame["indicateur"].where(~frame["dimension"].isin(OUTCOME_DIMENSIONS), "cohorte")


def _not_broken_down(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A :data:`NOT_BROKEN_DOWN` cell for every additive breakdown whose known cells add up to less
    than its known total (by more than the rounding of 2-decimal cells)."""
    cells = frame.loc[frame["indicateur"].isin(_additive()) & ~frame["dimension"].isin([ENSEMBLE, "public"])
                      & (frame["modalite"] != NOT_BROKEN_DOWN)]
    if cells.empty:
        return _with(cells)
    grouped = cells.assign(total=_total_key(cells), inconnu=~_known(cells, "valeur")).groupby([*keys, "total", "indicateur", "dimension"])
    sums = grouped.agg(somme=("valeur", "sum"), cellules=("valeur", "size"), inconnu=("inconnu", "any")).reset_index()
    totals = _breakdown_totals(frame, keys).rename(columns={"valeur": "montant", "valeur_masque": "montant_masque"})
    sums = sums.merge(totals, left_on=[*keys, "total"], right_index=True)
    gap = sums["montant"] - sums["somme"]
    short = sums.loc[~sums["inconnu"] & ~sums["montant_masque"] & (gap > 0.005 * sums["cellules"] + 1e-9)]
    return _with(short.assign(modalite=NOT_BROKEN_DOWN), valeur=(short["montant"] - short["somme"]).round(2).to_numpy())


def _parts(frame: pd.DataFrame, keys: list[str]) -> None:
    """Fill the missing ``part`` of breakdown cells of additive counts, in place."""
    cells = frame["indicateur"].isin(_additive()) & (frame["dimension"] != ENSEMBLE)
    totals = _breakdown_totals(frame, keys)
    lookup = pd.MultiIndex.from_arrays([frame[k] for k in keys] + [_total_key(frame)])
    total = totals.reindex(lookup)
    missing = (cells & frame["part"].isna() & ~frame["part_masque"]).to_numpy()
    masked = frame["valeur_masque"].to_numpy() | total["valeur_masque"].fillna(False).to_numpy(dtype=bool)
    share = frame["valeur"].to_numpy() / np.where(total["valeur"].to_numpy() > 0, total["valeur"].to_numpy(), np.nan)
    frame.loc[missing, "part"] = np.where(masked, np.nan, share)[missing]
    frame.loc[missing, "part_masque"] = (masked & ~np.isnan(total["valeur"].to_numpy()))[missing]


def _previous(frame: pd.DataFrame) -> None:
    """Fill ``valeur_precedente`` from the territory's row of N-1 (any return) where it was not
    returned, and compute ``evolution`` for those rows, in place."""
    earlier = frame[[*KEYS, "valeur", "valeur_masque"]].assign(annee=frame["annee"] + 1).drop_duplicates(KEYS)
    merged = frame[KEYS].merge(earlier, on=KEYS, how="left")
    fill = (frame["valeur_precedente"].isna() & ~frame["valeur_precedente_masque"]).to_numpy() & merged["valeur"].notna().to_numpy() | (
        merged["valeur_masque"].fillna(False).to_numpy(dtype=bool) & frame["valeur_precedente"].isna().to_numpy() & ~frame["valeur_precedente_masque"].to_numpy())
    frame.loc[fill, "valeur_precedente"] = merged["valeur"].to_numpy()[fill]
    frame.loc[fill, "valeur_precedente_masque"] = merged["valeur_masque"].fillna(False).to_numpy(dtype=bool)[fill]
    value, before = frame["valeur"].to_numpy(dtype=float), frame["valeur_precedente"].to_numpy(dtype=float)
    is_rate = frame["indicateur"].map(indicator_kinds()).eq("rate").to_numpy()
    relative = np.divide(value - before, before, out=np.full(len(frame), np.nan), where=(before != 0) & ~np.isnan(before))
    frame.loc[fill, "evolution"] = np.where(is_rate, value - before, relative)[fill]
    frame.loc[fill, "evolution_masque"] = (frame["valeur_masque"] | frame["valeur_precedente_masque"]).to_numpy()[fill]


def _sum(frame: pd.DataFrame, column: str, keys: list[str]) -> pd.Series:
    """Sums per group, unknown (NaN) when one contribution is masked or missing."""
    unknown = frame[column].isna() | frame[f"{column}_masque"]
    grouped = frame.assign(_inconnu=unknown).groupby(keys, sort=False)
    return grouped[column].sum().where(~grouped["_inconnu"].any())


def _masked(frame: pd.DataFrame, column: str, keys: list[str]) -> pd.Series:
    """Whether a contribution to each group is masked: the group's sum is then secret, not missing."""
    return frame.groupby(keys, sort=False)[f"{column}_masque"].any()


def aggregate(territories: pd.DataFrame, heures_etp: float) -> pd.DataFrame:
    """``valeur`` (and ``effectif``, ``ic_bas``, ``ic_haut`` for rates) of ``ensemble`` for every
    (year, indicator, dimension, modality) of ``territories``: sums of additive counts (unknown when
    a contribution is masked), rates and their Wilson intervals from the summed numerators and
    denominators, ratios over the territories that return both their terms, and the
    :data:`NOT_BROKEN_DOWN` cell of breakdowns that cover less than their total. A value that a
    masked contribution leaves unknown is masked (``<measure>_masque``)."""
    keys = ["annee", "indicateur", "dimension", "modalite"]
    kinds = indicator_kinds()
    layout = territories.drop_duplicates(keys)[keys].reset_index(drop=True)
    index = pd.MultiIndex.from_frame(layout)
    frame = layout.assign(**{column: np.nan for column in MEASURES}, **{f"{column}_masque": False for column in MEASURES})
    frame.index = index
    named = territories.loc[(territories["modalite"] != NOT_BROKEN_DOWN) & territories["indicateur"].isin(_additive())]
    frame["valeur"] = _sum(named, "valeur", keys).reindex(index)
    frame["valeur_masque"] = _masked(named, "valeur", keys).reindex(index, fill_value=False)

    rates = territories.loc[territories["indicateur"].map(kinds).eq("rate")]
    if len(rates):
        # A rate on nobody (denominator 0) is empty but contributes 0 of 0, not an unknown.
        rates = rates.assign(numerateur=(rates["valeur"] * rates["effectif"]).round().where(rates["effectif"] != 0, 0.0),
                             numerateur_masque=rates["valeur_masque"] | rates["effectif_masque"])
        numerator = _sum(rates.assign(valeur=rates["numerateur"], valeur_masque=rates["numerateur_masque"]), "valeur", keys)
        denominator = _sum(rates, "effectif", keys)
        rate, low, high = wilson(numerator.fillna(0).to_numpy(), denominator.fillna(0).to_numpy())
        unknown = (numerator.isna() | denominator.isna()).to_numpy()
        hidden = _masked(rates.assign(valeur_masque=rates["numerateur_masque"]), "valeur", keys)
        for column, values in (("valeur", rate), ("ic_bas", low), ("ic_haut", high)):
            frame.loc[numerator.index, column] = np.where(unknown, np.nan, values)
            frame.loc[hidden.index, f"{column}_masque"] = hidden.to_numpy()
        frame.loc[denominator.index, "effectif"] = denominator.to_numpy()
        frame.loc[denominator.index, "effectif_masque"] = _masked(rates, "effectif", keys).to_numpy()

    totals = territories.loc[(territories["dimension"] == ENSEMBLE)]
    for code, (top, bottom) in RATIOS.items():
        numerator = totals.loc[totals["indicateur"] == top].set_index(["annee", "territoire"])["valeur"].where(lambda v: v.notna())
        masked = totals.loc[totals["indicateur"] == top].set_index(["annee", "territoire"])["valeur_masque"]
        numerator = numerator.where(~masked)
        if bottom is None:
            ratio = numerator.groupby(level="annee").sum(min_count=1) / heures_etp
            ratio = ratio.where(numerator.isna().groupby(level="annee").sum() == 0)
            where = (frame["indicateur"] == code) & (frame["dimension"] == ENSEMBLE)
            frame.loc[where, "valeur_masque"] = frame.loc[where, "annee"].map(masked.groupby(level="annee").any()).fillna(False).to_numpy(dtype=bool)
        else:
            rows = totals.loc[totals["indicateur"] == bottom].set_index(["annee", "territoire"])
            denominator = rows["valeur"].where(~rows["valeur_masque"])
            pair = pd.concat([numerator.rename("n"), denominator.rename("d")], axis=1, join="inner").dropna()
            sums = pair.groupby(level="annee").sum()
            ratio = sums["n"] / sums["d"].where(sums["d"] != 0)
        where = (frame["indicateur"] == code) & (frame["dimension"] == ENSEMBLE)
        frame.loc[where, "valeur"] = frame.loc[where, "annee"].map(ratio).to_numpy()
    frame.loc[frame["indicateur"].isin(NOT_RECOMPUTABLE), ["valeur", "effectif"]] = np.nan
    whole = frame.reset_index(drop=True).assign(territoire=ENSEMBLE, source="")
    gaps = _not_broken_down(whole, ["source", "annee", "territoire"])
    return pd.concat([whole.loc[whole["modalite"] != NOT_BROKEN_DOWN], gaps], ignore_index=True)


def ensemble(territories: pd.DataFrame, heures_etp: float = HEURES_ETP) -> pd.DataFrame:
    """The ``ensemble`` rows: :func:`aggregate` of every territory; ``part`` of each breakdown cell
    over its total; ``valeur_precedente`` the consolidated N-1 value when the returns hold year N-1,
    else the sum of the returned N-1 values; ``evolution`` *like for like*, over the territories
    known in both years (see :func:`like_for_like`)."""
    keys = ["annee", "indicateur", "dimension", "modalite"]
    frame = aggregate(territories, heures_etp)
    _parts(frame, ["source", "annee", "territoire"])
    frame["part"] = frame["part"].where(~frame["part_masque"])
    additive = territories.loc[territories["indicateur"].isin(_additive())]
    index = pd.MultiIndex.from_frame(frame[keys])
    frame["valeur_precedente"] = _sum(additive, "valeur_precedente", keys).reindex(index).to_numpy()
    frame["valeur_precedente_masque"] = _masked(additive, "valeur_precedente", keys).reindex(index, fill_value=False).to_numpy()
    consolidated = frame.set_index(keys)[["valeur", "valeur_masque"]]
    earlier = pd.MultiIndex.from_arrays([frame["annee"] - 1, frame["indicateur"], frame["dimension"], frame["modalite"]])
    known = earlier.isin(consolidated.index)
    frame.loc[known, "valeur_precedente"] = consolidated["valeur"].reindex(earlier[known]).to_numpy()
    frame.loc[known, "valeur_precedente_masque"] = consolidated["valeur_masque"].reindex(earlier[known]).to_numpy()
    evolution = like_for_like(territories, heures_etp)["evolution"]
    frame["evolution"] = evolution.reindex(index).to_numpy() if len(evolution) else np.nan
    return frame[COLUMNS + MASKS]


def _previous_rows(territories: pd.DataFrame) -> pd.DataFrame:
    """Each territory's rows of N-1 as seen from year N: its returned rows of N-1, or else rows made
    of the ``valeur_precedente`` of its rows of N (without ``effectif``: no rate)."""
    returned = territories.assign(annee=territories["annee"] + 1)
    made = _with(territories, valeur=territories["valeur_precedente"].to_numpy(), valeur_masque=territories["valeur_precedente_masque"].to_numpy())
    made = made.loc[~made.set_index(KEYS).index.isin(returned.set_index(KEYS).index) & made["valeur"].notna()]
    return pd.concat([returned, made], ignore_index=True)


def like_for_like(territories: pd.DataFrame, heures_etp: float = HEURES_ETP) -> pd.DataFrame:
    """The change of ``ensemble`` from N-1 to N *like for like*: each (year, indicator, dimension,
    modality) aggregated (:func:`aggregate`) in both years over the territories whose row is known
    in both, ``evolution`` relative (in points for rates), and how many territories that is
    (``territoires``). A ratio is thereby compared over the territories whose terms are known in
    both years."""
    keys = ["annee", "indicateur", "dimension", "modalite"]
    before = _previous_rows(territories)

    def usable(frame: pd.DataFrame) -> pd.Series:
        rates = frame["indicateur"].map(indicator_kinds()).eq("rate")
        return _known(frame, "valeur") & (~rates | _known(frame, "effectif"))

    pairs = territories.loc[usable(territories), KEYS].merge(before.loc[usable(before), KEYS], on=KEYS)
    if pairs.empty:
        return pd.DataFrame(columns=[*keys, "valeur", "valeur_precedente", "evolution", "territoires"]).set_index(keys)
    current = aggregate(territories.merge(pairs, on=KEYS), heures_etp).set_index(keys)["valeur"]
    previous = aggregate(before.merge(pairs, on=KEYS), heures_etp).set_index(keys)["valeur"]
    result = pd.DataFrame({"valeur": current, "valeur_precedente": previous.reindex(current.index)})
    result["territoires"] = pairs.groupby(keys).size().reindex(result.index)
    is_rate = result.index.get_level_values("indicateur").map(indicator_kinds()) == "rate"
    before_value = result["valeur_precedente"].to_numpy(dtype=float)
    relative = np.divide(result["valeur"] - before_value, before_value, out=np.full(len(result), np.nan), where=before_value != 0)
    result["evolution"] = np.where(is_rate, result["valeur"] - before_value, relative)
    return result


def coverage(territories: pd.DataFrame, heures_etp: float = HEURES_ETP) -> pd.DataFrame:
    """What each consolidated total rests on, per year and indicator: the returns and territories
    that carry it (``retours``, ``territoires``; masked values count), the share of the year's
    hours made in those territories (``part_heures``, over the territories whose hours are known),
    and how many territories its change like for like compares (``territoires_comparables``)."""
    totals = territories.loc[territories["dimension"] == ENSEMBLE]
    carried = totals.loc[totals["valeur"].notna() | totals["valeur_masque"]]
    hours = totals.loc[(totals["indicateur"] == "heures") & _known(totals, "valeur")].set_index(["annee", "territoire"])["valeur"]
    result = carried.groupby(["annee", "indicateur"]).agg(retours=("source", "nunique"), territoires=("territoire", "nunique")).reset_index()
    pairs = carried[["annee", "indicateur", "territoire"]].merge(hours.rename("heures").reset_index(), on=["annee", "territoire"], how="left")
    share = pairs.groupby(["annee", "indicateur"])["heures"].sum() / hours.groupby(level="annee").sum().reindex(
        pairs.groupby(["annee", "indicateur"]).size().index.get_level_values("annee")).to_numpy()
    result["part_heures"] = share.reindex(pd.MultiIndex.from_frame(result[["annee", "indicateur"]])).to_numpy()
    compared = like_for_like(territories, heures_etp)
    compared = compared.loc[compared.index.get_level_values("dimension") == ENSEMBLE, "territoires"].droplevel(["dimension", "modalite"])
    result["territoires_comparables"] = compared.reindex(pd.MultiIndex.from_frame(result[["annee", "indicateur"]])).fillna(0).astype(int).to_numpy()
    order = {code: i for i, code in enumerate(indicator_kinds())}
    return result.assign(_o=result["indicateur"].map(order)).sort_values(["annee", "_o"]).drop(columns="_o").reset_index(drop=True)


#: Warning on persons, written in the metadata and the report.
SUMMED_PERSONS = ("les personnes, employeurs et acheteurs sont additionnés d'un retour à l'autre : une même personne "
                  "comptée par deux facilitateurs compte deux fois (pas de dédoublonnage possible)")
#: What each consolidated total rests on (:func:`coverage`), beside ``indicateurs.csv``.
COVERAGE_FILE = "couverture.csv"


def write(table: pd.DataFrame, paths: list[Path], folder: Path, heures_etp: float, seuil: int, complet: bool = True) -> Path:
    """Write, atomically, in ``folder``: ``indicateurs.csv`` (published: small counts masked, and the
    cells the returns masked or that they leave unknown marked ``s``),
    its internal unmasked version, :data:`COVERAGE_FILE` and ``metadonnees.json`` (kit version,
    parameters, each return's path and SHA-256, the warning on persons, the coverage, how secrecy
    was examined; ``complet``: see :func:`impact.publication.mask`). Return the published file's path."""
    folder = Path(folder)
    cover = pd.DataFrame(table.attrs.get("couverture", []), columns=["annee", "indicateur", "retours", "territoires", "part_heures", "territoires_comparables"])
    record = {"kit": "impact", "version": __version__,
              "parametres": {"annees": sorted(set(table["annee"].tolist())), "heures_etp": heures_etp, "seuil": seuil, "secret_complet": complet},
              "entrees": {"retours": {str(p): {"sha256": sha256(Path(p).read_bytes())} for p in paths}},
              "avertissement": SUMMED_PERSONS,
              "couverture": json.loads(cover.to_json(orient="records", force_ascii=False, double_precision=6))}
    carried = table[MASKS].set_axis(MEASURES, axis=1).reset_index(drop=True)
    masks = mask(table, seuil, complet)
    record["secret"] = secrecy_record(masks, seuil, record["parametres"]["annees"])
    path = atomic_write_bytes(folder / "indicateurs.csv", to_csv(table, masks | carried))
    atomic_write_bytes(folder / SPREADSHEET_FILE, to_xlsx(path.read_bytes()))
    atomic_write_bytes(folder / INTERNAL_FILE, INTERNAL_LABEL.encode("utf-8") + to_csv(table))
    atomic_write_bytes(folder / COVERAGE_FILE, cover.to_csv(index=False, lineterminator="\n", float_format="%.6g").encode("utf-8"))
    atomic_write_text(folder / "metadonnees.json", to_json(record))
    return path


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
