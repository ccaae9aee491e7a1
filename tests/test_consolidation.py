"""Consolidation of facilitators' returns: hand-computed sums, ratios, rates and changes; the
demo's territories consolidated; bad returns refused with the file and line named."""

from __future__ import annotations

import html
import json
import io
import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from impact.formatting import french_number
from impact.indicators import COLUMNS
from tests.builders import value
from tests.conftest import IMPACT

HEADER = ",".join(COLUMNS)


def _return(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


RETURN_A = _return([
    "2023,T1,heures,ensemble,ensemble,100,,,,,,",
    "2024,T1,heures,ensemble,ensemble,150,,,,,100,0.5",
    "2024,T1,personnes,ensemble,ensemble,10,,,,,,",
    "2024,T1,personnes,sexe,F,4,0.4,,,,,",
    "2024,T1,personnes,sexe,M,6,0.6,,,,,",
    "2024,T1,contrats,ensemble,ensemble,12,,,,,,",
    "2024,T1,heures_par_personne,ensemble,ensemble,15,,,,,,",
    "2024,T1,taux_emploi_durable,ensemble,ensemble,0.5,,2,0.094531,0.905469,,",
])
RETURN_B = _return([
    "2023,T2,heures,ensemble,ensemble,50,,,,,,",
    "2024,T2,heures,ensemble,ensemble,250,,,,,50,4",
    "2024,T2,personnes,ensemble,ensemble,20,,,,,,",
    "2024,T2,personnes,sexe,F,5,0.25,,,,,",
    "2024,T2,personnes,sexe,M,15,0.75,,,,,",
    "2024,T2,contrats,ensemble,ensemble,18,,,,,,",
    "2024,T2,heures_par_personne,ensemble,ensemble,12.5,,,,,,",
    "2024,T2,taux_emploi_durable,ensemble,ensemble,0.3,,10,0.107789,0.603222,,",
])


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run in the test's folder, so that returns are named by their relative paths in messages."""
    monkeypatch.chdir(tmp_path)


def _consolidated(tmp_path, run_cli, *texts: str, name: str = "sortie") -> tuple[int, str, str]:
    files = []
    for i, text in enumerate(texts):
        (tmp_path / f"retour_{i + 1}.csv").write_text(text, encoding="utf-8")
        files.append(f"retour_{i + 1}.csv")
    return run_cli("consolider", *files, "--out", tmp_path / name)


def _internal(tmp_path, name="sortie") -> pd.DataFrame:
    return pd.read_csv(tmp_path / name / "indicateurs_interne_NON_DIFFUSABLE.csv", comment="#")


def test_sums_ratios_rates_and_changes_by_hand(tmp_path, run_cli):
    status, out, err = _consolidated(tmp_path, run_cli, RETURN_A, RETURN_B)
    assert (status, err) == (0, ""), out
    table = _internal(tmp_path)
    assert value(table, 2024, "ensemble", "heures") == 400
    assert value(table, 2024, "ensemble", "heures", column="valeur_precedente") == 150  # consolidated 2023
    assert value(table, 2024, "ensemble", "heures", column="evolution") == pytest.approx(250 / 150)
    assert value(table, 2024, "ensemble", "personnes") == 30  # summed over returns: not de-duplicated
    assert value(table, 2024, "ensemble", "personnes", "sexe", "F") == 9
    assert value(table, 2024, "ensemble", "personnes", "sexe", "F", column="part") == pytest.approx(0.3)
    assert value(table, 2024, "ensemble", "heures_par_personne") == pytest.approx(400 / 30, abs=0.005)  # 2 decimals
    # The rate comes from summed counts, 1 of 2 and 3 of 10: 4 / 12, not the mean of 0.5 and 0.3.
    assert value(table, 2024, "ensemble", "taux_emploi_durable") == pytest.approx(4 / 12)
    assert value(table, 2024, "ensemble", "taux_emploi_durable", column="effectif") == 12
    low, high = proportion_confint(4, 12, alpha=0.05, method="wilson")
    assert value(table, 2024, "ensemble", "taux_emploi_durable", column="ic_bas") == pytest.approx(low, abs=1e-6)
    assert value(table, 2024, "ensemble", "taux_emploi_durable", column="ic_haut") == pytest.approx(high, abs=1e-6)
    assert value(table, 2024, "T1", "heures") == 150 and value(table, 2024, "T2", "personnes") == 20  # territories as returned
    assert list(dict.fromkeys(table["territoire"])) == ["ensemble", "T1", "T2"]
    published = pd.read_csv(tmp_path / "sortie" / "indicateurs.csv", dtype=str, keep_default_na=False)
    assert value(published, "2024", "T1", "personnes", "sexe", "F") == "s"  # 4 persons: masked when published


def test_a_masked_contribution_leaves_the_sum_unknown(tmp_path, run_cli):
    masked = RETURN_B.replace("2024,T2,personnes,sexe,F,5,0.25", "2024,T2,personnes,sexe,F,s,s")
    assert _consolidated(tmp_path, run_cli, RETURN_A, masked)[0] == 0
    table = _internal(tmp_path)
    assert np.isnan(value(table, 2024, "ensemble", "personnes", "sexe", "F"))
    assert value(table, 2024, "ensemble", "personnes", "sexe", "M") == 21


def test_consolidating_the_demo_territories(tmp_path, run_cli):
    import subprocess

    subprocess.run([IMPACT, "demo", tmp_path / "d", "--territoires", "4", "--annees", "2022-2024"], check=True, capture_output=True)
    subprocess.run([IMPACT, "indicateurs", tmp_path / "d", "--out", tmp_path / "i"], check=True, capture_output=True)
    table = pd.read_csv(tmp_path / "i" / "indicateurs_interne_NON_DIFFUSABLE.csv", comment="#", dtype=str, keep_default_na=False)
    files = []
    for territory, rows in table.loc[table["territoire"] != "ensemble"].groupby("territoire"):
        files.append(tmp_path / f"{territory}.csv")
        rows.to_csv(files[-1], index=False)
    # The side table: the demo's territories with their region, and a type of facilitator.
    side = pd.read_csv(tmp_path / "d" / "territoires.csv", sep=";", encoding="utf-8-sig")
    side["type_facilitateur"] = ["Maison de l'emploi", "PLIE", "Maison de l'emploi", "Collectivité"]
    side.to_csv(tmp_path / "territoires.csv", index=False)
    status, out, _ = run_cli("consolider", *files, "--out", tmp_path / "c", "--regions", tmp_path / "territoires.csv")
    assert status == 0, out
    result = _internal(tmp_path, "c")
    # The published report: the warning on persons, the national hours as the sum, the regions.
    report = tmp_path / "c" / "2024" / "rapport"
    assert sorted(p.name for p in report.iterdir()) == ["consolidation.docx", "consolidation.html", "consolidation.ipynb",
                                                        "consolidation.pdf", "indicateurs.csv", "metadonnees.json"]
    page = html.unescape(re.sub(r"<[^>]+>", " ", (report / "consolidation.html").read_text(encoding="utf-8"))).replace("\u2019", "'")
    assert "ne peuvent pas être dédoublonnés" in page and "Consolidation par région" in page
    flat = re.sub(r"\s+", " ", page)
    # The national series over every returned year with the number of returns (4 each year), the
    # regions, the types of facilitator (2 territories of maison de l'emploi), the publics.
    returned = sorted(set(result["annee"].astype(int)))  # the demo's contracts start before 2022
    assert f"Série consolidée, {returned[0]}-2024" in flat and "Retours (heures)" in flat
    years = re.findall(r"<tr[^>]*>\s*<td[^>]*>(\d{4})</td>(.*?)</tr>", (report / "consolidation.html").read_text(encoding="utf-8"), re.S)
    assert [int(y) for y, _ in years] == returned and all(re.sub(r"<[^>]+>", " ", r).split()[-1] == "4" for _, r in years)
    assert "Consolidation par type de facilitateur" in flat and "Maison de l'emploi 2 " in flat
    assert "Personnes par public, 2024" in flat and "Heures par type de marché, 2024" in flat
    national_hours = float(table.loc[(table["territoire"] != "ensemble") & (table["annee"] == "2024") & (table["indicateur"] == "heures")
                                     & (table["dimension"] == "ensemble"), "valeur"].astype(float).sum())
    assert french_number(national_hours, 0, fixed=True) in page  # hours to the unit in reports
    assert "import " not in page and "# Parameters" not in page
    # The returns are named apart (all are indicateurs.csv files elsewhere) and no command-line option is printed.
    names = sorted(f"{path.stem}.csv" for path in files)
    assert "Retours consolidés : " + ", ".join(names) in flat and "--regions" not in page
    parts = pd.read_csv(io.StringIO(table.to_csv(index=False)))
    parts = parts.loc[parts["territoire"] != "ensemble"]
    whole = result.loc[result["territoire"] == "ensemble"].set_index(["annee", "indicateur", "dimension", "modalite"])
    for indicator in ("heures", "contrats", "personnes", "nouveaux_contrats", "entreprises", "sortants", "heures_prevues"):
        sums = parts.loc[parts["indicateur"] == indicator].groupby(["annee", "indicateur", "dimension", "modalite"])["valeur"].sum()
        np.testing.assert_allclose(whole.loc[sums.index, "valeur"].to_numpy(), sums.to_numpy(), rtol=1e-9)
    rates = parts.loc[parts["indicateur"].str.startswith("taux_")].assign(n=lambda d: (d["valeur"].fillna(0) * d["effectif"]).round())
    summed = rates.groupby(["annee", "indicateur", "dimension", "modalite"])[["n", "effectif"]].sum()
    expected = (summed["n"] / summed["effectif"]).where(summed["effectif"] > 0)
    np.testing.assert_allclose(whole.loc[expected.index, "valeur"].to_numpy(), expected.to_numpy(), atol=5e-7)  # 6 decimals


@pytest.mark.parametrize("case,texts,message", [
    ("colonnes", [RETURN_A.replace("ic_haut,", ""), RETURN_B], "retour_1.csv:1:-: erreur : colonnes d'un indicateurs.csv attendues (absentes : ic_haut)"),
    ("deux_fois", [RETURN_A, RETURN_A.replace(",T1,", ",T1,")], "retour_2.csv:2:territoire: erreur : territoire « T1 » et année 2023 déjà fournis par retour_1.csv"),
    ("indicateur", [RETURN_A.replace("2024,T1,contrats,", "2024,T1,contrats_signes,"), RETURN_B], "retour_1.csv:7:indicateur: erreur : indicateur inconnu « contrats_signes »"),
    ("ventilation", [RETURN_A.replace("2024,T1,personnes,sexe,M,6,", "2024,T1,personnes,sexe,M,9,"), RETURN_B],
     "retour_1.csv:4:valeur: erreur : la ventilation par sexe de personnes (T1, 2024) dépasse son total : 13 pour 10"),
    ("nombre", [RETURN_A.replace("2024,T1,heures,ensemble,ensemble,150,", "2024,T1,heures,ensemble,ensemble,cent cinquante,"), RETURN_B],
     "retour_1.csv:3:valeur: erreur : « cent cinquante » n'est pas un nombre"),
])
def test_bad_returns(tmp_path, run_cli, case, texts, message):
    status, out, _ = _consolidated(tmp_path, run_cli, *texts)
    assert status == 2
    assert message in out.splitlines()
    assert not (tmp_path / "sortie").exists()


def test_python_api(tmp_path):
    import impact
    from impact.consolidation import InvalidReturnsError

    (tmp_path / "a.csv").write_text(RETURN_A, encoding="utf-8")
    (tmp_path / "b.csv").write_text(RETURN_B, encoding="utf-8")
    table = impact.consolidate([tmp_path / "a.csv", tmp_path / "b.csv"], years=[2024])
    assert value(table, 2024, "ensemble", "contrats") == 30 and set(table["annee"]) == {2024}
    (tmp_path / "c.csv").write_text(RETURN_A, encoding="utf-8")
    with pytest.raises(InvalidReturnsError, match=r"c\.csv:2:territoire: erreur : territoire « T1 » et année 2023 déjà fournis par .*a\.csv"):
        impact.consolidate([tmp_path / "a.csv", tmp_path / "c.csv"])


# --- heterogeneous returns (SPEC section 5) ---------------------------------------------------

RETURN_TOTALS = _return([  # a facilitator who returns three totals only
    "2024,T3,heures,ensemble,ensemble,600,,,,,,",
    "2024,T3,operations,ensemble,ensemble,4,,,,,,",
    "2024,T3,personnes,ensemble,ensemble,30,,,,,,",
])
RETURN_2024 = _return([  # another year's layout: 2024 only, no previous value
    "2024,T2,heures,ensemble,ensemble,250,,,,,,",
    "2024,T2,contrats,ensemble,ensemble,18,,,,,,",
])


def _report_text(folder) -> str:
    page = (folder / "consolidation.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u2019", "'"))


def test_totals_only_return_is_consolidated_for_what_it_allows(tmp_path, run_cli):
    status, out, err = _consolidated(tmp_path, run_cli, RETURN_A, RETURN_TOTALS)
    assert status == 0, out + err
    table = _internal(tmp_path)
    # Hours are summed over both returns; hours per contract rest on T1 alone, the only territory
    # that returns its contracts: 150 / 12, not (150 + 600) / 12.
    assert value(table, 2024, "ensemble", "heures") == 750
    assert value(table, 2024, "ensemble", "heures_par_contrat") == pytest.approx(150 / 12, abs=0.005)
    assert value(table, 2024, "ensemble", "heures_par_personne") == pytest.approx(750 / 40, abs=0.005)
    # T3's own ratios are computed from its counts although its return did not carry them.
    assert value(table, 2024, "T3", "heures_par_personne") == 20
    assert value(table, 2024, "T3", "etp") == pytest.approx(600 / 1607, abs=0.005)
    # The national breakdown by sex covers T1's 10 persons of 40: 30 are not broken down.
    assert value(table, 2024, "ensemble", "personnes", "sexe", "non_ventile") == 30
    assert value(table, 2024, "ensemble", "personnes", "sexe", "F", column="part") == pytest.approx(4 / 40)
    cover = pd.read_csv(tmp_path / "sortie" / "couverture.csv").set_index(["annee", "indicateur"])
    assert cover.loc[(2024, "heures"), "retours"] == 2 and cover.loc[(2024, "contrats"), "retours"] == 1
    assert cover.loc[(2024, "contrats"), "part_heures"] == pytest.approx(150 / 750)
    text = _report_text(tmp_path / "sortie" / "2024" / "rapport")
    assert "Sur quoi reposent les totaux 2024" in text and "Contrats actifs 1 1 20 %" in text


def test_national_change_is_like_for_like_across_returns_of_different_years(tmp_path, run_cli):
    status, out, err = _consolidated(tmp_path, run_cli, RETURN_A, RETURN_2024)
    assert status == 0, out + err
    table = _internal(tmp_path)
    # T1 returns 2023 (100 h) and 2024 (150 h); T2 only 2024 (250 h). Nationally 100 then 400 h
    # (+300 %) but like for like, over T1 alone, +50 %.
    assert value(table, 2024, "ensemble", "heures") == 400
    assert value(table, 2024, "ensemble", "heures", column="valeur_precedente") == 100
    assert value(table, 2024, "ensemble", "heures", column="evolution") == pytest.approx(0.5)
    cover = pd.read_csv(tmp_path / "sortie" / "couverture.csv").set_index(["annee", "indicateur"])
    assert cover.loc[(2024, "heures"), "territoires_comparables"] == 1
    text = _report_text(tmp_path / "sortie" / "2024" / "rapport")
    assert "Heures d'insertion réalisées 400 100 +50,0 % 1" in text


def test_territory_change_computed_from_its_previous_year_row(tmp_path, run_cli):
    no_change = RETURN_A.replace("2024,T1,heures,ensemble,ensemble,150,,,,,100,0.5", "2024,T1,heures,ensemble,ensemble,150,,,,,,")
    assert _consolidated(tmp_path, run_cli, no_change, RETURN_2024)[0] == 0
    table = _internal(tmp_path)
    assert value(table, 2024, "T1", "heures", column="valeur_precedente") == 100
    assert value(table, 2024, "T1", "heures", column="evolution") == pytest.approx(0.5)
    assert np.isnan(value(table, 2024, "T2", "heures", column="evolution"))  # no 2023 row for T2


def test_masked_contributions_still_give_a_report(tmp_path, run_cli):
    masked = RETURN_B.replace("2024,T2,personnes,ensemble,ensemble,20", "2024,T2,personnes,ensemble,ensemble,s").replace(
        "2024,T2,heures_par_personne,ensemble,ensemble,12.5", "2024,T2,heures_par_personne,ensemble,ensemble,s")
    status, out, err = _consolidated(tmp_path, run_cli, RETURN_A, masked, RETURN_TOTALS)
    assert status == 0, out + err
    table = _internal(tmp_path)
    assert np.isnan(value(table, 2024, "ensemble", "personnes"))  # a masked contribution: the sum is unknown
    published = pd.read_csv(tmp_path / "sortie" / "indicateurs.csv", dtype=str, keep_default_na=False)
    assert value(published, "2024", "ensemble", "personnes") == "s"  # secret, not "not applicable"
    assert value(published, "2024", "T2", "personnes") == "s"
    # Hours per person nationally rest on the territories that give both terms: T1 and T3.
    assert value(table, 2024, "ensemble", "heures_par_personne") == pytest.approx((150 + 600) / (10 + 30), abs=0.005)
    assert (tmp_path / "sortie" / "2024" / "rapport" / "consolidation.pdf").exists()


def test_returns_all_named_indicateurs_csv_in_their_folders(tmp_path, run_cli):
    for folder, text in (("nord", RETURN_A), ("sud", RETURN_B), ("est", RETURN_TOTALS)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "indicateurs.csv").write_text(text, encoding="utf-8")
    files = ["nord/indicateurs.csv", "sud/indicateurs.csv", "est/indicateurs.csv"]
    status, out, err = run_cli("consolider", *files, "--out", tmp_path / "sortie", "--formats", "html")
    assert status == 0, out + err
    assert value(_internal(tmp_path), 2024, "ensemble", "heures") == 1000
    metadata = json.loads((tmp_path / "sortie" / "metadonnees.json").read_text(encoding="utf-8"))
    assert sorted(metadata["entrees"]["retours"]) == sorted(files)
    assert metadata["secret"] == {"seuil": 5, "examen": "toutes les relations de chaque année, entre territoires compris"}
    status, out, _ = run_cli("consolider", files[0], files[0], "--out", tmp_path / "autre")
    assert status == 2 and "nord/indicateurs.csv:-:-: erreur : retour fourni deux fois" in out


def test_a_quick_consolidation_says_so(tmp_path, run_cli, monkeypatch):
    """A national consolidation links hundreds of territories through the ``ensemble``: with
    ``--secret-rapide``, its masked cells are examined territory by territory only, and the command
    and ``metadonnees.json`` say so; without it, they are examined whole too (forced here: no group
    of more than one cell examined whole unless the examination is complete)."""
    from impact import publication

    monkeypatch.setattr(publication, "_PROGRAM_CELLS", 1)
    monkeypatch.setattr(publication, "_LARGE_GROUP_CELLS", 0)
    files = []
    for i, text in enumerate((RETURN_A, RETURN_B)):
        (tmp_path / f"retour_{i + 1}.csv").write_text(text, encoding="utf-8")
        files.append(f"retour_{i + 1}.csv")
    for name, options in (("rapide", ["--secret-rapide"]), ("complet", [])):
        status, out, err = run_cli("consolider", *files, "--out", tmp_path / name, "--formats", "html", *options)
        assert status == 0, out + err
        metadata = json.loads((tmp_path / name / "metadonnees.json").read_text(encoding="utf-8"))
        assert metadata["parametres"]["secret_complet"] == (not options)
        if options:
            assert metadata["secret"]["examen"].startswith("territoire par territoire pour 2024")
            assert "Attention, secret statistique : année" in err and "sans --secret-rapide" in err
        else:
            assert metadata["secret"]["examen"] == "toutes les relations de chaque année, entre territoires compris"
            assert "secret statistique" not in err


def test_returns_are_named_by_their_path_from_their_common_folder(tmp_path):
    from impact.consolidation_report import _told_apart

    paths = [str(tmp_path / "nord" / "2024" / "indicateurs.csv"), str(tmp_path / "sud" / "2024" / "indicateurs.csv")]
    assert _told_apart(paths) == ["nord/2024/indicateurs.csv", "sud/2024/indicateurs.csv"]
    assert _told_apart(paths[:1]) == ["indicateurs.csv"]
