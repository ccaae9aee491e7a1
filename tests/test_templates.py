"""Artefacts generated from the schema must match the committed files; the templates are usable."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

import impact
from impact.schema import TABLES
from impact.templates import WORKBOOK_NAME, data_dictionary, datapackage, write_templates

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("modeles")
    write_templates(folder)
    return folder


def test_csv_templates_and_datapackage_match_the_schema(fresh):
    committed = sorted(p.name for p in (ROOT / "data_templates" / "csv").iterdir())
    assert committed == sorted(p.name for p in (fresh / "csv").iterdir())
    for name in committed:
        assert (ROOT / "data_templates" / "csv" / name).read_bytes() == (fresh / "csv" / name).read_bytes(), (
            f"data_templates/csv/{name} ne correspond plus au schéma : lancez `make docs`")


def _workbook_content(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    content = {"sheets": book.sheetnames}
    for sheet in book.worksheets:
        content[sheet.title] = {
            "cells": [[c.value for c in row] for row in sheet.iter_rows()],
            "comments": [c.comment.text if c.comment else None for c in sheet[1]],
            "lists": sorted((str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation),
        }
    return content


def test_workbook_matches_the_schema(fresh):
    committed = _workbook_content(ROOT / "data_templates" / "excel" / WORKBOOK_NAME)
    assert committed == _workbook_content(fresh / "excel" / WORKBOOK_NAME), "classeur modèle périmé : lancez `make docs`"


def test_dictionary_page_matches_the_schema():
    assert (ROOT / "docs" / "dictionnaire.md").read_text(encoding="utf-8") == data_dictionary(), "lancez `make docs`"


def test_workbook_has_a_drop_down_on_every_category_column(fresh):
    book = openpyxl.load_workbook(fresh / "excel" / WORKBOOK_NAME)
    assert book.sheetnames[0] == "notice"
    for table in TABLES:
        sheet = book[table.name]
        assert [c.value for c in sheet[1]] == table.names
        lists = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1 for v in sheet.data_validations.dataValidation}
        for position, column in enumerate(table.columns):
            letter = openpyxl.utils.get_column_letter(position + 1)
            if column.codes or column.kind == "boolean":
                sheet_name, cells = lists[letter].split("!")
                codes = [c[0].value for c in book[sheet_name][cells.replace("$", "")]]
                assert codes == (list(column.codes) if column.codes else ["oui", "non"])
            else:
                assert letter not in lists
            assert column.description in sheet.cell(row=1, column=position + 1).comment.text


def test_datapackage_describes_every_table():
    package = datapackage()
    assert [r["name"] for r in package["resources"]] == [t.name for t in TABLES]
    contrats = next(r for r in package["resources"] if r["name"] == "contrats")
    fields = {f["name"]: f for f in contrats["schema"]["fields"]}
    assert fields["type_contrat"]["constraints"]["enum"][0] == "cdi"
    assert {"fields": "id_operation", "reference": {"resource": "operations", "fields": "id_operation"}} in contrats["schema"]["foreignKeys"]
    json.dumps(package)


def test_modeles_command_and_blank_templates_validate(tmp_path, run_cli):
    status, out, _ = run_cli("modeles", tmp_path / "m")
    assert status == 0 and "11 fichiers écrits" in out
    for folder in ("csv", "excel"):
        dataset = impact.validate(tmp_path / "m" / folder)
        assert dataset.problems.empty, dataset.problems.to_string()
