"""Reproducible reports: the publication date (``--date-publication``, else ``SOURCE_DATE_EPOCH``,
else today) is the only date in them, so the same data and date give the same files."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import zipfile

import pytest

from impact.editorial import publication_date
from impact.rendering import notebook_to_markdown
from tests.conftest import IMPACT


def test_two_runs_with_the_same_date_give_the_same_bytes(tmp_path):
    data = tmp_path / "donnees"
    subprocess.run([IMPACT, "demo", data, "--territoires", "2", "--annees", "2023-2024"], check=True, capture_output=True)
    folders = []
    for run in ("un", "deux"):
        done = subprocess.run([IMPACT, "bilan", data, "--annee", "2024", "--territoire", "ensemble", "--out", tmp_path / run,
                               "--date-publication", "2025-03-01"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        folders.append(tmp_path / run / "2024" / "ensemble")
        (tmp_path / f"md-{run}").mkdir()
        notebook_to_markdown(folders[-1] / "bilan.ipynb", tmp_path / f"md-{run}")
    first, second = folders
    for name in ("bilan.html", "bilan.docx", "bilan.pdf", "indicateurs.csv", "metadonnees.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (tmp_path / "md-un" / "bilan.md").read_bytes() == (tmp_path / "md-deux" / "bilan.md").read_bytes()
    assert "Publié le 1er mars 2025" in (first / "bilan.html").read_text(encoding="utf-8")
    assert json.loads((first / "metadonnees.json").read_text(encoding="utf-8"))["parametres"]["date_publication"] == "2025-03-01"
    with zipfile.ZipFile(first / "bilan.docx") as archive:  # Word's own dates are the publication date's midnight (UTC)
        assert '<dcterms:created xsi:type="dcterms:W3CDTF">2025-03-01T00:00:00Z' in archive.read("docProps/core.xml").decode("utf-8")


def test_date_from_the_option_then_source_date_epoch_then_today(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert publication_date(None) == dt.date.today()
    assert publication_date("2025-03-01") == dt.date(2025, 3, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740873599")  # 2025-03-01 23:59:59 UTC
    assert publication_date(None) == dt.date(2025, 3, 1) and publication_date("2024-12-31") == dt.date(2024, 12, 31)


@pytest.mark.parametrize("option, epoch, message", [
    ("01/03/2025", None, "--date-publication attend une date AAAA-MM-JJ, pas « 01/03/2025 »"),
    ("2025-02-30", None, "--date-publication attend une date AAAA-MM-JJ, pas « 2025-02-30 »"),
    (None, "hier", "SOURCE_DATE_EPOCH attend un nombre de secondes depuis le 1er janvier 1970, pas « hier »"),
])
def test_bad_publication_date_is_a_french_error_and_nothing_is_written(tmp_path, run_cli, monkeypatch, option, epoch, message):
    data = tmp_path / "d"
    subprocess.run([IMPACT, "demo", data, "--territoires", "2", "--annees", "2023-2024"], check=True, capture_output=True)
    if epoch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    given = ["--date-publication", option] if option else []
    for command in (["bilan", data, "--annee", "2024", "--territoire", "ensemble"], ["comparer", data, "--annee", "2024"]):
        status, out, err = run_cli(*command, "--out", tmp_path / "s", *given)
        assert status == 2 and message in err and "Traceback" not in out + err
        assert not (tmp_path / "s").exists()
