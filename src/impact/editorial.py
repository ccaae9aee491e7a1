"""The editorial layer shared by the reports: who publishes them, the front matter (title, subtitle,
publisher, dates, licence), the *Champ / Source / Lecture* lines under tables and figures (the
INSEE and DARES convention), the methods box, and the words of generated sentences (a rise, a
fall, a stable value), which state what the figures show and never a cause.

The publisher comes from ``publication.toml`` in the dataset folder (or beside a consolidated
``indicateurs.csv``), and ``--editeur`` on the command line overrides its name::

    editeur = "Maison de l'emploi du Val d'Argent"
    contact = "clauses@exemple.fr"
    licence = "Licence Ouverte 2.0"
    logo = "logo.svg"

The logo (PNG, JPEG or SVG; its path relative to ``publication.toml``) heads the first page of
every report, its alt text naming the publisher. It is checked (decoded by Typst, which draws the
PDF) before anything is written, and travels with the report's first cell
(:func:`opening`) to the Markdown, where :mod:`impact.rendering` writes it beside the figures.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import os
import struct
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from IPython.display import Markdown

from impact.escaping import markdown, yaml_string
from impact.formatting import french_change
from impact.hints import UserError

PUBLICATION_FILE = "publication.toml"
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
#: Below this relative change (0.5 %), a value is said to be stable.
STABLE = 0.005
KEYS = ("editeur", "contact", "licence", "logo")
#: The logo formats every report format shows, by file suffix.
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
#: The logo's box on the first page (cm): its height, and its width at most (a wide logo is lower).
LOGO_HEIGHT, LOGO_WIDTH = 1.6, 7.0
#: Resolution of the PNG drawn from an SVG logo for Word (dots per inch).
LOGO_PPI = 300


class PublicationError(UserError):
    """``publication.toml`` cannot be read."""


@dataclass(frozen=True)
class Logo:
    """A publisher's logo: its file and its width over its height."""

    path: Path
    aspect: float

    @property
    def height(self) -> float:
        """Its height on the first page (cm): :data:`LOGO_HEIGHT`, less for a logo wider than
        :data:`LOGO_WIDTH` at that height."""
        return round(min(LOGO_HEIGHT, LOGO_WIDTH / self.aspect), 2)

    @property
    def name(self) -> str:
        """The name of its copy beside a report's Markdown (``logo.svg``...)."""
        return "logo" + self.path.suffix.lower()


@dataclass(frozen=True)
class Publisher:
    """Who publishes a report: name, contact, licence (each may be empty), logo (or None), and the
    day it is published (None: see :func:`publication_date`)."""

    name: str = ""
    contact: str = ""
    licence: str = ""
    logo: Logo | None = None
    published: dt.date | None = None

    @property
    def logo_alt(self) -> str:
        """The logo's alt text."""
        return f"Logo de {self.name}" if self.name else "Logo de l'éditeur"

    @property
    def source(self) -> str:
        """The producer named in a Source line."""
        return self.name or "facilitateur des clauses sociales"


def publisher(folder: str | Path | None, editeur: str | None = None, date_publication: str | None = None) -> Publisher:
    """The publisher described by ``folder/publication.toml`` (when present), its name replaced by
    ``editeur`` when given, publishing on ``date_publication`` (``AAAA-MM-JJ``) when given."""
    values: dict = {}
    path = Path(folder) / PUBLICATION_FILE if folder else None
    if path is not None and path.is_file():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise PublicationError(f"{PUBLICATION_FILE} illisible ({path}) : {error}", "publication_illisible") from None
        unknown = set(values) - set(KEYS)
        if unknown:
            raise PublicationError(f"{PUBLICATION_FILE} : clé(s) inconnue(s) {', '.join(sorted(unknown))} "
                                   f"(clés possibles : {', '.join(KEYS)})", "publication_cle_inconnue")
    name = editeur if editeur else values.get("editeur", "")
    logo = read_logo(path.parent / str(values["logo"]), path) if str(values.get("logo", "")).strip() else None
    published = publication_date(date_publication) if date_publication else None
    return Publisher(str(name).strip(), str(values.get("contact", "")).strip(), str(values.get("licence", "")).strip(), logo, published)


def logo_png(path: Path, ppi: int = LOGO_PPI) -> bytes:
    """The image ``path`` (PNG, JPEG or SVG) drawn by Typst as a PNG :data:`LOGO_HEIGHT` cm high;
    raises ValueError (Typst's message) when Typst cannot decode it."""
    import typst

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / ("image" + path.suffix.lower())
        copy.write_bytes(path.read_bytes())
        source = Path(folder) / "image.typ"
        source.write_text(f'#set page(width: auto, height: auto, margin: 0pt)\n#image("{copy.name}", height: {LOGO_HEIGHT}cm)\n',
                          encoding="utf-8")
        try:
            return typst.compile(str(source), format="png", ppi=ppi, root=folder)
        except Exception as error:  # noqa: BLE001 - typst raises its own error kinds
            raise ValueError(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__) from None


def read_logo(path: Path, toml: Path) -> Logo:
    """The logo named by the ``logo`` key of ``toml``, checked: a PNG, JPEG or SVG file that Typst
    decodes; its aspect is read from the PNG Typst draws of it. Raises PublicationError, in French,
    naming the file and the key."""
    where = f"{PUBLICATION_FILE}, clé logo"
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise PublicationError(f"{where} : « {path} » n'est pas une image PNG, JPEG ou SVG ({toml})", "publication_logo")
    if not path.is_file():
        raise PublicationError(f"{where} : fichier « {path} » introuvable ({toml})", "publication_logo")
    try:
        drawn = logo_png(path)
    except (OSError, ValueError) as error:
        raise PublicationError(f"{where} : image « {path} » illisible ({error})", "publication_logo") from None
    width, height = struct.unpack(">II", drawn[16:24])  # the PNG's IHDR chunk
    return Logo(path.resolve(), width / height)


def opening(text: str, who: Publisher) -> Markdown:
    """A report's first cell: ``text``, which starts with :func:`front_matter`, carrying in its
    display metadata the publisher's logo file, which :func:`impact.rendering.notebook_to_markdown`
    writes beside the Markdown under the name the front matter gives."""
    if who.logo is None:
        return Markdown(text)
    return Markdown(text, metadata={"logo": {"nom": who.logo.name, "base64": base64.b64encode(who.logo.path.read_bytes()).decode("ascii")}})


def publication_date(text: str | dt.date | None = None) -> dt.date:
    """The publication date printed on a report: ``text`` (``AAAA-MM-JJ``) when given; else the
    day of ``SOURCE_DATE_EPOCH`` (UTC) when that variable is set, the reproducible-builds
    convention; else today. Raises ValueError, in French, for a date that cannot be read."""
    if isinstance(text, dt.date):
        return text
    if text:
        try:
            return dt.date.fromisoformat(str(text).strip())
        except ValueError:
            raise ValueError(f"--date-publication attend une date AAAA-MM-JJ, pas « {text} »") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH attend un nombre de secondes depuis le 1er janvier 1970, pas « {epoch} »") from None
    return dt.date.today()


def long_date(day: dt.date) -> str:
    """``23 novembre 2026``."""
    return f"{day.day}{'er' if day.day == 1 else ''} {MONTHS[day.month - 1]} {day.year}"


def front_matter(title: str, subtitle: str, who: Publisher, extraction: dt.date | None, published: dt.date | None = None) -> str:
    """The YAML front matter of a report: title, subtitle, publisher (as author), the dates of
    publication and extraction, licence and contact (the Typst template puts them in the header
    and footer), and the logo's file name, alt text and height (``reports/blocs.lua`` puts it on the
    first page); every value plain text, escaped (:func:`impact.escaping.yaml_string`)."""
    published = published or who.published or publication_date()
    extracted = f" ; données extraites le {extraction:%d/%m/%Y}" if extraction else ""
    fields = {"title": title, "subtitle": subtitle, "date": f"Publié le {long_date(published)}{extracted}"}
    if who.name:
        fields["author"] = who.name
        fields["editeur"] = who.name
    if who.logo:
        fields.update({"logo": who.logo.name, "logo-alt": who.logo_alt, "logo-height": f"{who.logo.height}cm"})
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
