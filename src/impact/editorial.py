"""The editorial layer shared by the reports: who publishes them, the front matter (title, subtitle,
publisher, dates, licence), the *Champ / Source / Lecture* lines under tables and figures (the
INSEE and DARES convention), the methods box, and the words of generated sentences (a rise, a
fall, a stable value), which state what the figures show and never a cause.

The publisher comes from ``publication.toml`` in the dataset folder (or beside a consolidated
``indicateurs.csv``), and ``--editeur`` on the command line overrides its name::

    editeur = "Maison de l'emploi du Val d'Argent"
    contact = "clauses@exemple.fr"
    licence = "Licence Ouverte 2.0"
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from impact.escaping import markdown, yaml_string
from impact.formatting import french_change
from impact.hints import UserError

PUBLICATION_FILE = "publication.toml"
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
#: Below this relative change (0.5 %), a value is said to be stable.
STABLE = 0.005


class PublicationError(UserError):
    """``publication.toml`` cannot be read."""


@dataclass(frozen=True)
class Publisher:
    """Who publishes a report: name, contact and licence (each may be empty)."""

    name: str = ""
    contact: str = ""
    licence: str = ""

    @property
    def source(self) -> str:
        """The producer named in a Source line."""
        return self.name or "facilitateur des clauses sociales"


def publisher(folder: str | Path | None, editeur: str | None = None) -> Publisher:
    """The publisher described by ``folder/publication.toml`` (when present), its name replaced by
    ``editeur`` when given."""
    values: dict = {}
    path = Path(folder) / PUBLICATION_FILE if folder else None
    if path is not None and path.is_file():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise PublicationError(f"{PUBLICATION_FILE} illisible ({path}) : {error}", "publication_illisible") from None
        unknown = set(values) - {"editeur", "contact", "licence"}
        if unknown:
            raise PublicationError(f"{PUBLICATION_FILE} : clé(s) inconnue(s) {', '.join(sorted(unknown))} "
                                   "(clés possibles : editeur, contact, licence)", "publication_cle_inconnue")
    name = editeur if editeur else values.get("editeur", "")
    return Publisher(str(name).strip(), str(values.get("contact", "")).strip(), str(values.get("licence", "")).strip())


def long_date(day: dt.date) -> str:
    """``23 novembre 2026``."""
    return f"{day.day}{'er' if day.day == 1 else ''} {MONTHS[day.month - 1]} {day.year}"


def front_matter(title: str, subtitle: str, who: Publisher, extraction: dt.date | None, published: dt.date | None = None) -> str:
    """The YAML front matter of a report: title, subtitle, publisher (as author), the dates of
    publication and extraction, licence and contact (the Typst template puts them in the header
    and footer); every value plain text, escaped (:func:`impact.escaping.yaml_string`)."""
    published = published or dt.date.today()
    extracted = f" ; données extraites le {extraction:%d/%m/%Y}" if extraction else ""
    fields = {"title": title, "subtitle": subtitle, "date": f"Publié le {long_date(published)}{extracted}"}
    if who.name:
        fields["author"] = who.name
        fields["editeur"] = who.name
    rights = " ; ".join(part for part in (f"Licence : {who.licence}" if who.licence else "", f"Contact : {who.contact}" if who.contact else "") if part)
    if rights:
        fields["licence"] = rights
    lines = ["---", *(f"{key}: {yaml_string(value)}" for key, value in fields.items()), "lang: fr", "---", ""]
    return "\n".join(lines)


def source(who: Publisher, extraction: dt.date) -> str:
    """The Source line of every table and figure of a report."""
    return f"Source : {who.source}, données de suivi des clauses sociales extraites le {extraction:%d/%m/%Y} ; calculs de l'éditeur."


def notes(champ: str, who: Publisher, extraction: dt.date, lecture: str = "") -> list[str]:
    """The *Champ*, *Source* and (when given) *Lecture* lines under a table or a figure."""
    return [f"Champ : {champ}", source(who, extraction), *([f"Lecture : {lecture}"] if lecture else [])]


def notes_block(lines: list[str]) -> str:
    """Lines (plain text, escaped here) under a figure, in the notes style of the tables
    (:mod:`impact.tables`)."""
    return "::: {.notes custom-style=\"Notes\"}\n" + "\n\n".join(markdown(line) for line in lines) + "\n:::\n"


def box(title: str, paragraphs: list[str]) -> str:
    """A framed box (the methods box) of plain-text paragraphs under a bold title: HTML class
    ``encadre``, Word paragraph style ``Encadre``."""
    return ("::: {.encadre custom-style=\"Encadre\"}\n" + f"**{markdown(title)}**\n\n" + "\n\n".join(markdown(p) for p in paragraphs)
            + "\n:::\n")


def direction(change: float, plural: bool = True) -> str:
    """How a relative change reads: ``en hausse de 12,5 %``, ``en baisse de 3,0 %``, ``stable``."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    if abs(change) < STABLE:
        return "stable" + ("s" if plural else "")
    return f"en {'hausse' if change > 0 else 'baisse'} de {french_change(abs(change)).lstrip('+')}"
