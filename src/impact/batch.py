"""Running the bilan notebook for one territory or many, and publishing each report atomically.

For each territory, papermill writes ``notebooks/bilan_territoire.ipynb`` with the territory's
parameters injected into a hidden work folder beside the destination, and nbclient executes it on
the worker's kernel, started once and reset (``%reset -f``) before each report, so that the
imports are paid once per worker and not once per territory. The executed notebook is turned
into HTML, Word and PDF (:mod:`impact.rendering`) and the folder, once complete, is renamed to
``SORTIE/<annee>/<territoire>/``. A territory that fails leaves no report folder: its executed
notebook, where the failing cell shows its error, is kept in ``SORTIE/<annee>/echecs/``.
Territories run in parallel worker processes; one failure does not stop the others.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from impact.output import slug
from impact.rendering import FORMATS, notebook_to_markdown, render
from impact.resources import resource_folder

NOTEBOOKS = resource_folder("notebooks")
NOTEBOOK = NOTEBOOKS / "bilan_territoire.ipynb"
#: What a published report folder keeps besides the report's own files (``<document>.html``,
#: ``.docx``, ``.pdf``, ``.ipynb``); the rest of the work folder is removed.
PUBLISHED = ("indicateurs.csv", "metadonnees.json")


@dataclass(frozen=True)
class Job:
    """One report to produce from a computed (published) ``indicateurs.csv``, ``metadonnees.json``
    beside it: for a bilan, the territory's rows (see :func:`split_by_territory`); for the
    comparison, every territory's. Its year-N rows are published with the report. ``notebook``
    defaults to the bilan; ``name`` is the report's folder under ``SORTIE/<annee>/`` (default: the
    territory's slug); ``document`` names the report's files (``bilan.html``...); ``extra`` holds
    further parameters of the notebook. Only the parameters the notebook declares are passed."""

    dataset: Path
    indicators: Path
    year: int
    territory: str
    output: Path
    formats: tuple[str, ...] = FORMATS
    horizon: int = 6
    threshold: int = 5
    notebook: Path = NOTEBOOK
    name: str | None = None
    document: str = "bilan"
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What became of a job: its report folder, or its error and the executed notebook."""

    territory: str
    folder: Path | None = None
    notebook: Path | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class WarmKernel:
    """A Python kernel kept for all the notebooks one process executes; each notebook starts from an
    empty namespace and execution count 1."""

    _RESET = "get_ipython().run_line_magic('reset', '-f')\nget_ipython().execution_count = 0"

    def __init__(self) -> None:
        self.manager = None
        self.client = None

    def execute(self, notebook) -> None:
        """Execute ``notebook`` (a NotebookNode) in place; raises nbclient's CellExecutionError."""
        import nbformat
        from nbclient import NotebookClient
        from nbclient.util import run_sync

        if self.manager is None or not run_sync(self.manager.is_alive)():
            self.close()
            from jupyter_client.manager import AsyncKernelManager

            self.manager = AsyncKernelManager(kernel_name="python3")
            run_sync(self.manager.start_kernel)()
            self.client = self.manager.client()
            self.client.start_channels()
            run_sync(self.client.wait_for_ready)(timeout=60)
        for document in (nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(self._RESET)]), notebook):
            runner = NotebookClient(document, km=self.manager, kernel_name="python3", timeout=600)
            runner.kc = self.client
            runner.execute()

    def close(self) -> None:
        """Stop the kernel, if any."""
        if self.manager is not None:
            from nbclient.util import run_sync

            self.client.stop_channels()
            run_sync(self.manager.shutdown_kernel)(now=True)
            self.manager = self.client = None


_KERNEL = WarmKernel()
atexit.register(_KERNEL.close)


def run(job: Job) -> Outcome:
    """Produce the report of one territory; never raises for a failing notebook."""
    import nbformat
    import papermill

    year_folder = job.output / str(job.year)
    year_folder.mkdir(parents=True, exist_ok=True)
    name = job.name or slug(job.territory)
    work = Path(tempfile.mkdtemp(prefix=f".{name}-en-cours-", dir=year_folder))
    notebook = work / f"{job.document}.ipynb"
    offered = {"dossier": str(job.dataset), "annee": job.year, "territoire": job.territory, "horizon": job.horizon,
               "seuil": job.threshold, "sortie": str(work), "indicateurs": str(job.indicators), **job.extra}
    declared = papermill.inspect_notebook(str(job.notebook))
    parameters = {key: value for key, value in offered.items() if key in declared}
    try:
        document = papermill.execute_notebook(str(job.notebook), str(notebook), parameters=parameters, kernel_name="python3",
                                              prepare_only=True, progress_bar=False)
        try:
            _KERNEL.execute(document)
        finally:
            nbformat.write(document, notebook)
        render(notebook_to_markdown(notebook, work, job.document), job.formats)
        _publish_rows(job, work)
        keep = {*PUBLISHED, *(f"{job.document}.{suffix}" for suffix in ("html", "docx", "pdf", "ipynb"))}
        for path in work.iterdir():
            if path.name not in keep:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        return Outcome(job.territory, _replace(work, year_folder / name), year_folder / name / f"{job.document}.ipynb")
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
        kept = None
        if notebook.exists():
            kept = year_folder / "echecs" / f"{name}.ipynb"
            kept.parent.mkdir(exist_ok=True)
            shutil.move(notebook, kept)
        shutil.rmtree(work, ignore_errors=True)
        return Outcome(job.territory, None, kept, _describe(exc))


def _describe(exc: Exception) -> str:
    from nbclient.exceptions import CellExecutionError

    if isinstance(exc, CellExecutionError):
        return f"une cellule du carnet a échoué ({exc.ename} : {exc.evalue})"
    return f"{type(exc).__name__} : {exc}"


def split_by_territory(indicators: Path, folder: Path) -> dict[str, Path]:
    """Write the rows of each territory of ``indicators`` (every year) to ``folder/<slug>.csv``,
    with a copy of ``metadonnees.json``; return the file of each territory."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(indicators.parent / "metadonnees.json", folder / "metadonnees.json")
    table = pd.read_csv(indicators, dtype=str, keep_default_na=False)
    files = {}
    for territory, rows in table.groupby("territoire", sort=False):
        files[territory] = folder / f"{slug(territory)}.csv"
        rows.to_csv(files[territory], index=False, lineterminator="\n")
    return files


def _publish_rows(job: Job, work: Path) -> None:
    """The year-N rows of the job's ``indicateurs.csv``, written exactly as computed."""
    table = pd.read_csv(job.indicators, dtype=str, keep_default_na=False)
    rows = table.loc[table["annee"] == str(job.year)]
    rows.to_csv(work / "indicateurs.csv", index=False, lineterminator="\n")
    shutil.copy(job.indicators.parent / "metadonnees.json", work / "metadonnees.json")


def _replace(work: Path, final: Path) -> Path:
    """Put the complete ``work`` folder at ``final``, replacing a previous report in one rename."""
    if final.exists():
        old = final.with_name(f".{final.name}-ancien")
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
        work.rename(final)
        shutil.rmtree(old)
    else:
        work.rename(final)
    return final


def run_all(jobs: list[Job], workers: int | None = None, progress: Callable[[int, int, Outcome], None] | None = None) -> list[Outcome]:
    """Run every job, ``workers`` at a time (default: the number of cores); outcomes in job order."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    outcomes: dict[int, Outcome] = {}
    if workers == 1:
        for index, job in enumerate(jobs):
            outcomes[index] = run(job)
            if progress:
                progress(len(outcomes), len(jobs), outcomes[index])
        _KERNEL.close()
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(run, job): index for index, job in enumerate(jobs)}
            for future in as_completed(futures):
                outcomes[futures[future]] = future.result()
                if progress:
                    progress(len(outcomes), len(jobs), outcomes[futures[future]])
    return [outcomes[i] for i in range(len(jobs))]


def progress_bar(done: int, total: int, outcome: Outcome) -> None:
    """A progress bar on standard error (one line per report when it is not a terminal)."""
    from impact.escaping import console

    mark = "ok" if outcome.ok else "ÉCHEC"
    territory = console(f"« {outcome.territory} »")[2:-2]
    if sys.stderr.isatty():
        filled = round(30 * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {territory[:30]:<30} {mark}")
        if done == total:
            sys.stderr.write("\n")
    else:
        sys.stderr.write(f"[{done}/{total}] « {territory} » : {mark}\n")
    sys.stderr.flush()
