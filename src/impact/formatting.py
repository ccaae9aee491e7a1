"""French number formats for messages and reports: ``1 234``, ``330,5``, ``12,5 %``.

Thousands are separated by a narrow no-break space (U+202F), as the French typographic rules and
the INSEE publications do; the decimal mark is a comma.
"""

from __future__ import annotations

import math

from impact.escaping import Markup, markdown

THOUSANDS = "\u202f"


def french_number(value: float, decimals: int = 2) -> str:
    """``value`` with at most ``decimals`` decimals, trailing zeros dropped: ``1 234,5``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", THOUSANDS).replace(".", ",")


def french_percent(share: float, decimals: int = 1) -> str:
    """A share from 0 to 1 as a French percentage: ``12,5 %``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return ""
    return f"{french_number(share * 100, decimals)}{THOUSANDS}%"


def french_change(change: float, in_points: bool = False) -> str:
    """A year-on-year change: ``+12,5 %`` (relative) or ``-3,2 pts`` (difference of two shares)."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    sign = "+" if change > 0 else "−" if change < 0 else ""
    text = french_number(abs(change) * 100, 1)
    return f"{sign}{text}{THOUSANDS}{'pts' if in_points else '%'}"


def markdown_table(rows: list[list[str]], header: list[str], caption: str, align: str | None = None) -> str:
    """A pipe table with its caption (pandoc's ``Table: ...`` line), so that HTML, Word and Typst all
    get a real table. ``align``: one letter per column, ``l`` or ``r`` (default: first column left,
    others right). Cells, headers and caption are plain text, escaped here (a :class:`Markup` cell
    is kept as the Markdown it is)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else ":---" for a in align]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c if isinstance(c, Markup) else markdown(c) for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join(rule) + "|", *(line(r) for r in rows), "", f"Table: {markdown(caption)}", ""])
