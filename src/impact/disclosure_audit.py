"""An attacker's check of statistical secrecy: ``impact verifier-secret SORTIE``.

It reads only what a run published, every indicator table under an output folder (``indicateurs.csv``
of the indicators, of each bilan and of the comparison, every year found; never the internal
``*NON_DIFFUSABLE*`` file), and asks what a reader can work out of each masked cell (``s``) from
everything published beside it. It knows the kit's published method (``docs/indicateurs.md``: which
breakdowns add up, how rates, parts, intervals, changes and ratios are made) and nothing of the
masking code: it is written apart from :mod:`impact.publication` so that a blind spot of one is not
a blind spot of the other.

The unknowns are, for each row, its value ``V`` (a count or an amount of hours) and, for a rate, its
numerator ``K`` and denominator ``N`` (persons). The relations, each true of the real values (a test
checks every one of them on the internal file):

- a breakdown's cells add up to its total (SPEC 7's additive breakdowns), the situation codes to
  their group, leavers to their six groups plus the leavers not yet observable;
- the knowledge rate's denominator is the cohort less the neutralised situations and its numerator
  the known situations, which are every other rate's denominator; each rate's numerator is its
  groups' count, and at most its denominator; a rate's cells by sex or age band add up to the
  overall ones; the leavers not yet observable of a cohort ``metadonnees.json`` says complete are 0;
  the leavers and the new persons of a year are at most its persons in contract, its new contracts
  at most its contracts;
- a published rate ``p`` gives ``K - pN`` within its rounding; a rate of N-1 comes from
  ``valeur_precedente`` or from ``valeur - evolution`` (points); a Wilson interval gives back the
  denominators it can come from (every ``n`` up to 2 000 tried);
- a ``part`` gives the cell as a share of its total (of the cohort for situations), an ``evolution``
  the ratio of N and N-1 values, ``valeur_precedente`` the N-1 cell, ``etp`` and hours per person or
  per contract their hours;
- a territory's cells add up to the ``ensemble`` cell for what belongs to one territory (hours,
  contracts, operations, leavers); for what does not (persons, companies, buyers) the ``ensemble``
  is at least each territory's and at most their sum.

Each masked cell is then bounded by linear programming (HiGHS through
:func:`scipy.optimize.linprog`: the least and the greatest value the relations allow, each connected
group of masked cells on its own), rounded inward for counts. In the vocabulary of τ-Argus, a cell
is *disclosed* when this interval is narrower than its protection interval: ``seuil`` for a count
of persons or companies (a reader must not be able to narrow a masked count to fewer than ``seuil``
possible values), 10 % of the upper bound for hours (ACRO's p % rule with p = 10).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix, vstack
from scipy.sparse.csgraph import connected_components
from scipy.stats import norm

from impact.schema import SITUATION, SITUATION_GROUPE, SORTIES_DYNAMIQUES

KEYS = ["annee", "territoire", "indicateur", "dimension", "modalite"]
MEASURES = ["valeur", "part", "effectif", "ic_bas", "ic_haut", "valeur_precedente", "evolution"]
MARK = "s"
ENSEMBLE = "ensemble"
#: Counts of one territory each (they add up over territories), and their additive breakdowns.
TERRITORIAL = {
    "heures": ("sexe", "tranche_age", "niveau_formation", "type_contrat", "modalite", "type_structure", "type_marche",
               "type_acheteur", "dispositif", "division_cpv"),
    "contrats": ("type_contrat", "modalite", "type_structure"),
    "nouveaux_contrats": (),
    "operations": ("type_marche", "type_acheteur", "dispositif", "division_cpv"),
    "operations_notifiees": (),
    "operations_terminees": (),
    "heures_prevues": (),
    "sortants": (),
    "sortants_non_observables": (),
}
#: Counts a unit may enter in several territories, and their additive breakdowns.
SHARED = {"personnes": ("sexe", "tranche_age", "niveau_formation"), "nouvelles_personnes": (),
          "entreprises": ("taille",), "acheteurs": ()}
KNOWLEDGE = "taux_connaissance"
#: Each outcome rate's numerator: the situation groups it counts.
RATE_GROUPS = {"taux_emploi_durable": ("emploi_durable",), "taux_emploi_transition": ("emploi_transition",),
               "taux_sortie_positive": ("sortie_positive",), "taux_sorties_dynamiques": SORTIES_DYNAMIQUES}
RATES = (KNOWLEDGE, *RATE_GROUPS)
RATE_ADDITIVE = ("sexe", "tranche_age")
#: A count of a subset of another's people or contracts, and that count.
SUBSETS = (("sortants", "personnes"), ("nouvelles_personnes", "personnes"), ("nouveaux_contrats", "contrats"))
HOURS = ("heures", "heures_prevues")
#: Half a unit of the last decimal printed in ``indicateurs.csv``, by kind of number.
ROUNDING = {"count": 0.0, "hours": 0.005, "rate": 5e-7}
PART_ROUNDING = 5e-7
#: Largest denominator tried when a Wilson interval is inverted.
WILSON_MAX = 2000
Z95 = float(norm.ppf(0.975))
HOURS_PROTECTION = 0.10
#: Cap on unknowns while solving: a cell that reaches it is not bounded.
CAP = 1e9
V, K, N = 0, 1, 2
CELL_NAMES = {V: "valeur", K: "numerateur", N: "effectif"}


@dataclass
class _Relations:
    """Linear relations ``lo <= sum(coef * x[var]) <= hi`` in long form, and bounds on each unknown."""

    terms: list[pd.DataFrame]
    limits: list[pd.DataFrame]
    count: int = 0

    def add(self, terms: pd.DataFrame, lo: np.ndarray | float, hi: np.ndarray | float) -> None:
        """``terms`` has ``con`` (0..m-1 within this batch), ``var`` and ``coef``."""
        if terms.empty:
            return
        m = int(terms["con"].max()) + 1
        self.terms.append(terms.assign(con=terms["con"] + self.count))
        self.limits.append(pd.DataFrame({"lo": np.broadcast_to(lo, m), "hi": np.broadcast_to(hi, m)}))
        self.count += m


def published_tables(folder: Path) -> list[pd.DataFrame]:
    """Every published indicator table under ``folder`` (text cells, ``s`` kept), internal files left out."""
    tables = []
    for path in sorted(Path(folder).rglob("*.csv")):
        if "NON_DIFFUSABLE" in path.name:
            continue
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline().strip().split(",")
        if header[: len(KEYS)] == KEYS and set(MEASURES) <= set(header):
            tables.append(pd.read_csv(path, dtype=str, keep_default_na=False).assign(fichier=str(path.relative_to(folder))))
    return tables


def published_threshold(folder: Path, default: int = 5) -> int:
    """The largest ``seuil`` recorded in the run's ``metadonnees.json`` files (``default`` if none)."""
    found = []
    for path in Path(folder).rglob("metadonnees.json"):
        try:
            found.append(int(json.loads(path.read_text(encoding="utf-8"))["parametres"]["seuil"]))
        except (ValueError, KeyError, TypeError):
            continue
    return max(found, default=default)


def published_complete_cohorts(folder: Path) -> frozenset[int]:
    """The years whose cohort of leavers the run's ``metadonnees.json`` files say is complete
    (``couverture``, ``cohorte_complete``): their leavers not yet observable are 0, whatever the
    table prints."""
    found: set[int] = set()
    for path in Path(folder).rglob("metadonnees.json"):
        try:
            coverage = json.loads(path.read_text(encoding="utf-8")).get("couverture", {})
            found |= {int(year) for year, facts in coverage.items() if isinstance(facts, dict) and facts.get("cohorte_complete")}
        except (ValueError, TypeError, AttributeError):
            continue
    return frozenset(found)


def combine(tables: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The tables a reader can put together: all of them as one when they agree on every row they
    share, otherwise each file on its own."""
    whole = pd.concat(tables, ignore_index=True).drop(columns="fichier").drop_duplicates()
    if not whole.duplicated(KEYS).any():
        return [whole]
    return [t.drop(columns="fichier").drop_duplicates() for t in tables]


def _kind(indicator: pd.Series) -> np.ndarray:
    counts = [*TERRITORIAL, *SHARED]
    return np.select([indicator.isin(RATES), indicator.isin(HOURS), indicator.isin(counts)],
                     ["rate", "hours", "count"], "other")


@dataclass
class System:
    """What a reader knows of a published table: its cells (text as published), their parsed
    ``values`` and ``kind``, the relations, the bounds of every unknown (``3 * row + cell``), which
    cells are masked (``unknown``) and which are printed."""

    cells: pd.DataFrame
    values: pd.DataFrame
    kind: np.ndarray
    relations: _Relations
    lower: np.ndarray
    upper: np.ndarray
    unknown: np.ndarray


def system(table: pd.DataFrame, heures_etp: float = 1607.0, complete: frozenset[int] = frozenset()) -> System:
    """The reader's linear system for ``table`` (see the module docstring); ``complete``: the years
    whose cohort of leavers is complete (:func:`published_complete_cohorts`)."""
    cells = table[KEYS + MEASURES].reset_index(drop=True).copy()
    cells["annee"] = cells["annee"].astype(int)
    masked = pd.DataFrame({m: cells[m].eq(MARK) for m in MEASURES})
    values = pd.DataFrame({m: pd.to_numeric(cells[m].mask(masked[m]), errors="coerce") for m in MEASURES})
    kind = _kind(cells["indicateur"])
    rows = len(cells)
    lower = np.zeros(3 * rows)
    upper = np.full(3 * rows, np.inf)
    unknown = np.zeros(3 * rows, dtype=bool)
    is_rate = kind == "rate"
    tol = np.vectorize(ROUNDING.get)(np.where(kind == "other", "hours", kind)).astype(float)
    value = values["valeur"].to_numpy()
    known_v = np.flatnonzero(np.isfinite(value) & ~is_rate)
    lower[3 * known_v], upper[3 * known_v] = value[known_v] - tol[known_v], value[known_v] + tol[known_v]
    unknown[3 * np.flatnonzero(masked["valeur"].to_numpy() & ~is_rate & (kind != "other"))] = True
    effectif = values["effectif"].to_numpy()
    known_n = np.flatnonzero(is_rate & np.isfinite(effectif))
    lower[3 * known_n + N] = upper[3 * known_n + N] = effectif[known_n]
    unknown[3 * np.flatnonzero(is_rate & masked["effectif"].to_numpy()) + N] = True
    unknown[3 * np.flatnonzero(is_rate & masked["valeur"].to_numpy()) + K] = True
    _wilson_bounds(values, is_rate, lower, upper)
    # Leavers not yet observable of a complete cohort: none (a reviewer worked a masked count of 5
    # neutralised leavers back with it).
    pending = np.flatnonzero((cells["indicateur"] == "sortants_non_observables").to_numpy() & cells["annee"].isin(complete).to_numpy())
    lower[3 * pending], upper[3 * pending] = 0.0, 0.0
    rel = _Relations([], [])
    index = _Index(cells)
    _breakdowns(rel, index)
    _outcomes(rel, index)
    _numerators(rel, index, values)
    _subsets(rel, index, values)
    _rate_values(rel, index, values, is_rate)
    _parts(rel, index, values)
    _years(index, values, kind, tol, rel, lower, upper)
    _ratios(rel, index, values, heures_etp)
    _territories(rel, index)
    return System(cells, values, kind, rel, lower, upper, unknown)


def audit(table: pd.DataFrame, seuil: int, heures_etp: float = 1607.0, complete: frozenset[int] = frozenset()) -> pd.DataFrame:
    """Every masked cell of ``table`` (text cells as published) that a reader can pin down or bound to
    less than its protection interval, and every count printed under the threshold: KEYS,
    ``cellule`` (valeur, numerateur or effectif), ``bas``, ``haut`` (what the reader can prove),
    ``largeur`` and ``protection``."""
    known = system(table, heures_etp, complete)
    printed = ~known.unknown & (known.lower == known.upper)
    hours = np.zeros(known.unknown.size, dtype=bool)
    hours[3 * np.flatnonzero(known.kind == "hours")] = True
    # A masked cell equal to a printed one is known: not a target, and its value holds in every
    # relation (left at 0 to infinity, a reviewer's bound of 22 masked leavers between 18 and 24
    # through a rate's published denominator went unseen).
    elsewhere = _printed_elsewhere(known.relations, printed, known.lower)
    given = known.unknown & np.isfinite(elsewhere)
    lower, upper = np.where(given, elsewhere, known.lower), np.where(given, elsewhere, known.upper)
    bounds = _solve(known.relations, lower, upper, known.unknown & ~given, np.where(hours, np.inf, seuil))
    shown = _published_small(known.cells, known.values, known.kind == "rate", seuil)
    found = pd.concat([shown, _findings(known.cells, bounds, known.kind, seuil)], ignore_index=True)
    return found.sort_values(KEYS + ["cellule"]).reset_index(drop=True)


#: Counts of persons, and of companies, a table must not print from 1 to the threshold.
PERSONS = ("personnes", "nouvelles_personnes", "sortants", "sortants_non_observables", "contrats", "nouveaux_contrats")
COMPANIES, MIN_COMPANIES = ("entreprises",), 3


def _published_small(cells: pd.DataFrame, values: pd.DataFrame, is_rate: np.ndarray, seuil: int) -> pd.DataFrame:
    """Printed counts of 1 to ``seuil`` persons (a rate's denominator, or numerator when both the
    rate and its denominator are printed) and of 1 or 2 companies: nothing to solve, they are there."""
    value, effectif = values["valeur"].to_numpy(), values["effectif"].to_numpy()
    indicator = cells["indicateur"].to_numpy()
    numerator = np.round(value * effectif)
    small = lambda x, top: (x >= 1) & (x <= top)  # noqa: E731
    found = {"valeur": (np.isin(indicator, PERSONS) & small(value, seuil)) | (np.isin(indicator, COMPANIES) & small(value, MIN_COMPANIES - 1)),
             "effectif": is_rate & small(effectif, seuil), "numerateur": is_rate & small(numerator, seuil)}
    number = {"valeur": value, "effectif": effectif, "numerateur": numerator}
    frames = [cells.loc[rows, KEYS].assign(cellule=name, bas=number[name][rows], haut=number[name][rows], largeur=0.0,
                                             protection=float(seuil)) for name, rows in found.items()]
    return pd.concat(frames, ignore_index=True)


class _Index:
    """Row numbers of the table by their keys."""

    def __init__(self, cells: pd.DataFrame) -> None:
        self.cells = cells
        self.rows = pd.Series(np.arange(len(cells)), index=pd.MultiIndex.from_frame(cells[KEYS]))

    def find(self, keys: pd.DataFrame) -> np.ndarray:
        """Row number of each key (-1 where the table has no such row)."""
        found = self.rows.reindex(pd.MultiIndex.from_frame(keys[KEYS].astype({"annee": int})))
        return found.fillna(-1).to_numpy(dtype=int)

    def totals(self, rows: np.ndarray, indicator: str | None = None) -> np.ndarray:
        """The row of the ``ensemble`` cell of the indicator of each of ``rows`` (or of ``indicator``)."""
        keys = self.cells.iloc[rows][KEYS].assign(dimension=ENSEMBLE, modalite=ENSEMBLE)
        if indicator is not None:
            keys = keys.assign(indicateur=indicator)
        return self.find(keys)

    def select(self, indicators, dimensions=None, modalities=None) -> np.ndarray:
        c = self.cells
        keep = c["indicateur"].isin(indicators)
        if dimensions is not None:
            keep &= c["dimension"].isin(dimensions)
        if modalities is not None:
            keep &= c["modalite"].isin(modalities)
        return np.flatnonzero(keep.to_numpy())


def _group(frame: pd.DataFrame) -> np.ndarray:
    """A number per distinct row of ``frame``."""
    return frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()


def _sum_terms(groups: np.ndarray, parts: np.ndarray, totals: np.ndarray, cell: int) -> pd.DataFrame:
    """Terms of ``sum(parts) - total = 0``, one relation per distinct ``groups`` value."""
    ok = totals >= 0
    groups, parts, totals = groups[ok], parts[ok], totals[ok]
    codes = pd.factorize(groups)[0]
    first = pd.Series(totals).groupby(codes).first()
    return pd.concat([pd.DataFrame({"con": codes, "var": 3 * parts + cell, "coef": 1.0}),
                      pd.DataFrame({"con": first.index.to_numpy(), "var": 3 * first.to_numpy() + cell, "coef": -1.0})])


def _breakdowns(rel: _Relations, index: _Index) -> None:
    """Breakdowns add up to their total, within each territory and year."""
    c = index.cells
    for indicator, dimensions in {**TERRITORIAL, **SHARED}.items():
        rows = index.select([indicator], dimensions)
        groups = c.iloc[rows][["annee", "territoire", "dimension"]].pipe(_group)
        rel.add(_sum_terms(groups, rows, index.totals(rows), V), 0.0, 0.0)
    rows = index.select(RATES, RATE_ADDITIVE)
    groups = c.iloc[rows][["annee", "territoire", "indicateur", "dimension"]].pipe(_group)
    for cell in (K, N):
        rel.add(_sum_terms(groups, rows, index.totals(rows), cell), 0.0, 0.0)
    codes = index.select(["sortants"], ["situation"])
    keys = c.iloc[codes][KEYS].assign(dimension="situation_groupe",
                                       modalite=c.iloc[codes]["modalite"].map({k: g for k, (_, g) in SITUATION.items()}))
    group_rows = index.find(keys)
    rel.add(_sum_terms(group_rows, codes, group_rows, V), 0.0, 0.0)


def _terms(*columns: tuple) -> pd.DataFrame:
    """One relation per position: the sum of ``coef * cell`` of the rows given in each column
    (``rows, cell, coef``, and ``True`` for a member a table may lack, counted as zero); a relation
    missing one of its other rows is dropped."""
    ok = np.logical_and.reduce([column[0] >= 0 for column in columns if len(column) == 3])
    con = np.cumsum(ok) - 1
    return pd.concat([pd.DataFrame({"con": con[ok & (rows >= 0)], "var": 3 * rows[ok & (rows >= 0)] + cell, "coef": coef})
                      for rows, cell, coef, *_ in columns])


def _outcomes(rel: _Relations, index: _Index) -> None:
    """Leavers, situation groups and the rates' numerators and denominators."""
    leavers = index.select(["sortants"], [ENSEMBLE])
    keys = index.cells.iloc[leavers][KEYS]
    group = {g: index.find(keys.assign(dimension="situation_groupe", modalite=g)) for g in SITUATION_GROUPE}
    not_observable = index.find(keys.assign(indicateur="sortants_non_observables"))
    rel.add(_terms((leavers, V, 1.0), (not_observable, V, -1.0, True), *[(rows, V, -1.0) for rows in group.values()]), 0.0, 0.0)
    knowledge = index.find(keys.assign(indicateur=KNOWLEDGE))
    rel.add(_terms((knowledge, N, 1.0), (leavers, V, -1.0), (not_observable, V, 1.0, True), (group["neutralisee"], V, 1.0)), 0.0, 0.0)
    rel.add(_terms((knowledge, K, 1.0), (knowledge, N, -1.0), (group["inconnue"], V, 1.0)), 0.0, 0.0)
    for rate, groups in RATE_GROUPS.items():
        if len(groups) == 1:
            rel.add(_terms((index.find(keys.assign(indicateur=rate)), K, 1.0), (group[groups[0]], V, -1.0)), 0.0, 0.0)
    known = index.select([KNOWLEDGE])
    every = index.cells.iloc[known][KEYS]
    for rate in RATE_GROUPS:
        rel.add(_terms((index.find(every.assign(indicateur=rate)), N, 1.0), (known, K, -1.0)), 0.0, 0.0)
    dynamic = index.find(every.assign(indicateur="taux_sorties_dynamiques"))
    rel.add(_terms((dynamic, K, 1.0), *[(index.find(every.assign(indicateur=r)), K, -1.0)
                                         for r in RATE_GROUPS if r != "taux_sorties_dynamiques"]), 0.0, 0.0)


def _numerators(rel: _Relations, index: _Index, values: pd.DataFrame) -> None:
    """A rate's numerator is at most its published denominator. (Where the denominator is masked
    too, the rate's numerator is hidden with it, and the masking protects the denominator, not
    the numerator: bounding one by the other is left out.)"""
    rates = index.select(list(RATES))
    rates = rates[np.isfinite(values["effectif"].to_numpy()[rates])]
    rel.add(_terms((rates, K, 1.0), (rates, N, -1.0)), -np.inf, 0.0)


def _subsets(rel: _Relations, index: _Index, values: pd.DataFrame) -> None:
    """A count of a subset of the people or contracts of another is at most its published count
    (same year and territory, ``ensemble``): leavers (their last contract ran that year) and new
    persons under the persons in contract, new contracts under the contracts."""
    for part, whole in SUBSETS:
        parts = index.select([part], [ENSEMBLE], [ENSEMBLE])
        wholes = index.totals(parts, whole)
        published = (wholes >= 0) & np.isfinite(values["valeur"].to_numpy()[np.maximum(wholes, 0)])
        rel.add(_terms((parts[published], V, 1.0), (wholes[published], V, -1.0)), -np.inf, 0.0)


def _rate_bounds(rel: _Relations, rows: np.ndarray, rate: np.ndarray, slack: float) -> None:
    """``K - pN`` within ``slack * N``: two inequalities per rate."""
    ok = (rows >= 0) & np.isfinite(rate)
    rows, rate = rows[ok], rate[ok]
    con = np.arange(len(rows))
    for sign, lo, hi in ((1.0, -np.inf, 0.0), (-1.0, 0.0, np.inf)):
        rel.add(pd.concat([pd.DataFrame({"con": con, "var": 3 * rows + K, "coef": 1.0}),
                           pd.DataFrame({"con": con, "var": 3 * rows + N, "coef": -(rate + sign * slack)})]), lo, hi)


def _previous(index: _Index, rows: np.ndarray) -> np.ndarray:
    keys = index.cells.iloc[rows][KEYS]
    return index.find(keys.assign(annee=keys["annee"] - 1))


def _rate_values(rel: _Relations, index: _Index, values: pd.DataFrame, is_rate: np.ndarray) -> None:
    """What the published rates, their N-1 values and their changes in points say of K and N."""
    rows = np.flatnonzero(is_rate)
    value, previous, change = (values[m].to_numpy()[rows] for m in ("valeur", "valeur_precedente", "evolution"))
    prior = _previous(index, rows)
    slack = ROUNDING["rate"]
    _rate_bounds(rel, rows, value, slack)
    _rate_bounds(rel, rows, previous + change, 2 * slack)
    _rate_bounds(rel, prior, previous, slack)
    _rate_bounds(rel, prior, value - change, 2 * slack)


def _wilson_bounds(values: pd.DataFrame, is_rate: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    """Denominators a published rate and its Wilson interval can come from (inversion of the interval)."""
    rows = np.flatnonzero(is_rate & values[["valeur", "ic_bas", "ic_haut"]].notna().all(axis=1).to_numpy())
    if rows.size == 0:
        return
    p, lo, hi = (values[m].to_numpy()[rows][:, None] for m in ("valeur", "ic_bas", "ic_haut"))
    n = np.arange(1, WILSON_MAX + 1, dtype=float)[None, :]
    k = np.round(p * n)
    z2 = Z95**2
    centre = (k + z2 / 2) / (n + z2)
    half = Z95 * np.sqrt(k * (n - k) / n + z2 / 4) / (n + z2)
    slack = 1e-6
    fits = (np.abs(k / n - p) <= slack) & (np.abs(centre - half - lo) <= slack) & (np.abs(centre + half - hi) <= slack)
    found = fits.any(axis=1)
    first = np.where(found, fits.argmax(axis=1) + 1, 0)
    last = np.where(found, WILSON_MAX - fits[:, ::-1].argmax(axis=1), np.inf)
    target = 3 * rows[found] + N
    lower[target] = np.maximum(lower[target], first[found])
    upper[target] = np.minimum(upper[target], last[found])


def _parts(rel: _Relations, index: _Index, values: pd.DataFrame) -> None:
    """A published part: the cell within rounding of that share of its total (the cohort for leavers)."""
    c = index.cells
    rows = np.flatnonzero(values["part"].notna().to_numpy() & c["dimension"].ne(ENSEMBLE).to_numpy())
    share = values["part"].to_numpy()[rows]
    totals = index.totals(rows)
    leavers = c["indicateur"].to_numpy()[rows] == "sortants"
    not_observable = np.where(leavers, index.totals(rows, "sortants_non_observables"), -1)
    for sign, lo, hi in ((1.0, -np.inf, 0.0), (-1.0, 0.0, np.inf)):
        q = share + sign * PART_ROUNDING
        ok = totals >= 0
        con = np.arange(len(rows))[ok]
        frames = [pd.DataFrame({"con": con, "var": 3 * rows[ok] + V, "coef": 1.0}),
                  pd.DataFrame({"con": con, "var": 3 * totals[ok] + V, "coef": -q[ok]})]
        also = ok & (not_observable >= 0)
        frames.append(pd.DataFrame({"con": np.arange(len(rows))[also], "var": 3 * not_observable[also] + V, "coef": q[also]}))
        terms = pd.concat(frames)
        terms["con"] = pd.factorize(terms["con"])[0]
        rel.add(terms, lo, hi)


def _years(index: _Index, values: pd.DataFrame, kind: np.ndarray, tol: np.ndarray, rel: _Relations,
           lower: np.ndarray, upper: np.ndarray) -> None:
    """``valeur_precedente`` is the cell of N-1; ``evolution`` the relative change of a volume."""
    rows = np.flatnonzero((kind != "rate") & (kind != "other"))
    prior = _previous(index, rows)
    previous = values["valeur_precedente"].to_numpy()[rows]
    ok = (prior >= 0) & np.isfinite(previous)
    target = 3 * prior[ok] + V
    lower[target] = np.maximum(lower[target], previous[ok] - tol[rows][ok])
    upper[target] = np.minimum(upper[target], previous[ok] + tol[rows][ok])
    change = values["evolution"].to_numpy()[rows]
    ok = (prior >= 0) & np.isfinite(change)
    con = np.arange(int(ok.sum()))
    for sign, lo, hi in ((1.0, -np.inf, 0.0), (-1.0, 0.0, np.inf)):
        rel.add(pd.concat([pd.DataFrame({"con": con, "var": 3 * rows[ok] + V, "coef": 1.0}),
                           pd.DataFrame({"con": con, "var": 3 * prior[ok] + V,
                                         "coef": -(1 + change[ok] + sign * ROUNDING["rate"])})]), lo, hi)


def _ratios(rel: _Relations, index: _Index, values: pd.DataFrame, heures_etp: float) -> None:
    """FTE and hours per person or per contract: the hours within rounding of ratio × base."""
    rows = index.select(["etp"], [ENSEMBLE])
    hours = index.totals(rows, "heures")
    fte = values["valeur"].to_numpy()[rows]
    ok = (hours >= 0) & np.isfinite(fte)
    rel.add(pd.DataFrame({"con": np.arange(int(ok.sum())), "var": 3 * hours[ok] + V, "coef": 1.0}),
            (fte[ok] - ROUNDING["hours"]) * heures_etp, (fte[ok] + ROUNDING["hours"]) * heures_etp)
    for ratio, base in (("heures_par_personne", "personnes"), ("heures_par_contrat", "contrats")):
        rows = index.select([ratio], [ENSEMBLE])
        hours, bases = index.totals(rows, "heures"), index.totals(rows, base)
        ratio_value = values["valeur"].to_numpy()[rows]
        ok = (hours >= 0) & (bases >= 0) & np.isfinite(ratio_value)
        con = np.arange(int(ok.sum()))
        for sign, lo, hi in ((1.0, -np.inf, 0.0), (-1.0, 0.0, np.inf)):
            rel.add(pd.concat([pd.DataFrame({"con": con, "var": 3 * hours[ok] + V, "coef": 1.0}),
                               pd.DataFrame({"con": con, "var": 3 * bases[ok] + V,
                                             "coef": -(ratio_value[ok] + sign * ROUNDING["hours"])})]), lo, hi)


def _territories(rel: _Relations, index: _Index) -> None:
    """Territories and their ``ensemble``: sums for one-territory counts, bounds for the others."""
    c = index.cells
    local = c["territoire"].ne(ENSEMBLE).to_numpy()
    total_of = index.find(c.assign(territoire=ENSEMBLE))
    group_key = c[["annee", "indicateur", "dimension", "modalite"]].pipe(_group)
    additive = local & c["indicateur"].isin(list(TERRITORIAL)).to_numpy()
    rel.add(_sum_terms(group_key[additive], np.flatnonzero(additive), total_of[additive], V), 0.0, 0.0)
    rates = local & c["indicateur"].isin(RATES).to_numpy()
    for cell in (K, N):
        rel.add(_sum_terms(group_key[rates], np.flatnonzero(rates), total_of[rates], cell), 0.0, 0.0)
    shared = local & c["indicateur"].isin(list(SHARED)).to_numpy() & (total_of >= 0)
    rows = np.flatnonzero(shared)
    rel.add(_terms((rows, V, 1.0), (total_of[rows], V, -1.0)), -np.inf, 0.0)
    rel.add(_sum_terms(group_key[shared], rows, total_of[rows], V), 0.0, np.inf)


def _printed_elsewhere(rel: _Relations, printed: np.ndarray, value: np.ndarray) -> np.ndarray:
    """The ``value`` of the cell printed elsewhere each cell is equal to by definition (``x - y = 0``
    relations: no secret, and a value the reader has for every relation the cell is in); NaN for
    the others."""
    terms = pd.concat(rel.terms, ignore_index=True)
    limits = pd.concat(rel.limits, ignore_index=True)
    size = terms.groupby("con")["var"].transform("size")
    exact = (limits["lo"] == 0) & (limits["hi"] == 0)
    pairs = terms[(size == 2).to_numpy() & exact.reindex(terms["con"]).to_numpy()].sort_values(["con", "coef"])
    pairs = pairs[pairs.groupby("con")["coef"].transform("sum").abs() < 1e-12]
    ends = pairs["var"].to_numpy().reshape(-1, 2)
    graph = coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(printed.size, printed.size))
    _, label = connected_components(graph, directed=False)
    return pd.Series(np.where(printed, value, np.nan)).groupby(label).transform("max").to_numpy()


def _solve(rel: _Relations, lower: np.ndarray, upper: np.ndarray, unknown: np.ndarray, protection: np.ndarray) -> pd.DataFrame:
    """The least and greatest value of each unknown under the relations, by linear programming.

    Each connected group of unknowns is one problem. Solutions found on the way (the least and the
    greatest sum of the group first) show values each unknown can take: an unknown they already spread
    over its protection interval needs no problem of its own. Unknowns are capped at ``CAP`` so that
    every problem has a solution (a cap reached means the cell is not bounded)."""
    targets = np.flatnonzero(unknown)
    result = pd.DataFrame({"var": targets, "bas": lower[targets], "haut": upper[targets]}).set_index("var")
    if not rel.terms:
        return result.reset_index()
    terms = pd.concat(rel.terms, ignore_index=True)
    limits = pd.concat(rel.limits, ignore_index=True)
    size = len(lower)
    matrix = csr_matrix(coo_matrix((terms["coef"], (terms["con"], terms["var"])), shape=(rel.count, size)))
    pattern = matrix[:, targets].astype(bool).astype(float)
    _, component = connected_components((pattern.T @ pattern).tocsr(), directed=False)
    involved = np.asarray(pattern.sum(axis=0)).ravel() > 0
    capped = np.where(unknown, np.minimum(upper, CAP), upper)
    lo_lim, hi_lim = limits["lo"].to_numpy(), limits["hi"].to_numpy()
    for label in np.unique(component[involved]):
        members = targets[(component == label) & involved]
        rows = np.unique(matrix[:, members].nonzero()[0])
        columns = np.unique(matrix[rows].nonzero()[1])
        block = matrix[rows][:, columns]
        lo, hi = lo_lim[rows], hi_lim[rows]
        eq = lo == hi
        upper_rows, lower_rows = ~eq & np.isfinite(hi), ~eq & np.isfinite(lo)
        problem = {"A_ub": vstack([block[upper_rows], -block[lower_rows]]).tocsr() if (upper_rows | lower_rows).any() else None,
                   "b_ub": np.concatenate([hi[upper_rows], -lo[lower_rows]]) if (upper_rows | lower_rows).any() else None,
                   "A_eq": block[eq] if eq.any() else None, "b_eq": lo[eq] if eq.any() else None,
                   "bounds": np.column_stack([lower[columns], np.where(np.isfinite(capped[columns]), capped[columns], np.nan)]),
                   "method": "highs"}
        position = np.searchsorted(columns, members)
        least = np.full(members.size, np.inf)
        most = np.full(members.size, -np.inf)
        done = np.zeros(members.size, dtype=bool)

        def run(objective: np.ndarray) -> float | None:
            answer = linprog(objective, **problem)
            if answer.status != 0:
                return None
            seen = answer.x[position]
            np.minimum(least, seen, out=least)
            np.maximum(most, seen, out=most)
            return answer.fun

        everything = np.zeros(columns.size)
        everything[position] = 1.0
        if run(everything) is None or run(-everything) is None:
            continue  # relations that contradict each other: the table was not published by the kit
        for i in np.argsort(position):
            if done[i]:
                continue
            if most[i] - least[i] >= protection[members[i]] and most[i] < CAP:
                done[i] = True
                continue
            objective = np.zeros(columns.size)
            objective[position[i]] = 1.0
            run(objective)
            run(-objective)
            done[i] = True
        result.loc[members, "bas"] = least
        result.loc[members, "haut"] = np.where(most >= CAP - 1e-6, np.inf, most)
    return result.reset_index()


def _findings(cells: pd.DataFrame, bounds: pd.DataFrame, kind: np.ndarray, seuil: int) -> pd.DataFrame:
    rows = bounds["var"].to_numpy() // 3
    cell = bounds["var"].to_numpy() % 3
    hours = (kind[rows] == "hours") & (cell == V)
    low, high = bounds["bas"].to_numpy(), bounds["haut"].to_numpy()
    low = np.maximum(np.where(hours, low, np.ceil(low - 1e-6)), 0.0)
    high = np.where(hours, high, np.floor(high + 1e-6))
    protection = np.where(hours, HOURS_PROTECTION * high, seuil)
    width = high - low
    out = cells.iloc[rows][KEYS].reset_index(drop=True).assign(
        cellule=pd.Series(cell).map(CELL_NAMES).to_numpy(), bas=low, haut=high, largeur=width, protection=protection)
    return out[np.isfinite(width) & (width < protection) & (high > 0)].sort_values(KEYS + ["cellule"]).reset_index(drop=True)


class _ReportText(HTMLParser):
    """Table cells and figure texts (alternative text, captions) of an HTML report."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.figures: list[str] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        for name in ("aria-label", "alt"):
            if attributes.get(name):
                self.figures.append(attributes[name])
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "figcaption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "figcaption" and self._caption is not None:
            self.figures.append("".join(self._caption))
            self._caption = None

    def handle_data(self, data: str) -> None:
        for sink in (self._cell, self._caption):
            if sink is not None:
                sink.append(data)


#: A masked value printed in a sentence: the mark standing alone as a word.
_MARK_IN_TEXT = re.compile(r"(?<![\w’'])s(?![\w’'])")


def report_findings(folder: Path) -> pd.DataFrame:
    """What the HTML reports under ``folder`` print around masked values: a figure text (alternative
    text, caption) that holds the mark ``s`` in place of a value, and a table whose every figure is
    masked (it should have given way to a sentence). One row per finding: ``fichier``, ``probleme``,
    ``texte``."""
    found = []
    for path in sorted(Path(folder).rglob("*.html")):
        parser = _ReportText()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        name = str(path.relative_to(folder))
        texts = dict.fromkeys(" ".join(text.split()) for text in parser.figures)
        found += [(name, "valeur masquée imprimée dans un texte de figure", text[:160]) for text in texts if _MARK_IN_TEXT.search(text)]
        for table in parser.tables:
            figures = [cell for row in table[1:] for cell in row[1:] if cell not in ("", "–", "-")]
            if figures and all(cell == MARK for cell in figures):
                found.append((name, "tableau entièrement masqué", " | ".join(table[0])[:160] if table else ""))
    return pd.DataFrame(found, columns=["fichier", "probleme", "texte"])


def check(folder: Path, seuil: int | None = None, heures_etp: float = 1607.0,
          tables: list[pd.DataFrame] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The attack on a run's output ``folder``: masked cells a reader can work back (see :func:`audit`),
    over every published table taken together (``tables``, when already read by
    :func:`published_tables`), and the reports' printing problems."""
    seuil = published_threshold(folder) if seuil is None else seuil
    tables = published_tables(folder) if tables is None else tables
    complete = published_complete_cohorts(folder)
    cells = [audit(t, seuil, heures_etp, complete) for t in combine(tables)] if tables else []
    columns = [*KEYS, "cellule", "bas", "haut", "largeur", "protection"]
    cells = pd.concat(cells, ignore_index=True).drop_duplicates() if cells else pd.DataFrame(columns=columns)
    return cells, report_findings(folder)
