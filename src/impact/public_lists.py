"""A person's publics given in one column of an export, as a list (« DELD + BRSA », « Senior DELD »,
« RQTH, QPV »), read into the yes-or-no columns of :data:`impact.schema.PUBLICS`.

Field exports rarely have one column per public: a « Public » or « Public prioritaire » column
names those that make the person eligible, several at once. Each item of the list (cut at ``,``
``;`` ``/`` ``+`` ``&`` and « et ») is a public when it is one of its spellings (the code, its
label, the acronyms of the field: :data:`impact.schema.PUBLIC_HEADERS` and :data:`SPELLINGS`),
or when its words are (« Senior DELD »: two publics); « Aucun » or « Non » is none. An item with a
negation (« Hors QPV ») or no word the kit knows (« Jeune -26 ans »: an age, not the public of
young people with few qualifications) is not read: the user decides it once in
``correspondance.toml`` (a code, several codes separated by commas, or « aucun »).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from impact.schema import PUBLIC_HEADERS, PUBLICS
from impact.values import normalise_key

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
_SEPARATORS = re.compile(r"\s*(?:[,;/+&]|\bet\b)\s*")
_NEGATIONS = frozenset({"hors", "non", "sans", "pas", "ni"})


def _keys() -> dict[str, str]:
    """Every spelling of a public (after :func:`normalise_key`), with its code."""
    return {normalise_key(spelling): code for code, label in PUBLICS.items()
            for spelling in (code, label, *PUBLIC_HEADERS[code], *SPELLINGS.get(code, ()))}


def _item_codes(item: str, decided: dict[str, str], keys: dict[str, str]) -> set[str] | None:
    """The publics of one item of a list, None when it is not read (left to decide)."""
    if item in decided:
        codes = {normalise_key(c) for c in decided[item].split(",")}
        return set() if codes <= NONE else codes if codes <= set(PUBLICS) else None
    key = normalise_key(item)
    if key in NONE:
        return set()
    if key in keys:
        return {keys[key]}
    words = set(key.split("_"))
    found = {keys[w] for w in words if w in keys}
    return found if found and not words & _NEGATIONS else None


def split(lists: pd.Series, decided: dict[str, str]) -> tuple[pd.DataFrame, Counter]:
    """Whether each row's list (``lists``, text) names each public (a column per code of
    :data:`PUBLICS`, booleans), each distinct list read once; and the items not read, with their
    count of rows. ``decided``: item → code(s) or « aucun », from ``correspondance.toml``."""
    keys = _keys()
    counts = lists.fillna("").astype(str).str.strip().value_counts(sort=False)
    found, unread = [], Counter()
    for text, rows in counts.items():
        codes: set[str] = set()
        for item in filter(None, _SEPARATORS.split(text)):
            read = _item_codes(item, decided, keys)
            if read is None:
                unread[item] += int(rows)
            else:
                codes |= read
        found.append([code in codes for code in PUBLICS])
    table = pd.DataFrame(np.array(found, dtype=bool).reshape(-1, len(PUBLICS)), index=counts.index, columns=list(PUBLICS))
    return table.reindex(lists.fillna("").astype(str).str.strip().to_numpy()).set_axis(lists.index), unread
