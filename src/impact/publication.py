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
territories. Cells are suppressed until no relation leaves a suppressed cell alone, or its
suppressed cells adding up to less than ``seuil`` when its total is published, and until no
suppressed cell of a year is determined by its relations taken together (a
null-space test over the relations within and across territories) nor bounded closer than its
protection interval by propagating bounds through them (``seuil`` persons; for hours, 10 % of the
greatest value, the p % rule). What would give a suppressed cell away goes with it: its ``part`` (and the parts
of a suppressed total), its interval, the ratios of a suppressed total (``etp``,
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

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

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
#: Additive breakdowns: (indicator, dimension) whose cells sum to the indicator's total.
ADDITIVE = [("personnes", d) for d in ("sexe", "tranche_age", "niveau_formation")] + [("entreprises", "taille"), ("sortants", "situation_groupe")] + [
    ("heures", d) for d in ("sexe", "tranche_age", "niveau_formation", "type_contrat", "modalite", "type_structure", "type_marche",
                            "type_acheteur", "dispositif", "division_cpv")] + [
    ("contrats", d) for d in ("type_contrat", "modalite", "type_structure")] + [
    ("operations", d) for d in ("type_marche", "type_acheteur", "dispositif", "division_cpv")]
#: Rates broken down by a dimension whose modalities add up (a leaver has one sex, one age band).
ADDITIVE_RATE_DIMENSIONS = ("sexe", "tranche_age")
#: Ratios that give their base away, by the total they are computed from.
DEPENDENT = {"personnes": ("heures_par_personne",), "contrats": ("heures_par_contrat",),
             "heures": ("etp", "heures_par_personne", "heures_par_contrat")}
KEYS = ["annee", "territoire", "indicateur", "dimension", "modalite"]
#: The three cells of a row: its value, and a rate's numerator and denominator.
V, K, N = 0, 1, 2
_SUPPRESSION_ROUNDS = 10_000
_PROPAGATION_ROUNDS = 30
#: Largest group of suppressed cells whose relations across territories are solved together (a
#: dense system); beyond it, territory by territory.
_DENSE_CELLS = 400
#: Protection of a suppressed amount of hours: a reader must not bound it closer than this share
#: of its greatest possible value (the p % rule of τ-Argus and ACRO, p = 10).
HOURS_PROTECTION = 0.10


def _kinds(table: pd.DataFrame) -> np.ndarray:
    """The kind of each row's indicator (``count``, ``hours``, ``ratio``, ``rate``), looked up once
    per distinct indicator."""
    from impact.indicators import indicator_kinds  # the table's own module imports this one

    codes, uniques = pd.factorize(table["indicateur"])
    kinds = indicator_kinds()
    return np.array([kinds.get(u, "") for u in uniques] + [""], dtype=object)[codes]


def cell_values(table: pd.DataFrame) -> np.ndarray:
    """The value of every cell, ``3 * row + kind``: V the row's value, K and N a rate's numerator
    (rounded to a whole number of persons) and denominator (0 for other rows)."""
    value = table["valeur"].to_numpy(dtype=float)
    effectif = table["effectif"].to_numpy(dtype=float)
    is_rate = _kinds(table) == "rate"
    numerator = np.where(is_rate & (effectif > 0), np.round(np.nan_to_num(value) * np.nan_to_num(effectif)), 0.0)
    return np.column_stack([np.nan_to_num(value), numerator, np.where(is_rate, np.nan_to_num(effectif), 0.0)]).reshape(-1)


def primary(table: pd.DataFrame, seuil: int) -> np.ndarray:
    """The cells that break a rule by themselves (see the module docstring), ``3 * row + kind``."""
    value = table["valeur"].to_numpy(dtype=float)
    effectif = table["effectif"].to_numpy(dtype=float)
    indicator = table["indicateur"].to_numpy()
    kind = _kinds(table)
    small = (value >= 1) & (value <= seuil)
    on_value = (np.isin(indicator, PERSON_COUNTS) & small) | (np.isin(indicator, COMPANY_COUNTS) & (value >= 1) & (value < MIN_COMPANIES))
    if "employeurs" in table.columns:
        employers = table["employeurs"].to_numpy(dtype=float)
        dominant = table["part_premier_employeur"].to_numpy(dtype=float) > MAX_COMPANY_SHARE
        persons = table["personnes_heures"].to_numpy(dtype=float) if "personnes_heures" in table.columns else np.full(len(table), np.inf)
        on_value |= (indicator == "heures") & (value > 0) & ((employers < MIN_COMPANIES) | dominant | ((persons >= 1) & (persons <= seuil)))
    cells = cell_values(table).reshape(-1, 3)
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
        positions; ``extra`` tells apart relations of one anchor): each member an array of row
        positions (-1: absent, the relation is dropped) and the cell kind taken from its row."""
        anchor = np.asarray(anchor, dtype=np.int64)
        key = self.families * self.width + np.maximum(anchor, 0) * 64 + np.asarray(extra, dtype=np.int64)
        self.families += 1
        members = [(np.asarray(total, dtype=np.int64), total_kind, True), *((np.asarray(r, dtype=np.int64), k, False) for r, k in parts)]
        keys = np.concatenate([np.broadcast_to(key, len(r)) for r, _, _ in members])
        rows = np.concatenate([r for r, _, _ in members])
        cells = 3 * rows + np.concatenate([np.full(len(r), k) for r, k, _ in members])
        totals = np.concatenate([np.full(len(r), t) for r, _, t in members])
        ok = ~np.isin(keys, np.unique(keys[rows < 0]))
        self.parts.append((keys[ok], cells[ok], totals[ok]))

    def frame(self) -> pd.DataFrame:
        keys = np.concatenate([k for k, _, _ in self.parts])
        frame = pd.DataFrame({"equation": keys, "cell": np.concatenate([c for _, c, _ in self.parts]),
                              "total": np.concatenate([t for _, _, t in self.parts])}).drop_duplicates()
        frame["equation"] = pd.factorize(frame["equation"])[0]
        return frame.reset_index(drop=True)


def equations(table: pd.DataFrame) -> pd.DataFrame:
    """Every linear relation of the published table (see the module docstring): one row per cell
    of a relation, ``equation`` (a number), ``cell`` (``3 * row + kind``) and ``total``; relations
    and its ``scope``, the year of its cells (a year's relations, within and across territories, are
    examined together for cells they determine)."""
    table = table.reset_index(drop=True)
    rows = _Rows(table)
    codes = rows.codes
    positions = np.arange(len(table))
    within, across = _System(len(table)), _System(len(table))
    indicator, dimension = table["indicateur"].to_numpy(), table["dimension"].to_numpy()

    for name, dim in ADDITIVE:
        cells = positions[(indicator == name) & (dimension == dim)]
        total = rows.find(annee=codes["annee"][cells], territoire=codes["territoire"][cells], indicateur=name, dimension="ensemble", modalite="ensemble")
        within.add(total, total, V, [(cells, V)], extra=rows.code("dimension", dim))
    # The situation codes of each group add up to the group's cell.
    group_of = pd.Series({code: group for code, (_, group) in SITUATION.items()})
    codes_rows = positions[(indicator == "sortants") & (dimension == "situation")]
    group = rows.find(annee=codes["annee"][codes_rows], territoire=codes["territoire"][codes_rows], indicateur="sortants",
                      dimension="situation_groupe", modalite=table["modalite"].iloc[codes_rows].map(group_of).reset_index(drop=True))
    within.add(group, group, V, [(codes_rows, V)])

    leavers = positions[(indicator == "sortants") & (dimension == "ensemble")]
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
    groups_ = positions[indicator == KNOWLEDGE_RATE[0]]
    at = {"annee": codes["annee"][groups_], "territoire": codes["territoire"][groups_], "dimension": codes["dimension"][groups_],
          "modalite": codes["modalite"][groups_]}
    for code in RATES:
        within.add(groups_, rows.find(**at, indicateur=code), N, [(groups_, K)])
    within.add(groups_, rows.find(**at, indicateur="taux_sorties_dynamiques"), K,
               [(rows.find(**at, indicateur=c), K) for c in ("taux_emploi_durable", "taux_emploi_transition", "taux_sortie_positive")])
    # Rates by sex and by age band add up to the overall rate's numerator and denominator.
    by = positions[np.isin(indicator, [KNOWLEDGE_RATE[0], *RATES]) & np.isin(dimension, ADDITIVE_RATE_DIMENSIONS)]
    overall = rows.find(annee=codes["annee"][by], territoire=codes["territoire"][by], indicateur=codes["indicateur"][by],
                        dimension="ensemble", modalite="ensemble")
    for kind in (K, N):
        within.add(overall, overall, kind, [(by, kind)], extra=codes["dimension"][by])
    system = within.frame()
    system["scope"] = codes["annee"][system["cell"].to_numpy() // 3]
    system["across"] = False

    # Across territories: the ensemble cell is the sum of the territories' cells (disjoint for
    # hours, contracts, operations and leavers; for persons, employers and buyers the sum only
    # bounds it, and treating it as equal suppresses more, never less).
    kinds = _kinds(table)
    parts = positions[np.isin(kinds, ["count", "hours", "rate"]) & (table["territoire"].to_numpy() != "ensemble")]
    whole = rows.find(annee=codes["annee"][parts], territoire="ensemble", indicateur=codes["indicateur"][parts],
                      dimension=codes["dimension"][parts], modalite=codes["modalite"][parts])
    rate = kinds[parts] == "rate"
    across.add(whole[~rate], whole[~rate], V, [(parts[~rate], V)])
    for kind in (K, N):
        across.add(whole[rate], whole[rate], kind, [(parts[rate], kind)])
    others = across.frame()
    others["scope"] = codes["annee"][others["cell"].to_numpy() // 3]
    others["across"] = True
    others["equation"] += system["equation"].max() + 1 if len(system) else 0
    return pd.concat([system, others], ignore_index=True)


def _pinned(system: pd.DataFrame, masked: np.ndarray, scopes: np.ndarray | None = None, local: bool = False,
            seen: dict | None = None) -> np.ndarray:
    """Suppressed cells that the relations of their year (within and across territories) determine taken together:
    a cell is determined when the null space of the relations restricted to the suppressed cells
    has no component along it. Only groups of two relations or more sharing suppressed cells are
    examined (one relation with two suppressed cells or more determines none); their small dense
    systems are solved in batches of one padded shape (zero rows and free columns change nothing):
    a cell is determined when it lies in the row space of its relations. A group of more than
    :data:`_DENSE_CELLS` suppressed cells (a national table, where the territories of a year are
    linked by the ``ensemble``) is examined territory by territory instead (``local``: without the
    relations across territories), which keeps the dense systems small.
    ``scopes``: the years to examine (default: all); ``seen``: the answers already found for a
    group of suppressed cells (the same cells give the same answer), kept from call to call."""
    scope = system["scope"].to_numpy()
    chosen = (scope >= 0) if scopes is None else np.isin(scope, scopes)
    within = system.loc[chosen & masked[system["cell"].to_numpy()]]
    if within.empty:
        return np.array([], dtype=int)
    cells, cell_index = np.unique(within["cell"].to_numpy(), return_inverse=True)
    equations_, equation_index = np.unique(within["equation"].to_numpy(), return_inverse=True)
    # Cells and relations are the nodes of one graph; a suppressed cell links its relations.
    graph = coo_matrix((np.ones(len(within)), (cell_index, len(cells) + equation_index)), shape=(len(cells) + len(equations_),) * 2)
    _, component = connected_components(graph, directed=False)
    relations_per = np.bincount(component[len(cells):], minlength=component.max() + 1)
    member = component[cell_index]
    keep = relations_per[member] >= 2
    cells_per = np.bincount(component[:len(cells)], minlength=component.max() + 1)
    large = cells_per[member] > _DENSE_CELLS
    found = []
    if large.any() and not local:
        big = np.isin(system["equation"].to_numpy(), equations_[np.unique(equation_index[large])]) & ~system["across"].to_numpy()
        found.append(_pinned(system.loc[big], masked, None, local=True, seen=seen))
    keep &= ~large
    if keep.any():
        found += _determined(cells, within, keep, member, cell_index, equation_index, {} if seen is None else seen)
    return np.concatenate(found) if found else np.array([], dtype=int)


def _determined(cells: np.ndarray, within: pd.DataFrame, keep: np.ndarray, member: np.ndarray, cell_index: np.ndarray,
                equation_index: np.ndarray, seen: dict) -> list[np.ndarray]:
    """The cells of the ``keep`` groups that lie in the row space of their relations; a group
    already answered (``seen``, by its cells) is not solved again."""
    sign = np.where(within["total"].to_numpy(), -1.0, 1.0)[keep]
    member, cell_index, equation_index = member[keep], cell_index[keep], equation_index[keep]
    order = np.argsort(member, kind="stable")
    member, cell_index, equation_index, sign = member[order], cell_index[order], equation_index[order], sign[order]
    bounds = np.flatnonzero(np.r_[True, member[1:] != member[:-1], True])
    batches: dict[tuple[int, int], list] = {}
    found = []
    for start, end in zip(bounds[:-1], bounds[1:]):  # one small system per group of tables
        columns, column = np.unique(cell_index[start:end], return_inverse=True)
        key = cells[columns].tobytes()
        if key in seen:
            found.append(seen[key])
            continue
        line = np.unique(equation_index[start:end], return_inverse=True)[1]
        shape = (-(-(int(line.max()) + 1) // 4) * 4, -(-(int(column.max()) + 1) // 4) * 4)
        batches.setdefault(shape, []).append((columns, line, column, sign[start:end]))
    for (height, width), systems in batches.items():
        matrices = np.zeros((len(systems), height, width))
        for i, (_, line, column, values) in enumerate(systems):
            np.add.at(matrices[i], (line, column), values)
        # A cell is determined when it lies in the row space: the projection on it is 1.
        _, singular, vt = np.linalg.svd(matrices, full_matrices=False)
        span = np.arange(vt.shape[1])[None, :, None] < (singular > 1e-9).sum(axis=1)[:, None, None]
        projection = (np.where(span, vt, 0.0) ** 2).sum(axis=1)
        for i, (columns, _, _, _) in enumerate(systems):
            seen[cells[columns].tobytes()] = cells[columns[projection[i, : len(columns)] > 1 - 1e-9]]
            found.append(seen[cells[columns].tobytes()])
    return found


def _loose(system: pd.DataFrame, values: np.ndarray, masked: np.ndarray, protection: np.ndarray,
           hours: np.ndarray, scopes: np.ndarray | None = None, seen: dict | None = None) -> np.ndarray:
    """Suppressed cells that the relations of their year bound too closely: the least and greatest
    value each can take, by propagating bounds through the relations (every cell at least 0, a
    published cell at its value; for ``sum of parts - total = 0``, each member lies between the
    bounds the others leave it, rounds repeated until nothing moves), less than ``protection``
    apart (hours: less than :data:`HOURS_PROTECTION` of the greatest value). What a reader gets by
    combining relations with the signs of the values, beyond :func:`_pinned`'s exact ones. Only
    the groups of at most :data:`_DENSE_CELLS` suppressed cells are examined (:func:`_small_groups`);
    ``seen`` keeps the answers from call to call."""
    seen = {} if seen is None else seen
    scope = system["scope"].to_numpy()
    chosen = np.ones(len(system), dtype=bool) if scopes is None else np.isin(scope, scopes)
    frame, groups, known = _small_groups(system.loc[chosen], masked, seen)
    cell = frame["cell"].to_numpy()
    if not masked[cell].any():
        return np.unique(np.concatenate(known)) if known else np.array([], dtype=int)
    equation = pd.factorize(frame["equation"].to_numpy())[0]
    size = equation.max() + 1
    sign = np.where(frame["total"].to_numpy(), -1.0, 1.0)
    hidden = masked[cell]
    low = np.where(hidden, 0.0, values[cell])
    high = np.where(hidden, np.inf, values[cell])
    cells, index = np.unique(cell, return_inverse=True)
    for _ in range(_PROPAGATION_ROUNDS):
        term_low = np.where(sign > 0, low, -high)
        term_high = np.where(sign > 0, high, -low)
        others_low = _others(term_low, equation, size)
        others_high = _others(term_high, equation, size)
        # sign * x = -(sum of the other terms)
        new_low = np.where(sign > 0, -others_high, others_low)
        new_high = np.where(sign > 0, -others_low, others_high)
        best_low = np.full(len(cells), -np.inf)
        best_high = np.full(len(cells), np.inf)
        np.maximum.at(best_low, index, np.where(hidden, new_low, -np.inf))
        np.minimum.at(best_high, index, np.where(hidden, new_high, np.inf))
        counted = ~hours[cell]
        tighter_low = np.maximum(low, np.where(counted, np.ceil(best_low[index] - 1e-9), best_low[index]))
        tighter_high = np.minimum(high, np.where(counted, np.floor(best_high[index] + 1e-9), best_high[index]))
        if np.allclose(tighter_low, low, equal_nan=True) and np.array_equal(np.isinf(tighter_high), np.isinf(high)) \
                and np.allclose(np.where(np.isinf(high), 0, tighter_high), np.where(np.isinf(high), 0, high)):
            break
        low, high = tighter_low, tighter_high
    width = high - low
    narrow = hidden & np.isfinite(width) & (high > 0) & np.where(hours[cell], width < HOURS_PROTECTION * high, width < protection[cell])
    found = np.unique(cell[narrow])
    for key, (_, members) in groups.items():
        seen[key] = found[np.isin(found, members)]
    return np.unique(np.concatenate([found, *known]))


def _small_groups(system: pd.DataFrame, masked: np.ndarray, seen: dict) -> tuple[pd.DataFrame, dict, list]:
    """The relations of the groups of at most :data:`_DENSE_CELLS` suppressed cells (suppressed
    cells linked by the relations they share) not examined before in the same state (``seen``, by
    their cells: the same suppressed cells give the same bounds); the groups to examine (cells by
    key) and the answers known for the others. The larger groups of a national table are left to
    the relation-by-relation and territory-by-territory tests, which keeps its masking fast."""
    hidden = system.loc[masked[system["cell"].to_numpy()]]
    if hidden.empty:
        return hidden, {}, []
    cells, cell_index = np.unique(hidden["cell"].to_numpy(), return_inverse=True)
    equations_, equation_index = np.unique(hidden["equation"].to_numpy(), return_inverse=True)
    graph = coo_matrix((np.ones(len(hidden)), (cell_index, len(cells) + equation_index)), shape=(len(cells) + len(equations_),) * 2)
    _, component = connected_components(graph, directed=False)
    size = np.bincount(component[: len(cells)], minlength=component.max() + 1)
    order = np.argsort(component[: len(cells)], kind="stable")
    starts = np.searchsorted(component[: len(cells)][order], np.arange(size.size + 1))
    groups, known = {}, []
    for label in np.flatnonzero((size > 0) & (size <= _DENSE_CELLS)):
        members = cells[order[starts[label]:starts[label + 1]]]
        key = members.tobytes()
        if key in seen:
            known.append(seen[key])
        else:
            groups[key] = (label, members)
    todo = np.array([label for label, _ in groups.values()], dtype=int)
    chosen = equations_[np.isin(component[len(cells):], todo)]
    return system.loc[np.isin(system["equation"].to_numpy(), chosen)], groups, known


def _others(term: np.ndarray, equation: np.ndarray, size: int) -> np.ndarray:
    """For each member of a relation, the sum of the other members' ``term`` (infinite when one of
    them is)."""
    infinite = ~np.isfinite(term)
    total = np.bincount(equation, weights=np.where(infinite, 0.0, term), minlength=size)
    count = np.bincount(equation, weights=infinite, minlength=size)
    rest = total[equation] - np.where(infinite, 0.0, term)
    unbounded = count[equation] - infinite > 0
    direction = np.sign(np.bincount(equation, weights=np.where(infinite, np.sign(term), 0.0), minlength=size)[equation]
                        - np.where(infinite, np.sign(term), 0.0))
    return np.where(unbounded, np.where(direction < 0, -np.inf, np.inf), rest)


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The positions ``starts[i] .. ends[i] - 1`` of every range, one after the other."""
    lengths = ends - starts
    return np.repeat(starts, lengths) + np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def secondary(system: pd.DataFrame, values: np.ndarray, masked: np.ndarray, seuil: int, cost: np.ndarray | None = None,
              hours: np.ndarray | None = None) -> np.ndarray:
    """Suppress more cells until no relation leaves a suppressed cell alone or its suppressed cells
    adding up to less than ``seuil`` under a published total, and no suppressed cell is determined
    by the relations of its year. The cell suppressed in a relation that needs one is
    the cheapest (``cost``, per cell: what else its suppression hides), then its smallest published
    part (a zero only when no positive one is left), else its total. Each round looks again only at
    the relations of the cells it suppressed."""
    masked = masked.copy()
    cell = system["cell"].to_numpy()
    equation = system["equation"].to_numpy()
    total = system["total"].to_numpy()
    value = values[cell]
    size = equation.max(initial=-1) + 1
    extra = np.zeros(len(cell)) if cost is None else cost[cell]
    # Relation members in order of preference, each relation's members together.
    order = np.lexsort((cell, value, extra + np.where(total, 2, np.where(value > 0, 0, 1)), equation))
    starts = np.searchsorted(equation[order], np.arange(size + 1))
    by_cell = np.argsort(cell, kind="stable")
    cell_starts = np.searchsorted(cell[by_cell], np.arange(len(masked) + 1))
    hidden = masked[cell]
    count = np.bincount(equation, weights=hidden, minlength=size)
    parts = np.bincount(equation, weights=np.where(hidden & ~total, value, 0.0), minlength=size)
    shown = np.bincount(equation, weights=total & ~hidden, minlength=size)
    scope = system["scope"].to_numpy()
    hours_cells = np.zeros(len(masked), dtype=bool) if hours is None else hours
    protection = np.full(len(masked), float(seuil))
    members_per = np.bincount(equation, minlength=size)
    seen: dict[bytes, np.ndarray] = {}
    bounded: dict[bytes, np.ndarray] = {}
    todo, dirty = np.arange(size), None
    for _ in range(_SUPPRESSION_ROUNDS):
        need = todo[(count[todo] == 1) | ((shown[todo] > 0) & (count[todo] > 0) & (parts[todo] < seuil))]
        if not len(need):
            # Only the territories and years where cells were suppressed since the last look.
            pinned = _pinned(system, masked, dirty, seen=seen)
            exposed = np.union1d(pinned[values[pinned] > 0], _loose(system, values, masked, protection, hours_cells, dirty, bounded))  # a zero tells of nobody
            need = _open(equation, np.isin(cell, exposed), count, members_per)
            if not len(need):
                return masked
            dirty = np.array([], dtype=np.int64)
        # The members of the relations in need, in order of preference; the first one not hidden.
        members = order[_ranges(starts[need], starts[need + 1])]
        members = members[~hidden[members]]
        if not len(members):
            return masked  # every member of those relations is suppressed already
        first = np.r_[True, equation[members][1:] != equation[members][:-1]]
        new = np.unique(cell[members[first]])
        masked[new] = True
        touched = by_cell[_ranges(cell_starts[new], cell_starts[new + 1])]
        touched = touched[~hidden[touched]]
        hidden[touched] = True
        np.add.at(count, equation[touched], 1)
        np.add.at(parts, equation[touched], np.where(total[touched], 0.0, value[touched]))
        np.add.at(shown, equation[touched], -total[touched].astype(float))
        todo = np.unique(equation[touched])
        if dirty is not None:
            dirty = np.union1d(dirty, scope[touched][scope[touched] >= 0])
    raise RuntimeError("la suppression secondaire ne converge pas")


def _open(equation: np.ndarray, chosen: np.ndarray, count: np.ndarray, members: np.ndarray) -> np.ndarray:
    """The relations of the ``chosen`` members that still have a published member to suppress."""
    found = np.unique(equation[chosen])
    return found[count[found] < members[found]]


def suppression_cost(table: pd.DataFrame) -> np.ndarray:
    """What suppressing each cell costs the reader, beyond the cell itself: a rate's numerator or
    denominator hides the rate (the known situations, which are the denominator of four rates,
    most), a count hides nothing else."""
    indicator = table["indicateur"].to_numpy()
    is_rate = _kinds(table) == "rate"
    rate_cell = np.where(is_rate, 4.0, 0.0)
    knowledge = indicator == KNOWLEDGE_RATE[0]
    return np.column_stack([np.zeros(len(table)), np.where(knowledge, 6.0, rate_cell), np.where(knowledge, 3.0, rate_cell)]).reshape(-1)


def mask(table: pd.DataFrame, seuil: int = 5) -> pd.DataFrame:
    """Which cells of the indicator ``table`` to mask: a boolean frame with the columns of
    :data:`MEASURES`, aligned on ``table``. Compute it on the whole table (every year), then keep
    the years to publish."""
    table = table.reset_index(drop=True)
    values = cell_values(table)
    kind = _kinds(table)
    hours = np.zeros((len(table), 3), dtype=bool)
    hours[:, V] = kind == "hours"
    masked = secondary(equations(table), values, primary(table, seuil), seuil, suppression_cost(table), hours.reshape(-1)).reshape(-1, 3)
    is_rate = kind == "rate"
    hidden = np.where(is_rate, masked[:, K] | masked[:, N], masked[:, V])
    effectif = table["effectif"].to_numpy(dtype=float)
    small_effectif = (table["indicateur"] == "duree_moyenne_contrats").to_numpy() & (effectif >= 1) & (effectif <= seuil)
    rows = _Rows(table)
    hidden |= small_effectif | _dependent_ratio(table, rows, hidden)
    part = hidden | _total_hidden(table, rows, hidden)
    previous = _previous(table, rows, hidden)
    hide = {"valeur": hidden, "part": part, "ic_bas": hidden, "ic_haut": hidden,
            "effectif": np.where(is_rate, masked[:, N], small_effectif), "valeur_precedente": previous, "evolution": hidden | previous}
    # Only cells that hold a value are marked: an undefined rate stays empty.
    return pd.DataFrame({c: hide[c] & table[c].notna().to_numpy() for c in MEASURES}, index=table.index)


def _total_hidden(table: pd.DataFrame, rows: _Rows, hidden: np.ndarray) -> np.ndarray:
    """Whether the total a breakdown cell's ``part`` is computed from is masked (for situations,
    the cohort: masked when any of its groups or its leavers are)."""
    codes = rows.codes
    total = rows.find(annee=codes["annee"], territoire=codes["territoire"], indicateur=codes["indicateur"], dimension="ensemble", modalite="ensemble")
    result = np.where(total >= 0, hidden[np.maximum(total, 0)], False) & (table["dimension"] != "ensemble").to_numpy()
    situations = (table["indicateur"] == "sortants").to_numpy() & table["dimension"].isin(["situation_groupe", "situation"]).to_numpy()
    groups = table.loc[(table["indicateur"] == "sortants") & (table["dimension"] == "situation_groupe")]
    cohort_hidden = pd.Series(hidden[groups.index], index=groups.index).groupby([groups["annee"], groups["territoire"]]).any()
    key = pd.MultiIndex.from_frame(table[["annee", "territoire"]])
    return result | (situations & cohort_hidden.reindex(key, fill_value=False).to_numpy())


def _previous(table: pd.DataFrame, rows: _Rows, hidden: np.ndarray) -> np.ndarray:
    """Whether the N-1 cell of each row is masked (False where N-1 is not in the table)."""
    codes = rows.codes
    earlier = rows.find(annee=rows.code("annee", table["annee"] - 1), territoire=codes["territoire"], indicateur=codes["indicateur"],
                        dimension=codes["dimension"], modalite=codes["modalite"])
    return np.where(earlier >= 0, hidden[np.maximum(earlier, 0)], False)


def _dependent_ratio(table: pd.DataFrame, rows: _Rows, hidden: np.ndarray) -> np.ndarray:
    """The ratios of a (year, territory) whose base total (``personnes``, ``contrats``, ``heures``)
    is masked."""
    result = np.zeros(len(table), dtype=bool)
    totals = (table["dimension"] == "ensemble").to_numpy()
    for base, ratios in DEPENDENT.items():
        position = rows.find(annee=rows.codes["annee"], territoire=rows.codes["territoire"], indicateur=base, dimension="ensemble", modalite="ensemble")
        result |= totals & table["indicateur"].isin(ratios).to_numpy() & np.where(position >= 0, hidden[np.maximum(position, 0)], False)
    return result
