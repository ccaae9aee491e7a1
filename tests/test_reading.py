"""Forgiving reading: header rows below banners, headers written like the dictionary, the
dictionary's labels as codes, office value formats, "unknown", totals rows, grouped messages and
near-duplicate territory names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from impact.dataset import validate


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_banner_rows_labels_and_formats(base_dataset, run_cli):
    """Two banner lines above a header written like the dictionary (« Id », « Année de naissance »),
    labels instead of codes, « NC » for a birth year, a totals row, in Windows-1252; contracts with
    « 35 h », « 15.03.2023 », « 2023-03-15 00:00:00 » and « 15/03/23 »."""
    participants = base_dataset / "participants.csv"
    lines = participants.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("id_participant;sexe;annee_naissance;niveau_formation", "Id;Sexe;Année de naissance;Niveau de formation")
    lines[1] = lines[1].replace("P1;M;1990;infra_3", "P1;Homme;NC;Sans diplôme")
    participants.write_bytes("\n".join(["Export du logiciel de suivi;;", "Édité le 15/03/2025", *lines, "Total;;;"]).encode("cp1252"))
    contrats = base_dataset / "contrats.csv"
    _rewrite(contrats, "2023-11-01;2024-02-29;420", "01.11.2023;2024-02-29 00:00:00;420 h")
    _rewrite(contrats, "2024-01-08;2024-03-31", "08/01/24;31/03/2024")
    status, out, _ = run_cli("valider", base_dataset)
    assert out.splitlines() == [
        "participants:3:-: avertissement : ligne d'en-tête trouvée ligne 3 : les lignes 1 à 2 sont ignorées (titre ou bandeau)",
        "  Pour corriger : placez l'en-tête en ligne 1 si les lignes ignorées contiennent des données ; rien à changer si ce ne sont que des titres.",
        f"participants:{len(lines) + 3}:-: avertissement : ligne de total ignorée",
        "  Pour corriger : supprimez la ligne pour ne plus voir l'avertissement ; rien à changer sinon, le kit calcule lui-même les totaux.",
        "0 erreur, 2 avertissements : jeu de données utilisable.",
    ]
    dataset = validate(base_dataset)
    person = dataset.participants.loc[4]
    assert (person["id_participant"], person["sexe"], person["niveau_formation"]) == ("P1", "M", "infra_3")
    assert pd.isna(person["annee_naissance"])
    first, second = dataset.contrats.iloc[0], dataset.contrats.iloc[1]
    assert (first["date_debut"], first["date_fin"], first["heures_realisees"]) == (pd.Timestamp("2023-11-01"), pd.Timestamp("2024-02-29"), 420.0)
    assert (second["date_debut"], second["date_fin"]) == (pd.Timestamp("2024-01-08"), pd.Timestamp("2024-03-31"))


def test_unknown_birth_year_gives_unknown_age(base_dataset):
    from impact.indicators import indicators

    _rewrite(base_dataset / "participants.csv", "P1;M;1990", "P1;M;?")
    table = indicators(validate(base_dataset))
    ages = table.loc[(table["indicateur"] == "personnes") & (table["dimension"] == "tranche_age") & (table["territoire"] == "ensemble")]
    totals = table.loc[(table["indicateur"] == "personnes") & (table["dimension"] == "ensemble") & (table["territoire"] == "ensemble")]
    by_year = ages.groupby("annee")["valeur"].sum()
    assert by_year.to_dict() == totals.set_index("annee")["valeur"].to_dict()
    assert ages.loc[ages["modalite"] == "inconnu", "valeur"].max() == 1


def test_workbook_banner_rows_merged_title_and_totals(base_dataset, tmp_path, run_cli):
    """A sheet with a merged title row and an empty row above the header, and a totals row."""
    import openpyxl

    folder = tmp_path / "classeur"
    folder.mkdir()
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for csv in sorted(base_dataset.glob("*.csv")):
        frame = pd.read_csv(csv, sep=";", dtype=str, keep_default_na=False)
        sheet = workbook.create_sheet(csv.stem)
        sheet.append([f"Suivi des clauses : {csv.stem}"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(frame.columns))
        sheet.append([])
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
        if csv.stem == "contrats":
            sheet.append(["Total", "", "", "", "", "", "", "", "1000"])
    workbook.save(folder / "suivi.xlsx")
    status, out, _ = run_cli("valider", folder)
    lines = out.splitlines()
    assert status == 0
    assert "contrats:3:-: avertissement : ligne d'en-tête trouvée ligne 3 : les lignes 1 à 2 sont ignorées (titre ou bandeau)" in lines
    assert any(line.startswith("contrats:") and line.endswith("ligne de total ignorée") for line in lines)
    assert lines[-1] == "0 erreur, 9 avertissements : jeu de données utilisable."  # 8 header rows, 1 totals row


def test_repeated_problem_printed_once(base_dataset, run_cli):
    """The same problem on many lines: one line with the count and the first lines."""
    contrats = base_dataset / "contrats.csv"
    text = contrats.read_text(encoding="utf-8")
    _rewrite(contrats, text.splitlines()[0], text.splitlines()[0].replace("type_contrat", "Type de contrat"))
    frame = pd.read_csv(contrats, sep=";", dtype=str, keep_default_na=False)
    frame["Type de contrat"] = "CDD long"
    frame.to_csv(contrats, sep=";", index=False)
    status, out, _ = run_cli("valider", base_dataset)
    assert status == 2
    assert out.splitlines()[0] == (
        f"contrats:2:type_contrat: erreur : « CDD long » n'est pas un code de type_contrat (codes admis : cdi, cdd, interim, ctti, "
        f"cddi, professionnalisation, apprentissage, autre) ({len(frame)} lignes : 2, 3, 4, 5)")


def test_near_duplicate_territories(base_dataset, run_cli):
    """« Boucle Nord de Seine » and « Boucle Nord de Seinne » (one letter): a warning naming both;
    « Nord » and « nord » (case) would share one report folder: an error naming both."""
    operations = base_dataset / "operations.csv"
    frame = pd.read_csv(operations, sep=";", dtype=str, keep_default_na=False)
    extra = frame.iloc[[0, 0, 0]].assign(id_operation=["O7", "O8", "O9"], territoire=["nord", "Boucle Nord de Seine", "Boucle Nord de Seinne"])
    pd.concat([frame, extra]).to_csv(operations, sep=";", index=False)
    status, out, _ = run_cli("valider", base_dataset)
    lines = [line for line in out.splitlines() if "presque identique" in line]
    n = len(frame)
    clash = [line for line in out.splitlines() if "même nom de dossier" in line]
    assert status == 2 and len(clash) == 1 and "« nord »" in clash[0] and "« Nord »" in clash[0] and " erreur " in clash[0]
    assert lines == [
        f"operations:{n + 4}:territoire: avertissement : territoire « Boucle Nord de Seinne » (1 ligne) presque identique à "
        f"« Boucle Nord de Seine » (1 ligne, première ligne {n + 3}) : le kit en fait deux territoires",
    ]
