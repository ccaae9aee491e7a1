"""Every value format of SPEC section 2 that real exports use: the base dataset rewritten in each
variant must load to exactly the same typed tables as the base itself."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import impact
from impact.schema import TABLES
from tests.conftest import BASE


def _rewrite(folder: Path, change) -> None:
    for csv in folder.glob("*.csv"):
        csv.write_text(change(csv.stem, csv.read_text(encoding="utf-8")), encoding="utf-8")


def windows_1252(folder: Path) -> None:
    for csv in folder.glob("*.csv"):
        csv.write_bytes(csv.read_text(encoding="utf-8").encode("cp1252"))


def bom_and_crlf(folder: Path) -> None:
    for csv in folder.glob("*.csv"):
        csv.write_bytes(b"\xef\xbb\xbf" + csv.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))


def comma_separator(folder: Path) -> None:
    _rewrite(folder, lambda _, text: text.replace(";", ","))


def french_numbers(folder: Path) -> None:
    def change(table: str, text: str) -> str:
        text = text.replace(";1000000;", ";1 000 000;").replace(";200000;", ";200\u00a0000,00;")
        text = text.replace(";150.5\n", ";150,5\n").replace(";110.5\n", ";110,5\n")
        return text.replace(";120000\n", ";120\u202f000\n")
    _rewrite(folder, change)


def french_dates(folder: Path) -> None:
    def change(table: str, text: str) -> str:
        text = re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", text)
        return re.sub(r";(\d{4})-(\d{2});", r";\2/\1;", text)
    _rewrite(folder, change)


def boolean_words(folder: Path) -> None:
    words = iter(["X", "Vrai", "1", "o", "TRUE", "oui "] * 10)
    falses = iter(["", "faux", "0", "N", "False", "NON"] * 10)

    def change(table: str, text: str) -> str:
        if table != "participants":
            return text
        text = re.sub(r"(?<=;)oui(?=;|\n)", lambda _: next(words), text)
        return re.sub(r"(?<=;)non(?=;|\n)", lambda _: next(falses), text)
    _rewrite(folder, change)


def loose_codes_and_headers(folder: Path) -> None:
    def change(table: str, text: str) -> str:
        header, body = text.split("\n", 1)
        header = header.replace("heures_realisees", " Heures réalisées ").replace("id_contrat", "ID_Contrat").replace("type_marche", "Type marché")
        for code, loose in (("travaux", " Travaux"), ("cdd", "CDD"), ("embauche_directe", "Embauche directe"),
                            ("collectivite", "Collectivité"), ("bailleur_social", "Bailleur-social"), ("niveau_3", "Niveau 3"),
                            (";F;", ";f;"), ("mise_a_disposition", "Mise à disposition ")):
            body = body.replace(code, loose)
        return header + "\n" + body
    _rewrite(folder, change)


def parquet(folder: Path) -> None:
    dataset = impact.load(folder)
    for table in TABLES:
        (folder / f"{table.name}.csv").unlink()
        dataset.table(table.name).to_parquet(folder / f"{table.name}.parquet", index=False)


def excel_workbook(folder: Path) -> None:
    dataset = impact.load(folder)
    with pd.ExcelWriter(folder / "export.xlsx", engine="openpyxl") as writer:
        for table in TABLES:
            (folder / f"{table.name}.csv").unlink()
            dataset.table(table.name).to_excel(writer, sheet_name=table.name.capitalize(), index=False)


VARIANTS = [windows_1252, bom_and_crlf, comma_separator, french_numbers, french_dates, boolean_words,
            loose_codes_and_headers, parquet, excel_workbook]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
def test_variant_reads_like_the_base(variant, base_dataset):
    expected = impact.load(BASE)
    variant(base_dataset)
    dataset = impact.validate(base_dataset)
    assert dataset.problems.empty, dataset.problems.to_string()
    for table in TABLES:
        pd.testing.assert_frame_equal(dataset.table(table.name), expected.table(table.name), check_dtype=True)


def test_typed_values_of_the_base():
    """The base dataset typed by hand: one row of each kind of value."""
    dataset = impact.load(BASE)
    c2 = dataset.contrats.loc[3]
    assert c2["date_debut"] == pd.Timestamp("2024-01-08") and pd.isna(c2["heures_realisees"])
    assert dataset.contrats.loc[5, "heures_realisees"] == 150.5
    assert pd.isna(dataset.contrats.loc[4, "date_fin"])
    assert dataset.heures["mois"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")]
    assert dataset.participants.loc[3, ["sexe", "minima_sociaux", "deld"]].tolist() == ["F", True, False]
    assert dataset.participants["annee_naissance"].dtype == "Int64"
    assert dataset.operations["type_marche"].cat.categories.tolist() == ["travaux", "services", "fournitures"]
    assert dataset.operations.index.tolist() == [2, 3]
    assert set(dataset.sources) == {f"{t.name}.csv" for t in TABLES}
    assert all(len(digest) == 64 for digest in dataset.sources.values())
