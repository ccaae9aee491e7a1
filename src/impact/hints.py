"""Every kind of problem the kit reports on bad input, and how to fix it (« Pour corriger : … »).

A problem has a *kind* (a short code such as ``valeur_non_date``) besides its message: the message
says what is wrong with this file, line and value; the kind's hint says what to change, in French,
naming the accepted codes, the format or the option to use. Problems of a dataset, of returns to
consolidate or of a comparison group carry their kind in :class:`impact.problems.ProblemLog`
(column ``correction`` of the problems, printed once under each distinct problem); a mistake that
stops a command (:class:`UserError`, or a message of the command line) carries one too.

Hints may name the problem's table and column with ``{table}`` and ``{colonne}``, a command line's
mistake the command with ``{commande}``, an import its output folder with ``{dossier}``. :data:`HINTS` is the one registry: recording a problem of
a kind it lacks is a programming error (``KeyError``).
"""

from __future__ import annotations

#: The hint of each kind of problem, after « Pour corriger : ».
HINTS: dict[str, str] = {
    # The dataset folder and its files (impact.reading).
    "dossier_absent": "vérifiez le chemin : donnez le dossier qui contient les tables (ou le classeur .xlsx)",
    "fichier_au_lieu_du_dossier": "donnez le dossier du jeu de données plutôt que l'un de ses fichiers",
    "pas_un_dossier": "donnez le dossier qui contient les tables, ou le classeur .xlsx du jeu de données",
    "dossier_vide": "placez dans le dossier un fichier par table (CSV ou Parquet) ou un classeur .xlsx ; "
                    "« impact modeles DOSSIER » écrit les modèles vierges",
    "lien_hors_dossier": "copiez le fichier lui-même dans le dossier du jeu de données, à la place du lien",
    "plusieurs_classeurs": "gardez un seul classeur .xlsx (une feuille par table) ; pour réunir des classeurs annuels, "
                           "utilisez « impact importer DOSSIER --out NOUVEAU_DOSSIER »",
    "classeur_et_csv": "gardez soit le classeur .xlsx, soit les fichiers CSV ou Parquet, et déplacez les autres hors du dossier",
    "fichier_ignore": "renommez le fichier du nom de sa table (acheteurs.csv, contrats.csv...) s'il en contient une, "
                      "sinon déplacez-le hors du dossier ; « impact importer » reconnaît les fichiers de noms quelconques",
    "feuille_ignoree": "renommez la feuille du nom de sa table (acheteurs, contrats...) si elle en contient une ; "
                       "« impact importer » reconnaît les feuilles de noms quelconques",
    "table_en_double": "gardez une seule source pour la table {table} : supprimez ou renommez l'autre fichier ou feuille",
    "csv_est_un_classeur": "ouvrez le fichier dans le tableur et enregistrez-le au format CSV, ou renommez-le en .xlsx",
    "fichier_binaire": "exportez de nouveau la table au format CSV depuis le logiciel ou le tableur",
    "encodage": "enregistrez le fichier en CSV UTF-8 (Excel : Enregistrer sous, type « CSV UTF-8 ») ou en Windows-1252",
    "fichier_vide": "écrivez au moins la ligne d'en-tête (modèle : {table}.csv de « impact modeles DOSSIER »)",
    "csv_illisible": "fermez le guillemet ouvert, ou exportez de nouveau le fichier en CSV depuis le tableur",
    "guillemet_non_ferme": "fermez le guillemet (\") ouvert sur cette ligne, ou retirez-le ; un guillemet dans une valeur "
                           "s'écrit doublé (\"\") dans une valeur entre guillemets",
    "nombre_de_champs": "donnez à la ligne autant de valeurs que l'en-tête a de colonnes ; une valeur qui contient "
                        "le séparateur (; ou ,) doit être entre guillemets",
    "entete_decalee": "placez l'en-tête en ligne 1 si les lignes ignorées contiennent des données ; "
                      "rien à changer si ce ne sont que des titres",
    "ligne_total": "supprimez la ligne pour ne plus voir l'avertissement ; rien à changer sinon, le kit calcule lui-même "
                   "les totaux",
    "fichier_absent": "vérifiez le chemin et le nom du fichier (extension comprise)",
    "parquet_illisible": "exportez de nouveau la table, en Parquet ou en CSV",
    "classeur_refuse": "suivez l'indication du message, ou enregistrez chaque table en CSV (un fichier par table)",
    "classeur_illisible": "ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le au format .xlsx, "
                          "ou exportez ses feuilles en CSV",
    "feuille_vide": "remplissez la feuille (au moins sa ligne d'en-tête) ou supprimez-la",
    "valeurs_hors_entete": "donnez un en-tête à la colonne de ces valeurs, ou effacez-les",
    "colonne_identifiante": "supprimez la colonne « {colonne} » : une personne n'est désignée que par un pseudonyme "
                            "(« impact pseudonymiser »)",
    "colonne_inconnue": "si c'est une colonne du kit sous un autre nom, écrivez son en-tête comme dans les modèles "
                        "(« impact modeles DOSSIER ») ; rien à changer sinon",
    "colonne_en_double": "supprimez l'une des deux colonnes, ou renommez-la si elle contient autre chose",
    # The values and rules of the tables (impact.validation).
    "table_absente": "ajoutez {table}.csv (ou .parquet) au dossier, ou une feuille « {table} » au classeur ; "
                     "modèle : « impact modeles DOSSIER »",
    "colonne_absente": "ajoutez la colonne « {colonne} » à l'en-tête de {table}, comme dans le modèle {table}.csv "
                       "(« impact modeles DOSSIER »)",
    "valeur_non_nombre": "écrivez un nombre seul, avec une virgule ou un point décimal (1 234,5 ; 35 h)",
    "valeur_non_entier": "écrivez un nombre entier, sans décimale (1990)",
    "valeur_non_date": "écrivez la date au format AAAA-MM-JJ (ou JJ/MM/AAAA), ou utilisez une cellule date d'Excel",
    "valeur_non_mois": "écrivez le mois au format AAAA-MM (ou MM/AAAA, ou « mars 2024 »)",
    "valeur_non_booleen": "écrivez oui ou non (ou o/n, vrai/faux, 1/0 ; x ou une cellule vide)",
    "valeur_hors_liste": "écrivez l'un des codes admis cités, ou son libellé (feuille « listes » du modèle Excel "
                         "d'« impact modeles ») ; pour un export, associez-lui un code dans correspondance.toml",
    "valeur_manquante": "remplissez « {colonne} » sur cette ligne : la valeur est obligatoire dans {table}",
    "valeur_trop_petite": "corrigez la valeur selon la borne citée (un signe « - » en trop, une année mal tapée ?)",
    "naissance_trop_recente": "corrigez l'année de naissance (l'année du contrat saisie à sa place ?) ; "
                              "écrivez « inconnu » si elle n'est pas connue",
    "chiffres_manquants": "écrivez le numéro complet en chiffres seuls (le SIRET en compte 14 ; les espaces sont admis)",
    "identifiant_en_double": "supprimez la ligne répétée, ou donnez-lui son propre identifiant : "
                             "chaque ligne de {table} a le sien",
    "valeurs_en_double": "gardez une seule de ces lignes : une situation par personne et par horizon dans suivis, les heures "
                         "d'un contrat et d'un mois sur une ligne dans heures (additionnez-les si le mois est déclaré en deux fois)",
    "reference_absente": "ajoutez la ligne manquante à la table citée, ou corrigez l'identifiant pour qu'il s'écrive "
                         "exactement de même dans les deux tables",
    "dates_inversees": "corrigez la date de début ou la date de fin (jour et mois inversés ? année mal tapée ?)",
    "heures_manquantes": "écrivez les heures réalisées du contrat (0 s'il n'en a aucune), ou ses heures de chaque mois "
                         "dans la table heures",
    "heures_hors_contrat": "vérifiez le mois, ou les dates du contrat (prolongé ? date de fin à reporter) : un mois hors du contrat "
                           "compte des heures dans une année où le contrat n'est pas actif",
    "heures_ecart_mensuel": "mettez heures_realisees en accord avec la somme des heures mensuelles du contrat, "
                            "ou laissez-la vide",
    "date_fin_prevue": "si le jeu a été extrait après cette date, donnez sa date d'extraction aux commandes qui calculent "
                       "(--date-extraction AAAA-MM-JJ) ; sinon, laissez vide la date de fin d'un contrat en cours",
    "plus_qu_un_temps_plein": "vérifiez les heures du contrat (plusieurs contrats cumulés ? des minutes ou des euros "
                              "au lieu d'heures ?)",
    "suivi_hors_fenetre": "vérifiez la date d'observation et l'horizon du suivi, et la date de fin du dernier contrat "
                          "de la personne",
    "sans_contrat": "ajoutez les contrats qui manquent, ou corrigez l'identifiant dans la table contrats ; "
                    "rien à changer si c'est voulu",
    "territoire_hors_table": "ajoutez ce territoire à la table territoires, ou écrivez-le dans operations comme dans territoires",
    "territoire_reserve": "renommez ce territoire dans toutes les tables, d'un nom qui n'est pas l'un des dossiers du kit cités",
    "territoire_meme_dossier": "écrivez les deux noms à l'identique s'il s'agit du même territoire, sinon renommez l'un des deux",
    "territoire_presque_identique": "écrivez les deux noms à l'identique dans operations s'il s'agit du même territoire",
    "identifiant_personnel": "remplacez les identifiants par des pseudonymes : "
                             "impact pseudonymiser FICHIER --colonne {colonne} --out NOUVEAU_FICHIER",
    "texte_formule": "retirez le premier signe s'il n'a pas lieu d'être ; rien à changer sinon, la valeur reste du texte",
    "texte_controle": "retirez ces caractères de la cellule (souvent venus d'un copier-coller depuis une page web)",
    "texte_balisage": "retirez le balisage s'il n'est pas voulu ; rien à changer sinon, la valeur est montrée telle quelle",
    # Returns to consolidate (impact.consolidation).
    "retour_en_double": "donnez chaque fichier une seule fois",
    "retour_illisible": "donnez l'indicateurs.csv écrit par « impact indicateurs » ou « impact bilan », tel quel "
                        "(pas indicateurs.xlsx, ni un fichier réenregistré par le tableur)",
    "retour_colonnes": "donnez l'indicateurs.csv tel qu'impact l'a écrit : ni colonne ajoutée, ni colonne retirée ou renommée",
    "retour_annee": "écrivez l'année en quatre chiffres (2024)",
    "retour_code_inconnu": "produisez de nouveau le retour avec « impact indicateurs » de la version du kit qui consolide, "
                           "sans modifier ses codes",
    "retour_non_nombre": "écrivez un nombre avec un point décimal (1234.5), « s » pour une valeur masquée, "
                         "ou laissez la cellule vide",
    "retour_ligne_en_double": "supprimez la ligne répétée",
    "retour_deja_fourni": "un seul retour par territoire et par année : retirez l'un des deux fichiers, "
                          "ou renommez le territoire s'il s'agit de deux territoires",
    "retour_ventilation": "produisez de nouveau le retour avec « impact indicateurs » : les modalités d'une ventilation "
                          "ne peuvent pas dépasser leur ensemble",
    # Importing an export (impact.importing).
    "import_source_absente": "vérifiez le chemin du classeur, du fichier CSV ou du dossier à importer",
    "import_rien_a_lire": "donnez un classeur .xlsx, un fichier .csv, ou un dossier qui en contient",
    "import_fichier_illisible": "enregistrez le fichier en CSV UTF-8 depuis le tableur (Enregistrer sous, type « CSV UTF-8 »), "
                                "ou donnez le classeur .xlsx lui-même",
    "correspondance_illisible": "corrigez le fichier à la ligne citée (syntaxe : \"en-tête\" = \"table.colonne\", "
                                "sous [feuilles], [colonnes.\"...\"] ou [valeurs.\"...\"]), ou relancez sans --correspondance",
    "correspondance_decision": "écrivez pour une feuille une table (acheteurs, operations, entreprises, participants, contrats, "
                               "heures, suivis, territoires), « plat » ou « ignorer » ; pour une colonne « table.colonne » "
                               "(en-têtes des modèles d'« impact modeles ») ou « ignorer »",
    "import_valeur_inconnue": "donnez le code du kit de chaque valeur dans {dossier}/correspondance.toml (section [valeurs]), "
                              "puis relancez avec --correspondance ; ou corrigez la valeur dans la source",
    "import_colonnes_absentes": "si la source a la colonne sous un autre en-tête, associez-le dans {dossier}/correspondance.toml "
                                "([colonnes]) ; sinon donnez sa valeur de toutes les lignes ([defauts] : « non » pour un public non suivi)",
    "import_valeurs_divergentes": "vérifiez ces lignes de la source : un marché, un employeur, un acheteur, une personne, un contrat "
                                  "a une seule valeur de chaque colonne ; corrigez la ligne qui diffère, ou donnez un identifiant "
                                  "distinct à chacun",
    "import_entete_a_choisir": "associez l'en-tête de la source qui donne chacune à « table.colonne » dans "
                               "{dossier}/correspondance.toml ([colonnes]), puis relancez avec --correspondance",
    "import_lignes_reprises": "vérifiez que le dernier fichier donne les valeurs entières de chaque ligne reprise (les heures "
                              "d'un contrat depuis son début, pas celles de sa seule année) ; sinon, donnez les heures mois par mois "
                              "(table heures) ou corrigez la source",
    "import_cle_tiree": "pour que les mêmes personnes aient les mêmes identifiants d'un import à l'autre (l'an prochain), "
                        "donnez à chaque import la même clé : --cle-fichier FICHIER ou la variable IMPACT_CLE",
    "correspondance_absente": "vérifiez le chemin donné à --correspondance (le fichier correspondance.toml écrit par un import précédent)",
    "import_format_tableur": "enregistrez le classeur au format .xlsx (Fichier > Enregistrer sous > Classeur Excel .xlsx), "
                             "ou chaque feuille en CSV, puis relancez l'import",
    "import_noms_proches": "s'il s'agit de la même entité ou personne, écrivez son nom (et sa date de naissance) à l'identique "
                           "dans la source, ou, pour un territoire, donnez-lui une orthographe dans correspondance.toml "
                           "([valeurs.\"operations.territoire\"]) ; puis relancez l'import",
    "import_rien_reconnu": "nommez les colonnes de la ligne d'en-tête comme les modèles d'« impact modeles », ou donnez la table "
                           "de chaque feuille dans correspondance.toml ([feuilles])",
    # Other inputs of the commands.
    "publication_illisible": "corrigez publication.toml (texte UTF-8, lignes editeur = \"...\", contact = \"...\", "
                             "licence = \"...\"), ou donnez --editeur",
    "publication_cle_inconnue": "gardez seulement les clés editeur, contact, licence et logo",
    "option_date_publication": "écrivez la date de publication au format AAAA-MM-JJ (par exemple 2025-03-31), "
                               "ou donnez à SOURCE_DATE_EPOCH un nombre de secondes",
    "publication_logo": "donnez à la clé logo le chemin d'une image PNG, JPEG ou SVG lisible, relatif au dossier de publication.toml",
    "cle_illisible": "vérifiez le chemin du fichier de clé et que vous pouvez le lire",
    "cle_absente": "donnez --cle-fichier FICHIER, ou définissez la variable d'environnement IMPACT_CLE",
    "cle_courte": "utilisez une clé d'au moins 16 caractères, la même pour tous les fichiers et toutes les années",
    "pseudo_colonne_absente": "donnez à --colonne l'un des en-têtes cités (majuscules et accents indifférents)",
    "reference_illisible": "donnez un fichier CSV (séparateur ; ou ,) aux colonnes dimension, modalite, taux, source",
    "reference_dimension": "gardez une seule dimension par fichier de référence, parmi celles citées",
    "reference_modalite": "écrivez l'un des codes cités dans la colonne modalite",
    "reference_taux": "écrivez un taux entre 0 et 1 (0,42) ou un pourcentage (42 %)",
    "regions_illisible": "donnez un fichier CSV (séparateur ; ou ,) aux colonnes territoire et region, et facultativement "
                         "type_facilitateur ; un territoire par ligne, écrit comme dans les retours",
    "aucun_contrat": "remplissez la table contrats (une ligne par contrat)",
    "aucune_ligne_a_consolider": "choisissez une --annee présente dans les retours, ou omettez --annee",
    "sortie_absente": "donnez le dossier --out d'« impact bilan » ou d'« impact indicateurs »",
    # The command line.
    "ligne_de_commande": "consultez l'aide : {commande} --help",
    "option_formats": "donnez un ou plusieurs formats séparés par des virgules : --formats html,docx,pdf",
    "option_date": "écrivez la date au format AAAA-MM-JJ : --date-extraction 2024-12-31",
    "option_annees": "écrivez une année (2024) ou une période (2019-2024)",
    "option_format": "écrivez --format csv ou --format xlsx",
    "annee_absente": "choisissez une année citée, ou complétez les données de l'année voulue",
    "territoire_choix": "--territoire NOM pour le bilan d'un territoire (« ensemble » pour tous réunis), --tous-territoires "
                        "pour un bilan par territoire plus l'ensemble ; l'un ou l'autre, pas les deux",
    "territoire_inconnu": "écrivez le territoire comme dans la table operations, majuscules et accents compris",
    "dossier_attendu": "donnez le chemin d'un dossier (il est créé s'il n'existe pas)",
    "chemin_impossible": "donnez un dossier à --out (et aux commandes qui écrivent un dossier), un nom de fichier à "
                         "--rapport ; un fichier et un dossier ne peuvent pas porter le même nom",
    "ecriture_impossible": "libérez de la place, ou choisissez un dossier de sortie où vous pouvez écrire",
}


def hint(kind: str, **names: str) -> str:
    """The hint of ``kind`` (a key of :data:`HINTS`), its ``{table}``, ``{colonne}``, ``{commande}``
    or ``{dossier}`` replaced by ``names``."""
    return HINTS[kind].format(**names)


def correction_line(correction: str) -> str:
    """The French line of a hint (:func:`hint`) printed under its problem: ``Pour corriger : …``."""
    return f"Pour corriger : {correction}."


class UserError(ValueError):
    """A mistake in what the user gave (a file, an option) that stops a command: ``str()`` is the
    French message, ``kind`` a key of :data:`HINTS`, ``hint`` how to fix it (for Python callers;
    the command line prints it after « Pour corriger : »)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.hint = hint(kind)
