"""The one table writer of the reports: a pandoc pipe table that HTML, Word and Typst (PDF) all turn
into a real table, laid out to the conventions of official statistics.

- Column widths come from the content: each column is as wide as its longest figure or the
  longest word of its heading (in bold: :data:`BOLD`), the label column as wide as its labels up
  to :data:`LABEL_WIDTH` characters (pandoc gives each column the share of its dashes in the
  separator line, in the three formats: the dashes count each column's padding too). Labels are left-aligned, figures right-aligned; hyphenation is turned off in table
  cells by the templates (``reports/``).
- A zero reads ``–`` (an en dash), the convention for a nil value.
- A table that shows the mark of a masked value carries the footnote that explains it, once,
  under the table, with the notes given (Champ, Source, Lecture...), in a block styled ``Notes``
  (HTML class ``notes``, Word paragraph style ``Notes``).
- A table too wide for an A4 page in portrait (more than :data:`MAX_COLUMNS` columns, or wider than
  :data:`PAGE_CHARACTERS` characters) is transposed when it has few rows and then fits; otherwise
  it goes on a page of its own in landscape (a ``paysage`` block: Typst and Word turn the page,
  HTML lets the table scroll in its frame) when it fits one (:data:`LANDSCAPE_COLUMNS`,
  :data:`LANDSCAPE_CHARACTERS`); otherwise it is cut into several tables that each repeat the
  label column.

The cells arrive formatted (French numbers with a fixed number of decimals per column, see
:func:`impact.bilan.cell`); this module lays them out and escapes them: cells, headings, caption
and notes are plain text (:func:`impact.escaping.markdown`), a :class:`impact.escaping.Markup`
cell is kept as the Markdown it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from impact.escaping import Markup, markdown
from impact.formatting import unit_kept
from impact.publication import FOOTNOTE, MARK

#: Characters of table text (8.5 pt DejaVu Sans) on the width of an A4 page less its margins,
#: padding of the cells included.
PAGE_CHARACTERS = 96
#: Most columns a table keeps in portrait, its label column included.
MAX_COLUMNS = 7
#: The same on an A4 page in landscape (25,7 cm of text instead of 17 cm).
LANDSCAPE_CHARACTERS = 145
LANDSCAPE_COLUMNS = 11
#: Widest label column, in characters (longer labels wrap at spaces).
LABEL_WIDTH = 34
#: The same for a transposed table, whose labels are the original headings.
TRANSPOSED_LABEL_WIDTH = 24
#: Padding of a cell, in characters.
PADDING = 2
#: Width of a bold character of a heading, in characters of the cells.
BOLD = 1.1
#: A nil value in a table.
NIL = "\u2013"
_ZERO = re.compile(r"^[+\u2212-]?0(,0+)?(\u202f(%|pts))?$")


def markdown_table(rows: list[list[str]], header: list[str], caption: str, align: str | None = None,
                   notes: Sequence[str] = (), nil: bool = True) -> str:
    """The pipe table of ``rows`` under ``header`` with its caption (pandoc's ``Table: ...``) and its
    notes. ``align``: one letter per column, ``l`` or ``r`` (default: first column left, the
    others right). ``nil``: a zero reads :data:`NIL`, the convention of counts and changes; not in
    a table of measures, where ``0,00`` is a value (a standardised difference, an effect)."""
    rows = [[row[0], *(NIL if nil and _ZERO.match(str(c)) else c for c in row[1:])] for row in rows]
    header = [unit_kept(h) if isinstance(h, str) and not isinstance(h, Markup) else h for h in header]
    align = align or "l" + "r" * (len(header) - 1)
    notes = list(notes)
    if any(MARK in row[1:] for row in rows):
        notes.append(FOOTNOTE)
    if not _fits(rows, header, align):
        return _too_wide(rows, header, caption, align, notes)
    return _pipe(rows, header, caption, align) + _notes(notes)


def _words(text: str) -> int:
    return max((len(w) for w in str(text).split()), default=0)


def _figure_width(cell: str, wrap: bool) -> int:
    """Characters a figure needs: all of them, but an interval (``12,5 % à 30,0 %``) may ``wrap``
    after its « à »."""
    return max(len(part) for part in str(cell).split(" à ")) + 2 if wrap and " à " in str(cell) else len(str(cell))


def _widths(rows: list[list[str]], header: list[str], align: str, labels: int = LABEL_WIDTH) -> list[int]:
    """Each column's width in characters: its longest cell (a label wraps at spaces: up to
    :data:`LABEL_WIDTH`), at least its heading's longest word; an interval on one line when the
    table still fits a page in portrait, else wrapping after its « à »."""
    columns = list(zip(header, *rows))
    for wrap in (False, True):
        widths = [max(math.ceil(_words(c[0]) * BOLD), *(min(len(str(x)), labels) if a == "l" else _figure_width(x, wrap) for x in c[1:]), 3)
                  for c, a in zip(columns, align)]
        if sum(w + PADDING for w in widths) <= PAGE_CHARACTERS:
            break
    return widths


def _fits(rows: list[list[str]], header: list[str], align: str, landscape: bool = False, labels: int = LABEL_WIDTH) -> bool:
    """Whether the table fits the width of a page, in portrait or in ``landscape``."""
    widths = _widths(rows, header, align, labels)
    columns, characters = (LANDSCAPE_COLUMNS, LANDSCAPE_CHARACTERS) if landscape else (MAX_COLUMNS, PAGE_CHARACTERS)
    return len(header) <= columns and sum(w + PADDING for w in widths) <= characters


def _pipe(rows: list[list[str]], header: list[str], caption: str, align: str, labels: int = LABEL_WIDTH) -> str:
    # Pandoc sizes the columns by their dashes when a line is longer than its 72 columns: each
    # column's share is that of its width with its padding (the padding of a narrow column is a
    # larger part of it: without it, « avant » broke in a column of five characters).
    widths = [w + PADDING for w in _widths(rows, header, align, labels)]
    scale = max(1.0, 80 / sum(widths))
    rule = [("-" * max(3, round(w * scale) - 1) + ":") if a == "r" else (":" + "-" * max(3, round(w * scale) - 1)) for w, a in zip(widths, align)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c if isinstance(c, Markup) else markdown(c) for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join(rule) + "|", *(line(r) for r in rows), "", f"Table: {markdown(caption)}", ""])


def _notes(notes: list[str]) -> str:
    if not notes:
        return ""
    return "\n::: {.notes custom-style=\"Notes\"}\n" + "\n\n".join(markdown(n) for n in notes) + "\n:::\n"


def _too_wide(rows: list[list[str]], header: list[str], caption: str, align: str, notes: list[str]) -> str:
    """A wide table transposed (few rows), in landscape, or cut into tables of at most
    :data:`MAX_COLUMNS` columns, each with the label column and the notes under the last."""
    if len(rows) < MAX_COLUMNS:
        transposed = [[header[j], *(row[j] for row in rows)] for j in range(1, len(header))]
        head = ["", *(row[0] for row in rows)]
        # Its labels are the headings, phrases that wrap at their spaces: a narrower label column.
        if _fits(transposed, head, "l" + "r" * len(rows), labels=TRANSPOSED_LABEL_WIDTH):
            return _pipe(transposed, head, caption, "l" + "r" * len(rows), TRANSPOSED_LABEL_WIDTH) + _notes(notes)
    if _fits(rows, header, align, landscape=True):
        return "::: paysage\n" + _pipe(rows, header, caption, align) + _notes(notes) + ":::\n"
    parts, start, total = [], 1, len(header)
    while start < total:
        stop = start + 1
        while stop < total and _fits([[r[0], *r[start:stop + 1]] for r in rows], [header[0], *header[start:stop + 1]], align[0] + align[start:stop + 1]) \
                and stop + 1 - start < MAX_COLUMNS:
            stop += 1
        parts.append((start, stop))
        start = stop
    pieces = [_pipe([[r[0], *r[a:b]] for r in rows], [header[0], *header[a:b]], caption + (f" ({i} sur {len(parts)})" if len(parts) > 1 else ""),
                    align[0] + align[a:b]) for i, (a, b) in enumerate(parts, 1)]
    return "\n".join(pieces) + _notes(notes)
