"""Pseudonymisation: stable with the same key across files, different with another key, the key
written nowhere, and the tables still join."""

from __future__ import annotations

import pandas as pd
import pytest

import impact
from impact.pseudonymisation import pseudonymise
from tests.conftest import BASE

KEY = "une clé secrète de démonstration, jamais écrite"


@pytest.fixture
def keys(tmp_path):
    first, second = tmp_path / "cle1.txt", tmp_path / "cle2.txt"
    first.write_text(KEY + "\n", encoding="utf-8")
    second.write_text("une autre clé secrète, tout aussi longue", encoding="utf-8")
    return first, second


def _column(path, name):
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")[name].tolist()


def test_same_key_same_pseudonyms_across_files_and_the_tables_still_join(tmp_path, keys, run_cli):
    out = tmp_path / "pseudo"
    out.mkdir()
    for table in ("acheteurs", "operations", "entreprises", "territoires", "heures"):
        (out / f"{table}.csv").write_bytes((BASE / f"{table}.csv").read_bytes())
    assert run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "id_participant", "--cle-fichier", keys[0], "--out", out / "participants.csv")[0] == 0
    assert run_cli("pseudonymiser", BASE / "contrats.csv", "--colonne", "ID_Participant", "--cle-fichier", keys[0], "--out", out / "contrats.csv")[0] == 0
    assert run_cli("pseudonymiser", BASE / "suivis.csv", "--colonne", "id_participant", "--cle-fichier", keys[0], "--out", out / "suivis.csv")[0] == 0
    people = _column(out / "participants.csv", "id_participant")
    assert len(set(people)) == 3 and all(len(p) == 20 and p not in ("P1", "P2", "P3") for p in people)
    assert set(_column(out / "contrats.csv", "id_participant")) <= set(people)
    dataset = impact.validate(out)
    assert dataset.problems.empty, dataset.problems.to_string()
    assert impact.indicators(dataset).equals(impact.indicators(impact.load(BASE)))


def test_another_key_gives_other_pseudonyms_and_the_key_is_written_nowhere(tmp_path, keys, run_cli):
    run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "id_participant", "--cle-fichier", keys[0], "--out", tmp_path / "a.csv")
    run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "id_participant", "--cle-fichier", keys[1], "--out", tmp_path / "b.csv")
    status, out, err = run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "id_participant", "--cle-fichier", keys[0], "--out", tmp_path / "c.csv")
    first, second = _column(tmp_path / "a.csv", "id_participant"), _column(tmp_path / "b.csv", "id_participant")
    assert not set(first) & set(second)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()
    for path in (tmp_path / "a.csv", tmp_path / "b.csv"):
        assert KEY.encode("utf-8") not in path.read_bytes()
    assert KEY not in out + err


def test_key_from_the_environment(tmp_path, keys, run_cli, monkeypatch):
    monkeypatch.setenv("IMPACT_CLE", KEY)
    assert run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "id_participant", "--out", tmp_path / "env.csv")[0] == 0
    run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "id_participant", "--cle-fichier", keys[0], "--out", tmp_path / "file.csv")
    assert (tmp_path / "env.csv").read_bytes() == (tmp_path / "file.csv").read_bytes()


def test_clear_errors(tmp_path, keys, run_cli, monkeypatch):
    monkeypatch.delenv("IMPACT_CLE", raising=False)
    status, _, err = run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "id_participant", "--out", tmp_path / "x.csv")
    assert status == 2 and "aucune clé" in err
    status, _, err = run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "nir", "--cle-fichier", keys[0], "--out", tmp_path / "x.csv")
    assert status == 2 and "colonne(s) absente(s) de participants.csv : nir" in err
    short = tmp_path / "courte.txt"
    short.write_text("abc", encoding="utf-8")
    status, _, err = run_cli("pseudonymiser", BASE / "participants.csv", "--colonne", "id_participant", "--cle-fichier", short, "--out", tmp_path / "x.csv")
    assert status == 2 and "trop courte" in err
    assert not (tmp_path / "x.csv").exists()


def test_empty_cells_stay_empty():
    assert pseudonymise(pd.Series(["A", "", " A "]), b"k" * 16).tolist()[1] == ""
    values = pseudonymise(pd.Series(["A", "", " A "]), b"k" * 16).tolist()
    assert values[0] == values[2] != ""


def test_workbook_in_french_excel_csv_out(tmp_path, keys, run_cli):
    """A workbook with a title row is read; the output is ``;`` and UTF-8 with BOM whatever the input,
    with the same pseudonyms as from the CSV."""
    frame = pd.read_csv(BASE / "participants.csv", sep=";", dtype=str, keep_default_na=False)
    with pd.ExcelWriter(tmp_path / "personnes.xlsx", engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="Feuil1")
    (tmp_path / "virgules.csv").write_text(frame.to_csv(sep=",", index=False), encoding="utf-8")
    for name in ("personnes.xlsx", "virgules.csv"):
        assert run_cli("pseudonymiser", tmp_path / name, "--colonne", "id_participant", "--cle-fichier", keys[0], "--out", tmp_path / f"{name}.out.csv")[0] == 0
    first, second = ((tmp_path / f"{n}.out.csv").read_bytes() for n in ("personnes.xlsx", "virgules.csv"))
    assert first == second
    assert first.startswith("\ufeffid_participant;sexe;".encode("utf-8"))
    assert _column(tmp_path / "personnes.xlsx.out.csv", "id_participant") == pseudonymise(frame["id_participant"], KEY.encode("utf-8")).tolist()


def test_carnets_copies_the_notebooks(tmp_path, run_cli):
    status, out, _ = run_cli("carnets", tmp_path / "carnets")
    assert status == 0
    assert sorted(p.name for p in (tmp_path / "carnets").iterdir()) == ["bilan_territoire.ipynb", "comparaison_territoires.ipynb", "consolidation.ipynb", "etude_impact.ipynb"]
