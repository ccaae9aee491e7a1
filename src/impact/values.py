"""Cell value formats of real French office exports (SPEC section 2).

Each parser takes a column of raw text (as read from CSV, Excel or Parquet, see
:mod:`impact.reading`) and returns the typed column plus a boolean mask of the cells that could not
be read. Empty cells are missing values, never errors: whether a value is required is checked by
:mod:`impact.validation`.

Parsers work on the distinct values of a column (``pandas.factorize``) and map the result back, so
a column of millions of rows with a few thousand distinct dates costs one hashing pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

TRUE_WORDS = frozenset({"oui", "o", "vrai", "true", "1", "x"})
FALSE_WORDS = frozenset({"non", "n", "faux", "false", "0", ""})
_SEPARATORS = re.compile(r"[\s'\-]+")
_THOUSANDS = re.compile(r"[\s\u00a0\u202f]")
#: A unit written after a number: ``35 h``, ``12 €``, ``1 200 euros``.
_UNIT = re.compile(r"(?<=\d)\s*(?:h|hrs?|heures?|€|eur|euros?)\.?$", re.IGNORECASE)
#: Cells that say "unknown" or "not given": read as an empty cell, or as the ``inconnu(e)`` code of
#: a list that has one (compared after :func:`normalise_key`, which turns ``-`` and ``--`` into ``_``).
UNKNOWN_WORDS = frozenset({"_", "?", "??", "nc", "n.c.", "n/c", "nr", "n/a", "inconnu", "inconnue", "non_renseigne", "non_connu"})
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                 "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y")
_MONTH_FORMATS = ("%Y-%m", "%m/%Y", "%m.%Y", "%m-%Y", "%Y/%m", *_DATE_FORMATS)
#: Hours and minutes as timesheets write them (« 151h40 », « 7:30 »).
_HOURS_MINUTES = r"^\s*(\d+)\s*[h:]\s*([0-5]\d)\s*$"
#: French month names and their usual abbreviations (after :func:`normalise_key`), for ``mars 2023``.
_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (("janvier", "janv", "jan"), ("fevrier", "fevr", "fev", "feb"), ("mars", "mar"), ("avril", "avr", "apr"), ("mai", "may"),
         ("juin", "jun"), ("juillet", "juil", "jul"), ("aout", "aug"), ("septembre", "sept", "sep"), ("octobre", "oct"),
         ("novembre", "nov"), ("decembre", "dec")),
        start=1,
    )
    for name in names
}
_NAMED_MONTH = re.compile(r"([a-z]+)\.?_?(\d{4}|\d{2})")
#: A date exported as Excel's serial number (a date column formatted « Standard »): days since
#: 30/12/1899, from 1955 (20 000) to 2118 (80 000).
_SERIAL = re.compile(r"\d{5}(?:[.,]0+)?")
_SERIAL_RANGE = (20_000, 80_000)


def normalise_key(text: str) -> str:
    """Comparison key of a header or a category code.

    Case, accents and surrounding spaces are ignored; inner spaces, hyphens and apostrophes
    become ``_``: ``" Heures réalisées"`` gives ``heures_realisees``, ``"Bailleur social"`` gives
    ``bailleur_social``.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub("_", plain).replace("œ", "oe")


def is_unknown(text: str) -> bool:
    """Whether a cell says "unknown" (``NC``, ``?``, ``-``, ``inconnu``...): see :data:`UNKNOWN_WORDS`."""
    return normalise_key(text) in UNKNOWN_WORDS


def _by_unique(
    raw: pd.Series, parse: Callable[[pd.Index], tuple[np.ndarray, np.ndarray]], empty: object, unknown_is_blank: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``parse`` to the distinct values of ``raw`` (stripped) and map the result back.

    ``parse`` returns (values, invalid) for the distinct values. Empty cells, and cells that say
    "unknown" (:func:`is_unknown`) unless ``unknown_is_blank`` is false, get ``empty`` and are
    never invalid.
    """
    codes, uniques = pd.factorize(raw.fillna("").to_numpy(dtype=object))
    text = pd.Index(uniques, dtype=object).astype(str).str.strip()
    values, invalid = parse(text)
    blank = np.array([t == "" or (unknown_is_blank and is_unknown(t)) for t in text], dtype=bool)
    invalid = np.asarray(invalid, dtype=bool) & ~blank
    values = np.where(blank | invalid, empty, np.asarray(values))
    return values[codes], invalid[codes]


def parse_number(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers with a decimal comma or point; spaces and non-breaking spaces as thousands
    separators (``1 234,5`` is 1234.5); a unit after the number is dropped (``35 h``, ``12 €``);
    hours and minutes as timesheets write them (``151h40``, ``7:30``: 151.67 and 7.5). A value
    holding both a comma and a point is refused."""

    def parse(uniques: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        raw_text = pd.Series(uniques, dtype=object).astype(str)
        clock = raw_text.str.extract(_HOURS_MINUTES).astype(float)
        text = raw_text.str.replace(_UNIT, "", regex=True)
        text = text.str.replace(_THOUSANDS, "", regex=True)
        ambiguous = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
        text = text.str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(text.where(~ambiguous, "x"), errors="coerce").to_numpy(dtype=float)
        numbers = np.where(clock[0].notna(), clock[0] + clock[1] / 60, numbers)
        return numbers, np.isnan(numbers)

    values, bad = _by_unique(raw, parse, np.nan)
    return pd.Series(values.astype(float), index=raw.index), pd.Series(bad, index=raw.index)


def parse_integer(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers (``1 990``, ``2024``, ``6,0``); a fractional value is refused."""
    numbers, bad = parse_number(raw)
    fractional = numbers.notna() & (numbers != np.round(numbers))
    return numbers.where(~fractional).astype("Int64"), bad | fractional


def _parse_dates(uniques: pd.Index, formats: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Dates of the distinct values, trying each format in turn (the time of day is dropped)."""
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    serial = pd.to_numeric(text.where(text.str.fullmatch(_SERIAL)).str.replace(",", "."), errors="coerce")
    serial = serial.where(serial.between(*_SERIAL_RANGE))
    result[serial.notna()] = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial[serial.notna()], unit="D")
    for fmt in formats:
        todo = result.isna()
        if not todo.any():
            break
        result[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    return result.dt.normalize().to_numpy(), result.isna().to_numpy()


def parse_date(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Calendar days as ``AAAA-MM-JJ``, ``JJ/MM/AAAA``, ``JJ/MM/AA``, ``JJ.MM.AAAA`` or
    ``JJ-MM-AAAA``, with or without a time of day (``2023-03-15 00:00:00``). Excel date cells
    arrive as ``AAAA-MM-JJ`` from :mod:`impact.reading`; a date column exported as numbers gives
    Excel's serial numbers (``45366``: 15/03/2024), read as such from 20 000 to 80 000."""
    values, bad = _by_unique(raw, lambda u: _parse_dates(u, _DATE_FORMATS), np.datetime64("NaT"))
    return pd.Series(values.astype("datetime64[ns]"), index=raw.index), pd.Series(bad, index=raw.index)


def parse_month(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Calendar months as ``AAAA-MM``, ``MM/AAAA``, ``MM-AAAA``, ``AAAA/MM``, ``mars 2023`` or ``mars-23`` (French names,
    usual abbreviations, and Excel's English ones); a full date gives its month. The result is the
    first day of the month."""

    def parse(uniques: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        named = [_NAMED_MONTH.fullmatch(normalise_key(u)) for u in uniques]
        text = [  # « janv.-24 »: Excel's month display (mmm-yy), the year of this century
            f"{m[2] if len(m[2]) == 4 else '20' + m[2]}-{_MONTH_NAMES[m[1]]:02d}" if m and m[1] in _MONTH_NAMES else u
            for m, u in zip(named, uniques)
        ]
        return _parse_dates(pd.Index(text, dtype=object), _MONTH_FORMATS)

    values, bad = _by_unique(raw, parse, np.datetime64("NaT"))
    months = pd.Series(values.astype("datetime64[ns]"), index=raw.index)
    return months.dt.to_period("M").dt.to_timestamp(), pd.Series(bad, index=raw.index)


def parse_boolean(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``oui``/``non``, ``o``/``n``, ``vrai``/``faux``, ``true``/``false``, ``1``/``0``, ``x``/empty."""

    def parse(uniques: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        keys = [normalise_key(u) for u in uniques]
        values = np.array([k in TRUE_WORDS for k in keys], dtype=bool)
        invalid = np.array([k not in TRUE_WORDS and k not in FALSE_WORDS for k in keys], dtype=bool)
        return values, invalid

    values, bad = _by_unique(raw, parse, False)
    return pd.Series(values.astype(bool), index=raw.index), pd.Series(bad, index=raw.index)


def category_keys(codes: Mapping[str, str], spellings: Mapping[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """Every spelling accepted for the codes of a list (after :func:`normalise_key`), with its code:
    the code, its French label (``CDD d'insertion (CDDI)``), the label without its parenthesis
    (``CDD d'insertion``), the acronym in the parenthesis (``CDDI``), the other ``spellings`` of
    real exports given for a code (``Mme``, ``CAP``) and, when the list has an ``inconnu(e)`` code,
    the words of :data:`UNKNOWN_WORDS`. The codes themselves win over labels."""
    unknown = next((code for code in codes if code in ("inconnu", "inconnue")), None)
    keys = dict.fromkeys(UNKNOWN_WORDS, unknown) if unknown else {}
    for code, label in codes.items():
        plain = re.sub(r"\s*\([^)]*\)", "", label)
        acronym = re.fullmatch(r".*\(([A-Z]{2,})\)\s*", label)
        for spelling in (plain, label, *([acronym[1]] if acronym else []), *(spellings or {}).get(code, ())):
            keys.setdefault(normalise_key(spelling), code)
    keys.update({normalise_key(code): code for code in codes})
    return keys


def category_code(keys: Mapping[str, str], value: str) -> str | None:
    """The code of a written value among the spellings ``keys`` (:func:`category_keys`): the value
    itself, else without its parenthesis, else the parenthesis alone (« Niveau 4 (Bac) », « CDD
    (6 mois) »); None when none is a spelling of the list."""
    text = str(value)
    inside = re.search(r"\(([^)]*)\)", text)
    for candidate in (text, re.sub(r"\s*\([^)]*\)", "", text), inside[1] if inside else ""):
        code = keys.get(normalise_key(candidate))
        if code is not None and candidate.strip():
            return code
    return None


def parse_category(raw: pd.Series, codes: Mapping[str, str], spellings: Mapping[str, tuple[str, ...]] | None = None) -> tuple[pd.Series, pd.Series]:
    """Category codes read case-, accent- and space-insensitively (``Travaux `` is ``travaux``,
    ``f`` is ``F``), or their labels and other ``spellings`` (:func:`category_keys`). The result is
    a pandas categorical over the declared codes."""
    canonical = category_keys(codes, spellings)

    def parse(uniques: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        found = [category_code(canonical, u) for u in uniques]
        return np.array(found, dtype=object), np.array([f is None for f in found], dtype=bool)

    values, bad = _by_unique(raw, parse, None, unknown_is_blank=not any(c in ("inconnu", "inconnue") for c in codes))
    typed = pd.Categorical(values, categories=list(codes))
    return pd.Series(typed, index=raw.index), pd.Series(bad, index=raw.index)


def parse_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text with surrounding spaces removed; an empty cell is missing."""
    text = raw.astype("str").str.strip()
    return text.mask(text == ""), pd.Series(False, index=raw.index)


PARSERS: dict[str, Callable[[pd.Series], tuple[pd.Series, pd.Series]]] = {
    "text": parse_text,
    "number": parse_number,
    "integer": parse_integer,
    "date": parse_date,
    "month": parse_month,
    "boolean": parse_boolean,
}

#: How each kind is named in French messages.
KIND_LABELS = {
    "text": "un texte",
    "number": "un nombre",
    "integer": "un nombre entier",
    "date": "une date (AAAA-MM-JJ ou JJ/MM/AAAA)",
    "month": "un mois (AAAA-MM)",
    "boolean": "oui ou non",
    "category": "un code de la liste",
}
