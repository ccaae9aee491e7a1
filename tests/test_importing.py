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
from impact.schema import PUBLICS, SEXE, TYPE_CONTRAT

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


def _whole_contracts(contrats: pd.DataFrame) -> dict[str, pd.Series]:
    """The columns of a flat export from contracts merged with their person, employer, market and
    buyer: labels and everyday headers."""
    return {
        "Personne": contrats["id_participant"], "Sexe": contrats["sexe"].map(SEXE),
        "Année de naissance": contrats["annee_naissance"], "Niveau de formation": contrats["niveau_formation"],
        **{p: contrats[p] for p in ("deld", "minima_sociaux", "travailleur_handicape", "jeune_peu_qualifie", "senior_50", "residant_qpv", "parcours_iae", "autre_public")},
        "Employeur": contrats["raison_sociale"], "Taille": contrats["taille"], "Type de structure": contrats["type_structure"],
        "Marché": contrats["intitule"], "Type de marché": contrats["type_marche"], "Dispositif": contrats["dispositif"],
        "Territoire": contrats["territoire"], "Date de notification du marché": contrats["date_notification"],
        "Acheteur": contrats["acheteur"], "Type d'acheteur": contrats["type_acheteur"],
        "Type de contrat": contrats["type_contrat"].map(TYPE_CONTRAT), "Modalité": contrats["modalite"],
        "Date de début": contrats["date_debut"], "Date de fin": contrats["date_fin"],
    }


def test_flat_sheet(source, tmp_path, run_cli):
    """One row per contract with the person, employer, market and buyer by name, labels instead of
    codes, two banner rows, a totals row; the monthly hours on a sheet of their own."""
    tables, expected = source
    contrats = tables["contrats"].merge(tables["participants"], on="id_participant").merge(tables["entreprises"], on="id_entreprise")
    contrats = contrats.merge(tables["operations"], on="id_operation").merge(tables["acheteurs"].rename(columns={"nom": "acheteur"}), on="id_acheteur", suffixes=("", "_acheteur"))
    flat = pd.DataFrame({"N° contrat": contrats["id_contrat"], **_whole_contracts(contrats),
                         "Heures réalisées": contrats["heures_realisees"].map(lambda h: "" if pd.isna(h) else f"{h:g} h")})
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


def _flat_rows(people: list[tuple[str, str, int]]) -> pd.DataFrame:
    """A flat sheet of one contract per person (surname, first name, year of birth), with its buyer."""
    return pd.DataFrame({
        "Nom": [p[0] for p in people], "Prénom": [p[1] for p in people], "Année de naissance": [p[2] for p in people], "Sexe": "Homme",
        "Niveau de formation": "infra_3", **{p: "non" for p in ("deld", "minima_sociaux", "travailleur_handicape", "jeune_peu_qualifie",
                                                                  "senior_50", "residant_qpv", "parcours_iae", "autre_public")},
        "Employeur": "Bâtisseurs du Nord", "Taille": "pme", "Type de structure": "entreprise",
        "Marché": "Voirie lot 2", "Type de marché": "travaux", "Dispositif": "clause_execution", "Territoire": "T1",
        "Date de notification du marché": "2024-01-10", "Acheteur": "Ville de Lens", "Type d'acheteur": "collectivite",
        "Type de contrat": "cdd", "Modalité": "embauche_directe", "Date de début": [f"2024-0{i + 1}-01" for i in range(len(people))],
        "Date de fin": "2024-12-31", "Heures réalisées": 100})


def test_a_flat_sheet_names_persons_in_two_columns_and_never_as_buyers(tmp_path, run_cli, monkeypatch):
    """« Nom » and « Prénom » on a flat sheet are the person's (put together), never the buyer's
    name; homonyms born in different years are two persons; the identifier is the keyed hash of
    the name and year (IMPACT_CLE, as ``impact pseudonymiser``): a list of names does not give it back."""
    from impact.pseudonymisation import pseudonymise

    key = "une clé de test assez longue"
    monkeypatch.setenv("IMPACT_CLE", key)
    with pd.ExcelWriter(tmp_path / "suivi.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Suivi 2024", _flat_rows([("MARTIN", "Kevin", 1980), ("Martin", "Kévin", 1996), ("Durand", "Léa", 1990)]))
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d")
    assert status == 0, printed
    assert "clé secrète tirée au hasard" not in printed
    buyers = pd.read_csv(tmp_path / "d" / "acheteurs.csv", sep=";", dtype=str)
    persons = pd.read_csv(tmp_path / "d" / "participants.csv", sep=";", dtype=str)
    assert buyers["nom"].tolist() == ["Ville de Lens"]
    expected = "P-" + pseudonymise(pd.Series(["martin_kevin|1980", "martin_kevin|1996", "durand_lea|1990"]), key.encode())
    assert sorted(persons["id_participant"]) == sorted(expected)
    written = "".join(p.read_text(encoding="utf-8-sig") for p in (tmp_path / "d").glob("*.csv")).lower()
    assert "martin" not in written and "durand" not in written
    # Without a key, one is drawn for the import, and the user is told how to keep identifiers from year to year.
    monkeypatch.delenv("IMPACT_CLE")
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "sans_cle")
    assert status == 0 and "clé secrète tirée au hasard pour cet import" in printed and "--cle-fichier" in printed
    assert not set(pd.read_csv(tmp_path / "sans_cle" / "participants.csv", sep=";", dtype=str)["id_participant"]) & set(expected)


def test_rows_are_dropped_only_when_a_later_file_gives_them_again(tmp_path, run_cli):
    """Two rows of one sheet with the same identifier, or without one, all reach validation, which
    names them; the same contract in two yearly workbooks (a date cell in one, text in the other)
    is one contract, kept from the later file, and the user is told where the two differed."""
    tables = {"contrats": pd.DataFrame({"id_contrat": ["K1", "K1", "", ""], "heures_realisees": [400, 400, 10, 20]})}
    (tmp_path / "csv").mkdir()
    tables["contrats"].to_csv(tmp_path / "csv" / "contrats.csv", sep=";", index=False)
    status, printed, _ = run_cli("importer", tmp_path / "csv", "--out", tmp_path / "d")
    assert status == 2 and "contrats:3:id_contrat: erreur : identifiant « K1 » en double" in printed
    assert len(pd.read_csv(tmp_path / "d" / "contrats.csv", sep=";", dtype=str)) == 4
    (tmp_path / "annuels").mkdir()
    for year, start, hours in ((2023, pd.Timestamp("2023-10-02"), 390), (2024, "02/10/2023", 870)):
        rows = _flat_rows([("Durand", "Léa", 1990)]).assign(**{"Date de début": [start], "Heures réalisées": hours})
        with pd.ExcelWriter(tmp_path / "annuels" / f"clauses_{year}.xlsx", engine="openpyxl") as writer:
            _sheet(writer, "Suivi", rows)
    status, printed, _ = run_cli("importer", tmp_path / "annuels", "--out", tmp_path / "a")
    contracts = pd.read_csv(tmp_path / "a" / "contrats.csv", sep=";", dtype=str)
    assert status == 0, printed
    assert contracts["heures_realisees"].tolist() == ["870"]
    assert ("contrats : 1 ligne d'un fichier reprise par un fichier suivant (même identifiant), gardée une fois, du dernier fichier "
            "par nom ; valeurs différentes dans : heures_realisees") in printed  # the same start date, as a cell and as text


def test_subtotals_in_any_column_durations_and_unreadable_inputs(tmp_path, run_cli):
    """A hand-made sheet: « Sous-total » and « TOTAL GÉNÉRAL » in the label column under an empty
    number are left out; a duration cell ([h]:mm, 151:30) is 151,5 hours. A .xls workbook, a damaged
    .xlsx and a correspondence with a syntax error are each refused in French, exit 2."""
    import datetime as dt

    rows = _flat_rows([("Durand", "Léa", 1990), ("Petit", "Ali", 1985)]).assign(**{"Heures réalisées": [0, 20]})
    rows.insert(0, "N°", ["1", "2"])
    totals = pd.DataFrame([{"N°": "", "Nom": "Sous-total voirie", "Heures réalisées": 171.5}, {"N°": "", "Nom": "TOTAL GÉNÉRAL", "Heures réalisées": 171.5}])
    with pd.ExcelWriter(tmp_path / "tableau.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Clauses", pd.concat([rows, totals], ignore_index=True))
        duration = writer.sheets["Clauses"].cell(row=2, column=rows.columns.get_loc("Heures réalisées") + 1)
        duration.value, duration.number_format = dt.timedelta(hours=151, minutes=30), "[h]:mm"
    status, printed, _ = run_cli("importer", tmp_path / "tableau.xlsx", "--out", tmp_path / "d")
    assert status == 0, printed
    contracts = pd.read_csv(tmp_path / "d" / "contrats.csv", sep=";", dtype=str)
    assert sorted(contracts["heures_realisees"]) == ["151.5", "20"]
    (tmp_path / "vieux").mkdir()
    (tmp_path / "vieux" / "export.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    (tmp_path / "abime.xlsx").write_bytes(b"PK\x03\x04 damaged")
    (tmp_path / "corr.toml").write_text('[feuilles]\n"a" = plat\n', encoding="utf-8")
    for args, message in (((tmp_path / "vieux",), "format .xls non pris en charge"),
                          ((tmp_path / "abime.xlsx",), "ce n'est pas un classeur .xlsx valide"),
                          ((tmp_path / "tableau.xlsx", "--correspondance", tmp_path / "corr.toml"), "erreur de syntaxe TOML à la ligne 2, colonne 7"),
                          ((tmp_path / "tableau.xlsx", "--correspondance", tmp_path / "absente.toml"), "introuvable")):
        status, _, err = run_cli("importer", *args, "--out", tmp_path / "x")
        assert status == 2 and message in err and "Traceback" not in err and "Errno" not in err, err


def test_headers_with_a_unit_a_number_sign_or_linking_words_are_recognised():
    """Common real headers an import review found unread: a unit in parentheses, « N° … », « Date de
    notification » (« Date notification » was read)."""
    from impact.importing import _guess_columns

    table, columns = _guess_columns(["N° contrat", "Heures réalisées (h)", "N° opération", "Nom"], "contrats")
    assert table == "contrats"
    assert columns["N° contrat"] == "contrats.id_contrat" and columns["Heures réalisées (h)"] == "contrats.heures_realisees"
    assert columns["N° opération"] == "contrats.id_operation"
    table, columns = _guess_columns(["Identifiant", "Date de notification", "Heures prévues (h)"], "operations")
    assert columns["Date de notification"] == "operations.date_notification" and columns["Heures prévues (h)"] == "operations.heures_prevues"
    # A header the kit does not know stays unread, whatever its unit.
    assert _guess_columns(["Identifiant", "Commentaire (libre)"], "operations")[1]["Commentaire (libre)"] == "ignorer"


def test_an_export_in_the_words_of_the_field_gets_in_with_one_decision_per_absent_column(tmp_path, run_cli, monkeypatch):
    """A follow-up software's flat export as found in the field: « Civilité » (Mme, M.), « Date de
    naissance » (a date cell), the publics as acronyms (RQTH, BRSA, QPV, DELD), diplomas as written
    (CAP, Bac, Sans diplôme), and no column for the other publics nor for the employers' size. The
    first import reads every column it can and lists the absent ones in correspondance.toml
    ([defauts]); given back with their values, the dataset is valid. Only the year of birth is
    kept; the full date tells apart two homonyms born the same year."""
    import datetime as dt

    from impact.pseudonymisation import pseudonymise

    key = "une clé de test assez longue"
    monkeypatch.setenv("IMPACT_CLE", key)
    people = [("Mme", "DURAND", "Alice", dt.date(1990, 3, 12), "CAP", "Non", "Oui", "Non", "Oui"),
              ("M.", "Martin", "Bruno", dt.date(1975, 7, 1), "Bac", "Oui", "Non", "Oui", "Non"),
              ("Madame", "Petit", "Chloé", dt.date(2001, 1, 20), "Sans diplôme", "Non", "Non", "Oui", "Non"),
              ("Monsieur", "Martin", "Bruno", dt.date(1975, 11, 30), "BTS", "Non", "Non", "Non", "Non")]
    frame = pd.DataFrame(people, columns=["Civilité", "Nom", "Prénom", "Date de naissance", "Niveau de formation", "RQTH", "BRSA", "QPV",
                                          "DELD"])
    frame = frame.assign(**{"Entreprise": "BTP Nord", "Type de structure": "entreprise", "Marché": "Réhabilitation école",
                            "Donneur d'ordre": "Ville de Lille", "Type d'acheteur": "collectivite", "Type de marché": "Travaux",
                            "Dispositif": "clause_execution", "Date de notification": dt.date(2023, 11, 2), "Territoire": "Lille",
                            "Type de contrat": "CDD", "Modalité": "Embauche directe", "Date de début": [dt.date(2024, m, 1) for m in (1, 2, 3, 4)],
                            "Date de fin": dt.date(2024, 6, 30), "Heures réalisées": 120})
    with pd.ExcelWriter(tmp_path / "export.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Export 2024", frame, banners=["Export du logiciel de suivi"])
    status, printed, _ = run_cli("importer", tmp_path / "export.xlsx", "--out", tmp_path / "d")
    assert status == 2 and "valeur non reconnue" not in printed
    absent = ["entreprises.taille", "participants.jeune_peu_qualifie", "participants.senior_50", "participants.parcours_iae",
              "participants.autre_public"]
    assert f"absentes de la source, sans valeur décidée : {', '.join(absent)}" in printed and "[defauts]" in printed
    decisions = (tmp_path / "d" / "correspondance.toml").read_text(encoding="utf-8")
    for column in absent:
        assert f'"{column}" = ""' in decisions
    decisions = decisions.replace('"entreprises.taille" = ""', '"entreprises.taille" = "pme"')
    for column in absent[1:]:
        decisions = decisions.replace(f'"{column}" = ""', f'"{column}" = "non"')
    (tmp_path / "decisions.toml").write_text(decisions, encoding="utf-8")
    status, printed, _ = run_cli("importer", tmp_path / "export.xlsx", "--out", tmp_path / "d2", "--correspondance", tmp_path / "decisions.toml")
    assert status == 0, printed
    persons = pd.read_csv(tmp_path / "d2" / "participants.csv", sep=";", dtype=str)
    assert sorted(persons["annee_naissance"]) == ["1975", "1975", "1990", "2001"]
    # The year tells persons apart; the whole date only two homonyms born the same year (R3I-3: a year in one
    # file and the date in the next gave two persons).
    told = ["durand_alice|1990", "martin_bruno|1975-07-01", "petit_chloe|2001", "martin_bruno|1975-11-30"]
    assert sorted(persons["id_participant"]) == sorted("P-" + pseudonymise(pd.Series(told), key.encode()))
    dataset = validate(tmp_path / "d2")
    typed = dataset.participants.set_index("annee_naissance").sort_index(kind="stable")
    assert typed["sexe"].tolist() == ["M", "M", "F", "F"] and typed["niveau_formation"].tolist() == ["niveau_4", "niveau_5_plus", "niveau_3", "infra_3"]
    assert typed["travailleur_handicape"].tolist() == [True, False, False, False] and typed["senior_50"].eq(False).all()


def test_a_field_dashboard_gets_in_without_an_internal_error(tmp_path, run_cli):
    """A second import review's dashboard (I2-1, I2-5, I2-11): group-title rows between the rows
    (one filled cell) and sub-totals are skipped; a contract without a start date is named by
    validation (it was an internal error, TypeError, before any correspondance.toml was written);
    a market given by its number with a territory per contract stays one market, the first row
    kept and the difference told; a buyer of one name with two spellings of its type stays one."""
    header = ["N° opération", "Donneur d'ordre", "Type d'acheteur", "Type de marché", "Dispositif", "Date de notification", "Territoire",
              "Raison sociale", "SIRET", "Taille", "Type de structure", "Nom", "Prénom", "Civilité", "Niveau de qualification",
              "Type de contrat", "Modalité", "Date d'entrée", "Nb heures réalisées"]
    rows = [["Opération Réhabilitation école Jules Ferry"] + [""] * (len(header) - 1)]
    for number, (place, kind, first, start) in enumerate((("Nord", "collectivite", "Léa", "2024-02-01"), ("Sud", "Collectivité", "Inès", "2024-03-01"),
                                                          ("Nord", "collectivite", "Zoé", ""))):
        rows.append(["OP-1", "Ville de Lens", kind, "travaux", "clause_execution", "2024-01-10", place, "BTP Nord", "32165498700017", "pme",
                     "entreprise", "Durand", first, "Mme", "CAP", "cdd", "embauche_directe", start, str(100 + number)])
    rows.append(["Sous-total opération 1"] + [""] * (len(header) - 2) + ["303"])
    lines = [";".join(header), *(";".join(r) for r in rows)]
    (tmp_path / "tableau.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, printed, err = run_cli("importer", tmp_path / "tableau.csv", "--out", tmp_path / "d")
    assert "erreur interne" not in err + printed and "Traceback" not in err
    assert status == 2 and "contrats:4:date_debut: erreur : valeur obligatoire manquante" in printed
    assert ("operations : 1 entité aux valeurs différentes d'une ligne à l'autre, la première ligne gardée : « OP-1 » (territoire ; "
            "tableau.csv lignes 3, 4)") in printed  # lines of the source: a person is found by them, not by a pseudonym
    assert "acheteurs :" not in printed  # « collectivite » and « Collectivité » are one value
    markets = pd.read_csv(tmp_path / "d" / "operations.csv", sep=";", dtype=str)
    buyers = pd.read_csv(tmp_path / "d" / "acheteurs.csv", sep=";", dtype=str)
    contracts = pd.read_csv(tmp_path / "d" / "contrats.csv", sep=";", dtype=str)
    assert markets[["id_operation", "intitule", "territoire"]].values.tolist() == [["OP-1", "OP-1", "Nord"]]
    assert len(buyers) == 1 and len(contracts) == 3  # no title, no sub-total row


def test_headers_of_a_field_dashboard_are_guessed():
    """The headers a second import review found unread or misread (I2-6, I2-7, I2-8, I2-15): « N° … » and
    « Réf. … » are identifiers, « SIRET » belongs to the entity on its left, entry and exit dates,
    « Nb heures réalisées », « Niveau de qualification »; « Jeune -26 ans » is an age, not the public
    « jeune peu qualifié » (left to the user)."""
    from impact.importing import _guess_columns

    table, columns = _guess_columns(["N° opération", "Donneur d'ordre", "SIRET acheteur", "Raison sociale", "SIRET", "Civilité", "Nom",
                                     "Jeune -26 ans", "Niveau de qualification", "Type de contrat", "Date d'entrée", "Date de sortie",
                                     "Nb heures réalisées", "Réf. contrat"], None)
    assert table == "plat"
    assert columns == {"N° opération": "operations.id_operation", "Donneur d'ordre": "acheteurs.nom", "SIRET acheteur": "ignorer",
                       "Raison sociale": "entreprises.raison_sociale", "SIRET": "entreprises.siret", "Civilité": "participants.sexe",
                       "Nom": "participants.personne", "Jeune -26 ans": "ignorer", "Niveau de qualification": "participants.niveau_formation",
                       "Type de contrat": "contrats.type_contrat", "Date d'entrée": "contrats.date_debut", "Date de sortie": "contrats.date_fin",
                       "Nb heures réalisées": "contrats.heures_realisees", "Réf. contrat": "contrats.id_contrat"}
    # A yearly bilan whose entities are named only (I2-6): one row per contract, « SIRET » beside the buyer is its.
    table, columns = _guess_columns(["Donneur d'ordre", "SIRET", "Lot", "Attributaire", "Salarié", "Type contrat", "Entrée", "Sortie",
                                     "Heures cumulées"], None)
    assert table == "plat" and columns["SIRET"] == "acheteurs.siret" and columns["Salarié"] == "participants.personne"
    assert columns["Entrée"] == "contrats.date_debut" and columns["Heures cumulées"] == "contrats.heures_realisees"


def test_a_date_cell_in_one_year_and_text_in_the_next_is_one_value():
    """I2-17: the contracts repeated from one yearly workbook to the next were told as differing in
    date_debut when one file had a date cell (« 2024-01-08 ») and the other text (« 08/01/2024 »)."""
    from impact.importing import _same_values

    first, second = pd.Series(["2024-01-08", "Ville", "3", ""]), pd.Series(["08/01/2024", "Ville", "4", ""])
    assert _same_values(first, second).tolist() == [True, True, False, True]


def test_a_flat_sheet_with_the_persons_number_gives_it_to_the_person(tmp_path, run_cli):
    """A PLIE export (I2-8): « Id participant » on each contract is the person's identifier too (the
    participants table had none: every contract's person was « absent de la table participants »)."""
    header = ("Id participant;Genre;Niveau de formation;Marché;Acheteur;Type d'acheteur;Employeur;Type de contrat;"
              "Date de début;Nombre d'heures")
    rows = ["PLIE-1;Homme;Niveau 4 (Bac);Voirie;Ville de Lens;Commune;BTP Nord;CDD;04/08/24;199,5 h",
            "PLIE-2;Femme;VI;Voirie;Ville de Lens;Commune;BTP Nord;Intérim;05/08/24;12 h",
            "PLIE-1;Homme;Niveau 4 (Bac);Voirie;Ville de Lens;Commune;BTP Nord;CDI;01/10/24;40 h"]
    (tmp_path / "plie.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    run_cli("importer", tmp_path / "plie.csv", "--out", tmp_path / "d")
    persons = pd.read_csv(tmp_path / "d" / "participants.csv", sep=";", dtype=str)
    contracts = pd.read_csv(tmp_path / "d" / "contrats.csv", sep=";", dtype=str)
    assert persons["id_participant"].tolist() == ["PLIE-1", "PLIE-2"] and contracts["id_participant"].tolist() == ["PLIE-1", "PLIE-2", "PLIE-1"]
    decisions = (tmp_path / "d" / "correspondance.toml").read_text(encoding="utf-8")
    assert "Niveau 4 (Bac)" not in decisions and '"VI"' not in decisions  # read as niveau_4 and infra_3


def test_a_flat_sheet_of_one_row_per_contract_and_month(source, tmp_path, run_cli):
    """A timesheet export (I2-2): each contract on as many rows as it has months, with the month and
    its hours; the contract's other columns repeated. One contract each, its months in ``heures``
    with its identifier; the figures are the dataset's."""
    tables, expected = source
    contrats = tables["contrats"].merge(tables["participants"], on="id_participant").merge(tables["entreprises"], on="id_entreprise")
    contrats = contrats.merge(tables["operations"], on="id_operation").merge(tables["acheteurs"].rename(columns={"nom": "acheteur"}), on="id_acheteur", suffixes=("", "_acheteur"))
    rows = contrats.merge(tables["heures"].astype({"heures": object}), on="id_contrat", how="left").fillna({"mois": "", "heures": ""})
    assert rows["id_contrat"].duplicated().any() and (rows["mois"] == "").any()  # months repeated, and contracts without
    flat = pd.DataFrame({"Référence contrat": rows["id_contrat"], **_whole_contracts(rows),
                         "Heures réalisées": rows["heures_realisees"].map(lambda h: "" if pd.isna(h) or h == "" else f"{h:g}"),
                         "Mois": rows["mois"], "Heures du mois": rows["heures"]})
    with pd.ExcelWriter(tmp_path / "heures par mois.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Export", flat)
    _check(tmp_path / "heures par mois.xlsx", tmp_path / "importe", run_cli, expected)
    contracts = pd.read_csv(tmp_path / "importe" / "contrats.csv", sep=";", dtype=str)
    hours = pd.read_csv(tmp_path / "importe" / "heures.csv", sep=";", dtype=str)
    assert len(contracts) == len(tables["contrats"]) and not contracts["id_contrat"].duplicated().any()
    assert len(hours) == len(tables["heures"]) and set(hours["id_contrat"]) <= set(contracts["id_contrat"])


def test_a_column_listing_publics_and_the_market_with_its_lot(tmp_path, run_cli, monkeypatch):
    """A single « Public » column listing several publics (I2-10) is read into the publics'
    yes-or-no columns; an item the kit does not read (« Hors QPV », « Jeune -26 ans ») is listed
    once to decide, the import is not finished (exit 2), and the decision, given back, is applied.
    A decision on a yes-or-no column is applied too. « Marché » and « Lot » both name the market:
    put together (I2-9)."""
    monkeypatch.setenv("IMPACT_CLE", "une clé de test assez longue")
    rows = _flat_rows([("A", "Un", 1980), ("B", "Deux", 1981), ("C", "Trois", 1982), ("D", "Quatre", 1983), ("E", "Cinq", 1984)])
    rows = rows.drop(columns=[c for c in rows.columns if c in PUBLICS and c != "travailleur_handicape"])
    rows["Public"] = ["DELD + BRSA", "Senior DELD", "AAH, Salarié IAE", "Hors QPV", "Jeune -26 ans"]
    rows["travailleur_handicape"] = ["non", "non", "non", "non", "en cours"]
    rows["Lot"] = ["Lot 2 - Gros œuvre"] * 4 + [""]
    with pd.ExcelWriter(tmp_path / "suivi.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Suivi", rows)
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d")
    assert status == 2, printed
    assert "valeur non reconnue dans participants.publics : « Hors QPV » (1 ligne)" in printed
    assert "« Jeune -26 ans » (1 ligne)" in printed and "valeur non reconnue dans participants.travailleur_handicape : « en cours »" in printed
    assert "Import à terminer" not in printed  # « en cours » leaves the rows invalid: validation says so
    toml = (tmp_path / "d" / "correspondance.toml").read_text(encoding="utf-8")
    assert '[valeurs."participants.publics"]\n"Hors QPV" = ""  # 1 ligne(s)\n"Jeune -26 ans" = ""' in toml
    toml = toml.replace('"Hors QPV" = ""', '"Hors QPV" = "aucun"').replace('"Jeune -26 ans" = ""', '"Jeune -26 ans" = "autre_public"')
    toml = toml.replace('"en cours" = ""', '"en cours" = "non"')
    (tmp_path / "c.toml").write_text(toml, encoding="utf-8")
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d2", "--correspondance", tmp_path / "c.toml")
    assert status == 0, printed
    persons = pd.read_csv(tmp_path / "d2" / "participants.csv", sep=";", dtype=str).set_index("annee_naissance")
    said = {year: sorted(c for c in PUBLICS if persons.loc[year, c] == "oui") for year in persons.index}
    assert said == {"1980": ["deld", "minima_sociaux"], "1981": ["deld", "senior_50"], "1982": ["minima_sociaux", "parcours_iae"],
                    "1983": [], "1984": ["autre_public"]}
    markets = pd.read_csv(tmp_path / "d2" / "operations.csv", sep=";", dtype=str)
    assert sorted(markets["intitule"]) == ["Voirie lot 2", "Voirie lot 2 – Lot 2 - Gros œuvre"]


def test_situations_after_the_clause_in_a_column_per_horizon_on_a_flat_sheet(tmp_path, run_cli, monkeypatch):
    """« Situation à 6 mois » and « Situation à 12 mois » on a flat sheet (I2-12): a follow-up of
    the row's person per filled column, its horizon read from the header; « En cours » decided
    « ignorer » (nothing observed yet) is left out; a person on two contracts is followed once."""
    monkeypatch.setenv("IMPACT_CLE", "une clé de test assez longue")
    rows = _flat_rows([("A", "Un", 1980), ("B", "Deux", 1981), ("C", "Trois", 1982), ("A", "Un", 1980)])
    rows["Situation à 6 mois"] = ["CDI", "En cours", "", "CDI"]
    rows["Situation à 12 mois"] = ["CDI", "", "Demandeur d'emploi", "CDI"]
    with pd.ExcelWriter(tmp_path / "suivi.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Suivi", rows)
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d")
    assert status == 2 and "valeur non reconnue dans suivis.situation : « En cours » (1 ligne)" in printed, printed
    toml = (tmp_path / "d" / "correspondance.toml").read_text(encoding="utf-8").replace('"En cours" = ""', '"En cours" = "ignorer"')
    (tmp_path / "c.toml").write_text(toml, encoding="utf-8")
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d2", "--correspondance", tmp_path / "c.toml")
    assert status == 0, printed
    persons = pd.read_csv(tmp_path / "d2" / "participants.csv", sep=";", dtype=str).set_index("id_participant")["annee_naissance"]
    follow = pd.read_csv(tmp_path / "d2" / "suivis.csv", sep=";", dtype=str)
    got = sorted(zip(follow["id_participant"].map(persons), follow["horizon_mois"], follow["situation"]))
    assert got == [("1980", "12", "CDI"), ("1980", "6", "CDI"), ("1982", "12", "Demandeur d'emploi")]  # read by validation


def _timesheet(months: dict[str, list[tuple]]) -> pd.DataFrame:
    """A timesheet export: per contract reference, its rows (person, birth date, end date, month, hours)."""
    rows = [(ref, person, birth, "Bâtisseurs du Nord", "Voirie", "Lot 2", "Ville de Lens", "T1", "01/01/2024", end, month, hours)
            for ref, lines in months.items() for person, birth, end, month, hours in lines]
    return pd.DataFrame(rows, columns=["Réf. contrat", "Salarié", "Date de naissance", "Employeur", "Marché", "Lot", "Acheteur", "Territoire",
                                       "Date début", "Date fin", "Mois", "Heures du mois"])


def test_a_timesheet_next_year_under_another_name(tmp_path, run_cli, monkeypatch):
    """Round 3 of the import review: a sheet with a header and no row is read as empty (was an
    internal error, R3I-1); a contract listed without a month has no hours yet (R3I-6); the last
    row of a contract is its latest state (an end date pushed back, R3I-5); a name written two
    ways on one contract is told, in the terminal only (R3I-3); next year's file, named otherwise,
    takes last year's decisions for its sheet of the same name (R3I-4); the same month written
    two ways in two yearly files is one month (R3I-13); a person born in 1992 in one file and on
    12/05/1992 in the other is one person (R3I-3)."""
    monkeypatch.setenv("IMPACT_CLE", "une clé de test assez longue")
    first = _timesheet({"C1": [("N'DIAYE Aminata", "12/03/1990", "31/03/2024", "janv.-24", "35"),
                               ("NDIAYE Aminata", "12/03/1990", "30/06/2024", "02/2024", "40")],
                        "C2": [("MARTIN Paul", "01/02/1985", "", "", "")]})
    folder = tmp_path / "annees"
    folder.mkdir()
    with pd.ExcelWriter(folder / "pointage_2024.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Pointage", first)
        _sheet(writer, "2025 (à saisir)", first.iloc[:0])
    status, printed, _ = run_cli("importer", folder / "pointage_2024.xlsx", "--out", tmp_path / "d")
    assert "pointage_2024.xlsx[2025 (à saisir)] : une ligne par contrat ; aucune ligne de données" in printed, printed
    assert "participants : « N'DIAYE Aminata » (né·e en 1990) et « NDIAYE Aminata » (né·e en 1990) sont presque identiques" in printed
    assert "contrats : 1 entité aux valeurs différentes d'une ligne à l'autre, la dernière ligne gardée (le dernier mois) : « C1 »" in printed
    written = "".join(p.read_text(encoding="utf-8-sig") for p in (tmp_path / "d").iterdir() if p.is_file()).lower()
    assert "diaye" not in written
    contracts = pd.read_csv(tmp_path / "d" / "contrats.csv", sep=";", dtype=str, keep_default_na=False).set_index("id_contrat")
    assert contracts.loc["C1", "date_fin"] == "30/06/2024" and contracts.loc["C2", "heures_realisees"] == "0"
    # One value of hours for every row is refused, with why (it was dropped from the file without a word, R3I-6).
    (tmp_path / "defaut.toml").write_text('[defauts]\n"contrats.heures_realisees" = "0"\n', encoding="utf-8")
    status, printed, err = run_cli("importer", folder / "pointage_2024.xlsx", "--out", tmp_path / "d0", "--correspondance", tmp_path / "defaut.toml")
    assert status == 2 and "[defauts] « contrats.heures_realisees » (ni oui/non ni une catégorie" in printed + err
    # Next year: the decisions given back, the file named otherwise, December 2024 declared again as « déc.-24 ».
    toml = (tmp_path / "d" / "correspondance.toml").read_text(encoding="utf-8").replace('"Lot" = "operations.intitule"', '"Lot" = "ignorer"')
    (tmp_path / "c.toml").write_text(toml, encoding="utf-8")
    (folder / "pointage_2024.xlsx").unlink()
    with pd.ExcelWriter(folder / "pointage_2024.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Pointage", _timesheet({"C3": [("DURAND Léa", "1992", "", "12/2024", "70")]}))
    with pd.ExcelWriter(folder / "export 2025.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Pointage", _timesheet({"C3": [("DURAND Léa", "12/05/1992", "", "déc.-24", "72"), ("DURAND Léa", "12/05/1992", "", "janv.-25", "35")]}))
    _, printed, _ = run_cli("importer", folder, "--out", tmp_path / "d2", "--correspondance", tmp_path / "c.toml")  # columns to decide still
    assert "export 2025.xlsx[Pointage] : une ligne par contrat (décisions reprises de pointage_2024.xlsx[Pointage])" in printed
    assert "décisions de correspondance sans feuille dans la source, laissées de côté : pointage_2024.xlsx[2025 (à saisir)]" in printed
    assert set(pd.read_csv(tmp_path / "d2" / "operations.csv", sep=";", dtype=str)["intitule"]) == {"Voirie"}  # « Lot » left out in both
    hours = pd.read_csv(tmp_path / "d2" / "heures.csv", sep=";", dtype=str)
    assert sorted(zip(hours["mois"], hours["heures"])) == [("2024-12", "70"), ("2025-01", "35")]  # one December: the last file by name
    assert len(pd.read_csv(tmp_path / "d2" / "participants.csv", sep=";", dtype=str)) == 1  # born in 1992 in one file, on 12/05/1992 in the other


def test_follow_up_headers_of_the_field_and_decisions_the_kit_cannot_apply(tmp_path, run_cli, monkeypatch):
    """« Sortie à 6 mois » is a follow-up, not the contract's end (it was read as « Date de fin »),
    « Situation M+12 » too, with its horizon (R3I-2); a list item with a word the kit does not
    know (« Ex-DELD ») is left to decide, not read as DELD (R3I-8); a decision may name a public
    by its spelling (« Senior »); a decision that is no code of its column (« interim ») is told
    with the codes, not applied (R3I-12)."""
    monkeypatch.setenv("IMPACT_CLE", "une clé de test assez longue")
    rows = _flat_rows([("A", "Un", 1980), ("B", "Deux", 1981)])
    rows = rows.drop(columns=[c for c in rows.columns if c in PUBLICS] + ["Date de fin"])
    rows["Public"] = ["Ex-DELD", "Senior DELD"]
    rows["Date de sortie"] = ["30/06/2024", ""]
    rows["Sortie à 6 mois"] = ["CDD + 6 mois", "Intérim"]
    rows["Situation M+12"] = ["CDI", ""]
    with pd.ExcelWriter(tmp_path / "suivi.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Suivi", rows)
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d")
    assert status == 2 and "« Ex-DELD » (1 ligne)" in printed and "valeur non reconnue dans suivis.situation : « Intérim »" in printed, printed
    toml = (tmp_path / "d" / "correspondance.toml").read_text(encoding="utf-8")
    assert '"Date de sortie" = "contrats.date_fin"' in toml and '"Sortie à 6 mois" = "suivis.situation"' in toml
    toml = toml.replace('"Ex-DELD" = ""', '"Ex-DELD" = "Senior"').replace('"Intérim" = ""', '"Intérim" = "interim"')
    (tmp_path / "c.toml").write_text(toml, encoding="utf-8")
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d2", "--correspondance", tmp_path / "c.toml")
    assert status == 2
    assert ('décision non appliquée dans [valeurs."suivis.situation"] : « Intérim » = « interim » n\'est pas un code de la colonne ; '
            "codes possibles : cdi, cdd_6_mois_plus, interim_6_mois_plus") in printed
    persons = pd.read_csv(tmp_path / "d2" / "participants.csv", sep=";", dtype=str).set_index("annee_naissance")
    assert persons.loc["1980", ["deld", "senior_50"]].tolist() == ["non", "oui"] and persons.loc["1981", ["deld", "senior_50"]].tolist() == ["oui", "oui"]
    contracts = pd.read_csv(tmp_path / "d2" / "contrats.csv", sep=";", dtype=str, keep_default_na=False)
    assert sorted(contracts["date_fin"]) == ["", "30/06/2024"]
    follow = pd.read_csv(tmp_path / "d2" / "suivis.csv", sep=";", dtype=str)
    assert sorted(zip(follow["horizon_mois"], follow["situation"])) == [("12", "CDI"), ("6", "CDD + 6 mois"), ("6", "Intérim")]


def test_two_headers_of_one_column_and_hours_without_a_month(tmp_path, run_cli, monkeypatch):
    """« Date de début » and « Date d'embauche » both filled and different on a row: the first kept
    and the difference told (R3I-7); « Heures » on a sheet of one row per contract is the
    contract's total, not a month's (the month was then asked for, R3I-14)."""
    monkeypatch.setenv("IMPACT_CLE", "une clé de test assez longue")
    rows = _flat_rows([("A", "Un", 1980), ("B", "Deux", 1981)]).rename(columns={"Heures réalisées": "Heures"})
    rows["Date d'embauche"] = ["2024-01-01", "2024-03-15"]  # the first as « Date de début », the second not
    with pd.ExcelWriter(tmp_path / "suivi.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Suivi", rows)
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d")
    assert status == 0, printed
    assert ("suivi.xlsx[Suivi] : « Date de début » et « Date d'embauche » donnent tous deux contrats.date_debut et diffèrent sur "
            "1 ligne : « Date de début » gardé") in printed
    contracts = pd.read_csv(tmp_path / "d" / "contrats.csv", sep=";", dtype=str)
    assert contracts["heures_realisees"].tolist() == ["100", "100"] and not (tmp_path / "d" / "heures.csv").exists()


def test_a_market_number_shared_by_its_lots_gives_a_market_per_lot(tmp_path, run_cli, monkeypatch):
    """« N° marché » given alike to every lot, « N° lot » beside it (R3I-11): the lots were merged
    into one market, and « N° lot » alone taken as the identifier; a lot each now, its number in
    its identifier and title. A territory written two ways is told, and given one spelling in
    correspondance.toml (R3I-17)."""
    monkeypatch.setenv("IMPACT_CLE", "une clé de test assez longue")
    rows = _flat_rows([("A", "Un", 1980), ("B", "Deux", 1981), ("C", "Trois", 1982)])
    rows.insert(0, "N° marché", "2023-045")
    rows.insert(rows.columns.get_loc("Marché") + 1, "N° lot", ["1", "2", "2"])
    rows["Territoire"] = ["Métropole Rouen-Normandie", "Métropole Rouen Normandie", "Métropole Rouen-Normandie"]
    with pd.ExcelWriter(tmp_path / "suivi.xlsx", engine="openpyxl") as writer:
        _sheet(writer, "Suivi", rows)
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d")
    # A territory written two ways is told, with the decision that gives it one spelling (R3I-17).
    assert ("territoires : « Métropole Rouen Normandie » et « Métropole Rouen-Normandie » sont presque identiques ; ils sont "
            "importés comme deux territoires") in printed and '[valeurs.\"operations.territoire\"]' in printed
    toml = (tmp_path / "d" / "correspondance.toml").read_text(encoding="utf-8")
    toml += '\n[valeurs."operations.territoire"]\n"Métropole Rouen Normandie" = "Métropole Rouen-Normandie"\n'
    (tmp_path / "c.toml").write_text(toml, encoding="utf-8")
    status, printed, _ = run_cli("importer", tmp_path / "suivi.xlsx", "--out", tmp_path / "d", "--correspondance", tmp_path / "c.toml")
    assert status == 0, printed
    markets = pd.read_csv(tmp_path / "d" / "operations.csv", sep=";", dtype=str).sort_values("id_operation")
    assert set(markets["territoire"]) == {"Métropole Rouen-Normandie"}
    assert markets["id_operation"].tolist() == ["2023-045-lot_1", "2023-045-lot_2"]
    assert markets["intitule"].tolist() == ["Voirie lot 2 – Lot 1", "Voirie lot 2 – Lot 2"]
