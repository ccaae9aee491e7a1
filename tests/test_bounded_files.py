"""Hostile files are bounded (issue 14): a workbook that unfolds into hundreds of megabytes, that
declares more rows than the kit reads or that links to other workbooks is refused before it is
loaded; a link that leaves the dataset folder is not followed."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile

from impact.reading import MAX_WORKBOOK_BYTES
from tests.conftest import IMPACT


def _workbook(path, extra: dict[str, bytes] | None = None, shared_strings_megabytes: int = 0, rows: int = 2):
    """A minimal .xlsx with one sheet ``acheteurs`` (``rows`` declared in its dimension) and, if
    asked, a sharedStrings part of that many megabytes, written in 1 MB chunks."""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:C{rows}"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id_acheteur</t></is></c></row>'
             "</sheetData></worksheet>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared_strings_megabytes:
            chunk = (b"<si><t>bombe</t></si>" * 60000)[:1024 * 1024]
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
                stream.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                for _ in range(shared_strings_megabytes):
                    stream.write(chunk)
                stream.write(b"</sst>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


#: Runs a command and prints, last, the peak memory of its process (kilobytes): a fresh parent
#: whose only child is the command, so that earlier commands of the test session do not count.
_MEASURED = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)")


def _valider(folder):
    """(run, seconds, peak memory in MB) of ``impact valider folder``."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED, IMPACT, "valider", folder], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    *lines, peak = done.stdout.splitlines()
    done.stdout = "\n".join(lines) + "\n"
    return done, seconds, int(peak) / 1024


def test_zip_bomb_is_refused_before_it_is_loaded(tmp_path):
    folder = tmp_path / "bombe"
    folder.mkdir()
    megabytes = MAX_WORKBOOK_BYTES // 1024 ** 2 + 100
    bomb = _workbook(folder / "donnees.xlsx", shared_strings_megabytes=megabytes)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    done, seconds, memory = _valider(folder)
    print(f"classeur de {bomb.stat().st_size / 1024:.0f} Ko ({megabytes} Mo décompressés) refusé en {seconds:.1f} s, "
          f"mémoire maximale {memory:.0f} Mo")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"dossier:-:-: erreur : classeur « donnees.xlsx » refusé : il occuperait {megabytes:,} Mo".replace(",", "\u202f") in done.stdout
    assert memory < 500


def test_sheet_declaring_too_many_rows_and_external_links_are_refused(tmp_path):
    for name, kwargs, message in (
            ("lignes", {"rows": 2_000_000}, "une feuille déclare 2\u202f000\u202f000 lignes (au plus 1\u202f000\u202f000)"),
            ("liaisons", {"extra": {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}}, "liaisons vers d'autres classeurs")):
        folder = tmp_path / name
        folder.mkdir()
        _workbook(folder / "donnees.xlsx", **kwargs)
        done, _, _ = _valider(folder)
        assert done.returncode == 2 and message in done.stdout, done.stdout


def test_link_leaving_the_dataset_folder_is_not_followed(base_dataset, tmp_path):
    secret = tmp_path / "ailleurs.csv"
    secret.write_text((base_dataset / "acheteurs.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (base_dataset / "acheteurs.csv").unlink()
    (base_dataset / "acheteurs.csv").symlink_to(secret)
    done, _, _ = _valider(base_dataset)
    assert done.returncode == 2
    assert ("dossier:-:-: erreur : « acheteurs.csv » est un lien vers un fichier hors du dossier du jeu de données : il n'est pas lu"
            in done.stdout)
    assert "acheteurs:-:-: erreur : table obligatoire absente" in done.stdout
