"""Disclosure control of everything the kit publishes (SPEC section 7).

Every figure that reaches ``indicateurs.csv``, a report table, a caption or a chart comes from the
masked table this module computes (reports read the published file; the comparison report shows
only counts above the threshold). The vocabulary is that of τ-Argus and ACRO: *primary*
suppression of the cells that break a rule, *secondary* (complementary) suppression of the cells
that would let a reader work a primary one back, and a *protection interval*: what a reader can
infer of a suppressed count must be at least ``seuil`` wide.

The table is seen as a set of *cells*: the value of each count or hours row (``V``), and for each
rate the two person counts it is made of, its numerator (``K``, the value times the denominator)
and its denominator (``N``, ``effectif``); a published rate with its Wilson interval gives both
away, so a rate is published only when both are.

Primary suppression, with the threshold ``seuil`` (5 by default; 11 for fiscal data):

- a count of persons from 1 to ``seuil``: ``personnes``, ``nouvelles_personnes``, ``sortants``,
  ``sortants_non_observables``, ``contrats`` and ``nouveaux_contrats`` (a contract is a person)
  and their breakdowns; the numerator and the denominator of every rate;
- a count of employers from 1 to 2; a cell of hours made by fewer than 3 employers or by one
  employer for more than 85 % (business statistics: no company may be recognisable), or by 1 to
  ``seuil`` persons (the hours of a few people are theirs);
- a mean contract length over 1 to ``seuil`` contracts.

Secondary suppression runs on every linear relation a reader can build from the published files
(:func:`equations`): the cells of an additive breakdown and their total; the situation codes and
their group; leavers = known + unknown + neutralised situations + leavers not yet observable; a
rate's numerator and denominator and the situation counts they are sums of (the denominator of
the knowledge rate is the cohort less the neutralised; the other rates' is the known situations);
the rates of each sex or age band and the overall one; the ``ensemble`` cell and the cells of the
territories; and, for the linear programs, what a reader knows beyond them: a rate's numerator is
at most its denominator, the leavers and the new persons of a year at most its persons in contract
and its new contracts at most its contracts, and the leavers not yet observable of a complete cohort are 0 (a count
of 0 of them is never suppressed: it would protect nothing). Cells are suppressed until no relation leaves a suppressed cell alone, or its
suppressed cells adding up to less than ``seuil`` when its total is published (a relation whose
published total is 0 asks for nothing: each of its parts is known to be 0), and until no
suppressed cell of a year can be bounded by its relations taken together (within and across
territories) closer than its protection interval: ``seuil`` persons; for hours, 10 % of the
greatest value (the p % rule). That is the attacker's own test (:mod:`impact.disclosure_audit`):
the least and greatest value of each suppressed cell by linear programming, on the groups of
suppressed cells linked by their relations, after moving each group's cells from their true values
along its relations' null space, which shows most of them spread without a program. Before the
programs, each cell's bounds are propagated relation by relation within its territory: what that
finds narrow the programs would find too, in a fraction of their time, and the bounds it finds
are given to them (in a national table, four cells in five found narrow are found so). In a national
table, the ``ensemble`` links the hundreds of territories of a year into one group of 10 000 or
more cells: it is first examined territory by territory, on the relations within each territory,
which suppresses what those relations call for within seconds; then (the default, ``complet``) whole,
its cells pushed a few at a time, which finds what the bounds combining territories call for (a
quick examination, for drafts, stops before, and says so). What would give a suppressed cell
away goes with it: its ``part`` (and the parts of a suppressed total), its interval, the ratios of a suppressed total (``etp``,
``heures_par_personne``, ``heures_par_contrat``), ``valeur_precedente`` when the cell of N-1 is
suppressed and ``evolution`` when either year is. The masks are computed on the whole table, every
year at once, so that a year published alone or a year's ``valeur_precedente`` carries the same
masks as the table.

Why not ACRO (the output checker of trusted research environments): its threshold, p-ratio and
nk-dominance checks are the primary rules above (``seuil``; the p % rule for hours; one employer
above 85 %, n = 1 and k = 85), but it checks each table on its own and leaves linked tables to a
human; the kit publishes many linked tables at once, so it suppresses on their relations as
τ-Argus does, and ships an attacker that solves them (:mod:`impact.disclosure_audit`).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import highspy
from highspy._core import _Highs
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix, hstack, vstack
from scipy.sparse.csgraph import connected_components
from threadpoolctl import threadpool_limits

from impact.outcomes import KNOWLEDGE_RATE, NOT_OBSERVABLE, RATES
from impact.schema import SITUATION, SITUATION_GROUPE

#: The mark of a masked cell in published files and reports (*secret statistique*).
MARK = "s"
#: Footnote explaining the mark in reports.
FOOTNOTE = ("s : secret statistique ; valeur masquée parce qu'elle porte sur trop peu de personnes "
            "ou d'employeurs, ou parce qu'elle permettrait de retrouver une valeur masquée.")
PERSON_COUNTS = ("personnes", "nouvelles_personnes", "sortants", NOT_OBSERVABLE[0], "contrats", "nouveaux_contrats")
COMPANY_COUNTS = ("entreprises",)
MIN_COMPANIES = 3
#: Largest share of a cell's hours one employer may make.
MAX_COMPANY_SHARE = 0.85
MEASURES = ["valeur", "part", "effectif", "ic_bas", "ic_haut", "valeur_precedente", "evolution"]
#: Key, in the ``attrs`` of :func:`mask`'s result, of the years examined territory by territory.
BY_TERRITORY = "secret_examine_par_territoire"
#: What the user is told of those years (metadata and command line).
BY_TERRITORY_WARNING = ("{annees} : examen rapide du secret (--secret-rapide) ; les cellules masquées de chaque territoire "
                        "ont été examinées sur ses propres relations, mais un encadrement qui combine plusieurs territoires "
                        "et l'ensemble n'a pas été examiné. Relancez la commande sans --secret-rapide, ou lancez « impact "
                        "verifier-secret » sur la publication, avant de la diffuser.")
#: Additive breakdowns: (indicator, dimension) whose cells sum to the indicator's total.
ADDITIVE = [("personnes", d) for d in ("sexe", "tranche_age", "niveau_formation")] + [("entreprises", "taille")] + [
    ("heures", d) for d in ("sexe", "tranche_age", "niveau_formation", "type_contrat", "modalite", "type_structure", "type_marche",
                            "type_acheteur", "dispositif", "division_cpv")] + [
    ("contrats", d) for d in ("type_contrat", "modalite", "type_structure")] + [
    ("operations", d) for d in ("type_marche", "type_acheteur", "dispositif", "division_cpv")]
#: Rates broken down by a dimension whose modalities add up (a leaver has one sex, one age band).
ADDITIVE_RATE_DIMENSIONS = ("sexe", "tranche_age")
#: Ratios that give their base away, by the total they are computed from.
DEPENDENT = {"personnes": ("heures_par_personne",), "contrats": ("heures_par_contrat",),
             "heures": ("etp", "heures_par_personne", "heures_par_contrat")}
#: Counts whose ``ensemble`` is at most the sum of the territories' (one may work in several) and at
#: least each territory's.
SHARED = ("personnes", "nouvelles_personnes", "entreprises", "acheteurs")
#: Counts of a subset of the people or contracts of another count, each at most it (same year,
#: territory, ``ensemble``): a leaver's last contract ran in the year of leaving.
SUBSETS = (("sortants", "personnes"), ("nouvelles_personnes", "personnes"), ("nouveaux_contrats", "contrats"))
KEYS = ["annee", "territoire", "indicateur", "dimension", "modalite"]
#: The three cells of a row: its value, and a rate's numerator and denominator.
V, K, N = 0, 1, 2
_SUPPRESSION_ROUNDS = 10_000
#: Largest group of suppressed cells (linked by their relations, within and across territories)
#: always examined whole by linear programming; larger ones, when :data:`_LARGE_GROUP_CELLS` allows.
_PROGRAM_CELLS = 400
#: Suppressed cells of a year in groups larger than :data:`_PROGRAM_CELLS` up to which those
#: groups too are examined by linear programming (a table of 30 territories has ~2 000; a
#: national one of 300 territories, 10 000 to 14 000).
_LARGE_GROUP_CELLS = 5_000
#: Protection of a suppressed amount of hours: a reader must not bound it closer than this share
#: of its greatest possible value (the p % rule of τ-Argus and ACRO, p = 10).
HOURS_PROTECTION = 0.10
#: Upper bound given to every unknown of a linear program, so that each has a solution (reached: unbounded).
_CAP = 1e9
#: How far a solution may break a relation: sums of hours computed in another order differ by ~1e-7.
_TOLERANCE = 1e-5
#: Most copies of a group's relations in one linear program (each for an unknown whose least and
#: greatest values are sought, or for a layer of unknowns pushed together).
_COPIES = 200
#: Unknowns of the groups examined together in one series of linear programs (groups are whole).
_BATCH_UNKNOWNS = 10_000
#: Most passes of bound propagation (:func:`_propagated`; a national table's hold still after 7).
_PROPAGATION_ROUNDS = 20
#: Most unknowns of one linear program made of copies: a large group gets fewer copies.
_COPIED_UNKNOWNS = 12_000
#: Unknowns of one group pushed together in one copy of its relations.
_PER_COPY = 16
#: Unknowns pushed together in one problem, at most, in a group too large to be copied.
_PER_PUSH = 16
#: Largest group (unknowns) whose relations are first followed along their null space
#: (:func:`_moved`, dense algebra) before any linear program.
_DENSE_CELLS = 128
#: Largest group of suppressed cells whose cells are tried again (:func:`_released`): each try
#: examines its group from scratch (0.3 s at 2 000 cells, seuil 11; a table of 4 territories has
#: groups of 200 to 400).
_RELEASE_CELLS = 1_000
#: Status of a column or row in a simplex basis: at its lower bound, basic, at its upper bound.
_LOWER, _BASIC, _UPPER = 0, 1, 2
#: How a matrix and an objective are given to HiGHS: by columns, to be minimised.
_COLWISE, _MINIMIZE = int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize)
#: HiGHS's statuses by their number.
_STATUSES = np.array(sorted(highspy.HighsBasisStatus.__members__.values(), key=int), dtype=object)
#: Series of linear programs solved at once, on as many threads (HiGHS lets go of the interpreter
#: while it solves; the answers do not depend on the order).
_THREADS = min(4, os.cpu_count() or 1)


def _kinds(table: pd.DataFrame) -> np.ndarray:
    """The kind of each row's indicator (``count``, ``hours``, ``ratio``, ``rate``), looked up once
    per distinct indicator."""
    from impact.indicators import indicator_kinds  # the table's own module imports this one

    codes, uniques = pd.factorize(table["indicateur"])
    kinds = indicator_kinds()
    return np.array([kinds.get(u, "") for u in uniques] + [""], dtype=object)[codes]


def cell_values(table: pd.DataFrame, kind: np.ndarray | None = None) -> np.ndarray:
    """The value of every cell, ``3 * row + kind``: V the row's value, K and N a rate's numerator
    (rounded to a whole number of persons) and denominator (0 for other rows)."""
    value = table["valeur"].to_numpy(dtype=float)
    effectif = table["effectif"].to_numpy(dtype=float)
    is_rate = (_kinds(table) if kind is None else kind) == "rate"
    numerator = np.where(is_rate & (effectif > 0), np.round(np.nan_to_num(value) * np.nan_to_num(effectif)), 0.0)
    return np.column_stack([np.nan_to_num(value), numerator, np.where(is_rate, np.nan_to_num(effectif), 0.0)]).reshape(-1)


def primary(table: pd.DataFrame, seuil: int, kind: np.ndarray | None = None) -> np.ndarray:
    """The cells that break a rule by themselves (see the module docstring), ``3 * row + kind``."""
    value = table["valeur"].to_numpy(dtype=float)
    effectif = table["effectif"].to_numpy(dtype=float)
    indicator = table["indicateur"]
    kind = _kinds(table) if kind is None else kind
    small = (value >= 1) & (value <= seuil)
    on_value = ((indicator.isin(PERSON_COUNTS).to_numpy() & small)
                | (indicator.isin(COMPANY_COUNTS).to_numpy() & (value >= 1) & (value < MIN_COMPANIES)))
    if "employeurs" in table.columns:
        employers = table["employeurs"].to_numpy(dtype=float)
        dominant = table["part_premier_employeur"].to_numpy(dtype=float) > MAX_COMPANY_SHARE
        persons = table["personnes_heures"].to_numpy(dtype=float) if "personnes_heures" in table.columns else np.full(len(table), np.inf)
        on_value |= (indicator == "heures").to_numpy() & (value > 0) & ((employers < MIN_COMPANIES) | dominant | ((persons >= 1) & (persons <= seuil)))
    cells = cell_values(table, kind).reshape(-1, 3)
    is_rate = kind == "rate"
    return np.column_stack([on_value,
                            is_rate & (cells[:, K] >= 1) & (cells[:, K] <= seuil),
                            is_rate & (cells[:, N] >= 1) & (cells[:, N] <= seuil)]).reshape(-1)


class _Rows:
    """Row positions of the table by key. Keys are integer codes (one per column of :data:`KEYS`);
    a lookup takes, for each key, a scalar (a label) or an array of codes."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.codes, self.labels = {}, {}
        for key in KEYS:
            codes, uniques = pd.factorize(table[key])
            self.codes[key] = codes.astype(np.int64)
            self.labels[key] = {value: i for i, value in enumerate(uniques)}
        self.radix = [len(self.labels[k]) + 1 for k in KEYS]
        self.index = pd.Index(self._composite([self.codes[k] for k in KEYS]))

    def _composite(self, codes: list) -> np.ndarray:
        composite = np.zeros(np.broadcast(*codes).shape, dtype=np.int64)
        missing = np.zeros(composite.shape, dtype=bool)
        for code, radix in zip(codes, self.radix):
            composite = composite * radix + np.maximum(code, 0)
            missing |= np.asarray(code) < 0
        return np.where(missing, -1, composite)

    def code(self, key: str, value) -> np.ndarray | int:
        """The code of a label (-1 when absent), or of each label of a Series, or codes as given."""
        if isinstance(value, pd.Series):
            return value.map(self.labels[key]).fillna(-1).to_numpy(dtype=np.int64)
        if isinstance(value, np.ndarray):
            return value
        return self.labels[key].get(value, -1)

    def find(self, **keys) -> np.ndarray:
        """Positions of the rows with these keys (``annee=...``, codes or labels, arrays broadcast),
        -1 where absent."""
        composite = self._composite([np.asarray(self.code(k, keys[k])) for k in KEYS])
        found = self.index.get_indexer(composite.ravel())
        return np.where(composite.ravel() < 0, -1, found)


class _System:
    """Relations being gathered: arrays of (equation key, cell, is total)."""

    def __init__(self, rows: int) -> None:
        self.width = np.int64(rows + 1) * 64
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.families = 0

    def add(self, anchor: np.ndarray, total: np.ndarray, total_kind: int, parts: list[tuple[np.ndarray, int]], extra=0) -> None:
        """Relations ``total = sum of parts`` of a new family, one per element of ``anchor`` (row
        positions; ``extra`` tells apart relations of one anchor; ``total`` the same row for the
        same anchor and extra): each member an array of row positions (-1: absent, the relation is
        dropped) and the cell kind taken from its row. Each cell is once in its relation: a total
        shared by several parts is written at its first."""
        anchor = np.asarray(anchor, dtype=np.int64)
        key = self.families * self.width + np.maximum(anchor, 0) * 64 + np.asarray(extra, dtype=np.int64)
        self.families += 1
        once = np.sort(np.unique(key, return_index=True)[1])
        members = [(key[once], np.asarray(total, dtype=np.int64)[once], total_kind, True),
                   *((key, np.asarray(r, dtype=np.int64), k, False) for r, k in parts)]
        keys = np.concatenate([np.broadcast_to(k, len(r)) for k, r, _, _ in members])
        rows = np.concatenate([r for _, r, _, _ in members])
        cells = 3 * rows + np.concatenate([np.full(len(r), k) for _, r, k, _ in members])
        totals = np.concatenate([np.full(len(r), t) for _, r, _, t in members])
        ok = ~np.isin(keys, keys[rows < 0])
        self.parts.append((keys[ok], cells[ok], totals[ok]))

    def gathered(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The relations gathered: each member's relation (numbered in order of first appearance),
        cell and whether it is the total."""
        return (pd.factorize(np.concatenate([k for k, _, _ in self.parts]))[0], np.concatenate([c for _, c, _ in self.parts]),
                np.concatenate([t for _, _, t in self.parts]))


class _Members:
    """Members of relations, column by column (those of :func:`equations`). A selection keeps the
    positions it takes and takes a column the first time it is asked for (most are not)."""

    def __init__(self, columns: dict[str, np.ndarray], positions: np.ndarray | None = None) -> None:
        self._columns, self._positions, self._taken = columns, positions, {}

    @classmethod
    def of(cls, system: "pd.DataFrame | _Members") -> "_Members":
        """The members of ``system`` (a frame of :func:`equations`; without ``limit``, none is an inequality)."""
        if isinstance(system, _Members):
            return system
        columns = {name: system[name].to_numpy() for name in system.columns}
        columns.setdefault("limit", np.zeros(len(system), dtype=bool))
        return cls(columns)

    def __len__(self) -> int:
        return len(self._columns["cell"]) if self._positions is None else len(self._positions)

    def __getitem__(self, name: str) -> np.ndarray:
        if self._positions is None:
            return self._columns[name]
        if name not in self._taken:
            self._taken[name] = self._columns[name][self._positions]
        return self._taken[name]

    def take(self, chosen: np.ndarray) -> "_Members":
        """The members at the positions ``chosen`` (or where it is True)."""
        chosen = np.flatnonzero(chosen) if chosen.dtype == bool else chosen
        return _Members(self._columns, chosen if self._positions is None else self._positions[chosen])


def equations(table: pd.DataFrame, rows: _Rows | None = None, kinds: np.ndarray | None = None) -> pd.DataFrame:
    """Every linear relation of the published table (see the module docstring): one row per cell
    of a relation, ``equation`` (a number), ``cell`` (``3 * row + kind``), ``total`` (the cell is
    the relation's total), ``scope`` (the year of its cells: a year's relations, within and across
    territories, are examined together), ``across`` (a relation between territories), ``bound``
    (the territories' sum only bounds the ``ensemble``) and ``limit`` (an inequality a reader knows,
    ``parts <= total``: a rate's numerator at most its denominator; for the linear programs only,
    not the rules on each relation). ``rows``, ``kinds``:
    the table's index and its rows' kinds, when known."""
    return pd.DataFrame(_relations(table, rows, kinds))


def _relations(table: pd.DataFrame, rows: _Rows | None = None, kinds: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The columns of :func:`equations`."""
    table = table.reset_index(drop=True)
    rows = _Rows(table) if rows is None else rows
    codes = rows.codes
    positions = np.arange(len(table))
    within, across = _System(len(table)), _System(len(table))
    # Labels compared as integer codes (a national table has ~800 000 rows).
    indicator, dimension = codes["indicateur"], codes["dimension"]

    def named(key: str, *labels: str) -> np.ndarray:
        return np.array([rows.code(key, label) for label in labels], dtype=np.int64)

    for name, dim in ADDITIVE:
        cells = positions[(indicator == rows.code("indicateur", name)) & (dimension == rows.code("dimension", dim))]
        total = rows.find(annee=codes["annee"][cells], territoire=codes["territoire"][cells], indicateur=name, dimension="ensemble", modalite="ensemble")
        within.add(total, total, V, [(cells, V)], extra=rows.code("dimension", dim))
    # The situation codes of each group add up to the group's cell.
    group_of = pd.Series({code: group for code, (_, group) in SITUATION.items()})
    codes_rows = positions[(indicator == rows.code("indicateur", "sortants")) & (dimension == rows.code("dimension", "situation"))]
    group = rows.find(annee=codes["annee"][codes_rows], territoire=codes["territoire"][codes_rows], indicateur="sortants",
                      dimension="situation_groupe", modalite=table["modalite"].iloc[codes_rows].map(group_of).reset_index(drop=True))
    within.add(group, group, V, [(codes_rows, V)])

    leavers = positions[(indicator == rows.code("indicateur", "sortants")) & (dimension == rows.code("dimension", "ensemble"))]
    at = {"annee": codes["annee"][leavers], "territoire": codes["territoire"][leavers]}

    def find(name: str, dim: str = "ensemble", modality: str = "ensemble") -> np.ndarray:
        return rows.find(**at, indicateur=name, dimension=dim, modalite=modality)

    def group_cell(name: str) -> tuple[np.ndarray, int]:
        return find("sortants", "situation_groupe", name), V

    pending, knowledge, dynamic = find(NOT_OBSERVABLE[0]), find(KNOWLEDGE_RATE[0]), find("taux_sorties_dynamiques")
    known = [group_cell(g) for g in ("emploi_durable", "emploi_transition", "sortie_positive", "autre_sortie")]
    # leavers = every situation group + those not yet observable
    within.add(leavers, leavers, V, [*(group_cell(g) for g in SITUATION_GROUPE), (pending, V)])
    # ... = denominator of the knowledge rate + neutralised + not yet observable
    within.add(leavers, leavers, V, [(knowledge, N), group_cell("neutralisee"), (pending, V)])
    within.add(leavers, knowledge, N, [*known, group_cell("inconnue")])
    within.add(leavers, knowledge, N, [(knowledge, K), group_cell("inconnue")])
    within.add(leavers, knowledge, K, known)
    within.add(leavers, knowledge, K, [(dynamic, K), group_cell("autre_sortie")])
    for code, (_, groups) in RATES.items():
        within.add(leavers, find(code), K, [group_cell(g) for g in groups])
    # Within each group of leavers (overall, by sex, age band or public): every rate but the
    # knowledge rate has the known situations as denominator; dynamic exits add up the others.
    groups_ = positions[indicator == rows.code("indicateur", KNOWLEDGE_RATE[0])]
    at = {"annee": codes["annee"][groups_], "territoire": codes["territoire"][groups_], "dimension": codes["dimension"][groups_],
          "modalite": codes["modalite"][groups_]}
    for code in RATES:
        within.add(groups_, rows.find(**at, indicateur=code), N, [(groups_, K)])
    within.add(groups_, rows.find(**at, indicateur="taux_sorties_dynamiques"), K,
               [(rows.find(**at, indicateur=c), K) for c in ("taux_emploi_durable", "taux_emploi_transition", "taux_sortie_positive")])
    # Rates by sex and by age band add up to the overall rate's numerator and denominator.
    by = positions[np.isin(indicator, named("indicateur", KNOWLEDGE_RATE[0], *RATES)) & np.isin(dimension, named("dimension", *ADDITIVE_RATE_DIMENSIONS))]
    overall = rows.find(annee=codes["annee"][by], territoire=codes["territoire"][by], indicateur=codes["indicateur"][by],
                        dimension="ensemble", modalite="ensemble")
    for kind in (K, N):
        within.add(overall, overall, kind, [(by, kind)], extra=codes["dimension"][by])

    # Across territories: the ensemble cell is the sum of the territories' cells (disjoint for
    # hours, contracts, operations and leavers; for persons, employers and buyers, ``bound``, the
    # sum only bounds it: the rules of :func:`secondary` on each relation treat it as equal, which
    # suppresses more, never less; linear programming takes it as it is).
    kinds = _kinds(table) if kinds is None else kinds
    parts = positions[np.isin(kinds, ["count", "hours", "rate"]) & (codes["territoire"] != rows.code("territoire", "ensemble"))]
    whole = rows.find(annee=codes["annee"][parts], territoire="ensemble", indicateur=codes["indicateur"][parts],
                      dimension=codes["dimension"][parts], modalite=codes["modalite"][parts])
    rate = kinds[parts] == "rate"
    across.add(whole[~rate], whole[~rate], V, [(parts[~rate], V)])
    for kind in (K, N):
        across.add(whole[rate], whole[rate], kind, [(parts[rate], kind)])
    # What a reader knows beyond the equalities (an inequality, for the linear programs only): a
    # rate's numerator is at most its denominator (a reviewer bounded 93 masked counts with it).
    limits = _System(len(table))
    rates = positions[kinds == "rate"]
    limits.add(rates, rates, N, [(rates, K)])
    # ... and a count of a subset of people or contracts is at most the count of the whole (the
    # leavers of a year are persons in contract that year: a reviewer bounded a masked count of
    # 22 leavers between 18 and 24 with it, at seuil 11).
    for part, whole in SUBSETS:
        parts = positions[(indicator == rows.code("indicateur", part)) & (dimension == rows.code("dimension", "ensemble"))]
        limits.add(parts, rows.find(annee=codes["annee"][parts], territoire=codes["territoire"][parts], indicateur=whole,
                                    dimension="ensemble", modalite="ensemble"), V, [(parts, V)])
    (equation, cell, total), (equation_, cell_, total_), (equation__, cell__, total__) = within.gathered(), across.gathered(), limits.gathered()
    cells = np.concatenate([cell, cell_, cell__])
    first_across = equation.max(initial=-1) + 1
    first_limit = first_across + equation_.max(initial=-1) + 1
    return {"equation": np.concatenate([equation, equation_ + first_across, equation__ + first_limit]), "cell": cells,
            "total": np.concatenate([total, total_, total__]), "scope": codes["annee"][cells // 3],
            "across": np.repeat([False, True, False], [len(cell), len(cell_), len(cell__)]),
            "bound": np.concatenate([np.zeros(len(cell), dtype=bool), np.isin(indicator[cell_ // 3], named("indicateur", *SHARED)),
                                     np.zeros(len(cell__), dtype=bool)]),
            "limit": np.repeat([False, False, True], [len(cell), len(cell_), len(cell__)])}


def _linked(system: _Members, masked: np.ndarray) -> tuple:
    """The suppressed members of the relations of ``system`` and the groups they form (suppressed
    cells linked by the relations they share; cells and relations are the nodes of one graph):
    those members, the distinct cells and each member's, the distinct relations and each member's,
    and the group of every cell then of every relation."""
    within = system.take(masked[system["cell"]])
    cells, cell_index = _distinct(within["cell"])
    equations_, equation_index = _distinct(within["equation"])
    if not len(within):
        return within, cells, cell_index, equations_, equation_index, np.array([], dtype=np.int32)
    # Each member linked to its relation's first member: a graph of the cells only.
    first = np.empty(len(equations_), dtype=cell_index.dtype)
    first[equation_index[::-1]] = cell_index[::-1]
    graph = csr_matrix((np.ones(len(within), dtype=np.int8), (cell_index, first[equation_index])), shape=(len(cells),) * 2)
    component = connected_components(graph, directed=False)[1]
    return within, cells, cell_index, equations_, equation_index, np.r_[component, component[first]]


def _programmed(within: _Members, cells: np.ndarray, cell_index: np.ndarray, component: np.ndarray, all_whole: bool = False) -> np.ndarray:
    """Whether each group of :func:`_linked` is examined whole by linear programming: every group
    when ``all_whole``; else a group of at most :data:`_PROGRAM_CELLS` suppressed cells, or any group
    of a year whose groups above that hold at most :data:`_LARGE_GROUP_CELLS` suppressed cells in
    all (a table of a few dozen territories; not a national one, whose whole examination takes
    from a few seconds to a few minutes a year)."""
    size = np.bincount(component[: len(cells)], minlength=component.max(initial=-1) + 1)
    scope = np.zeros(len(size), dtype=np.int64)
    scope[component[cell_index]] = within["scope"]
    large = size > _PROGRAM_CELLS
    in_large = np.bincount(scope[large], weights=size[large], minlength=scope.max(initial=-1) + 1)
    return (size > 0) & (all_whole | ~large | (in_large[scope] <= _LARGE_GROUP_CELLS))


def _narrow(system: _Members, values: np.ndarray, masked: np.ndarray, protection: np.ndarray, hours: np.ndarray,
            witnesses: "_Witnesses", bases: list, scopes: np.ndarray | None = None, seen: dict | None = None,
            all_whole: bool = False, bounds: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Suppressed cells that the relations of their year, taken together, bound closer than their
    protection interval (``protection`` persons; hours: :data:`HOURS_PROTECTION` of the greatest
    value): the least and the greatest value of each by linear programming (the dual simplex of
    HiGHS, :func:`_solve`; every cell at least 0, a published cell at its value, counts
    rounded inward), as the attacker of :mod:`impact.disclosure_audit` does. It finds the cells the
    relations determine (their interval is one value) and those that combining relations bounds
    (the difference of two relations that share cells, the signs of the values).

    The groups of suppressed cells linked by their relations (:func:`_groups`) are examined whole
    when :func:`_programmed` allows it (all when ``all_whole``); the others (a national table, where the
    ``ensemble`` links the territories of a year) territory by territory, on the relations within
    each territory: fewer relations allow more, so a cell found narrow there is narrow, but one
    bounded through the relations across territories is not found (:func:`_secondary` examines
    those years again whole when asked to be complete).
    ``all_whole``: every group examined whole, however large (what ``complet`` asks of :func:`mask`).
    Returns the cells found narrow in whole groups, then those found within their territory, and
    the years (``scope``) whose groups were examined territory by territory.
    ``scopes``: the years to examine (default: all; the rows of ``system`` in the order of their
    year); ``seen`` keeps the answers from call to call.
    ``witnesses`` (:class:`_Witnesses`, updated): what each cell was seen to take. ``bases``
    (updated), for the whole groups then the territories' relations: each cell's and each
    relation's status in the basis of the first solution of its group's program, where that
    group's next program starts (a group grown by a few suppressed cells needs a few pivots).
    ``bounds`` (cells x 2): bounds the relations imply on each suppressed cell (:func:`_propagated`),
    given to the programs (fewer of them; default: none)."""
    seen = {} if seen is None else seen
    if scopes is not None:  # the system's rows are in the order of their year
        scope = system["scope"]
        system = system.take(_ranges(np.searchsorted(scope, scopes), np.searchsorted(scope, scopes, side="right")))
    levels = _groups(system, masked, all_whole)
    whole, local = (np.unique(_bounded(frame, cells, label, values, masked, protection, hours, witnesses, bases[level], seen, level, bounds))
                    for level, (frame, cells, label) in enumerate(levels))
    return whole, local, np.unique(levels[1][0]["scope"])


def _propagated(system: _Members, values: np.ndarray, masked: np.ndarray, protection: np.ndarray, hours: np.ndarray,
                bounds: np.ndarray) -> np.ndarray:
    """Suppressed cells that the relations of ``system`` bound closer than their protection,
    found without a program: each cell's bounds propagated relation by relation (a cell lies
    within what its relation leaves it given the others' bounds) until they hold still. These
    intervals contain the ones the linear programs find (each relation is taken alone), so a cell
    narrow here is narrow for :func:`_narrow` as well, unless it can only be 0: only cells of a
    true value above 0 (or bounded above 0) are told. A fraction of the time of the programs:
    secondary suppression answers these first, and leaves the programs the cells this misses
    (in a national table, one in five of those found narrow at seuils 5 and 11). ``bounds``
    (cells x 2, updated): the least and greatest value of each suppressed cell of ``system`` (a
    hair wider: what the programs may take as its bounds)."""
    cell = system["cell"]
    lines = _distinct(system["equation"][masked[cell]])[0]
    frame = system.take(_among(system["equation"], lines))
    hidden = masked[frame["cell"]]
    columns, column = _distinct(frame["cell"][hidden])
    matrix, constant, equal, _, box = _program(frame, hidden, column, len(columns), values)
    by_column = matrix.tocsc()
    least, most = box[:, 0].copy(), box[:, 1].copy()
    active = np.arange(matrix.shape[0])  # the rows to look at: at first all, then those of cells just tightened
    for _ in range(_PROPAGATION_ROUNDS):
        taken = _ranges(matrix.indptr[active], matrix.indptr[active + 1])
        if not len(taken):
            break
        row = np.repeat(np.arange(len(active)), np.diff(matrix.indptr)[active])
        col = matrix.indices[taken]
        floor, ceiling, _ = _reach(row, matrix.data[taken], least[col], most[col], constant[active], equal[active])
        order = np.argsort(col, kind="stable")
        starts = np.flatnonzero(np.r_[True, col[order][1:] != col[order][:-1]])
        at = col[order][starts]
        rise = np.maximum.reduceat(floor[order], starts) - least[at]
        fall = most[at] - np.minimum.reduceat(ceiling[order], starts)
        scale = _TOLERANCE * np.maximum(1.0, np.abs(values[columns[at]]))
        tightened = (rise > scale) | (fall > scale)
        if not tightened.any():
            break
        least[at] += np.maximum(rise, 0.0)
        most[at] -= np.maximum(fall, 0.0)
        moved = at[tightened]
        active = _distinct(by_column.indices[_ranges(by_column.indptr[moved], by_column.indptr[moved + 1])])[0]
    slack = _TOLERANCE * np.maximum(1.0, np.abs(values[columns]))
    bounds[columns] = np.column_stack([np.maximum(least - slack, 0.0), np.where(most >= _CAP, _CAP, most + slack)])
    told = (values[columns] > 0) | (least > 0.5)
    narrow = told & (least <= most + _TOLERANCE) & _judged(least, most, hours[columns], protection[columns])
    return columns[narrow]


class _Witnesses:
    """For each level (whole groups, then the territories' relations), the least and greatest value
    each suppressed cell was seen to take in a solution: its true value until it is examined;
    suppressing more cells only widens what the relations allow, so they stay values it can take.
    Kept for the cells examined only (a few hundred thousand of a national table's 2.4 million)."""

    def __init__(self, values: np.ndarray) -> None:
        self._values, self._slot, self._kept = values, np.full(len(values), -1, dtype=np.int64), np.empty((2, 2, 0))

    def slots(self, cells: np.ndarray) -> np.ndarray:
        """Where the witnesses of ``cells`` are kept (room made for those never examined; take
        :meth:`of` after)."""
        new = np.unique(cells[self._slot[cells] < 0])
        if len(new):
            self._slot[new] = self._kept.shape[2] + np.arange(len(new))
            self._kept = np.concatenate([self._kept, np.broadcast_to(self._values[new], (2, 2, len(new)))], axis=2)
        return self._slot[cells]

    def of(self, level: int) -> np.ndarray:
        """The witnesses of a level (2 x kept cells; updated in place)."""
        return self._kept[level]


def _bounded(frame: _Members, cells: np.ndarray, label: np.ndarray, values: np.ndarray, masked: np.ndarray,
             protection: np.ndarray, hours: np.ndarray, witnesses: "_Witnesses", bases: tuple, seen: dict, level: int,
             bounds: np.ndarray | None = None) -> np.ndarray:
    """The suppressed ``cells`` (in groups: ``label``, in order) that the relations of ``frame``
    bound closer than their protection; a group examined before in the same state (``seen``, by
    ``level`` and its cells) is not examined again. ``bases`` (updated): the simplex basis of the
    last first solution of each cell's and each relation's group (:func:`_too_narrow`);
    ``bounds``: see :func:`_narrow`."""
    if not len(cells):
        return np.array([], dtype=np.int64)
    first = np.r_[True, label[1:] != label[:-1]]
    starts = np.flatnonzero(first)
    # A group's key: its level, its size and two sums of its cells' hashes (64 bits each).
    keys = list(zip([level] * len(starts), np.diff(np.r_[starts, len(cells)]).tolist(),
                    *(np.add.reduceat(_mixed(cells, seed), starts).tolist() for seed in (1, 2))))
    answered = np.array([key in seen for key in keys], dtype=bool)
    known = [seen[key] for key, done in zip(keys, answered) if done]
    todo = ~answered[np.cumsum(first) - 1]
    if not todo.any():
        return np.concatenate([np.array([], dtype=np.int64), *known])
    members, member_group = cells[todo], np.cumsum(first[todo]) - 1
    groups = member_group[-1] + 1
    cell = frame["cell"]
    lines = _distinct(frame["equation"][masked[cell] & _among(cell, members)])[0]
    frame = frame.take(_among(frame["equation"], lines))
    cell = frame["cell"]
    hidden = masked[cell]
    columns, column = _distinct(cell[hidden])
    matrix, constant, equal, relation, box = _program(frame, hidden, column, len(columns), values)
    if bounds is not None:
        box = np.column_stack([np.maximum(box[:, 0], bounds[columns, 0]), np.minimum(box[:, 1], bounds[columns, 1])])
    group = np.empty(len(columns), dtype=int)
    group[np.searchsorted(columns, members)] = member_group
    entries = matrix.tocoo()
    # A group of one equality (most of them: two or three cells of a breakdown) needs no program;
    # nor does a cell no row is left for (its only relation bounds it: :func:`_program`).
    row_group = np.zeros(matrix.shape[0], dtype=int)  # every row has a suppressed cell
    row_group[entries.row] = group[entries.col]
    rows = np.bincount(row_group, minlength=groups)
    closed = ((rows == 1) & (np.bincount(row_group, weights=equal, minlength=groups) == 1)) | (rows == 0)
    lone = closed[group[entries.col]]  # each cell of such a group is once in its row
    narrow = np.zeros(len(columns), dtype=bool)
    position = witnesses.slots(columns)  # where each column's witnesses are kept
    kept = witnesses.of(level)
    seen_values = kept[:, position[entries.col[lone]]]
    narrow[entries.col[lone]] = _one_relation(entries.row[lone], entries.data[lone], entries.col[lone], constant, box,
                                              hours[columns], protection[columns], seen_values)
    kept[:, position[entries.col[lone]]] = seen_values
    free = np.flatnonzero(rows[group] == 0)
    seen_values = kept[:, position[free]]
    np.minimum(seen_values[0], box[free, 0], out=seen_values[0])
    np.maximum(seen_values[1], box[free, 1], out=seen_values[1])
    narrow[free] = _judged(seen_values[0], seen_values[1], hours[columns[free]], protection[columns[free]])
    kept[:, position[free]] = seen_values
    # The other groups solved together up to a few thousand unknowns: the simplex slows down
    # faster than the problem grows, so many groups in one problem take longer than in a few.
    size = np.where(closed, 0, np.bincount(group, minlength=groups))
    batch = np.where(closed, -1, (np.cumsum(size) - size) // _BATCH_UNKNOWNS)
    row_batch = batch[row_group]

    def examine(number: int) -> None:
        on, lines = np.flatnonzero(batch[group] == number), np.flatnonzero(row_batch == number)
        seen_values = kept[:, position[on]]
        known = relation[lines] >= 0
        statuses = [bases[0][columns[on]], np.where(known, bases[1][np.maximum(relation[lines], 0)], _BASIC).astype(np.int8)]
        narrow[on] = _too_narrow(matrix[lines][:, on], constant[lines], equal[lines], np.unique(group[on], return_inverse=True)[1],
                                 hours[columns[on]], protection[columns[on]], seen_values, values[columns[on]], statuses, box[on])
        kept[:, position[on]] = seen_values
        bases[0][columns[on]], bases[1][relation[lines][known]] = statuses[0], statuses[1][known]

    numbers = np.unique(batch[batch >= 0])
    with ThreadPoolExecutor(max(1, min(_THREADS, len(numbers)))) as threads:  # batches share no cell
        list(threads.map(examine, numbers))
    found = columns[narrow]
    nothing = np.array([], dtype=np.int64)
    answers = dict.fromkeys((key for key, done in zip(keys, answered) if not done), nothing)
    todo_keys = list(answers)
    for number in np.unique(group[narrow]):
        answers[todo_keys[number]] = found[group[narrow] == number]
    seen.update(answers)
    return np.concatenate([found, *known])


def _mixed(items: np.ndarray, seed: int) -> np.ndarray:
    """A 64-bit hash of each integer (splitmix64): sums of them tell sets apart."""
    z = items.astype(np.uint64) + np.uint64(seed * 0x9E3779B97F4A7C15 % 2**64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _program(frame: _Members, hidden: np.ndarray, column: np.ndarray, width: int, values: np.ndarray) -> tuple:
    """The relations of ``frame`` as a linear program in its ``hidden`` cells (numbered ``column``,
    ``width`` of them), published cells moved to the right-hand side: the rows, their right-hand
    side, whether each is an equality (else ``<=``), its relation (-1: a part's row below), and
    each unknown's least and greatest value (``width`` x 2; 0 and :data:`_CAP` but where a ``limit``
    relation with one suppressed cell bounds it: a numerator under its published denominator).
    ``sum of parts - total = 0``; for a ``bound`` relation, ``sum of parts - total >= 0`` and ``part - total <= 0`` for each part;
    for a ``limit`` one, ``sum of parts - total <= 0``."""
    cell = frame["cell"]
    total = frame["total"]
    lines, line = _distinct(frame["equation"])
    bound, limit = np.zeros(len(lines), dtype=bool), np.zeros(len(lines), dtype=bool)
    bound[line], limit[line] = frame["bound"], frame["limit"]
    sign = np.where(total, -1.0, 1.0) * np.where(bound[line], -1.0, 1.0)
    value = values[cell]
    rows, columns, coefficients = [line[hidden]], [column], [sign[hidden]]
    constant = [-np.bincount(line[~hidden], weights=sign[~hidden] * value[~hidden], minlength=len(lines))]
    # part - total <= 0, one row per part of a bound relation
    of_total = np.full(len(lines), -1)
    of_total[line[total]] = np.flatnonzero(total)
    part = np.flatnonzero(bound[line] & ~total)
    whole = of_total[line[part]]
    pair = np.arange(len(part)) + len(lines)
    full_column = np.full(len(frame), -1)
    full_column[hidden] = column
    for members, coefficient in ((part, 1.0), (whole, -1.0)):
        shown = ~hidden[members]
        rows.append(pair[~shown])
        columns.append(full_column[members[~shown]])
        coefficients.append(np.full((~shown).sum(), coefficient))
        constant.append(np.zeros(len(part)))
        np.subtract.at(constant[-1], np.flatnonzero(shown), coefficient * value[members[shown]])
    rhs = np.concatenate([constant[0], constant[1] + constant[2]])
    matrix = coo_matrix((np.concatenate(coefficients), (np.concatenate(rows), np.concatenate(columns))),
                        shape=(len(lines) + len(part), width)).tocsr()
    used = np.diff(matrix.indptr) > 0  # a row of published cells only says nothing
    # An inequality on one suppressed cell is a bound on it (a closed-form group stays one).
    single = np.flatnonzero(np.r_[limit, np.zeros(len(part), dtype=bool)] & (np.diff(matrix.indptr) == 1))
    at, coefficient = matrix.indices[matrix.indptr[single]], matrix.data[matrix.indptr[single]]
    box = np.column_stack([np.zeros(width), np.full(width, _CAP)])
    np.minimum.at(box[:, 1], at[coefficient > 0], rhs[single][coefficient > 0] / coefficient[coefficient > 0])
    np.maximum.at(box[:, 0], at[coefficient < 0], rhs[single][coefficient < 0] / coefficient[coefficient < 0])
    used[single] = False
    equal = np.r_[~bound & ~limit, np.zeros(len(part), dtype=bool)]
    return matrix[used], rhs[used], equal[used], np.r_[lines, np.full(len(part), -1)][used], box


def _solve(objective: np.ndarray, bounds: np.ndarray, matrix, lower: np.ndarray, upper: np.ndarray,
           start: tuple[np.ndarray, np.ndarray] | None = None, keep: bool = False) -> tuple[np.ndarray | None, tuple | None]:
    """The ``x`` that minimises ``objective @ x`` with ``lower <= matrix @ x <= upper`` and
    ``bounds[:, 0] <= x <= bounds[:, 1]`` (dual simplex of HiGHS), or None when there is none;
    with its basis when ``keep`` (the status of each column, then of each row: :data:`_LOWER`,
    :data:`_BASIC`, :data:`_UPPER`). ``start``: a basis to start from (a program solved before on
    the same relations: the simplex then needs a fraction of the pivots).

    HiGHS is called through the bare solver class of ``highspy``: :func:`scipy.optimize.linprog`
    spends a third of the time of these programs in Python, and ``highspy.Highs`` prints a banner
    and calls back into Python while it solves. Without presolve: from HiGHS 1.13 on, presolve
    took 12 s on one program of the national table that it solves in 0.1 s without."""
    matrix = csc_matrix(matrix)
    solver = _Highs()
    for option, value in (("output_flag", False), ("solver", "simplex"), ("simplex_strategy", 1), ("presolve", "off"),
                          ("primal_feasibility_tolerance", _TOLERANCE)):
        solver.setOptionValue(option, value)
    # The arrays passed as they are (a model built field by field copies each through Python).
    floats = (np.ascontiguousarray(a, dtype=np.float64) for a in (objective, bounds[:, 0], bounds[:, 1], lower, upper))
    if solver.passModel(matrix.shape[1], matrix.shape[0], matrix.nnz, _COLWISE, _MINIMIZE, 0.0, *floats,
                        matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32), matrix.data.astype(np.float64),
                        np.zeros(matrix.shape[1], dtype=np.int32)) == highspy.HighsStatus.kError:
        raise ValueError("programme linéaire refusé par HiGHS (valeur non finie ?)")
    if start is not None:
        basis = highspy.HighsBasis()
        basis.col_status, basis.row_status = _STATUSES[start[0]].tolist(), _STATUSES[start[1]].tolist()
        basis.valid = True
        solver.setBasis(basis)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None, None
    if not keep:
        return np.asarray(solver.getSolution().col_value), None
    basis = solver.getBasis()
    return np.asarray(solver.getSolution().col_value), tuple(np.fromiter(map(int, statuses), dtype=np.int8, count=count)
                                                             for statuses, count in ((basis.col_status, matrix.shape[1]), (basis.row_status, matrix.shape[0])))


def _too_narrow(matrix, constant: np.ndarray, equal: np.ndarray, group: np.ndarray, hours: np.ndarray, protection: np.ndarray,
                witnesses: np.ndarray, start: np.ndarray, statuses: list | None = None, box: np.ndarray | None = None) -> np.ndarray:
    """Which unknowns ``x`` within ``box`` (per unknown: least, greatest; default 0 and :data:`_CAP`) with ``matrix @ x = constant`` (``<=`` where not ``equal``) lie in an interval narrower than
    their protection (hours: :data:`HOURS_PROTECTION` of the greatest value; counts rounded
    inward). The unknowns fall into independent ``group``s (no row links two); a group whose
    relations contradict each other (not a table of the kit) discloses nothing. ``witnesses``
    (2 x unknowns, updated): the least and greatest value each was seen to take in a solution;
    ``start``: a solution (the true values; counts are whole numbers); ``statuses`` (updated): the
    status of each unknown and row in a basis to start from (default: all unknowns at 0), then in
    the basis of the first solution.

    Every solution shows values the unknowns can take. The solutions reached from ``start`` along
    the relations' null space (:func:`_moved`) come first, with no program: a group whose unknowns
    they all spread over their protection is done (most are). In the others, a first solution
    (any), whose basis the next programs start from (they are copies of the same relations); then
    the unknowns not yet seen spread over their protection are pushed all together up to their
    least value seen plus their protection (the greatest sum of ``min(x, target)``, which many of
    them reach at once) and down to their greatest value seen less it, while that pays; in a group
    too large to be copied, those left are pushed :data:`_PER_PUSH` at a time; those left then get
    their own least and greatest value, up to :data:`_COPIES` of them in one problem (each in its
    own copy of its group's relations)."""
    entries = matrix.tocoo()
    size = matrix.shape[1]
    box = np.column_stack([np.zeros(size), np.full(size, _CAP)]) if box is None else box
    # Unknowns their bounds judge once seen above 0: narrow (a numerator under a small published
    # denominator); or only 0 (under a denominator of 0).
    boxed = _judged(box[:, 0], box[:, 1], hours, protection)
    settled = box[:, 1] <= _TOLERANCE
    groups = group.max(initial=-1) + 1
    row_group = np.zeros(matrix.shape[0], dtype=int)
    row_group[entries.row] = group[entries.col]

    def by_group(owner: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The chosen items in group order, where each group's start, and each item's rank in it."""
        items = np.flatnonzero(chosen)
        items = items[np.argsort(owner[items], kind="stable")]
        starts = np.searchsorted(owner[items], np.arange(groups + 1))
        rank = np.zeros(len(owner), dtype=int)
        rank[items] = np.arange(len(items)) - starts[owner[items]]
        return items, starts, rank

    columns, column_starts, rank = by_group(group, np.ones(size, dtype=bool))
    entry_order, entry_starts, _ = by_group(group[entries.col], np.ones(entries.nnz, dtype=bool))
    kinds = [by_group(row_group, equal), by_group(row_group, ~equal)]  # equalities, then <= rows
    least, most = witnesses
    valid = np.ones(groups, dtype=bool)
    # The basis of the first solution, unknown by unknown and row by row: the other programs are
    # copies of the same relations and start from it.
    if statuses is None:
        statuses = [np.full(size, _LOWER, dtype=np.int8), np.full(matrix.shape[0], _BASIC, dtype=np.int8)]

    def solve(copies: np.ndarray, objective: np.ndarray, extra: tuple | None = None, first: bool = False) -> bool:
        """One problem made of a copy of the relations of each group of ``copies``; ``extra``:
        more unknowns (t) with their ``A_ub`` rows (``<= 0``), bounds and starting status. Its x
        are kept; so is its basis when it is the ``first``."""
        unknowns = columns[_ranges(column_starts[copies], column_starts[copies + 1])]
        offset = offsets(copies)
        taken = entry_order[_ranges(entry_starts[copies], entry_starts[copies + 1])]
        copy = np.repeat(np.arange(len(copies)), entry_starts[copies + 1] - entry_starts[copies])
        added = 0 if extra is None else len(extra[1])
        blocks = []
        for (rows, starts, row_rank), which in zip(kinds, (True, False)):
            on = equal[entries.row[taken]] == which
            line = np.r_[0, np.cumsum(starts[copies + 1] - starts[copies])]
            shape = (line[-1], offset[-1] + added)
            taken_rows = rows[_ranges(starts[copies], starts[copies + 1])]
            blocks.append((coo_matrix((entries.data[taken][on], (line[copy[on]] + row_rank[entries.row[taken][on]],
                                                               offset[copy[on]] + rank[entries.col[taken][on]])), shape=shape).tocsr(),
                           constant[taken_rows], taken_rows))
        (a_eq, b_eq, eq_rows), (a_ub, b_ub, ub_rows) = blocks
        bounds = box[unknowns]
        warm = (statuses[0][unknowns], np.r_[statuses[1][eq_rows], statuses[1][ub_rows]])
        if extra is not None:
            coupling, t_bounds, t_status = extra
            a_ub, b_ub = vstack([a_ub, coupling]).tocsr(), np.r_[b_ub, np.zeros(added)]
            bounds = np.vstack([bounds, t_bounds])
            warm = (np.r_[warm[0], t_status], np.r_[warm[1], np.full(added, _BASIC, dtype=np.int8)])
        x, basis = _solve(objective, bounds, vstack([a_eq, a_ub]), np.r_[b_eq, np.full(len(b_ub), -np.inf)], np.r_[b_eq, b_ub],
                          warm, keep=first)
        if x is not None:
            np.minimum.at(least, unknowns, x[: len(unknowns)])
            np.maximum.at(most, unknowns, x[: len(unknowns)])
        if basis is not None:
            statuses[0][unknowns] = basis[0][: len(unknowns)]
            statuses[1][np.r_[eq_rows, ub_rows]] = basis[1]
        return x is not None

    def spread() -> np.ndarray:
        return ~valid[group] | settled | (boxed & (most > _TOLERANCE)) | _wide(least, most, hours, protection)

    def offsets(copies: np.ndarray) -> np.ndarray:
        return np.r_[0, np.cumsum(column_starts[copies + 1] - column_starts[copies])]

    def push(chosen: np.ndarray, up: bool, apart: bool) -> None:
        """Up: t <= x and t <= least + protection, the greatest sum of t; down: t >= x and
        t >= most - protection, the least sum of t (one t per chosen unknown)."""
        position = np.flatnonzero(chosen)
        # Unknowns of a group that compete for the same totals go to different copies of it.
        within = _rank_within(group[position])
        pushed = np.unique(group[position])
        layers = min(_COPIES, -(-within.max(initial=0) // _PER_COPY) or 1,
                     max(_COPIED_UNKNOWNS // (column_starts[pushed + 1] - column_starts[pushed]).sum(), 1))
        layer = within % layers if apart else np.zeros(len(position), dtype=int)
        pairs, copy = np.unique(np.column_stack([layer, group[position]]), axis=0, return_inverse=True)
        copies = pairs[:, 1]
        at = offsets(copies)[copy.ravel()] + rank[position]
        count, width = len(position), offsets(copies)[-1]
        gap = np.where(hours, np.where(up, least / (1 - HOURS_PROTECTION) - least, most * HOURS_PROTECTION), protection)[position] + 1e-6
        target = least[position] + gap if up else np.maximum(most[position] - gap, 0.0)
        pick = coo_matrix((np.ones(count), (np.arange(count), at)), shape=(count, width))
        identity = coo_matrix((np.ones(count), (np.arange(count), np.arange(count))))
        coupling = hstack([-pick, identity] if up else [pick, -identity]).tocsr()
        t_bounds = np.column_stack([np.zeros(count), target] if up else [target, np.full(count, _CAP)])
        # Each t starts at its best bound (the basis stays optimal for the dual simplex).
        solve(copies, np.r_[np.zeros(width), np.full(count, -1.0 if up else 1.0)],
              (coupling, t_bounds, np.full(count, _UPPER if up else _LOWER, dtype=np.int8)))

    def alone(chosen: np.ndarray) -> None:
        """The least and the greatest value of each chosen unknown, each in a copy of its group
        (not the one it was seen to reach already: its least or greatest possible value)."""
        for sign, reached in ((1.0, least <= box[:, 0] + _TOLERANCE), (-1.0, most >= box[:, 1] - _TOLERANCE)):
            if len(sought := chosen[~reached[chosen]]):
                copies = group[sought]
                objective = np.zeros(offsets(copies)[-1])
                objective[offsets(copies)[:-1] + rank[sought]] = sign
                solve(copies, objective)

    def pinned(copies: np.ndarray, first: bool = False) -> bool:
        """One problem made of a copy of each group of ``copies`` (its basis kept when it is the
        ``first``) that maximises, in each, the sum of its unknowns seen at 0 only (often counts
        of 0 their relations force): a group where it is 0 holds them at 0 (nothing to protect),
        and the others were seen above 0. Whether the problem has a solution."""
        on = np.flatnonzero(~spread() & (most <= _TOLERANCE) & np.isin(group, copies))
        objective = np.zeros(offsets(copies)[-1])
        objective[offsets(copies)[np.searchsorted(copies, group[on])] + rank[on]] = -1.0
        if not solve(copies, objective, first=first):
            return False
        settled[on[np.bincount(group[on], weights=most[on] > _TOLERANCE, minlength=groups)[group[on]] == 0]] = True
        return True

    # Moves first, in the groups most of whose unknowns are still to be seen spread (a group seen
    # before, with a few more cells suppressed since, has its new cells at 0, which moves rarely spread).
    fresh = np.bincount(group, weights=~spread(), minlength=groups) > 0.5 * np.bincount(group, minlength=groups)
    low, high = _moved(matrix, constant, equal, group, start, fresh, box)
    # Counts rounded inward, toward their true value (a whole number): still values they can take.
    np.minimum(least, np.where(hours, low, np.minimum(np.ceil(low - 1e-6), start)), out=least)
    np.maximum(most, np.where(hours, high, np.maximum(np.floor(high + 1e-6), start)), out=most)
    # A first solution, its unknowns seen at 0 only pushed up (:func:`pinned`).
    pending = np.flatnonzero(np.bincount(group, weights=~spread(), minlength=groups) > 0)
    if len(pending) and not pinned(pending, first=True):
        # Some group's relations contradict each other: find which, leave them out.
        valid[pending] = [pinned(np.array([g]), first=True) for g in pending]
    open_, apart = ~spread(), False
    while open_.any():
        push(open_, up=True, apart=apart)
        # Down only the counts seen at least their protection (below it, even 0 leaves them narrow).
        if (left := ~spread() & (hours | (most >= protection))).any():
            push(left, up=False, apart=apart)
        left, apart = ~spread(), True
        if left.sum() > 0.75 * open_.sum():
            break
        open_ = left
    # The unknowns left in groups too large to be copied (a national year examined whole): pushed
    # a few at a time (neighbours in the table, which compete for the same totals, apart), each
    # few in one problem: a few dozen problems a group instead of two per unknown.
    left = np.flatnonzero(~spread() & ((column_starts[group + 1] - column_starts[group]) * 2 > _COPIED_UNKNOWNS))
    layers = -(-np.bincount(group[left]).max(initial=0) // _PER_PUSH)
    for layer in range(layers):
        chosen = np.zeros(size, dtype=bool)
        chosen[left[_rank_within(group[left]) % layers == layer]] = True
        if (chosen := chosen & ~spread()).any():
            push(chosen, up=True, apart=False)
        if (chosen := chosen & ~spread() & (hours | (most >= protection))).any():
            push(chosen, up=False, apart=False)
    if (zero := ~spread() & (most <= _TOLERANCE)).any():
        pinned(np.unique(group[zero]))
    solved = np.zeros(size, dtype=bool)
    while (todo := np.flatnonzero(~spread() & ~solved)).size:
        # As many unknowns as their copies' size allows (at least one).
        size = np.cumsum(column_starts[group[todo] + 1] - column_starts[group[todo]])
        todo = todo[: max(1, min(_COPIES, np.searchsorted(size, _COPIED_UNKNOWNS, side="right")))]
        alone(todo)
        solved[todo] = True
    return valid[group] & _judged(least, most, hours, protection)


def _moved(matrix, constant: np.ndarray, equal: np.ndarray, group: np.ndarray, start: np.ndarray,
           chosen: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The least and greatest value each unknown takes in solutions of ``matrix @ x = constant``
    (``<=`` where not ``equal``), ``x`` within ``box`` (least, greatest per unknown), reached from the solution ``start`` by moving along
    the equalities (their null space) without a program: for each unknown, the direction that moves
    it by one and the others of its group as little as possible, each in proportion to how far it
    is above its least value (weighted least squares; those above it only: an unknown at it moves
    only up, its group's others absorbing it), followed up and down
    until an unknown reaches its least or greatest value or an inequality its bound. The ``chosen`` groups
    of up to :data:`_DENSE_CELLS` unknowns that ``start`` satisfies, groups of one size together (dense
    algebra); the other unknowns stay at ``start``."""
    low, high = start.astype(float), start.astype(float)
    entries = matrix.tocoo()
    groups = len(chosen)
    row_group = np.zeros(matrix.shape[0], dtype=np.int64)
    row_group[entries.row] = group[entries.col]
    cells, rows = np.bincount(group, minlength=groups), np.bincount(row_group, minlength=groups)
    residual = matrix @ start - constant
    broken = np.where(equal, np.abs(residual), residual) > _TOLERANCE
    kept = (chosen & (cells <= _DENSE_CELLS) & (np.bincount(row_group, weights=broken, minlength=groups) == 0)
            & (np.bincount(group, weights=(start > box[:, 1] + _TOLERANCE) | (start < box[:, 0] - _TOLERANCE), minlength=groups) == 0))
    # Sizes padded to a multiple of 8 (4 for the smallest): a few sizes, little padding.
    width, height = (np.where(n <= 4, 4, -(-n // 8) * 8) for n in (cells, rows))
    column_rank, row_rank = _rank_within(group), _rank_within(row_group)
    slot = np.full(groups, -1)
    for w, h in sorted(set(zip(width[kept].tolist(), height[kept].tolist()))):
        alike = np.flatnonzero(kept & (width == w) & (height == h))
        for chunk in np.array_split(alike, -(-len(alike) * w * max(w, h) // 2**20)):  # ~2**20 numbers (8 MB) per array
            slot[chunk] = np.arange(len(chunk))
            on = slot[group[entries.col]] >= 0
            relations = np.zeros((len(chunk), h, w))
            relations[slot[group[entries.col[on]]], row_rank[entries.row[on]], column_rank[entries.col[on]]] = entries.data[on]
            lines = np.flatnonzero(slot[row_group] >= 0)
            bound, inequality = np.zeros((len(chunk), h)), np.zeros((len(chunk), h), dtype=bool)
            bound[slot[row_group[lines]], row_rank[lines]] = constant[lines]
            inequality[slot[row_group[lines]], row_rank[lines]] = ~equal[lines]
            members = np.flatnonzero(slot[group] >= 0)
            at = (slot[group[members]], column_rank[members])
            x, real = np.zeros((len(chunk), w)), np.zeros((len(chunk), w), dtype=bool)
            floor, ceiling = np.zeros((len(chunk), w)), np.full((len(chunk), w), _CAP)
            x[at], real[at], floor[at], ceiling[at] = start[members], True, box[members, 0], box[members, 1]
            equalities = relations * ~inequality[:, :, None]
            # direction[:, :, k]: unknown k moves by one, those above 0 compensate, each in
            # proportion to its value (weighted least squares: e_k - X R' (R R')+ S e_k, S the
            # equalities, X the values, R = S X): a small unknown moves little, so a direction
            # goes far before one reaches 0 (three times as many cells seen spread as with equal
            # weights). (R R')+ S: solved with R R' + d I (d a trillionth of its largest entry;
            # R R' is singular when relations depend on each other) and one step of refinement,
            # a fifth of the time of an eigendecomposition.
            weight = np.where(x - floor > _TOLERANCE, x - floor, 0.0)
            restricted = equalities * weight[:, None, :]
            gram = restricted @ restricted.transpose(0, 2, 1)
            regular = gram + 1e-12 * np.maximum(np.diagonal(gram, axis1=1, axis2=2).max(axis=1), 1.0)[:, None, None] * np.eye(h)
            solution = np.linalg.solve(regular, equalities)
            solution += np.linalg.solve(regular, equalities - gram @ solution)
            direction = np.eye(w) - weight[:, :, None] * (restricted.transpose(0, 2, 1) @ solution)
            direction[np.abs(direction) < 1e-12] = 0.0
            usable = (real & (np.diagonal(direction, axis1=1, axis2=2) > 1e-9)
                      & (np.abs(equalities @ direction).max(axis=1, initial=0.0) < 1e-9))
            rate = relations @ direction  # how fast each inequality's left side grows
            slack = np.maximum(bound - np.einsum("ghw,gw->gh", relations, x), 0.0)[:, :, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                # How far each unknown lets a direction go: until it falls or rises to its bound.
                size = np.abs(direction)
                falling = np.where(size > 0, np.maximum(x - floor, 0.0)[:, :, None] / size, np.inf)
                rising = np.where(size > 0, np.maximum(ceiling - x, 0.0)[:, :, None] / size, np.inf)
                up = np.minimum(np.where(direction < 0, falling, rising).min(axis=1),
                                np.where(inequality[:, :, None] & (rate > 1e-12), slack / rate, np.inf).min(axis=1))
                down = np.minimum(np.where(direction > 0, falling, rising).min(axis=1),
                                  np.where(inequality[:, :, None] & (rate < -1e-12), slack / -rate, np.inf).min(axis=1))
            up, down = np.where(usable, up, 0.0), np.where(usable, down, 0.0)
            reached = np.concatenate([x[:, :, None] + direction * up[:, None, :], x[:, :, None] - direction * down[:, None, :]], axis=2)
            # Each point reached checked against every relation and bound (to the rounding of its
            # magnitude); one that misses stays at the start.
            error = relations @ reached - bound[:, :, None]
            limit = _TOLERANCE * np.maximum(1.0, np.abs(reached).max(axis=1, keepdims=True))
            holds = ((np.where(inequality[:, :, None], error, np.abs(error)) <= limit).all(axis=1)
                     & (reached >= floor[:, :, None] - limit).all(axis=1) & (reached <= ceiling[:, :, None] + limit).all(axis=1))
            reached = np.where(holds[:, None, :], reached, x[:, :, None])
            low[members] = np.maximum(reached.min(axis=2)[at], box[members, 0])
            high[members] = reached.max(axis=2)[at]
            slot[chunk] = -1
    return low, high


def _rank_within(owner: np.ndarray) -> np.ndarray:
    """The rank of each item among the items of the same owner, in their order."""
    order = np.argsort(owner, kind="stable")
    rank = np.empty(len(owner), dtype=np.int64)
    rank[order] = np.arange(len(owner)) - np.searchsorted(owner[order], owner[order])
    return rank


def _one_relation(row: np.ndarray, sign: np.ndarray, column: np.ndarray, constant: np.ndarray, box: np.ndarray,
                  hours: np.ndarray, protection: np.ndarray, witnesses: np.ndarray) -> np.ndarray:
    """:func:`_too_narrow` for unknowns (``column``) that are each the only ones of their group with
    a single equality, ``sum of sign * x = constant[row]``, with no program: seen from an unknown,
    the others can take anything within their bounds (``box``, per column: least, greatest), so
    it lies between ``c`` less the greatest and ``c`` less the least of the others' sum (``c``
    the constant with its sign), within its own bounds. A relation that no values satisfy
    discloses nothing (its witnesses stay as they are). ``witnesses`` (2 x entries) become those
    least and greatest values; ``hours``, ``protection``: per column. The coefficients are 1 and
    -1: a relation has each cell once."""
    floor, ceiling, valid = _reach(row, sign, box[column, 0], box[column, 1], constant, np.ones(len(constant), dtype=bool))
    witnesses[0] = np.where(valid, np.minimum(witnesses[0], np.maximum(floor, box[column, 0])), witnesses[0])
    witnesses[1] = np.where(valid, np.maximum(witnesses[1], np.minimum(ceiling, box[column, 1])), witnesses[1])
    return valid & _judged(witnesses[0], witnesses[1], hours[column], protection[column])


def _reach(row: np.ndarray, sign: np.ndarray, least: np.ndarray, most: np.ndarray, constant: np.ndarray,
           equal: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each member of relations ``sum of sign * x = constant[row]`` (``<=`` where not
    ``equal[row]``; ``sign`` 1 or -1; ``least``, ``most``: each member's bounds), the least and
    greatest value its relation leaves it, the others anywhere within their bounds (-inf below
    for an inequality); and whether its relation can hold within those bounds."""
    low, high = np.minimum(sign * least, sign * most), np.maximum(sign * least, sign * most)
    row_low, row_high = (np.bincount(row, weights=w, minlength=len(constant)) for w in (low, high))
    # sign * x = constant - the others' sum, which lies from row_low - low to row_high - high
    upper = constant[row] - (row_low[row] - low)
    lower = np.where(equal[row], constant[row] - (row_high[row] - high), -np.inf)
    holds = (constant[row] >= row_low[row] - _TOLERANCE) & (~equal[row] | (constant[row] <= row_high[row] + _TOLERANCE))
    return np.where(sign > 0, lower, -upper), np.where(sign > 0, upper, -lower), holds


def _judged(least: np.ndarray, most: np.ndarray, hours: np.ndarray, protection: np.ndarray) -> np.ndarray:
    """Whether unknowns whose least and greatest values are ``least`` and ``most`` lie in an
    interval narrower than their protection (see :func:`_wide`); one that can only be 0 does not."""
    return (np.where(hours, most, np.floor(most + 10 * _TOLERANCE)) > 0) & ~_wide(least, most, hours, protection)


def _wide(least: np.ndarray, most: np.ndarray, hours: np.ndarray, protection: np.ndarray) -> np.ndarray:
    """Whether unknowns seen to take values from ``least`` to ``most`` spread over their protection
    (hours: :data:`HOURS_PROTECTION` of the greatest value; counts rounded inward, as whole
    numbers), or are bounded only by :data:`_CAP`: nothing seen later can make them narrow."""
    low = np.where(hours, least, np.ceil(least - 10 * _TOLERANCE))
    high = np.where(hours, most, np.floor(most + 10 * _TOLERANCE))
    return (most >= _CAP - 1) | np.where(hours, high - low >= HOURS_PROTECTION * high, high - low >= protection)


def _groups(system: _Members, masked: np.ndarray, all_whole: bool = False) -> list[tuple[_Members, np.ndarray, np.ndarray]]:
    """The groups of suppressed cells to examine by linear programming, with their relations:
    first the groups that :func:`_programmed` allows whole (all when ``all_whole``); then, for the
    others, the groups the relations within each territory form (the relations across territories
    left out; none when every group is whole). Each level: its relations, the cells of its groups one group after the other,
    and each cell's group."""
    within, cells, cell_index, equations_, _, component = _linked(system, masked)
    whole = _programmed(within, cells, cell_index, component, all_whole)
    parted = equations_[~whole[component[len(cells):]]]
    local = system.take(_among(system["equation"], parted) & ~system["across"])
    _, cells_, _, _, _, component_ = _linked(local, masked)
    levels = [(system, cells, component[: len(cells)], whole),
              (local, cells_, component_[: len(cells_)], np.ones(component_.max(initial=-1) + 1, dtype=bool))]
    found = []
    for frame, cells_, label, chosen in levels:
        order = np.argsort(label, kind="stable")
        order = order[chosen[label[order]]]
        found.append((frame, cells_[order], label[order]))
    return found


def _among(items: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Whether each of ``items`` (integers >= 0) is one of ``chosen``, by a lookup table."""
    table = np.zeros(max(items.max(initial=-1), np.max(chosen, initial=-1)) + 1, dtype=bool)
    table[np.asarray(chosen, dtype=np.int64)] = True
    return table[items]


def _distinct(items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``items`` (integers >= 0) in order, and where each item is among them: what
    ``np.unique(items, return_inverse=True)`` gives, by a table of those present instead of a
    sort (a fifth of the time on the relations of a national table)."""
    present = np.zeros(items.max(initial=-1) + 1, dtype=bool)
    present[items] = True
    distinct = np.flatnonzero(present)
    where = np.empty(len(present), dtype=np.int32)
    where[distinct] = np.arange(len(distinct), dtype=np.int32)
    return distinct, where[items]


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The positions ``starts[i] .. ends[i] - 1`` of every range, one after the other."""
    lengths = ends - starts
    return np.repeat(starts, lengths) + np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def secondary(system: pd.DataFrame | _Members, values: np.ndarray, masked: np.ndarray, seuil: int, cost: np.ndarray | None = None,
              hours: np.ndarray | None = None, worth: np.ndarray | None = None) -> np.ndarray:
    """Suppress more cells until no relation leaves a suppressed cell alone or its suppressed cells
    adding up to less than ``seuil`` under a published total (not one whose published total is 0:
    :func:`_in_need`), and no suppressed cell is bounded by
    the relations of its year closer than its protection (:func:`_narrow`). The cell suppressed in a relation that needs one is
    the cheapest (``cost``, per cell: what else its suppression hides), then its smallest published
    part (a zero only when no positive one is left), else its total. Each round looks again only at
    the relations of the cells it suppressed. Then the cells suppressed along the way that the
    final pattern no longer needs are published again (:func:`_released`; ``worth``, per cell: the
    order they are tried in, the greatest first; default: ``cost``). The linear algebra runs on
    one thread per series of programs (:data:`_THREADS`): BLAS's own threads would only compete
    with them."""
    return _secondary(system, values, masked, seuil, cost, hours, complete=True, worth=worth)[0]


def _secondary(system: pd.DataFrame | _Members, values: np.ndarray, masked: np.ndarray, seuil: int, cost: np.ndarray | None,
               hours: np.ndarray | None, complete: bool, worth: np.ndarray | None = None,
               kept: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`secondary`, and the years (``scope``) whose groups were too large to be examined
    whole (linked across territories by the ``ensemble``): examined territory by territory. When
    ``complete``, none: once no relation is in need and no cell is found narrow, those years are
    examined again whole (every relation of the year, across territories included), and
    suppression goes on, examining whole, until nothing is found. ``kept``: cells never suppressed
    (what a reader knows anyway)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _suppressed(system, values, masked, seuil, cost, hours, complete, worth, kept)


def _suppressed(system: pd.DataFrame | _Members, values: np.ndarray, masked: np.ndarray, seuil: int, cost: np.ndarray | None,
                hours: np.ndarray | None, complete: bool, worth: np.ndarray | None, kept: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_secondary`."""
    first, masked = masked, masked.copy()
    worth = (np.zeros(len(masked)) if cost is None else cost) if worth is None else worth
    looked_by_territory = np.array([], dtype=np.int64)
    system = _Members.of(system)
    system = system.take(np.argsort(system["scope"], kind="stable"))  # a year's relations together
    cell = system["cell"]
    equation = system["equation"]
    total = system["total"]
    value = values[cell]
    size = equation.max(initial=-1) + 1
    # Relation members, each relation's together, then each cell's.
    by_equation, starts = np.argsort(equation, kind="stable"), np.r_[0, np.cumsum(np.bincount(equation, minlength=size))]
    by_cell, cell_starts = np.argsort(cell, kind="stable"), np.r_[0, np.cumsum(np.bincount(cell, minlength=len(masked)))]
    hidden = masked[cell]
    count, parts, shown, naught = _tallies(equation, size, hidden, total, value)
    zero_total = total & (value == 0)  # ``naught`` less these as they are suppressed
    scope = system["scope"]
    hours_cells = np.zeros(len(masked), dtype=bool) if hours is None else hours
    protection = np.broadcast_to(float(seuil), len(masked))
    members_per = np.bincount(equation, minlength=size)
    within_territory = ~system["across"]
    # Blocks of cells the relations within a territory link (a few dozen cells each), and which
    # cells were suppressed when bounds were last propagated (:func:`_propagated`).
    within = system.take(within_territory)
    _, cells, _, _, _, component = _linked(within, np.ones(len(masked), dtype=bool))
    block = np.full(len(masked), -1)
    block[cells] = component[: len(cells)]
    propagated = np.zeros(len(masked), dtype=bool)
    bounds = _unbounded(len(masked))
    ruled = _equalities(system, size)
    narrowed: dict[tuple, np.ndarray] = {}
    examined = _examined(values, hours_cells)
    witnesses = _Witnesses(examined)
    bases = [(np.full(len(values), _LOWER, dtype=np.int8), np.full(size, _BASIC, dtype=np.int8)) for _ in range(2)]
    todo, unsolved, partial, all_whole = np.arange(size), None, np.array([], dtype=np.int64), False
    for _ in range(_SUPPRESSION_ROUNDS):
        need = todo[ruled[todo] & _in_need(count[todo], shown[todo], parts[todo], seuil, naught[todo])]
        if not len(need):
            # Bounds propagated first, in the blocks changed since their last look.
            changed = _among(block[within["cell"]], np.setdiff1d(block[masked & ~propagated], -1))
            propagated = masked.copy()
            bounded = _propagated(within.take(changed), examined, masked, protection, hours_cells, bounds)
            need = _open(bounded, equation, cell, hidden, count, members_per, (by_equation, starts), (by_cell, cell_starts), within_territory)
        if not len(need):
            # Linear programming last, on the years changed since its last look (it is the slowest).
            whole, local, years = _narrow(system, examined, masked, protection, hours_cells, witnesses, bases, unsolved, narrowed, all_whole, bounds)
            partial = np.union1d(partial, years)
            looked_by_territory = np.union1d(looked_by_territory, years)
            near = (equation, cell, hidden, count, members_per, (by_equation, starts), (by_cell, cell_starts))
            need = np.union1d(_open(whole, *near), _open(local, *near, within_territory))
            if not len(need) and complete and len(partial):
                # The years examined territory by territory, examined again whole (from the state
                # the quicker examination reached: most of the work is done).
                all_whole, unsolved, partial = True, partial, np.array([], dtype=np.int64)
                continue
            if not len(need):
                whole_years = np.setdiff1d(np.unique(scope[scope >= 0]), looked_by_territory)
                return _released(system, values, examined, masked, first, seuil, worth, hours_cells, whole_years, narrowed), partial
            unsolved = np.array([], dtype=np.int64)
        # The members of the relations in need not hidden, in order of preference: the first one,
        # and the next ones as long as the relation would still be in need without them.
        members = by_equation[_ranges(starts[need], starts[need + 1])]
        members = members[~hidden[members] & (True if kept is None else ~kept[cell[members]])]
        if not len(members):
            return masked, partial  # every member of those relations is suppressed already
        preference = np.where(total[members], 2, np.where(value[members] > 0, 0, 1)) + (0 if cost is None else cost[cell[members]])
        members = members[np.lexsort((cell[members], value[members], preference, equation[members]))]
        new = np.unique(cell[members[_first_needed(equation[members], total[members], value[members], count, shown, parts, seuil)]])
        masked[new] = True
        touched = by_cell[_ranges(cell_starts[new], cell_starts[new + 1])]
        touched = touched[~hidden[touched]]
        hidden[touched] = True
        np.add.at(count, equation[touched], 1)
        np.add.at(parts, equation[touched], np.where(total[touched], 0.0, value[touched]))
        np.add.at(shown, equation[touched], -total[touched].astype(float))
        np.add.at(naught, equation[touched], -zero_total[touched].astype(float))
        todo = np.unique(equation[touched])
        if unsolved is not None:
            unsolved = np.union1d(unsolved, scope[touched][scope[touched] >= 0])
    raise RuntimeError("la suppression secondaire ne converge pas")


def _released(system: _Members, values: np.ndarray, examined: np.ndarray, masked: np.ndarray, first: np.ndarray, seuil: int,
              worth: np.ndarray, hours: np.ndarray, years: np.ndarray, seen: dict) -> np.ndarray:
    """``masked`` less the cells suppressed on the way that the final pattern does not need.
    Secondary suppression takes, round after round, the cheapest cell a relation calls for at that
    moment; cells suppressed later often protect the same cells better, and some taken first are
    then needed no more (in the demo, the ``ensemble``'s durable-employment and positive-exit
    rates were masked five years out of six, for small counts of single territories).

    The cells tried are those of positive ``worth`` that no rule suppressed by themselves (not in
    ``first``), in groups of at most :data:`_RELEASE_CELLS` suppressed cells, of the ``years``
    examined whole (a national table's are left as they are), the greatest worth and then the
    greatest value first. A cell is shown with the suppressed cells equal to it (two-member
    relations: a rate's numerator and its situation group) and those a relation would then leave
    alone; they stay shown when no relation they are in calls for a suppression and no suppressed
    cell of their year is bounded closer than its protection (bounds propagated first, which
    settle most refusals without a program, :func:`_propagated`; then :func:`_narrow`, the groups
    changed examined from scratch: what a cell was seen to take while another was hidden proves
    nothing once that one is shown). Every check is the one secondary suppression ends on, so the pattern
    stays as safe. The cells of a year are tried all at once, then by halves where that fails.
    τ-Argus' optimal suppression would find the cheapest pattern at once, at a cost a table of
    the kit cannot afford; this one pass leaves a pattern no tried cell of which could be shown
    at its turn."""
    if not len(years):
        return masked
    system = system.take(_among(system["scope"], years))
    cell, equation, total = system["cell"], system["equation"], system["total"]
    candidates = np.unique(cell[masked[cell] & ~first[cell]])
    _, cells, _, _, _, component = _linked(system, masked)
    group_size = np.bincount(component[: len(cells)])
    candidates = candidates[(worth[candidates] > 0) & (group_size[component[np.searchsorted(cells, candidates)]] <= _RELEASE_CELLS)]
    if not len(candidates):
        return masked
    masked = masked.copy()
    size = equation.max() + 1
    by_cell, cell_starts = np.argsort(cell, kind="stable"), np.r_[0, np.cumsum(np.bincount(cell, minlength=len(masked)))]
    by_equation, starts = np.argsort(equation, kind="stable"), np.r_[0, np.cumsum(np.bincount(equation, minlength=size))]
    ruled = _equalities(system, size)
    # Cells equal to one another: the suppressed members of two-member equalities, linked.
    two = (np.diff(starts) == 2) & ruled
    pairs = by_equation[_ranges(starts[:-1][two], starts[1:][two])].reshape(-1, 2)
    pairs = pairs[masked[cell[pairs]].all(axis=1)]
    equal = connected_components(coo_matrix((np.ones(len(pairs)), (cell[pairs[:, 0]], cell[pairs[:, 1]])), shape=(len(masked),) * 2),
                                 directed=False)[1]
    by_label = np.argsort(equal, kind="stable")
    label_starts = np.r_[0, np.cumsum(np.bincount(equal, minlength=len(masked)))]
    year = np.zeros(len(masked), dtype=np.int64)
    year[cell] = system["scope"]
    bases = [(np.full(len(masked), _LOWER, dtype=np.int8), np.full(size, _BASIC, dtype=np.int8)) for _ in range(2)]
    protection = np.broadcast_to(float(seuil), len(masked))
    within = system.take(~system["across"])  # the relations bounds are propagated on
    order = candidates[np.lexsort((candidates, -values[candidates], -worth[candidates]))]

    def equal_to(cells: np.ndarray) -> np.ndarray:
        labels = np.unique(equal[cells])
        return by_label[_ranges(label_starts[labels], label_starts[labels + 1])]

    def without(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        """``masked`` with ``cells`` (and the cells equal to them, and those a relation would
        leave alone) shown; the cells shown; whether no relation they are in calls for a suppression."""
        trial = masked.copy()
        shown = equal_to(cells)
        shown = shown[trial[shown]]
        for _ in range(4):
            trial[shown] = False
            members = by_cell[_ranges(cell_starts[shown], cell_starts[shown + 1])]
            lines = np.unique(equation[members])
            members = by_equation[_ranges(starts[lines], starts[lines + 1])]
            line = np.searchsorted(lines, equation[members])
            hidden = trial[cell[members]]
            count, parts, told, naught = _tallies(line, len(lines), hidden, total[members], values[cell[members]])
            needing = ruled[lines] & _in_need(count, told, parts, seuil, naught)
            in_need = needing.any()
            alone = np.unique(cell[members][hidden & (count[line] == 1) & needing[line]])
            if not in_need or not len(alone) or first[alone].any():
                break
            more = equal_to(alone)
            shown = np.union1d(shown, more[trial[more]])
        return trial, shown, not in_need

    def attempt(items: np.ndarray) -> None:
        """Show ``items`` (cells of one year, in order) all at once when that is safe, else each
        half in turn (most are: a few checks for a year)."""
        nonlocal masked
        items = items[masked[items]]
        if not len(items):
            return
        trial, shown, safe = without(items)
        years = np.unique(year[shown])
        if safe:
            # Bounds propagated first: a cell they find narrow, the programs would too.
            bounds = _unbounded(len(masked))
            safe = not len(_propagated(within.take(_among(within["scope"], years)), examined, trial, protection, hours, bounds))
        if safe:
            whole, local, _ = _narrow(system, examined, trial, protection, hours, _Witnesses(examined), bases, years, seen, bounds=bounds)
            if not len(whole) and not len(local):
                masked = trial
                return
        if len(items) > 1:
            attempt(items[: len(items) // 2])
            attempt(items[len(items) // 2:])

    for one_year in np.unique(year[order]):
        attempt(order[year[order] == one_year])
    return masked


def _equalities(system: _Members, size: int) -> np.ndarray:
    """Which of the ``size`` relations of ``system`` are equalities: those the rules on each
    relation (:func:`_in_need`) apply to; a ``limit`` is for the linear programs only."""
    ruled = np.ones(size, dtype=bool)
    ruled[system["equation"][system["limit"]]] = False
    return ruled


def _tallies(owner: np.ndarray, size: int, hidden: np.ndarray, total: np.ndarray, value: np.ndarray) -> tuple:
    """What :func:`_in_need` reads of each of ``size`` relations, from its members (each one's
    relation ``owner``, whether it is ``hidden``, its relation's ``total``, its ``value``): how
    many are suppressed, the sum of the suppressed parts, how many totals are published, and how
    many of those are 0."""
    shown_total = total & ~hidden
    return (np.bincount(owner, weights=hidden, minlength=size), np.bincount(owner, weights=np.where(hidden & ~total, value, 0.0), minlength=size),
            np.bincount(owner, weights=shown_total, minlength=size), np.bincount(owner, weights=shown_total & (value == 0), minlength=size))


def _unbounded(size: int) -> np.ndarray:
    """Bounds of ``size`` cells (``size`` x 2) before any is known: 0 and :data:`_CAP`."""
    bounds = np.empty((size, 2))
    bounds[:, 0], bounds[:, 1] = 0.0, _CAP
    return bounds


def _in_need(count: np.ndarray, shown: np.ndarray, parts: np.ndarray, seuil: int, naught: np.ndarray | int = 0) -> np.ndarray:
    """Whether relations with ``count`` suppressed cells, ``shown`` published totals and suppressed
    parts adding up to ``parts`` call for one more suppression: a suppressed cell alone, or
    suppressed parts under ``seuil`` beneath a published total; never one whose published total is
    0 (``naught``: how many of its published totals are 0), each part of which is known to be 0
    whatever is masked (one territory's masked 0 pulled in the 0 of every other and then their
    partners: 149 000 cells of a national table at seuil 5)."""
    return (naught == 0) & ((count == 1) | ((shown > 0) & (count > 0) & (parts < seuil)))


def _first_needed(owner: np.ndarray, total: np.ndarray, value: np.ndarray, count: np.ndarray, shown: np.ndarray,
                  parts: np.ndarray, seuil: int) -> np.ndarray:
    """Which of the published members of relations in need (in order of preference, each
    relation's together: ``owner``; ``total`` and ``value`` of each) to suppress: each relation's
    first, then each next one while the relation, with those before it suppressed, would still
    have a single suppressed cell or its suppressed parts add up to less than ``seuil`` under a
    published total (``count``, ``shown``, ``parts``: per relation, now). What suppressing them
    one round at a time would give, in one round: a relation whose published parts are all 0
    takes them one by one, then its total (hundreds of rounds in a national table)."""
    first = np.r_[True, owner[1:] != owner[:-1]]
    starts = np.flatnonzero(first)
    lengths = np.diff(np.r_[starts, len(owner)])

    def running(items: np.ndarray) -> np.ndarray:  # sums within each relation, up to each member
        sums = np.cumsum(items)
        return sums - np.repeat(sums[starts] - items[starts], lengths)

    still = _in_need(count[owner] + running(np.ones(len(owner))), shown[owner] - running(total.astype(float)),
                     parts[owner] + running(np.where(total, 0.0, value)), seuil)
    return first | (running((~still).astype(float)) - ~still == 0)


def _examined(values: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """The values as the linear programs see them, every unknown at most :data:`_CAP`: hours above
    a tenth of it in a larger unit (a power of ten; the p % rule does not depend on the unit, and
    relations of hours hold hours only). A count that large is refused."""
    large = values > _CAP / 10
    if not large.any():
        return values
    if (large & ~hours).any():
        raise ValueError(f"un compte dépasse {_CAP / 10:,.0f} : le contrôle du secret statistique ne peut pas l'examiner".replace(",", " "))
    unit = 10.0 ** np.ceil(np.log10(values[hours].max() / (_CAP / 10)))
    return np.where(hours, values / unit, values)


def _open(narrow: np.ndarray, equation: np.ndarray, cell: np.ndarray, hidden: np.ndarray, count: np.ndarray,
          members: np.ndarray, by_equation: tuple, by_cell: tuple, allowed: np.ndarray | None = None) -> np.ndarray:
    """The relations nearest each of the ``narrow`` cells that still have a published member to
    suppress: its own relations; when every member of those is suppressed already (the cell is
    bounded by relations further away, through suppressed cells), the relations of the suppressed
    cells it shares a relation with, and so on, cell by cell. ``by_equation``, ``by_cell``: the
    relation members in order of their relation, of their cell, with where each starts;
    ``allowed``: the members whose relations may be opened (those that bound the cells; default: all)."""
    (equation_rows, equation_starts), (cell_rows, cell_starts) = by_equation, by_cell
    allowed = np.ones(len(equation), dtype=bool) if allowed is None else allowed

    def relations_of(source: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = cell_rows[_ranges(cell_starts[cells], cell_starts[cells + 1])]
        source = np.repeat(source, cell_starts[cells + 1] - cell_starts[cells])
        return source[allowed[rows]], equation[rows[allowed[rows]]]

    source, found = relations_of(narrow, narrow)
    looked = np.array([], dtype=np.int64)
    opened = [np.array([], dtype=np.int64)]
    while len(source):
        pair = np.unique(source * np.int64(len(count)) + found)
        pair = pair[~np.isin(pair, looked)]
        looked = np.union1d(looked, pair)
        source, found = pair // len(count), pair % len(count)
        still = count[found] < members[found]
        opened.append(found[still])
        walking = ~np.isin(source, source[still])
        source, found = source[walking], found[walking]
        rows = equation_rows[_ranges(equation_starts[found], equation_starts[found + 1])]
        source = np.repeat(source, equation_starts[found + 1] - equation_starts[found])
        source, found = relations_of(source[hidden[rows]], cell[rows[hidden[rows]]])
    return np.unique(np.concatenate(opened))


def suppression_cost(table: pd.DataFrame, kind: np.ndarray | None = None) -> np.ndarray:
    """What suppressing each cell costs the reader, beyond the cell itself: a rate's numerator or
    denominator hides the rate (the known situations, which are the denominator of four rates,
    most), a count hides nothing else."""
    is_rate = (_kinds(table) if kind is None else kind) == "rate"
    rate_cell = np.where(is_rate, 4.0, 0.0)
    knowledge = (table["indicateur"] == KNOWLEDGE_RATE[0]).to_numpy()
    return np.column_stack([np.zeros(len(table)), np.where(knowledge, 6.0, rate_cell), np.where(knowledge, 3.0, rate_cell)]).reshape(-1)


def mask(table: pd.DataFrame, seuil: int = 5, complet: bool = True) -> pd.DataFrame:
    """Which cells of the indicator ``table`` to mask: a boolean frame with the columns of
    :data:`MEASURES`, aligned on ``table``. Compute it on the whole table (every year), then keep
    the years to publish. ``complet`` (default): every year's suppressed cells examined on all the
    relations of the year, across territories included, however many territories; without it, a
    national table's are examined territory by territory (the quick examination, for drafts: a
    bound combining territories and the ensemble can be left, see :func:`_narrow`), and
    ``attrs[BY_TERRITORY]`` lists those years, to be told to the user. On the benchmark's national
    table (300 territories, 10 years): 2.8 and 4.1 s quick, 7 and 18 s complete (seuils 5 and 11)."""
    table = table.reset_index(drop=True)
    kind = _kinds(table)
    values = cell_values(table, kind)
    hours = np.zeros((len(table), 3), dtype=bool)
    hours[:, V] = kind == "hours"
    rows = _Rows(table)
    cost = suppression_cost(table, kind)
    # The cells tried again (:func:`_released`): the ensemble's headline figures, read by every
    # reader (its totals, situation groups and rates), then each territory's overall rates (the
    # chart of its bilan), those whose suppression hides the most first; not the knowledge rate
    # nor the unknown situations (a reviewer bounded 50 more masked counts of the territories
    # through them once shown, with a rate's numerator at most its denominator).
    codes = rows.codes
    headline = np.isin(codes["dimension"], [rows.code("dimension", "ensemble"), rows.code("dimension", "situation_groupe")])
    headline &= (codes["indicateur"] != rows.code("indicateur", KNOWLEDGE_RATE[0])) & (codes["modalite"] != rows.code("modalite", "inconnue"))
    ensemble = codes["territoire"] == rows.code("territoire", "ensemble")
    rates = (kind == "rate") & (codes["dimension"] == rows.code("dimension", "ensemble"))
    worth = np.repeat(np.where(headline & ensemble, 100.0, np.where(headline & rates, 1.0, 0.0)), 3) * (1 + cost)
    # A count of leavers not yet observable of 0 is known to a reader of a complete cohort
    # (``cohorte_complete`` in metadonnees.json): never a protection.
    kept = np.zeros((len(table), 3), dtype=bool)
    kept[:, V] = (table["indicateur"] == NOT_OBSERVABLE[0]).to_numpy() & (values.reshape(-1, 3)[:, V] == 0)
    masked, partial = _secondary(_Members(_relations(table, rows, kind)), values, primary(table, seuil, kind), seuil, cost,
                                 hours.reshape(-1), complet, worth, kept.reshape(-1))
    masked = masked.reshape(-1, 3)
    is_rate = kind == "rate"
    hidden = np.where(is_rate, masked[:, K] | masked[:, N], masked[:, V])
    effectif = table["effectif"].to_numpy(dtype=float)
    small_effectif = (table["indicateur"] == "duree_moyenne_contrats").to_numpy() & (effectif >= 1) & (effectif <= seuil)
    hidden |= small_effectif | _dependent_ratio(table, rows, hidden)
    part = hidden | _total_hidden(rows, hidden)
    earlier = _earlier(table, rows)
    previous = np.where(earlier >= 0, hidden[np.maximum(earlier, 0)], False)
    hide = {"valeur": hidden, "part": part, "ic_bas": hidden, "ic_haut": hidden,
            "effectif": np.where(is_rate, masked[:, N], small_effectif), "valeur_precedente": previous, "evolution": hidden | previous}
    # Cells that hold a value are marked, and so are those left empty by a zero (a rate or a ratio
    # over 0 persons, a change from 0): an empty value beside a masked count would tell it is 0.
    # Cells that never hold one (a count's interval, a rate's share) stay empty.
    undefined_by_zero = {"valeur": True, "ic_bas": is_rate, "ic_haut": is_rate, "valeur_precedente": earlier >= 0, "evolution": earlier >= 0}
    result = pd.DataFrame({c: hide[c] & (table[c].notna().to_numpy() | undefined_by_zero.get(c, False)) for c in MEASURES}, index=table.index)
    result.attrs[BY_TERRITORY] = [int(year) for year in np.array(list(rows.labels["annee"]))[partial]]
    return result


def secrecy_record(masks: pd.DataFrame, seuil: int, years: list[int]) -> dict:
    """What ``metadonnees.json`` says of the disclosure control behind ``masks`` (:func:`mask`) for
    the published ``years``: the threshold, how the suppressed cells were examined and, when some
    of those years were examined territory by territory, the warning to show the user."""
    published = set(years)
    partial = [year for year in masks.attrs.get(BY_TERRITORY, []) if year in published]
    record = {"seuil": seuil, "examen": "toutes les relations de chaque année, entre territoires compris"}
    if partial:
        record["examen"] = f"territoire par territoire pour {', '.join(map(str, partial))}"
        record["avertissement"] = BY_TERRITORY_WARNING.format(annees=f"{'années' if len(partial) > 1 else 'année'} {', '.join(map(str, partial))}")
    return record


def _total_hidden(rows: _Rows, hidden: np.ndarray) -> np.ndarray:
    """Whether the total a breakdown cell's ``part`` is computed from is masked (for situations,
    the cohort: masked when any of its groups or its leavers are)."""
    codes = rows.codes
    total = rows.find(annee=codes["annee"], territoire=codes["territoire"], indicateur=codes["indicateur"], dimension="ensemble", modalite="ensemble")
    result = np.where(total >= 0, hidden[np.maximum(total, 0)], False) & (codes["dimension"] != rows.code("dimension", "ensemble"))
    leavers = codes["indicateur"] == rows.code("indicateur", "sortants")
    groups = leavers & (codes["dimension"] == rows.code("dimension", "situation_groupe"))
    situations = groups | (leavers & (codes["dimension"] == rows.code("dimension", "situation")))
    cohort = codes["annee"] * rows.radix[1] + codes["territoire"]  # a year and territory
    cohort_hidden = np.bincount(cohort[groups], weights=hidden[groups], minlength=cohort.max(initial=-1) + 1) > 0
    return result | (situations & cohort_hidden[cohort])


def _earlier(table: pd.DataFrame, rows: _Rows) -> np.ndarray:
    """The position of the N-1 row of each row (-1 where N-1 is not in the table)."""
    codes = rows.codes
    return rows.find(annee=rows.code("annee", table["annee"] - 1), territoire=codes["territoire"], indicateur=codes["indicateur"],
                     dimension=codes["dimension"], modalite=codes["modalite"])


def _dependent_ratio(table: pd.DataFrame, rows: _Rows, hidden: np.ndarray) -> np.ndarray:
    """The ratios of a (year, territory) whose base total (``personnes``, ``contrats``, ``heures``)
    is masked."""
    result = np.zeros(len(table), dtype=bool)
    codes = rows.codes
    totals = codes["dimension"] == rows.code("dimension", "ensemble")
    for base, ratios in DEPENDENT.items():
        position = rows.find(annee=codes["annee"], territoire=codes["territoire"], indicateur=base, dimension="ensemble", modalite="ensemble")
        ratio = np.isin(codes["indicateur"], [rows.code("indicateur", r) for r in ratios])
        result |= totals & ratio & np.where(position >= 0, hidden[np.maximum(position, 0)], False)
    return result
