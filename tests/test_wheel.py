"""The kit as users install it: a wheel built from the repository, installed in a fresh virtual
environment (the dependencies are borrowed from the running one, not downloaded), runs
``impact demo`` and ``impact bilan`` with the notebooks and report assets it carries."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_runs_demo_and_bilan(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path / "dist")],
                   check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("impact-*.whl")
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True, cwd=tmp_path)
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    # Dependencies from the running environment, after the wheel's own package on the path.
    (purelib / "dependances.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(env / "bin" / "impact"), *args], capture_output=True, text=True, cwd=tmp_path, env=clean)

    where = subprocess.run([str(python), "-c", "import impact.resources as r; print(r.resource_folder('notebooks'))"],
                           check=True, capture_output=True, text=True, cwd=tmp_path, env=clean).stdout.strip()
    assert where.startswith(str(purelib)), where
    assert run("demo", "donnees", "--territoires", "2", "--annees", "2023-2024", "--echelle", "0.2").returncode == 0
    bilan = run("bilan", "donnees", "--annee", "2024", "--territoire", "ensemble", "--formats", "html,docx", "--out", "sortie")
    assert bilan.returncode == 0, bilan.stdout + bilan.stderr
    assert "Kernel" not in bilan.stderr, bilan.stderr  # the kernel's own log stays out of the user's terminal
    assert (tmp_path / "sortie" / "2024" / "ensemble" / "bilan.html").stat().st_size > 10_000
    assert (tmp_path / "sortie" / "2024" / "ensemble" / "bilan.docx").is_file()
