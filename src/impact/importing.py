"""``impact importer``: real exports turned into a dataset folder in the kit's format.

A source is a workbook (any sheet names, title or banner rows above the header, merged title
cells, a totals row), a folder of CSV files with any names (UTF-8 with or without BOM or
Windows-1252; ``;``, ``,`` or tab), a folder of workbooks (one per year), or a *flat* sheet with
one row per contract that holds the person, the employer, the market and the buyer on each row.

Each sheet's header row is found (:func:`impact.reading.find_header`) and its columns recognised
by the dictionary's names, descriptions and synonyms (:func:`impact.reading.header_keys`). A
sheet whose recognised columns belong to three tables or more is flat: it is split into the
tables, with identifiers derived from the names when the sheet has none (a person's name never
reaches the dataset: its identifier is a keyed hash of the name and year of birth). Sheets of the
same table are merged; a row repeated across files (a contract still running in the next yearly
workbook, a month declared twice) is kept once, from the last file by name, and the columns where
the files differed are told; no other row is dropped.

Every decision is written to ``correspondance.toml`` beside the dataset: the table of each sheet,
the column of each header, the code of each value the kit could not read (to complete). Given back
with ``--correspondance``, the file's decisions are applied as they stand, so next year's export
goes in with the same choices.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
import secrets
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from impact import public_lists
from impact.hints import UserError
from impact.output import atomic_write_bytes, atomic_write_text
from impact.problems import ProblemLog
from impact.pseudonymisation import PSEUDONYM_LENGTH, pseudonymise
from impact.reading import _TOTAL, HEADER_SEARCH_ROWS, _cell_text, _decode, find_header, header_keys
from impact.schema import PUBLICS, TABLES, TABLES_BY_NAME, Column
from impact.validation import near_names
from impact.values import category_code, category_keys, normalise_key, parse_boolean, parse_date, parse_month

#: Target of a sheet whose rows each hold a whole contract (person, employer, market, buyer).
FLAT = "plat"
#: Target of a sheet or a column left out.
IGNORED = "ignorer"
#: Sheet names (after :func:`normalise_key`) that name a table in everyday words.
SHEET_SYNONYMS = {
    "donneurs_d_ordre": "acheteurs", "acheteur": "acheteurs", "marches": "operations", "operation": "operations",
    "lots": "operations", "employeurs": "entreprises", "entreprise": "entreprises", "structures": "entreprises",
    "salaries": "participants", "personnes": "participants", "beneficiaires": "participants", "participant": "participants",
    "contrat": "contrats", "missions": "contrats", "heures_mensuelles": "heures", "suivi": "suivis", "devenir": "suivis",
}
#: Headers of a flat sheet that name an entity, from which its identifier is derived when the sheet
#: has none: ``table.colonne`` (``participants.personne`` is the person, never written out).
NAME_HEADERS = {
    "acheteurs.nom": ("acheteur", "nom_de_l_acheteur", "donneur_d_ordre", "maitre_d_ouvrage"),
    "operations.intitule": ("operation", "marche", "intitule_du_marche", "lot", "intitule"),
    "entreprises.raison_sociale": ("entreprise", "employeur", "raison_sociale", "structure", "nom_de_l_entreprise"),
    "participants.personne": ("participant", "personne", "salarie", "beneficiaire", "nom_prenom", "nom_et_prenom", "nom_du_participant",
                              "nom", "prenom", "nom_de_famille", "nom_d_usage", "nom_usuel"),
}
#: Target of the situation observed after the clause: in a column per horizon on a wide sheet.
_SITUATION = "suivis.situation"
#: Target of a column that lists a person's publics (« DELD + BRSA »): read into the yes-or-no
#: columns of the publics (:mod:`impact.public_lists`), never written out.
PUBLICS_LIST = "participants.publics"
#: Column whose values, on a flat sheet, also tell homonyms apart in a person's derived identifier.
BIRTH_YEAR = "annee_naissance"
#: Headers of a full date of birth: the dataset keeps its year only (the day tells a person apart
#: better than a pseudonymous dataset needs), after it has told homonyms born the same year apart
#: in the person's derived identifier.
BIRTH_DATE_HEADERS = ("Date de naissance", "Date naissance", "Né le", "Née le", "Né(e) le", "Naissance")
#: Fewest columns of a sheet whose rows with a single filled cell are group titles, not data.
_TITLE_ROW_WIDTH = 4
#: Column of the pieces of a table that numbers the sheet they come from.
_SOURCE = "__source__"
#: Target of the columns that name a person on a flat sheet (several: put together, surname first).
NAMES_TOGETHER = "participants.personne"
#: Identifier column of each table whose identifier can be derived from a name, and the name.
ENTITIES = {"acheteurs": ("id_acheteur", "nom"), "operations": ("id_operation", "intitule"),
            "entreprises": ("id_entreprise", "raison_sociale"), "participants": ("id_participant", "personne")}
#: The names of entities: several headers of a sheet giving one are put together (the market's
#: title and its lot), where other columns take the first header's value, the next ones' where it is empty.
_TITLES = frozenset(f"{table}.{name}" for table, (_, name) in ENTITIES.items() if table != "participants")


@dataclass
class Sheet:
    """One sheet of a workbook or one CSV file, as text rows."""

    source: str
    rows: list[list[str]]


@dataclass
class Mapping:
    """The decisions of an import: the target of each sheet, of each header of each sheet, and the
    code of each value (``table.colonne`` → value → code, ``""`` when still to decide)."""

    sheets: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: ``table.colonne`` of a column the kit needs and the source lacks → the value of every row
    #: (``""`` while still to decide: the column stays absent and validation says so).
    defaults: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportResult:
    """What :func:`import_source` did: the tables written, the decisions, the values it could not
    map (``table.colonne`` → value → rows), the near-duplicate names (table, name, other name)."""

    tables: dict[str, pd.DataFrame]
    mapping: Mapping
    unmapped: dict[str, Counter]
    near_duplicates: list[tuple[str, str, str]]
    written: list[Path]
    #: Per table, the rows replaced by a row of the same identifier from a later file (kept once)
    #: and the columns where they differed (none: the same row repeated).
    replaced: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    #: Whether persons' identifiers were derived from their names with a key drawn for this import.
    drawn_key: bool = False
    #: Columns the kit needs that no header gave and one value cannot fill (``table.colonne``).
    absent: list[str] = field(default_factory=list)
    #: Per table, the entities of a flat sheet given with differing values on their rows (the first
    #: row kept, a contract's last): identifier, the columns that differed, the sheet and its lines.
    conflicts: dict[str, list[tuple[str, list[str], str, list[int]]]] = field(default_factory=dict)
    #: The sheets read, in order.
    read: list[str] = field(default_factory=list)
    #: Sheets that took the decisions of a sheet of another file (last year's, named otherwise): sheet → that sheet.
    reused: dict[str, str] = field(default_factory=dict)
    #: Sheets of the decisions given that the source does not have and no sheet took over (dropped from them).
    unused: list[str] = field(default_factory=list)
    #: Sheets read with a header and no row.
    empty: list[str] = field(default_factory=list)
    #: Decisions of ``[valeurs]`` that give no code of their column (not applied): column → (value, decision).
    invalid: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: Names of persons on a flat sheet that most likely are one person (two identifiers): for the
    #: terminal only, never written.
    near_persons: list[tuple[str, str]] = field(default_factory=list)
    #: Two headers of a sheet giving one column that differ on some rows (the first kept): sheet,
    #: ``table.colonne``, the two headers, the rows where they differ.
    doubled: list[tuple[str, str, str, str, int]] = field(default_factory=list)


@dataclass
class _Told:
    """What reading the sheets found to tell the user (see :class:`ImportResult`)."""

    conflicts: dict[str, list[tuple[str, list[str], str, list[int]]]] = field(default_factory=dict)
    reused: dict[str, str] = field(default_factory=dict)
    near_persons: list[tuple[str, str]] = field(default_factory=list)
    doubled: list[tuple[str, str, str, str, int]] = field(default_factory=list)


class ImportProblem(UserError):
    """The source cannot be imported (missing, unreadable, or nothing recognised)."""


def read_sheets(source: Path) -> list[Sheet]:
    """Every sheet of the workbooks and every CSV file of ``source`` (a file or a folder), in name
    order; raises :class:`ImportProblem` when none can be read."""
    source = Path(source)
    if not source.exists():
        raise ImportProblem(f"« {source} » n'existe pas", "import_source_absente")
    files = [source] if source.is_file() else sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith(("~$", "."))) \
        if source.is_dir() else []
    sheets: list[Sheet] = []
    for file in files:
        if file.suffix.lower() == ".xlsx":
            sheets += _workbook_sheets(file)
        elif file.suffix.lower() in (".csv", ".txt"):
            sheets.append(_csv_sheet(file))
    if not sheets:
        other = sorted({f.suffix.lower() for f in files if f.suffix.lower() in (".xls", ".ods", ".xlsm", ".xlsb", ".numbers")})
        if other:
            raise ImportProblem(f"« {source} » : format {', '.join(other)} non pris en charge", "import_format_tableur")
        raise ImportProblem(f"« {source} » ne contient aucun classeur .xlsx ni fichier .csv", "import_rien_a_lire")
    return sheets


def _workbook_sheets(file: Path) -> list[Sheet]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on damaged files
        raise ImportProblem(f"classeur « {file.name} » illisible : ce n'est pas un classeur .xlsx valide (fichier endommagé, "
                            "ou d'un autre format renommé en .xlsx)", "classeur_illisible") from None
    try:
        return [Sheet(f"{file.name}[{sheet.title}]", [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)])
                for sheet in workbook.worksheets]
    finally:
        workbook.close()


def _csv_sheet(file: Path) -> Sheet:
    """A CSV file as rows: encoding (UTF-8, with or without BOM, or Windows-1252) and separator
    (``;``, ``,`` or tab, the most frequent on the first lines) detected."""
    log = ProblemLog()
    decoded = _decode(file.read_bytes(), file.name, log)
    if decoded is None:
        raise ImportProblem(f"fichier « {file.name} » illisible : " + "; ".join(log.frame()["message"]), "import_fichier_illisible")
    lines = decoded[0].splitlines()
    delimiter = max((";", ",", "\t"), key=lambda d: max((line.count(d) for line in lines[:20]), default=0))
    try:
        return Sheet(file.name, [list(row) for row in csv.reader(io.StringIO(decoded[0]), delimiter=delimiter)])
    except csv.Error:
        raise ImportProblem(f"fichier « {file.name} » illisible : une valeur dépasse {csv.field_size_limit():,} caractères "
                            "(guillemet non fermé ?)".replace(",", "\u202f"), "csv_illisible") from None


@functools.cache
def _column_keys() -> dict[str, dict[str, str]]:
    """For each table, its header spellings (:func:`impact.reading.header_keys`) with ``table.colonne``,
    the headers of a full date of birth, whose year the import keeps (:data:`BIRTH_DATE_HEADERS`),
    and those of a list of publics (:data:`PUBLICS_LIST`)."""
    keys = {t.name: {k: f"{t.name}.{c}" for k, c in header_keys(t).items()} for t in TABLES}
    keys["participants"].update({normalise_key(h): f"participants.{BIRTH_YEAR}" for h in BIRTH_DATE_HEADERS})
    keys["participants"].update({normalise_key(h): PUBLICS_LIST for h in public_lists.HEADERS})
    return keys


@functools.cache
def _known_keys() -> frozenset[str]:
    """Every header key the importer recognises: the tables' spellings and the names' headers."""
    return frozenset().union(*_column_keys().values(), *(map(normalise_key, spellings) for spellings in NAME_HEADERS.values()))


_UNIT = re.compile(r"\s*\([^)]*\)\s*$")
_NUMBER = re.compile(r"^\s*(?:n\s*[°º]|no\b\.?|num(?:é|e)ro|r(?:é|e)f(?:\.|(?:é|e)rence\b|\b)|nb\b\.?|nbre\b\.?|nombre)\s*"
                     r"(?:de\s+|du\s+|d['’]\s*)?", re.IGNORECASE)
_LINKS = re.compile(r"_(?:de_la|de_l|des|de|du|d)_")
#: A follow-up's header with its horizon (« Situation à 6 mois », « Situation M+6 », « Devenir à
#: 12 mois », « Sortie à 6 mois », « Situation 6 mois après la sortie »), after :func:`normalise_key`:
#: the situation observed that many months after the clause.
_FOLLOW_UP = re.compile(r"(?:situation(?:_professionnelle)?|devenir|sortie|suivi)_(?:a_|apres_)?(?:m_?\+?_?|\+_?)?(\d+)"
                        r"(?:_mois)?(?:_apres_(?:la_)?(?:sortie|fin(?:_de_contrat|_du_contrat)?))?(?:_\(sortie\))?")

#: A header that numbers what it names (« N° opération », « Réf. marché »): an identifier.
_IDENTIFIER = re.compile(r"^\s*(?:n\s*[°º]|no\b|num(?:é|e)ro\b|r(?:é|e)f(?:\b|érence|erence))", re.IGNORECASE)


def follow_up_horizon(header: str) -> str:
    """The horizon, in months, of a follow-up's header (« Situation M+6 »: ``6``), or ``""``."""
    found = _FOLLOW_UP.fullmatch(normalise_key(header))
    return found[1] if found else ""


def header_key(text: str, known: frozenset[str]) -> str:
    """The key of a header as the kit knows it (``known``): as written, else without a unit in
    parentheses (« Heures réalisées (h) »), without « N° » or « Nb » (« N° contrat »: ``contrat``;
    « Nb heures réalisées »),
    without linking words (« Date de notification »: ``date_notification``), or without a
    follow-up's horizon (« Situation à 6 mois »: ``situation``); as written (after
    :func:`impact.values.normalise_key`) when none of them is known."""
    plain = [text, _UNIT.sub("", text)]
    keys = [normalise_key(t) for t in plain + [_NUMBER.sub("", t) for t in plain]]
    keys += [_LINKS.sub("_", k) for k in keys]
    keys += ["situation"] * any(_FOLLOW_UP.fullmatch(k) for k in keys)
    return next((k for k in keys if k in known), keys[0])


def _is_lot(header: str) -> bool:
    """Whether a header gives a market's lot (« Lot », « N° lot », « Lot n° »): part of the
    operation's title and identifier (a kit's operation is a market or a lot), never the identifier alone."""
    return re.sub(r"[^a-z]", "", normalise_key(_NUMBER.sub("", header))).removesuffix("n") in ("lot", "lots")


def _hours_where_they_belong(columns: dict[str, str]) -> dict[str, str]:
    """The hours of a flat sheet: a month's (``heures.heures``) when the sheet gives the month, else
    the contract's total (« Heures » on a sheet of one row per contract was taken for a month's
    hours, and the month then asked for); a contract's total (« Heures réalisées ») is a month's
    on a sheet that gives the month and no other hours."""
    targets = set(columns.values())
    if "heures.mois" not in targets:
        return {header: "contrats.heures_realisees" if target == "heures.heures" and "contrats.heures_realisees" not in targets else target
                for header, target in columns.items()}
    if "heures.heures" not in targets:
        return {header: "heures.heures" if target == "contrats.heures_realisees" else target for header, target in columns.items()}
    return columns


def _guess_columns(header: list[str], sheet_table: str | None, chosen: bool = False) -> tuple[str, dict[str, str]]:
    """The target of a sheet (a table, :data:`FLAT` or :data:`IGNORED`) and of each of its headers.

    A sheet is flat when its recognised headers belong, each to one table only, to three tables or
    more, whatever its name (« Suivi » or « Contrats » may hold whole contracts) unless the user
    ``chosen`` its table; otherwise it is its name's table, or the one that recognises the most headers."""
    keys = _column_keys()
    names = {normalise_key(h): target for target, spellings in NAME_HEADERS.items() for h in spellings}
    key_of = {text: header_key(text, _known_keys()) for text in header}
    owners = {k: {t for t, spellings in keys.items() if k in spellings} for k in key_of.values()}
    only = Counter(next(iter(tables)) for tables in owners.values() if len(tables) == 1)
    # A name no table's column is called (« Donneur d'ordre », « Lot », « Salarié ») names its entity too.
    only.update(names[k].split(".")[0] for k, tables in owners.items() if k in names and not tables)
    flat = len(only) >= 3 and not chosen
    if flat:
        columns, beside = {}, None
        order = [t.name for t in TABLES]
        for text in header:
            key = key_of[text]
            if not key:
                continue
            # A header several tables know (« SIRET », « Territoire »): that of its neighbour on the left
            # when it is one of them (« SIRET » after « Raison sociale »), else the table most of the
            # sheet's own headers belong to, else the first in the dictionary.
            owned = sorted(owners[key], key=lambda t: (t != beside, -only[t], order.index(t)))
            columns[text] = names.get(key) or (keys[owned[0]][key] if owned else IGNORED)
            beside = columns[text].split(".")[0]
            if _IDENTIFIER.match(text) and columns[text] in NAME_HEADERS and not _is_lot(text):  # « N° opération »: the market's number
                table = columns[text].split(".")[0]
                columns[text] = f"{table}.{ENTITIES[table][0]}" if table != "participants" else columns[text]
        return FLAT, _hours_where_they_belong(columns)
    scores = Counter({t: sum(k in spellings for k in owners) for t, spellings in keys.items()})
    table = sheet_table or (scores.most_common(1)[0][0] if scores and scores.most_common(1)[0][1] else IGNORED)
    if table == IGNORED:
        return IGNORED, {}
    return table, {text: keys[table].get(key_of[text], IGNORED) for text in header if key_of[text]}


def read_mapping(path: Path) -> Mapping:
    """The decisions of a ``correspondance.toml`` (:func:`mapping_toml`); raises
    :class:`ImportProblem` when it cannot be read."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ImportProblem(f"correspondance « {path} » introuvable", "correspondance_absente") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportProblem(f"correspondance « {path} » illisible ({type(exc).__name__})", "correspondance_illisible") from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        place = f" à la ligne {where[1]}, colonne {where[2]}" if where else ""
        raise ImportProblem(f"correspondance « {path} » illisible : erreur de syntaxe TOML{place}", "correspondance_illisible") from None
    sections = {"feuilles": data.get("feuilles", {}), "defauts": data.get("defauts", {})}
    for part in ("colonnes", "valeurs"):
        tables = data.get(part, {})
        sections.update({f"{part}.{k}": v for k, v in tables.items()} if isinstance(tables, dict) else {part: None})
    for name, section in sections.items():
        if not isinstance(section, dict) or not all(isinstance(v, str) for v in section.values()):
            raise ImportProblem(f"correspondance « {path} » : la section [{name}] doit associer des textes à des textes "
                                "(\"en-tête\" = \"valeur\")", "correspondance_illisible")
    columns = {k[len("colonnes."):]: v for k, v in sections.items() if k.startswith("colonnes.")}
    known = {f"{t.name}.{c}" for t in TABLES for c in t.names} | {f"{t}.{n}" for t, (_, n) in ENTITIES.items()} | {PUBLICS_LIST}
    wrong = [f"[feuilles] « {s} » = « {t} »" for s, t in sections["feuilles"].items() if t not in TABLES_BY_NAME and t not in (FLAT, IGNORED)]
    wrong += [f"[colonnes.« {s} »] « {h} » = « {t} »" for s, cols in columns.items() for h, t in cols.items() if t != IGNORED and t not in known]
    wrong += [f"[defauts] « {c} »" for c in sections["defauts"] if c not in known]
    # One value for every row suits a yes-or-no or a category column only (a date or hours would be wrong).
    kinds = {f"{t.name}.{c.name}": c.kind for t in TABLES for c in t.columns}
    wrong += [f"[defauts] « {c} » (ni oui/non ni une catégorie : associez un en-tête dans [colonnes])"
              for c, value in sections["defauts"].items() if value and c in known and kinds.get(c) not in ("boolean", "category")]
    wrong += [f"[valeurs.« {k[len('valeurs.'):]} »]" for k in sections if k.startswith("valeurs.") and k[len("valeurs."):] not in known]
    if wrong:
        raise ImportProblem(f"correspondance « {path} » : décision inconnue : {', '.join(wrong[:5])}", "correspondance_decision")
    return Mapping(dict(sections["feuilles"]), columns, {k[len("valeurs."):]: v for k, v in sections.items() if k.startswith("valeurs.")},
                   dict(sections["defauts"]))


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def mapping_toml(mapping: Mapping, unmapped: dict[str, Counter], near: list[tuple[str, str, str]]) -> str:
    """``correspondance.toml``: every decision, in French comments, editable and given back with
    ``--correspondance`` next time."""
    lines = ["# Correspondance écrite par « impact importer » : chaque décision prise sur le fichier source.",
             "# Modifiez-la au besoin, puis relancez : impact importer SOURCE --out DOSSIER --correspondance correspondance.toml",
             f"# Feuilles : une table ({', '.join(t.name for t in TABLES)}), « {FLAT} » (une ligne par contrat) ou « {IGNORED} ».",
             "", "[feuilles]"]
    lines += [f"{_toml(sheet)} = {_toml(target)}" for sheet, target in mapping.sheets.items()]
    for sheet, columns in mapping.columns.items():
        lines += ["", f"# Colonnes de {sheet} : « table.colonne » ou « {IGNORED} ».", f"[colonnes.{_toml(sheet)}]"]
        lines += [f"{_toml(header)} = {_toml(target)}" for header, target in columns.items()]
    for column, values in mapping.values.items():
        what = (f"les publics de chaque élément des listes ({', '.join(PUBLICS)} ; plusieurs : séparés par des virgules ; "
                "« aucun »)" if column == PUBLICS_LIST else f"le code du kit de chaque valeur (« {IGNORED} » : rien d'observé, "
                "suivi laissé de côté)" if column == _SITUATION else "le code du kit de chaque valeur")
        lines += ["", f"# Valeurs de {column} : {what} (vide : à compléter).", f"[valeurs.{_toml(column)}]"]
        lines += [f"{_toml(value)} = {_toml(code)}" + (f"  # {unmapped[column][value]} ligne(s)" if value in unmapped.get(column, {}) else "")
                  for value, code in values.items()]
    if mapping.defaults:
        lines += ["", "# Colonnes absentes de la source : la valeur de toutes les lignes (par exemple « non » pour un public que",
                  "# l'export ne suit pas, un code de la liste pour une catégorie), ou vide : la colonne reste absente.", "[defauts]"]
        lines += [f"{_toml(column)} = {_toml(value)}" for column, value in mapping.defaults.items()]
    if near:
        lines += ["", "# Noms presque identiques, importés comme deux entités : corrigez la source s'il s'agit de la même."]
        lines += [f"# {table} : {_toml(a)} et {_toml(b)}" for table, a, b in near]
    return "\n".join(lines) + "\n"


def _derived_id(table: str, names: pd.Series, key: bytes, birth: pd.Series | None = None) -> pd.Series:
    """Identifiers derived from names: the normalised name for buyers, markets and employers
    (``ENT-boulangerie_martin``); for persons, the keyed hash (HMAC-SHA-256 under ``key``, as
    ``impact pseudonymiser``) of the name and, when given, the year of birth, which tells two
    homonyms apart (``P-3f2a...``: the name never reaches the dataset, and without the key a list
    of names does not give it back). A full date of birth (``AAAA-MM-JJ``) counts by its year, so
    that a file giving the year and the next the date give one identifier; by the whole date only
    for homonyms born the same year (two dates for one name and year in ``birth``)."""
    keys = names.fillna("").map(normalise_key)
    if table == "participants":
        if birth is None:
            return ("P-" + pseudonymise(keys, key).str[:PSEUDONYM_LENGTH]).where(keys != "", "")
        birth = birth.fillna("").astype(str).str.strip()
        year = keys + "|" + birth.str.replace(r"^(\d{4})-\d\d-\d\d$", r"\1", regex=True)
        dates = birth.where(birth.str.fullmatch(r"\d{4}-\d\d-\d\d"))
        homonyms = dates.notna() & (dates.groupby(year).transform("nunique") > 1)
        told = year.where(~homonyms, keys + "|" + birth)
        return ("P-" + pseudonymise(told, key).str[:PSEUDONYM_LENGTH]).where(keys != "", "")
    prefix = {"acheteurs": "ACH-", "operations": "OP-", "entreprises": "ENT-"}[table]
    return (prefix + keys.str.replace(r"[^a-z0-9_]", "", regex=True).str[:60]).where(keys != "", "")


def _earlier_sheet(mapping: Mapping, sheet: Sheet, sources: set[str]) -> str:
    """The sheet whose decisions in ``mapping`` are this ``sheet``'s: its own, else those of a sheet
    of another file (last year's export, named otherwise): the only one of the same sheet name
    (« export_2024.xlsx[Pointage] » for « export_2025.xlsx[Pointage] »), else the only one, among
    those the source does not have (``sources``), whose headers are all in this sheet's first
    rows; else its own (none: guessed)."""
    if sheet.source in mapping.sheets:
        return sheet.source
    others = [s for s in mapping.sheets if s != sheet.source]
    name = sheet.source.rsplit("[", 1)[-1] if "[" in sheet.source else None
    same_name = [s for s in others if name is not None and s.endswith("[" + name)]
    texts = {str(cell).strip() for row in sheet.rows[:HEADER_SEARCH_ROWS] for cell in row}
    same_headers = [s for s in others if s not in sources and mapping.columns.get(s) and set(mapping.columns[s]) <= texts]
    found = same_name if len(same_name) == 1 else same_headers
    return found[0] if len(found) == 1 else sheet.source


def _sheet_frames(sheet: Sheet, mapping: Mapping, key: bytes, told: _Told, sources: set[str] = frozenset()) -> dict[str, pd.DataFrame]:
    """The table rows of one sheet (text cells, schema columns), after its decisions in ``mapping``
    (added there when new; those of the same sheet in another file when it has none:
    :func:`_earlier_sheet` among the other ``sources``); ``key``: that of the persons' identifiers
    derived from their names; ``told`` (updated): the decisions reused, the entities of a flat
    sheet whose rows differ (:func:`_one_per_identifier`), the names of a flat sheet that most
    likely are one person (:func:`_near_persons`), two headers of one column that differ."""
    earlier = _earlier_sheet(mapping, sheet, sources)
    if earlier != sheet.source:
        mapping.sheets[sheet.source], mapping.columns[sheet.source] = mapping.sheets[earlier], dict(mapping.columns.get(earlier, {}))
        told.reused[sheet.source] = earlier
    fixed = mapping.sheets.get(sheet.source)
    name_table = TABLES_BY_NAME.get(normalise_key(sheet.source.rsplit("[", 1)[-1].rstrip("]").rsplit(".", 1)[0]))
    sheet_table = (name_table.name if name_table else None) or SHEET_SYNONYMS.get(
        normalise_key(sheet.source.rsplit("[", 1)[-1].rstrip("]").rsplit(".", 1)[0]))
    top = find_header(sheet.rows, _known_keys() | {normalise_key(h) for h in mapping.columns.get(sheet.source, {})})
    header = [h.strip() for h in sheet.rows[top]] if sheet.rows else []
    target, columns = _guess_columns(header, fixed if fixed in TABLES_BY_NAME else sheet_table, fixed in TABLES_BY_NAME)
    target = fixed or target
    columns = {**columns, **mapping.columns.get(sheet.source, {})}
    mapping.sheets[sheet.source] = target
    mapping.columns[sheet.source] = columns
    if target == IGNORED or not sheet.rows:
        return {}
    width = len(header)
    body = pd.DataFrame([(r + [""] * width)[:width] for r in sheet.rows[top + 1:]], columns=range(width), dtype=object).fillna("")
    body.index += top + 2  # each row by its line in the source (the header is line top + 1)
    blank = body.apply(lambda c: c.astype(str).str.strip().eq(""))
    body, blank = body.loc[~blank.all(axis=1)], blank.loc[~blank.all(axis=1)]
    # A totals row: its first filled cell says so (« Sous-total voirie » under an empty number, « TOTAL GÉNÉRAL »);
    # a group's title row between the rows of a wide sheet: a single filled cell (« Opération Réhabilitation … »).
    first_filled = body.where(~blank).bfill(axis=1).iloc[:, 0] if width else body
    title = (width >= _TITLE_ROW_WIDTH) & ((~blank).sum(axis=1) == 1) if width else pd.Series(False, index=body.index)
    body = body.loc[~first_filled.fillna("").astype(str).str.contains(_TOTAL) & ~title] if width else body
    if body.empty:  # a header and no row yet (next month's sheet, this year's file just begun)
        return {}
    # « Situation à 6 mois », « Situation à 12 mois »: one follow-up per column, its horizon in its header.
    situations = [position for position, text in enumerate(header) if columns.get(text) == _SITUATION]
    wide = bool(situations) and "suivis.horizon_mois" not in columns.values()
    by_target: dict[str, pd.Series] = {}
    first_header: dict[str, str] = {}
    lots = None  # the lot of each row, given beside the market's title
    for position, text in enumerate(header):
        chosen = columns.get(text, IGNORED)
        cells = body[position].astype(str).str.strip()
        if wide and chosen == _SITUATION:
            continue
        if chosen in _TITLES and _is_lot(text):  # « 2 » under « N° lot »: « Lot 2 »
            cells = lots = cells.where(~cells.str.fullmatch(r"\d+"), "Lot " + cells)
        if chosen == NAMES_TOGETHER and chosen in by_target:  # surname and first name in two columns
            by_target[chosen] = (by_target[chosen] + " " + cells).str.strip()
        elif chosen in _TITLES and chosen in by_target:  # « Marché » and « Lot »: « Voirie – Lot 2 »
            by_target[chosen] = by_target[chosen].str.cat(cells, sep=" – ").str.strip(" –")
        elif chosen in by_target:  # a second header of one column fills the rows the first leaves empty
            differ = by_target[chosen].ne("") & cells.ne("") & ~_same_values(by_target[chosen], cells)
            if differ.any():
                told.doubled.append((sheet.source, chosen, first_header[chosen], text, int(differ.sum())))
            by_target[chosen] = by_target[chosen].where(by_target[chosen].ne(""), cells)
        elif chosen != IGNORED:
            by_target[chosen], first_header[chosen] = cells, text
    tables = sorted({t.split(".")[0] for t in by_target} if target == FLAT else {target})
    frames = {table: pd.DataFrame({c.split(".", 1)[1]: v for c, v in by_target.items() if c.startswith(table + ".")}, index=body.index)
              for table in tables}
    if wide:
        frames["suivis"] = _follow_ups(frames.get("suivis", pd.DataFrame(index=body.index)), body, header, situations)
    births = "participants" in frames and BIRTH_YEAR in frames["participants"]
    if births:
        frames["participants"][BIRTH_YEAR] = _birth_dates(frames["participants"][BIRTH_YEAR])
    if target == FLAT:
        operations = frames.get("operations")
        if lots is not None and operations is not None and "id_operation" in operations:  # one market number for its lots: a lot each
            given = operations["id_operation"]
            operations["id_operation"] = given.where(given.eq("") | lots.eq(""), given + "-" + lots.map(normalise_key))
        told.near_persons += _link_flat(frames, body.index, key)
        if "suivis" in frames and "id_participant" not in frames["suivis"]:  # the person of the row's contract
            frames["suivis"]["id_participant"] = frames["contrats"].get("id_participant", pd.Series("", index=body.index)).reindex(frames["suivis"].index)
        monthly = "heures" in frames
        if monthly:  # one row per contract and month (a timesheet export): the month's hours are the contract's
            hours = frames["heures"]
            frames["heures"] = hours.loc[hours.ne("").any(axis=1)].assign(id_contrat=frames["contrats"]["id_contrat"])
            # A contract listed without a month yet has no hours so far (unless the sheet gives its total).
            contracts = frames["contrats"]
            declared = contracts.get("heures_realisees", pd.Series("", index=contracts.index))
            contracts["heures_realisees"] = declared.mask(~contracts["id_contrat"].isin(frames["heures"]["id_contrat"]) & declared.eq(""), "0")
        # A person, an employer, a market named on each of their contracts, a contract on each of its months
        # (its last row: the latest state of a contract extended on the way): once each.
        frames = {table: frame if table == "heures" or (table == "contrats" and not monthly)
                  else _one_per_identifier(frame.drop_duplicates(), table, told.conflicts, sheet.source, last=table == "contrats")
                  for table, frame in frames.items()}
    if "heures" in frames and "mois" in frames["heures"]:  # a month as the next file writes it is the same month
        months = frames["heures"]["mois"]
        parsed, bad = parse_month(months)
        frames["heures"]["mois"] = months.where(bad | months.eq(""), parsed.dt.strftime("%Y-%m"))
    if births:  # the full date has told homonyms apart: its year is kept
        frames["participants"][BIRTH_YEAR] = frames["participants"][BIRTH_YEAR].str.replace(r"^(\d{4})-\d\d-\d\d$", r"\1", regex=True)
    return frames


def _follow_ups(base: pd.DataFrame, body: pd.DataFrame, header: list[str], situations: list[int]) -> pd.DataFrame:
    """The follow-ups of a sheet whose situations are in columns of their own, one per horizon
    (« Situation à 6 mois », « Situation à 12 mois »): a row per column with a situation, its
    horizon read from its header (none when the header gives no « N mois »: validation asks for
    it), the other columns of ``base`` (the sheet's follow-up columns, one row per sheet row)."""
    pieces = []
    for position in situations:
        cells = body[position].astype(str).str.strip()
        pieces.append(base.assign(situation=cells, horizon_mois=follow_up_horizon(header[position])).loc[cells.ne("")])
    return pd.concat(pieces)


def _one_per_identifier(frame: pd.DataFrame, table: str, conflicts: dict[str, list[tuple[str, list[str], str, list[int]]]], sheet: str,
                        last: bool = False) -> pd.DataFrame:
    """The rows of an entity named on each of its contracts (a contract on each of its months), once
    per identifier: where its rows differ (a market's territory given per contract), the first row
    is kept (the ``last`` when asked) and ``conflicts`` (updated) gets the identifier, the columns
    that differed (not by case or accents only), the ``sheet`` and its lines (the frame's index:
    a person is found in the source by them, not by a pseudonym)."""
    key = TABLES_BY_NAME[table].key
    id_column = ENTITIES[table][0] if table in ENTITIES else key[0] if len(key) == 1 else None
    if id_column not in frame or not frame[id_column].duplicated().any():
        return frame
    repeated = frame.loc[frame[id_column].duplicated(keep=False) & frame[id_column].ne("")]
    # Spellings of one value (« collectivite », « Collectivité ») are one value.
    differing = repeated.apply(lambda column: column.astype(str).map(normalise_key)).assign(**{id_column: repeated[id_column]}) \
        .groupby(id_column, sort=False).nunique()
    differing = differing.loc[(differing > 1).any(axis=1)]
    if len(differing):
        lines = pd.Series(repeated.index, index=repeated[id_column]).groupby(level=0, sort=False).agg(list)
        conflicts.setdefault(table, []).extend((str(identifier), [c for c in differing.columns if row[c] > 1], sheet, lines[identifier])
                                               for identifier, row in differing.iterrows())
    return frame.loc[~frame[id_column].duplicated(keep="last" if last else "first") | frame[id_column].eq("")]


def _birth_dates(values: pd.Series) -> pd.Series:
    """Years of birth as written (``1990``), and full dates of birth, whatever their format
    (``12/03/1990``, a date cell), as ``AAAA-MM-JJ``: the same person gets the same identifier
    from either spelling; the year is kept after (:func:`_sheet_frames`)."""
    dates, bad = parse_date(values)
    return values.where(bad | values.eq(""), dates.dt.strftime("%Y-%m-%d"))


def _near_persons(names: pd.Series, births: pd.Series | None) -> list[tuple[str, str]]:
    """Pairs of a flat sheet's person names (with their birth, as written) that become two
    identifiers and most likely are one person: the same letters but for case, accents and
    punctuation (« N'DIAYE Aminata », « NDIAYE Aminata »), one letter apart, or one with a birth
    date and one without. Each distinct name once; names compared within the same length give or
    take one and the same first or last three letters (a typo keeps one of them)."""
    people = pd.DataFrame({"name": names.fillna("").astype(str).str.strip(),
                           "birth": "" if births is None else births.fillna("").astype(str).str.strip()}).drop_duplicates()
    people = people.loc[people["name"].ne("")]
    people["letters"] = people["name"].map(lambda n: re.sub(r"[^a-z0-9]", "", normalise_key(n)))
    people["told"] = people["name"].map(normalise_key) + "|" + people["birth"]
    people = people.drop_duplicates("told")
    found = []
    for column in ("head", "tail"):
        people[column] = people["letters"].str[:3] if column == "head" else people["letters"].str[-3:]
        pairs = people.merge(people, on=column, suffixes=("", "_other"))
        pairs = pairs.loc[(pairs["told"] < pairs["told_other"]) & ((pairs["letters"].str.len() - pairs["letters_other"].str.len()).abs() <= 1)]
        same = (pairs["letters"] == pairs["letters_other"]) & ((pairs["birth"] == pairs["birth_other"]) | pairs["birth"].eq("") | pairs["birth_other"].eq(""))
        near = [b == d and near_names(a, c) for a, b, c, d in zip(pairs["name"], pairs["birth"], pairs["name_other"], pairs["birth_other"])]
        chosen = pairs.loc[same | np.array(near, dtype=bool)]
        found += [(f"« {a} »" + (f" (né·e en {b[:4]})" if b else " (sans date de naissance)" if d else ""),
                   f"« {c} »" + (f" (né·e en {d[:4]})" if d else " (sans date de naissance)" if b else ""))
                  for a, b, c, d in zip(chosen["name"], chosen["birth"], chosen["name_other"], chosen["birth_other"])]
    return sorted(set(found))


def _link_flat(frames: dict[str, pd.DataFrame], index: pd.Index, key: bytes) -> list[tuple[str, str]]:
    """Identifiers of the entities of a flat sheet (given, or derived from their names, a person's
    with ``key``) and the contract's references to them; the contract's own identifier, when
    missing, is derived from its person, market, employer and start date (read as a date: the same
    contract in two yearly files gets the same identifier, whether its date is a date cell in one
    and text in the other). Returns the persons' names that most likely are one person
    (:func:`_near_persons`), for the terminal only."""
    contracts = frames.setdefault("contrats", pd.DataFrame(index=index))
    near: list[tuple[str, str]] = []
    for table, (id_column, name_column) in ENTITIES.items():
        frame = frames.get(table)
        if frame is None:
            continue
        if table == "operations" and "acheteurs" in frames and "id_acheteur" in frames["acheteurs"]:
            frame["id_acheteur"] = frames["acheteurs"]["id_acheteur"]
        if id_column not in frame and id_column in contracts:  # « Id participant » of the contract is the person's
            frame[id_column] = contracts[id_column]
        if table != "participants" and name_column not in frame and id_column in frame:
            frame[name_column] = frame[id_column]  # a market known by its number only: its number is its title
        if id_column not in frame or frame[id_column].eq("").all():
            if name_column not in frame:
                continue
            if table == "participants":
                near += _near_persons(frame[name_column], frame.get(BIRTH_YEAR))
            frame[id_column] = _derived_id(table, frame[name_column], key, frame.get(BIRTH_YEAR))
            if table != "participants":
                frame[id_column] = _told_apart(frame, id_column, table)
        contracts[id_column] = frame[id_column]
        frames[table] = frame.drop(columns=[name_column] if table == "participants" else [], errors="ignore")
    if "id_contrat" not in contracts or contracts["id_contrat"].eq("").all():
        parts = contracts.reindex(columns=["id_participant", "id_operation", "id_entreprise", "date_debut"]).fillna("")
        dates, bad = parse_date(parts["date_debut"])
        parts["date_debut"] = parts["date_debut"].where(bad | dates.isna(), dates.dt.strftime("%Y-%m-%d"))
        joined = parts.fillna("").astype(str).agg("|".join, axis=1)
        contracts["id_contrat"] = "C-" + joined.map(lambda k: hashlib.sha256(k.encode()).hexdigest()[:12])
    return near


#: The columns that tell apart two entities of one name (two markets « Lot 4 » of two buyers, two
#: employers of one name and two SIRET); the others are the entity's attributes (a differing one is
#: told: :func:`_one_per_identifier`).
_TELLS_APART = {"operations": ("id_acheteur",), "entreprises": ("siret",), "acheteurs": ("siret",)}


def _told_apart(frame: pd.DataFrame, id_column: str, table: str) -> pd.Series:
    """Identifiers derived from names, numbered (``OP-lot_4-2``) where one name is given to entities
    the columns of :data:`_TELLS_APART` tell apart: each its own identifier, the first one seen
    keeping the bare name."""
    derived = frame[id_column]
    signature = frame.reindex(columns=list(_TELLS_APART[table]), fill_value="").fillna("").astype(str).agg("\x1f".join, axis=1)
    seen = pd.Series(pd.factorize(derived + "\x1e" + signature)[0], index=frame.index)
    rank = seen.groupby(derived).rank(method="dense").astype(int)
    return derived.where((rank == 1) | (derived == ""), derived + "-" + rank.astype(str))


def _near_duplicates(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str, str]]:
    """Names of buyers, markets, employers and territories that differ by case, accents, spaces or
    one letter (a territory written two ways is two territories, each with its own report)."""
    found = []
    named = [(table, name_column) for table, (_, name_column) in ENTITIES.items()] + [("operations", "territoire")]
    for table, name_column in named:
        if table not in tables or name_column not in tables[table]:
            continue
        names = sorted(set(tables[table][name_column].dropna()) - {""})
        label = "territoires" if name_column == "territoire" else table
        found += [(label, a, b) for i, a in enumerate(names) for b in names[i + 1:] if near_names(a, b)]
    return found


def _fill_absent(tables: dict[str, pd.DataFrame], mapping: Mapping) -> list[str]:
    """The columns the kit needs (:attr:`impact.schema.Column.must_be_present`) that the source
    lacks. A yes-or-no or a category one is filled with the value decided in ``mapping.defaults``,
    or added there as ``""`` to decide (a public the export does not follow, an employer's size it
    does not record); a decision for a column the source now has is dropped. Returns the others
    (an identifier, a date, hours: one value for every row would be wrong; a header to map)."""
    absent, needed = [], set()
    for name, frame in tables.items():
        for column in TABLES_BY_NAME[name].columns:
            target = f"{name}.{column.name}"
            if column.name in frame or not column.must_be_present:
                continue
            if column.kind not in ("boolean", "category"):
                absent.append(target)
                continue
            needed.add(target)
            if mapping.defaults.setdefault(target, ""):
                frame[column.name] = mapping.defaults[target]
    mapping.defaults = {column: value for column, value in mapping.defaults.items() if column in needed}
    return absent


def _read_publics(tables: dict[str, pd.DataFrame], mapping: Mapping, invalid: dict[str, list[tuple[str, str]]]) -> dict[str, Counter]:
    """The list of publics of each person (:data:`PUBLICS_LIST`) read into the publics' yes-or-no
    columns (a public the list names is « oui », as in its own column when the source has one
    too; the others « non »), with the decisions of ``mapping`` (those that name no public go to
    ``invalid``); the items not read, once each with their count of rows (added to ``mapping`` as ``""``)."""
    frame, column = tables.get("participants"), PUBLICS_LIST.split(".")[1]
    if frame is None or column not in frame:
        return {}
    decided = {k: v for k, v in mapping.values.get(PUBLICS_LIST, {}).items() if v}
    known = public_lists.keys()
    _refused(PUBLICS_LIST, {k: v for k, v in decided.items() if public_lists.decision_codes(v, known) is None}, invalid)
    flags, unread = public_lists.split(frame.pop(column), decided)
    for code in flags.columns:
        frame[code] = frame[code].where(~flags[code], "oui") if code in frame else flags[code].map({True: "oui", False: "non"})
    if not unread:
        return {}
    mapping.values.setdefault(PUBLICS_LIST, {}).update({item: "" for item in unread if item not in mapping.values[PUBLICS_LIST]})
    return {PUBLICS_LIST: unread}


def allowed_decisions(name: str) -> str:
    """What a decision of ``[valeurs."name"]`` may be, in French (for a message)."""
    if name == PUBLICS_LIST:
        return f"{', '.join(PUBLICS)} (plusieurs : séparés par des virgules), ou « aucun »"
    table, column = name.split(".", 1)
    kind = next(c for c in TABLES_BY_NAME[table].columns if c.name == column)
    if kind.kind == "boolean":
        return "oui ou non"
    return ", ".join([*kind.codes, *([IGNORED] if name == _SITUATION else [])])


def _refused(name: str, decisions: dict[str, str], invalid: dict[str, list[tuple[str, str]]]) -> None:
    """Record in ``invalid`` the ``decisions`` of column ``name`` that give no code it takes."""
    if decisions:
        invalid.setdefault(name, []).extend(decisions.items())


def _not_read(column: Column, values: pd.Series) -> np.ndarray:
    """Whether each of ``values`` is no value of the yes-or-no or category ``column`` (an empty
    category is missing, not unread)."""
    if column.kind == "boolean":
        return parse_boolean(values)[1].to_numpy()
    keys = category_keys(column.codes, column.spellings)
    return values.map(lambda value: value != "" and category_code(keys, value) is None).to_numpy(dtype=bool)


def _map_values(tables: dict[str, pd.DataFrame], mapping: Mapping, invalid: dict[str, list[tuple[str, str]]]) -> dict[str, Counter]:
    """Apply the value decisions of ``mapping`` to their columns (any column: a spelling of a
    territory too) and list, once per distinct value with its count of rows, the values of the
    category and yes-or-no columns that are still no code (added to ``mapping`` as ``""``). A
    decision that gives no code of its column is not applied and goes to ``invalid``. A situation
    decided « ignorer » (« En cours »: nothing observed yet) leaves its follow-up out."""
    unmapped: dict[str, Counter] = {}
    not_observed = {value for value, code in mapping.values.get(_SITUATION, {}).items() if normalise_key(code) == IGNORED}
    if not_observed and "situation" in tables.get("suivis", {}):
        tables["suivis"] = tables["suivis"].loc[~tables["suivis"]["situation"].isin(not_observed)]
    for table, frame in tables.items():
        for column in TABLES_BY_NAME[table].columns:
            if column.name not in frame:
                continue
            name = f"{table}.{column.name}"
            chosen = {k: v for k, v in mapping.values.get(name, {}).items() if v and not (name == _SITUATION and normalise_key(v) == IGNORED)}
            coded = column.kind in ("boolean", "category")
            if coded:
                wrong = _not_read(column, pd.Series(list(chosen.values()), dtype=object))
                _refused(name, {k: v for (k, v), no in zip(chosen.items(), wrong) if no}, invalid)
                chosen = {k: v for (k, v), no in zip(chosen.items(), wrong) if not no}
            values = frame[column.name].replace(chosen) if chosen else frame[column.name]
            frame[column.name] = values
            if not coded:
                continue
            distinct = pd.Series(values.unique(), dtype=object)  # each value read once
            unread = distinct.loc[_not_read(column, distinct)].tolist()
            unknown = values.loc[values.isin(unread)]
            if not unknown.empty:
                unmapped[name] = Counter(unknown.to_numpy())
                mapping.values.setdefault(name, {}).update({v: "" for v in unmapped[name] if v not in mapping.values.get(name, {})})
    return unmapped


def _merged(pieces: list[pd.DataFrame], key: tuple[str, ...]) -> tuple[pd.DataFrame, tuple[int, list[str]]]:
    """The rows of one table from its sheets (numbered in :data:`_SOURCE`, in file name order): a
    row whose identifier a later sheet gives again is replaced by the later one (a contract still
    running in next year's workbook); no other row is dropped: rows repeated within one sheet, or
    without an identifier, are left for validation to name. Returns the rows and, for the replaced
    rows, how many and the columns where they differed from the rows kept."""
    frame = pd.concat(pieces, ignore_index=True).fillna("")
    key = [k for k in key if k in frame]
    if not key:
        return frame.drop(columns=_SOURCE), (0, [])
    identified = frame[key].ne("").all(axis=1)
    last = frame.groupby(key)[_SOURCE].transform("max")
    replaced = identified & (frame[_SOURCE] < last)
    kept = frame.loc[identified & ~replaced].drop(columns=_SOURCE).drop_duplicates(key, keep="last").set_index(key)
    old = frame.loc[replaced].drop(columns=_SOURCE).set_index(key)
    later = kept.reindex(old.index)
    differ = [c for c in old.columns if c in later and (~_same_values(old[c], later[c].fillna(""))).any()]
    return frame.loc[~replaced].drop(columns=_SOURCE), (int(replaced.sum()), differ)


def _same_values(first: pd.Series, second: pd.Series) -> pd.Series:
    """Whether two files give the same value: as written, or as the same date (a date cell in one
    yearly workbook, text in the next)."""
    (first_dates, first_bad), (second_dates, second_bad) = parse_date(first), parse_date(second)
    return first.eq(second) | (~first_bad & ~second_bad & first_dates.notna() & first_dates.eq(second_dates))


def import_source(source: Path, out: Path, mapping: Mapping | None = None, key: bytes | None = None) -> ImportResult:
    """Import ``source`` into the dataset folder ``out`` (one CSV per table, ``;`` and UTF-8 with
    BOM) with its ``correspondance.toml``; ``mapping`` holds the decisions of a previous import;
    ``key``: that of the persons' identifiers derived from their names (default: drawn at random
    for this import, told in :attr:`ImportResult.drawn_key`)."""
    mapping = mapping or Mapping()
    drawn = key is None
    key = secrets.token_bytes(32) if key is None else key
    pieces: dict[str, list[pd.DataFrame]] = {}
    told = _Told()
    sheets, empty = read_sheets(source), []
    sources = {sheet.source for sheet in sheets}
    for number, sheet in enumerate(sheets):
        frames = _sheet_frames(sheet, mapping, key, told, sources)
        if not frames and mapping.sheets[sheet.source] != IGNORED:
            empty.append(sheet.source)
        for table, frame in frames.items():
            pieces.setdefault(table, []).append(frame.assign(**{_SOURCE: number}))
    # Decisions for sheets this source does not have (last year's file): kept when another sheet took them over.
    unused = [s for s in mapping.sheets if s not in sources and s not in told.reused.values()]
    for gone in (set(told.reused.values()) | set(unused)) - sources:
        mapping.sheets.pop(gone, None)
        mapping.columns.pop(gone, None)
    if not pieces:
        raise ImportProblem("aucune feuille reconnue : aucune colonne ne correspond au dictionnaire des données", "import_rien_reconnu")
    tables, replaced = {}, {}
    for table in (t for t in TABLES if t.name in pieces):
        tables[table.name], replaced[table.name] = _merged(pieces[table.name], table.key)
    flat = [set(columns.values()) for sheet, columns in mapping.columns.items() if mapping.sheets.get(sheet) == FLAT]
    derived = any(NAMES_TOGETHER in targets and "participants.id_participant" not in targets for targets in flat)
    near = _near_duplicates(tables)
    invalid: dict[str, list[tuple[str, str]]] = {}
    unread_publics = _read_publics(tables, mapping, invalid)
    absent = _fill_absent(tables, mapping)
    unmapped = {**_map_values(tables, mapping, invalid), **unread_publics}
    written = []
    for name, frame in tables.items():
        columns = [c for c in TABLES_BY_NAME[name].names if c in frame]
        text = frame[columns].to_csv(sep=";", index=False, lineterminator="\n")
        written.append(atomic_write_bytes(Path(out) / f"{name}.csv", ("\ufeff" + text).encode("utf-8")))
    written.append(atomic_write_text(Path(out) / "correspondance.toml", mapping_toml(mapping, unmapped, near)))
    return ImportResult(tables, mapping, unmapped, near, written, {t: r for t, r in replaced.items() if r[0]},
                        drawn and derived, absent, told.conflicts, [sheet.source for sheet in sheets], told.reused, unused, empty, invalid,
                        sorted(set(told.near_persons)), told.doubled)
