"""French number formats for messages and reports: ``1 234``, ``330,5``, ``12,5 %``.

Thousands are separated by a narrow no-break space (U+202F), as the French typographic rules and
the INSEE publications do; the decimal mark is a comma.
"""

from __future__ import annotations

import math
import re

THOUSANDS = "\u202f"
#: The space between a number and its unit (« à 95 % »).
_UNIT_AFTER_NUMBER = re.compile(r"(?<=\d) (?=(?:%|pts|h|€)(?:\W|$))")


def french_number(value: float, decimals: int = 2, fixed: bool = False) -> str:
    """``value`` with at most ``decimals`` decimals, trailing zeros dropped (``1 234,5``), or with
    exactly ``decimals`` when ``fixed`` (``1 234,50``: a table column keeps one format)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    if decimals and not fixed:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", THOUSANDS).replace(".", ",")


def french_percent(share: float, decimals: int = 1, fixed: bool = False) -> str:
    """A share from 0 to 1 as a French percentage: ``12,5 %`` (``12,0 %`` when ``fixed``)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return ""
    return f"{french_number(share * 100, decimals, fixed)}{THOUSANDS}%"


def french_change(change: float, in_points: bool = False) -> str:
    """A year-on-year change with one decimal: ``+12,5 %`` (relative), ``+12,0 %``, or ``-3,2 pts``
    (difference of two shares)."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    sign = "+" if change > 0 else "−" if change < 0 else ""
    text = french_number(abs(change) * 100, 1, fixed=True)
    return f"{sign}{text}{THOUSANDS}{'pts' if in_points else '%'}"


def unit_kept(text: str) -> str:
    """``text`` with the space between each number and its unit made a narrow no-break space: in
    a heading or a caption (« Intervalle à 95 % »), the unit never goes to a line of its own."""
    return _UNIT_AFTER_NUMBER.sub(THOUSANDS, text)
