"""From an executed notebook to published reports: HTML, Word and PDF.

1. :func:`notebook_to_markdown` keeps what a reader should see: the Markdown cells, and the
   Markdown and PNG outputs of the code cells (never their code, their parameters or their plain
   text traces). Each figure is written beside the Markdown with its alt text from the output's
   metadata (nbconvert's Markdown export would write ``png`` for every one).
2. :func:`render` turns that Markdown into the asked formats: with ``quarto render`` when Quarto is
   on the PATH (the Quarto project of ``reports/``: French, self-contained HTML, the Word reference
   document, Typst for PDF), otherwise with pandoc (``pypandoc-binary``) for HTML and Word, and
   pandoc's Typst writer plus the ``typst`` wheel for PDF. Pipe tables become real tables in the
   three formats, and the same sections and figures appear whichever route is taken.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import nbformat

from impact.escaping import PANDOC_INPUT, markdown as escape_markdown
from impact.resources import resource_folder

#: The report sources: Quarto project, style sheet and Word reference document.
REPORTS = resource_folder("reports")
FORMATS = ("html", "docx", "pdf")


class RenderError(RuntimeError):
    """A notebook or a document could not be turned into a report."""


def notebook_to_markdown(notebook: Path, folder: Path, name: str = "bilan") -> Path:
    """Write ``folder/name.md`` and its figures from the executed ``notebook``; return the path."""
    cells = nbformat.read(notebook, as_version=4).cells
    parts: list[str] = []
    figures = 0
    for cell in cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                raise RenderError(f"la cellule a échoué : {output.ename} : {output.evalue}")
            data = output.get("data", {})
            if "image/png" in data:
                figures += 1
                image = f"{name}-figure-{figures}.png"
                (folder / image).write_bytes(base64.b64decode(data["image/png"]))
                alt = output.get("metadata", {}).get("image/png", {}).get("alt") or "Graphique"
                parts.append(f"![{escape_markdown(alt)}]({image})")
            elif "text/markdown" in data:
                parts.append(data["text/markdown"])
    path = folder / f"{name}.md"
    path.write_text("\n\n".join(p.strip("\n") for p in parts) + "\n", encoding="utf-8")
    return path


def render(markdown: Path, formats: tuple[str, ...] = FORMATS) -> dict[str, Path]:
    """Render ``markdown`` (with its figures beside it) into each of ``formats``, in its folder."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise RenderError(f"format inconnu : {', '.join(sorted(unknown))} (formats possibles : {', '.join(FORMATS)})")
    quarto = shutil.which("quarto")
    return {fmt: (_quarto if quarto else _pandoc)(markdown, fmt) for fmt in formats}


def _pandoc(markdown: Path, fmt: str) -> Path:
    import pypandoc

    folder = markdown.parent
    common = ["--standalone", "--metadata", "lang=fr", "--resource-path", str(folder)]
    if fmt == "html":
        target = markdown.with_suffix(".html")
        extra = ["--embed-resources", "--css", str(REPORTS / "bilan.css"), "--metadata", "document-css=false"]
        pypandoc.convert_file(str(markdown), "html5", format=PANDOC_INPUT, outputfile=str(target), extra_args=common + extra)
    elif fmt == "docx":
        target = markdown.with_suffix(".docx")
        pypandoc.convert_file(str(markdown), "docx", format=PANDOC_INPUT, outputfile=str(target), extra_args=common + ["--reference-doc", str(REPORTS / "reference.docx")])
    else:
        import typst

        source = markdown.with_suffix(".typ")
        pypandoc.convert_file(str(markdown), "typst", format=PANDOC_INPUT, outputfile=str(source), extra_args=common)
        target = markdown.with_suffix(".pdf")
        typst.compile(str(source), output=str(target), root=str(folder))
    return target


def _quarto(markdown: Path, fmt: str) -> Path:
    """Render with Quarto inside a copy of the ``reports/`` project."""
    folder = markdown.parent
    for asset in ("_quarto.yml", "bilan.css", "reference.docx"):
        shutil.copy(REPORTS / asset, folder / asset)
    to = {"html": "html", "docx": "docx", "pdf": "typst"}[fmt]
    done = subprocess.run(["quarto", "render", markdown.name, "--to", to, "--from", PANDOC_INPUT], cwd=folder, capture_output=True, text=True)
    if done.returncode:
        raise RenderError(f"quarto render --to {to} a échoué : {done.stderr.strip()[-500:]}")
    return markdown.with_suffix(f".{fmt}")
