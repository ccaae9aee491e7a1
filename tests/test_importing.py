"""``impact importer`` on four kinds of real files, built here from a synthetic dataset: each goes
in without an edit, and the year's hours, contracts and persons are those of the dataset it was
built from (hours within 0.5 %)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from impact.dataset import validate
from impact.demo import DemoParameters, generate, write
from impact.indicators import indicators
from impact.schema import SEXE, TYPE_CONTRAT

YEARS = (2022, 2023)
FIGURES = ("heures", "contrats", "personnes")


def figures(folder: Path) -> dict[tuple[int, str], float]:
    """Hours, contracts and persons of every year, all territories together."""
    table = indicators(validate(folder))
    rows = table.loc[(table["territoire"] == "ensemble") & (table["dimension"] == "ensemble") & table["indicateur"].isin(FIGURES)
                     & table["annee"].isin(YEARS)]
    return {(int(r.annee), r.indicateur): float(r.valeur) for r in rows.itertuples()}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    params = DemoParameters(seed=11, territories=2, first_year=YEARS[0], last_year=YEARS[1], scale=0.3)
    folder = tmp_path_factory.mktemp("reference")
    write(params, folder)
    tables = generate(params)
    for frame in tables.values():
        for column in frame.columns:
            if frame[column].dtype == bool:
                frame[column] = np.where(frame[column], "oui", "non")
            elif pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%d/%m/%Y").fillna("")
    tables["heures"]["mois"] = pd.to_datetime(tables["heures"]["mois"], format="%d/%m/%Y").dt.strftime("%Y-%m")
    return tables, figures(folder)


def _check(folder: Path, out: Path, run_cli, expected) -> str:
    status, printed, err = run_cli("importer", folder, "--out", out)
    assert status == 0, printed + err
    got = figures(out)
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=0.005 if key[1] == "heures" else 0), key
    return printed


def _sheet(writer, name: str, frame: pd.DataFrame, banners: list[str] = (), total: bool = False) -> None:
    """A sheet with banner rows above the header and an optional totals row."""
    frame = frame.copy()
    if total:
        frame = pd.concat([frame, pd.DataFrame([["Total"] + [""] * (frame.shape[1] - 1)], columns=frame.columns)])
    frame.to_excel(writer, sheet_name=name, index=False, startrow=len(banners))
    for row, text in enumerate(banners, start=1):
        writer.sheets[name].cell(row=row, column=1, value=text)


def test_flat_sheet(source, tmp_path, run_cli):
    """One row per contract with the person, employer, market and buyer by name, labels instead of
    codes, two banner rows, a totals row; the monthly hours on a sheet of their own."""
    tables, expected = source
    contrats = tables["contrats"].merge(tables["participants"], on="id_participant").merge(tables["entreprises"], on="id_entreprise")
    contrats = contrats.merge(tables["operations"], on="id_operation").merge(tables["acheteurs"].rename(columns={"nom": "acheteur"}), on="id_acheteur", suffixes=("", "_acheteur"))
    flat = pd.DataFrame({
        "N° contrat": contrats["id_contrat"], "Personne": contrats["id_participant"], "Sexe": contrats["sexe"].map(SEXE),
        "Année de naissance": contrats["annee_naissance"], "Niveau de formation": contrats["niveau_formation"],
        **{p: contrats[p] for p in ("deld", "minima_sociaux", "travailleur_handicape", "jeune_peu_qualifie", "senior_50", "residant_qpv", "parcours_iae", "autre_public")},
        "Employeur": contrats["raison_sociale"], "Taille": contrats["taille"], "Type de structure": contrats["type_structure"],
        "Marché": contrats["intitule"], "Type de marché": contrats["type_marche"], "Dispositif": contrats["dispositif"],
        "Territoire": contrats["territoire"], "Date de notification du marché": contrats["date_notification"],
        "Acheteur": contrats["acheteur"], "Type d'acheteur": contrats["type_acheteur"],
        "Type de contrat": contrats["type_contrat"].map(TYPE_CONTRAT), "Modalité": contrats["modalite"],
        "Date de début": contrats["date_debut"], "Date de fin": contrats["date_fin"],
        "Heures réalisées": contrats["heures_realisees"].map(lambda h: "" if pd.isna(h) else f"{h:g} h"),
    })
    flat = flat.rename(columns={"N° contrat": "Identifiant du contrat", "Modalité": "Modalité de mise en œuvre"})
    heures = tables["heures"].rename(columns={"id_contrat": "Contrat", "mois": "Mois", "heures": "Heures"})
    folder = tmp_path / "source"
    folder.mkdir()
    with pd.ExcelWriter(folder / "suivi clauses.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Feuil1", flat, ["Suivi des clauses sociales", "Édité le 05/01/2024"], total=True)
        _sheet(writer, "Heures mensuelles", heures)
    printed = _check(folder, tmp_path / "importe", run_cli, expected)
    assert "suivi clauses.xlsx[Feuil1] : une ligne par contrat" in printed
    persons = pd.read_csv(tmp_path / "importe" / "participants.csv", sep=";", dtype=str)
    assert persons["id_participant"].str.startswith("P-").all() and not persons["id_participant"].isin(tables["participants"]["id_participant"]).any()
    assert (tmp_path / "importe" / "correspondance.toml").read_text(encoding="utf-8").count('= "plat"') == 1


def test_software_export_with_other_sheet_names(source, tmp_path, run_cli):
    tables, expected = source
    names = {"acheteurs": "Donneurs d'ordre", "operations": "Marchés", "entreprises": "Employeurs", "participants": "Salariés",
             "contrats": "Liste des contrats", "heures": "Heures mensuelles", "suivis": "Suivi", "territoires": "Zones"}
    folder = tmp_path / "source"
    folder.mkdir()
    with pd.ExcelWriter(folder / "export logiciel.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Accueil", pd.DataFrame({"Export": ["Logiciel de suivi", "version 3"]}))
        for table, name in names.items():
            _sheet(writer, name, tables[table], ["Export du logiciel de suivi", f"Table {name}"])
    printed = _check(folder, tmp_path / "importe", run_cli, expected)
    assert "export logiciel.xlsx[Liste des contrats] : table contrats" in printed


def test_windows_1252_csv_folder(source, tmp_path, run_cli):
    tables, expected = source
    folder = tmp_path / "source"
    folder.mkdir()
    for table, frame in tables.items():
        (folder / f"extraction_{len(table)}_{table[::-1]}.csv").write_bytes(frame.to_csv(sep=",", index=False).encode("cp1252"))
    _check(folder, tmp_path / "importe", run_cli, expected)


def test_two_yearly_workbooks(source, tmp_path, run_cli):
    """Each year's workbook holds the contracts active that year (a contract over both years is in
    both) and the months of that year."""
    tables, expected = source
    folder = tmp_path / "source"
    folder.mkdir()
    start = pd.to_datetime(tables["contrats"]["date_debut"], format="%d/%m/%Y")
    end = pd.to_datetime(tables["contrats"]["date_fin"], format="%d/%m/%Y").fillna(pd.Timestamp("2099-01-01"))
    for year in YEARS:
        active = (start.dt.year <= year) & (end.dt.year >= year)
        with pd.ExcelWriter(folder / f"clauses_{year}.xlsx", engine="openpyxl") as writer:
            for table, frame in tables.items():
                if table == "contrats":
                    frame = frame.loc[active]
                elif table == "heures":
                    frame = frame.loc[frame["mois"].str.startswith(str(year))]
                _sheet(writer, table, frame)
    _check(folder, tmp_path / "importe", run_cli, expected)


def test_an_edited_correspondence_is_reused_as_is(source, tmp_path, run_cli):
    """A value the importer cannot map is listed in correspondance.toml with an empty code; once the
    user writes its code there, the same source imports without error and the decision is kept."""
    tables, expected = source
    folder = tmp_path / "source"
    folder.mkdir()
    for table, frame in tables.items():
        frame = frame.copy()
        if table == "contrats":
            frame.loc[frame.index[:3], "type_contrat"] = "Contrat maison"
        frame.to_csv(folder / f"{table}.csv", sep=";", index=False)
    status, printed, _ = run_cli("importer", folder, "--out", tmp_path / "premier")
    assert status == 2 and "valeur non reconnue dans contrats.type_contrat : « Contrat maison » (3 lignes)" in printed
    decisions = (tmp_path / "premier" / "correspondance.toml").read_text(encoding="utf-8")
    assert '"Contrat maison" = ""  # 3 ligne(s)' in decisions
    edited = tmp_path / "correspondance.toml"
    edited.write_text(decisions.replace('"Contrat maison" = ""', '"Contrat maison" = "autre"'), encoding="utf-8")
    status, printed, _ = run_cli("importer", folder, "--out", tmp_path / "second", "--correspondance", edited)
    assert status == 0, printed
    contracts = pd.read_csv(tmp_path / "second" / "contrats.csv", sep=";", dtype=str)
    assert (contracts["type_contrat"] == "autre").sum() == (tables["contrats"]["type_contrat"] == "autre").sum() + 3
    assert '"Contrat maison" = "autre"' in (tmp_path / "second" / "correspondance.toml").read_text(encoding="utf-8")
    assert figures(tmp_path / "second") == pytest.approx(expected)
