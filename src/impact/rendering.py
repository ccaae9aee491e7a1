"""From an executed notebook to published reports: HTML, Word and PDF.

1. :func:`notebook_to_markdown` keeps what a reader should see: the Markdown cells, and the
   Markdown and image outputs of the code cells (never their code, their parameters or their plain
   text traces). Each figure is written beside the Markdown (SVG and PNG, referenced without
   extension: pandoc takes the SVG for HTML and PDF, the PNG for Word) with, from the output's
   metadata, its title as caption, its alt text and its Champ/Source lines.
2. :func:`render` turns that Markdown into the asked formats: with ``quarto render`` when Quarto is
   on the PATH (the Quarto project of ``reports/``: French, self-contained HTML, the Word reference
   document, Typst for PDF), otherwise with pandoc (``pypandoc-binary``) for HTML and Word, and
   pandoc's Typst writer plus the ``typst`` wheel for PDF. Pipe tables become real tables in the
   three formats, and the same sections and figures appear whichever route is taken.
"""

from __future__ import annotations

import base64
import shutil
import re
import subprocess
import zipfile
from pathlib import Path

import matplotlib
import nbformat

from impact.editorial import notes_block
from impact.escaping import PANDOC_INPUT, markdown as escape_markdown, plain
from impact.resources import resource_folder

#: The report sources: Quarto project, style sheet and Word reference document.
REPORTS = resource_folder("reports")
FORMATS = ("html", "docx", "pdf")
#: The fonts of the PDF (DejaVu Sans, shipped with matplotlib): Typst embeds them.
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


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
                image = f"{name}-figure-{figures}"
                (folder / f"{image}.png").write_bytes(base64.b64decode(data["image/png"]))
                if "image/svg+xml" in data:
                    (folder / f"{image}.svg").write_text(data["image/svg+xml"], encoding="utf-8")
                described = output.get("metadata", {}).get("image/png", {})
                alt = described.get("alt") or "Graphique"
                caption = described.get("titre") or alt
                attribute = plain(alt).replace("\\", "/").replace('"', "'")
                picture = f'![{escape_markdown(caption)}]({image}){{alt="{attribute}"}}'
                # The figure and its notes stay together on a page (blocs.lua, rapport.typst).
                notes = notes_block(described["notes"]) if described.get("notes") else ""
                parts.append("::: graphique\n" + picture + "\n\n" + notes + ":::")
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
    common = ["--standalone", "--metadata", "lang=fr", "--resource-path", str(folder), "--shift-heading-level-by=-1", "--wrap=none",
              "--lua-filter", str(REPORTS / "blocs.lua")]
    if fmt == "html":
        target = markdown.with_suffix(".html")
        extra = ["--embed-resources", "--css", str(REPORTS / "bilan.css"), "--metadata", "document-css=false",
                 f"--default-image-extension={_image_extension(folder, 'svg')}"]
        pypandoc.convert_file(str(markdown), "html5", format=PANDOC_INPUT, outputfile=str(target), extra_args=common + extra)
    elif fmt == "docx":
        target = markdown.with_suffix(".docx")
        pypandoc.convert_file(str(markdown), "docx+native_numbering", format=PANDOC_INPUT, outputfile=str(target), extra_args=common + [
            "--reference-doc", str(REPORTS / "reference.docx"), "--toc", "--toc-depth=1", "--default-image-extension=png"])
        keep_rows_whole(target)
    else:
        import typst

        source = markdown.with_suffix(".typ")
        pypandoc.convert_file(str(markdown), "typst", format=PANDOC_INPUT, outputfile=str(source), extra_args=common + [
            "--template", str(REPORTS / "rapport.typst"), f"--default-image-extension={_image_extension(folder, 'svg')}"])
        target = markdown.with_suffix(".pdf")
        typst.compile(str(source), output=str(target), root=str(folder), font_paths=[str(FONTS)])
    return target


def _image_extension(folder: Path, preferred: str) -> str:
    """``preferred`` when every figure of ``folder`` exists in that format, else ``png``."""
    figures = list(folder.glob("*-figure-*.png"))
    return preferred if all(f.with_suffix(f".{preferred}").exists() for f in figures) else "png"


def keep_rows_whole(docx: Path) -> None:
    """Mark every table row of a Word file as not splitting across pages (``w:cantSplit``), and
    its first row as the header repeated on each page."""
    with zipfile.ZipFile(docx) as archive:
        entries = {item: archive.read(item.filename) for item in archive.infolist()}
    document = next(item for item in entries if item.filename == "word/document.xml")
    xml = entries[document].decode("utf-8")
    xml = re.sub(r"<w:tr>(?!<w:trPr>)", "<w:tr><w:trPr></w:trPr>", xml)
    xml = xml.replace("<w:trPr>", "<w:trPr><w:cantSplit />")
    entries[document] = xml.encode("utf-8")
    temporary = docx.with_suffix(".docx.tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for item, data in entries.items():
            archive.writestr(item, data)
    temporary.replace(docx)


def _quarto(markdown: Path, fmt: str) -> Path:
    """Render with Quarto inside a copy of the ``reports/`` project."""
    folder = markdown.parent
    for asset in ("_quarto.yml", "bilan.css", "reference.docx", "rapport.typst", "blocs.lua"):
        shutil.copy(REPORTS / asset, folder / asset)
    to = {"html": "html", "docx": "docx", "pdf": "typst"}[fmt]
    done = subprocess.run(["quarto", "render", markdown.name, "--to", to, "--from", PANDOC_INPUT], cwd=folder, capture_output=True, text=True)
    if done.returncode:
        raise RenderError(f"quarto render --to {to} a échoué : {done.stderr.strip()[-500:]}")
    return markdown.with_suffix(f".{fmt}")
