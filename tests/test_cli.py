"""Command-line mistakes: exit status 2, a French message naming the mistake and where to find
help, never "erreur interne"; help pages in French."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import IMPACT

MISTAKES = {
    "option inconnue": (("valider", ".", "--rapportt", "x.csv"), "impact : option inconnue : --rapportt ; vouliez-vous dire --rapport ?"),
    "valeur invalide": (("bilan", ".", "--annee", "deux", "--out", "s"), "impact : valeur invalide pour --annee : « deux » n'est pas un nombre entier"),
    "valeur hors bornes": (("bilan", ".", "--annee", "2024", "--out", "s", "--horizon", "0"), "impact : valeur invalide pour --horizon : « 0 » est trop petit (au moins 1)"),
    "commande inconnue": (("validate", "."), "impact : commande inconnue : « validate » ; vouliez-vous dire « valider » ? ; "
                          "commandes : bilan, carnets, comparer, consolider, demo, effet, importer, indicateurs, modeles, pseudonymiser, valider, verifier-secret"),
    "argument manquant": (("valider",), "impact : l'argument DOSSIER est obligatoire"),
    "option obligatoire manquante": (("bilan", "."), "impact : l'option --annee est obligatoire"),
    "option sans valeur": (("bilan", ".", "--annee"), "impact : l'option --annee attend une valeur"),
    "argument en trop": (("valider", "a", "b"), "impact : argument(s) en trop : b"),
    "date d'extraction": (("bilan", "nulle_part", "--annee", "2024", "--out", "s", "--territoire", "ensemble", "--date-extraction", "31/12/2024"),
                          "impact : --date-extraction attend une date AAAA-MM-JJ, pas « 31/12/2024 »"),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake(name, run_cli):
    args, message = MISTAKES[name]
    status, out, err = run_cli(*args)
    assert status == 2
    assert err.splitlines()[0] == message
    assert "erreur interne" not in err and "Traceback" not in err
    assert out == ""


def test_mistake_names_the_command_help(run_cli):
    assert run_cli("bilan", ".", "--annee", "deux", "--out", "s")[2].splitlines()[1] == "Pour corriger : consultez l'aide : impact bilan --help."
    assert run_cli("validate")[2].splitlines()[1] == "Pour corriger : consultez l'aide : impact --help."


def test_missing_folder_for_every_command(tmp_path, run_cli):
    """A folder that does not exist: one French error, exit 2, for the commands that compute."""
    missing = tmp_path / "nulle_part"
    for args in (("valider", missing), ("indicateurs", missing, "--out", tmp_path / "s"),
                 ("bilan", missing, "--annee", "2024", "--out", tmp_path / "s", "--territoire", "ensemble"),
                 ("comparer", missing, "--annee", "2024", "--out", tmp_path / "s")):
        status, out, err = run_cli(*args)
        assert status == 2
        assert out.splitlines()[:2] == [f"dossier:-:-: erreur : le dossier « {missing} » n'existe pas",
                                        "  Pour corriger : vérifiez le chemin : donnez le dossier qui contient les tables (ou le classeur .xlsx)."]
        assert "erreur interne" not in err
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("command", [(), ("valider",), ("indicateurs",), ("bilan",), ("comparer",), ("consolider",), ("pseudonymiser",), ("demo",), ("modeles",)])
def test_help_is_french(command, run_cli):
    status, out, err = run_cli(*command, "--help")
    assert (status, err) == (0, "")
    assert out.startswith(f"Utilisation : impact {' '.join(command)}".rstrip() + " ")
    for english in ("Show this message", "Usage", "[default", "[required]", "Commands", "<list", "<int", "<path>", "<str>", "<float"):
        assert english not in out
    assert "Affiche cette aide." in out


def test_no_arguments_shows_help(run_cli):
    status, out, _ = run_cli()
    assert status == 0
    assert out.startswith("Utilisation : impact [OPTIONS] COMMANDE [ARGUMENTS]...")


def test_installed_program_mistake():
    """The installed program, as a user runs it: exit 2, French, no traceback."""
    done = subprocess.run([IMPACT, "valider", ".", "--outt", "x"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("impact : option inconnue : --outt")
    assert "Traceback" not in done.stderr


def test_bilan_of_a_year_without_contracts(base_dataset, tmp_path, run_cli):
    """A year with operations but no contract yet gets its bilan (its trend chart starts with it)."""
    operations = base_dataset / "operations.csv"
    operations.write_text(operations.read_text(encoding="utf-8").replace("2023-01-15", "2021-01-15"), encoding="utf-8")
    status, out, err = run_cli("bilan", base_dataset, "--annee", "2021", "--out", tmp_path / "s", "--territoire", "ensemble",
                               "--formats", "html", "--date-extraction", "2024-12-31")
    assert status == 0, err
    assert (tmp_path / "s" / "2021" / "ensemble" / "bilan.html").is_file()
    assert '"date_extraction": "2024-12-31"' in (tmp_path / "s" / "2021" / "indicateurs" / "metadonnees.json").read_text(encoding="utf-8")
