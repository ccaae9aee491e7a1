"""Helpers shared by the benchmarks: national-size demo data and measured child processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "donnees"

_MEASURE = """
import json, resource, sys, time
start = time.perf_counter()
exec(compile(sys.argv[1], "<benchmark>", "exec"))
print(json.dumps({"seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def national_demo(name: str, territories: int = 300, years: str = "2015-2024", scale: float = 1.0) -> Path:
    """The national-size demo dataset, generated once and kept under ``benchmarks/donnees/``."""
    folder = DATA / name
    if not (folder / "contrats.csv").exists():
        subprocess.run([sys.executable, "-m", "impact", "demo", str(folder), "--territoires", str(territories),
                        "--annees", years, "--echelle", str(scale)], check=True)
    return folder


def measure(code: str) -> dict:
    """Run ``code`` in a fresh Python process; its wall time (s, imports excluded) and peak memory (MB)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, code], check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def count_rows(folder: Path) -> dict[str, int]:
    """Data rows of each CSV table of ``folder`` (header excluded)."""
    return {p.stem: sum(1 for _ in p.open("rb")) - 1 for p in sorted(folder.glob("*.csv"))}
