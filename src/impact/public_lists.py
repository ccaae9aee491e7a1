"""A person's publics given in one column of an export, as a list (« DELD + BRSA », « Senior DELD »,
« RQTH, QPV »), read into the yes-or-no columns of :data:`impact.schema.PUBLICS`.

Field exports rarely have one column per public: a « Public » or « Public prioritaire » column
names those that make the person eligible, several at once. Each item of the list (cut at ``,``
``;`` ``/`` ``+`` ``&``, `` - `` and « et », not in « 50 ans et plus » or « +50 ans ») is a public when it is one of its spellings (the code, its
label, the acronyms of the field: :data:`impact.schema.PUBLIC_HEADERS` and :data:`SPELLINGS`),
or when its words all are (« Senior DELD »: two publics); « Aucun », « Non » or « NC » is none. An item with a
word the kit does not know (« Hors QPV », « Ex-DELD », « Jeune -26 ans »: an age, not the public
of young people with few qualifications) is not read: the user decides it once in
``correspondance.toml`` (a code, several codes separated by commas, or « aucun »).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from impact.schema import PUBLIC_HEADERS, PUBLICS
from impact.values import UNKNOWN_WORDS, normalise_key

#: Headers of a column that lists a person's publics.
HEADERS = ("Public", "Publics", "Public prioritaire", "Publics prioritaires", "Public cible", "Publics cibles", "Type de public",
           "Catégorie de public", "Public éligible", "Publics éligibles", "Critère d'éligibilité", "Critères d'éligibilité",
           "Éligibilité")
#: Spellings of the publics in such lists, beyond their columns' headers.
SPELLINGS = {
    "minima_sociaux": ("ASS", "AAH", "RSA socle", "Minima", "Bénéficiaire des minima sociaux"),
    "parcours_iae": ("Salarié IAE", "Salarié en insertion", "Salarié SIAE", "Insertion par l'activité économique"),
    "deld": ("Chômeur de longue durée", "DETLD", "TDELD"),
}
#: A decision or item that means no public.
NONE = frozenset({"aucun", "aucune", "non", "sans", "neant", "ras"})
#: Where a list is cut: not at « et plus » (« Senior 50 ans et plus ») nor at a « + » before a number.
_SEPARATORS = re.compile(r"\s*(?:[,;/&]|\+(?!\s*\d)|\bet\b(?!\s+plus\b))\s*|\s+-\s+")
#: Words an item made of publics may hold besides them (« DELD et BRSA » is cut before).
_LINKING = frozenset({"de", "du", "des", "d", "la", "le", "l", "en"})


def keys() -> dict[str, str]:
    """Every spelling of a public (after :func:`normalise_key`), with its code: the code, its
    label with and without its parenthesis, its headers and :data:`SPELLINGS`; « NC » and the other
    words of an unknown value (:data:`impact.values.UNKNOWN_WORDS`) are no public."""
    found = {normalise_key(spelling): code for code, label in PUBLICS.items()
             for spelling in (code, label, re.sub(r"\s*\([^)]*\)", "", label), *PUBLIC_HEADERS[code], *SPELLINGS.get(code, ()))}
    return {**found, **dict.fromkeys(NONE | UNKNOWN_WORDS, "")}


def decision_codes(decision: str, known: dict[str, str]) -> set[str] | None:
    """The publics a decision of ``correspondance.toml`` gives (codes or spellings of publics,
    separated by commas; « aucun »: none), None when one of its parts is no public."""
    parts = [normalise_key(part) for part in decision.split(",")]
    return None if any(part not in known for part in parts) else {known[part] for part in parts} - {""}


def _item_codes(item: str, decided: dict[str, str], known: dict[str, str]) -> set[str] | None:
    """The publics of one item of a list: a decision, a spelling, or words that are all publics
    (« Senior DELD »); None when it is not read (a word the kit does not know: « Ex-DELD »,
    « Hors QPV », « Jeune -26 ans »: left to decide)."""
    if item in decided:
        return decision_codes(decided[item], known)
    key = normalise_key(item)
    if key in known:
        return {known[key]} - {""}
    words = set(key.split("_")) - _LINKING
    return {known[w] for w in words} - {""} if words and words <= set(known) else None


def split(lists: pd.Series, decided: dict[str, str]) -> tuple[pd.DataFrame, Counter]:
    """Whether each row's list (``lists``, text) names each public (a column per code of
    :data:`PUBLICS`, booleans), each distinct list read once; and the items not read, with their
    count of rows. ``decided``: item → code(s) or « aucun », from ``correspondance.toml``."""
    known = keys()
    counts = lists.fillna("").astype(str).str.strip().value_counts(sort=False)
    found, unread = [], Counter()
    for text, rows in counts.items():
        codes: set[str] = set()
        whole = _item_codes(text, decided, known)  # a spelling holding a separator, a list decided whole
        for item in [text] if whole is not None else filter(None, _SEPARATORS.split(text)):
            read = _item_codes(item, decided, known)
            if read is None:
                unread[item] += int(rows)
            else:
                codes |= read
        found.append([code in codes for code in PUBLICS])
    table = pd.DataFrame(np.array(found, dtype=bool).reshape(-1, len(PUBLICS)), index=counts.index, columns=list(PUBLICS))
    return table.reindex(lists.fillna("").astype(str).str.strip().to_numpy()).set_axis(lists.index), unread
