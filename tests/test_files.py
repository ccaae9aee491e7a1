"""Inputs that cannot be read as a table: each is named in a French message, exit status 2, and
no traceback, whether the command runs in-process or as the installed program."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import BASE, IMPACT


def _workbook_from_base(path: Path, skip: tuple[str, ...] = ()) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for csv in sorted(BASE.glob("*.csv")):
            if csv.stem not in skip:
                pd.read_csv(csv, sep=";", dtype=str, keep_default_na=False).to_excel(writer, sheet_name=csv.stem, index=False)


CASES = {
    "fichier_vide": (lambda d: (d / "acheteurs.csv").write_bytes(b""),
                     ["acheteurs:-:-: erreur : fichier vide : acheteurs.csv doit contenir au moins la ligne d'en-tête",
                      "  Pour corriger : écrivez au moins la ligne d'en-tête (modèle : acheteurs.csv de « impact modeles DOSSIER »)."]),
    "fichier_binaire": (lambda d: (d / "acheteurs.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
                        ["acheteurs:-:-: erreur : fichier binaire ou corrompu : ce n'est pas un fichier CSV lisible",
                         "  Pour corriger : exportez de nouveau la table au format CSV depuis le logiciel ou le tableur."]),
    "classeur_renomme": (lambda d: (d / "acheteurs.csv").write_bytes(b"PK\x03\x04" + b"\x14" * 40),
                         ["acheteurs:-:-: erreur : ce fichier .csv est en réalité un classeur Excel",
                          "  Pour corriger : ouvrez le fichier dans le tableur et enregistrez-le au format CSV, ou renommez-le en .xlsx."]),
    "encodage_inconnu": (lambda d: (d / "acheteurs.csv").write_bytes(b"id_acheteur;nom;type_acheteur\nA1;Ville \x81\x8d;collectivite\n"),
                         ["acheteurs:-:-: erreur : encodage non reconnu (ni UTF-8, ni Windows-1252)",
                          "  Pour corriger : enregistrez le fichier en CSV UTF-8 (Excel : Enregistrer sous, type « CSV UTF-8 ») ou en Windows-1252."]),
    "fichier_tronque": (lambda d: (d / "acheteurs.csv").write_bytes((BASE / "acheteurs.csv").read_bytes()[:-25]),
                        ["acheteurs:3:-: erreur : ligne ignorée : 2 champs au lieu de 4, champs manquants (ligne tronquée ?)",
                         "  Pour corriger : donnez à la ligne autant de valeurs que l'en-tête a de colonnes ; une valeur qui contient le séparateur (; ou ,) doit être entre guillemets.",
                         "operations:3:id_acheteur: erreur : « A2 » absent de la table acheteurs (id_acheteur)",
                         "  Pour corriger : ajoutez la ligne manquante à la table citée, ou corrigez l'identifiant pour qu'il s'écrive exactement de même dans les deux tables."]),
    "table_en_double": (lambda d: pd.read_csv(d / "territoires.csv", sep=";").to_parquet(d / "territoires.parquet"),
                        ["territoires:-:-: erreur : table fournie deux fois (territoires.csv et territoires.parquet)",
                         "  Pour corriger : gardez une seule source pour la table territoires : supprimez ou renommez l'autre fichier ou feuille."]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_unreadable_file(name, base_dataset, run_cli):
    damage, expected = CASES[name]
    damage(base_dataset)
    status, out, err = run_cli("valider", base_dataset)
    assert status == 2
    assert out.splitlines()[:-1] == expected
    assert "Traceback" not in out + err


def test_missing_folder(tmp_path, run_cli):
    """One error, not one more per table."""
    status, out, _ = run_cli("valider", tmp_path / "nulle_part")
    assert status == 2
    assert out.splitlines() == [
        f"dossier:-:-: erreur : le dossier « {tmp_path / 'nulle_part'} » n'existe pas",
        "  Pour corriger : vérifiez le chemin : donnez le dossier qui contient les tables (ou le classeur .xlsx).",
        "1 erreur, 0 avertissement : jeu de données inutilisable en l'état.",
    ]


def test_empty_folder(tmp_path, run_cli):
    status, out, _ = run_cli("valider", tmp_path)
    assert status == 2
    assert out.splitlines()[0] == f"dossier:-:-: erreur : le dossier « {tmp_path} » ne contient aucun fichier CSV, Parquet ou Excel"
    assert "acheteurs:-:-: erreur : table obligatoire absente" in out


def test_file_instead_of_folder(base_dataset, run_cli):
    """A table of the dataset given instead of its folder: the folder is read, with a warning."""
    status, out, _ = run_cli("valider", base_dataset / "acheteurs.csv")
    assert status == 0
    assert out.splitlines() == [
        f"dossier:-:-: avertissement : « acheteurs.csv » est un fichier : tout son dossier, « {base_dataset} », est lu",
        "  Pour corriger : donnez le dossier du jeu de données plutôt que l'un de ses fichiers.",
        "0 erreur, 1 avertissement : jeu de données utilisable.",
    ]


def test_workbook_instead_of_folder(tmp_path, run_cli):
    """A workbook given by its path is read alone, even beside other files."""
    _workbook_from_base(tmp_path / "donnees.xlsx")
    (tmp_path / "notes.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    assert run_cli("valider", tmp_path / "donnees.xlsx")[:2] == (0, "0 erreur, 0 avertissement : jeu de données utilisable.\n")


def test_unreadable_workbook(tmp_path, run_cli):
    (tmp_path / "donnees.xlsx").write_bytes(b"PK\x03\x04 ceci n'est pas un classeur")
    status, out, _ = run_cli("valider", tmp_path)
    assert status == 2
    assert out.splitlines() == [
        "dossier:-:-: erreur : classeur « donnees.xlsx » illisible (BadZipFile) : est-ce bien un fichier .xlsx ?",
        "  Pour corriger : ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le au format .xlsx, ou exportez ses feuilles en CSV.",
        "1 erreur, 0 avertissement : jeu de données inutilisable en l'état.",
    ]


def test_workbook_with_missing_sheets(tmp_path, run_cli):
    _workbook_from_base(tmp_path / "donnees.xlsx", skip=("heures", "suivis", "territoires", "entreprises"))
    status, out, _ = run_cli("valider", tmp_path)
    assert status == 2
    lines = out.splitlines()
    assert lines[:2] == ["entreprises:-:-: erreur : table obligatoire absente", "  Pour corriger : ajoutez entreprises.csv (ou .parquet) au dossier, "
                         "ou une feuille « entreprises » au classeur ; modèle : « impact modeles DOSSIER »."]
    # Without the monthly table, C2 has no hours at all: named, not dropped.
    assert "contrats:3:heures_realisees: erreur : heures réalisées manquantes, et aucune ligne pour ce contrat dans la table heures" in lines


def test_workbook_and_csv_mixed(base_dataset, run_cli):
    _workbook_from_base(base_dataset / "donnees.xlsx")
    status, out, _ = run_cli("valider", base_dataset)
    assert status == 2
    assert "le dossier mêle un classeur Excel (donnees.xlsx) et des fichiers CSV ou Parquet" in out


def test_report_file(base_dataset, tmp_path, run_cli):
    (base_dataset / "contrats.csv").write_text(
        (base_dataset / "contrats.csv").read_text(encoding="utf-8").replace("2024-02-29;420", "2024-02-29;-420"), encoding="utf-8")
    status, _, _ = run_cli("valider", base_dataset, "--rapport", tmp_path / "rapport.csv")
    report = pd.read_csv(tmp_path / "rapport.csv", dtype=str, sep=";", encoding="utf-8-sig")
    assert status == 2
    assert (tmp_path / "rapport.csv").read_bytes().startswith("\ufefftable;ligne;".encode("utf-8"))
    assert report.to_dict("records") == [
        {"table": "contrats", "ligne": "2", "colonne": "heures_realisees", "gravite": "erreur", "message": "« -420 » ne peut pas être négatif",
         "correction": "corrigez la valeur selon la borne citée (un signe « - » en trop, une année mal tapée ?)"}
    ]


def test_report_cells_never_start_a_formula(base_dataset, tmp_path, run_cli):
    """An unknown column named like a formula: the CSV report prefixes it with ', the workbook
    holds it as a string cell (no formula cell at all)."""
    from openpyxl import load_workbook

    path = base_dataset / "acheteurs.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ';=HYPERLINK("http://x")', *(line + ";" for line in lines[1:])]) + "\n", encoding="utf-8")
    run_cli("valider", base_dataset, "--rapport", tmp_path / "rapport.csv")
    report = pd.read_csv(tmp_path / "rapport.csv", dtype=str, sep=";", encoding="utf-8-sig", keep_default_na=False)
    assert report["colonne"].tolist() == ["'=HYPERLINK(\"http://x\")"]
    run_cli("valider", base_dataset, "--rapport", tmp_path / "rapport.xlsx")
    sheet = load_workbook(tmp_path / "rapport.xlsx").active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.value for c in cells[6:10]] == ["acheteurs", 1, "=HYPERLINK(\"http://x\")", "avertissement"]
    assert {c.data_type for c in cells} == {"s", "n"}


def test_installed_command_exit_status_and_no_traceback(base_dataset):
    """The installed ``impact`` program, as a user runs it."""
    program = IMPACT
    ok = subprocess.run([program, "valider", str(base_dataset)], capture_output=True, text=True)
    (base_dataset / "contrats.csv").write_bytes(b"\x00\x01\x02")
    bad = subprocess.run([program, "valider", str(base_dataset)], capture_output=True, text=True)
    assert (ok.returncode, bad.returncode) == (0, 2)
    assert "contrats:-:-: erreur : fichier binaire ou corrompu" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_a_quoted_value_over_two_lines_with_the_separator_is_read(base_dataset):
    """« Construction de la médiathèque;⏎lot 2 » between quotes is one valid value (RFC 4180, and
    what ``impact importer`` writes): read as it is, the rows after it keep their lines."""
    from impact.dataset import validate

    path = base_dataset / "operations.csv"
    header, first, *rest = path.read_text(encoding="utf-8").splitlines()
    fields = first.split(";")
    fields[header.split(";").index("intitule")] = '"Construction de la médiathèque;\nlot 2 ; gros œuvre"'
    path.write_text("\n".join([header, ";".join(fields), *rest]) + "\n", encoding="utf-8")
    dataset = validate(base_dataset)
    assert dataset.is_valid, dataset.problems
    assert dataset.operations["intitule"].iloc[0] == "Construction de la médiathèque;\nlot 2 ; gros œuvre"
    assert dataset.operations.index[:2].tolist() == [2, 4]


def test_quote_left_open_is_named_and_rows_after_it_keep_their_lines(base_dataset, run_cli):
    """Two quotes left open (lines 3 and 5) made one row of lines 3 to 5, silently: now an error
    names it, and the contract after them keeps its line number (6)."""
    path = base_dataset / "contrats.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    c1 = lines[1]
    rows = [lines[0], c1, c1.replace("C1;", 'C8;"', 1), c1.replace("C1;", "C9;", 1), c1.replace("C1;", 'C7;"', 1), *lines[2:]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    status, out, _ = run_cli("valider", base_dataset)
    printed = out.splitlines()
    assert status == 2
    assert printed[:2] == [
        "contrats:3:-: erreur : guillemet non fermé : les 3 lignes qui commencent ici sont lues comme une seule valeur, ignorées",
        "  Pour corriger : fermez le guillemet (\") ouvert sur cette ligne, ou retirez-le ; un guillemet dans une valeur "
        "s'écrit doublé (\"\") dans une valeur entre guillemets.",
    ]
    assert printed[-1] == "1 erreur, 0 avertissement : jeu de données inutilisable en l'état."
    from impact.dataset import validate

    contracts = validate(base_dataset).contrats["id_contrat"]
    assert contracts.to_dict() == {2: "C1", 6: "C2", 7: "C3", 8: "C4"}
