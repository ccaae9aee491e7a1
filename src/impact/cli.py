"""The ``impact`` command line (French), built with typer.

Exit status: 0 when all went well, 2 when the data are invalid (or a command's arguments are),
1 for an unexpected internal failure. No Python traceback reaches the user unless
``IMPACT_DEBUG=1`` is set.
"""

from __future__ import annotations

import datetime as dt
import difflib
import errno
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperCommand, TyperGroup

try:
    from typer import _click as typer_click  # typer >= 0.26 ships its own copy of click
except ImportError:  # pragma: no cover - older typer uses click itself
    typer_click = click

from impact import __version__
from impact.hints import UserError
from impact.schema import HEURES_ETP

EXIT_INVALID = 2
#: A path that names a file where a folder is expected, or the reverse: what the system said, in French.
PATH_ERRORS = {errno.EEXIST: "existe déjà et n'est pas un dossier", errno.ENOTDIR: ": une partie de ce chemin est un fichier, pas un dossier",
               errno.EISDIR: "est un dossier, un fichier est attendu"}
#: The English words of the help pages (click's and typer's) and their French, replaced as whole words.
HELP_FRENCH = {
    "Show this message and exit.": "Affiche cette aide.",
    "default:": "par défaut\u00a0:",
    "[required]": "[obligatoire]",
    "Commands": "Commandes",
    "COMMAND [ARGS]...": "COMMANDE [ARGUMENTS]...",
    "[ARGS]...": "[ARGUMENTS]...",
    "INTEGER RANGE": "ENTIER",
    "FLOAT RANGE": "NOMBRE",
    "INTEGER": "ENTIER",
    "FLOAT": "NOMBRE",
    "TEXT": "TEXTE",
    "PATH": "CHEMIN",
    "FILE": "FICHIER",
    "DIRECTORY": "DOSSIER",
    "<path>": "<chemin>",
    "<int range>": "<entier>",
    "<int>": "<entier>",
    "<float range>": "<nombre>",
    "<float>": "<nombre>",
    "<str>": "<texte>",
    "<bool>": "<oui/non>",
}
_HELP_PATTERN = re.compile("|".join(rf"(?<![\w<-]){re.escape(k)}(?![\w>-])" for k in sorted(HELP_FRENCH, key=len, reverse=True)))
#: The usage errors of both click packages: typer >= 0.26 ships its own copy of click.
USAGE_ERRORS = (click.UsageError, typer_click.exceptions.UsageError)
CLICK_ERRORS = (click.ClickException, typer_click.exceptions.ClickException)


def french_help(text: str) -> str:
    """Text of a help page with click's English words in French (:data:`HELP_FRENCH`); typer's
    ``<list[int]>`` becomes ``<entier>...``."""
    text = re.sub(r"<list\[(\w+)\]>", lambda m: f"<{m[1].lower()}>...", text)
    return _HELP_PATTERN.sub(lambda m: HELP_FRENCH[m[0]], text)


class FrenchFormatter(typer_click.HelpFormatter):
    """Lays out help pages with French words, translated before the columns are aligned."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, french_help(args), "Utilisation : ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(french_help(heading))

    def write_dl(self, rows, *args, **kwargs) -> None:
        super().write_dl([(french_help(term), french_help(text)) for term, text in rows], *args, **kwargs)


class FrenchContext(typer_click.Context):
    formatter_class = FrenchFormatter


class FrenchCommand(TyperCommand):
    """A command whose help page is in French."""

    context_class = FrenchContext


class FrenchGroup(TyperGroup):
    """The command group, whose help page is in French."""

    context_class = FrenchContext


app = typer.Typer(
    name="impact",
    help="Kit d'évaluation des clauses sociales d'insertion : modèles de saisie, validation, données de démonstration.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=FrenchGroup,
)


def echo(text: str, err: bool = False) -> None:
    """Print ``text`` line by line, each made safe for a terminal (:func:`impact.escaping.console`:
    data values may hold carriage returns or escape sequences)."""
    from impact.escaping import console

    typer.echo("\n".join(console(line) for line in str(text).split("\n")), err=err)


def _print_problems(problems, subject: str = "jeu de données") -> None:
    """Each problem as ``table:ligne:colonne: gravité : message``, then the summary line."""
    from impact.problems import format_lines, summary

    lines = format_lines(problems)
    if lines:
        echo("\n".join(lines))
    text = summary(problems)
    if subject != "jeu de données":
        text = text.replace("jeu de données inutilisable", f"{subject} inutilisable{'s' if subject.endswith('s') else ''}")
    echo(text)


def fail(message: str, kind: str, status: int = EXIT_INVALID, **names: str) -> typer.Exit:
    """Print ``message`` in French on standard error, then how to fix it (the hint of ``kind``,
    :mod:`impact.hints`), and return the exit to raise."""
    from impact.hints import correction_line, hint

    echo(f"impact : {message}\n{correction_line(hint(kind, **names))}", err=True)
    return typer.Exit(status)


def refuse(error) -> typer.Exit:
    """:func:`fail` for a :class:`impact.hints.UserError`."""
    return fail(str(error), error.kind)


@app.callback(invoke_without_command=True)
def _version(
    version: Annotated[bool, typer.Option("--version", help="Affiche la version du kit.")] = False,
) -> None:
    if version:
        echo(f"impact {__version__}")
        raise typer.Exit(0)


@app.command("modeles")
def modeles(dossier: Annotated[Path, typer.Argument(help="Dossier où copier les modèles vierges.")]) -> None:
    """Copie les modèles vierges : un CSV par table et leur description (csv/), le classeur Excel (excel/)."""
    from impact.templates import write_templates

    written = write_templates(dossier)
    echo(f"{len(written)} fichiers écrits dans {dossier} :")
    for path in written:
        echo(f"  {path}")


@app.command("valider")
def valider(
    dossier: Annotated[Path, typer.Argument(help="Dossier du jeu de données (CSV, Parquet ou un classeur .xlsx).")],
    rapport: Annotated[Path | None, typer.Option("--rapport", help="Écrit aussi les problèmes dans ce fichier : CSV (séparateur ;) ou classeur .xlsx.")] = None,
) -> None:
    """Vérifie un jeu de données et liste chaque problème sous la forme table:ligne:colonne: message."""
    from impact.dataset import validate
    from impact.output import atomic_write_bytes
    from impact.problems import report_file

    dataset = validate(dossier)
    _print_problems(dataset.problems)
    if rapport is not None:
        atomic_write_bytes(rapport, report_file(dataset.problems, rapport.name))
        echo(f"Rapport écrit : {rapport}")
    raise typer.Exit(0 if dataset.is_valid else EXIT_INVALID)


def _load_or_exit(dossier: Path):
    """The valid dataset of ``dossier``, or its problems printed as by ``impact valider`` and exit 2."""
    from impact.dataset import validate

    dataset = validate(dossier)
    if not dataset.is_valid:
        _print_problems(dataset.problems)
        raise typer.Exit(EXIT_INVALID)
    return dataset


def _formats(text: str) -> tuple[str, ...]:
    """The report formats asked for (``html,docx,pdf``), or exit 2."""
    from impact.rendering import FORMATS

    chosen = tuple(f.strip() for f in text.split(",") if f.strip())
    if not chosen or set(chosen) - set(FORMATS):
        raise fail(f"--formats attend une liste parmi {', '.join(FORMATS)}, pas « {text} »", "option_formats")
    return chosen


def _check_publisher(folder: Path, editeur: str | None) -> None:
    """Exit 2 with the French message when ``folder/publication.toml`` cannot be read."""
    from impact.editorial import PublicationError, publisher

    try:
        publisher(folder, editeur)
    except PublicationError as error:
        raise refuse(error) from None


def _extraction_date(text: str | None):
    """The ``--date-extraction`` given (a Timestamp), None when not given, or exit 2."""
    import pandas as pd

    if text is None:
        return None
    try:
        return pd.Timestamp(dt.date.fromisoformat(text.strip()))
    except ValueError:
        raise fail(f"--date-extraction attend une date AAAA-MM-JJ, pas « {text} »", "option_date") from None


def _publication_date(text: str | None) -> str:
    """The publication date of the reports (``AAAA-MM-JJ``): ``--date-publication``, else the day
    of ``SOURCE_DATE_EPOCH``, else today (:func:`impact.editorial.publication_date`), or exit 2."""
    from impact.editorial import publication_date

    try:
        return publication_date(text).isoformat()
    except ValueError as error:
        raise fail(str(error), "option_date_publication") from None


#: The ``--date-publication`` option of the commands that publish reports.
DatePublication = Annotated[str | None, typer.Option(
    "--date-publication", metavar="AAAA-MM-JJ",
    help="Date de publication imprimée sur les rapports et notée dans metadonnees.json (par défaut aujourd'hui, ou le jour de "
         "SOURCE_DATE_EPOCH quand cette variable est définie) : mêmes données et même date, mêmes fichiers HTML, Word et PDF.")]

#: The ``--date-extraction`` option of the commands that compute indicators.
DateExtraction = Annotated[str | None, typer.Option("--date-extraction", metavar="AAAA-MM-JJ",
                                                    help="Date d'extraction des données (par défaut la dernière date observée).")]
SecretRapide = Annotated[bool, typer.Option(
    "--secret-rapide",
    help="Examen rapide du secret pour une table nationale : ses cellules masquées examinées territoire par territoire "
         "(3 à 4 s au lieu de 7 à 18 s pour 300 territoires et 10 ans), sans les encadrements qui combinent "
         "plusieurs territoires et l'ensemble ; signalé. Pour les essais, pas pour diffuser.")]


def _year_indicators(dossier: Path, annee: int, horizon: int, extraction=None):
    """Validate ``dossier``, compute its indicators (as at ``extraction``, a Timestamp or None)
    and check ``annee`` is in them, or exit 2; return (dataset, table). Nothing is written."""
    from impact.facts import NoContractError
    from impact.indicators import indicators

    dataset = _load_or_exit(dossier)
    try:
        table = indicators(dataset, horizon=horizon, extraction_date=extraction)
    except NoContractError as error:
        raise refuse(error) from None
    if annee not in set(table["annee"]):
        raise fail(f"l'année {annee} ne figure pas dans les données ({table['annee'].min()} à {table['annee'].max()})", "annee_absente")
    return dataset, table


def _warn_secrecy(folder: Path) -> None:
    """Tell the user what ``metadonnees.json`` in ``folder`` warns of the secrecy examination."""
    warning = json.loads((folder / "metadonnees.json").read_text(encoding="utf-8")).get("secret", {}).get("avertissement")
    if warning:
        echo(f"Attention, secret statistique : {warning}", err=True)


@app.command("indicateurs")
def indicateurs(
    dossier: Annotated[Path, typer.Argument(help="Dossier du jeu de données.")],
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie : indicateurs.csv et metadonnees.json.")],
    annee: Annotated[list[int] | None, typer.Option("--annee", metavar="ANNEE", help="Année à calculer (répétable) ; par défaut toutes.")] = None,
    horizon: Annotated[int, typer.Option("--horizon", min=1, help="Mois après la fin du parcours pour le devenir des personnes.")] = 6,
    date_extraction: DateExtraction = None,
    heures_etp: Annotated[float, typer.Option("--heures-etp", min=1, help="Heures d'un équivalent temps plein.")] = HEURES_ETP,
    seuil: Annotated[int, typer.Option("--seuil", min=1, help="Seuil de diffusion : les comptes de 1 à SEUIL personnes sont masqués.")] = 5,
    secret_rapide: SecretRapide = False,
) -> None:
    """Calcule les indicateurs de chaque année, territoire et de l'ensemble : indicateurs.csv (publiable, petits effectifs masqués) et sa version interne non diffusable."""
    from impact.facts import NoContractError
    from impact.indicators import indicators, write

    extraction = _extraction_date(date_extraction)
    dataset = _load_or_exit(dossier)
    try:
        table = indicators(dataset, horizon=horizon, extraction_date=extraction, heures_etp=heures_etp)
    except NoContractError as error:
        raise refuse(error) from None
    if annee and not table["annee"].isin(annee).any():
        raise fail(f"aucune des années demandées ({', '.join(map(str, annee))}) ne figure dans les données "
                   f"({table['annee'].min()} à {table['annee'].max()})", "annee_absente")
    write(dataset, table, out, horizon, heures_etp, extraction is not None, seuil, annee, not secret_rapide)
    rows = int(table["annee"].isin(annee).sum()) if annee else len(table)
    echo(f"{rows} lignes écrites dans {out / 'indicateurs.csv'} (métadonnées : {out / 'metadonnees.json'}).")
    _warn_secrecy(out)


def _moved(path: Path | None, stage: Path, out: Path) -> Path | None:
    """Where ``path``, made inside the staging folder ``stage``, is published in ``out``."""
    return None if path is None else out / Path(path).relative_to(stage.resolve())


@app.command("bilan")
def bilan(
    dossier: Annotated[Path, typer.Argument(help="Dossier du jeu de données.")],
    annee: Annotated[int, typer.Option("--annee", help="Année du bilan.")],
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie : les rapports vont dans SORTIE/<annee>/<territoire>/.")],
    territoire: Annotated[str | None, typer.Option("--territoire", help="Territoire du bilan, ou « ensemble ».")] = None,
    tous: Annotated[bool, typer.Option("--tous-territoires", help="Un bilan par territoire, plus l'ensemble.")] = False,
    formats: Annotated[str, typer.Option("--formats", help="Formats séparés par des virgules : html, docx, pdf.")] = "html,docx,pdf",
    horizon: Annotated[int, typer.Option("--horizon", min=1, help="Mois après la fin du parcours pour le devenir des personnes.")] = 6,
    seuil: Annotated[int, typer.Option("--seuil", min=1, help="Seuil de diffusion des petits effectifs.")] = 5,
    secret_rapide: SecretRapide = False,
    processus: Annotated[int | None, typer.Option("--processus", min=1, help="Rapports produits en parallèle (par défaut : le nombre de cœurs).")] = None,
    date_extraction: DateExtraction = None,
    editeur: Annotated[str | None, typer.Option("--editeur", help="Nom de l'éditeur des rapports (sinon celui de publication.toml dans le dossier du jeu de données).")] = None,
    date_publication: DatePublication = None,
) -> None:
    """Produit le bilan annuel d'un territoire (ou de tous) en HTML, Word et PDF, depuis le carnet paramétré."""
    from impact.batch import Job, progress_bar, run_all, split_by_territory
    from impact.indicators import write
    from impact.output import publication

    if (territoire is None) == (not tous):
        raise fail("indiquez soit --territoire T (ou « ensemble »), soit --tous-territoires", "territoire_choix")
    chosen = _formats(formats)
    _check_publisher(dossier, editeur)
    publication_day = _publication_date(date_publication)
    extraction = _extraction_date(date_extraction)
    dataset, table = _year_indicators(dossier, annee, horizon, extraction)
    known = list(dict.fromkeys(table["territoire"]))
    if territoire is not None and territoire not in known:
        raise fail(f"territoire « {territoire} » inconnu ; territoires du jeu : {', '.join(known)}", "territoire_inconnu")
    names = known if tous else [territoire]
    with publication(out, [str(annee)]) as stage:
        published = write(dataset, table, stage / str(annee) / "indicateurs", horizon, HEURES_ETP, extraction is not None, seuil,
                          complet=not secret_rapide)
        files = split_by_territory(published, published.parent / "territoires")
        jobs = [Job(dataset.path.resolve(), files[name].resolve(), annee, name, stage.resolve(), chosen, horizon, seuil,
                    extra={"editeur": editeur, "date_publication": publication_day}) for name in names]
        outcomes = run_all(jobs, processus, progress_bar)
    _warn_secrecy(out / str(annee) / "indicateurs")
    for outcome in outcomes:
        if outcome.ok:
            echo(f"« {outcome.territory} » : {_moved(outcome.folder, stage, out)}")
    failures = [o for o in outcomes if not o.ok]
    for outcome in failures:
        echo(f"ÉCHEC « {outcome.territory} » : {outcome.error} ; carnet exécuté : {_moved(outcome.notebook, stage, out)}", err=True)
    echo(f"{len(outcomes) - len(failures)} bilan(s) produit(s) sur {len(outcomes)} dans {out / str(annee)}.")
    if failures:
        raise typer.Exit(1)


@app.command("comparer")
def comparer(
    dossier: Annotated[Path, typer.Argument(help="Dossier du jeu de données.")],
    annee: Annotated[int, typer.Option("--annee", help="Année comparée.")],
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie : le rapport va dans SORTIE/<annee>/comparaison/.")],
    formats: Annotated[str, typer.Option("--formats", help="Formats séparés par des virgules : html, docx, pdf.")] = "html,docx,pdf",
    horizon: Annotated[int, typer.Option("--horizon", min=1, help="Mois après la fin du parcours pour le devenir des personnes.")] = 6,
    seuil: Annotated[int, typer.Option("--seuil", min=1, help="Seuil de diffusion des petits effectifs.")] = 5,
    secret_rapide: SecretRapide = False,
    date_extraction: DateExtraction = None,
    editeur: Annotated[str | None, typer.Option("--editeur", help="Nom de l'éditeur des rapports (sinon celui de publication.toml dans le dossier du jeu de données).")] = None,
    date_publication: DatePublication = None,
) -> None:
    """Compare les territoires (volumes, publics, devenir, entonnoir, taux ajustés) et publie le rapport en HTML, Word et PDF."""
    from impact.batch import NOTEBOOKS, Job, run_all
    from impact.indicators import write
    from impact.output import publication

    chosen = _formats(formats)
    _check_publisher(dossier, editeur)
    publication_day = _publication_date(date_publication)
    extraction = _extraction_date(date_extraction)
    dataset, table = _year_indicators(dossier, annee, horizon, extraction)
    with publication(out, [str(annee)]) as stage:
        published = write(dataset, table, stage / str(annee) / "indicateurs", horizon, HEURES_ETP, extraction is not None, seuil,
                          complet=not secret_rapide)
        job = Job(dataset.path.resolve(), published.resolve(), annee, "ensemble", stage.resolve(), chosen, horizon, seuil,
                  NOTEBOOKS / "comparaison_territoires.ipynb", "comparaison", "comparaison", {"editeur": editeur, "date_publication": publication_day})
        (outcome,) = run_all([job], 1)
    _warn_secrecy(out / str(annee) / "indicateurs")
    if not outcome.ok:
        echo(f"ÉCHEC de la comparaison : {outcome.error} ; carnet exécuté : {_moved(outcome.notebook, stage, out)}", err=True)
        raise typer.Exit(1)
    echo(f"Comparaison des territoires : {_moved(outcome.folder, stage, out)}")


def _first_sheet(path: Path):
    """The first sheet of a workbook as text cells, header row found below any banner rows, or exit 2."""
    import openpyxl
    import pandas as pd

    from impact.reading import _cell_text

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = [[_cell_text(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on damaged files
        raise fail(f"classeur « {path.name} » illisible ({type(exc).__name__})", "classeur_illisible") from None
    rows = [r for r in rows if any(v.strip() for v in r)]
    if not rows:
        raise fail(f"classeur « {path.name} » vide", "feuille_vide")
    width = len(rows[0])
    return pd.DataFrame([(r + [""] * width)[:width] for r in rows[1:]], columns=rows[0], dtype=object)


@app.command("effet")
def effet(
    dossier: Annotated[Path, typer.Argument(help="Dossier du jeu de données.")],
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie : le rapport va dans SORTIE/<annee>/etude_impact/.")],
    comparaison: Annotated[Path | None, typer.Option("--comparaison", help="Groupe de comparaison (modèle data_templates/comparaison/).")] = None,
    reference: Annotated[Path | None, typer.Option("--reference", help="Taux de sorties dynamiques de référence (dimension, modalite, taux, source).")] = None,
    horizon: Annotated[int, typer.Option("--horizon", min=1, help="Mois après la fin du parcours (ou la date de référence) pour le devenir.")] = 6,
    mois: Annotated[int, typer.Option("--mois", min=1, help="Mois du début de parcours dont les heures sont rapprochées du devenir.")] = 3,
    formats: Annotated[str, typer.Option("--formats", help="Formats séparés par des virgules : html, docx, pdf.")] = "html,docx,pdf",
    seuil: Annotated[int, typer.Option("--seuil", min=1, help="Seuil de diffusion des petits effectifs.")] = 5,
    secret_rapide: SecretRapide = False,
    replications: Annotated[int, typer.Option("--replications", min=20, help="Tirages du bootstrap.")] = 400,
    graine: Annotated[int, typer.Option("--graine", help="Graine du bootstrap : la même graine donne les mêmes intervalles.")] = 1,
    editeur: Annotated[str | None, typer.Option("--editeur", help="Nom de l'éditeur du rapport (sinon celui de publication.toml dans le dossier du jeu de données).")] = None,
    date_publication: DatePublication = None,
) -> None:
    """Étude d'impact : participants contre un groupe de comparaison (score de propension, diagnostics), lien avec les heures, référence externe."""
    from impact.batch import NOTEBOOKS, Job, run_all
    from impact.benchmark import ReferenceError, read_reference
    from impact.comparison_group import read_comparison
    from impact.facts import NoContractError
    from impact.indicators import indicators, write
    from impact.output import publication
    from impact.problems import ProblemLog

    from impact.reading import sha256

    chosen = _formats(formats)
    _check_publisher(dossier, editeur)
    publication_day = _publication_date(date_publication)
    dataset = _load_or_exit(dossier)
    if comparaison is not None:
        log = ProblemLog()
        read_comparison(comparaison, log)
        problems = log.frame()
        if (problems["gravite"] == "erreur").any():
            _print_problems(problems, "groupe de comparaison")
            raise typer.Exit(EXIT_INVALID)
    if reference is not None:
        try:
            read_reference(reference)
        except ReferenceError as error:
            raise refuse(error) from None
    try:
        table = indicators(dataset, horizon=horizon)
    except NoContractError as error:
        raise refuse(error) from None
    year = int(table["annee"].max())
    given = [f for f in (comparaison, reference) if f is not None]
    # The study's parameters and files, by name, in the report's metadonnees.json.
    provenance = {"parametres": {"comparaison": comparaison.name if comparaison else None, "reference": reference.name if reference else None,
                                 "mois": mois, "replications": replications, "graine": graine},
                  "entrees": {"fichiers": {f.name: {"sha256": sha256(f.read_bytes())} for f in given}}}
    extra = {"comparaison": str(comparaison.resolve()) if comparaison else None, "reference": str(reference.resolve()) if reference else None,
             "mois": mois, "replications": replications, "graine": graine, "editeur": editeur, "date_publication": publication_day,
             "metadonnees": provenance}
    with publication(out, [str(year)]) as stage:
        published = write(dataset, table, stage / str(year) / "indicateurs", horizon, HEURES_ETP, False, seuil, complet=not secret_rapide)
        job = Job(dataset.path.resolve(), published.resolve(), year, "ensemble", stage.resolve(), chosen, horizon, seuil,
                  NOTEBOOKS / "etude_impact.ipynb", "etude_impact", "etude_impact", extra)
        (outcome,) = run_all([job], 1)
    _warn_secrecy(out / str(year) / "indicateurs")
    if not outcome.ok:
        echo(f"ÉCHEC de l'étude : {outcome.error} ; carnet exécuté : {_moved(outcome.notebook, stage, out)}", err=True)
        raise typer.Exit(1)
    echo(f"Rapport de l'étude : {_moved(outcome.folder, stage, out)}")


@app.command("pseudonymiser")
def pseudonymiser(
    fichier: Annotated[Path, typer.Argument(help="Fichier CSV ou classeur .xlsx (sa première feuille) à pseudonymiser.")],
    colonne: Annotated[list[str], typer.Option("--colonne", metavar="COLONNE", help="Colonne d'identifiants à remplacer (répétable).")],
    out: Annotated[Path, typer.Option("--out", help="Fichier CSV à écrire (« ; » et UTF-8 avec BOM, pour Excel).")],
    cle_fichier: Annotated[Path | None, typer.Option("--cle-fichier", help="Fichier qui contient la clé secrète (sinon la variable IMPACT_CLE).")] = None,
) -> None:
    """Remplace des identifiants par des pseudonymes (HMAC-SHA-256) ; la même clé donne les mêmes pseudonymes partout."""
    from impact.output import atomic_write_bytes
    from impact.problems import ProblemLog, format_lines
    from impact.pseudonymisation import KeyProblem, pseudonymise, read_key
    from impact.reading import read_csv
    from impact.values import normalise_key

    try:
        key = read_key(cle_fichier)
    except KeyProblem as problem:
        raise refuse(problem) from None
    if not fichier.is_file():
        raise fail(f"le fichier « {fichier} » n'existe pas", "fichier_absent")
    log = ProblemLog()
    if fichier.suffix.lower() == ".xlsx":
        frame = _first_sheet(fichier)
    else:
        frame = read_csv(fichier.read_bytes(), fichier.stem, fichier.name, log)
    problems = log.frame()
    if frame is None or not problems.empty:
        echo("\n".join(format_lines(problems)))
        raise typer.Exit(EXIT_INVALID)
    headers = {normalise_key(h): h for h in frame.columns}
    missing = [c for c in colonne if normalise_key(c) not in headers]
    if missing:
        raise fail(f"colonne(s) absente(s) de {fichier.name} : {', '.join(missing)} ; colonnes : {', '.join(map(str, frame.columns))}",
                   "pseudo_colonne_absente")
    for name in colonne:
        frame[headers[normalise_key(name)]] = pseudonymise(frame[headers[normalise_key(name)]], key)
    # For a French spreadsheet: ";" and UTF-8 with BOM, whatever the input was.
    text = frame.to_csv(sep=";", index=False, lineterminator="\n")
    atomic_write_bytes(out, ("\ufeff" + text).encode("utf-8"))
    echo(f"{len(frame)} lignes écrites dans {out} ; colonne(s) pseudonymisée(s) : {', '.join(colonne)}.")


@app.command("consolider")
def consolider(
    fichiers: Annotated[list[Path], typer.Argument(metavar="FICHIERS", help="Les indicateurs.csv retournés par les facilitateurs.")],
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie du fichier consolidé.")],
    annee: Annotated[list[int] | None, typer.Option("--annee", metavar="ANNEE", help="Année à garder (répétable) ; par défaut toutes.")] = None,
    heures_etp: Annotated[float, typer.Option("--heures-etp", min=1, help="Heures d'un équivalent temps plein (1 600 pour la consolidation nationale).")] = HEURES_ETP,
    seuil: Annotated[int, typer.Option("--seuil", min=1, help="Seuil de diffusion des petits effectifs.")] = 5,
    secret_rapide: SecretRapide = False,
    regions: Annotated[Path | None, typer.Option("--regions", help="Table des territoires (territoire, region, et facultativement type_facilitateur) pour regrouper par région et par type de facilitateur.")] = None,
    formats: Annotated[str, typer.Option("--formats", help="Formats du rapport, séparés par des virgules : html, docx, pdf.")] = "html,docx,pdf",
    editeur: Annotated[str | None, typer.Option("--editeur", help="Nom de l'éditeur du rapport (sinon celui de publication.toml dans le dossier de sortie).")] = None,
    date_publication: DatePublication = None,
) -> None:
    """Consolide les retours de plusieurs facilitateurs (sommes, taux et évolutions recalculés) et publie le rapport de consolidation."""
    from impact.batch import NOTEBOOKS, Job, run_all
    from impact.consolidation import COVERAGE_FILE, consolidate, read_returns, write
    from impact.indicators import INTERNAL_FILE, SPREADSHEET_FILE
    from impact.output import publication
    from impact.problems import ProblemLog

    missing = [str(f) for f in fichiers if not f.is_file()]
    if missing:
        raise fail(f"fichier(s) introuvable(s) : {', '.join(missing)}", "fichier_absent")
    log = ProblemLog()
    rows = read_returns(fichiers, log)
    problems = log.frame()
    if not problems.empty:
        _print_problems(problems, "retours")
        raise typer.Exit(EXIT_INVALID)
    table = consolidate(rows, heures_etp, annee)
    if table.empty:
        raise fail("aucune ligne à consolider pour les années demandées", "aucune_ligne_a_consolider")
    chosen = _formats(formats)
    _check_publisher(out, editeur)
    publication_day = _publication_date(date_publication)
    if regions is not None and not regions.is_file():
        raise fail(f"table des régions « {regions} » introuvable", "fichier_absent")
    if regions is not None:
        from impact.consolidation_report import RegionsError, read_regions

        try:
            read_regions(regions)
        except RegionsError as error:
            raise refuse(error) from None
    year = int(table["annee"].max())
    names = ["indicateurs.csv", SPREADSHEET_FILE, INTERNAL_FILE, COVERAGE_FILE, "metadonnees.json", str(year)]
    with publication(out, names) as stage:
        write(table, fichiers, stage, heures_etp, seuil, not secret_rapide)
        job = Job(stage.resolve(), (stage / "indicateurs.csv").resolve(), year, "ensemble", stage.resolve(), chosen, 6, seuil,
                  NOTEBOOKS / "consolidation.ipynb", "rapport", "consolidation",
                  {"regions": str(regions.resolve()) if regions else None, "editeur": editeur, "publication": str(out.resolve()),
                   "date_publication": publication_day})
        (outcome,) = run_all([job], 1)
    territories = table.loc[table["territoire"] != "ensemble", "territoire"].nunique()
    echo(f"{len(fichiers)} retours, {territories} territoires consolidés : {out / 'indicateurs.csv'}")
    _warn_secrecy(out)
    if not outcome.ok:
        echo(f"ÉCHEC du rapport de consolidation : {outcome.error} ; carnet exécuté : {_moved(outcome.notebook, stage, out)}", err=True)
        raise typer.Exit(1)
    echo(f"Rapport de consolidation {year} : {_moved(outcome.folder, stage, out)}")


@app.command("verifier-secret")
def verifier_secret(
    sortie: Annotated[Path, typer.Argument(help="Dossier des sorties publiées (indicateurs, bilans, comparaison).")],
    seuil: Annotated[int | None, typer.Option("--seuil", min=1, help="Seuil de diffusion (par défaut celui des métadonnées de la sortie).")] = None,
    heures_etp: Annotated[float, typer.Option("--heures-etp", min=1, help="Heures d'un équivalent temps plein utilisées par la sortie.")] = HEURES_ETP,
    rapport: Annotated[Path | None, typer.Option("--rapport", help="Fichier CSV où écrire toutes les valeurs retrouvées.")] = None,
) -> None:
    """Attaque les sorties publiées comme le ferait un lecteur : cherche les valeurs masquées qu'on peut retrouver ou encadrer à moins du seuil près (sortie 2 si une valeur est trouvée)."""
    from impact.disclosure_audit import check, published_tables, published_threshold
    from impact.output import atomic_write_bytes

    if not sortie.is_dir():
        raise fail(f"dossier « {sortie} » introuvable", "sortie_absente")
    tables = published_tables(sortie)
    if not tables:
        raise fail(f"aucun tableau d'indicateurs publié (indicateurs.csv) sous « {sortie} »", "sortie_absente")
    seuil = seuil or published_threshold(sortie)
    cells, reports = check(sortie, seuil, heures_etp, tables)
    for row in cells.head(30).itertuples(index=False):
        where = row.modalite if row.dimension == "ensemble" else f"{row.dimension} = {row.modalite}"
        span = f"vaut {row.bas:n}" if row.bas == row.haut else f"entre {row.bas:n} et {row.haut:n}"
        echo(f"{row.annee} · {row.territoire} · {row.indicateur} ({where}) · {row.cellule} : {span} (protection {row.protection:n})")
    for row in reports.head(30).itertuples(index=False):
        echo(f"{row.fichier} : {row.probleme} : « {row.texte} »")
    if rapport is not None:
        atomic_write_bytes(rapport, cells.to_csv(index=False, sep=";").encode("utf-8-sig"))
    read = "1 tableau lu" if len(tables) == 1 else f"{len(tables)} tableaux lus"
    if len(cells) or len(reports):
        found = ("1 valeur masquée retrouvée ou trop encadrée" if len(cells) == 1 else
                 f"{len(cells)} valeurs masquées retrouvées ou trop encadrées")
        echo(f"{found}, {len(reports)} problème{'s' if len(reports) > 1 else ''} dans les rapports ({read}, seuil {seuil}).")
        raise typer.Exit(EXIT_INVALID)
    echo(f"Aucune valeur masquée ne peut être retrouvée ni encadrée à moins de {seuil} près ({read}) ; rien de masqué n'est "
         "imprimé dans les rapports.")


@app.command("importer")
def importer(
    source: Annotated[Path, typer.Argument(help="Classeur .xlsx, fichier CSV, ou dossier de classeurs et de fichiers CSV (un par an, par exemple).")],
    out: Annotated[Path, typer.Option("--out", help="Dossier du jeu de données à écrire (un CSV par table, et correspondance.toml).")],
    correspondance: Annotated[Path | None, typer.Option("--correspondance", metavar="FICHIER.toml", help="Décisions d'un import précédent à reprendre telles quelles.")] = None,
    cle_fichier: Annotated[Path | None, typer.Option("--cle-fichier", help="Clé secrète des identifiants de personnes tirés de leurs noms (sinon la variable IMPACT_CLE, sinon une clé tirée au hasard pour cet import).")] = None,
) -> None:
    """Importe un export réel (noms de feuilles quelconques, lignes de titre, feuille à plat d'une ligne par contrat, fichiers annuels) au format du kit, et note chaque décision dans correspondance.toml."""
    from impact.dataset import validate
    from impact.hints import correction_line, hint
    from impact.importing import ImportProblem, allowed_decisions, import_source, read_mapping
    from impact.pseudonymisation import KEY_VARIABLE, KeyProblem, read_key

    try:
        key = read_key(cle_fichier) if cle_fichier is not None or os.environ.get(KEY_VARIABLE, "").strip() else None
        mapping = read_mapping(correspondance) if correspondance is not None else None
        result = import_source(source, out, mapping, key)
    except (ImportProblem, KeyProblem) as problem:
        raise refuse(problem) from None
    for sheet in result.read:
        target = result.mapping.sheets[sheet]
        said = 'ignorée' if target == 'ignorer' else 'une ligne par contrat' if target == 'plat' else f'table {target}'
        echo(f"{sheet} : {said}" + (" ; aucune ligne de données" if sheet in result.empty else "")
             + (f" (décisions reprises de {result.reused[sheet]})" if sheet in result.reused else ""))
        left = [header for header, column in result.mapping.columns.get(sheet, {}).items() if column == "ignorer"]
        if left and target != "ignorer":
            echo(f"  en-tête{'s' if len(left) > 1 else ''} non repris : {', '.join(f'« {h} »' for h in left)}")
    if result.unused:
        echo(f"décisions de correspondance sans feuille dans la source, laissées de côté : {', '.join(result.unused)}")
    for column, values in result.unmapped.items():
        for value, rows in values.most_common():
            echo(f"valeur non reconnue dans {column} : « {value} » ({rows} ligne{'s' if rows > 1 else ''})")
    if result.unmapped:
        echo("  " + correction_line(hint("import_valeur_inconnue", dossier=str(out))))
    for column, decisions in result.invalid.items():
        for value, decision in decisions:
            echo(f"décision non appliquée dans [valeurs.\"{column}\"] : « {value} » = « {decision} » n'est pas un code de la colonne ; "
                 f"codes possibles : {allowed_decisions(column)}")
    if result.absent:
        echo(f"aucun en-tête reconnu pour : {', '.join(result.absent)}")
        echo("  " + correction_line(hint("import_entete_a_choisir", dossier=str(out))))
    undecided = [column for column, value in result.mapping.defaults.items() if not value]
    if undecided:
        echo(f"colonne{'s' if len(undecided) > 1 else ''} absente{'s' if len(undecided) > 1 else ''} de la source, sans valeur décidée : "
             f"{', '.join(undecided)}")
        echo("  " + correction_line(hint("import_colonnes_absentes", dossier=str(out))))
    for table, first, second in result.near_duplicates:
        echo(f"{table} : « {first} » et « {second} » sont presque identiques ; ils sont importés comme deux "
             f"{'territoires' if table == 'territoires' else 'entités'}")
    for sheet, column, first, second, rows in result.doubled:
        echo(f"{sheet} : « {first} » et « {second} » donnent tous deux {column} et diffèrent sur {rows} ligne{'s' if rows > 1 else ''} : "
             f"« {first} » gardé (l'autre complète ses cases vides) ; pour garder l'autre, associez « {first} » à « ignorer » dans "
             "correspondance.toml ([colonnes])")
    for first, second in result.near_persons:
        echo(f"participants : {first} et {second} sont presque identiques ; ils sont importés comme deux personnes")
    if result.near_duplicates or result.near_persons:
        echo("  " + correction_line(hint("import_noms_proches")))
    for table, found in result.conflicts.items():
        shown = ", ".join(f"« {identifier} » ({', '.join(columns)} ; {sheet} lignes {', '.join(map(str, lines[:6]))})"
                          for identifier, columns, sheet, lines in found[:5])
        kept = "la dernière ligne gardée (le dernier mois)" if table == "contrats" else "la première ligne gardée"
        echo(f"{table} : {len(found)} entité{'s' if len(found) > 1 else ''} aux valeurs différentes d'une ligne à l'autre, {kept} : "
             f"{shown}{' ...' if len(found) > 5 else ''}")
    if result.conflicts:
        echo("  " + correction_line(hint("import_valeurs_divergentes")))
    for table, (rows, differ) in result.replaced.items():
        echo(f"{table} : {rows} ligne{'s' if rows > 1 else ''} d'un fichier reprise{'s' if rows > 1 else ''} par un fichier suivant (même identifiant), "
             f"gardée{'s' if rows > 1 else ''} une fois, du dernier fichier par nom"
             + (f" ; valeurs différentes dans : {', '.join(differ)}" if differ else ""))
        if differ:
            echo("  " + correction_line(hint("import_lignes_reprises")))
    if result.drawn_key:
        echo("Identifiants des personnes tirés de leurs noms avec une clé secrète tirée au hasard pour cet import.")
        echo("  " + correction_line(hint("import_cle_tiree")))
    echo(f"Jeu de données écrit dans {out} ; décisions dans {out / 'correspondance.toml'}.")
    dataset = validate(out)
    _print_problems(dataset.problems)
    if (result.unmapped or result.invalid) and dataset.is_valid:  # a list of publics read in part: the rows are valid, not complete
        echo(f"Import à terminer : des valeurs restent à décider dans {out / 'correspondance.toml'} ([valeurs]).")
    raise typer.Exit(0 if dataset.is_valid and not result.unmapped and not result.invalid else EXIT_INVALID)


@app.command("carnets")
def carnets(dossier: Annotated[Path, typer.Argument(help="Dossier où copier les carnets Jupyter (créé au besoin).")]) -> None:
    """Copie les carnets du kit (bilan, comparaison, consolidation) pour les ouvrir dans JupyterLab ; changez leur cellule « parameters »."""
    from impact.output import atomic_write_bytes
    from impact.resources import resource_folder

    if dossier.exists() and not dossier.is_dir():
        raise fail(f"« {dossier} » est un fichier", "dossier_attendu")
    written = [atomic_write_bytes(dossier / n.name, n.read_bytes()) for n in sorted(resource_folder("notebooks").glob("*.ipynb"))]
    echo(f"{len(written)} carnets copiés dans {dossier} : {', '.join(p.name for p in written)}.")
    echo("Ouvrez-les dans JupyterLab et changez la cellule « parameters » (dossier du jeu de données, année, territoire).")


def _years(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", text)
    if not match:
        raise fail(f"--annees attend une année ou une période AAAA-AAAA, pas « {text} »", "option_annees")
    first, last = int(match[1]), int(match[2] or match[1])
    if last < first:
        raise fail(f"--annees : la période {text} finit avant de commencer", "option_annees")
    return first, last


@app.command("demo")
def demo(
    dossier: Annotated[Path, typer.Argument(help="Dossier où écrire le jeu de données de démonstration.")],
    graine: Annotated[int, typer.Option("--graine", help="Graine aléatoire : la même graine donne les mêmes fichiers.")] = 2024,
    territoires: Annotated[int, typer.Option("--territoires", min=1, help="Nombre de territoires.")] = 4,
    annees: Annotated[str, typer.Option("--annees", help="Années d'activité, par exemple 2019-2024.")] = "2019-2024",
    echelle: Annotated[float, typer.Option("--echelle", min=0.01, help="Multiplie le nombre de personnes.")] = 1.0,
    format_: Annotated[str, typer.Option("--format", help="csv (un fichier par table) ou xlsx (un classeur).")] = "csv",
    comparaison: Annotated[Path | None, typer.Option("--comparaison", help="Dossier où écrire aussi deux groupes de comparaison fictifs : l'un avec un écart connu, l'autre sans.")] = None,
) -> None:
    """Écrit un jeu de données fictif mais réaliste, au format des modèles."""
    from impact import demo as demo_data

    if format_ not in ("csv", "xlsx"):
        raise fail(f"--format attend csv ou xlsx, pas « {format_} »", "option_format")
    first, last = _years(annees)
    params = demo_data.DemoParameters(seed=graine, territories=territoires, first_year=first, last_year=last, scale=echelle)
    written = demo_data.write(params, dossier, format_)
    echo(f"Jeu de démonstration écrit dans {dossier} ({len(written)} fichier{'s' if len(written) > 1 else ''}).")
    if comparaison is not None:
        from impact.formatting import french_change

        for path, truth in demo_data.write_comparison(params, comparaison).items():
            echo(f"Groupe de comparaison {path} : écart vrai sur les sorties dynamiques des participants {french_change(truth, True)}.")


def _hint(param) -> str:
    """How a parameter is written on the command line: ``--annee`` or ``DOSSIER``."""
    if param is None:
        return "un paramètre"
    options = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    return " / ".join(options) if options else (param.name or "").upper()


#: click's messages on bad values and their French (the value is kept).
_VALUE_MESSAGES = (
    (re.compile(r"'?(.*?)'? is not a valid integer( range)?\.?"), "« {0} » n'est pas un nombre entier"),
    (re.compile(r"'?(.*?)'? is not a valid float( range)?\.?"), "« {0} » n'est pas un nombre"),
    (re.compile(r"'?(.*?)'? is not a valid boolean\.?"), "« {0} » n'est pas oui ou non"),
    (re.compile(r"'?(.*?)'? is not in the range (.*?)\.?"), "{0} est hors des bornes admises ({1})"),
)


#: pydantic's kinds of validation errors (typer >= 0.26 checks values with pydantic) in French.
_PYDANTIC_MESSAGES = {
    "int_parsing": "n'est pas un nombre entier",
    "int_from_float": "n'est pas un nombre entier",
    "float_parsing": "n'est pas un nombre",
    "bool_parsing": "n'est pas oui ou non",
    "greater_than_equal": "est trop petit (au moins {0})",
    "greater_than": "est trop petit (plus de {0})",
    "less_than_equal": "est trop grand (au plus {0})",
    "less_than": "est trop grand (moins de {0})",
}


def usage_message(error: Exception, commands: list[str]) -> str:
    """A French sentence for a command-line mistake caught by click (either copy of it)."""
    name = type(error).__name__
    message = getattr(error, "message", str(error))
    if name == "NoSuchOption":
        close = difflib.get_close_matches(error.option_name, list(error.possibilities or []), n=1)
        return f"option inconnue : {error.option_name}" + (f" ; vouliez-vous dire {close[0]} ?" if close else "")
    if name == "MissingParameter":
        kind = "l'argument" if getattr(error, "param_type", None) == "argument" or getattr(error.param, "param_type_name", "") == "argument" else "l'option"
        return f"{kind} {_hint(error.param)} est obligatoire"
    if name == "BadParameter":
        cause = error.__cause__
        details = cause.errors() if hasattr(cause, "errors") else []
        if details:
            value, kind, bounds = details[0].get("input"), details[0].get("type", ""), details[0].get("ctx") or {}
            french = _PYDANTIC_MESSAGES.get(kind)
            shown = f"« {value} » " + (french.format(*bounds.values()) if french else "n'est pas une valeur admise")
            return f"valeur invalide pour {_hint(error.param)} : {shown}"
        for pattern, french in _VALUE_MESSAGES:
            match = pattern.fullmatch(message.strip())
            if match:
                return f"valeur invalide pour {_hint(error.param)} : " + french.format(*match.groups())
        return f"valeur invalide pour {_hint(error.param)}"
    unknown = re.fullmatch(r"No such command '(.*)'\..*", message, re.DOTALL)
    if unknown:
        close = difflib.get_close_matches(unknown[1], commands, n=1)
        return f"commande inconnue : « {unknown[1]} »" + (f" ; vouliez-vous dire « {close[0]} » ?" if close else "") + \
            f" ; commandes : {', '.join(commands)}"
    extra = re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if extra:
        return f"argument(s) en trop : {extra[1]}"
    requires = re.fullmatch(r"Option '(.*)' requires an argument\.?", message)
    if requires:
        return f"l'option {requires[1]} attend une valeur"
    return "ligne de commande incorrecte"


def _click_app():
    """The click command of :data:`app`, each command with its help in French."""
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = FrenchCommand
    return typer.main.get_command(app)


def main(args: list[str] | None = None) -> None:
    """Entry point: run the app and turn any unexpected failure into a short French message.

    Command-line mistakes (unknown option or command, bad value, missing argument) exit 2 with a
    French message; an unexpected failure exits 1. SIGINT and SIGTERM stop the command with one line and the status 130 or 143: the workers and
    their kernels are stopped, the staging folder removed, the previous publication kept."""
    from impact.output import FILE_SYSTEM_ERRORS, Interrupted, on_signals

    command = _click_app()
    previous = on_signals()
    try:
        status = command.main(args=args, prog_name="impact", standalone_mode=False)
    except (typer.Exit, click.exceptions.Exit) as exit_:
        sys.exit(exit_.exit_code)
    except Interrupted as signal_:
        echo(f"impact : interrompu ({signal_}) ; aucun rapport partiel n'a été publié.", err=True)
        sys.exit(128 + signal_.signum)
    except (typer.Abort, click.exceptions.Abort, KeyboardInterrupt):
        echo("impact : interrompu.", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if type(exc).__name__ == "NoArgsIsHelpError":
            echo(exc.ctx.get_help() if exc.ctx else "")
            sys.exit(0)
        if isinstance(exc, USAGE_ERRORS):
            context = getattr(exc, "ctx", None)
            where = context.command_path if context is not None else "impact"
            sys.exit(fail(usage_message(exc, sorted(command.commands)), "ligne_de_commande", commande=where).exit_code)
        if isinstance(exc, UserError):
            sys.exit(refuse(exc).exit_code)
        if isinstance(exc, CLICK_ERRORS):
            echo(f"impact : {exc.format_message()}", err=True)
            sys.exit(EXIT_INVALID)
        if os.environ.get("IMPACT_DEBUG"):
            raise
        if isinstance(exc, OSError) and exc.errno in PATH_ERRORS:
            sys.exit(fail(f"« {exc.filename2 or exc.filename} » {PATH_ERRORS[exc.errno]} ; rien n'a été publié", "chemin_impossible").exit_code)
        if isinstance(exc, OSError) and exc.errno in FILE_SYSTEM_ERRORS:
            sys.exit(fail(f"écriture impossible ({FILE_SYSTEM_ERRORS[exc.errno]}) : « {exc.filename} » ; rien n'a été publié",
                          "ecriture_impossible").exit_code)
        echo(f"impact : erreur interne inattendue ({type(exc).__name__} : {exc}). "
             "Relancez avec IMPACT_DEBUG=1 pour le détail et signalez-la.", err=True)
        sys.exit(1)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    sys.exit(status or 0)
