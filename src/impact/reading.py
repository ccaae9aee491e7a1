"""Reading a dataset folder into raw text tables (SPEC section 2).

A dataset is a folder with one file per table (``<table>.csv`` or ``<table>.parquet``) or a single
Excel workbook with one sheet per table. Reading never fails with a traceback: what cannot be read
becomes a problem in the :class:`~impact.problems.ProblemLog`, named by table, line and column.

Every cell comes out as text (``""`` when empty) with its spreadsheet line number as the index;
typing the values is the job of :mod:`impact.validation`. Header names are matched to the schema
case-, accent- and space-insensitively; unknown columns are kept aside and reported as warnings.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from impact.problems import FOLDER, ProblemLog
from impact.schema import ALL_TABLES, TABLES, Table
from impact.values import normalise_key

#: Every table the reader knows, the optional comparison group included.
_BY_NAME = {t.name: t for t in ALL_TABLES}
#: Column headers that hold direct identifiers of a person, reported as such in any table.
IDENTIFYING_HEADERS = frozenset({"nom", "prenom", "nom_prenom", "nir", "numero_secu", "securite_sociale", "email", "courriel", "telephone", "adresse"})
#: Sheets of the kit's own workbook template that hold no data.
TEMPLATE_SHEETS = frozenset({"notice", "listes"})
_TABLE_KEYS = {normalise_key(t.name): t.name for t in TABLES}
#: How many rows from the top of a sheet may hold titles or banners above the header row.
HEADER_SEARCH_ROWS = 20
#: A totals row: its first cell starts with "Total" or "Sous-total".
_TOTAL = re.compile(r"^\s*(?:sous[\s-]?)?tota(?:l|ux)\b", re.IGNORECASE)


def _swallowed(lines: int) -> str:
    """The message of a quote left open at a row that covers ``lines`` lines of the file (ignored)."""
    if lines == 1:
        return "guillemet non fermé : ligne ignorée"
    return f"guillemet non fermé : les {lines} lignes qui commencent ici sont lues comme une seule valeur, ignorées"


def header_keys(table: Table) -> dict[str, str]:
    """Every spelling of a header accepted for ``table`` (after :func:`normalise_key`) with its
    column: the column's name, the dictionary's description with and without its parenthesis
    (``Date de début``, ``Année de naissance``), the headers of real exports the dictionary knows
    (``Civilité``, ``RQTH``: :attr:`impact.schema.Column.headers`), an identifier's name without ``id_``
    (``participant``), and ``id`` or ``identifiant`` for the table's own identifier. The names
    themselves win over other spellings."""
    keys: dict[str, str] = {}
    for column in table.columns:
        spellings = [re.sub(r"\s*\([^)]*\)", "", column.description), column.description, *column.headers]
        if column.name.startswith("id_"):
            spellings.append(column.name[3:])
        if column.identifier:
            spellings += ["id", "identifiant"]
        for spelling in spellings:
            keys.setdefault(normalise_key(spelling), column.name)
    keys.update({normalise_key(c.name): c.name for c in table.columns})
    return keys


def find_header(rows: list[list[str]], keys: dict[str, str] | set[str]) -> int:
    """Position of the header row among the first rows of a sheet: the first row that names the
    most known columns (``keys``, compared after :func:`normalise_key`); 0 when none does better
    than the first row."""
    scores = [len({normalise_key(v) for v in row if v} & set(keys)) for row in rows[:HEADER_SEARCH_ROWS]]
    return max(range(len(scores)), key=lambda i: (scores[i], -i)) if scores and max(scores) > scores[0] else 0


def _say_header(table: str, position: int, log: ProblemLog) -> None:
    """Warn that the header row was found below ``position`` title or banner rows."""
    if position:
        log.warning(table, position + 1, None, f"ligne d'en-tête trouvée ligne {position + 1} : "
                    f"{'la ligne 1 est ignorée' if position == 1 else f'les lignes 1 à {position} sont ignorées'} (titre ou bandeau)",
                    "entete_decalee")


#: Bounds of a workbook, checked from its zip directory and sheet headers before it is loaded:
#: total uncompressed size (bytes) and rows of one sheet.
MAX_WORKBOOK_BYTES = 300 * 1024 * 1024
MAX_SHEET_ROWS = 1_000_000


@dataclass
class RawTable:
    """One table as read: text cells indexed by spreadsheet line number."""

    name: str
    source: str
    data: pd.DataFrame
    extra: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class RawDataset:
    """What :func:`read_folder` found: the raw tables, the SHA-256 of every file read, and the
    tables whose file is there but could not be read (already reported)."""

    tables: dict[str, RawTable]
    sources: dict[str, str]
    unreadable: set[str] = field(default_factory=set)


def sha256(data: bytes) -> str:
    """Hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def read_folder(path: Path, log: ProblemLog) -> RawDataset:
    """Read every table file of the dataset folder ``path``.

    A workbook given instead of its folder is read alone; another file of a dataset given instead
    of its folder makes the whole folder read (with a warning). A missing folder is one error (the
    tables are then not reported absent one by one)."""
    path = Path(path)
    nothing = RawDataset({}, {}, {t.name for t in TABLES})
    if not path.exists():
        log.error(FOLDER, None, None, f"le dossier « {path} » n'existe pas", "dossier_absent")
        return nothing
    if path.is_file() and path.suffix.lower() in (".csv", ".parquet"):
        log.warning(FOLDER, None, None, f"« {path.name} » est un fichier : tout son dossier, « {path.parent} », est lu",
                    "fichier_au_lieu_du_dossier")
        path = path.parent
    if path.is_file() and path.suffix.lower() == ".xlsx":
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))
        outside = [p for p in files if not p.resolve().is_relative_to(path.resolve())]
        for file in outside:
            log.error(FOLDER, None, None, f"« {file.name} » est un lien vers un fichier hors du dossier du jeu de données : "
                      "il n'est pas lu", "lien_hors_dossier")
        files = [p for p in files if p not in outside]
    else:
        log.error(FOLDER, None, None, f"« {path} » n'est pas un dossier", "pas_un_dossier")
        return nothing
    workbooks = [p for p in files if p.suffix.lower() == ".xlsx"]
    flat = [p for p in files if p.suffix.lower() in (".csv", ".parquet")]
    tables: dict[str, RawTable] = {}
    sources: dict[str, str] = {}
    unreadable: set[str] = set()

    if len(workbooks) > 1:
        names = ", ".join(p.name for p in workbooks)
        log.error(FOLDER, None, None, f"plusieurs classeurs Excel ({names}) : un jeu de données tient dans un seul classeur",
                  "plusieurs_classeurs")
        return RawDataset({}, {})
    if workbooks and flat:
        log.error(FOLDER, None, None, f"le dossier mêle un classeur Excel ({workbooks[0].name}) et des fichiers CSV ou Parquet",
                  "classeur_et_csv")
        return RawDataset({}, {})

    if workbooks and not _read_workbook(workbooks[0], tables, sources, log):
        unreadable.update(t.name for t in TABLES)
    for file in flat:
        table = _TABLE_KEYS.get(normalise_key(file.stem))
        if table is None:
            log.warning(FOLDER, None, None, f"fichier « {file.name} » ignoré : son nom ne correspond à aucune table", "fichier_ignore")
            continue
        if table in tables:
            log.error(table, None, None, f"table fournie deux fois ({tables[table].source} et {file.name})", "table_en_double")
            continue
        data = file.read_bytes()
        sources[file.name] = sha256(data)
        reader = read_csv if file.suffix.lower() == ".csv" else _read_parquet
        frame = reader(data, table, file.name, log)
        if frame is None:
            unreadable.add(table)
        else:
            tables[table] = _resolve_columns(frame, table, file.name, log)
    if not files:
        log.error(FOLDER, None, None, f"le dossier « {path} » ne contient aucun fichier CSV, Parquet ou Excel", "dossier_vide")
    return RawDataset(tables, sources, unreadable)


def _decode(data: bytes, table: str, log: ProblemLog) -> tuple[str, str] | None:
    """Text and encoding of a CSV file in UTF-8 (with or without BOM) or Windows-1252; None if
    unreadable."""
    if data.startswith(b"PK\x03\x04"):
        log.error(table, None, None, "ce fichier .csv est en réalité un classeur Excel", "csv_est_un_classeur")
        return None
    if b"\x00" in data:
        log.error(table, None, None, "fichier binaire ou corrompu : ce n'est pas un fichier CSV lisible", "fichier_binaire")
        return None
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except UnicodeDecodeError:
            continue
    log.error(table, None, None, "encodage non reconnu (ni UTF-8, ni Windows-1252)", "encodage")
    return None


def read_csv(data: bytes, table: str, source: str, log: ProblemLog) -> pd.DataFrame | None:
    """Parse a CSV file into text cells indexed by line (the separator found is in
    ``attrs["separateur"]``); rows with too many or too few fields are named in errors."""
    decoded = _decode(data, table, log)
    if decoded is None:
        return None
    text, encoding = decoded
    if not text.strip():
        log.error(table, None, None, f"fichier vide : {source} doit contenir au moins la ligne d'en-tête", "fichier_vide")
        return None
    top = text.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max((";", ",", "\t"), key=lambda d: max(line.count(d) for line in top))
    schema = _BY_NAME.get(table)
    try:
        skipped_lines = find_header(list(csv.reader(top, delimiter=delimiter)), header_keys(schema)) if schema else 0
        header = next(csv.reader([top[skipped_lines]], delimiter=delimiter))
    except csv.Error:
        log.error(table, None, None, f"le fichier CSV ne peut pas être lu : une valeur de ses {len(top)} premières lignes dépasse "
                  f"{csv.field_size_limit():,} caractères (guillemet non fermé ?)".replace(",", "\u202f"), "csv_illisible")
        return None
    _say_header(table, skipped_lines, log)
    names = [f"c{i}" for i in range(len(header))]
    bad_rows: list[tuple[int | None, int, int, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        quote_open = row.text.count('"') % 2 == 1 or "\n" in row.text.strip()
        bad_rows.append((row.number, row.expected_columns, 0 if _TOTAL.match(row.text) else row.actual_columns,
                         row.text.strip().count("\n") + 1 if quote_open else 0))
        return "skip"

    # UTF-8 files go to the parser as they are; Windows-1252 ones are re-encoded.
    utf8 = data.removeprefix(b"\xef\xbb\xbf") if encoding == "utf-8" else text.encode("utf-8")
    try:
        arrow = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(use_threads=False, column_names=names, skip_rows=skipped_lines + 1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_invalid, ignore_empty_lines=False, newlines_in_values=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        log.error(table, None, None, f"le fichier CSV ne peut pas être lu (guillemet non fermé ou structure irrégulière) : {exc}",
                  "csv_illisible")
        return None
    frame = arrow.to_pandas()
    frame.attrs["separateur"] = delimiter
    frame.attrs["ligne_entete"] = skipped_lines + 1
    for number, expected, actual, breaks in bad_rows:
        if not actual:
            log.warning(table, number, None, "ligne de total ignorée", "ligne_total")
        elif breaks:
            log.error(table, number, None, _swallowed(breaks), "guillemet_non_ferme")
        else:
            detail = "trop de champs" if actual > expected else "champs manquants (ligne tronquée ?)"
            log.error(table, number, None, f"ligne ignorée : {actual} champs au lieu de {expected}, {detail}", "nombre_de_champs")
    skipped = {n for n, *_ in bad_rows if n is not None}
    candidates = np.arange(skipped_lines + 2, skipped_lines + 2 + len(frame) + len(bad_rows))
    lines = candidates[~np.isin(candidates, list(skipped))][: len(frame)]
    # A quoted value over several lines moves the rows after it down by as many lines.
    breaks = sum((frame[c].str.count("\n") for c in names), pd.Series(0, index=frame.index)).to_numpy()
    frame.index = pd.Index(lines + np.concatenate([[0], np.cumsum(breaks)[:-1]]).astype(int), name="ligne")
    # A quote left open swallows the rows after it: a line of the value then holds a whole row's
    # separators. A quoted value over several lines (an address, a description) keeps its own.
    whole_row = "\n" + f"(?:[^\n]*{re.escape(delimiter)}){{{max(len(names) - 1, 1)}}}"
    swallowed = pd.concat([frame[c].str.contains(whole_row, regex=True) for c in names], axis=1).any(axis=1)
    log.error(table, frame.index[swallowed.to_numpy()], None,
              [_swallowed(n + 1) for n in breaks[swallowed.to_numpy()]], "guillemet_non_ferme")
    frame = frame.loc[~swallowed.to_numpy()]
    frame.columns = header
    return frame


def read_file(file: Path, table: str, log: ProblemLog) -> RawTable | None:
    """One table from a lone CSV or Parquet ``file`` (the comparison group), or None when it cannot
    be read (the problem is logged)."""
    if not file.is_file():
        log.error(table, None, None, f"le fichier « {file} » n'existe pas", "fichier_absent")
        return None
    reader = _read_parquet if file.suffix.lower() == ".parquet" else read_csv
    frame = reader(file.read_bytes(), table, file.name, log)
    return None if frame is None else _resolve_columns(frame, table, file.name, log)


def _read_parquet(data: bytes, table: str, source: str, log: ProblemLog) -> pd.DataFrame | None:
    """Read a Parquet file and turn every cell to text (dates as ``AAAA-MM-JJ``)."""
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any reader failure is a user-facing problem
        log.error(table, None, None, f"fichier Parquet illisible ({type(exc).__name__} : {exc})", "parquet_illisible")
        return None
    text = pd.DataFrame(index=pd.RangeIndex(2, 2 + len(frame), name="ligne"))
    for name in frame.columns:
        column = frame[name].reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(column):
            column = column.dt.strftime("%Y-%m-%d")
        text[str(name)] = column.astype("string").fillna("").to_numpy(dtype=object)
    return text


def _cell_text(value: object) -> str:
    """Text of one Excel cell: dates as ``AAAA-MM-JJ``, whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.timedelta):  # a duration cell ([h]:mm): its hours
        hours = value.total_seconds() / 3600
        return str(int(hours)) if hours.is_integer() else f"{hours:.4f}".rstrip("0")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def workbook_problem(data: bytes) -> str | None:
    """Why the ``.xlsx`` workbook ``data`` is not loaded, or None: more than
    :data:`MAX_WORKBOOK_BYTES` once decompressed (a small file can unfold into gigabytes of shared
    strings), a sheet of more than :data:`MAX_SHEET_ROWS` rows (from the dimension the sheet
    declares), or links to external workbooks. Only the zip directory and the first bytes of each
    sheet are read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None  # not a zip at all: openpyxl says it is unreadable
    entries = archive.infolist()
    size = sum(e.file_size for e in entries)
    if size > MAX_WORKBOOK_BYTES:
        return (f"il occuperait {size / 1024 ** 2:,.0f} Mo une fois décompressé (au plus {MAX_WORKBOOK_BYTES // 1024 ** 2} Mo) : "
                "enregistrez les tables en CSV").replace(",", "\u202f")
    if any(e.filename.lower().startswith("xl/externallinks/") for e in entries):
        return "il contient des liaisons vers d'autres classeurs : copiez les valeurs (collage spécial, valeurs) et supprimez les liaisons"
    for entry in entries:
        if entry.filename.lower().startswith("xl/worksheets/") and entry.filename.lower().endswith(".xml"):
            with archive.open(entry) as stream:
                head = stream.read(4096).decode("utf-8", "replace")
            match = re.search(r'<(?:\w+:)?dimension ref="[A-Z]*\d+:?[A-Z]*(\d*)"', head)
            if match and match[1] and int(match[1]) > MAX_SHEET_ROWS:
                return (f"une feuille déclare {int(match[1]):,} lignes (au plus {MAX_SHEET_ROWS:,}) : enregistrez les tables en CSV"
                        ).replace(",", "\u202f")
    return None


def _read_workbook(file: Path, tables: dict[str, RawTable], sources: dict[str, str], log: ProblemLog) -> bool:
    """Read every sheet named after a table from one ``.xlsx`` workbook, once its bounds are checked
    (:func:`workbook_problem`); False if it is refused or unreadable."""
    import openpyxl

    data = file.read_bytes()
    sources[file.name] = sha256(data)
    problem = workbook_problem(data)
    if problem:
        log.error(FOLDER, None, None, f"classeur « {file.name} » refusé : {problem}", "classeur_refuse")
        return False
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        log.error(FOLDER, None, None, f"classeur « {file.name} » illisible ({type(exc).__name__}) : est-ce bien un fichier .xlsx ?",
                  "classeur_illisible")
        return False
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on damaged files
        log.error(FOLDER, None, None, f"classeur « {file.name} » illisible ({type(exc).__name__})", "classeur_illisible")
        return False
    try:
        for sheet in workbook.worksheets:
            key = normalise_key(sheet.title)
            table = _TABLE_KEYS.get(key)
            if table is None:
                if key not in TEMPLATE_SHEETS:
                    log.warning(FOLDER, None, None, f"feuille « {sheet.title} » du classeur ignorée : son nom ne correspond à aucune table",
                                "feuille_ignoree")
                continue
            source = f"{file.name}[{sheet.title}]"
            if table in tables:
                log.error(table, None, None, f"table fournie deux fois (feuilles « {tables[table].source} » et « {source} »)",
                          "table_en_double")
                continue
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if not rows:
                log.error(table, None, None, f"feuille « {sheet.title} » vide : elle doit contenir au moins la ligne d'en-tête",
                          "feuille_vide")
                continue
            top = find_header(rows, header_keys(_BY_NAME[table]))
            _say_header(table, top, log)
            header = rows[top]
            while header and header[-1] == "":
                header = header[:-1]
            width = len(header)
            body = [(r + [""] * width)[:width] for r in rows[top + 1:]]
            overflow = [i for i, r in enumerate(rows[top + 1:], start=top + 2) if any(v != "" for v in r[width:])]
            for line in overflow:
                log.error(table, line, None, "valeurs au-delà de la dernière colonne nommée", "valeurs_hors_entete")
            frame = pd.DataFrame(body, columns=header, index=pd.RangeIndex(top + 2, top + 2 + len(body), name="ligne"), dtype=object)
            frame.attrs["ligne_entete"] = top + 1
            tables[table] = _resolve_columns(frame, table, source, log)
    finally:
        workbook.close()
    return True


def _resolve_columns(frame: pd.DataFrame, table: str, source: str, log: ProblemLog) -> RawTable:
    """Match headers to the schema (:func:`header_keys`), set unknown columns aside, drop wholly
    empty rows and totals rows (with a warning)."""
    known = header_keys(_BY_NAME[table])
    line = frame.attrs.get("ligne_entete", 1)
    rename: dict[int, str] = {}
    extra: list[int] = []
    seen: dict[str, str] = {}
    for position, header in enumerate(frame.columns):
        name = known.get(normalise_key(header))
        if name is None:
            extra.append(position)
            label = str(header).strip() or f"(colonne {position + 1} sans en-tête)"
            if normalise_key(header) in IDENTIFYING_HEADERS:
                log.warning(table, line, label, "colonne de données directement identifiantes", "colonne_identifiante")
            else:
                log.warning(table, line, label, "colonne inconnue, ignorée", "colonne_inconnue")
        elif name in seen:
            log.error(table, line, name, f"colonne en double (« {seen[name]} » et « {header} »)", "colonne_en_double")
            extra.append(position)
        else:
            seen[name] = str(header)
            rename[position] = name
    data = frame.iloc[:, list(rename)].copy()
    data.columns = list(rename.values())
    extra_frame = frame.iloc[:, extra].copy()
    empty = np.ones(len(frame), dtype=bool)
    for position in range(frame.shape[1]):
        empty &= frame.iloc[:, position].astype("str").str.strip().eq("").to_numpy()
    total = np.zeros(len(frame), dtype=bool)
    if frame.shape[1]:
        total = frame.iloc[:, 0].astype("str").str.contains(_TOTAL).to_numpy(dtype=bool)
        log.warning(table, frame.index[total], None, "ligne de total ignorée", "ligne_total")
    keep = ~empty & ~total
    return RawTable(table, source, data.loc[keep], extra_frame.loc[keep])
