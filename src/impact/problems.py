"""Problems found in a dataset: errors and warnings, named by table, line and column (SPEC section 3).

Problems are collected as small DataFrames (one row per problem) so that a check over a million
rows adds its findings in one vectorised step. The line is the one a spreadsheet user sees: the
header is line 1, the first data row line 2. Table-level problems have no line or column. Each
problem has a kind (:data:`impact.hints.HINTS`) whose hint, ``correction``, says how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from impact.escaping import console, spreadsheet
from impact.hints import HINTS, correction_line, hint
from impact.schema import TABLES

ERROR = "erreur"
WARNING = "avertissement"
COLUMNS = ["table", "ligne", "colonne", "gravite", "message", "correction"]
#: Pseudo-table name for problems with the dataset folder itself.
FOLDER = "dossier"

_TABLE_ORDER = {name: i for i, name in enumerate([FOLDER, *(t.name for t in TABLES)])}


class ProblemLog:
    """Accumulates problems; :meth:`frame` gives them sorted by table, line and column."""

    def __init__(self) -> None:
        self._frames: list[pd.DataFrame] = []

    def add(
        self,
        table: str,
        lines: Sequence[int] | np.ndarray | pd.Index | int | None,
        column: str | None,
        messages: Sequence[str] | pd.Series | np.ndarray | str,
        kind: str,
        severity: str = ERROR,
    ) -> None:
        """Record one problem (scalar ``lines``) or one per line (array ``lines``) of the kind
        ``kind`` (a key of :data:`impact.hints.HINTS`, checked even when there is no line)."""
        if kind not in HINTS:
            raise KeyError(f"type de problème inconnu : {kind}")
        if lines is None or np.isscalar(lines):
            lines = [lines]
        lines = np.asarray(lines, dtype=object)
        if len(lines) == 0:
            return
        if isinstance(messages, str):
            messages = [messages] * len(lines)
        correction = hint(kind, table=table, colonne=column or "")
        self._frames.append(
            pd.DataFrame(
                {
                    "table": table,
                    "ligne": pd.array(lines, dtype="Int64"),
                    "colonne": column or "",
                    "gravite": severity,
                    "message": np.asarray(messages, dtype=object),
                    "correction": correction,
                }
            )
        )

    def error(self, table: str, lines, column: str | None, messages, kind: str) -> None:
        """Record errors: the dataset cannot be used."""
        self.add(table, lines, column, messages, kind, ERROR)

    def warning(self, table: str, lines, column: str | None, messages, kind: str) -> None:
        """Record warnings: the dataset can be used, but something deserves a look."""
        self.add(table, lines, column, messages, kind, WARNING)

    def has_errors(self, table: str) -> bool:
        """Whether an error was recorded for ``table``."""
        return any(((f["table"] == table) & (f["gravite"] == ERROR)).any() for f in self._frames)

    def frame(self) -> pd.DataFrame:
        """All problems, sorted by table (schema order), line, then column."""
        if not self._frames:
            return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "ligne" else "str") for c in COLUMNS})
        frame = pd.concat(self._frames, ignore_index=True)
        order = frame["table"].map(_TABLE_ORDER).fillna(len(_TABLE_ORDER))
        frame = frame.assign(_order=order).sort_values(
            ["_order", "ligne", "colonne", "message"], na_position="first", kind="stable"
        )
        return frame.drop(columns="_order").reset_index(drop=True)


#: How many lines a grouped problem names before ``…``.
SHOWN_LINES = 5


def format_lines(problems: pd.DataFrame) -> list[str]:
    """Each distinct problem once, as ``table:ligne:colonne: gravité : message`` (``-`` where not
    applicable) at its first line; a problem repeated on several lines (same table, column and
    message) ends with their count and the first :data:`SHOWN_LINES` of them. Under it, its hint
    ``  Pour corriger : …`` (:func:`impact.hints.correction_line`), once after consecutive problems that
    share it. For a terminal (:func:`impact.escaping.console`): no control character, long quoted
    values cut."""
    if problems.empty:
        return []
    frame = problems.reset_index(drop=True)
    group = frame.groupby(["table", "colonne", "gravite", "message"], sort=False, dropna=False).ngroup()
    rank = group.groupby(group).cumcount()
    count = group.map(group.value_counts())
    line = frame["ligne"].astype("string").fillna("-")
    shown = line[rank < SHOWN_LINES].groupby(group[rank < SHOWN_LINES]).agg(", ".join)
    first = rank == 0
    repeated = (" (" + count.astype(str) + " lignes : " + group.map(shown) + count.gt(SHOWN_LINES).map({True: "…", False: ""}) + ")").where(count > 1, "")
    column = frame["colonne"].replace("", "-")
    text = frame["table"] + ":" + line + ":" + column + ": " + frame["gravite"] + " : " + frame["message"] + repeated
    shown, corrections = text[first].tolist(), frame.loc[first, "correction"].tolist()
    lines = []
    for position, (problem, correction) in enumerate(zip(shown, corrections)):
        lines.append(console(problem))
        if correction != (corrections[position + 1] if position + 1 < len(corrections) else None):
            lines.append(console("  " + correction_line(correction)))
    return lines


def report_file(problems: pd.DataFrame, name: str) -> bytes:
    """The problems as a file for a spreadsheet user, named ``name``: an ``.xlsx`` workbook (string
    cells, line numbers as numbers) when ``name`` ends in ``.xlsx``; otherwise a ``;``-separated
    CSV in UTF-8 with a BOM (the encoding a French Excel opens), whose text cells that start like a
    formula are prefixed with ``'``."""
    if name.lower().endswith(".xlsx"):
        from impact.output import spreadsheet_bytes

        frame = problems.astype(object).where(problems.notna(), None)
        return spreadsheet_bytes(frame, {"ligne": "0"}, "problemes")
    text = problems.assign(**{c: problems[c].map(spreadsheet) for c in COLUMNS if c != "ligne"})
    return ("\ufeff" + text.to_csv(sep=";", index=False, lineterminator="\n")).encode("utf-8")


def summary(problems: pd.DataFrame) -> str:
    """One French sentence counting errors and warnings."""
    errors = int((problems["gravite"] == ERROR).sum())
    warnings = int((problems["gravite"] == WARNING).sum())

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n > 1 else ''}"

    verdict = "jeu de données inutilisable en l'état" if errors else "jeu de données utilisable"
    return f"{plural(errors, 'erreur')}, {plural(warnings, 'avertissement')} : {verdict}."
