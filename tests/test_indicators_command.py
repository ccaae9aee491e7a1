"""``impact indicateurs``: the written files, reproducibility, and invalid data refused like
``impact valider`` does."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from impact.indicators import COLUMNS, definitions_markdown
from tests.conftest import BASE, build_case

ROOT = Path(__file__).resolve().parents[1]


def test_writes_the_table_and_its_metadata(tmp_path, run_cli):
    status, out, err = run_cli("indicateurs", BASE, "--out", tmp_path / "sortie", "--annee", "2024", "--horizon", "6")
    assert (status, err) == (0, "")
    table = pd.read_csv(tmp_path / "sortie" / "indicateurs.csv", keep_default_na=False, dtype=str)
    assert list(table.columns) == COLUMNS
    assert set(table["annee"]) == {"2024"}
    # Base dataset, 2024, territory Nord: C1 (420 h over 01/11/2023-29/02/2024, 121 days, 60 in 2024)
    # and C3 (300 h from 01/03/2024 to the extraction date 30/11/2024, all in 2024).
    internal_table = pd.read_csv(tmp_path / "sortie" / "indicateurs_interne_NON_DIFFUSABLE.csv", comment="#", keep_default_na=False, dtype=str)
    nord = internal_table.loc[(internal_table["territoire"] == "Nord") & (internal_table["indicateur"] == "heures") & (internal_table["dimension"] == "ensemble")]
    assert nord["valeur"].tolist() == [f"{420 * 60 / 121 + 300:.2f}".rstrip("0").rstrip(".")]
    # Published: Nord's hours come from one employer only (E1), so they are masked.
    published = table.loc[(table["territoire"] == "Nord") & (table["indicateur"] == "heures") & (table["dimension"] == "ensemble")]
    assert published["valeur"].tolist() == ["s"]
    meta = json.loads((tmp_path / "sortie" / "metadonnees.json").read_text(encoding="utf-8"))
    assert meta["parametres"] == {"annees": [2024], "horizon_mois": 6, "heures_etp": 1607.0, "date_extraction": "2024-11-30",
                                  "date_extraction_origine": "dernière date observée", "seuil": 5, "secret_complet": True}
    # The base dataset counts 1 to 2 persons per territory: published masked, internal not.
    nord_people = table.loc[(table["territoire"] == "Nord") & (table["indicateur"] == "personnes") & (table["dimension"] == "ensemble")]
    assert nord_people["valeur"].tolist() == ["s"]
    internal = (tmp_path / "sortie" / "indicateurs_interne_NON_DIFFUSABLE.csv").read_text(encoding="utf-8")
    assert internal.startswith("# NON DIFFUSABLE") and "\n2024,Nord,personnes,ensemble,ensemble,2," in internal
    assert meta["entrees"]["fichiers"]["contrats.csv"]["sha256"] == hashlib.sha256((BASE / "contrats.csv").read_bytes()).hexdigest()
    assert len(meta["entrees"]["fichiers"]) == 8 and meta["version"]


def test_same_inputs_same_bytes(tmp_path, run_cli):
    for name in ("a", "b"):
        assert run_cli("demo", tmp_path / "d", "--territoires", "3")[0] == 0
        assert run_cli("indicateurs", tmp_path / "d", "--out", tmp_path / name, "--date-extraction", "2024-12-31")[0] == 0
    for file in ("indicateurs.csv", "metadonnees.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_invalid_dataset_gives_the_validation_messages_and_no_output(tmp_path, run_cli):
    folder = build_case("dates_inversees", tmp_path)
    status, out, _ = run_cli("indicateurs", folder, "--out", tmp_path / "sortie")
    assert status == 2
    assert out == run_cli("valider", folder)[1]
    assert not (tmp_path / "sortie").exists()


def test_bad_parameters(tmp_path, run_cli):
    status, _, err = run_cli("indicateurs", BASE, "--out", tmp_path, "--date-extraction", "31/12/2024")
    assert status == 2 and "--date-extraction attend une date AAAA-MM-JJ" in err
    status, _, err = run_cli("indicateurs", BASE, "--out", tmp_path, "--annee", "1999")
    assert status == 2 and "aucune des années demandées (1999)" in err


def test_dataset_without_contracts(tmp_path, run_cli):
    status, _, err = run_cli("indicateurs", ROOT / "data_templates" / "csv", "--out", tmp_path / "sortie")
    assert (status, err) == (2, "impact : le jeu de données ne contient aucun contrat : aucun indicateur à calculer\n"
                                "Pour corriger : remplissez la table contrats (une ligne par contrat).\n")
    assert not (tmp_path / "sortie").exists()


def test_indicator_page_matches_the_definitions():
    assert (ROOT / "docs" / "indicateurs.md").read_text(encoding="utf-8") == definitions_markdown(), "lancez `make docs`"


def test_the_quick_examination_of_secrecy_is_recorded_and_told(tmp_path, run_cli, monkeypatch):
    """A national table links hundreds of territories through the ``ensemble``: its groups of masked
    cells are examined territory by territory first, then whole; ``--secret-rapide`` stops before,
    which leaves bounds combining several territories unexamined. The user is then told which
    published years, in ``metadonnees.json`` and on the command line; a table examined whole says
    so. Forced here on the base dataset: no group of more than one cell examined whole unless the
    examination is complete."""
    from impact import publication

    monkeypatch.setattr(publication, "_PROGRAM_CELLS", 1)
    monkeypatch.setattr(publication, "_LARGE_GROUP_CELLS", 0)
    status, _, err = run_cli("indicateurs", BASE, "--out", tmp_path / "entier", "--annee", "2024")
    meta = json.loads((tmp_path / "entier" / "metadonnees.json").read_text(encoding="utf-8"))
    assert (status, err) == (0, "")
    assert meta["secret"] == {"seuil": 5, "examen": "toutes les relations de chaque année, entre territoires compris"}
    status, _, err = run_cli("indicateurs", BASE, "--out", tmp_path / "par_territoire", "--annee", "2024", "--secret-rapide")
    meta = json.loads((tmp_path / "par_territoire" / "metadonnees.json").read_text(encoding="utf-8"))
    assert status == 0 and meta["secret"]["examen"] == "territoire par territoire pour 2024" and not meta["parametres"]["secret_complet"]
    assert meta["secret"]["avertissement"].startswith("année 2024 : examen rapide du secret (--secret-rapide)")
    assert "Relancez la commande sans --secret-rapide" in meta["secret"]["avertissement"]
    assert err.startswith("Attention, secret statistique : année 2024 : examen rapide")


@pytest.mark.parametrize("command", [("bilan", "--annee", "2024", "--territoire", "ensemble"), ("comparer", "--annee", "2024"), ("effet",)])
def test_the_reports_made_after_a_quick_examination_of_secrecy_say_so(tmp_path, run_cli, monkeypatch, command):
    """``bilan``, ``comparer`` and ``effet`` publish indicators too: with ``--secret-rapide`` on a
    table whose groups are examined territory by territory (forced as above), each records it
    beside the published indicators (the year and the year before, whose values it shows) and tells
    the user, after producing its report."""
    from impact import publication

    monkeypatch.setattr(publication, "_PROGRAM_CELLS", 1)
    monkeypatch.setattr(publication, "_LARGE_GROUP_CELLS", 0)
    name, *options = command
    status, _, err = run_cli(name, BASE, *options, "--formats", "html", "--out", tmp_path / "s", "--secret-rapide")
    meta = json.loads((tmp_path / "s" / "2024" / "indicateurs" / "metadonnees.json").read_text(encoding="utf-8"))
    assert status == 0, err
    assert meta["secret"]["examen"] == "territoire par territoire pour 2023, 2024" and not meta["parametres"]["secret_complet"]
    assert err.splitlines()[-1].startswith("Attention, secret statistique : années 2023, 2024 : examen rapide du secret (--secret-rapide)")
