"""From an executed notebook to published reports: HTML, Word and PDF.

1. :func:`notebook_to_markdown` keeps what a reader should see: the Markdown cells, and the
   Markdown and image outputs of the code cells (never their code, their parameters or their plain
   text traces). Each figure is written beside the Markdown (SVG and PNG, referenced without
   extension: pandoc takes the SVG for HTML and PDF, the PNG for Word) with, from the output's
   metadata, its title as caption, its alt text and its Champ/Source lines; the publisher's logo,
   which the first cell carries in its metadata (:func:`impact.editorial.opening`), is written
   beside them (an SVG logo also as a PNG, for Word).
2. :func:`render` turns that Markdown into the asked formats: with ``quarto render`` when Quarto is
   on the PATH (the Quarto project of ``reports/``: French, self-contained HTML, the Word reference
   document, Typst for PDF), otherwise with pandoc (``pypandoc-binary``) for HTML and Word, and
   pandoc's Typst writer plus the ``typst`` wheel for PDF. Pipe tables become real tables in the
   three formats, and the same sections and figures appear whichever route is taken. The dates
   pandoc and Typst write in the files (Word's properties and archive entries, the PDF's
   metadata) follow ``SOURCE_DATE_EPOCH`` when set, else the report's publication date, so that
   the same inputs and date give the same files.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import matplotlib
import nbformat

from impact.editorial import logo_png, notes_block
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
                logo = output.get("metadata", {}).get("text/markdown", {}).get("logo")
                if logo:
                    _write_logo(folder, logo["nom"], base64.b64decode(logo["base64"]))
                parts.append(data["text/markdown"])
    path = folder / f"{name}.md"
    path.write_text("\n\n".join(p.strip("\n") for p in parts) + "\n", encoding="utf-8")
    return path


def _write_logo(folder: Path, name: str, content: bytes) -> None:
    """The logo beside the Markdown, as ``name`` (``logo.svg``...), and as ``logo.png`` too when it
    is an SVG (Word shows a PNG)."""
    path = folder / Path(name).name
    path.write_bytes(content)
    if path.suffix == ".svg":
        (folder / "logo.png").write_bytes(logo_png(path))


def render(markdown: Path, formats: tuple[str, ...] = FORMATS, published: str | None = None) -> dict[str, Path]:
    """Render ``markdown`` (with its figures beside it) into each of ``formats``, in its folder;
    ``published``: the publication date (``AAAA-MM-JJ``) the files are dated from when
    ``SOURCE_DATE_EPOCH`` is not set."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise RenderError(f"format inconnu : {', '.join(sorted(unknown))} (formats possibles : {', '.join(FORMATS)})")
    quarto = shutil.which("quarto")
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or (
        str(int(dt.datetime.combine(dt.date.fromisoformat(published), dt.time(), dt.timezone.utc).timestamp())) if published else None)
    with _environment("SOURCE_DATE_EPOCH", epoch):
        return {fmt: (_quarto if quarto else _pandoc)(markdown, fmt) for fmt in formats}


@contextlib.contextmanager
def _environment(name: str, value: str | None):
    """The environment variable ``name`` set to ``value`` (when not None) for the block's subprocesses."""
    before = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


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
            "--reference-doc", str(REPORTS / "reference.docx"), "--toc", "--toc-depth=1", "--metadata", f"toc-title={TOC_TITLE}",
            "--default-image-extension=png"])
        finish_word(target)
    else:
        import typst

        source = markdown.with_suffix(".typ")
        pypandoc.convert_file(str(markdown), "typst", format=PANDOC_INPUT, outputfile=str(source), extra_args=common + [
            "--template", str(REPORTS / "rapport.typst"), f"--default-image-extension={_image_extension(folder, 'svg')}"])
        target = markdown.with_suffix(".pdf")
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        typst.compile(str(source), output=str(target), root=str(folder), font_paths=[str(FONTS)], timestamp=int(epoch) if epoch else None)
    return target


def _image_extension(folder: Path, preferred: str) -> str:
    """``preferred`` when every figure of ``folder`` exists in that format, else ``png``."""
    figures = list(folder.glob("*-figure-*.png"))
    return preferred if all(f.with_suffix(f".{preferred}").exists() for f in figures) else "png"


#: The title of the table of contents (pandoc's is English).
TOC_TITLE = "Sommaire"
#: Word's caption words and numbering sequences as pandoc writes them, and as the PDF prints them
#: (the INSEE convention): ``Graphique 1 – ...``, ``Tableau 1 – ...``.
CAPTIONS = {"Figure": "Graphique", "Table": "Tableau"}


def finish_word(docx: Path) -> None:
    """Finish pandoc's Word file: every table row kept whole (``w:cantSplit``), every table kept
    on one page when it fits (:func:`_kept_together`) and boxes not tied to what follows
    (:func:`_box_ends`); captions worded as
    in the PDF, ``Graphique n – `` and ``Tableau n – `` (words and ``SEQ`` fields; pandoc writes
    ``Figure n: `` and ``SEQ Table``); the table of contents filled (:func:`_table_of_contents`);
    the landscape sections of wide tables (:func:`_landscape_sections`);
    the document's title property without the logo's alt text (the logo sits in the title
    paragraph, see ``reports/blocs.lua``). The archive keeps its entries' dates (pandoc's, which
    follow ``SOURCE_DATE_EPOCH``)."""
    with zipfile.ZipFile(docx) as archive:
        entries = {item: archive.read(item.filename) for item in archive.infolist()}
    named = {item.filename: item for item in entries}
    xml = entries[named["word/document.xml"]].decode("utf-8")
    xml = re.sub(r"<w:tr>(?!<w:trPr>)", "<w:tr><w:trPr></w:trPr>", xml)
    xml = xml.replace("<w:trPr>", "<w:trPr><w:cantSplit />")
    xml = _box_ends(re.sub(r"<w:tbl>.*?</w:tbl>", lambda table: _kept_together(table.group(0)), xml, flags=re.S))
    for word, french in CAPTIONS.items():
        xml = re.sub(rf'(<w:t xml:space="preserve">)(?:{word}|{french})([ \xa0]</w:t></w:r><w:fldSimple w:instr="SEQ ){word} '
                     r'(.*?</w:fldSimple>(?:<w:bookmarkEnd [^>]*>)?<w:r><w:t xml:space="preserve">): ',
                     rf"\g<1>{french}\g<2>{french} \g<3>" "\u00a0– ", xml)
    xml = _landscape_sections(_table_of_contents(xml))
    entries[named["word/document.xml"]] = xml.encode("utf-8")
    logo = re.search(r'<w:pStyle w:val="Title" />\s*</w:pPr>\s*<w:r><w:drawing>.*?<wp:docPr descr="([^"]*)"', xml)
    if logo and "docProps/core.xml" in named:
        core = entries[named["docProps/core.xml"]].decode("utf-8")
        entries[named["docProps/core.xml"]] = re.sub(rf"(<dc:title>){re.escape(logo.group(1))}\s*", r"\g<1>", core).encode("utf-8")
    temporary = docx.with_suffix(".docx.tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for item, data in entries.items():
            archive.writestr(item, data)
    temporary.replace(docx)


def _kept_together(table: str) -> str:
    """One table of pandoc's ``document.xml`` with the paragraphs of every row but the last kept
    with the next (``w:keepNext``): the table moves to the next page whole rather than leaving its
    first rows at the foot of a page (the last row is not chained to what follows, so a box of one
    row stays where it is); a table longer than a page still breaks, its header row repeated
    (pandoc marks it ``w:tblHeader``)."""
    last = table.rfind("<w:tr>")
    head = re.sub(r"<w:p>(?!<w:pPr>)", "<w:p><w:pPr></w:pPr>", table[:last])
    return re.sub(r"<w:pPr>(<w:pStyle [^>]*/>)?", lambda found: found.group(0) + "<w:keepNext />", head) + table[last:]


#: The start of a paragraph of the box style (``Encadre``, kept with the next paragraph).
_BOX = '<w:p><w:pPr><w:pStyle w:val="Encadre" />'


def _box_ends(xml: str) -> str:
    """The last paragraph of each box no longer kept with the next one: the box stays whole
    (its other paragraphs are) without dragging the following heading and table along."""
    paragraphs = [found.start() for found in re.finditer(r"<w:p>", xml)]
    boxes = {found.start() for found in re.finditer(re.escape(_BOX), xml)}
    last = [start for start, after in zip(paragraphs, paragraphs[1:] + [None]) if start in boxes and after not in boxes]
    for start in reversed(last):
        xml = xml[:start + len(_BOX)] + '<w:keepNext w:val="0" />' + xml[start + len(_BOX):]
    return xml


def _table_of_contents(xml: str) -> str:
    """The table of contents field of pandoc's ``document.xml`` with its result written: one line
    per Heading 1, linked to the heading's bookmark, without page numbers. pandoc leaves the result
    empty for Word to compute when the file is opened (the field is marked dirty); LibreOffice
    does not compute it, and showed an empty table."""
    headings = re.findall(r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)" />\s*<w:p><w:pPr><w:pStyle w:val="Heading1" /></w:pPr>(.*?)</w:p>', xml)
    field = re.search(r'<w:p><w:r>(<w:fldChar w:fldCharType="begin"[^>]*/><w:instrText xml:space="preserve">TOC [^<]*</w:instrText>'
                      r'<w:fldChar w:fldCharType="separate" />)(<w:fldChar w:fldCharType="end" />)</w:r></w:p>', xml)
    if not headings or field is None:
        return xml
    lines = [f'<w:p><w:pPr><w:pStyle w:val="TOC1" /></w:pPr>{"<w:r>" + field.group(1) + "</w:r>" if i == 0 else ""}'
             f'<w:hyperlink w:anchor="{name}"><w:r><w:t xml:space="preserve">{"".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", body))}'
             "</w:t></w:r></w:hyperlink></w:p>" for i, (name, body) in enumerate(headings)]
    return xml[:field.start()] + "".join(lines) + f"<w:p><w:r>{field.group(2)}</w:r></w:p>" + xml[field.end():]


#: A section break that ``reports/blocs.lua`` puts before (``portrait``) and after (``paysage``) a
#: wide table, in a paragraph of its own.
_SECTION_END = r'<w:p><w:pPr><w:sectPr w:impact="{}" /></w:pPr></w:p>'


def _landscape_sections(xml: str) -> str:
    """The section breaks around the wide tables (``reports/blocs.lua``) completed from the
    document's own section (that of the reference document: A4, margins, header and footer): the
    section before a table ends in portrait, the table's section is in landscape (its page turned:
    width and height swapped), and only the first section has a first page of its own (the title
    page, without running header). Two wide tables in a row share one landscape section."""
    bookmarks = r"((?:\s*<w:bookmark(?:Start|End) [^>]*/>)*)\s*"
    xml = re.sub(_SECTION_END.format("paysage") + bookmarks + _SECTION_END.format("portrait"), r"\1", xml)
    body = re.search(r"<w:sectPr>(.*?)</w:sectPr>(\s*</w:body>)", xml, re.S)
    if body is None or 'w:impact="' not in xml:
        return xml
    portrait = body.group(1).replace("<w:titlePg />", "")
    landscape = re.sub(r'<w:pgSz w:h="(\d+)" w:w="(\d+)" />', r'<w:pgSz w:h="\2" w:w="\1" w:orient="landscape" />', portrait)
    # A wide table at the end: the last section is the landscape one (no empty page after it).
    last = re.search(_SECTION_END.format("paysage") + bookmarks + "$", xml[:body.start()])
    xml = ((xml[:last.start()] + last.group(1) if last else xml[:body.start()]) + f"<w:sectPr>{landscape if last else portrait}</w:sectPr>"
           + body.group(2) + xml[body.end():])
    xml = xml.replace('<w:sectPr w:impact="portrait" />', f"<w:sectPr>{body.group(1)}</w:sectPr>", 1)
    return xml.replace('<w:sectPr w:impact="portrait" />', f"<w:sectPr>{portrait}</w:sectPr>").replace(
        '<w:sectPr w:impact="paysage" />', f"<w:sectPr>{landscape}</w:sectPr>")


def _quarto(markdown: Path, fmt: str) -> Path:
    """Render with Quarto inside a copy of the ``reports/`` project."""
    folder = markdown.parent
    for asset in ("_quarto.yml", "bilan.css", "reference.docx", "rapport.typst", "blocs.lua"):
        shutil.copy(REPORTS / asset, folder / asset)
    to = {"html": "html", "docx": "docx", "pdf": "typst"}[fmt]
    done = subprocess.run(["quarto", "render", markdown.name, "--to", to, "--from", PANDOC_INPUT], cwd=folder, capture_output=True, text=True)
    if done.returncode:
        raise RenderError(f"quarto render --to {to} a échoué : {done.stderr.strip()[-500:]}")
    if fmt == "docx":
        finish_word(markdown.with_suffix(".docx"))
    return markdown.with_suffix(f".{fmt}")
