"""Where the kit's own files are: the notebooks and the report assets (CSS, Word reference).

``notebooks/`` and ``reports/`` of the repository are their one source. A wheel carries a copy
of them inside the package, ``impact/_ressources/`` (copied at build time by ``setup.py``); an
editable checkout has none and uses the repository's folders.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def resource_folder(name: str) -> Path:
    """The folder ``name`` (``notebooks`` or ``reports``) of the installed package, or of the
    repository in an editable checkout."""
    packaged = importlib.resources.files("impact") / "_ressources" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / name
