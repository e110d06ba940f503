"""The one shape every reader produces: a document as a list of rows.

A report arrives as .docx, .doc, PDF, HTML or a text dump; each reader turns it
into a `Document`, and the extractor (etl/extract/) works on that
alone. A paragraph outside tables is a row with one cell. A table row is a row
of cells in order.

Grid positions: readers that know the real grid (docx, html, pdf tables) set
`Cell.col`/`Cell.span` in grid columns, and the table's `exact` flag. A text
dump only knows the order of cells (`exact=False`); the extractor aligns its
header rows by the data rows below them.

A vertically merged cell's continuation is an empty cell (as Word's own text
export writes it); a horizontally merged cell is one cell with span > 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class ExtractError(Exception):
    """A file that cannot be read as a report; the message is the one-line reason."""


REASON_CHARS = 300  # the most of an error's own text a reason carries


def one_line(error: BaseException | str) -> str:
    """An error's text as one line (runs of whitespace as one space), at most
    REASON_CHARS characters; an exception with no text, by its type name.

    The one helper for every reason built from an exception's text, whether it
    is the whole reason or the technical detail in its brackets."""
    text = " ".join(str(error).split())
    if not text and isinstance(error, BaseException):
        text = type(error).__name__
    return text[:REASON_CHARS]


@dataclass(slots=True)
class Cell:
    text: str
    col: int = 0
    span: int = 1


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    table: int = -1     # index of the table the row belongs to; -1 for a paragraph
    exact: bool = True  # True when col/span are real grid positions

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass
class Document:
    rows: list[Row] = field(default_factory=list)
    format: str = "txt"
    demo: bool = False          # the document declares itself demo data
    warnings: list[str] = field(default_factory=list)

    def add_paragraph(self, text: str) -> None:
        self.rows.append(Row([Cell(text)], table=-1))

    def add_table(self, rows: list[list[Cell]], exact: bool = True) -> None:
        index = 1 + max((r.table for r in self.rows), default=-1)
        for cells in rows:
            self.rows.append(Row(cells, table=index, exact=exact))


DEMO_MARKER = "【演示数据】"
"""Text a generated demo document carries (first line, or docx core property
`category`) so that its record is marked demo all the way to the screen."""
