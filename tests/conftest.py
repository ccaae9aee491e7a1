"""Shared helpers: the hand-made corpus of datasets and a runner for the real command line."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

#: The installed ``impact`` program beside the running interpreter (virtual environment or not).
IMPACT = str(Path(sys.executable).parent / "impact")
CORPUS = Path(__file__).parent / "corpus"
BASE = CORPUS / "base"
CASES = CORPUS / "cas"


def build_case(name: str, destination: Path) -> Path:
    """The base dataset with the files of case ``name`` laid over it (``_supprimer`` lists the
    base files to remove). Returns the dataset folder."""
    folder = destination / name
    shutil.copytree(BASE, folder)
    case = CASES / name
    for file in case.iterdir():
        if file.name == "_supprimer":
            for removed in file.read_text(encoding="utf-8").split():
                (folder / removed).unlink()
        elif file.name != "attendu.txt":
            shutil.copy(file, folder / file.name)
    return folder


@pytest.fixture
def base_dataset(tmp_path: Path) -> Path:
    """A copy of the valid base dataset."""
    folder = tmp_path / "base"
    shutil.copytree(BASE, folder)
    return folder


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run ``impact ARGS...`` in-process through the real entry point; return (status, out, err)."""
    from impact.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["impact", *map(str, args)])
        with pytest.raises(SystemExit) as exit_info:
            main()
        captured = capsys.readouterr()
        return exit_info.value.code, captured.out, captured.err

    return run
