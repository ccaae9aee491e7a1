"""The corpus of malformed datasets: each error and warning of SPEC section 3, with the exact
line, column and message expected by hand in ``tests/corpus/cas/<case>/attendu.txt``."""

from __future__ import annotations

import pytest

from impact.schema import max_birth_year
from tests.conftest import CASES, build_case

CASE_NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def expected(name: str) -> list[str]:
    text = (CASES / name / "attendu.txt").read_text(encoding="utf-8")
    return text.replace("{annee_max}", str(max_birth_year())).splitlines()


def test_base_dataset_is_clean(base_dataset, run_cli):
    status, out, err = run_cli("valider", base_dataset)
    assert (status, out, err) == (0, "0 erreur, 0 avertissement : jeu de données utilisable.\n", "")


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case(name, tmp_path, run_cli):
    lines = expected(name)
    summary = lines.pop()
    status, out, err = run_cli("valider", build_case(name, tmp_path))
    printed = out.splitlines()
    assert printed[:-1] == lines
    assert printed[-1] == summary
    assert status == (2 if "erreur :" in out else 0)
    assert err == ""
