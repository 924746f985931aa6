"""Printable documents as PDF: a title, "label: value" lines, sections of items (a journal, an
extract of a client's record). The caller builds a Document of already translated strings;
render() lays it out on A4 with DejaVu Sans (vendored in fonts/, with its licence), so any
Unicode text prints, and numbers the pages "Sida N av M" with the footer on every page.

    from prostenhet import pdf
    document = pdf.Document(title=..., meta=[(label, value)], sections=[pdf.Section(...)])
    return pdf.response(document, "journal-spiralen-2025-01-31.pdf")

Nothing is written to disk and no text of the document is logged."""

import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.http import HttpResponse
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
MARGIN = 18  # mm
INDENT = 8  # mm: a correction under the entry it corrects
PAGES_ALIAS = "{sidor-totalt}"
MISSING = "\u25a1"  # □: a character the fonts cannot print

# fontTools lists the glyphs it embeds at INFO, fpdf2 the characters a font lacks at WARNING:
# what a document says stays out of the logs.
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("fpdf").setLevel(logging.ERROR)


@dataclass
class Item:
    heading: str
    meta: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    indent: bool = False


@dataclass
class Section:
    heading: str
    items: list[Item] = field(default_factory=list)
    note: str = ""


@dataclass
class Document:
    title: str
    subtitle: str = ""
    meta: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    footer: str = ""


class _Layout(FPDF):
    def __init__(self, document):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.document = document
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 8)
        self.alias_nb_pages(PAGES_ALIAS)
        self.set_title(document.title)
        self.set_creator("Prostitutionsenheten")

    def footer(self):
        self.set_y(-MARGIN - 2)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(80)
        if self.document.footer:
            self.cell(0, 4, self.document.footer, new_x=XPos.LEFT, new_y=YPos.NEXT)
        label = _("Sida %(page)s av %(pages)s") % {"page": self.page_no(), "pages": PAGES_ALIAS}
        self.cell(0, 4, label, align="R")
        self.set_text_color(0)

    def lines(self, text, size=10, style="", height=5):
        """The text wrapped at word boundaries to the width between the margins. Each word is
        measured once (fpdf2's multi_cell measures a line again for every character it adds,
        which makes a long journal take seconds)."""
        self.set_font(FAMILY, style, size)
        width = self.w - self.l_margin - self.r_margin
        for line in self._wrap(text, width):
            self.cell(width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _width(self, text):
        """The text's width in mm in the current font (its glyph widths; no shaping is used)."""
        widths = self.current_font.cw
        return sum(widths[ord(char)] for char in text) * self.font_size_pt * 0.001 / self.k

    def _wrap(self, text, width):
        space = self._width(" ")
        for paragraph in text.split("\n"):
            line, used = [], 0.0
            for word in paragraph.split(" "):
                size = self._width(word)
                if line and used + space + size > width:
                    yield " ".join(line)
                    line, used = [], 0.0
                while size > width:  # a word longer than the line: broken where it must
                    cut = self._fitting(word, width)
                    yield word[:cut]
                    word = word[cut:]
                    size = self._width(word)
                used += (space if line else 0) + size
                line.append(word)
            yield " ".join(line)

    def _fitting(self, word, width):
        """How many characters of word fit in width (at least one)."""
        low, high = 1, len(word)
        while low < high:
            middle = (low + high + 1) // 2
            if self._width(word[:middle]) <= width:
                low = middle
            else:
                high = middle - 1
        return low

    def keep_room(self, height):
        """A heading is not left alone at the bottom of a page."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()


def _clean(text):
    """Text as it prints: newlines normalised, tabs as spaces, and a character the font has no
    glyph for (Chinese, say) as MISSING, so that the reader sees something is left out."""
    text = re.sub(r"\r\n?", "\n", str(text or "")).replace(PAGES_ALIAS, "").replace("\t", "    ")
    printable = _printable()
    return "".join(
        char if ord(char) in printable or char == "\n" else MISSING for char in text
    )


@functools.cache
def _printable():
    """The code points both fonts have glyphs for."""
    common = None
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        font = TTFont(FONTS / name, lazy=True)
        points = {point for point in font.getBestCmap() if point >= 0x20}
        common = points if common is None else common & points
    return frozenset(common)


def _meta_line(meta):
    return "  ·  ".join(f"{_clean(label)}: {_clean(value)}" for label, value in meta)


def render(document: Document) -> bytes:
    """The document as a complete PDF file."""
    pdf = _Layout(document)
    pdf.add_page()
    pdf.lines(_clean(document.title), size=16, style="B", height=8)
    if document.subtitle:
        pdf.lines(_clean(document.subtitle), size=12, height=6)
    pdf.ln(2)
    for label, value in document.meta:
        pdf.lines(f"{_clean(label)}: {_clean(value)}", size=10)
    for section in document.sections:
        pdf.ln(4)
        pdf.keep_room(20)
        pdf.lines(_clean(section.heading), size=13, style="B", height=7)
        pdf.set_draw_color(160)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2)
        if section.note:
            pdf.lines(_clean(section.note), size=9)
            pdf.ln(1)
        for item in section.items:
            _item(pdf, item)
    return bytes(pdf.output())


def _item(pdf, item):
    indent = INDENT if item.indent else 0
    pdf.set_left_margin(MARGIN + indent)
    pdf.set_x(pdf.l_margin)
    pdf.ln(1 if item.indent else 2)
    pdf.keep_room(15)
    pdf.lines(_clean(item.heading), size=10.5, style="B", height=5.5)
    if item.meta:
        pdf.set_text_color(70)
        pdf.lines(_meta_line(item.meta), size=8.5, height=4.5)
        pdf.set_text_color(0)
    if item.text:
        pdf.ln(0.5)
        pdf.lines(_clean(item.text), size=10)
    pdf.set_left_margin(MARGIN)
    pdf.set_x(MARGIN)


def response(document: Document, filename: str) -> HttpResponse:
    """The document as a download (filename: ASCII, no names or identity numbers)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "dokument.pdf"
    result = HttpResponse(render(document), content_type="application/pdf")
    result["Content-Disposition"] = f'attachment; filename="{safe}"'
    result["Cache-Control"] = "no-store"
    return result
