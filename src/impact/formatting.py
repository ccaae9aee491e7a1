"""French number formats for messages and reports: ``1 234``, ``330,5``, ``12,5 %``.

Thousands are separated by a narrow no-break space (U+202F), as the French typographic rules and
the INSEE publications do; the decimal mark is a comma.
"""

from __future__ import annotations

import math

THOUSANDS = "\u202f"


def french_number(value: float, decimals: int = 2) -> str:
    """``value`` with at most ``decimals`` decimals, trailing zeros dropped: ``1 234,5``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", THOUSANDS).replace(".", ",")
