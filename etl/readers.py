"""Readers: the bytes of a submitted file -> a `Document` (rows of cells).

One function per format, chosen by `read_document` from the file's extension
and checked against its content (a .docx that is not a zip is refused with a
clear reason rather than parsed as garbage). Every failure is an
`ExtractError` whose message is the one line the user sees.
"""
from __future__ import annotations

import re

from .config import Limits
from .document import DEMO_MARKER, Cell, Document, ExtractError

SUPPORTED = (".docx", ".doc", ".pdf", ".txt", ".html", ".htm")


def read_document(data: bytes, file_name: str, limits: Limits = Limits()) -> Document:
    """Dispatch on the extension; refuse empty and oversized input first."""
    if not data:
        raise ExtractError("empty file")
    if len(data) > limits.max_file_bytes:
        raise ExtractError(f"file too large: {len(data) / 1048576:.1f} MB > limit {limits.max_file_mb:g} MB")
    ext = ("." + file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else ""
    reader = _READERS.get(ext)
    if reader is None:
        raise ExtractError(f"unsupported file type '{ext or '(none)'}': expected one of {', '.join(SUPPORTED)}")
    return reader(data, limits)


# --- text dumps -------------------------------------------------------------

def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ExtractError("text file is neither UTF-8 nor GB18030/GBK") from exc


def read_txt(data: bytes, limits: Limits = Limits()) -> Document:
    """Parse a text dump of the Word template.

    Word's text export writes each table cell on a line that starts with a TAB
    and separates table rows with a blank line; a line without the TAB
    continues the cell above (the cell's own line breaks), so a blank line
    followed by such a line is a break inside a cell, not a new row. Dumps
    copied from web pages use "|" between cells instead; both are read.
    """
    text = decode_text(data)
    if "\x00" in text:
        raise ExtractError("not a text report: binary content")
    doc = Document(format="txt")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and DEMO_MARKER in lines[0]:
        doc.demo = True
        lines = lines[1:]
    table: list[list[Cell]] = []
    row: list[Cell] | None = None
    blank_since_cell = False

    def close_table() -> None:
        nonlocal table, row
        if row:
            table.append(row)
        if table:
            doc.add_table(table, exact=False)
        table, row = [], None

    for line in lines:
        if not line.strip() and not line.startswith("\t"):
            blank_since_cell = True
            if row is not None and row:
                row[-1].text += "\n"
            continue
        if line.startswith("\t"):
            content = line[1:]
            if row is None or blank_since_cell:
                if row:
                    table.append(row)
                row = []
            row.append(Cell(content, col=len(row)))
            blank_since_cell = False
        elif "|" in line and line.count("|") >= 1 and row is None:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            table.append([Cell(c, col=i) for i, c in enumerate(cells)])
        elif row is not None:
            # A continuation line of the current cell (blank lines before it
            # were Word's wrap breaks or the cell's own paragraphs).
            row[-1].text += "\n" + line
            blank_since_cell = False
        else:
            close_table()
            doc.add_paragraph(line)
    close_table()
    for r in doc.rows:
        for c in r.cells:
            c.text = c.text.strip("\n")
    return doc


def _not_yet(kind: str):
    def reader(data: bytes, limits: Limits) -> Document:
        raise ExtractError(f"{kind} files are not supported yet")
    return reader


_READERS = {
    ".txt": read_txt,
    ".docx": _not_yet("docx"),
    ".doc": _not_yet("doc"),
    ".pdf": _not_yet("pdf"),
    ".html": _not_yet("html"),
    ".htm": _not_yet("html"),
}

_WS = re.compile(r"\s+")
