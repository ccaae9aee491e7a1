"""Small-count masking of everything the kit publishes (SPEC section 7).

Primary masking, with the threshold ``seuil`` (5 by default):

- a count of persons (``personnes``, ``nouvelles_personnes``, ``sortants``, their breakdowns, and
  the ``effectif`` of a rate) from 1 to ``seuil``;
- a rate (and its interval) whose denominator is below ``seuil``;
- a count of employers (``entreprises`` and its breakdown) from 1 to 2, and a cell of hours made
  by fewer than 3 employers or by one employer for more than 85 % (the rules of business
  statistics: a company must not be recognisable).

What would give a masked cell away is masked with it: its ``part``; ``heures_par_personne`` when
``personnes`` is masked; ``etp``, ``heures_par_personne`` and ``heures_par_contrat`` when
``heures`` is; ``valeur_precedente`` when the N-1 cell is masked, and ``evolution`` when either year
is.

Secondary masking: within every additive breakdown (the cells of ``sexe``, ``tranche_age``,
``niveau_formation`` sum to ``personnes``; those of ``taille`` to ``entreprises``; those of every
dimension but ``public`` to ``heures``; the situation groups to ``sortants``, and the situation
codes of a group to that group), no equation may be left
with a single masked cell, which subtraction would recover: the smallest published cell of such an
equation is masked in turn, until no equation has exactly one. (A person counts in every public
that applies to them: the ``public`` cells do not add up and give nothing away by subtraction.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from impact.schema import SITUATION

#: The mark of a masked cell in published files and reports (*secret statistique*).
MARK = "s"
#: Footnote explaining the mark in reports.
FOOTNOTE = ("s : secret statistique ; valeur masquée parce qu'elle porte sur trop peu de personnes "
            "ou d'employeurs, ou parce qu'elle permettrait de retrouver une valeur masquée.")
PERSON_COUNTS = ("personnes", "nouvelles_personnes", "sortants")
COMPANY_COUNTS = ("entreprises",)
MIN_COMPANIES = 3
#: Largest share of a cell's hours one employer may make.
MAX_COMPANY_SHARE = 0.85
MEASURES = ["valeur", "part", "effectif", "ic_bas", "ic_haut", "valeur_precedente", "evolution"]
#: Additive breakdowns: (indicator, dimension) whose cells sum to the indicator's total.
ADDITIVE = [("personnes", "sexe"), ("personnes", "tranche_age"), ("personnes", "niveau_formation"),
            ("nouvelles_personnes", "sexe"), ("entreprises", "taille"), ("sortants", "situation_groupe"),
            *(("heures", d) for d in ("sexe", "tranche_age", "niveau_formation", "type_contrat", "modalite", "type_structure",
                                      "type_marche", "type_acheteur", "dispositif", "division_cpv"))]
#: Counts that each territory makes apart: the ensemble value is the sum of the territories'.
ACROSS_TERRITORIES = ("heures", "sortants", "nouvelles_personnes")
_KEYS = ["annee", "territoire", "indicateur", "dimension", "modalite"]


def mask(table: pd.DataFrame, seuil: int = 5) -> pd.DataFrame:
    """Which cells of the indicator ``table`` to mask: a boolean frame with the columns of
    :data:`MEASURES`, aligned on ``table``."""
    table = table.reset_index(drop=True)
    value = table["valeur"].to_numpy(dtype=float)
    indicator = table["indicateur"].to_numpy()
    is_rate = pd.Series(indicator).str.startswith("taux_").to_numpy()
    persons = np.isin(indicator, PERSON_COUNTS)
    companies = np.isin(indicator, COMPANY_COUNTS)

    masked = (persons & (value >= 1) & (value <= seuil)) | (companies & (value >= 1) & (value < MIN_COMPANIES))
    if "employeurs" in table.columns:
        employers = table["employeurs"].to_numpy(dtype=float)
        dominant = table["part_premier_employeur"].to_numpy(dtype=float) > MAX_COMPANY_SHARE
        masked |= (indicator == "heures") & (value > 0) & ((employers < MIN_COMPANIES) | dominant)
    effectif = table["effectif"].to_numpy(dtype=float)
    masked |= is_rate & ~(effectif >= seuil)
    masked = _secondary(table, masked)
    masked |= _dependent_ratio(table, masked)

    previous = _previous(table, masked)
    hide = {"valeur": masked, "part": masked, "ic_bas": masked, "ic_haut": masked,
            "effectif": (effectif >= 1) & (effectif <= seuil), "valeur_precedente": previous, "evolution": masked | previous}
    # Only cells that hold a value are marked: an undefined rate stays empty.
    return pd.DataFrame({c: hide[c] & table[c].notna().to_numpy() for c in MEASURES}, index=table.index)


def _previous(table: pd.DataFrame, masked: np.ndarray) -> np.ndarray:
    """Whether the N-1 cell of each row is masked (False where N-1 is not in the table)."""
    before = table[_KEYS].assign(annee=table["annee"] + 1, masque=masked)
    merged = table[_KEYS].merge(before, on=_KEYS, how="left")
    return merged["masque"].fillna(False).to_numpy(dtype=bool)


#: Ratios that give their base away, by the total they are computed from.
DEPENDENT = {"personnes": ("heures_par_personne",), "heures": ("etp", "heures_par_personne", "heures_par_contrat")}


def _dependent_ratio(table: pd.DataFrame, masked: np.ndarray) -> np.ndarray:
    """The ratios of a (year, territory) whose base total (``personnes``, ``heures``) is masked."""
    result = np.zeros(len(table), dtype=bool)
    totals = table["dimension"] == "ensemble"
    for base, ratios in DEPENDENT.items():
        hidden = table.loc[totals & (table["indicateur"] == base) & masked, ["annee", "territoire"]].assign(cache=True)
        where = table[["annee", "territoire"]].merge(hidden, on=["annee", "territoire"], how="left")["cache"].fillna(False).to_numpy(dtype=bool)
        result |= where & table["indicateur"].isin(ratios).to_numpy() & totals.to_numpy()
    return result


def equations(table: pd.DataFrame) -> pd.DataFrame:
    """The additive equations of the table: for each cell that belongs to one, its equation number
    (``equation``), its row (``row``) and whether it is the equation's total (``total``)."""
    frames = []
    base = table.reset_index(drop=True).assign(row=lambda d: d.index)
    totals = base.loc[base["dimension"] == "ensemble", ["annee", "territoire", "indicateur", "row"]].rename(columns={"row": "row_total"})
    for indicator, dimension in ADDITIVE:
        cells = base.loc[(base["indicateur"] == indicator) & (base["dimension"] == dimension), ["annee", "territoire", "indicateur", "row"]]
        cells = cells.merge(totals, on=["annee", "territoire", "indicateur"])
        key = f"{indicator}|{dimension}|" + cells["annee"].astype(str) + "|" + cells["territoire"].astype(str)
        frames.append(pd.DataFrame({"equation": key, "row": cells["row"], "total": False}))
        frames.append(pd.DataFrame({"equation": key, "row": cells["row_total"], "total": True}).drop_duplicates())
    # The situation codes of each group add up to the group's cell.
    group_of = {code: group for code, (_, group) in SITUATION.items()}
    codes = base.loc[(base["indicateur"] == "sortants") & (base["dimension"] == "situation")]
    groups = base.loc[(base["indicateur"] == "sortants") & (base["dimension"] == "situation_groupe"), ["annee", "territoire", "modalite", "row"]]
    codes = codes.assign(groupe=codes["modalite"].map(group_of)).merge(
        groups.rename(columns={"modalite": "groupe", "row": "row_total"}), on=["annee", "territoire", "groupe"])
    key = "situation|" + codes["groupe"] + "|" + codes["annee"].astype(str) + "|" + codes["territoire"].astype(str)
    frames.append(pd.DataFrame({"equation": key, "row": codes["row"], "total": False}))
    frames.append(pd.DataFrame({"equation": key, "row": codes["row_total"], "total": True}).drop_duplicates())
    # Across territories: the ensemble cell is the sum of the territories' cells.
    additive = base.loc[base["indicateur"].isin(ACROSS_TERRITORIES)]
    cells = ["annee", "indicateur", "dimension", "modalite"]
    whole = additive.loc[additive["territoire"] == "ensemble", [*cells, "row"]].rename(columns={"row": "row_total"})
    parts = additive.loc[additive["territoire"] != "ensemble", [*cells, "row"]].merge(whole, on=cells)
    key = "territoires|" + parts["indicateur"] + "|" + parts["dimension"] + "|" + parts["modalite"].astype(str) + "|" + parts["annee"].astype(str)
    frames.append(pd.DataFrame({"equation": key, "row": parts["row"], "total": False}))
    frames.append(pd.DataFrame({"equation": key, "row": parts["row_total"], "total": True}).drop_duplicates())
    system = pd.concat(frames, ignore_index=True)
    system["equation"] = pd.factorize(system["equation"])[0]
    return system


def _secondary(table: pd.DataFrame, masked: np.ndarray) -> np.ndarray:
    """Mask more cells until no additive equation has exactly one masked cell."""
    masked = masked.copy()
    system = equations(table)
    value = table["valeur"].to_numpy(dtype=float)
    while True:
        system["masque"] = masked[system["row"].to_numpy()]
        lone = system.groupby("equation")["masque"].transform("sum") == 1
        if not lone.any():
            return masked
        # In each such equation, the smallest published component (a zero only when no positive
        # one is left), or the total when every component is masked.
        candidates = system.loc[lone & ~system["masque"]].assign(
            valeur=lambda d: value[d["row"].to_numpy()], order=lambda d: np.where(d["total"], 2, np.where(value[d["row"].to_numpy()] > 0, 0, 1)))
        chosen = candidates.sort_values(["equation", "order", "valeur", "row"]).drop_duplicates("equation")["row"].to_numpy()
        masked[chosen] = True

