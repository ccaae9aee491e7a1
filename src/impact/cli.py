"""The ``impact`` command line (French), built with typer.

Exit status: 0 when all went well, 2 when the data are invalid (or a command's arguments are),
1 for an unexpected internal failure. No Python traceback reaches the user unless
``IMPACT_DEBUG=1`` is set.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from impact import __version__
from impact.schema import HEURES_ETP

EXIT_INVALID = 2
app = typer.Typer(
    name="impact",
    help="Kit d'évaluation des clauses sociales d'insertion : modèles de saisie, validation, données de démonstration.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_problems(problems, subject: str = "jeu de données") -> None:
    """Each problem as ``table:ligne:colonne: gravité : message``, then the summary line."""
    from impact.problems import format_lines, summary

    lines = format_lines(problems)
    if lines:
        typer.echo("\n".join(lines))
    text = summary(problems)
    if subject != "jeu de données":
        text = text.replace("jeu de données inutilisable", f"{subject} inutilisables")
    typer.echo(text)


def fail(message: str, status: int = EXIT_INVALID) -> typer.Exit:
    """Print ``message`` in French on standard error and return the exit to raise."""
    typer.echo(f"impact : {message}", err=True)
    return typer.Exit(status)


@app.callback(invoke_without_command=True)
def _version(
    version: Annotated[bool, typer.Option("--version", help="Affiche la version du kit.")] = False,
) -> None:
    if version:
        typer.echo(f"impact {__version__}")
        raise typer.Exit(0)


@app.command("modeles")
def modeles(dossier: Annotated[Path, typer.Argument(help="Dossier où copier les modèles vierges.")]) -> None:
    """Copie les modèles vierges : un CSV par table et leur description (csv/), le classeur Excel (excel/)."""
    from impact.templates import write_templates

    written = write_templates(dossier)
    typer.echo(f"{len(written)} fichiers écrits dans {dossier} :")
    for path in written:
        typer.echo(f"  {path}")


@app.command("valider")
def valider(
    dossier: Annotated[Path, typer.Argument(help="Dossier du jeu de données (CSV, Parquet ou un classeur .xlsx).")],
    rapport: Annotated[Path | None, typer.Option("--rapport", help="Écrit aussi les problèmes dans ce fichier CSV.")] = None,
) -> None:
    """Vérifie un jeu de données et liste chaque problème sous la forme table:ligne:colonne: message."""
    from impact.dataset import validate
    from impact.output import atomic_write_text

    dataset = validate(dossier)
    _print_problems(dataset.problems)
    if rapport is not None:
        atomic_write_text(rapport, dataset.problems.to_csv(index=False, lineterminator="\n"))
        typer.echo(f"Rapport écrit : {rapport}")
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
        raise fail(f"--formats attend une liste parmi {', '.join(FORMATS)}, pas « {text} »")
    return chosen


def _check_publisher(folder: Path, editeur: str | None) -> None:
    """Exit 2 with the French message when ``folder/publication.toml`` cannot be read."""
    from impact.editorial import PublicationError, publisher

    try:
        publisher(folder, editeur)
    except PublicationError as error:
        raise fail(str(error)) from None


def _year_indicators(dossier: Path, annee: int, horizon: int):
    """Validate ``dossier``, compute its indicators and check ``annee`` is in them, or exit 2;
    return (dataset, table). Nothing is written."""
    from impact.facts import NoContractError
    from impact.indicators import indicators

    dataset = _load_or_exit(dossier)
    try:
        table = indicators(dataset, horizon=horizon)
    except NoContractError as error:
        raise fail(str(error)) from None
    if annee not in set(table["annee"]):
        raise fail(f"l'année {annee} ne figure pas dans les données ({table['annee'].min()} à {table['annee'].max()})")
    return dataset, table


@app.command("indicateurs")
def indicateurs(
    dossier: Annotated[Path, typer.Argument(help="Dossier du jeu de données.")],
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie : indicateurs.csv et metadonnees.json.")],
    annee: Annotated[list[int] | None, typer.Option("--annee", help="Année à calculer (répétable) ; par défaut toutes.")] = None,
    horizon: Annotated[int, typer.Option("--horizon", min=1, help="Mois après la fin du parcours pour le devenir des personnes.")] = 6,
    date_extraction: Annotated[str | None, typer.Option("--date-extraction", help="Date d'extraction AAAA-MM-JJ (par défaut la dernière date observée).")] = None,
    heures_etp: Annotated[float, typer.Option("--heures-etp", min=1, help="Heures d'un équivalent temps plein.")] = HEURES_ETP,
    seuil: Annotated[int, typer.Option("--seuil", min=1, help="Seuil de diffusion : les comptes de 1 à SEUIL personnes sont masqués.")] = 5,
) -> None:
    """Calcule les indicateurs de chaque année, territoire et de l'ensemble : indicateurs.csv (publiable, petits effectifs masqués) et sa version interne non diffusable."""
    import pandas as pd

    from impact.facts import NoContractError
    from impact.indicators import indicators, write

    extraction = None
    if date_extraction is not None:
        try:
            extraction = pd.Timestamp(dt.date.fromisoformat(date_extraction))
        except ValueError:
            raise fail(f"--date-extraction attend une date AAAA-MM-JJ, pas « {date_extraction} »") from None
    dataset = _load_or_exit(dossier)
    try:
        table = indicators(dataset, horizon=horizon, extraction_date=extraction, heures_etp=heures_etp)
    except NoContractError as error:
        raise fail(str(error)) from None
    if annee and not table["annee"].isin(annee).any():
        raise fail(f"aucune des années demandées ({', '.join(map(str, annee))}) ne figure dans les données")
    write(dataset, table, out, horizon, heures_etp, extraction is not None, seuil, annee)
    rows = int(table["annee"].isin(annee).sum()) if annee else len(table)
    typer.echo(f"{rows} lignes écrites dans {out / 'indicateurs.csv'} (métadonnées : {out / 'metadonnees.json'}).")


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
    processus: Annotated[int | None, typer.Option("--processus", min=1, help="Rapports produits en parallèle (par défaut : le nombre de cœurs).")] = None,
    editeur: Annotated[str | None, typer.Option("--editeur", help="Nom de l'éditeur des rapports (sinon celui de publication.toml dans le dossier du jeu de données).")] = None,
) -> None:
    """Produit le bilan annuel d'un territoire (ou de tous) en HTML, Word et PDF, depuis le carnet paramétré."""
    from impact.batch import Job, progress_bar, run_all, split_by_territory
    from impact.indicators import write

    if (territoire is None) == (not tous):
        raise fail("indiquez soit --territoire T (ou « ensemble »), soit --tous-territoires")
    chosen = _formats(formats)
    _check_publisher(dossier, editeur)
    dataset, table = _year_indicators(dossier, annee, horizon)
    known = list(dict.fromkeys(table["territoire"]))
    if territoire is not None and territoire not in known:
        raise fail(f"territoire « {territoire} » inconnu ; territoires du jeu : {', '.join(known)}")
    published = write(dataset, table, out / str(annee) / "indicateurs", horizon, HEURES_ETP, False, seuil)
    names = known if tous else [territoire]
    files = split_by_territory(published, published.parent / "territoires")
    jobs = [Job(dataset.path.resolve(), files[name].resolve(), annee, name, out.resolve(), chosen, horizon, seuil, extra={"editeur": editeur})
            for name in names]
    outcomes = run_all(jobs, processus, progress_bar)
    for outcome in outcomes:
        if outcome.ok:
            typer.echo(f"{outcome.territory} : {outcome.folder}")
    failures = [o for o in outcomes if not o.ok]
    for outcome in failures:
        typer.echo(f"ÉCHEC {outcome.territory} : {outcome.error} ; carnet exécuté : {outcome.notebook}", err=True)
    typer.echo(f"{len(outcomes) - len(failures)} bilan(s) produit(s) sur {len(outcomes)} dans {out / str(annee)}.")
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
    editeur: Annotated[str | None, typer.Option("--editeur", help="Nom de l'éditeur des rapports (sinon celui de publication.toml dans le dossier du jeu de données).")] = None,
) -> None:
    """Compare les territoires (volumes, publics, devenir, entonnoir, taux ajustés) et publie le rapport en HTML, Word et PDF."""
    from impact.batch import NOTEBOOKS, Job, run_all
    from impact.indicators import write

    chosen = _formats(formats)
    _check_publisher(dossier, editeur)
    dataset, table = _year_indicators(dossier, annee, horizon)
    published = write(dataset, table, out / str(annee) / "indicateurs", horizon, HEURES_ETP, False, seuil)
    job = Job(dataset.path.resolve(), published.resolve(), annee, "ensemble", out.resolve(), chosen, horizon, seuil,
              NOTEBOOKS / "comparaison_territoires.ipynb", "comparaison", "comparaison", {"editeur": editeur})
    (outcome,) = run_all([job], 1)
    if not outcome.ok:
        typer.echo(f"ÉCHEC de la comparaison : {outcome.error} ; carnet exécuté : {outcome.notebook}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Comparaison des territoires : {outcome.folder}")


@app.command("pseudonymiser")
def pseudonymiser(
    fichier: Annotated[Path, typer.Argument(help="Fichier CSV à pseudonymiser.")],
    colonne: Annotated[list[str], typer.Option("--colonne", help="Colonne d'identifiants à remplacer (répétable).")],
    out: Annotated[Path, typer.Option("--out", help="Fichier CSV à écrire.")],
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
        raise fail(str(problem)) from None
    if not fichier.is_file():
        raise fail(f"le fichier « {fichier} » n'existe pas")
    log = ProblemLog()
    frame = read_csv(fichier.read_bytes(), fichier.stem, fichier.name, log)
    problems = log.frame()
    if frame is None or not problems.empty:
        typer.echo("\n".join(format_lines(problems)))
        raise typer.Exit(EXIT_INVALID)
    headers = {normalise_key(h): h for h in frame.columns}
    missing = [c for c in colonne if normalise_key(c) not in headers]
    if missing:
        raise fail(f"colonne(s) absente(s) de {fichier.name} : {', '.join(missing)} ; colonnes : {', '.join(map(str, frame.columns))}")
    for name in colonne:
        frame[headers[normalise_key(name)]] = pseudonymise(frame[headers[normalise_key(name)]], key)
    text = frame.to_csv(sep=frame.attrs["separateur"], index=False, lineterminator="\n")
    atomic_write_bytes(out, ("\ufeff" + text).encode("utf-8"))
    typer.echo(f"{len(frame)} lignes écrites dans {out} ; colonne(s) pseudonymisée(s) : {', '.join(colonne)}.")


@app.command("consolider")
def consolider(
    fichiers: Annotated[list[Path], typer.Argument(help="Les indicateurs.csv retournés par les facilitateurs.")],
    out: Annotated[Path, typer.Option("--out", help="Dossier de sortie du fichier consolidé.")],
    annee: Annotated[list[int] | None, typer.Option("--annee", help="Année à garder (répétable) ; par défaut toutes.")] = None,
    heures_etp: Annotated[float, typer.Option("--heures-etp", min=1, help="Heures d'un équivalent temps plein (1 600 pour la consolidation nationale).")] = HEURES_ETP,
    seuil: Annotated[int, typer.Option("--seuil", min=1, help="Seuil de diffusion des petits effectifs.")] = 5,
    regions: Annotated[Path | None, typer.Option("--regions", help="Table des territoires (territoire, region, et facultativement type_facilitateur) pour regrouper par région et par type de facilitateur.")] = None,
    formats: Annotated[str, typer.Option("--formats", help="Formats du rapport, séparés par des virgules : html, docx, pdf.")] = "html,docx,pdf",
    editeur: Annotated[str | None, typer.Option("--editeur", help="Nom de l'éditeur du rapport (sinon celui de publication.toml dans le dossier de sortie).")] = None,
) -> None:
    """Consolide les retours de plusieurs facilitateurs (sommes, taux et évolutions recalculés) et publie le rapport de consolidation."""
    from impact.batch import NOTEBOOKS, Job, run_all
    from impact.consolidation import consolidate, read_returns, write
    from impact.problems import ProblemLog

    missing = [str(f) for f in fichiers if not f.is_file()]
    if missing:
        raise fail(f"fichier(s) introuvable(s) : {', '.join(missing)}")
    log = ProblemLog()
    rows = read_returns(fichiers, log)
    problems = log.frame()
    if not problems.empty:
        _print_problems(problems, "retours")
        raise typer.Exit(EXIT_INVALID)
    table = consolidate(rows, heures_etp, annee)
    if table.empty:
        raise fail("aucune ligne à consolider pour les années demandées")
    chosen = _formats(formats)
    _check_publisher(out, editeur)
    if regions is not None and not regions.is_file():
        raise fail(f"table des régions « {regions} » introuvable")
    write(table, fichiers, out, heures_etp, seuil)
    territories = table.loc[table["territoire"] != "ensemble", "territoire"].nunique()
    typer.echo(f"{len(fichiers)} retours, {territories} territoires consolidés : {out / 'indicateurs.csv'}")
    year = int(table["annee"].max())
    job = Job(out.resolve(), (out / "indicateurs.csv").resolve(), year, "ensemble", out.resolve(), chosen, 6, seuil,
              NOTEBOOKS / "consolidation.ipynb", "rapport", "consolidation",
              {"regions": str(regions.resolve()) if regions else None, "editeur": editeur})
    (outcome,) = run_all([job], 1)
    if not outcome.ok:
        typer.echo(f"ÉCHEC du rapport de consolidation : {outcome.error} ; carnet exécuté : {outcome.notebook}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Rapport de consolidation {year} : {outcome.folder}")


def _years(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", text)
    if not match:
        raise fail(f"--annees attend une année ou une période AAAA-AAAA, pas « {text} »")
    first, last = int(match[1]), int(match[2] or match[1])
    if last < first:
        raise fail(f"--annees : la période {text} finit avant de commencer")
    return first, last


@app.command("demo")
def demo(
    dossier: Annotated[Path, typer.Argument(help="Dossier où écrire le jeu de données de démonstration.")],
    graine: Annotated[int, typer.Option("--graine", help="Graine aléatoire : la même graine donne les mêmes fichiers.")] = 2024,
    territoires: Annotated[int, typer.Option("--territoires", min=1, help="Nombre de territoires.")] = 4,
    annees: Annotated[str, typer.Option("--annees", help="Années d'activité, par exemple 2019-2024.")] = "2019-2024",
    echelle: Annotated[float, typer.Option("--echelle", min=0.01, help="Multiplie le nombre de personnes.")] = 1.0,
    format_: Annotated[str, typer.Option("--format", help="csv (un fichier par table) ou xlsx (un classeur).")] = "csv",
) -> None:
    """Écrit un jeu de données fictif mais réaliste, au format des modèles."""
    from impact import demo as demo_data

    if format_ not in ("csv", "xlsx"):
        raise fail(f"--format attend csv ou xlsx, pas « {format_} »")
    first, last = _years(annees)
    params = demo_data.DemoParameters(seed=graine, territories=territoires, first_year=first, last_year=last, scale=echelle)
    written = demo_data.write(params, dossier, format_)
    typer.echo(f"Jeu de démonstration écrit dans {dossier} ({len(written)} fichier{'s' if len(written) > 1 else ''}).")


def main() -> None:
    """Entry point: run the app and turn any unexpected failure into a short French message."""
    try:
        status = app(standalone_mode=False)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except typer.Abort:
        typer.echo("impact : interrompu.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("impact : interrompu.", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(EXIT_INVALID)
        if os.environ.get("IMPACT_DEBUG"):
            raise
        typer.echo(f"impact : erreur interne inattendue ({type(exc).__name__} : {exc}). "
                   "Relancez avec IMPACT_DEBUG=1 pour le détail et signalez-la.", err=True)
        sys.exit(1)
    sys.exit(status or 0)
