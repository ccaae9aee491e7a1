"""Build ``reports/reference.docx``, the Word reference document of the reports (pandoc
``--reference-doc`` and Quarto ``reference-doc``): ``python -m impact.reference_docx`` (``make docs``).

It starts from pandoc's own reference document (every style pandoc uses is there) and sets:

- an A4 page with 2 cm margins (2,5 cm at the top), a running header from page 2 on (the current
  Heading 1, through a ``STYLEREF`` field) and a footer ``Page n sur N`` on every page (``PAGE``
  and ``NUMPAGES`` fields);
- one font, DejaVu Sans (the font of the HTML, the PDF and the charts), 10 pt for the text;
- Heading 1 to 3 in one neutral colour, kept with the next paragraph;
- tables in 8.5 pt, as in the HTML and the PDF (pandoc's ``Table`` style and the ``Compact``
  paragraphs of the cells; :mod:`impact.tables` lays the columns out for that size), header row in
  bold over a rule, captions in bold kept with their table or figure;
- a ``Notes`` paragraph style (8 pt, grey) for the Champ, Source, Lecture and secret lines under
  the tables (:mod:`impact.tables`) and the figures, with ``Notes liees`` for the notes of a figure
  but its last, kept with the next paragraph (a figure, its caption and its notes on one page, as
  in the PDF), an ``Encadre`` style (shaded, ruled on the left, kept on one
  page) for the methods box, and the ``toc 1`` style of the table of contents' lines.

pandoc writes the table of contents (``--toc``: a ``TOC`` field) and the numbered captions
(``+native_numbering``: ``SEQ`` fields); :func:`impact.rendering.finish_word` keeps table rows
whole. python-docx is needed only here (the ``dev`` extra), not to render the reports.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from impact.rendering import REPORTS

FONT = "DejaVu Sans"
#: Paragraph style of the notes of a figure but the last (kept with the next paragraph).
LINKED_NOTES = "Notes liees"
ACCENT = "2E5A6B"
GREY = "505050"
TARGET = REPORTS / "reference.docx"


def _field(paragraph, instruction: str, shown: str = "1") -> None:
    """Append the field ``instruction`` (``PAGE``, ``NUMPAGES``...) to ``paragraph``, one run per
    part as Word writes them (LibreOffice then gives the field the runs' font); ``shown``: the
    result shown until the field is updated."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, shown), ("end", None)):
        if kind is None and not text:
            continue
        run = paragraph.add_run()
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _font(style, size: float | None = None, bold: bool | None = None, colour: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    style.font.name = FONT
    fonts = style.element.rPr.find(qn("w:rFonts"))
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if colour is not None:
        style.font.color.rgb = RGBColor.from_string(colour)


def _shade(style, fill: str, rule: str) -> None:
    """Grey background and a left rule on a paragraph style (the methods box)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", rule)):
        left.set(qn(key), value)
    borders.append(left)
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shading.set(qn(key), value)
    properties.append(borders)
    properties.append(shading)


class _Styles:
    """The document's styles looked up by name, whatever its case (pandoc names some styles in
    lower case, as Word does: ``caption``)."""

    def __init__(self, styles, by_name: dict):
        self.styles, self.by_name = styles, by_name

    def __getitem__(self, name: str):
        return self.by_name[name.lower()]

    def add_style(self, name: str, kind):
        self.by_name[name.lower()] = self.styles.add_style(name, kind)
        return self.by_name[name.lower()]


def build(target: Path = TARGET) -> Path:
    """Write the reference document to ``target``; return its path."""
    import pypandoc
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    with tempfile.TemporaryDirectory() as work:
        default = Path(work) / "reference.docx"
        subprocess.run([pypandoc.get_pandoc_path(), "-o", str(default), "--print-default-data-file", "reference.docx"], check=True)
        document = Document(str(default))
    by_name = {style.name.lower(): style for style in document.styles}
    styles = _Styles(document.styles, by_name)
    for name, size, bold, colour in (("Normal", 10, None, None), ("Body Text", None, None, None), ("Title", 20, True, ACCENT),
                                     ("Subtitle", 12, False, GREY), ("Author", 9, False, GREY), ("Date", 9, False, GREY),
                                     ("Heading 1", 14, True, ACCENT), ("Heading 2", 11.5, True, ACCENT), ("Heading 3", 10.5, True, ACCENT),
                                     ("Compact", 8.5, None, None), ("Caption", 9.5, True, None), ("Table Caption", 9.5, True, None),
                                     ("Image Caption", 9.5, True, None), ("Footnote Text", 8, None, None)):
        _font(styles[name], size, bold, colour)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for name in ("Body Text", "First Paragraph"):
        styles[name].paragraph_format.space_before = Pt(0)
        styles[name].paragraph_format.space_after = Pt(6)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].paragraph_format.keep_with_next = True
        styles[name].paragraph_format.space_before = Pt(14 if name == "Heading 1" else 10)
        styles[name].paragraph_format.space_after = Pt(4)
    for name in ("Caption", "Table Caption", "Image Caption"):
        styles[name].paragraph_format.keep_with_next = True
        styles[name].paragraph_format.space_before = Pt(8)
        styles[name].paragraph_format.space_after = Pt(3)
        styles[name].font.italic = False
    styles["Compact"].paragraph_format.space_before = Pt(1)
    styles["Compact"].paragraph_format.space_after = Pt(1)
    _font(styles["Table"], 8.5)
    notes = styles.add_style("Notes", WD_STYLE_TYPE.PARAGRAPH)
    notes.base_style = styles["Normal"]
    _font(notes, 8, False, GREY)
    notes.paragraph_format.space_before = Pt(0)
    notes.paragraph_format.space_after = Pt(2)
    # The notes of a figure but the last, kept with the next one, and the figure with its caption:
    # a figure, its caption and its notes on one page (blocs.lua marks the notes).
    linked = styles.add_style(LINKED_NOTES, WD_STYLE_TYPE.PARAGRAPH)
    linked.base_style = notes
    linked.paragraph_format.keep_with_next = True
    styles["Captioned Figure"].paragraph_format.keep_with_next = True
    box = styles.add_style("Encadre", WD_STYLE_TYPE.PARAGRAPH)
    box.base_style = styles["Normal"]
    _font(box, 9, False, None)
    box.paragraph_format.left_indent = Cm(0.3)
    box.paragraph_format.space_after = Pt(4)
    _shade(box, "F2F2F2", ACCENT)
    # The box on one page: its paragraphs kept whole and with the next one.
    box.paragraph_format.keep_with_next = box.paragraph_format.keep_together = True
    # Lines of the table of contents (Word's built-in "toc 1"), close together.
    toc = styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    toc.style_id = "TOC1"
    toc.base_style = styles["Normal"]
    toc.paragraph_format.space_before = Pt(0)
    toc.paragraph_format.space_after = Pt(2)

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2)
    section.header_distance = section.footer_distance = Cm(1)
    # The running header from page 2 on (the first page has the title block), empty until Word
    # updates it (LibreOffice does not update it); the page numbers on every page.
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    _field(header, 'STYLEREF "Heading 1"', "")
    paragraphs = [header]
    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run("Page ")
        _field(paragraph, "PAGE")
        paragraph.add_run(" sur ")
        _field(paragraph, "NUMPAGES")
        paragraphs.append(paragraph)
    for paragraph in paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(8)
            run.font.name = FONT
    document.core_properties.title = "Rapport"
    document.core_properties.author = ""
    document.core_properties.language = "fr-FR"
    document.save(str(target))
    return target


if __name__ == "__main__":
    print(f"Document Word de référence écrit : {build()}")
