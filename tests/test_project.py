"""Project hygiene: environment.yml in step with pyproject.toml, notebooks without outputs."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_in_step_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    conda = set(re.findall(r"^\s*-\s+([A-Za-z0-9_.\-]+>=[0-9.]+)\s*$", (ROOT / "environment.yml").read_text(encoding="utf-8"), re.M))
    assert sorted(set(wanted) - conda) == []
    assert f"python{project['requires-python']}" in conda


def test_notebooks_are_committed_without_outputs():
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        assert not any(c.get("outputs") or c.get("execution_count") for c in cells), notebook.name
