"""One escaping rule per output kind: data values (territory names, file names, categories typed
in a spreadsheet) are text, never markup, formulas or terminal commands, whatever they hold.

Each function takes a plain value and returns it ready for one kind of output; the writers of
each output call them where a value enters the document (the Markdown of the reports, the chart
labels, the cells of the spreadsheet files, the console lines), never their callers.

- :func:`markdown`: pandoc Markdown (the reports' source for HTML, Word and Typst/PDF). Every
  ASCII punctuation character is backslash-escaped (pandoc reads ``\\<`` as a literal ``<``, and
  so for links, emphasis, citations ``@``, math ``$``, sub- and superscripts ``~ ^``, raw
  attributes and table bars), line breaks become spaces. Raw HTML is also disabled in the pandoc
  input format (:data:`PANDOC_INPUT`), so that a missed value would still show as text.
- :func:`yaml_string`: a front-matter value (pandoc reads it as Markdown): Markdown-escaped, then
  quoted as a JSON string, which YAML reads as a double-quoted scalar.
- :func:`typst`: Typst markup, for text written straight into a Typst source.
- :func:`chart`: matplotlib labels (``$`` would start mathtext).
- :func:`spreadsheet`: a text cell of a CSV or XLSX file meant for people: a value that a
  spreadsheet would evaluate (starting with ``= + - @``, a tab or a carriage return) is prefixed
  with ``'``.
- :func:`console`: a line printed in a terminal: control characters (carriage return, escape
  sequences, bidirectional overrides) shown as ``\\r``, ``\\x1b``, ``\\u202e``; quoted values
  (``« ... »``) cut at :data:`CONSOLE_VALUE_LENGTH` characters.
"""

from __future__ import annotations

import json
import re
import unicodedata

#: The pandoc input format of the reports: Markdown without raw HTML, raw attributes (``{=html}``),
#: raw TeX, native divs and spans, citations or bracketed spans, so that no text becomes markup.
PANDOC_INPUT = "markdown-raw_html-raw_attribute-raw_tex-native_divs-native_spans-citations-bracketed_spans-tex_math_dollars-tex_math_single_backslash-emoji"

_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_TYPST_SPECIAL = re.compile(r"([\\#$@<>*_\[\]`~=+/\-\"'])")
#: Characters a spreadsheet reads as the start of a formula (and tab, carriage return, line feed).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: Longest quoted value shown in a console line, in characters.
CONSOLE_VALUE_LENGTH = 80
_BREAKS = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029"


def is_control(character: str) -> bool:
    """Whether ``character`` is a control or format character (C0, C1, DEL, bidirectional
    overrides and isolates, zero-width characters): invisible, or acting on the display."""
    return unicodedata.category(character) in ("Cc", "Cf")


def plain(text: object) -> str:
    """``text`` as one line: line breaks and tabs become spaces, other control and format
    characters are dropped, runs of spaces are reduced to one (no-break spaces are kept)."""
    text = "" if text is None else str(text)
    text = "".join(" " if c in _BREAKS else c for c in text if c in _BREAKS or not is_control(c))
    return re.sub(" {2,}", " ", text).strip()


class Markup(str):
    """Text that already is Markdown written by the kit (never data): writers keep it as it is."""


def markdown(text: object) -> str:
    """``text`` as literal pandoc Markdown inline text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain(text))


def yaml_string(text: object) -> str:
    """``text`` as the value of a pandoc YAML front-matter field (read as Markdown): a quoted
    scalar whose content is Markdown-escaped."""
    return json.dumps(markdown(text), ensure_ascii=False)


def typst(text: object) -> str:
    """``text`` as literal Typst markup (``# $ \\ @ < * _ [ ]`` and the others escaped)."""
    return _TYPST_SPECIAL.sub(r"\\\1", plain(text))


def chart(text: object) -> str:
    """``text`` as a matplotlib label: one line, ``$`` escaped so that no mathtext is parsed."""
    return plain(text).replace("$", r"\$")


def spreadsheet(text: object) -> object:
    """A text cell meant for people: prefixed with ``'`` when it starts like a formula; other
    values (numbers, missing) are returned unchanged."""
    if isinstance(text, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def _visible(character: str) -> str:
    if character in "\r\n\t":
        return {"\r": r"\r", "\n": r"\n", "\t": r"\t"}[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def console(text: object, limit: int = CONSOLE_VALUE_LENGTH) -> str:
    """``text`` for a terminal: control and format characters shown as escapes (``\\r``,
    ``\\x1b``, ``\\u202e``), each quoted value (``« ... »``) longer than ``limit`` characters cut
    with ``…``."""
    text = "".join(_visible(c) if is_control(c) else c for c in str(text))
    return re.sub(r"« (.*?) »", lambda m: f"« {m[1][:limit]}… »" if len(m[1]) > limit else m[0], text)
