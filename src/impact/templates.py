"""Artefacts generated from the schema: blank templates, Table Schema and the data dictionary.

- one blank CSV per table (``;``-separated, UTF-8 with BOM: what French Excel opens and writes);
- one Excel workbook ``modele_clauses_sociales.xlsx``: a ``notice`` sheet that explains the kit,
  one sheet per table with the French description of each column as a header comment, a drop-down
  list on every category and boolean column, and a hidden ``listes`` sheet holding the codes;
- ``datapackage.json``: the tables as a Frictionless Data Package with Table Schemas;
- ``docs/dictionnaire.md``: the data dictionary page.

``python -m impact.templates`` regenerates ``data_templates/`` and the dictionary page of the
repository; a test fails when the committed files drift from the schema.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from impact.output import atomic_write_bytes, atomic_write_text
from impact.schema import ALL_TABLES, COMPARAISON, DISPOSITIF_DECP, PUBLICS, SITUATION, TABLES, Column, Table

WORKBOOK_NAME = "modele_clauses_sociales.xlsx"
CSV_SEPARATOR = ";"
BOOLEAN_CHOICES = ("oui", "non")
#: Rows of each sheet that carry the drop-down lists.
VALIDATION_ROWS = 5000

_TABLE_SCHEMA_TYPES = {
    "text": "string",
    "category": "string",
    "number": "number",
    "integer": "integer",
    "date": "date",
    "month": "yearmonth",
    "boolean": "boolean",
}


def csv_template(table: Table) -> bytes:
    """The blank CSV template of ``table``: its header line only."""
    return ("\ufeff" + CSV_SEPARATOR.join(table.names) + "\n").encode("utf-8")


def _rule(column: Column) -> str:
    """The rule of a column in French, for the notice and the dictionary."""
    parts = ["obligatoire" if column.required else "facultatif"]
    if column.unique:
        parts.append("unique")
    if column.references:
        parts.append(f"doit exister dans {column.references[0]}.{column.references[1]}")
    if column.minimum is not None:
        parts.append(f"{'>' if column.exclusive_minimum else '>='} {column.minimum:g}")
    if column.digits:
        parts.append(f"{column.digits} chiffres")
    if column.name == "annee_naissance":
        parts.append("personne d'au moins 14 ans")
    if column.kind == "boolean":
        parts.append("oui / non (vide = non)")
    if column.codes:
        parts.append("codes : " + ", ".join(column.codes))
    return " ; ".join(parts)


def _kind_label(column: Column) -> str:
    return {
        "text": "texte",
        "category": "code",
        "number": "nombre",
        "integer": "entier",
        "date": "date",
        "month": "mois (AAAA-MM)",
        "boolean": "oui/non",
    }[column.kind]


def data_dictionary() -> str:
    """The data dictionary page, in French Markdown."""
    lines = [
        "# Dictionnaire des données",
        "",
        "<!-- Page générée par `python -m impact.templates` depuis `src/impact/schema.py` : ne pas modifier à la main. -->",
        "",
        "Un jeu de données est un dossier qui contient un fichier par table (`<table>.csv` ou "
        "`<table>.parquet`), ou un seul classeur Excel (`.xlsx`) avec une feuille par table, nommée "
        "comme la table. Les tables marquées facultatives peuvent manquer. L'ordre des colonnes est "
        "libre ; les colonnes inconnues sont signalées et ignorées.",
        "",
        "Formats acceptés : UTF-8 (avec ou sans BOM) ou Windows-1252 ; séparateur `;` ou `,` ; "
        "nombres avec virgule décimale et espaces de milliers (`1 234,5`) ; dates `AAAA-MM-JJ`, "
        "`JJ/MM/AAAA` ou cellules date d'Excel ; booléens `oui`/`non`, `o`/`n`, `vrai`/`faux`, "
        "`1`/`0`, `x`/vide ; codes et en-têtes sans égard à la casse, aux accents et aux espaces.",
        "",
    ]
    for table in ALL_TABLES:
        lines += [f"## `{table.name}` : {table.title}", "", table.description, ""]
        if table.optional:
            lines += ["Table facultative.", ""]
        lines += ["| colonne | type | description | règle |", "|---|---|---|---|"]
        for column in table.columns:
            lines.append(f"| `{column.name}` | {_kind_label(column)} | {column.description} | {_rule(column)} |")
        lines.append("")
        for column in table.columns:
            if column.codes and column.name != "situation":
                lines += [f"Codes de `{column.name}` :", ""]
                lines += [f"- `{code}` : {label}" + (f" (aussi : {', '.join(column.spellings[code])})" if code in column.spellings else "")
                          for code, label in column.codes.items()]
                lines.append("")
        headers = [f"`{column.name}` : {', '.join(column.headers)}" for column in table.columns if column.headers]
        if headers:
            lines += ["En-têtes des exports reconnus aussi :", "", *(f"- {line}" for line in headers), ""]
    lines += [
        "## Dispositifs et données essentielles de la commande publique",
        "",
        "| dispositif | valeur DECP (`considerationsSociales`) |",
        "|---|---|",
        *(f"| `{code}` | {value or '(aucune)'} |" for code, value in DISPOSITIF_DECP.items()),
        "",
        "## Situations après la clause et leurs groupes",
        "",
        "| code | libellé | groupe |",
        "|---|---|---|",
        *(f"| `{code}` | {label} | `{group}` |" for code, (label, group) in SITUATION.items()),
        "",
        "Les *sorties dynamiques* regroupent `emploi_durable`, `emploi_transition` et `sortie_positive`.",
        "",
        "## Publics",
        "",
        "Une personne compte dans chaque public qui la concerne :",
        "",
        *(f"- `{code}` : {label}" for code, label in PUBLICS.items()),
        "",
    ]
    return "\n".join(lines)


def datapackage() -> dict:
    """The tables as a Frictionless Data Package (Table Schema) describing the CSV templates."""
    resources = []
    for table in TABLES:
        fields = []
        for column in table.columns:
            constraints: dict = {}
            if column.required:
                constraints["required"] = True
            if column.unique:
                constraints["unique"] = True
            if column.codes:
                constraints["enum"] = list(column.codes)
            if column.minimum is not None and not column.exclusive_minimum:
                constraints["minimum"] = column.minimum
            if column.digits:
                constraints["pattern"] = rf"\d{{{column.digits}}}"
            item = {"name": column.name, "type": _TABLE_SCHEMA_TYPES[column.kind], "description": column.description}
            if column.kind == "date":
                item["format"] = "any"
            if column.kind == "boolean":
                item["trueValues"] = ["oui", "o", "vrai", "true", "1", "x"]
                item["falseValues"] = ["non", "n", "faux", "false", "0", ""]
            if column.kind == "number":
                item["decimalChar"] = ","
                item["groupChar"] = " "
            if constraints:
                item["constraints"] = constraints
            fields.append(item)
        schema: dict = {"fields": fields, "primaryKey": list(table.key), "missingValues": [""]}
        foreign = [
            {"fields": c.name, "reference": {"resource": c.references[0], "fields": c.references[1]}}
            for c in table.columns
            if c.references
        ]
        if foreign:
            schema["foreignKeys"] = foreign
        resources.append(
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": CSV_SEPARATOR},
                "optional": table.optional,
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "impact-clauses-sociales",
        "title": "Clauses sociales d'insertion : jeu de données d'un facilitateur",
        "resources": resources,
    }


def workbook_bytes() -> bytes:
    """The Excel template: notice, one sheet per table with drop-downs, hidden code lists."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    notice = book.active
    notice.title = "notice"
    notice.column_dimensions["A"].width = 28
    notice.column_dimensions["B"].width = 110
    rows = [
        ("Kit impact : modèle de saisie des clauses sociales d'insertion", ""),
        ("", ""),
        ("Mode d'emploi", "Remplissez une feuille par table, une ligne par enregistrement, sans modifier la ligne d'en-tête. "
                          "Les colonnes de code proposent une liste déroulante. Les personnes sont désignées par un pseudonyme, "
                          "jamais par leur nom ni leur numéro de sécurité sociale."),
        ("Vérifier", "impact valider DOSSIER (le dossier qui contient ce classeur)"),
        ("", ""),
        ("Table", "Contenu"),
    ]
    rows += [(t.name, t.title + (" (facultative)" if t.optional else "") + " : " + t.description) for t in TABLES]
    rows += [("", ""), ("Colonne", "Description et règle")]
    rows += [(f"{t.name}.{c.name}", f"{c.description} ({_rule(c)})") for t in TABLES for c in t.columns]
    for row in rows:
        notice.append(row)
    notice["A1"].font = Font(bold=True, size=14)
    for cell in ("A3", "A4", "A6", f"A{9 + len(TABLES)}"):
        notice[cell].font = Font(bold=True)
    for row in notice.iter_rows(min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    lists = book.create_sheet("listes")
    list_ranges: dict[tuple[str, ...], str] = {}
    choice_sets = [tuple(c.codes) for t in TABLES for c in t.columns if c.codes] + [BOOLEAN_CHOICES]
    for choices in dict.fromkeys(choice_sets):
        position = len(list_ranges) + 1
        letter = get_column_letter(position)
        for i, code in enumerate(choices, start=1):
            lists.cell(row=i, column=position, value=code)
        list_ranges[choices] = f"listes!${letter}$1:${letter}${len(choices)}"
    lists.sheet_state = "hidden"

    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for table in TABLES:
        sheet = book.create_sheet(table.name)
        sheet.freeze_panes = "A2"
        for position, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=position, value=column.name)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.comment = Comment(f"{column.description}\n{_rule(column)}", "impact", width=300, height=120)
            letter = get_column_letter(position)
            sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
            choices = tuple(column.codes) if column.codes else BOOLEAN_CHOICES if column.kind == "boolean" else None
            if choices:
                check = DataValidation(type="list", formula1=list_ranges[choices], allow_blank=True,
                                       showErrorMessage=True, errorTitle="Code inconnu",
                                       error=f"Choisissez un code de la liste pour {column.name}.")
                check.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
                sheet.add_data_validation(check)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_templates(folder: Path) -> list[Path]:
    """Write the templates to ``folder``: ``csv/`` holds the blank CSVs and ``datapackage.json``
    that describes them, ``excel/`` the workbook (a dataset folder holds one or the other),
    ``comparaison/`` the blank comparison group of the impact study (a file apart)."""
    csv_folder, excel_folder = Path(folder) / "csv", Path(folder) / "excel"
    csv_folder.mkdir(parents=True, exist_ok=True)
    excel_folder.mkdir(parents=True, exist_ok=True)
    written = [atomic_write_bytes(csv_folder / f"{table.name}.csv", csv_template(table)) for table in TABLES]
    written.append(atomic_write_bytes(Path(folder) / COMPARAISON.name / f"{COMPARAISON.name}.csv", csv_template(COMPARAISON)))
    written.append(atomic_write_text(csv_folder / "datapackage.json", json.dumps(datapackage(), ensure_ascii=False, indent=2) + "\n"))
    written.append(atomic_write_bytes(excel_folder / WORKBOOK_NAME, workbook_bytes()))
    return written


def main() -> None:
    """Regenerate ``data_templates/`` and ``docs/dictionnaire.md`` of the repository."""
    root = Path(__file__).resolve().parents[2]
    write_templates(root / "data_templates")
    atomic_write_text(root / "docs" / "dictionnaire.md", data_dictionary())


if __name__ == "__main__":
    main()
