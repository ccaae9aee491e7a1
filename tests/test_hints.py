"""Every kind of problem carries a hint « Pour corriger : … » (impact.hints), and every kind is
provoked here by a small bad input through the real command line: the test records the kinds the
kit actually reported (its calls to :func:`impact.hints.hint`), checks each declared kind was
reported, that its hint was printed (exit 2 on errors, French, no traceback), and that the kinds
provoked here and by the corpus of malformed datasets are exactly the registry. A kind added to
the registry without a bad input that provokes it, or a call site naming a kind the registry lacks,
fails a test."""

from __future__ import annotations

import ast
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import impact
import impact.hints
import impact.problems
from impact.hints import HINTS, UserError, correction_line, hint
from impact.problems import ProblemLog, report_file
from tests.conftest import BASE, CASES, IMPACT, build_case
from tests.test_consolidation import RETURN_A, RETURN_B

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(impact.__file__).parent


@pytest.fixture
def reported(monkeypatch):
    """The kinds of problem the kit reports while the test runs."""
    kinds: list[str] = []

    def recording(kind: str, **names: str) -> str:
        kinds.append(kind)
        return HINTS[kind].format(**names)

    monkeypatch.setattr(impact.hints, "hint", recording)
    monkeypatch.setattr(impact.problems, "hint", recording)
    return kinds


def _copy(tmp: Path) -> Path:
    folder = tmp / "donnees"
    folder.mkdir()
    for file in BASE.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _workbook(path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for csv in sorted(BASE.glob("*.csv")):
            pd.read_csv(csv, sep=";", dtype=str, keep_default_na=False).to_excel(writer, sheet_name=csv.stem, index=False)


# Each case builds its bad input in a temporary folder and returns the command's arguments.

def _folder_missing(tmp):
    return ["valider", tmp / "nulle_part"]


def _file_given(tmp):
    return ["valider", _copy(tmp) / "acheteurs.csv"]


def _not_a_folder(tmp):
    (tmp / "notes.txt").write_text("rien", encoding="utf-8")
    return ["valider", tmp / "notes.txt"]


def _empty_folder(tmp):
    (tmp / "vide").mkdir()
    return ["valider", tmp / "vide"]


def _link_outside(tmp):
    folder = _copy(tmp)
    (tmp / "ailleurs.csv").write_text("a;b\n", encoding="utf-8")
    (folder / "lien.csv").symlink_to(tmp / "ailleurs.csv")
    return ["valider", folder]


def _two_workbooks(tmp):
    folder = tmp / "classeurs"
    folder.mkdir()
    _workbook(folder / "2023.xlsx")
    _workbook(folder / "2024.xlsx")
    return ["valider", folder]


def _workbook_and_csv(tmp):
    folder = _copy(tmp)
    _workbook(folder / "donnees.xlsx")
    return ["valider", folder]


def _damaged_csv_files(tmp):
    """Four tables, each unreadable in its own way; a fifth given twice."""
    folder = _copy(tmp)
    (folder / "acheteurs.csv").write_bytes(b"PK\x03\x04" + b"\x14" * 40)
    (folder / "entreprises.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (folder / "suivis.csv").write_bytes("id_participant;horizon_mois\nP1;6 \x81\x8d\n".encode("latin-1"))
    (folder / "heures.csv").write_bytes(b"")
    pd.read_csv(folder / "territoires.csv", sep=";").to_parquet(folder / "territoires.parquet")
    (folder / "notes.csv").write_text("a;b\n", encoding="utf-8")
    return ["valider", folder]


def _csv_shapes(tmp):
    """A banner line and a totals row; an unclosed quote; a row with too many fields."""
    folder = _copy(tmp)
    path = folder / "acheteurs.csv"
    path.write_text("Export du logiciel\n" + path.read_text(encoding="utf-8") + "Total;;;\n", encoding="utf-8")
    path = folder / "entreprises.csv"
    path.write_text(path.read_text(encoding="utf-8") + 'E9;"Sans fin;pme;entreprise;\n', encoding="utf-8")
    path = folder / "participants.csv"
    path.write_text(path.read_text(encoding="utf-8") + 'P9;"' + "x" * 200_000 + '"\n', encoding="utf-8")
    path = folder / "territoires.csv"
    path.write_text(path.read_text(encoding="utf-8") + "Est;Grand Est;1;2\n", encoding="utf-8")
    return ["valider", folder]


def _bad_parquet(tmp):
    folder = _copy(tmp)
    (folder / "territoires.csv").unlink()
    (folder / "territoires.parquet").write_bytes(b"PAR1 pas du parquet PAR1")
    return ["valider", folder]


def _base_workbook(tmp) -> Path:
    """The base dataset as the one workbook of a folder; returns the workbook."""
    (tmp / "classeur").mkdir()
    _workbook(tmp / "classeur" / "donnees.xlsx")
    return tmp / "classeur" / "donnees.xlsx"


def _refused_workbook(tmp):
    path = _base_workbook(tmp)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    return ["valider", path.parent]


def _unreadable_workbook(tmp):
    path = _base_workbook(tmp)
    path.write_bytes(b"PK\x03\x04 pas un classeur")
    return ["valider", path.parent]


def _workbook_sheets(tmp):
    """A sheet of notes, an empty sheet, values right of the header, a column given twice."""
    import openpyxl

    path = _base_workbook(tmp)
    book = openpyxl.load_workbook(path)
    book.create_sheet("notes")["A1"] = "à relire"
    del book["suivis"]
    book.create_sheet("suivis")
    book["acheteurs"]["H2"] = "valeur perdue"
    book["territoires"]["D1"] = "Territoire"
    book.save(path)
    return ["valider", path.parent]


def _rules(tmp):
    """A planned end date, a follow-up outside its window, two near territory names."""
    folder = _copy(tmp)
    _edit(folder / "contrats.csv", "2023-11-01;2024-02-29;420", "2023-11-01;2030-06-30;420")
    _edit(folder / "suivis.csv", "P2;6;2024-09-30", "P2;6;2026-01-31")
    _edit(folder / "operations.csv", ";Nord;", ";Grand Nord;")
    _edit(folder / "operations.csv", ";Sud;", ";Grand Nordd;")
    return ["valider", folder]


def _a_file(tmp) -> Path:
    (tmp / "notes.txt").write_text("un fichier, pas un dossier", encoding="utf-8")
    return tmp / "notes.txt"


def _write_fails(tmp):
    return ["valider", BASE, "--rapport", "/sys/rapport.csv"]


def _returns(tmp, *texts):
    names = []
    for i, text in enumerate(texts):
        (tmp / f"retour_{i}.csv").write_text(text, encoding="utf-8")
        names.append(tmp / f"retour_{i}.csv")
    return names


def _bad_returns(tmp):
    wrong = (RETURN_A.replace("2023,T1,heures,", "deux mille,T1,heures,").replace("2024,T1,contrats,", "2024,T1,contrats_signes,")
             .replace(",T1,heures_par_personne,ensemble,ensemble,15,", ",T1,heures_par_personne,ensemble,ensemble,quinze,")
             .replace("2024,T1,personnes,sexe,M,6,", "2024,T1,personnes,sexe,M,9,"))
    wrong += wrong.splitlines()[-1] + "\n"
    files = _returns(tmp, wrong, RETURN_A, "", "a,b\n1,2\n")
    return ["consolider", *files, files[1], "--out", tmp / "sortie"]


def _returns_of_other_years(tmp):
    return ["consolider", *_returns(tmp, RETURN_A, RETURN_B), "--annee", "1999", "--out", tmp / "sortie"]


def _bad_regions(tmp):
    (tmp / "regions.csv").write_text("territoire;departement\nT1;59\n", encoding="utf-8")
    return ["consolider", *_returns(tmp, RETURN_A, RETURN_B), "--regions", tmp / "regions.csv", "--out", tmp / "sortie"]


def _import_missing(tmp):
    return ["importer", tmp / "nulle_part", "--out", tmp / "sortie"]


def _import_nothing(tmp):
    (tmp / "vide").mkdir()
    (tmp / "vide" / "notes.txt.bak").write_text("rien", encoding="utf-8")
    return ["importer", tmp / "vide", "--out", tmp / "sortie"]


def _import_binary(tmp):
    (tmp / "export.csv").write_bytes(b"\x89PNG\x00\x00")
    return ["importer", tmp / "export.csv", "--out", tmp / "sortie"]


def _import_unknown_headers(tmp):
    (tmp / "export.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    return ["importer", tmp / "export.csv", "--out", tmp / "sortie"]


def _import_unknown_value_and_near_names(tmp):
    folder = _copy(tmp)
    _edit(folder / "contrats.csv", ";cdd;", ";Contrat maison;")
    _edit(folder / "acheteurs.csv", "A2;", "A3;Ville de Nordvile;collectivite;\nA2;")
    return ["importer", folder, "--out", tmp / "sortie"]


def _import_absent_column(table, column):
    """A file of ``table`` without ``column`` (a public: one value decided for every row; a date:
    a header to map)."""
    def case(tmp):
        folder = _copy(tmp)
        lines = (folder / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        at = lines[0].split(";").index(column)
        (folder / f"{table}.csv").write_text("\n".join(";".join(f for i, f in enumerate(line.split(";")) if i != at) for line in lines) + "\n",
                                             encoding="utf-8")
        return ["importer", folder, "--out", tmp / "sortie"]
    return case


def _import_market_told_two_ways(tmp):
    """A flat sheet whose market, given by its number, has a territory per contract."""
    header = ("N° opération;Acheteur;Type d'acheteur;Type de marché;Dispositif;Date de notification;Territoire;Entreprise;Taille;"
              "Type de structure;Nom;Prénom;Sexe;Niveau de formation;Type de contrat;Modalité;Date de début;Heures réalisées")
    rows = [f"OP-1;Ville;collectivite;travaux;clause_execution;2024-01-10;{place};BTP;pme;entreprise;Durand;{first};F;infra_3;cdd;"
            f"embauche_directe;2024-02-0{day};100" for place, first, day in (("Nord", "Léa", 1), ("Sud", "Inès", 2))]
    (tmp / "export.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return ["importer", tmp / "export.csv", "--out", tmp / "sortie"]


def _import_repeated_row(tmp):
    """A contract given again, with other hours, by a later file of the same folder."""
    folder = _copy(tmp)
    lines = (folder / "contrats.csv").read_text(encoding="utf-8").splitlines()
    (folder / "contrats_suite.csv").write_text(lines[0] + "\n" + _other_hours(lines[0], lines[1]) + "\n", encoding="utf-8")
    return ["importer", folder, "--out", tmp / "sortie"]


def _other_hours(header: str, row: str) -> str:
    fields = row.split(";")
    at = header.split(";").index("heures_realisees")
    fields[at] = str(float(fields[at] or 0) + 1)
    return ";".join(fields)


def _import_names_without_key(tmp):
    from tests.test_importing import _flat_rows, _sheet

    with pd.ExcelWriter(tmp / "suivi.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Suivi", _flat_rows([("Durand", "Léa", 1990)]))
    return ["importer", tmp / "suivi.xlsx", "--out", tmp / "sortie"]


def _import_old_workbook(tmp):
    (tmp / "export").mkdir()
    (tmp / "export" / "clauses.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    return ["importer", tmp / "export", "--out", tmp / "sortie"]


def _mapping(text):
    def case(tmp):
        (tmp / "correspondance.toml").write_text(text, encoding="utf-8")
        return ["importer", BASE, "--out", tmp / "sortie", "--correspondance", tmp / "correspondance.toml"]
    return case


def _publication(text):
    def case(tmp):
        folder = _copy(tmp)
        (folder / "publication.toml").write_text(text, encoding="utf-8")
        return ["bilan", folder, "--annee", "2024", "--out", tmp / "sortie", "--territoire", "ensemble"]
    return case


def _key(text):
    def case(tmp):
        (tmp / "cle").write_text(text, encoding="utf-8")
        return ["pseudonymiser", BASE / "participants.csv", "--colonne", "nom", "--out", tmp / "p.csv", "--cle-fichier", tmp / "cle"]
    return case


def _reference(text):
    def case(tmp):
        (tmp / "reference.csv").write_text(text, encoding="utf-8")
        return ["effet", BASE, "--reference", tmp / "reference.csv", "--out", tmp / "sortie"]
    return case


#: Name: (bad input, kinds it provokes, exit status).
PROVOKED = {
    "dossier absent": (_folder_missing, {"dossier_absent"}, 2),
    "fichier donné": (_file_given, {"fichier_au_lieu_du_dossier"}, 0),
    "pas un dossier": (_not_a_folder, {"pas_un_dossier"}, 2),
    "dossier vide": (_empty_folder, {"dossier_vide"}, 2),
    "lien": (_link_outside, {"lien_hors_dossier"}, 2),
    "deux classeurs": (_two_workbooks, {"plusieurs_classeurs"}, 2),
    "classeur et csv": (_workbook_and_csv, {"classeur_et_csv"}, 2),
    "csv abîmés": (_damaged_csv_files, {"csv_est_un_classeur", "fichier_binaire", "encodage", "fichier_vide", "table_en_double",
                                        "fichier_ignore"}, 2),
    "formes de csv": (_csv_shapes, {"entete_decalee", "ligne_total", "guillemet_non_ferme", "csv_illisible", "nombre_de_champs"}, 2),
    "parquet": (_bad_parquet, {"parquet_illisible"}, 2),
    "classeur refusé": (_refused_workbook, {"classeur_refuse"}, 2),
    "classeur illisible": (_unreadable_workbook, {"classeur_illisible"}, 2),
    "feuilles": (_workbook_sheets, {"feuille_ignoree", "feuille_vide", "valeurs_hors_entete", "colonne_en_double"}, 2),
    "règles": (_rules, {"date_fin_prevue", "suivi_hors_fenetre", "territoire_presque_identique"}, 0),
    "écriture": (_write_fails, {"ecriture_impossible"}, 2),
    "sortie fichier": (lambda tmp: ["indicateurs", BASE, "--out", _a_file(tmp)], {"chemin_impossible"}, 2),
    "rapport dossier": (lambda tmp: ["valider", BASE, "--rapport", tmp], {"chemin_impossible"}, 2),
    "modèles dans un fichier": (lambda tmp: ["modeles", _a_file(tmp)], {"chemin_impossible"}, 2),
    "retours": (_bad_returns, {"retour_en_double", "retour_illisible", "retour_colonnes", "retour_annee", "retour_code_inconnu",
                               "retour_non_nombre", "retour_ligne_en_double", "retour_deja_fourni", "retour_ventilation"}, 2),
    "retours sans l'année": (_returns_of_other_years, {"aucune_ligne_a_consolider"}, 2),
    "régions": (_bad_regions, {"regions_illisible"}, 2),
    "retour absent": (lambda tmp: ["consolider", tmp / "nulle_part.csv", "--out", tmp / "sortie"], {"fichier_absent"}, 2),
    "import absent": (_import_missing, {"import_source_absente"}, 2),
    "import vide": (_import_nothing, {"import_rien_a_lire"}, 2),
    "import binaire": (_import_binary, {"import_fichier_illisible"}, 2),
    "import inconnu": (_import_unknown_headers, {"import_rien_reconnu"}, 2),
    "import à compléter": (_import_unknown_value_and_near_names, {"import_valeur_inconnue", "import_noms_proches"}, 2),
    "import repris": (_import_repeated_row, {"import_lignes_reprises"}, 0),
    "import public absent": (_import_absent_column("participants", "senior_50"), {"import_colonnes_absentes", "colonne_absente"}, 2),
    "import valeurs divergentes": (_import_market_told_two_ways, {"import_valeurs_divergentes", "import_colonnes_absentes", "colonne_absente",
                                                                  "import_cle_tiree"}, 2),
    "import date absente": (_import_absent_column("contrats", "date_debut"), {"import_entete_a_choisir", "colonne_absente"}, 2),
    "import sans clé": (_import_names_without_key, {"import_cle_tiree"}, 0),
    "import .xls": (_import_old_workbook, {"import_format_tableur"}, 2),
    "correspondance absente": (lambda tmp: ["importer", BASE, "--out", tmp / "sortie", "--correspondance", tmp / "absente.toml"],
                               {"correspondance_absente"}, 2),
    "correspondance illisible": (_mapping("[feuilles\n"), {"correspondance_illisible"}, 2),
    "correspondance mal formée": (_mapping("feuilles = 3\n"), {"correspondance_illisible"}, 2),
    "correspondance inconnue": (_mapping('[feuilles]\n"contrats.csv" = "contrat"\n'), {"correspondance_decision"}, 2),
    "publication illisible": (_publication("editeur = \n"), {"publication_illisible"}, 2),
    "publication clé": (_publication('auteur = "Moi"\n'), {"publication_cle_inconnue"}, 2),
    "publication logo": (_publication('logo = "nulle_part.png"\n'), {"publication_logo"}, 2),
    "date de publication": (lambda tmp: ["bilan", BASE, "--annee", "2024", "--out", tmp / "s", "--territoire", "ensemble",
                                         "--date-publication", "31/02/2025"], {"option_date_publication"}, 2),
    "clé illisible": (lambda tmp: ["pseudonymiser", BASE / "participants.csv", "--colonne", "x", "--out", tmp / "p.csv",
                                   "--cle-fichier", tmp / "nulle_part"], {"cle_illisible"}, 2),
    "clé absente": (lambda tmp: ["pseudonymiser", BASE / "participants.csv", "--colonne", "x", "--out", tmp / "p.csv"], {"cle_absente"}, 2),
    "clé courte": (_key("abc"), {"cle_courte"}, 2),
    "colonne à pseudonymiser": (_key("une clé assez longue pour servir"), {"pseudo_colonne_absente"}, 2),
    "référence illisible": (_reference("a,b\n1,2\n"), {"reference_illisible"}, 2),
    "référence dimension": (_reference("dimension,modalite,taux,source\nrevenu,bas,0.4,x\n"), {"reference_dimension"}, 2),
    "référence modalité": (_reference("dimension,modalite,taux,source\nsexe,X,0.4,x\n"), {"reference_modalite"}, 2),
    "référence taux": (_reference("dimension,modalite,taux,source\nsexe,F,beaucoup,x\n"), {"reference_taux"}, 2),
    "aucun contrat": (lambda tmp: ["indicateurs", ROOT / "data_templates" / "csv", "--out", tmp / "sortie"], {"aucun_contrat"}, 2),
    "sortie absente": (lambda tmp: ["verifier-secret", tmp / "nulle_part"], {"sortie_absente"}, 2),
    "ligne de commande": (lambda tmp: ["valider", BASE, "--rapportt", "x.csv"], {"ligne_de_commande"}, 2),
    "formats": (lambda tmp: ["bilan", BASE, "--annee", "2024", "--out", tmp / "s", "--territoire", "ensemble", "--formats", "odt"],
                {"option_formats"}, 2),
    "date": (lambda tmp: ["indicateurs", BASE, "--out", tmp / "s", "--date-extraction", "31/12/2024"], {"option_date"}, 2),
    "années": (lambda tmp: ["demo", tmp / "d", "--annees", "2024-2019"], {"option_annees"}, 2),
    "format": (lambda tmp: ["demo", tmp / "d", "--format", "pdf"], {"option_format"}, 2),
    "année absente": (lambda tmp: ["indicateurs", BASE, "--out", tmp / "s", "--annee", "1999"], {"annee_absente"}, 2),
    "territoire à choisir": (lambda tmp: ["bilan", BASE, "--annee", "2024", "--out", tmp / "s"], {"territoire_choix"}, 2),
    "territoire inconnu": (lambda tmp: ["bilan", BASE, "--annee", "2024", "--out", tmp / "s", "--territoire", "Atlantide"],
                           {"territoire_inconnu"}, 2),
    "carnets": (lambda tmp: ["carnets", BASE / "acheteurs.csv"], {"dossier_attendu"}, 2),
}

#: The kinds the corpus of malformed datasets (tests/corpus/cas) provokes.
CORPUS_KINDS = {
    "chiffres_manquants", "valeur_trop_petite", "naissance_trop_recente", "valeur_hors_liste", "colonne_absente",
    "colonne_identifiante", "colonne_inconnue", "dates_inversees", "identifiant_personnel", "identifiant_en_double", "valeurs_en_double",
    "fichier_ignore", "heures_ecart_mensuel", "heures_hors_contrat", "heures_manquantes", "sans_contrat", "nombre_de_champs", "reference_absente",
    "table_absente", "plus_qu_un_temps_plein", "territoire_hors_table", "territoire_meme_dossier", "territoire_reserve",
    "valeur_non_entier", "valeur_non_booleen", "valeur_non_nombre", "valeur_non_date", "valeur_non_mois", "valeur_manquante",
    "texte_formule", "texte_balisage", "texte_controle",
}


def _shown(kind: str) -> str:
    """The start of a kind's hint as printed (up to its first name to fill in)."""
    return "Pour corriger : " + HINTS[kind].split("{")[0]


@pytest.mark.parametrize("name", sorted(PROVOKED))
def test_each_kind_is_reported_with_its_hint(name, tmp_path, run_cli, reported, monkeypatch):
    build, kinds, status = PROVOKED[name]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMPACT_CLE", raising=False)
    args = build(tmp_path)
    code, out, err = run_cli(*args)
    assert kinds <= set(reported), (set(reported), out, err)
    assert code == status, out + err
    for kind in kinds:
        assert _shown(kind) in out + err
    assert "Traceback" not in out + err and "erreur interne" not in err


def test_the_corpus_reports_its_kinds(tmp_path, run_cli, reported):
    for case in sorted(p.name for p in CASES.iterdir() if p.is_dir()):
        run_cli("valider", build_case(case, tmp_path))
    assert set(reported) == CORPUS_KINDS


def test_every_kind_of_the_registry_is_provoked_and_has_a_hint():
    provoked = set().union(CORPUS_KINDS, *(kinds for _, kinds, _ in PROVOKED.values()))
    assert provoked == set(HINTS)
    for kind in HINTS:
        text = hint(kind, table="contrats", colonne="date_debut", commande="impact valider", dossier="donnees")
        assert 20 <= len(text) <= 260 and not text.endswith((".", " ")) and not text[0].isupper(), kind


def _kind_arguments(tree: ast.AST) -> list[tuple[int, ast.expr | None]]:
    """The kind argument of every call that records or raises a problem in a module: ``log.error``,
    ``log.warning``, ``fail`` and the constructors of :class:`impact.hints.UserError` and its
    subclasses (None when the call has none)."""
    errors = {cls.__name__ for cls in _subclasses(UserError)} | {"UserError"}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        position = {"error": 4, "warning": 4, "fail": 1}.get(name, 1 if name in errors else None)
        if position is None or (name in ("error", "warning") and not (isinstance(func, ast.Attribute) and "log" in ast.unparse(func.value))):
            continue
        keyword = next((k.value for k in node.keywords if k.arg == "kind"), None)
        found.append((node.lineno, node.args[position] if len(node.args) > position else keyword))
    return found


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_call_site_names_a_registered_kind():
    """Read statically: every problem recorded or raised in the package names its kind, and a
    literal kind is in the registry (the others are looked up in tables of registered kinds)."""
    import impact.benchmark, impact.editorial, impact.facts, impact.importing, impact.pseudonymisation  # noqa: E401, F401 - subclasses

    calls = 0
    for module in sorted(SOURCES.glob("*.py")):
        for line, argument in _kind_arguments(ast.parse(module.read_text(encoding="utf-8"))):
            assert argument is not None, f"{module.name}:{line} : problème sans type"
            calls += 1
            if isinstance(argument, ast.Constant):
                assert argument.value in HINTS, f"{module.name}:{line} : type inconnu {argument.value}"
    assert calls > 100
    from impact.validation import INVALID_KINDS

    assert set(INVALID_KINDS.values()) <= set(HINTS)


def test_an_unregistered_kind_is_refused():
    with pytest.raises(KeyError):
        ProblemLog().error("contrats", [], "date_debut", [], "type_inconnu")


def test_hint_printed_once_under_a_run_of_problems_and_in_the_report(base_dataset, tmp_path, run_cli):
    """Three wrong dates in a row share one hint line; the report file has it on every row, in its
    column correction."""
    path = base_dataset / "contrats.csv"
    text = path.read_text(encoding="utf-8")
    for day in ("2023-11-01", "2024-01-08", "2024-03-01"):
        text = text.replace(f";{day};", ";le 1er;", 1)
    path.write_text(text, encoding="utf-8")
    status, out, err = run_cli("valider", base_dataset, "--rapport", tmp_path / "rapport.csv")
    out = out.removesuffix(f"Rapport écrit : {tmp_path / 'rapport.csv'}\n")
    date_hint = "  Pour corriger : écrivez la date au format AAAA-MM-JJ (ou JJ/MM/AAAA), ou utilisez une cellule date d'Excel."
    assert status == 2 and err == ""
    assert out.splitlines() == [
        "contrats:2:date_debut: erreur : « le 1er » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA) (3 lignes : 2, 3, 4)",
        date_hint,
        "3 erreurs, 0 avertissement : jeu de données inutilisable en l'état.",
    ]
    report = pd.read_csv(tmp_path / "rapport.csv", sep=";", dtype=str, encoding="utf-8-sig")
    assert report["correction"].tolist() == [date_hint.removeprefix("  Pour corriger : ").removesuffix(".")] * 3


def test_hints_name_the_table_and_column(base_dataset, run_cli):
    (base_dataset / "territoires.csv").unlink()
    _edit(base_dataset / "participants.csv", "P1;M;1990;", "P1;;1990;")
    (base_dataset / "entreprises.csv").unlink()
    status, out, _ = run_cli("valider", base_dataset)
    lines = out.splitlines()
    assert status == 2
    assert "  Pour corriger : ajoutez entreprises.csv (ou .parquet) au dossier, ou une feuille « entreprises » au classeur ; " \
           "modèle : « impact modeles DOSSIER »." in lines
    assert lines[lines.index("participants:2:sexe: erreur : valeur obligatoire manquante") + 1] == \
        "  Pour corriger : remplissez « sexe » sur cette ligne : la valeur est obligatoire dans participants."


def test_a_refused_command_prints_its_hint_on_stderr(tmp_path, run_cli):
    (tmp_path / "cle").write_text("courte", encoding="utf-8")
    status, out, err = run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "id_participant", "--out", tmp_path / "p.csv",
                               "--cle-fichier", tmp_path / "cle")
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"impact : la clé lue dans le fichier « {tmp_path / 'cle'} » est trop courte (au moins 16 caractères)",
        "Pour corriger : utilisez une clé d'au moins 16 caractères, la même pour tous les fichiers et toutes les années.",
    ]


def test_the_installed_command_prints_hints(tmp_path):
    """Through the installed program (no in-process shortcut): a bad option, French, exit 2."""
    import subprocess

    done = subprocess.run([IMPACT, "demo", str(tmp_path / "d"), "--format", "pdf"], capture_output=True, text=True,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["impact : --format attend csv ou xlsx, pas « pdf »",
                                        correction_line(HINTS["option_format"])]


def test_report_file_keeps_the_correction_column():
    log = ProblemLog()
    log.warning("operations", [3], "territoire", ["territoire « Sud » absent de la table territoires"], "territoire_hors_table")
    text = report_file(log.frame(), "rapport.csv").decode("utf-8-sig")
    assert text.splitlines()[0] == "table;ligne;colonne;gravite;message;correction"
    assert text.splitlines()[1].endswith(";" + HINTS["territoire_hors_table"])
