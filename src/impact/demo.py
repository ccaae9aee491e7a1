"""Realistic synthetic datasets in the template format, for demonstrations, tests and benchmarks.

Orders of magnitude follow the published national consolidations (``REFERENCES.md``): about
250 hours per contract, 400 hours per person and 1.6 contracts per person; mostly men in the
building trades; direct hiring and insertion temporary agencies as the main delivery methods;
clauses as execution conditions for most markets. Planned hours are sized by the calibration rule
(:mod:`impact.calibration`). Each territory has its own size and its own outcome level, so that
comparisons have something to find.

The generator is vectorised (numpy) and deterministic for a seed: the same parameters give
byte-identical files. At ``territoires=300`` and ``echelle=1`` about 20 000 persons hold a contract
in each year (from 17 000 to 27 000 over six years, with 6 % growth a year), the size of a national
consolidation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from impact.calibration import LABOUR_SHARES, hours_to_require
from impact.output import atomic_write_bytes
from impact.schema import PRIOR_EMPLOYMENT, PUBLICS, TABLES_BY_NAME

#: New persons per territory and year at ``echelle=1``, before the territory's size factor.
NEW_PERSONS_PER_TERRITORY = 38
#: Growth of the activity from one year to the next.
YEARLY_GROWTH = 0.06
#: Share of contracts whose hours are declared month by month in ``heures``.
MONTHLY_SHARE = 0.45
#: Paid hours per calendar day of a full-time contract (35 h a week, less absences and holidays).
FULL_TIME_HOURS_PER_DAY = 35 / 7 * 0.8

TERRITORY_NAMES = (
    "Val d'Argent", "Côte d'Opale Sud", "Pays des Trois Lacs", "Plaine de l'Ouest", "Haute Vallée",
    "Bassin Minier Est", "Agglomération du Littoral", "Monts et Causses", "Métropole Rive Droite",
    "Pays de la Forêt", "Estuaire Nord", "Coteaux du Sud",
)
REGIONS = (
    "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire", "Corse",
    "Grand Est", "Hauts-de-France", "Île-de-France", "Normandie", "Nouvelle-Aquitaine", "Occitanie",
    "Pays de la Loire", "Provence-Alpes-Côte d'Azur",
)
BUYER_TYPES = {"collectivite": 0.45, "bailleur_social": 0.20, "etat": 0.08, "etablissement_sante": 0.08, "autre_public": 0.14, "prive": 0.05}
BUYER_NAMES = {
    "collectivite": "Commune n° {i}", "bailleur_social": "Office public de l'habitat n° {i}",
    "etat": "Direction départementale n° {i}", "etablissement_sante": "Centre hospitalier n° {i}",
    "autre_public": "Syndicat mixte n° {i}", "prive": "Société d'aménagement n° {i}",
}
#: Trades of the markets: market type, CPV code, label, calibration trade, probability.
TRADES = (
    ("travaux", "45262500", "Maçonnerie et gros œuvre", "maconnerie", 0.20),
    ("travaux", "45442100", "Peinture intérieure", "peinture_interieure", 0.12),
    ("travaux", "45223100", "Charpente et structures métalliques", "charpente_metallique", 0.06),
    ("travaux", "45233140", "Travaux de voirie", "voirie", 0.12),
    ("travaux", "45210000", "Construction de bâtiments", "maconnerie", 0.12),
    ("services", "90910000", "Nettoyage des locaux", "nettoyage", 0.14),
    ("services", "77310000", "Entretien des espaces verts", "espaces_verts", 0.10),
    ("services", "90500000", "Collecte et traitement des déchets", "nettoyage", 0.09),
    ("fournitures", "39100000", "Fourniture de mobilier", "fournitures", 0.05),
)
DISPOSITIFS = {"clause_execution": 0.86, "marche_insertion": 0.04, "critere_attribution": 0.03, "marche_reserve_siae": 0.04, "marche_reserve_handicap": 0.02, "autre": 0.01}
STRUCTURES = {"entreprise": 0.62, "etti": 0.12, "ei": 0.06, "ai": 0.05, "aci": 0.03, "geiq": 0.06, "ea": 0.03, "esat": 0.01, "autre": 0.02}
NAF = {"entreprise": "4399C", "etti": "7820Z", "ei": "8130Z", "ai": "7830Z", "aci": "8899B", "geiq": "7830Z", "ea": "8121Z", "esat": "8810C", "autre": "9499Z"}
#: Contract types and delivery methods by type of employer: (type_contrat, modalite, probability).
CONTRACTS_BY_STRUCTURE = {
    "entreprise": (("cdi", "embauche_directe", 0.25), ("cdd", "embauche_directe", 0.37), ("interim", "autre", 0.18),
                   ("apprentissage", "embauche_directe", 0.10), ("professionnalisation", "embauche_directe", 0.07), ("autre", "autre", 0.03)),
    "etti": (("ctti", "mise_a_disposition", 1.0),),
    "ai": (("cdd", "mise_a_disposition", 1.0),),
    "geiq": (("professionnalisation", "mise_a_disposition", 0.7), ("apprentissage", "mise_a_disposition", 0.3)),
    "ei": (("cddi", "sous_traitance_siae", 0.6), ("cddi", "cotraitance_siae", 0.4)),
    "aci": (("cddi", "sous_traitance_siae", 1.0),),
    "ea": (("cdd", "autre", 0.6), ("cdi", "autre", 0.4)),
    "esat": (("autre", "autre", 1.0),),
    "autre": (("cdd", "autre", 1.0),),
}
DYNAMIC_SITUATIONS = {"cdi": 0.16, "cdd_6_mois_plus": 0.14, "interim_6_mois_plus": 0.08, "creation_entreprise": 0.03, "fonction_publique": 0.02,
                      "cdd_moins_6_mois": 0.17, "interim_moins_6_mois": 0.15, "contrat_aide": 0.08, "formation_qualifiante": 0.12, "embauche_siae": 0.05}
OTHER_SITUATIONS = {"demandeur_emploi": 0.75, "inactif": 0.13, "autre": 0.12}
#: Random streams of their own (with the seed), so that adding them leaves the other tables alone.
PRIOR_STREAM, COMPARISON_STREAM = 13, 14
#: Log-odds gap of the demo comparison file with a difference (participants' chances lowered by it).
DEMO_GAP = 0.6


@dataclass(frozen=True)
class DemoParameters:
    """Parameters of a synthetic dataset.

    ``seed``: random seed; ``territories``: number of territories; ``first_year`` and
    ``last_year``: the years of activity (the extraction date is 31 December of ``last_year``);
    ``scale``: multiplies the number of persons.
    """

    seed: int = 2024
    territories: int = 4
    first_year: int = 2019
    last_year: int = 2024
    scale: float = 1.0

    @property
    def extraction_date(self) -> np.datetime64:
        """The date the synthetic export was taken."""
        return np.datetime64(f"{self.last_year}-12-31", "D")


def _choice(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    keys = np.array(list(options), dtype=object)
    weights = np.fromiter(options.values(), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=weights / weights.sum())]


def _zipf_pick(rng: np.random.Generator, group: np.ndarray, pool_start: np.ndarray, pool_size: np.ndarray) -> np.ndarray:
    """For each item of ``group``, an index into a pool of that group, favouring the first ones."""
    u = rng.random(len(group)) ** 2.0
    return pool_start[group] + np.minimum((u * pool_size[group]).astype(int), pool_size[group] - 1)


def _day(year: np.ndarray | int) -> np.ndarray:
    return (np.asarray(year) - 1970).astype("datetime64[Y]").astype("datetime64[D]")


def generate(params: DemoParameters) -> dict[str, pd.DataFrame]:
    """A synthetic dataset as typed DataFrames, one per table of the schema."""
    return _generate(params)[0]


def _generate(params: DemoParameters) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The tables of :func:`generate`, and each person who finished their path with their log odds
    of a dynamic exit (``id_participant``, ``logit``)."""
    rng = np.random.default_rng(params.seed)
    n_terr = params.territories
    years = np.arange(params.first_year, params.last_year + 1)
    extraction = params.extraction_date

    # Territories, with a size factor and an outcome level of their own.
    names = np.array([TERRITORY_NAMES[i] if i < len(TERRITORY_NAMES) else f"Territoire {i + 1:03d}" for i in range(n_terr)], dtype=object)
    size = rng.lognormal(0.0, 0.6, n_terr)
    size /= size.mean()
    outcome_level = rng.normal(0.0, 0.35, n_terr)
    territoires = pd.DataFrame({
        "territoire": names,
        "region": np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n_terr)],
        "population": (rng.lognormal(11.6, 0.7, n_terr) * size).round().astype(int),
    })

    # Buyers: a pool per territory.
    n_buyers = 6 + rng.poisson(10 * size)
    buyer_start = np.concatenate([[0], np.cumsum(n_buyers)[:-1]])
    buyer_terr = np.repeat(np.arange(n_terr), n_buyers)
    buyer_type = _choice(rng, BUYER_TYPES, len(buyer_terr))
    buyer_ids = np.char.add("ACH", np.char.zfill(np.arange(1, len(buyer_terr) + 1).astype(str), 5)).astype(object)
    buyer_names = np.array([BUYER_NAMES[t].format(i=i + 1) for i, t in enumerate(buyer_type)], dtype=object) + " (" + names[buyer_terr] + ")"
    acheteurs = pd.DataFrame({
        "id_acheteur": buyer_ids, "nom": buyer_names, "type_acheteur": buyer_type,
        "siret": _siret(rng, len(buyer_ids), missing=0.2),
    })

    # Companies: a pool per territory.
    n_comp = 10 + rng.poisson(25 * size * np.sqrt(params.scale))
    comp_start = np.concatenate([[0], np.cumsum(n_comp)[:-1]])
    comp_terr = np.repeat(np.arange(n_terr), n_comp)
    structure = _choice(rng, STRUCTURES, len(comp_terr))
    is_company = structure == "entreprise"
    taille = np.where(is_company, _choice(rng, {"tpe": 0.3, "pme": 0.45, "eti": 0.12, "ge": 0.1, "inconnue": 0.03}, len(structure)),
                      _choice(rng, {"tpe": 0.4, "pme": 0.55, "inconnue": 0.05}, len(structure)))
    comp_ids = np.char.add("ENT", np.char.zfill(np.arange(1, len(comp_terr) + 1).astype(str), 5)).astype(object)
    entreprises = pd.DataFrame({
        "id_entreprise": comp_ids,
        "raison_sociale": np.char.add(np.char.add(np.char.upper(structure.astype(str)), " n° "), np.arange(1, len(comp_terr) + 1).astype(str)).astype(object),
        "siret": _siret(rng, len(comp_ids), missing=0.1),
        "taille": taille, "type_structure": structure,
        "code_naf": np.array([NAF[s] for s in structure], dtype=object),
    })

    # Persons: new entrants per territory and year.
    growth = (1 + YEARLY_GROWTH) ** (years - years[0])
    entrants = rng.poisson(NEW_PERSONS_PER_TERRITORY * params.scale * np.outer(size, growth))
    person_terr = np.repeat(np.repeat(np.arange(n_terr), len(years)), entrants.ravel())
    person_year = np.repeat(np.tile(years, n_terr), entrants.ravel())
    n_pers = len(person_terr)
    order = np.argsort(rng.random(n_pers), kind="stable")
    person_terr, person_year = person_terr[order], person_year[order]
    entry = _day(person_year) + rng.integers(0, 365, n_pers).astype("timedelta64[D]")
    participants = _participants(rng, person_year, n_pers)

    # Contracts: 1.6 per person on average, one after the other.
    n_contracts = rng.geometric(1 / 1.6, n_pers)
    owner = np.repeat(np.arange(n_pers), n_contracts)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(n_contracts) - n_contracts, n_contracts)
    long_contract = rng.random(len(owner)) < 0.08
    duration = np.where(long_contract, rng.integers(180, 420, len(owner)), np.clip(rng.lognormal(np.log(45), 0.7, len(owner)), 5, 360)).astype(int)
    gap = np.where(rank == 0, 0, rng.exponential(45, len(owner)).astype(int))
    step = gap + np.concatenate([[0], duration[:-1]]) * (rank > 0)
    offset = _cumsum_by_group(step, owner)
    start = entry[owner] + offset.astype("timedelta64[D]")
    keep = start <= extraction
    owner, rank, duration, start, long_contract = owner[keep], rank[keep], duration[keep], start[keep], long_contract[keep]
    end = start + (duration - 1).astype("timedelta64[D]")
    running = end > extraction
    contract_terr = person_terr[owner].copy()
    elsewhere = rng.random(len(owner)) < 0.04
    contract_terr[elsewhere] = (contract_terr[elsewhere] + 1) % n_terr

    # Operations: notified from the year before the first one; each contract picks a recent one.
    op_years = np.arange(params.first_year - 1, params.last_year + 1)
    op_counts = np.maximum(rng.poisson(0.7 * NEW_PERSONS_PER_TERRITORY * params.scale * np.outer(size, (1 + YEARLY_GROWTH) ** (op_years - years[0]))), 1)
    op_terr = np.repeat(np.repeat(np.arange(n_terr), len(op_years)), op_counts.ravel())
    op_notified = _day(np.repeat(np.tile(op_years, n_terr), op_counts.ravel())) + rng.integers(0, 365, len(op_terr)).astype("timedelta64[D]")
    op_order = np.lexsort((op_notified, op_terr))
    op_terr, op_notified = op_terr[op_order], op_notified[op_order]
    op_key = op_terr.astype(np.int64) * 100_000 + op_notified.astype(np.int64)
    contract_key = contract_terr.astype(np.int64) * 100_000 + start.astype(np.int64)
    high = np.searchsorted(op_key, contract_key, side="right")
    low = np.searchsorted(op_key, contract_key - 3 * 365, side="left")
    low = np.minimum(low, np.maximum(high - 1, 0))
    pick = high - 1 - (rng.random(len(owner)) ** 2 * np.maximum(high - low, 1)).astype(int)
    pick = np.clip(pick, 0, len(op_terr) - 1)
    # A territory whose first operation comes after the contract starts: take that first one.
    wrong = op_terr[pick] != contract_terr
    pick[wrong] = np.searchsorted(op_terr, contract_terr[wrong], side="left")
    contract_op = pick

    # Employers and contract types.
    employer = _zipf_pick(rng, contract_terr, comp_start, n_comp)
    contract_type, modality = _contract_types(rng, structure[employer])
    part_time = np.where(rng.random(len(owner)) < 0.25, rng.uniform(0.5, 0.8, len(owner)), 1.0)
    per_day = FULL_TIME_HOURS_PER_DAY * part_time
    worked_end = np.minimum(end, extraction)
    days_worked = ((worked_end - start).astype(int) + 1).astype(float)
    hours = np.round(days_worked * per_day * 2) / 2

    contract_ids = np.char.add("CTR", np.char.zfill(np.arange(1, len(owner) + 1).astype(str), 7)).astype(object)
    monthly = rng.random(len(owner)) < MONTHLY_SHARE
    heures = _monthly_rows(rng, contract_ids[monthly], start[monthly], worked_end[monthly], per_day[monthly])
    monthly_total = heures.groupby("id_contrat", sort=False)["heures"].sum()
    hours[monthly] = monthly_total.reindex(contract_ids[monthly]).to_numpy()
    declared = np.where(monthly & (rng.random(len(owner)) < 0.3), np.nan, hours)
    contrats = pd.DataFrame({
        "id_contrat": contract_ids,
        "id_participant": participants["id_participant"].to_numpy()[owner],
        "id_operation": pd.NA, "id_entreprise": comp_ids[employer],
        "type_contrat": contract_type, "modalite": modality,
        "date_debut": start.astype("datetime64[ns]"),
        "date_fin": np.where(running, np.datetime64("NaT"), end).astype("datetime64[ns]"),
        "heures_realisees": declared,
    })

    operations, op_ids = _operations(rng, params, op_terr, op_notified, names, buyer_start, n_buyers, buyer_ids, contract_op, hours)
    contrats["id_operation"] = op_ids[contract_op]

    # Persons' ends of path, and what became of them.
    has_contract = np.bincount(owner, minlength=n_pers) > 0
    path_end = np.full(n_pers, np.iinfo(np.int64).min)
    np.maximum.at(path_end, owner, end.astype(np.int64))
    finished = has_contract & (np.bincount(owner, weights=running, minlength=n_pers) == 0)
    person_hours = np.bincount(owner, weights=hours, minlength=n_pers)
    suivis = _follow_ups(rng, params, participants.loc[finished], path_end[finished].astype("datetime64[D]"),
                         outcome_level[person_terr[finished]], person_hours[finished])
    # Prior employment from a stream of its own, so that the other tables do not change with it.
    participants[PRIOR_EMPLOYMENT] = _prior_employment(np.random.default_rng([params.seed, PRIOR_STREAM]), participants["deld"].to_numpy())
    chances = pd.DataFrame({"id_participant": participants["id_participant"].to_numpy()[finished],
                            "logit": _dynamic_logit(params, participants.loc[finished], outcome_level[person_terr[finished]], person_hours[finished])})
    participants = participants.loc[has_contract].reset_index(drop=True)
    return {
        "acheteurs": acheteurs, "operations": operations, "entreprises": entreprises,
        "participants": participants, "contrats": contrats, "heures": heures,
        "suivis": suivis, "territoires": territoires,
    }, chances


def _cumsum_by_group(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` within consecutive runs of ``group``."""
    total = np.cumsum(values)
    first = np.r_[True, group[1:] != group[:-1]]
    base = np.maximum.accumulate(np.where(first, total - values, 0))
    return total - base


def _siret(rng: np.random.Generator, size: int, missing: float) -> np.ndarray:
    digits = rng.integers(10**13, 10**14, size, dtype=np.int64).astype(str).astype(object)
    digits[rng.random(size) < missing] = ""
    return digits


def _participants(rng: np.random.Generator, entry_year: np.ndarray, size: int) -> pd.DataFrame:
    age = np.select(
        [rng.random(size) < 0.30, rng.random(size) < 0.86],
        [rng.integers(17, 26, size), rng.integers(26, 50, size)],
        rng.integers(50, 64, size),
    )
    level = _choice(rng, {"infra_3": 0.40, "niveau_3": 0.30, "niveau_4": 0.18, "niveau_5_plus": 0.05, "inconnu": 0.07}, size)
    publics = {
        "deld": rng.random(size) < 0.45,
        "minima_sociaux": rng.random(size) < 0.30,
        "travailleur_handicape": rng.random(size) < np.where(age >= 45, 0.14, 0.06),
        "jeune_peu_qualifie": (age < 26) & np.isin(level, ["infra_3", "niveau_3"]) & (rng.random(size) < 0.9),
        "senior_50": (age >= 50) & (rng.random(size) < 0.8),
        "residant_qpv": rng.random(size) < 0.22,
        "parcours_iae": rng.random(size) < 0.25,
    }
    publics["autre_public"] = ~np.logical_or.reduce(list(publics.values())) | (rng.random(size) < 0.02)
    ids = np.char.add("P", np.char.zfill(rng.permutation(np.arange(1, size + 1) * 7 + 100_000).astype(str), 7)).astype(object)
    return pd.DataFrame({
        "id_participant": ids,
        "sexe": np.where(rng.random(size) < 0.16, "F", "M").astype(object),
        "annee_naissance": entry_year - age,
        "niveau_formation": level,
        **{name: publics[name] for name in PUBLICS},
    })


def _contract_types(rng: np.random.Generator, structure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    contract_type = np.empty(len(structure), dtype=object)
    modality = np.empty(len(structure), dtype=object)
    u = rng.random(len(structure))
    for kind, options in CONTRACTS_BY_STRUCTURE.items():
        rows = structure == kind
        bounds = np.cumsum([p for _, _, p in options])
        choice = np.minimum(np.searchsorted(bounds, u[rows] * bounds[-1], side="right"), len(options) - 1)
        contract_type[rows] = np.array([c for c, _, _ in options], dtype=object)[choice]
        modality[rows] = np.array([m for _, m, _ in options], dtype=object)[choice]
    return contract_type, modality


def _monthly_rows(rng: np.random.Generator, ids: np.ndarray, start: np.ndarray, end: np.ndarray, per_day: np.ndarray) -> pd.DataFrame:
    """Hours declared month by month, in proportion to the days worked in each month."""
    first = start.astype("datetime64[M]")
    last = end.astype("datetime64[M]")
    spans = (last - first).astype(int) + 1
    row = np.repeat(np.arange(len(ids)), spans)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(spans) - spans, spans)
    month = first[row] + offset.astype("timedelta64[M]")
    month_start = month.astype("datetime64[D]")
    month_end = (month + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    days = (np.minimum(end[row], month_end) - np.maximum(start[row], month_start)).astype(int) + 1
    noise = rng.uniform(0.95, 1.05, len(row))
    return pd.DataFrame({
        "id_contrat": ids[row],
        "mois": month.astype("datetime64[ns]"),
        "heures": np.round(days * per_day[row] * noise * 2) / 2,
    })


def _operations(rng, params, op_terr, op_notified, names, buyer_start, n_buyers, buyer_ids, contract_op, hours):
    """Operations with planned hours sized by the calibration rule from their amount."""
    n_ops = len(op_terr)
    trade = rng.choice(len(TRADES), size=n_ops, p=np.array([t[4] for t in TRADES]) / sum(t[4] for t in TRADES))
    market = np.array([t[0] for t in TRADES], dtype=object)[trade]
    cpv = np.array([t[1] for t in TRADES], dtype=object)[trade]
    label = np.array([t[2] for t in TRADES], dtype=object)[trade]
    share = np.array([LABOUR_SHARES[t[3]] for t in TRADES])[trade]
    realised = np.bincount(contract_op, weights=hours, minlength=n_ops)
    used = np.bincount(contract_op, minlength=n_ops) > 0
    target = np.where(used, realised / rng.lognormal(0.03, 0.25, n_ops), rng.lognormal(np.log(400), 0.8, n_ops))
    rate = rng.choice([0.05, 0.07, 0.10, 0.15], size=n_ops, p=[0.4, 0.2, 0.3, 0.1])
    cost = np.round(rng.uniform(25, 30, n_ops), 1)
    amount = np.maximum(np.round(np.maximum(target, 35) * cost / (share * rate), -2), 1000.0)
    planned = np.round(hours_to_require(amount, share, rate, cost))
    planned[rng.random(n_ops) < 0.05] = np.nan
    months = np.where(market == "travaux", rng.integers(12, 31, n_ops), rng.integers(12, 49, n_ops))
    planned_end = (op_notified.astype("datetime64[M]") + months.astype("timedelta64[M]")).astype("datetime64[D]")
    planned_end = np.where(rng.random(n_ops) < 0.08, np.datetime64("NaT"), planned_end)
    cpv[rng.random(n_ops) < 0.1] = ""
    buyer = _zipf_pick(rng, op_terr, buyer_start, n_buyers)
    op_ids = np.char.add("OP", np.char.zfill(np.arange(1, n_ops + 1).astype(str), 6)).astype(object)
    lot = rng.integers(1, 9, n_ops).astype(str)
    operations = pd.DataFrame({
        "id_operation": op_ids, "id_acheteur": buyer_ids[buyer],
        "intitule": label + " : lot " + lot.astype(object),
        "type_marche": market,
        "dispositif": _choice(rng, DISPOSITIFS, n_ops),
        "territoire": names[op_terr],
        "date_notification": op_notified.astype("datetime64[ns]"),
        "montant_ht": amount, "heures_prevues": planned,
        "date_fin_prevue": planned_end.astype("datetime64[ns]"),
        "code_cpv": cpv,
    })
    # Old operations that no contract used would only be noise; recent ones stay (works not begun).
    recent = op_notified > params.extraction_date - np.timedelta64(180, "D")
    keep = used | recent
    return operations.loc[keep].reset_index(drop=True), op_ids


def _dynamic_logit(params: DemoParameters, people: pd.DataFrame, level: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Log odds of a dynamic exit: the territory's level, sex, age, minimum income, hours worked."""
    age = params.last_year - people["annee_naissance"].to_numpy()
    return (-0.1 + level + 0.25 * (people["sexe"].to_numpy() == "F") - 0.35 * (age >= 50) + 0.15 * (age < 26)
            - 0.3 * people["minima_sociaux"].to_numpy() + 0.25 * (hours >= 400))


def _prior_employment(rng: np.random.Generator, deld: np.ndarray) -> np.ndarray:
    """Months employed in the 12 months before: few for long-term jobseekers."""
    return rng.binomial(12, np.where(deld, 0.08, 0.35))


def comparison_group(params: DemoParameters, tables: dict[str, pd.DataFrame], chances: pd.DataFrame, gap: float) -> tuple[pd.DataFrame, float]:
    """A comparison file for the demo dataset ``tables`` and its ``chances`` (from :func:`_generate`): twice as many
    eligible non-participants as persons who finished their path, older, more often women and
    long-term jobseekers, their situation 6 months after a reference date drawn from the same
    chances of a dynamic exit as the participants with the same profile, lowered by ``gap`` on the
    log-odds scale (the territory level and hours term of a participant drawn at random). Returns
    the file and the true average difference on participants, in points / 100:
    mean of ``expit(η) - expit(η - gap)`` over the persons who finished their path."""
    rng = np.random.default_rng([params.seed, COMPARISON_STREAM])
    people = tables["participants"].set_index("id_participant").loc[chances["id_participant"]]
    size = 2 * len(chances)
    reference = _day(rng.integers(params.first_year, params.last_year, size)) + rng.integers(0, 365 - 200, size).astype("timedelta64[D]")
    year = reference.astype("datetime64[Y]").astype(int) + 1970
    frame = _participants(rng, year, size)
    age = rng.integers(18, 64, size)
    older = rng.random(size) < 0.45
    frame["annee_naissance"] = year - np.where(older, rng.integers(35, 64, size), age)
    frame["sexe"] = np.where(rng.random(size) < 0.30, "F", "M")
    frame["deld"] = rng.random(size) < 0.55
    frame["senior_50"] = (year - frame["annee_naissance"] >= 50) & (rng.random(size) < 0.8)
    frame["jeune_peu_qualifie"] = (year - frame["annee_naissance"] < 26) & frame["niveau_formation"].isin(["infra_3", "niveau_3"]) & (rng.random(size) < 0.9)
    base = chances["logit"].to_numpy() - _dynamic_logit(params, people, np.zeros(len(people)), np.zeros(len(people)))
    logit = _dynamic_logit(params, frame, base[rng.integers(0, len(base), size)], np.zeros(size)) - gap
    dynamic = rng.random(size) < 1 / (1 + np.exp(-logit))
    situation = np.where(dynamic, _choice(rng, DYNAMIC_SITUATIONS, size), _choice(rng, OTHER_SITUATIONS, size))
    draw = rng.random(size)
    situation = np.where(draw < 0.03, "neutralisee", np.where(draw < 0.12, "inconnue", situation))
    ids = np.char.add("C", np.char.zfill(rng.permutation(np.arange(1, size + 1) * 11 + 300_000).astype(str), 7)).astype(object)
    comparison = pd.DataFrame({"id_personne": ids, "sexe": frame["sexe"], "annee_naissance": frame["annee_naissance"],
                               "niveau_formation": frame["niveau_formation"], **{name: frame[name] for name in PUBLICS},
                               "date_reference": reference.astype("datetime64[ns]"),
                               PRIOR_EMPLOYMENT: _prior_employment(rng, frame["deld"].to_numpy()),
                               "horizon_mois": 6, "situation": situation})
    own = chances["logit"].to_numpy()
    truth = float(np.mean(1 / (1 + np.exp(-own)) - 1 / (1 + np.exp(-(own - gap)))))
    return comparison, truth


def _follow_ups(rng, params, people: pd.DataFrame, path_end: np.ndarray, level: np.ndarray, hours: np.ndarray) -> pd.DataFrame:
    """Situations 6 and 12 months after the end of each finished path, when already observable.

    The chance of a dynamic exit depends on the territory's level, sex, age, minimum income and
    hours worked; about 80 % (6 months) and 70 % (12 months) of the situations are known.
    """
    logit = _dynamic_logit(params, people, level, hours)
    frames = []
    for horizon, coverage in ((6, 0.85), (12, 0.75)):
        observed = path_end + np.round(horizon * 30.44).astype(int) + rng.integers(0, 20, len(people))
        present = (observed <= params.extraction_date) & (rng.random(len(people)) < coverage)
        dynamic = rng.random(len(people)) < 1 / (1 + np.exp(-logit))
        situation = np.where(dynamic, _choice(rng, DYNAMIC_SITUATIONS, len(people)), _choice(rng, OTHER_SITUATIONS, len(people)))
        draw = rng.random(len(people))
        situation = np.where(draw < 0.03, "neutralisee", np.where(draw < 0.08, "inconnue", situation))
        frames.append(pd.DataFrame({
            "id_participant": people["id_participant"].to_numpy()[present],
            "horizon_mois": horizon,
            "date_observation": observed[present].astype("datetime64[ns]"),
            "situation": situation[present],
        }))
    return pd.concat(frames, ignore_index=True)


def _french_csv(frame: pd.DataFrame) -> bytes:
    """A table as French office exports write it: ``;``, decimal comma, ``JJ/MM/AAAA``, UTF-8 BOM,
    booleans as ``oui``/``non``."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == bool:
            out[name] = np.where(out[name], "oui", "non")
    text = out.to_csv(sep=";", decimal=",", index=False, date_format="%d/%m/%Y", lineterminator="\n")
    return ("\ufeff" + text).encode("utf-8")


#: The demo comparison files: with a difference of :data:`DEMO_GAP`, and with none.
COMPARISON_FILES = {"comparaison.csv": DEMO_GAP, "comparaison_sans_ecart.csv": 0.0}


def write_comparison(params: DemoParameters, folder: Path) -> dict[Path, float]:
    """Write the demo comparison files (:data:`COMPARISON_FILES`) for the dataset of ``params`` to
    ``folder``; return each file with its true average difference on participants (points / 100)."""
    tables, chances = _generate(params)
    written = {}
    for name, gap in COMPARISON_FILES.items():
        frame, truth = comparison_group(params, tables, chances, gap)
        written[atomic_write_bytes(Path(folder) / name, _french_csv(frame))] = truth
    return written


def write(params: DemoParameters, folder: Path, file_format: str = "csv") -> list[Path]:
    """Write a synthetic dataset to ``folder``: one CSV per table, or one ``.xlsx`` workbook."""
    tables = generate(params)
    tables["heures"]["mois"] = tables["heures"]["mois"].dt.strftime("%Y-%m")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if file_format == "xlsx":
        import io

        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for name in TABLES_BY_NAME:
                frame = tables[name].copy()
                for column in frame.columns:
                    if frame[column].dtype == bool:
                        frame[column] = np.where(frame[column], "oui", "non")
                frame.to_excel(writer, sheet_name=name, index=False)
        return [atomic_write_bytes(folder / "donnees_demo.xlsx", buffer.getvalue())]
    return [atomic_write_bytes(folder / f"{name}.csv", _french_csv(tables[name])) for name in TABLES_BY_NAME]
