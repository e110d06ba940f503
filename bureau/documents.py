"""Word and PDF primitives for the bureau's documents (the 通报 and the one-unit brief).

A document is built once, as Word (python-docx): A4, Chinese fonts, headings,
plain-text paragraphs, tables, a chart picture and 第 X 页 共 Y 页 in the footer.

Why the PDF is the Word file converted by LibreOffice headless (etl/readers/office.py,
the project's one runner of it) rather than HTML printed by Chromium: one layout
to keep instead of two, and the PDF is exactly what the Word file prints as — the
same tables, page breaks and footer fields (LibreOffice fills in PAGE and NUMPAGES
when it lays the pages out). Word users get 宋体/黑体 (present on every Windows
desktop); the copy converted to PDF names the Noto CJK fonts installed with
run.sh, so the PDF never depends on LibreOffice's font fallback.

Text from reports (unit names, findings, comments) is written as plain text: it
goes into w:t elements XML-escaped, never interpreted as markup; characters XML
cannot hold (control characters) are dropped.

Charts: plotly figures exported to PNG by kaleido 1.x, which drives a Chrome
through choreographer; choreographer takes the browser from $BROWSER_PATH,
set here to the system Chromium (/usr/bin/chromium) unless already set.
"""
from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

log = logging.getLogger("bureau.documents")

SYSTEM_CHROMIUM = "/usr/bin/chromium"
PDF_TIMEOUT_S = 120.0
TABLE_CHUNK = 250
TITLE_CHARS = 24  # characters of an 18-point title on one line of the A4 text width
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class DocumentError(RuntimeError):
    """A document could not be made; the message is for the user (Chinese, one line)."""


@dataclass(frozen=True)
class Fonts:
    body: str
    heading: str
    latin: str


WORD_FONTS = Fonts(body="宋体", heading="黑体", latin="Times New Roman")
PDF_FONTS = Fonts(body="Noto Serif CJK SC", heading="Noto Sans CJK SC", latin="Noto Serif CJK SC")


def plain(value) -> str:
    """Any value as the text a cell shows: blank -> "—", report text as it is."""
    if value is None:
        return "—"
    try:
        import pandas as pd

        if pd.api.types.is_scalar(value) and pd.isna(value):
            return "—"
    except (TypeError, ValueError):
        pass
    return _NOT_XML.sub("", str(value))


def _set_fonts(rpr_owner, fonts: Fonts, east_asia: str) -> None:
    """Latin and East Asian fonts on a style or run (python-docx sets only the Latin one)."""
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, rfonts)
    for attr, name in (("w:ascii", fonts.latin), ("w:hAnsi", fonts.latin), ("w:eastAsia", east_asia),
                       ("w:cs", fonts.latin)):
        rfonts.set(qn(attr), name)


class Writer:
    """One Word document being written: A4 portrait, 25 mm margins, page numbers in the footer."""

    def __init__(self, fonts: Fonts = WORD_FONTS, title: str = ""):
        self.fonts = fonts
        self.doc = Document()
        self.doc.core_properties.title = plain(title)
        self.doc.core_properties.author = "财政局绩效科"
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin, section.bottom_margin = Mm(25), Mm(22)
        self.width_mm = 160.0
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.size = Pt(11)
        _set_fonts(normal.element, fonts, fonts.body)
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.line_spacing = 1.25
        for name, size in (("Title", 18), ("Heading 1", 15), ("Heading 2", 13)):
            style = styles[name]
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.color.rgb = RGBColor(0, 0, 0)
            _set_fonts(style.element, fonts, fonts.heading)
        title_style = styles["Title"]
        title_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title_style.paragraph_format.space_after = Pt(10)
        # the template's Title has a blue rule under it: a plain title as a circular's
        ppr = title_style.element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
        self._footer(section)

    def _footer(self, section) -> None:
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for part in ("第 ", "PAGE", " 页　共 ", "NUMPAGES", " 页"):
            if part in ("PAGE", "NUMPAGES"):
                p._p.append(parse_xml(
                    f'<w:fldSimple {nsdecls("w")} w:instr=" {part} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
            else:
                p.add_run(part)
        for run in p.runs:
            run.font.size = Pt(9)

    # --- text ------------------------------------------------------------------------------
    def title(self, text: str, *, second_line: str = "") -> None:
        """The title, centred; `second_line` (the tail of `text`) goes on a line of its own
        when the whole would wrap, so a long title breaks where a reader expects it."""
        p = self.doc.add_paragraph(style="Title")
        if second_line and text.endswith(second_line) and len(text) > TITLE_CHARS:
            p.add_run(plain(text[: -len(second_line)]))
            p.add_run().add_break()
            p.add_run(plain(second_line))
        else:
            p.add_run(plain(text))

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_paragraph(plain(text), style=f"Heading {level}")

    def paragraph(self, text: str, *, center: bool = False, right: bool = False, size: float | None = None,
                  bold: bool = False, indent: bool = False) -> None:
        p = self.doc.add_paragraph()
        run = p.add_run(plain(text))
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if indent:
            p.paragraph_format.first_line_indent = Pt(22)

    def note(self, text: str) -> None:
        """A small grey line (sources, rules, 口径)."""
        p = self.doc.add_paragraph()
        run = p.add_run(plain(text))
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x55, 0x5F, 0x6B)

    def picture(self, png: bytes, width_mm: float | None = None) -> None:
        self.doc.add_picture(io.BytesIO(png), width=Mm(width_mm or self.width_mm))
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    # --- tables ----------------------------------------------------------------------------
    def table(self, headers: Sequence[str], rows: Iterable[Sequence], widths_mm: Sequence[float],
              align: str = "", font_pt: float = 9.5, split_rows: bool = False) -> None:
        """A grid table, header row repeated on every page, rows never split across pages.

        align: one letter per column, l/c/r (default l). split_rows: a row may break across
        pages (for cells longer than a page, e.g. a list of units). The rows are written as
        WordprocessingML in one piece (python-docx's cell-by-cell API takes
        minutes for a ranking of 5,000 units); every cell's text is escaped."""
        n = len(headers)
        scale = self.width_mm / sum(widths_mm)
        twips = [int(w * scale * 56.7) for w in widths_mm]
        align = (align or "").ljust(n, "l")
        jc = {"l": "left", "c": "center", "r": "right"}
        half_points = int(font_pt * 2)

        def cell(text: str, j: int, bold: bool = False, shade: bool = False) -> str:
            fill = '<w:shd w:val="clear" w:color="auto" w:fill="E8EDF3"/>' if shade else ""
            b = "<w:b/>" if bold else ""
            return (f'<w:tc><w:tcPr><w:tcW w:w="{twips[j]}" w:type="dxa"/>{fill}<w:vAlign w:val="center"/></w:tcPr>'
                    f'<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="auto"/>'
                    f'<w:jc w:val="{"center" if bold else jc[align[j]]}"/></w:pPr>'
                    f'<w:r><w:rPr>{b}<w:sz w:val="{half_points}"/></w:rPr>'
                    f'<w:t xml:space="preserve">{escape(plain(text))}</w:t></w:r></w:p></w:tc>')

        grid = "".join(f'<w:gridCol w:w="{t}"/>' for t in twips)
        head = ('<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>'
                + "".join(cell(h, j, bold=True, shade=True) for j, h in enumerate(headers)) + "</w:tr>")

        keep = "" if split_rows else "<w:trPr><w:cantSplit/></w:trPr>"

        def row_xml(row: Sequence) -> str:
            return f"<w:tr>{keep}" + "".join(cell(v, j) for j, v in enumerate(row)) + "</w:tr>"

        borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
                          for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        props = (f'<w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
                 f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
                 f'<w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar>'
                 f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid>')
        rows = list(rows)
        # LibreOffice lays out a table in time growing with the square of its rows (5,000 rows: 70 s,
        # 20 tables of 250: 10 s), so a long table is written as tables of TABLE_CHUNK rows, each
        # with the header row, joined by a 1-point paragraph (two tables touching would merge).
        for start in range(0, max(len(rows), 1), TABLE_CHUNK):
            if start:
                self._spacer(1)
            part = "".join(row_xml(row) for row in rows[start:start + TABLE_CHUNK])
            self._append(parse_xml(f'<w:tbl {nsdecls("w")}>{props}{head}{part}</w:tbl>'))
        self._spacer(6)

    def _append(self, element) -> None:
        body = self.doc.element.body
        body.insert(len(body) - 1, element)  # before the final sectPr

    def _spacer(self, points: float) -> None:
        self._append(parse_xml(
            f'<w:p {nsdecls("w")}><w:pPr><w:spacing w:before="0" w:after="0" w:line="{int(points * 20)}"'
            f' w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>'))

    def page_break(self) -> None:
        self.doc.add_page_break()

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()



def docx_to_pdf(docx: bytes, timeout: float = PDF_TIMEOUT_S) -> bytes:
    """The Word file printed to PDF by LibreOffice headless. Raises DocumentError."""
    from etl.readers import office

    with tempfile.TemporaryDirectory(prefix="bureau-pdf-") as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(docx)
        try:
            err = office.convert([src], "pdf", Path(tmp) / "out", timeout)
        except office.LibreOfficeMissing as exc:
            raise DocumentError(f"生成PDF需要 LibreOffice：{office.INSTALL_HINT}") from exc
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(f"生成PDF超时（超过 {timeout:.0f} 秒），请稍后重试。") from exc
        out = Path(tmp) / "out" / "document.pdf"
        if not out.exists():
            log.warning("LibreOffice wrote no PDF: %s", err.strip()[:500])
            raise DocumentError("生成PDF失败：LibreOffice 未能转换该文档，请改用Word版本。")
        return out.read_bytes()


def chart_png(fig, width: int = 900, height: int = 420, scale: float = 2.0) -> bytes | None:
    """The plotly figure as PNG (kaleido with the system Chromium); None when it
    cannot be drawn here (no browser, timeout): the document then says so."""
    os.environ.setdefault("BROWSER_PATH", SYSTEM_CHROMIUM)
    try:
        import plotly.io as pio

        return pio.to_image(fig, format="png", width=width, height=height, scale=scale)
    except Exception:  # noqa: BLE001 - a document without its chart is better than none
        log.warning("chart export failed", exc_info=True)
        return None
