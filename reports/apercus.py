"""Planche d'aperçu des premières pages d'un PDF (pour docs/ et le README).

Usage : python reports/apercus.py rapport.pdf sortie.png [pages] — pdftoppm (poppler-utils) requis.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image


def contact_sheet(pdf: Path, target: Path, pages: int = 4, dpi: int = 40) -> Path:
    """The first ``pages`` pages of ``pdf`` side by side in one small PNG, with a grey border."""
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-l", str(pages), str(pdf), f"{work}/p"], check=True)
        images = [Image.open(p).convert("RGB") for p in sorted(Path(work).glob("p-*.png"))]
        gap = 8
        sheet = Image.new("RGB", (sum(i.width for i in images) + gap * (len(images) + 1), max(i.height for i in images) + 2 * gap), "#bbbbbb")
        x = gap
        for image in images:
            sheet.paste(image, (x, gap))
            x += image.width + gap
        sheet.save(target, optimize=True)
    return target


if __name__ == "__main__":
    contact_sheet(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 4)
