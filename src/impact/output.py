"""Writing outputs so that a failed or interrupted run never leaves a half-written file or
publication behind.

- Each file is written to a temporary name in its destination folder, flushed, then renamed over
  the final name (``os.replace`` is atomic on one file system): :func:`atomic_write_bytes`.
- A command's whole publication is built in a hidden staging folder and exchanged with the
  previous one at the end, under a lock of the output folder: :func:`publication`; SIGINT and
  SIGTERM become :class:`Interrupted` (:func:`on_signals`).
- Folder names made from territory names: :func:`slug`; workbooks for people:
  :func:`spreadsheet_bytes`.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import re
import shutil
import signal
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

_UMASK = os.umask(0)
os.umask(_UMASK)
#: Longest folder name made from a territory name, in characters (file systems allow 255 bytes).
SLUG_LENGTH = 60
#: Folder names of ``SORTIE/<annee>/`` that are not territories: no territory may take them.
RESERVED = ("ensemble", "indicateurs", "echecs", "comparaison", "rapport")


def slug(territory: str) -> str:
    """A folder name for ``territory``: ``Val d'Argent`` gives ``val-d-argent``. A name with no
    letter or digit, or whose folder name would pass :data:`SLUG_LENGTH` characters, gets the
    first 8 hexadecimal digits of its SHA-256 as a suffix (``territoire-1f2e3d4c``)."""
    plain = unicodedata.normalize("NFKD", territory).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    if text and len(text) <= SLUG_LENGTH:
        return text
    digest = hashlib.sha256(territory.encode("utf-8")).hexdigest()[:8]
    return f"{text[:SLUG_LENGTH - 9].rstrip('-') or 'territoire'}-{digest}"


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` in UTF-8 atomically; return ``path``."""
    return atomic_write_bytes(path, text.encode("utf-8"))


#: The Excel number formats the workbooks use (built-in ids 3, 4 and 10 are ``#,##0``, ``#,##0.00``
#: and ``0.00%``); Excel shows them with the reader's separators: ``1 234``, ``1 234,57``, ``12,50 %``.
NUMBER_FORMATS = {"General": 0, "#,##0": 1, "#,##0.00": 2, "0.0%": 3, "0": 4}
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           + "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' for i in (3, 4, 164, 1))
           + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml": _STYLES,
}


def _xml_text(values: pd.Series) -> pd.Series:
    """Text for an XML element of a workbook: ``& < >`` escaped, characters XML cannot hold written
    as Office escapes (``_x001B_``), a literal ``_xHHHH_`` protected."""
    text = values.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False).str.replace(">", "&gt;", regex=False)
    text = text.str.replace(r"_(?=x[0-9A-Fa-f]{4}_)", "_x005F_", regex=True)
    return text.str.replace(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m[0]):04X}_", regex=True)


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(count):
        name, index = "", index + 1
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def spreadsheet_bytes(frame: pd.DataFrame, formats: dict[str, str | np.ndarray], sheet: str) -> bytes:
    """``frame`` as an ``.xlsx`` workbook of one sheet named ``sheet``, for people: every text cell
    an inline string (a value starting with ``=`` is text: the file holds no formula), every number
    a number cell shown with its format from :data:`NUMBER_FORMATS` (``formats``: one per column,
    or one per row); missing values are empty cells. Built column by column, not cell by cell."""
    import zipfile

    rows = pd.Series(np.arange(2, len(frame) + 2).astype(str), index=frame.index)
    cells = pd.Series("", index=frame.index)
    for letter, column in zip(_column_letters(frame.shape[1]), frame.columns):
        values = frame[column]
        numbers = pd.to_numeric(values.where(values.map(lambda v: not isinstance(v, str))), errors="coerce")
        text = values.where(values.map(lambda v: isinstance(v, str)))
        style = pd.Series(np.broadcast_to(np.asarray(formats.get(column, "General"), dtype=object), len(frame)), index=frame.index)
        reference = f'<c r="{letter}' + rows + '"'
        number_cells = reference + ' s="' + style.map(NUMBER_FORMATS).astype(str) + '"><v>' + numbers.map(repr) + "</v></c>"
        text_cells = reference + ' t="inlineStr"><is><t xml:space="preserve">' + _xml_text(text.astype(object).where(text.notna(), "")) + "</t></is></c>"
        cells += np.where(text.notna(), text_cells, np.where(numbers.notna(), number_cells, ""))
    header = "".join(f'<c r="{letter}1" t="inlineStr"><is><t>{_xml_text(pd.Series([str(c)]))[0]}</t></is></c>'
                     for letter, c in zip(_column_letters(frame.shape[1]), frame.columns))
    body = '<row r="1">' + header + "</row>" + ('<row r="' + rows + '">' + cells + "</row>").str.cat()
    parts = {**_PARTS,
             "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             f'<sheet name="{_xml_text(pd.Series([sheet[:31]]))[0]}" sheetId="1" r:id="rId1"/></sheets></workbook>',
             "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
             'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + body + "</sheetData></worksheet>"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


#: Errors of the file system that the user can fix, and how they read.
FILE_SYSTEM_ERRORS = {errno.ENOSPC: "plus de place sur le disque", errno.EDQUOT: "quota de disque dépassé",
                      errno.EROFS: "système de fichiers en lecture seule", errno.EACCES: "permission refusée",
                      errno.EPERM: "opération non permise"}


class Interrupted(BaseException):
    """SIGINT or SIGTERM received: raised in the main process by :func:`on_signals` (a
    ``BaseException``, so that no ``except Exception`` of a report swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def on_signals() -> dict:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` in this (main) process; return the
    handlers they had."""
    def interrupted(signum, _frame):
        raise Interrupted(signum)

    return {signum: signal.signal(signum, interrupted) for signum in (signal.SIGINT, signal.SIGTERM)}


def checkpoint(point: str) -> None:
    """Test hook for the interruption tests: when the environment variable ``IMPACT_SIGNAL`` is
    ``<point>:<SIGNAL>`` (e.g. ``echange:TERM``), this process sends itself that signal here."""
    wanted = os.environ.get("IMPACT_SIGNAL", "")
    if wanted.partition(":")[0] == point:
        os.kill(os.getpid(), getattr(signal, "SIG" + wanted.partition(":")[2]))


#: Prefix of the hidden staging folder of a publication in progress, inside ``--out``.
STAGING = ".impact-en-cours-"


def _exchange(source: Path, target: Path) -> None:
    """Put ``source`` at ``target``; the previous ``target``, if any, ends at ``source``. On Linux
    the two swap in one step (``renameat2(RENAME_EXCHANGE)``): ``target`` always exists."""
    if not target.exists():
        os.rename(source, target)
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.renameat2(-100, os.fsencode(source), -100, os.fsencode(target), 2) == 0:  # AT_FDCWD, RENAME_EXCHANGE
            return
    except (OSError, AttributeError):
        pass
    aside = source.with_name(source.name + ".ancien")
    os.rename(target, aside)
    os.rename(source, target)
    os.rename(aside, source)


def make_folder(path: Path) -> Path:
    """Create ``path`` (parents too) readable by the group and others as the umask allows (0755
    under the usual 022, where ``tempfile.mkdtemp`` gives 0700)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o777 & ~_UMASK)
    return path


def staging_folder(parent: Path, prefix: str) -> Path:
    """A new hidden work folder in ``parent``, with the permissions of :func:`make_folder`."""
    return make_folder(Path(tempfile.mkdtemp(prefix=prefix, dir=parent)))


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM received inside the block are acted on when it ends. (The handlers are
    swapped, not the signal mask: a mask holds one thread, and any other thread of the process may
    take the signal.)"""
    received: list[int] = []
    previous = {signum: signal.signal(signum, lambda number, _frame: received.append(number)) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])


def _remove_leftovers(folder: Path) -> None:
    """Remove the work folders of runs that were killed (a publication's staging folder, a
    report's hidden work folder) from ``folder`` and its subfolders."""
    for leftover in [*folder.glob(f"{STAGING}*"), *folder.glob("*/.*-en-cours-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def publication(out: Path, names: list[str]) -> Iterator[Path]:
    """Publish ``out/<name>`` for each of ``names`` (folders or files) all at once, or not at all.

    Yields a hidden staging folder inside ``out`` holding a copy of what ``out`` already publishes
    under ``names``; the command builds its new outputs there. When the block ends normally, each
    staged name takes the place of the published one (an atomic exchange on Linux), SIGINT and
    SIGTERM held until every name is in place; when it ends by an exception (an interruption
    included), the staging folder is removed and ``out`` is as it was. The folder ``out`` is
    locked throughout (``flock`` on the folder itself, released by the system even when the
    process is killed): a second command writing there says so on standard error and waits for
    the first to finish. Staging folders a killed run left behind are removed first."""
    if not out.exists():
        make_folder(out)
    lock = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            from impact.escaping import console

            sys.stderr.write(console(f"impact : une autre commande impact écrit dans « {out} » : attente de la fin de celle-ci…") + "\n")
            sys.stderr.flush()
            fcntl.flock(lock, fcntl.LOCK_EX)
        _remove_leftovers(out)
        stage = staging_folder(out, STAGING)
        try:
            for name in names:
                if (out / name).is_dir():
                    shutil.copytree(out / name, stage / name, symlinks=True)
                elif (out / name).exists():
                    shutil.copy2(out / name, stage / name)
            yield stage
            _remove_leftovers(stage)
            checkpoint("avant-echange")
            with _signals_held():
                checkpoint("echange")
                for name in names:
                    if (stage / name).exists():
                        _exchange(stage / name, out / name)
                shutil.rmtree(stage)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    finally:
        os.close(lock)
