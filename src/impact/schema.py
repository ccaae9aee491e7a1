"""The input data model (SPEC section 2), declared once.

Everything that describes the tables is generated from this module: the blank CSV templates and
the Excel workbook of ``data_templates/``, the Table Schema ``datapackage.json``, the data
dictionary page of the docs, and the checks of :mod:`impact.validation`.

Column kinds:

- ``text``: free text; surrounding spaces are removed;
- ``category``: one code of a closed list, read case-, accent- and space-insensitively;
- ``number``: a real number (decimal comma or point, spaces as thousands separators);
- ``integer``: a whole number;
- ``date``: a calendar day (``AAAA-MM-JJ``, ``JJ/MM/AAAA`` or an Excel date cell);
- ``month``: a calendar month (``AAAA-MM``);
- ``boolean``: ``oui``/``non`` and their variants; an empty cell is ``non``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "category", "number", "integer", "date", "month", "boolean"]

#: Hours of one full-time equivalent by default: the legal yearly working time (hours).
HEURES_ETP = 1607.0
#: Youngest age at which a person can hold a contract: birth years after ``current year - 14``
#: are refused.
MIN_AGE = 14
#: Earliest accepted birth year.
MIN_BIRTH_YEAR = 1930
#: Months employed in the 12 months before the clause (participants) or the reference date
#: (comparison group): the prior employment of the impact study.
PRIOR_EMPLOYMENT = "mois_emploi_12m"


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    ``required``: a value is required on every row (the column must then be present).
    ``present``: the column must be present even though values may be empty (booleans, where
    empty means ``non``). ``minimum`` with ``exclusive_minimum`` bounds numbers (the birth year also has a maximum, :func:`max_birth_year`, that moves with the calendar). ``codes`` maps each
    category code to its French label. ``references`` names the ``(table, column)`` a value must
    exist in. ``digits`` is the exact number of digits of a code such as a SIRET.
    """

    name: str
    kind: Kind
    description: str
    required: bool = False
    present: bool = False
    unique: bool = False
    minimum: float | None = None
    exclusive_minimum: bool = False
    codes: dict[str, str] = field(default_factory=dict)
    references: tuple[str, str] | None = None
    digits: int | None = None
    identifier: bool = False
    #: Other headers real exports give this column (« Civilité » for ``sexe``, « RQTH »).
    headers: tuple[str, ...] = ()
    #: Other spellings of its codes found in real exports (« Mme » for ``F``, « CAP » for ``niveau_3``).
    spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def must_be_present(self) -> bool:
        """Whether a file without this column is an error."""
        return self.required or self.present


@dataclass(frozen=True)
class Table:
    """One input table: its columns, its key and whether the dataset may omit it."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    optional: bool = False
    key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Column names in their declared order."""
        return [c.name for c in self.columns]


TYPE_ACHETEUR = {
    "etat": "État et ses établissements",
    "collectivite": "Collectivité territoriale ou groupement",
    "bailleur_social": "Bailleur social",
    "etablissement_sante": "Établissement de santé",
    "autre_public": "Autre acheteur public",
    "prive": "Acheteur privé",
}
TYPE_MARCHE = {"travaux": "Travaux", "services": "Services", "fournitures": "Fournitures"}
DISPOSITIF = {
    "clause_execution": "Clause d'insertion, condition d'exécution (L2112-2)",
    "critere_attribution": "Critère social d'attribution (L2152-7)",
    "marche_reserve_siae": "Marché réservé aux SIAE (L2113-13)",
    "marche_reserve_handicap": "Marché réservé aux EA et ESAT (L2113-12)",
    "marche_insertion": "Marché d'insertion et de qualification (R2123-1)",
    "autre": "Autre dispositif",
}
#: Value of each mechanism in the national open data on public contracts (DECP,
#: ``considerationsSociales``).
DISPOSITIF_DECP = {
    "clause_execution": "Clause sociale",
    "critere_attribution": "Critère social",
    "marche_reserve_siae": "Marché réservé",
    "marche_reserve_handicap": "Marché réservé",
    "marche_insertion": "Clause sociale",
    "autre": "",
}
TAILLE = {
    "tpe": "Très petite entreprise",
    "pme": "Petite ou moyenne entreprise",
    "eti": "Entreprise de taille intermédiaire",
    "ge": "Grande entreprise",
    "inconnue": "Taille inconnue",
}
TYPE_STRUCTURE = {
    "entreprise": "Entreprise",
    "etti": "Entreprise de travail temporaire d'insertion (ETTI)",
    "ei": "Entreprise d'insertion (EI)",
    "ai": "Association intermédiaire (AI)",
    "aci": "Atelier et chantier d'insertion (ACI)",
    "geiq": "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)",
    "ea": "Entreprise adaptée (EA)",
    "esat": "Établissement et service d'aide par le travail (ESAT)",
    "autre": "Autre structure",
}
SEXE = {"F": "Femme", "M": "Homme"}
NIVEAU_FORMATION = {
    "infra_3": "Sans diplôme (infra 3)",
    "niveau_3": "CAP, BEP (niveau 3)",
    "niveau_4": "Baccalauréat (niveau 4)",
    "niveau_5_plus": "Bac + 2 et plus (niveau 5 et plus)",
    "inconnu": "Niveau inconnu",
}
TYPE_CONTRAT = {
    "cdi": "CDI",
    "cdd": "CDD",
    "interim": "Intérim",
    "ctti": "Contrat de travail temporaire d'insertion (CTTI)",
    "cddi": "CDD d'insertion (CDDI)",
    "professionnalisation": "Contrat de professionnalisation",
    "apprentissage": "Contrat d'apprentissage",
    "autre": "Autre contrat",
}
MODALITE = {
    "embauche_directe": "Embauche directe",
    "mise_a_disposition": "Mise à disposition (ETTI, AI, GEIQ)",
    "sous_traitance_siae": "Sous-traitance à une SIAE",
    "cotraitance_siae": "Cotraitance avec une SIAE",
    "autre": "Autre modalité",
}
#: Situation codes after the clause, with their French label and their group.
SITUATION = {
    "cdi": ("CDI", "emploi_durable"),
    "cdd_6_mois_plus": ("CDD de 6 mois ou plus", "emploi_durable"),
    "interim_6_mois_plus": ("Intérim de 6 mois ou plus", "emploi_durable"),
    "creation_entreprise": ("Création d'entreprise", "emploi_durable"),
    "fonction_publique": ("Titularisation dans la fonction publique", "emploi_durable"),
    "cdd_moins_6_mois": ("CDD de moins de 6 mois", "emploi_transition"),
    "interim_moins_6_mois": ("Intérim de moins de 6 mois", "emploi_transition"),
    "contrat_aide": ("Contrat aidé chez un employeur ordinaire", "emploi_transition"),
    "formation_qualifiante": ("Formation qualifiante", "sortie_positive"),
    "embauche_siae": ("Embauche dans une autre SIAE", "sortie_positive"),
    "demandeur_emploi": ("Demandeur d'emploi", "autre_sortie"),
    "inactif": ("Inactif", "autre_sortie"),
    "autre": ("Autre situation", "autre_sortie"),
    "neutralisee": ("Situation neutralisée (déménagement, santé, décès)", "neutralisee"),
    "inconnue": ("Situation inconnue", "inconnue"),
}
SITUATION_GROUPE = {
    "emploi_durable": "Emploi durable",
    "emploi_transition": "Emploi de transition",
    "sortie_positive": "Sortie positive",
    "autre_sortie": "Autre sortie",
    "neutralisee": "Situation neutralisée",
    "inconnue": "Situation inconnue",
}
#: Groups that make up the *sorties dynamiques*.
SORTIES_DYNAMIQUES = ("emploi_durable", "emploi_transition", "sortie_positive")
#: The boolean columns of ``participants`` that define the publics, with their French label.
PUBLICS = {
    "deld": "Demandeur d'emploi de longue durée (12 mois ou plus)",
    "minima_sociaux": "Bénéficiaire de minima sociaux (RSA, ASS, AAH...)",
    "travailleur_handicape": "Travailleur handicapé reconnu",
    "jeune_peu_qualifie": "Jeune de moins de 26 ans peu qualifié",
    "senior_50": "Demandeur d'emploi de 50 ans ou plus",
    "residant_qpv": "Résidant d'un quartier prioritaire (QPV)",
    "parcours_iae": "En parcours IAE (SIAE) ou GEIQ",
    "autre_public": "Public éligible sur dérogation du facilitateur",
}
#: Other headers of the publics' columns in real exports (acronyms of the field).
PUBLIC_HEADERS = {
    "deld": ("DELD", "DE longue durée", "Demandeur d'emploi longue durée"),
    "minima_sociaux": ("BRSA", "RSA", "Bénéficiaire du RSA", "Minima sociaux"),
    "travailleur_handicape": ("RQTH", "BOETH", "TH", "Handicap", "Travailleur handicapé"),
    # Not « Jeune -26 ans »: an age alone, without the qualification.
    "jeune_peu_qualifie": ("Jeune peu qualifié",),
    "senior_50": ("Senior", "Senior 50 ans et plus", "Senior +50 ans", "Senior 50+", "Plus de 50 ans", "50 ans et plus"),
    "residant_qpv": ("QPV", "Résident QPV", "Résidant QPV", "Quartier prioritaire"),
    "parcours_iae": ("IAE", "SIAE", "Parcours IAE", "GEIQ"),
    "autre_public": ("Autre public", "Dérogation"),
}
#: Headers of the sex in real exports, and the spellings of its codes.
SEXE_HEADERS = ("Civilité", "Genre")
SEXE_SPELLINGS = {"F": ("Mme", "Madame", "Mlle", "Mademoiselle", "Féminin"), "M": ("M.", "Monsieur", "Masculin", "H")}
#: Codes as real exports write them, by column (« Commune » is a ``collectivite``, « MAD » a
#: ``mise_a_disposition``).
FIELD_SPELLINGS = {
    "type_acheteur": {
        "collectivite": ("Collectivité", "Collectivité territoriale", "Commune", "Ville", "Mairie", "EPCI", "Communauté de communes",
                         "Communauté d'agglomération", "Métropole", "Département", "Conseil départemental", "Région", "Conseil régional",
                         "Syndicat mixte"),
        "etat": ("Etat", "État", "Ministère", "Préfecture"),
        "bailleur_social": ("Bailleur", "OPH", "ESH", "Office public de l'habitat", "HLM"),
        "etablissement_sante": ("Hôpital", "CHU", "Centre hospitalier"),
        "prive": ("Privé", "Entreprise privée"),
    },
    "dispositif": {
        "clause_execution": ("Clause d'exécution", "Clause d'insertion", "Condition d'exécution", "L2112-2"),
        "critere_attribution": ("Critère d'attribution", "L2152-7"),
        "marche_reserve_siae": ("Marché réservé SIAE", "L2113-13"),
        "marche_reserve_handicap": ("Marché réservé EA ESAT", "L2113-12"),
        "marche_insertion": ("Marché d'insertion", "Marché de qualification", "R2123-1"),
    },
    "taille": {"tpe": ("Moins de 10 salariés", "0 à 9", "1 à 9"), "pme": ("10 à 49", "10 à 249", "50 à 249"), "eti": ("250 à 4999",),
               "ge": ("5000 et plus", "Grand groupe")},
    "type_contrat": {"professionnalisation": ("Contrat pro", "Contrat pro.", "Professionnalisation"), "apprentissage": ("Apprentissage",),
                     "interim": ("Interim", "Mission d'intérim", "Travail temporaire")},
    "modalite": {"mise_a_disposition": ("MAD", "Mise à disposition"), "embauche_directe": ("Embauche",),
                 "sous_traitance_siae": ("Sous-traitance",), "cotraitance_siae": ("Cotraitance", "Co-traitance")},
    # « CDD -6 mois » is not here: without its sign it reads « CDD 6 mois », which is six months or more.
    "situation": {
        "cdi": ("CDI intérimaire", "CDI temps partiel", "CDI temps plein"),
        "cdd_6_mois_plus": ("CDD + 6 mois", "CDD +6 mois", "CDD 6 mois et plus", "CDD >= 6 mois", "CDD de plus de 6 mois"),
        "interim_6_mois_plus": ("Intérim + 6 mois", "Intérim +6 mois", "Intérim 6 mois et plus", "Intérim de plus de 6 mois"),
        "creation_entreprise": ("Création", "Création d'activité", "Auto-entrepreneur", "Micro-entrepreneur"),
        "fonction_publique": ("Titularisation", "Fonction publique"),
        "cdd_moins_6_mois": ("CDD < 6 mois", "CDD court"),
        "interim_moins_6_mois": ("Intérim < 6 mois", "Intérim court"),
        "contrat_aide": ("Contrat aidé", "PEC", "CUI", "CUI-CAE", "Parcours emploi compétences"),
        "formation_qualifiante": ("Formation certifiante", "Formation diplômante"),
        "embauche_siae": ("SIAE", "Embauche SIAE", "Autre SIAE"),
        "demandeur_emploi": ("DE", "Chômage", "Sans emploi", "Recherche d'emploi"),
        "inactif": ("Inactivité", "Retraite"),
        "neutralisee": ("Déménagement", "Décès", "Maladie", "Santé", "Congé maternité", "Incarcération"),
        "inconnue": ("Injoignable", "Perdu de vue", "Sans nouvelles", "Non joignable"),
    },
}
#: Headers of the training level in real exports.
LEVEL_HEADERS = ("Niveau de qualification", "Qualification", "Niveau", "Niveau de diplôme", "Diplôme")
#: Diplomas as real exports name them, by training level.
NIVEAU_FORMATION_SPELLINGS = {
    "infra_3": ("Aucun diplôme", "Sans qualification", "Infra 3", "Infra niveau 3", "Niveau infra 3", "Brevet", "Brevet des collèges", "DNB", "CFG", "CEP",
                "Niveau VI", "Niveau V bis", "VI", "V bis"),
    "niveau_3": ("CAP", "BEP", "CAP-BEP", "CAP/BEP", "CAP BEP", "CAP ou BEP", "Niveau V", "Niveau 3", "V"),
    "niveau_4": ("Bac", "Bac pro", "Bac professionnel", "BP", "Brevet professionnel", "Niveau IV", "Niveau 4", "IV"),
    "niveau_5_plus": ("Bac+2", "Bac +2", "Bac + 2", "Bac+3", "Bac+5", "BTS", "DUT", "BUT", "DEUG", "Licence", "Master", "Niveau III", "Niveau 5", "III",
                      "Supérieur", "Bac+2 et plus"),
}


TABLES: tuple[Table, ...] = (
    Table(
        "acheteurs",
        "Acheteurs (donneurs d'ordre)",
        "Les acheteurs publics ou privés qui inscrivent une clause sociale dans leurs marchés.",
        (
            Column("id_acheteur", "text", "Identifiant de l'acheteur", required=True, unique=True, identifier=True),
            Column("nom", "text", "Nom de l'acheteur", required=True),
            Column("type_acheteur", "category", "Type d'acheteur", required=True, codes=TYPE_ACHETEUR, spellings=FIELD_SPELLINGS["type_acheteur"]),
            Column("siret", "text", "Numéro SIRET (14 chiffres)", digits=14),
        ),
        key=("id_acheteur",),
    ),
    Table(
        "operations",
        "Opérations (marchés ou lots avec clause)",
        "Les marchés ou lots qui portent une clause sociale.",
        (
            Column("id_operation", "text", "Identifiant du marché ou du lot", required=True, unique=True, identifier=True),
            Column("id_acheteur", "text", "Acheteur (identifiant de la table acheteurs)", required=True, references=("acheteurs", "id_acheteur")),
            Column("intitule", "text", "Intitulé du marché ou du lot", required=True, headers=("Objet du marché", "Intitulé de l'opération")),
            Column("type_marche", "category", "Type de marché", required=True, codes=TYPE_MARCHE),
            Column("dispositif", "category", "Dispositif juridique de la clause", required=True, codes=DISPOSITIF, spellings=FIELD_SPELLINGS["dispositif"]),
            Column("territoire", "text", "Territoire qui suit la clause", required=True),
            Column("date_notification", "date", "Date de notification du marché", required=True),
            Column("montant_ht", "number", "Montant hors taxes (euros)", minimum=0),
            Column("heures_prevues", "number", "Heures d'insertion exigées par la clause", minimum=0,
                   headers=("Heures prévues", "Heures d'insertion prévues", "Nb d'heures d'insertion prévues", "Objectif d'heures")),
            Column("date_fin_prevue", "date", "Date de fin prévue du marché"),
            Column("code_cpv", "text", "Code CPV du marché"),
        ),
        key=("id_operation",),
    ),
    Table(
        "entreprises",
        "Entreprises (employeurs)",
        "L'entreprise attributaire, ou la structure d'insertion qui emploie la personne.",
        (
            Column("id_entreprise", "text", "Identifiant de l'employeur", required=True, unique=True, identifier=True),
            Column("raison_sociale", "text", "Raison sociale", required=True, headers=("Entreprise attributaire", "Attributaire", "Titulaire")),
            Column("siret", "text", "Numéro SIRET (14 chiffres)", digits=14),
            Column("taille", "category", "Taille de l'entreprise", required=True, codes=TAILLE, spellings=FIELD_SPELLINGS["taille"]),
            Column("type_structure", "category", "Type de structure", required=True, codes=TYPE_STRUCTURE),
            Column("code_naf", "text", "Code NAF (APE)", headers=("Code APE", "APE", "NAF")),
        ),
        key=("id_entreprise",),
    ),
    Table(
        "participants",
        "Participants (personnes recrutées)",
        "Les personnes recrutées au titre d'une clause, sous pseudonyme : jamais de nom ni de numéro de sécurité sociale.",
        (
            Column("id_participant", "text", "Pseudonyme de la personne", required=True, unique=True, identifier=True),
            Column("sexe", "category", "Sexe", required=True, codes=SEXE, headers=SEXE_HEADERS, spellings=SEXE_SPELLINGS),
            Column(
                "annee_naissance", "integer", "Année de naissance (vide ou « inconnu » si elle n'est pas connue : âge inconnu)",
                minimum=MIN_BIRTH_YEAR, headers=("Année naiss.", "Année de naiss."),
            ),
            Column("niveau_formation", "category", "Niveau de formation", required=True, codes=NIVEAU_FORMATION,
                   spellings=NIVEAU_FORMATION_SPELLINGS, headers=LEVEL_HEADERS),
            *(Column(name, "boolean", label, present=True, headers=PUBLIC_HEADERS[name]) for name, label in PUBLICS.items()),
            Column(PRIOR_EMPLOYMENT, "integer", "Mois en emploi pendant les 12 mois avant l'entrée en clause (facultatif, pour l'étude d'impact)", minimum=0),
        ),
        key=("id_participant",),
    ),
    Table(
        "contrats",
        "Contrats (contrats de travail ou missions)",
        "Les contrats de travail ou missions réalisés au titre d'une clause.",
        (
            Column("id_contrat", "text", "Identifiant du contrat", required=True, unique=True, identifier=True),
            Column("id_participant", "text", "Personne (table participants)", required=True, references=("participants", "id_participant")),
            Column("id_operation", "text", "Marché ou lot (table operations)", required=True, references=("operations", "id_operation")),
            Column("id_entreprise", "text", "Employeur (table entreprises)", required=True, references=("entreprises", "id_entreprise")),
            Column("type_contrat", "category", "Type de contrat", required=True, codes=TYPE_CONTRAT, headers=("Nature du contrat",),
                   spellings=FIELD_SPELLINGS["type_contrat"]),
            Column("modalite", "category", "Modalité de mise en œuvre", required=True, codes=MODALITE, spellings=FIELD_SPELLINGS["modalite"]),
            Column("date_debut", "date", "Date de début", required=True,
                   headers=("Date d'entrée", "Entrée", "Début", "Date début contrat", "Début de contrat", "Début contrat", "Date d'embauche")),
            Column("date_fin", "date", "Date de fin (vide tant que le contrat court)",
                   headers=("Date de sortie", "Sortie", "Fin", "Date fin contrat", "Fin de contrat")),
            Column("heures_realisees", "number", "Heures réalisées sur tout le contrat, pas sur l'année (obligatoire sans détail mensuel ; préférez la table heures)", minimum=0,
                   headers=("Heures réalisées", "Heures effectuées", "Heures travaillées", "Heures cumulées", "Nombre d'heures", "Total heures",
                            "Heures d'insertion réalisées", "Heures d'insertion", "Nombre d'heures d'insertion réalisées",
                            "Heures d'insertion effectuées", "Total heures d'insertion")),
        ),
        key=("id_contrat",),
    ),
    Table(
        "heures",
        "Heures mensuelles (facultatif)",
        "Les heures déclarées mois par mois ; elles priment sur heures_realisees.",
        (
            Column("id_contrat", "text", "Contrat (table contrats)", required=True, references=("contrats", "id_contrat")),
            Column("mois", "month", "Mois (AAAA-MM)", required=True, headers=("Mois de réalisation", "Mois travaillé", "Période")),
            Column("heures", "number", "Heures réalisées dans le mois", required=True, minimum=0,
                   headers=("Heures du mois", "Heures mensuelles", "Heures dans le mois", "Heures réalisées dans le mois",
                            "Heures réalisées du mois", "Nb heures du mois")),
        ),
        optional=True,
        key=("id_contrat", "mois"),
    ),
    Table(
        "suivis",
        "Suivis après la clause (facultatif)",
        "La situation de la personne quelques mois après la fin de son parcours en clause.",
        (
            Column("id_participant", "text", "Personne (table participants)", required=True, references=("participants", "id_participant")),
            Column("horizon_mois", "integer", "Mois après la fin du parcours (6, 12...)", required=True, minimum=0),
            Column("date_observation", "date", "Date de l'observation"),
            Column(
                "situation", "category", "Situation observée", required=True,
                codes={code: label for code, (label, _group) in SITUATION.items()}, spellings=FIELD_SPELLINGS["situation"],
            ),
        ),
        optional=True,
        key=("id_participant", "horizon_mois"),
    ),
    Table(
        "territoires",
        "Territoires (facultatif)",
        "Les territoires suivis, leur région et leur population.",
        (
            Column("territoire", "text", "Nom du territoire", required=True, unique=True),
            Column("region", "text", "Région"),
            Column("population", "integer", "Population (habitants)", minimum=0, exclusive_minimum=True),
        ),
        optional=True,
        key=("territoire",),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

#: The comparison group of the impact study (``impact effet --comparaison``): a file apart from the
#: dataset, of eligible persons not hired through a clause (for example followed by the PLIE),
#: with the participants' profile, a reference date, their prior employment and their situation
#: ``horizon_mois`` months after the reference date.
COMPARAISON = Table(
    "comparaison",
    "Groupe de comparaison (facultatif, fichier à part)",
    "Des personnes éligibles qui n'ont pas été recrutées au titre d'une clause (par exemple suivies par le PLIE), "
    "sous pseudonyme, avec leur situation quelques mois après une date de référence ; fichier fourni à part, "
    "à « impact effet --comparaison ».",
    (
        Column("id_personne", "text", "Pseudonyme de la personne", required=True, identifier=True),
        Column("sexe", "category", "Sexe", required=True, codes=SEXE, headers=SEXE_HEADERS, spellings=SEXE_SPELLINGS),
        Column("annee_naissance", "integer", "Année de naissance", required=True, minimum=MIN_BIRTH_YEAR),
        Column("niveau_formation", "category", "Niveau de formation", required=True, codes=NIVEAU_FORMATION,
               spellings=NIVEAU_FORMATION_SPELLINGS, headers=LEVEL_HEADERS),
        *(Column(name, "boolean", label, present=True, headers=PUBLIC_HEADERS[name]) for name, label in PUBLICS.items()),
        Column("date_reference", "date", "Date de référence (par exemple l'entrée en accompagnement)", required=True),
        Column(PRIOR_EMPLOYMENT, "integer", "Mois en emploi pendant les 12 mois avant la date de référence", minimum=0),
        Column("horizon_mois", "integer", "Mois après la date de référence (6, 12...)", required=True, minimum=0),
        Column("situation", "category", "Situation observée", required=True,
               codes={code: label for code, (label, _group) in SITUATION.items()}),
    ),
    optional=True,
    key=("id_personne", "horizon_mois"),
)
#: Every table the schema describes, the comparison group included (templates and dictionary).
ALL_TABLES: tuple[Table, ...] = (*TABLES, COMPARAISON)


def max_birth_year() -> int:
    """Latest accepted birth year: the current year minus :data:`MIN_AGE`."""
    return _dt.date.today().year - MIN_AGE

