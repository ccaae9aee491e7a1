"""The synthetic demo dataset: valid at every scale and format, deterministic, realistic."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import impact
from impact.calibration import hours_to_require
from impact.demo import DemoParameters, generate, write


@pytest.mark.parametrize("args", [
    ["--territoires", "1", "--annees", "2024", "--echelle", "0.2"],
    [],
    ["--territoires", "12", "--annees", "2015-2024", "--echelle", "2", "--graine", "7"],
    ["--territoires", "300", "--annees", "2022-2024", "--echelle", "0.05"],
    ["--territoires", "3", "--format", "xlsx"],
], ids=["un_territoire", "defaut", "douze_territoires", "trois_cents_territoires", "classeur"])
def test_demo_passes_validation(args, tmp_path, run_cli):
    status, out, err = run_cli("demo", tmp_path / "d", *args)
    assert (status, err) == (0, ""), out
    status, out, err = run_cli("valider", tmp_path / "d")
    assert status == 0, out
    assert " erreur :" not in out
    # The only warnings are markets notified in the last months whose works have not begun.
    # (a repeated problem is printed once, with its count of lines, and its hint under it)
    problems = [line for line in out.splitlines()[:-1] if not line.startswith("  Pour corriger : ")]
    assert set(re.sub(r" \(\d+ lignes : .*\)$", "", line.split(": ", 1)[1]) for line in problems) <= {"avertissement : opération sans aucun contrat"}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    first = write(DemoParameters(seed=11), tmp_path / "a")
    second = write(DemoParameters(seed=11), tmp_path / "b")
    third = write(DemoParameters(seed=12), tmp_path / "c")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in third]


@pytest.fixture(scope="module")
def national():
    """A mid-size dataset: 30 territories over ten years."""
    return generate(DemoParameters(territories=30, first_year=2015, last_year=2024))


def test_orders_of_magnitude(national):
    contrats, heures, participants = national["contrats"], national["heures"], national["participants"]
    hours = contrats["heures_realisees"].fillna(contrats["id_contrat"].map(heures.groupby("id_contrat")["heures"].sum()))
    assert 220 <= hours.mean() <= 290  # about 250 hours per contract
    assert 1.45 <= len(contrats) / len(participants) <= 1.75  # about 1.6 contracts per person
    assert 340 <= hours.sum() / len(participants) <= 460  # about 400 hours per person
    assert (participants["sexe"] == "M").mean() > 0.75  # mostly men
    assert national["operations"]["type_marche"].value_counts(normalize=True)["travaux"] > 0.5  # building trades
    assert national["operations"]["dispositif"].value_counts(normalize=True)["clause_execution"] > 0.8
    modality = contrats["modalite"].value_counts(normalize=True)
    assert modality["embauche_directe"] > 0.4 and modality["mise_a_disposition"] > 0.15


def test_every_kind_of_case_is_present(national):
    contrats, suivis, operations = national["contrats"], national["suivis"], national["operations"]
    assert contrats["date_fin"].isna().any()  # contracts still running
    spans = contrats.dropna(subset=["date_fin"])
    assert (spans["date_debut"].dt.year < spans["date_fin"].dt.year).any()  # contracts across a year end
    assert 0.3 < contrats["id_contrat"].isin(national["heures"]["id_contrat"]).mean() < 0.6  # monthly hours for part
    assert {"neutralisee", "inconnue"} <= set(suivis["situation"]) and set(suivis["horizon_mois"]) == {6, 12}
    assert set(national["acheteurs"]["type_acheteur"]) == {"etat", "collectivite", "bailleur_social", "etablissement_sante", "autre_public", "prive"}
    assert len(set(operations["dispositif"])) == 6 and len(set(operations["type_marche"])) == 3
    territory = contrats["id_operation"].map(operations.set_index("id_operation")["territoire"])
    assert (territory.groupby(contrats["id_participant"]).nunique() > 1).any()  # persons in two territories
    for public in ("deld", "minima_sociaux", "travailleur_handicape", "jeune_peu_qualifie", "senior_50", "residant_qpv", "parcours_iae", "autre_public"):
        assert national["participants"][public].any()


def test_planned_hours_follow_the_calibration_rule(national):
    operations = national["operations"].dropna(subset=["heures_prevues"])
    # Each market's planned hours come from its amount at a labour share, rate and cost of
    # published practice: the implied hours per euro lie within their extreme combinations.
    per_euro = operations["heures_prevues"] / operations["montant_ht"]
    assert (per_euro >= np.floor(hours_to_require(1.0, 0.15, 0.05, 30.0) * 1e6) / 1e6 - 1e-6).all()
    assert (per_euro <= hours_to_require(1.0, 0.80, 0.15, 25.0) + 1e-3).all()


def test_national_size():
    """300 territories give about 20 000 persons with a contract in a year."""
    tables = generate(DemoParameters(territories=300, first_year=2019, last_year=2024))
    contrats = tables["contrats"]
    active = (contrats["date_debut"] <= "2021-12-31") & (contrats["date_fin"].fillna(pd.Timestamp("2024-12-31")) >= "2021-01-01")
    assert 17_000 <= contrats.loc[active, "id_participant"].nunique() <= 23_000
    assert len(tables["territoires"]) == 300 and tables["operations"]["territoire"].nunique() == 300


def test_demo_loads_as_a_dataset(tmp_path):
    write(DemoParameters(territories=2, first_year=2023, last_year=2024), tmp_path)
    dataset = impact.load(tmp_path)
    assert dataset.contrats["date_debut"].dtype == "datetime64[ns]"
    assert isinstance(dataset.contrats["type_contrat"].dtype, pd.CategoricalDtype)
