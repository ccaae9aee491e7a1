"""The typed dataset object and its entry points :func:`load` and :func:`validate`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from impact.problems import ERROR, WARNING, ProblemLog, format_lines
from impact.reading import read_folder
from impact.validation import validate_tables


@dataclass(frozen=True)
class Dataset:
    """A dataset read from a folder, typed after the schema (SPEC section 2).

    Each table is a DataFrame indexed by its spreadsheet line (``ligne``) with every schema column:
    categories as pandas categoricals over their codes, dates as ``datetime64``, months as the
    first day of the month, booleans as ``bool``, numbers as ``float``, whole numbers as ``Int64``.
    Optional tables that the folder lacks are empty. ``problems`` lists every error and warning;
    ``sources`` maps every file read to its SHA-256; ``extra`` holds the unknown columns set aside.
    """

    path: Path
    acheteurs: pd.DataFrame
    operations: pd.DataFrame
    entreprises: pd.DataFrame
    participants: pd.DataFrame
    contrats: pd.DataFrame
    heures: pd.DataFrame
    suivis: pd.DataFrame
    territoires: pd.DataFrame
    problems: pd.DataFrame
    sources: dict[str, str] = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def errors(self) -> pd.DataFrame:
        """The problems that make the dataset unusable."""
        return self.problems.loc[self.problems["gravite"] == ERROR]

    @property
    def warnings(self) -> pd.DataFrame:
        """The problems that deserve a look but do not block."""
        return self.problems.loc[self.problems["gravite"] == WARNING]

    @property
    def is_valid(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return self.errors.empty

    def table(self, name: str) -> pd.DataFrame:
        """The table called ``name``."""
        return getattr(self, name)


class InvalidDatasetError(ValueError):
    """Raised by :func:`load` when the dataset has errors; ``problems`` lists them all."""

    def __init__(self, problems: pd.DataFrame) -> None:
        self.problems = problems
        errors = problems.loc[problems["gravite"] == ERROR]
        shown = "\n".join(format_lines(errors.head(20)))
        more = f"\n... et {len(errors) - 20} autres erreurs" if len(errors) > 20 else ""
        super().__init__(f"jeu de données invalide ({len(errors)} erreurs) :\n{shown}{more}")


def validate(path: str | Path) -> Dataset:
    """Read and check the dataset folder ``path``; never raises for bad data.

    The returned dataset carries every problem in ``problems``; check ``is_valid`` before use.
    """
    log = ProblemLog()
    raw = read_folder(Path(path), log)
    tables = validate_tables(raw.tables, log, raw.unreadable)
    extra = {name: t.extra for name, t in raw.tables.items() if not t.extra.empty or len(t.extra.columns)}
    return Dataset(path=Path(path), problems=log.frame(), sources=raw.sources, extra=extra, **tables)


def load(path: str | Path) -> Dataset:
    """Read the dataset folder ``path`` into a typed :class:`Dataset`.

    Raises :class:`InvalidDatasetError` when the dataset has errors (warnings are kept in
    ``Dataset.problems``).
    """
    dataset = validate(path)
    if not dataset.is_valid:
        raise InvalidDatasetError(dataset.problems)
    return dataset
