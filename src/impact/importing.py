"""``impact importer``: real exports turned into a dataset folder in the kit's format.

A source is a workbook (any sheet names, title or banner rows above the header, merged title
cells, a totals row), a folder of CSV files with any names (UTF-8 with or without BOM or
Windows-1252; ``;``, ``,`` or tab), a folder of workbooks (one per year), or a *flat* sheet with
one row per contract that holds the person, the employer, the market and the buyer on each row.

Each sheet's header row is found (:func:`impact.reading.find_header`) and its columns recognised
by the dictionary's names, descriptions and synonyms (:func:`impact.reading.header_keys`). A
sheet whose recognised columns belong to three tables or more is flat: it is split into the
tables, with identifiers derived from the names when the sheet has none (a person's name never
reaches the dataset: its identifier is a hash). Sheets of the same table are merged; a row
repeated across files (a contract still running in the next yearly workbook, a month declared
twice) is kept once, from the last file by name.

Every decision is written to ``correspondance.toml`` beside the dataset: the table of each sheet,
the column of each header, the code of each value the kit could not read (to complete). Given back
with ``--correspondance``, the file's decisions are applied as they stand, so next year's export
goes in with the same choices.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from impact.hints import UserError
from impact.output import atomic_write_bytes, atomic_write_text
from impact.problems import ProblemLog
from impact.reading import _TOTAL, _cell_text, _decode, find_header, header_keys
from impact.schema import TABLES, TABLES_BY_NAME
from impact.validation import near_names
from impact.values import category_keys, normalise_key

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
    "participants.personne": ("participant", "personne", "salarie", "beneficiaire", "nom_prenom", "nom_et_prenom", "nom_du_participant"),
}
#: Identifier column of each table whose identifier can be derived from a name, and the name.
ENTITIES = {"acheteurs": ("id_acheteur", "nom"), "operations": ("id_operation", "intitule"),
            "entreprises": ("id_entreprise", "raison_sociale"), "participants": ("id_participant", "personne")}


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


@dataclass
class ImportResult:
    """What :func:`import_source` did: the tables written, the decisions, the values it could not
    map (``table.colonne`` → value → rows), the near-duplicate names (table, name, other name)."""

    tables: dict[str, pd.DataFrame]
    mapping: Mapping
    unmapped: dict[str, Counter]
    near_duplicates: list[tuple[str, str, str]]
    written: list[Path]


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
        raise ImportProblem(f"« {source} » ne contient aucun classeur .xlsx ni fichier .csv", "import_rien_a_lire")
    return sheets


def _workbook_sheets(file: Path) -> list[Sheet]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on damaged files
        raise ImportProblem(f"classeur « {file.name} » illisible ({type(exc).__name__})", "classeur_illisible") from None
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


def _column_keys() -> dict[str, dict[str, str]]:
    """For each table, its header spellings (:func:`impact.reading.header_keys`) with ``table.colonne``."""
    return {t.name: {k: f"{t.name}.{c}" for k, c in header_keys(t).items()} for t in TABLES}


def _guess_columns(header: list[str], sheet_table: str | None) -> tuple[str, dict[str, str]]:
    """The target of a sheet (a table, :data:`FLAT` or :data:`IGNORED`) and of each of its headers.

    A sheet is flat when its recognised headers belong, each to one table only, to three tables or
    more; otherwise it is the table that recognises the most headers (or its name's table)."""
    keys = _column_keys()
    owners = {k: {t for t, spellings in keys.items() if k in spellings} for k in map(normalise_key, header)}
    only = Counter(next(iter(tables)) for tables in owners.values() if len(tables) == 1)
    names = {normalise_key(h): target for target, spellings in NAME_HEADERS.items() for h in spellings}
    flat = len(only) >= 3 and sheet_table is None
    if flat:
        columns = {}
        for text in header:
            key = normalise_key(text)
            if not key:
                continue
            owned = sorted(owners[key], key=lambda t: -only[t])
            columns[text] = names.get(key) or (keys[owned[0]][key] if owned else IGNORED)
        return FLAT, columns
    scores = Counter({t: sum(k in spellings for k in owners) for t, spellings in keys.items()})
    table = sheet_table or (scores.most_common(1)[0][0] if scores and scores.most_common(1)[0][1] else IGNORED)
    if table == IGNORED:
        return IGNORED, {}
    return table, {text: keys[table].get(normalise_key(text), IGNORED) for text in header if normalise_key(text)}


def read_mapping(path: Path) -> Mapping:
    """The decisions of a ``correspondance.toml`` (:func:`mapping_toml`); raises
    :class:`ImportProblem` when it cannot be read."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ImportProblem(f"correspondance « {path} » illisible : {exc}", "correspondance_illisible") from None
    sections = {"feuilles": data.get("feuilles", {})}
    for part in ("colonnes", "valeurs"):
        tables = data.get(part, {})
        sections.update({f"{part}.{k}": v for k, v in tables.items()} if isinstance(tables, dict) else {part: None})
    for name, section in sections.items():
        if not isinstance(section, dict) or not all(isinstance(v, str) for v in section.values()):
            raise ImportProblem(f"correspondance « {path} » : la section [{name}] doit associer des textes à des textes "
                                "(\"en-tête\" = \"valeur\")", "correspondance_illisible")
    columns = {k[len("colonnes."):]: v for k, v in sections.items() if k.startswith("colonnes.")}
    known = {f"{t.name}.{c}" for t in TABLES for c in t.names} | {f"{t}.{n}" for t, (_, n) in ENTITIES.items()}
    wrong = [f"[feuilles] « {s} » = « {t} »" for s, t in sections["feuilles"].items() if t not in TABLES_BY_NAME and t not in (FLAT, IGNORED)]
    wrong += [f"[colonnes.« {s} »] « {h} » = « {t} »" for s, cols in columns.items() for h, t in cols.items() if t != IGNORED and t not in known]
    if wrong:
        raise ImportProblem(f"correspondance « {path} » : décision inconnue : {', '.join(wrong[:5])}", "correspondance_decision")
    return Mapping(dict(sections["feuilles"]), columns, {k[len("valeurs."):]: v for k, v in sections.items() if k.startswith("valeurs.")})


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
        lines += ["", f"# Valeurs de {column} : le code du kit de chaque valeur (vide : à compléter).", f"[valeurs.{_toml(column)}]"]
        lines += [f"{_toml(value)} = {_toml(code)}" + (f"  # {unmapped[column][value]} ligne(s)" if value in unmapped.get(column, {}) else "")
                  for value, code in values.items()]
    if near:
        lines += ["", "# Noms presque identiques, importés comme deux entités : corrigez la source s'il s'agit de la même."]
        lines += [f"# {table} : {_toml(a)} et {_toml(b)}" for table, a, b in near]
    return "\n".join(lines) + "\n"


def _derived_id(table: str, names: pd.Series) -> pd.Series:
    """Identifiers derived from names: the normalised name for buyers, markets and employers
    (``ENT-boulangerie_martin``), a hash for persons (``P-3f2a...``: the name never reaches the
    dataset)."""
    keys = names.fillna("").map(normalise_key)
    if table == "participants":
        return ("P-" + keys.map(lambda k: hashlib.sha256(k.encode()).hexdigest()[:12])).where(keys != "", "")
    prefix = {"acheteurs": "ACH-", "operations": "OP-", "entreprises": "ENT-"}[table]
    return (prefix + keys.str.replace(r"[^a-z0-9_]", "", regex=True).str[:60]).where(keys != "", "")


def _sheet_frames(sheet: Sheet, mapping: Mapping) -> dict[str, pd.DataFrame]:
    """The table rows of one sheet (text cells, schema columns), after its decisions in ``mapping``
    (added there when new)."""
    fixed = mapping.sheets.get(sheet.source)
    name_table = TABLES_BY_NAME.get(normalise_key(sheet.source.rsplit("[", 1)[-1].rstrip("]").rsplit(".", 1)[0]))
    sheet_table = (name_table.name if name_table else None) or SHEET_SYNONYMS.get(
        normalise_key(sheet.source.rsplit("[", 1)[-1].rstrip("]").rsplit(".", 1)[0]))
    all_keys = set().union(*(_column_keys().values()), *(set(v) for v in NAME_HEADERS.values()))
    top = find_header(sheet.rows, all_keys | {normalise_key(h) for h in mapping.columns.get(sheet.source, {})})
    header = [h.strip() for h in sheet.rows[top]] if sheet.rows else []
    target, columns = _guess_columns(header, fixed if fixed in TABLES_BY_NAME else sheet_table)
    target = fixed or target
    columns = {**columns, **mapping.columns.get(sheet.source, {})}
    mapping.sheets[sheet.source] = target
    mapping.columns[sheet.source] = columns
    if target == IGNORED or not sheet.rows:
        return {}
    width = len(header)
    body = pd.DataFrame([(r + [""] * width)[:width] for r in sheet.rows[top + 1:]], columns=range(width), dtype=object).fillna("")
    body = body.loc[~body.apply(lambda c: c.astype(str).str.strip().eq("")).all(axis=1)]
    body = body.loc[~body[0].astype(str).str.contains(_TOTAL)] if width else body
    by_target: dict[str, pd.Series] = {}
    for position, text in enumerate(header):
        chosen = columns.get(text, IGNORED)
        if chosen != IGNORED and chosen not in by_target:
            by_target[chosen] = body[position].astype(str).str.strip()
    tables = sorted({t.split(".")[0] for t in by_target} if target == FLAT else {target})
    frames = {table: pd.DataFrame({c.split(".", 1)[1]: v for c, v in by_target.items() if c.startswith(table + ".")}, index=body.index)
              for table in tables}
    if target == FLAT:
        _link_flat(frames, body.index)
    return frames


def _link_flat(frames: dict[str, pd.DataFrame], index: pd.Index) -> None:
    """Identifiers of the entities of a flat sheet (given, or derived from their names) and the
    contract's references to them; the contract's own identifier, when missing, is derived from
    its person, market, employer and start date (the same contract in two yearly files gets the
    same identifier)."""
    contracts = frames.setdefault("contrats", pd.DataFrame(index=index))
    for table, (id_column, name_column) in ENTITIES.items():
        frame = frames.get(table)
        if frame is None:
            continue
        if id_column not in frame or frame[id_column].eq("").all():
            if name_column not in frame:
                continue
            frame[id_column] = _derived_id(table, frame[name_column])
        contracts[id_column] = frame[id_column]
        if table == "operations" and "acheteurs" in frames and "id_acheteur" in frames["acheteurs"]:
            frame["id_acheteur"] = frames["acheteurs"]["id_acheteur"]
        frames[table] = frame.drop(columns=[name_column] if table == "participants" else [], errors="ignore")
    if "id_contrat" not in contracts or contracts["id_contrat"].eq("").all():
        parts = contracts.reindex(columns=["id_participant", "id_operation", "id_entreprise", "date_debut"]).fillna("")
        joined = parts.astype(str).agg("|".join, axis=1)
        contracts["id_contrat"] = "C-" + joined.map(lambda k: hashlib.sha256(k.encode()).hexdigest()[:12])


def _near_duplicates(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str, str]]:
    """Names of buyers, markets and employers that differ by case, accents, spaces or one letter."""
    found = []
    for table, (_, name_column) in ENTITIES.items():
        if table not in tables or name_column not in tables[table]:
            continue
        names = sorted(set(tables[table][name_column].dropna()) - {""})
        found += [(table, a, b) for i, a in enumerate(names) for b in names[i + 1:] if near_names(a, b)]
    return found


def _map_values(tables: dict[str, pd.DataFrame], mapping: Mapping) -> dict[str, Counter]:
    """Apply the value decisions of ``mapping`` to the category columns and list, once per distinct
    value with its count of rows, the values that are still no code (added to ``mapping`` as
    ``""``)."""
    unmapped: dict[str, Counter] = {}
    for table, frame in tables.items():
        for column in TABLES_BY_NAME[table].columns:
            if column.kind != "category" or column.name not in frame:
                continue
            name = f"{table}.{column.name}"
            chosen = {k: v for k, v in mapping.values.get(name, {}).items() if v}
            values = frame[column.name].replace(chosen)
            frame[column.name] = values
            keys = category_keys(column.codes)
            unknown = values.loc[(values != "") & ~values.map(normalise_key).isin(keys)]
            if not unknown.empty:
                unmapped[name] = Counter(unknown.to_numpy())
                mapping.values.setdefault(name, {}).update({v: "" for v in unmapped[name] if v not in mapping.values.get(name, {})})
    return unmapped


def import_source(source: Path, out: Path, mapping: Mapping | None = None) -> ImportResult:
    """Import ``source`` into the dataset folder ``out`` (one CSV per table, ``;`` and UTF-8 with
    BOM) with its ``correspondance.toml``; ``mapping`` holds the decisions of a previous import."""
    mapping = mapping or Mapping()
    pieces: dict[str, list[pd.DataFrame]] = {}
    for sheet in read_sheets(source):
        for table, frame in _sheet_frames(sheet, mapping).items():
            pieces.setdefault(table, []).append(frame)
    if not pieces:
        raise ImportProblem("aucune feuille reconnue : aucune colonne ne correspond au dictionnaire des données", "import_rien_reconnu")
    tables = {}
    for table in (t for t in TABLES if t.name in pieces):
        frame = pd.concat(pieces[table.name], ignore_index=True).fillna("")
        key = [k for k in table.key if k in frame]
        tables[table.name] = frame.drop_duplicates(subset=key, keep="last") if key else frame.drop_duplicates()
    near = _near_duplicates(tables)
    unmapped = _map_values(tables, mapping)
    written = []
    for name, frame in tables.items():
        columns = [c for c in TABLES_BY_NAME[name].names if c in frame]
        text = frame[columns].to_csv(sep=";", index=False, lineterminator="\n")
        written.append(atomic_write_bytes(Path(out) / f"{name}.csv", ("\ufeff" + text).encode("utf-8")))
    written.append(atomic_write_text(Path(out) / "correspondance.toml", mapping_toml(mapping, unmapped, near)))
    return ImportResult(tables, mapping, unmapped, near, written)
