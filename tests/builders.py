"""Small hand-built datasets for indicator tests: only what a test is about is spelled out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import impact
from impact.schema import PUBLICS, TABLES_BY_NAME

ACHETEURS = [
    {"id_acheteur": "A1", "nom": "Ville", "type_acheteur": "collectivite"},
    {"id_acheteur": "A2", "nom": "Office HLM", "type_acheteur": "bailleur_social"},
]
ENTREPRISES = [
    {"id_entreprise": "E1", "raison_sociale": "Bâtiment", "taille": "pme", "type_structure": "entreprise"},
    {"id_entreprise": "E2", "raison_sociale": "Tremplin", "taille": "tpe", "type_structure": "etti"},
]
OPERATIONS = [
    {"id_operation": "O1", "id_acheteur": "A1", "intitule": "École", "type_marche": "travaux", "dispositif": "clause_execution",
     "territoire": "T1", "date_notification": "2023-01-10", "heures_prevues": 500, "date_fin_prevue": "2024-06-30", "code_cpv": "45262500"},
    {"id_operation": "O2", "id_acheteur": "A2", "intitule": "Nettoyage", "type_marche": "services", "dispositif": "marche_insertion",
     "territoire": "T2", "date_notification": "2023-05-01", "heures_prevues": 300, "date_fin_prevue": "2026-12-31", "code_cpv": ""},
]


def person(ident: str, sexe: str = "M", annee_naissance: int = 1990, niveau: str = "infra_3", **publics: bool) -> dict:
    """A participant; publics given as keyword flags (``deld=True``)."""
    return {"id_participant": ident, "sexe": sexe, "annee_naissance": annee_naissance, "niveau_formation": niveau,
            **{p: "oui" if publics.get(p) else "non" for p in PUBLICS}}


def contract(ident: str, participant: str, operation: str, debut: str, fin: str | None, heures: float | None,
             entreprise: str = "E1", type_contrat: str = "cdd", modalite: str = "embauche_directe") -> dict:
    """A contract; ``fin`` None while it runs, ``heures`` None when monthly rows give them."""
    return {"id_contrat": ident, "id_participant": participant, "id_operation": operation, "id_entreprise": entreprise,
            "type_contrat": type_contrat, "modalite": modalite, "date_debut": debut, "date_fin": fin or "",
            "heures_realisees": "" if heures is None else heures}


def dataset(folder: Path, contrats: list[dict], participants: list[dict], heures: list[dict] = (), suivis: list[dict] = (),
            operations: list[dict] = OPERATIONS) -> impact.Dataset:
    """Write the tables to ``folder`` and load them (the dataset must be valid)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"acheteurs": ACHETEURS, "entreprises": ENTREPRISES, "operations": operations, "participants": participants,
              "contrats": contrats, "heures": list(heures), "suivis": list(suivis)}
    for name, rows in tables.items():
        frame = pd.DataFrame(rows, columns=TABLES_BY_NAME[name].names) if rows else pd.DataFrame(columns=TABLES_BY_NAME[name].names)
        frame.to_csv(folder / f"{name}.csv", index=False, sep=";")
    return impact.load(folder)


def value(table: pd.DataFrame, annee: int, territoire: str, indicateur: str, dimension: str = "ensemble",
          modalite: str = "ensemble", column: str = "valeur"):
    """One cell of the indicator table."""
    row = table.loc[(table["annee"] == annee) & (table["territoire"] == territoire) & (table["indicateur"] == indicateur)
                    & (table["dimension"] == dimension) & (table["modalite"] == modalite)]
    assert len(row) == 1, f"{len(row)} lignes pour {annee} {territoire} {indicateur} {dimension} {modalite}"
    return row[column].iloc[0]
