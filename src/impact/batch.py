"""Running the bilan notebook for one territory or many, and publishing each report atomically.

For each territory, papermill writes ``notebooks/bilan_territoire.ipynb`` with the territory's
parameters injected into a hidden work folder beside the destination, and nbclient executes it on
the worker's kernel, started once and reset (``%reset -f``) before each report, so that the
imports are paid once per worker and not once per territory. The executed notebook is turned
into HTML, Word and PDF (:mod:`impact.rendering`) and the folder, once complete, is renamed to
``SORTIE/<annee>/<territoire>/``. A territory that fails leaves no report folder: its executed
notebook, where the failing cell shows its error, is kept in ``SORTIE/<annee>/echecs/`` (and
removed from there once the territory succeeds). Territories run in parallel worker processes;
one failure, or one worker that dies, does not stop the others. The commands run the batch
inside a staging copy of the publication (:func:`impact.output.publication`); when they are
interrupted, :func:`run_all` stops the workers and their kernels before the staging folder goes.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from impact.metadata import to_json
from impact.output import FILE_SYSTEM_ERRORS, checkpoint, make_folder, slug, staging_folder
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
    empty namespace and execution count 1.

    The kernel is driven from one daemon thread of its own: nbclient, when it runs in the main
    thread, replaces the process's SIGINT and SIGTERM handlers by its own (which shut the kernel
    down and let the command go on) and leaves the defaults behind (SIGTERM then kills the command
    silently). Off the main thread it installs none; the main thread waits for the kernel thread
    in a way signals interrupt, and the command's handlers stay in force."""

    _RESET = "get_ipython().run_line_magic('reset', '-f')\nget_ipython().execution_count = 0"

    def __init__(self) -> None:
        self.manager = None
        self.client = None
        self._jobs: queue.Queue | None = None
        self._sockets: str | None = None

    def _serve(self) -> None:
        while True:
            function, box = self._jobs.get()
            try:
                box.set_result(function())
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                box.set_exception(error)

    def _call(self, function: Callable[[], object]) -> object:
        """Run ``function`` in the kernel thread and wait for it (interruptible by signals)."""
        if self._jobs is None:
            self._jobs = queue.Queue()
            threading.Thread(target=self._serve, name="noyau", daemon=True).start()
        box: Future = Future()
        self._jobs.put((function, box))
        return box.result()

    def execute(self, notebook) -> None:
        """Execute ``notebook`` (a NotebookNode) in place; raises nbclient's CellExecutionError."""
        self._call(lambda: self._execute(notebook))

    def _execute(self, notebook) -> None:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.util import run_sync

        if self.manager is None or not run_sync(self.manager.is_alive)():
            self._close()
            from jupyter_client.manager import AsyncKernelManager

            # Local sockets (IPC, files of a private folder), not TCP ports: jupyter_client picks free
            # ports before the kernel binds them, and two workers starting kernels at once could take
            # the same one (« Address already in use », a territory failed; seen in CI).
            self._sockets = tempfile.mkdtemp(prefix="impact-noyau-")
            self.manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets, "noyau"))
            # The kernel's own log at errors only.
            run_sync(self.manager.start_kernel)(extra_arguments=["--log-level=ERROR"])
            self.client = self.manager.client()
            self.client.start_channels()
            run_sync(self.client.wait_for_ready)(timeout=60)
        for document in (nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(self._RESET)]), notebook):
            runner = NotebookClient(document, km=self.manager, kernel_name="python3", timeout=600)
            runner.kc = self.client
            runner.execute()

    def kill(self) -> None:
        """Kill the kernel and its children at once (it runs in its own session: a Ctrl-C in the
        terminal does not reach it), for an interrupted run."""
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.manager = self.client = None
        self._remove_sockets()

    def _remove_sockets(self) -> None:
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None

    def close(self) -> None:
        """Stop the kernel, if any."""
        if self.manager is not None:
            self._call(self._close)

    def _close(self) -> None:
        if self.manager is not None:
            from nbclient.util import run_sync

            self.client.stop_channels()
            run_sync(self.manager.shutdown_kernel)(now=True)
            self.manager = self.client = None
        self._remove_sockets()


_KERNEL = WarmKernel()
atexit.register(_KERNEL.close)


def run(job: Job) -> Outcome:
    """Produce the report of one territory; never raises for a failing notebook."""
    import nbformat
    import papermill

    year_folder = make_folder(job.output / str(job.year))
    name = job.name or slug(job.territory)
    work = staging_folder(year_folder, f".{name}-en-cours-")
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
            nbformat.write(_names_only(document), notebook)
        render(notebook_to_markdown(notebook, work, job.document), job.formats, job.extra.get("date_publication"))
        _publish_rows(job, work)
        keep = {*PUBLISHED, *(f"{job.document}.{suffix}" for suffix in ("html", "docx", "pdf", "ipynb"))}
        for path in work.iterdir():
            if path.name not in keep:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        checkpoint("rapport")
        (year_folder / "echecs" / f"{name}.ipynb").unlink(missing_ok=True)
        return Outcome(job.territory, _replace(work, year_folder / name), year_folder / name / f"{job.document}.ipynb")
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
        kept = None
        if notebook.exists():
            kept = year_folder / "echecs" / f"{name}.ipynb"
            kept.parent.mkdir(exist_ok=True)
            shutil.move(notebook, kept)
        shutil.rmtree(work, ignore_errors=True)
        return Outcome(job.territory, None, kept, _describe(exc))


def _names_only(document):
    """The executed notebook as published: its parameters and papermill's record of them give
    the folders and files by name, not by path (a path tells where the user keeps the data, and
    names the hidden folders the report was built in)."""
    from papermill.translators import translate_parameters

    record = document.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if record.get(key):
            record[key] = Path(record[key]).name
    parameters = record.get("parameters", {})
    for key, value in parameters.items():
        if isinstance(value, str) and os.path.isabs(value):
            parameters[key] = Path(value).name
    for cell in document.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = translate_parameters("python3", "python", parameters, "Parameters").rstrip("\n")
    return document


def _describe(exc: Exception) -> str:
    from nbclient.exceptions import CellExecutionError

    if isinstance(exc, CellExecutionError):
        return f"une cellule du carnet a échoué ({exc.ename} : {exc.evalue})"
    if isinstance(exc, OSError) and exc.errno in FILE_SYSTEM_ERRORS:
        return f"écriture impossible ({FILE_SYSTEM_ERRORS[exc.errno]}) : « {exc.filename} »"
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
    """The year-N rows of the job's ``indicateurs.csv``, written exactly as computed, and its
    ``metadonnees.json`` with the report's publication date among the parameters, and what the
    job's ``extra["metadonnees"]`` adds to its parameters and input files (the impact study's)."""
    table = pd.read_csv(job.indicators, dtype=str, keep_default_na=False)
    rows = table.loc[table["annee"] == str(job.year)]
    rows.to_csv(work / "indicateurs.csv", index=False, lineterminator="\n")
    record = json.loads((job.indicators.parent / "metadonnees.json").read_text(encoding="utf-8"))
    added = job.extra.get("metadonnees")
    if added:
        record.setdefault("parametres", {}).update(added["parametres"])
        record.setdefault("entrees", {}).setdefault("fichiers", {}).update(added["entrees"]["fichiers"])
    if job.extra.get("date_publication"):
        record.setdefault("parametres", {})["date_publication"] = job.extra["date_publication"]
    (work / "metadonnees.json").write_text(to_json(record), encoding="utf-8")


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


def _worker_start() -> None:
    """In each worker: Ctrl-C is the main process's business; SIGTERM (sent by the main process
    when it is interrupted) kills the worker's kernel and ends the worker at once."""
    def stop(_signum, _frame):
        _KERNEL.kill()
        os._exit(143)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)


def _dead(job: Job, error: BaseException) -> Outcome:
    return Outcome(job.territory, error=f"le processus qui produisait ce rapport s'est arrêté brutalement ({type(error).__name__})")


def run_all(jobs: list[Job], workers: int | None = None, progress: Callable[[int, int, Outcome], None] | None = None) -> list[Outcome]:
    """Run every job, ``workers`` at a time (default: the number of cores); outcomes in job order.
    A worker that dies fails its territory (and those it had not started), not the batch. Any
    ``BaseException`` (an interruption) stops the workers and kills their kernels before it goes on."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    outcomes: dict[int, Outcome] = {}
    if workers == 1:
        try:
            for index, job in enumerate(jobs):
                outcomes[index] = run(job)
                if progress:
                    progress(len(outcomes), len(jobs), outcomes[index])
        except BaseException:
            _KERNEL.kill()
            raise
        _KERNEL.close()
        return [outcomes[i] for i in range(len(jobs))]
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_worker_start)
    try:
        futures = {pool.submit(run, job): index for index, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            try:
                outcomes[index] = future.result()
            except BrokenProcessPool as error:
                outcomes[index] = _dead(jobs[index], error)
            if progress:
                progress(len(outcomes), len(jobs), outcomes[index])
    except BaseException:
        processes = list((pool._processes or {}).values())  # noqa: SLF001 - the executor offers no way to stop its workers
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
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
