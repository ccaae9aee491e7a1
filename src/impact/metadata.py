"""What every output records: the kit version, the parameters and the SHA-256 of the inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from impact import __version__
from impact.dataset import Dataset


def metadata(dataset: Dataset, parameters: dict[str, Any]) -> dict[str, Any]:
    """The metadata of an output computed from ``dataset`` with ``parameters``."""
    return {
        "kit": "impact",
        "version": __version__,
        "parametres": parameters,
        "entrees": {"dossier": Path(dataset.path).resolve().name, "fichiers": {name: {"sha256": digest} for name, digest in sorted(dataset.sources.items())}},
    }


def to_json(record: dict[str, Any]) -> str:
    """Stable JSON text (sorted keys, UTF-8 characters kept)."""
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
