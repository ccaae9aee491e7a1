"""Atomic writing of outputs: a failed run never leaves a half-written file behind.

Each file is written to a temporary name in its destination folder, flushed, then renamed over
the final name (``os.replace`` is atomic on one file system).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

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
