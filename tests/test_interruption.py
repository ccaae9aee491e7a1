"""Publication survives faults (issue 14): real SIGINT and SIGTERM at several points of
``impact bilan --tous-territoires`` and ``impact comparer``, two runs into one ``--out`` at once,
a full disk. Afterwards the output folder is the previous publication or the complete new one,
never a mix; no hidden work folder is left; no worker or kernel outlives the command.

The points are picked by file events (the staging folder appears, a report is renamed into it)
or by the kit's test hook ``IMPACT_SIGNAL=<point>:<SIGNAL>``, where the process sends itself the
signal (``avant-echange``: the new publication is complete but not yet in place; ``echange``:
during the swap, signals held; ``rapport``: a report just done, in the worker).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import IMPACT

PREVIOUS, NEW = "5", "7"  # the --seuil of the previous publication and of the new one


def _snapshot(out: Path) -> dict[str, str]:
    """Every file under ``out`` (hidden ones included) and its SHA-256."""
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*")) if p.is_file()}


def _thresholds(out: Path) -> set[str]:
    """The --seuil of every metadonnees.json the bilan publishes under ``out`` (the comparison,
    another command's, is left as it was)."""
    return {str(json.loads(p.read_text(encoding="utf-8"))["parametres"]["seuil"]) for p in out.rglob("metadonnees.json")
            if "comparaison" not in p.parts}


def _command(data: Path, out: Path, command: str, seuil: str) -> list:
    if command == "bilan":
        return [IMPACT, "bilan", data, "--annee", "2024", "--tous-territoires", "--out", out, "--formats", "html", "--seuil", seuil,
                "--processus", "2"]
    return [IMPACT, "comparer", data, "--annee", "2024", "--out", out, "--formats", "html", "--seuil", seuil]


@pytest.fixture(scope="module")
def publications(tmp_path_factory):
    """The dataset, a previous publication of each command (seuil 5) and a complete new one (seuil 7)."""
    root = tmp_path_factory.mktemp("interruption")
    data = root / "donnees"
    subprocess.run([IMPACT, "demo", data, "--territoires", "2", "--annees", "2022-2024"], check=True, capture_output=True)
    for seuil, name in ((PREVIOUS, "precedente"), (NEW, "nouvelle")):
        for command in ("bilan", "comparer"):
            subprocess.run(_command(data, root / name, command, seuil), check=True, capture_output=True)
    new = root / "nouvelle"
    return data, root / "precedente", {p for p in _snapshot(new) if not p.endswith(".ipynb")}


def _alive(tag: str) -> list[int]:
    """Processes (workers, kernels) started by the run tagged ``tag`` that are still running."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and f"IMPACT_TEST_TAG={tag}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _wait_for(condition, process, limit=300):
    start = time.monotonic()
    while not condition():
        assert process.poll() is None, "la commande s'est terminée avant le point visé"
        assert time.monotonic() - start < limit, "point visé jamais atteint"
        time.sleep(0.05)


def _interrupt(tmp_path, publications, command, how, hook=""):
    """Run ``command`` into a copy of the previous publication, interrupt it as ``how`` says;
    return (status, stderr, output folder, snapshot before)."""
    data, previous, _ = publications
    out = tmp_path / "sortie"
    shutil.copytree(previous, out)
    before = _snapshot(out)
    tag = uuid.uuid4().hex
    env = {**os.environ, "IMPACT_TEST_TAG": tag, "IMPACT_SIGNAL": hook}
    process = subprocess.Popen(_command(data, out, command, NEW), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=True)
    if how is not None:
        point, signum, target = how
        _wait_for(point(out), process)
        (os.killpg if target == "groupe" else os.kill)(process.pid, signum)
    _, err = process.communicate(timeout=300)
    deadline = time.monotonic() + 20
    while _alive(tag) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _alive(tag) == [], "un processus de travail ou un noyau survit à la commande"
    return process.returncode, err, out, before


def _staged(out: Path, pattern: str):
    return lambda: any(out.glob(f".impact-en-cours-*/{pattern}"))


def _new_report(out: Path):
    """A report of the new run renamed into place in the staging folder."""
    def seuil(path: Path) -> int | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))["parametres"]["seuil"]
        except (OSError, ValueError):  # being copied from the previous publication
            return None

    def done() -> bool:
        return any(seuil(p) == int(NEW) for p in out.glob(".impact-en-cours-*/2024/*/metadonnees.json") if p.parent.name != "indicateurs")
    return done


def _check(status, err, out, before, publications, expect):
    _, _, complete = publications
    assert "Traceback" not in err, err[-2000:]
    hidden = [str(p.relative_to(out)) for p in out.rglob(".*")]
    assert hidden == [], hidden
    if expect == "previous":
        assert _snapshot(out) == before
    else:
        assert {p for p in _snapshot(out) if not p.endswith(".ipynb")} == complete and _thresholds(out) == {NEW}


POINTS = {
    "sigint-groupe-avant-les-rapports": ("bilan", (lambda out: _staged(out, "2024/indicateurs/territoires/*.csv"), signal.SIGINT, "groupe"), "", 130),
    "sigterm-pendant-un-rapport": ("bilan", (lambda out: _staged(out, "2024/.*-en-cours-*/bilan.ipynb"), signal.SIGTERM, "principal"), "", 143),
    "sigint-apres-le-renommage-d-un-rapport": ("bilan", (_new_report, signal.SIGINT, "groupe"), "", 130),
    "sigterm-avant-l-echange": ("bilan", None, "avant-echange:TERM", 143),
    "sigint-comparaison-apres-le-rapport": ("comparer", None, "rapport:INT", 130),
}


@pytest.mark.parametrize("point", POINTS)
def test_interruption_leaves_the_previous_publication(point, tmp_path, publications):
    command, how, hook, code = POINTS[point]
    status, err, out, before = _interrupt(tmp_path, publications, command, how, hook)
    assert status == code, err[-2000:]
    assert err.strip().splitlines()[-1].startswith("impact : interrompu (SIG")
    _check(status, err, out, before, publications, "previous")


def test_signal_during_the_swap_is_held_until_the_new_publication_is_in_place(tmp_path, publications):
    status, err, out, before = _interrupt(tmp_path, publications, "bilan", None, "echange:INT")
    assert status == 130 and err.strip().splitlines()[-1].startswith("impact : interrompu (SIGINT)")
    _check(status, err, out, before, publications, "new")


def test_dead_workers_are_reported_per_territory(tmp_path, publications):
    """Each worker kills itself (SIGTERM) once its first report is done: every territory it
    was to produce is reported as failed, the command ends with status 1, nothing hangs."""
    status, err, out, _ = _interrupt(tmp_path, publications, "bilan", None, "rapport:TERM")
    assert status == 1
    failed = [line for line in err.splitlines() if line.startswith("ÉCHEC")]
    assert len(failed) == 3 and all("s'est arrêté brutalement" in line for line in failed)
    assert [str(p.relative_to(out)) for p in out.rglob(".*")] == []


def test_two_runs_into_one_output_folder_wait_for_each_other(tmp_path, publications):
    """The first run stops itself (SIGSTOP) just before its swap, lock held; the second says it
    waits; once the first goes on, both finish, and the folder is the second's complete run. What
    a killed run of an older kit left (a hidden work folder, the notebook of a territory that has
    failed since) is gone."""
    data, previous, _ = publications
    out = tmp_path / "sortie"
    shutil.copytree(previous, out)
    (out / "2024" / ".val-d-argent-en-cours-abc").mkdir()
    (out / "2024" / "echecs").mkdir()
    (out / "2024" / "echecs" / "val-d-argent.ipynb").write_text("{}", encoding="utf-8")
    first = subprocess.Popen(_command(data, out, "bilan", PREVIOUS), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "IMPACT_SIGNAL": "avant-echange:STOP"})
    _wait_for(lambda: Path(f"/proc/{first.pid}/stat").read_text().split(") ")[1].startswith("T"), first)
    second = subprocess.Popen(_command(data, out, "bilan", NEW), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    waiting = second.stderr.readline()
    assert "une autre commande impact écrit dans" in waiting
    os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    assert {p for p in _snapshot(out) if not p.endswith(".ipynb")} == publications[2] and _thresholds(out) == {NEW}
    assert [str(p.relative_to(out)) for p in out.rglob(".*")] == []
    umask = os.umask(0o022)
    os.umask(umask)
    assert {stat.S_IMODE(p.stat().st_mode) for p in (out / "2024").rglob("*") if p.is_dir()} == {0o777 & ~umask}


@contextmanager
def _file_system(folder: Path, options: str):
    """A small tmpfs mounted on ``folder`` with ``options``, when this machine lets the tests mount
    one (CI runs as root), unmounted afterwards."""
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", folder], capture_output=True).returncode:
        pytest.skip("montage d'un petit système de fichiers impossible ici")
    try:
        yield folder
    finally:
        subprocess.run(["umount", folder], check=True)


def test_read_only_output_gives_a_french_message(tmp_path, publications):
    data, _, _ = publications
    with _file_system(tmp_path / "disque", "ro,size=1m") as disk:
        done = subprocess.run(_command(data, disk / "sortie", "comparer", NEW), capture_output=True, text=True)
        assert done.returncode == 2, done.stderr[-2000:]
        assert "impact : écriture impossible (système de fichiers en lecture seule) :" in done.stderr and "Traceback" not in done.stderr
        assert list(disk.iterdir()) == []


def test_full_disk_gives_a_french_message_and_keeps_the_publication(tmp_path, publications):
    """1,6 MB hold the previous indicators and their staging copy, not the new ones."""
    data, previous, _ = publications
    with _file_system(tmp_path / "disque", "size=1600k") as disk:
        out = disk / "sortie"
        shutil.copytree(previous / "2024" / "indicateurs", out / "2024" / "indicateurs")
        before = _snapshot(out)
        done = subprocess.run(_command(data, out, "bilan", NEW), capture_output=True, text=True)
        assert done.returncode == 2, done.stderr[-2000:]
        assert "impact : écriture impossible (plus de place sur le disque)" in done.stderr and "Traceback" not in done.stderr
        assert _snapshot(out) == before and [p for p in out.rglob(".*")] == []


def test_interrupted_consolidation_publishes_nothing(tmp_path, publications):
    """SIGTERM once the consolidation report is done, before anything is in place: the new output
    folder stays empty (no consolidated file without its report)."""
    _, previous, _ = publications
    out = tmp_path / "national"
    done = subprocess.run([IMPACT, "consolider", previous / "2024" / "indicateurs" / "indicateurs.csv", "--out", out, "--formats", "html"],
                          capture_output=True, text=True, env={**os.environ, "IMPACT_SIGNAL": "rapport:TERM"})
    assert done.returncode == 143 and done.stderr.strip().splitlines()[-1].startswith("impact : interrompu (SIGTERM)")
    assert "Traceback" not in done.stderr and list(out.iterdir()) == []


def test_the_kernels_of_parallel_workers_talk_over_local_sockets_not_tcp_ports():
    """Two workers starting their kernels at once could be given the same free TCP port (seen in
    CI: « Address already in use », a territory failed, a traceback on the terminal). The kernel
    uses IPC sockets in a private folder instead, removed when it stops."""
    import nbformat

    from impact.batch import WarmKernel

    kernel = WarmKernel()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 6 * 7\nx")])
    try:
        kernel.execute(notebook)
        folder = Path(kernel._sockets)  # noqa: SLF001 - where the sockets are is the point
        assert kernel.manager.transport == "ipc" and folder.is_dir() and any(folder.iterdir())
        assert notebook.cells[0].outputs[0]["data"]["text/plain"] == "42"
    finally:
        kernel.close()
    assert not folder.exists()
