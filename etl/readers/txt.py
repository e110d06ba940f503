"""Text dumps (.txt): Word's text export of the template, or a copy from a web
page, in UTF-8, GB18030/GBK or Big5."""
from __future__ import annotations

import re

from ..config import Limits
from ..document import DEMO_MARKER, Cell, Document, ExtractError

# A report's longest paragraph is a few thousand characters; a whole report
# pasted without its line breaks some tens of thousands. A line far longer is
# data or a damaged file, and every step after the reader scans it whole (a
# 49 MB line took 9-50 s to be found not a report): refused in the reader.
MAX_LINE_CHARS = 200_000
# And a whole text: 4 million characters (some 2000 pages) read in 3-4 s;
# a 49 MB text of real lines (16 million) took 13 s.
MAX_TEXT_CHARS = 4_000_000
_REPORT_WORDS = re.compile("的|年度|支出|单位|單位|部门|部門|绩效|績效|万元|萬元|预算|預算|项目|項目|情况|情況")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM (Notepad's "Unicode"),
    else GB18030 (a superset of GBK/GB2312), else Big5 (繁体 copies saved from
    Taiwan/Hong Kong sites). Big5 bytes usually decode as GB18030 too, into
    nonsense, so when both decode the one with more of the words every report
    uses wins."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    decoded = []
    for encoding in ("gb18030", "big5"):
        try:
            decoded.append(data.decode(encoding))
        except UnicodeDecodeError:
            pass
    if not decoded:
        raise ExtractError("文本文件的编码无法识别（不是 UTF-8、GB18030/GBK 或 Big5），"
                           "请用 UTF-8 编码另存后再提交")
    return max(decoded, key=lambda text: len(_REPORT_WORDS.findall(text)))  # ties: GB18030, listed first


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
        raise ExtractError("不是文本格式的报告：文件含有二进制内容，可能已损坏或扩展名有误")
    doc = Document(format="txt")
    if len(text) > MAX_TEXT_CHARS:
        raise ExtractError(f"文本文件长达 {len(text) / 10000:.0f} 万字，超过上限 {MAX_TEXT_CHARS // 10000} 万字，"
                           "不像一份自评报告（可能是多份报告或数据合在一个文件里），已拒绝")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    longest = max(map(len, lines))
    if longest > MAX_LINE_CHARS:
        raise ExtractError(line_too_long(longest))
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
            cells = [c.strip() for c in _pipe_cells(line.strip())]
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


def line_too_long(chars: int) -> str:
    return (f"文本文件中有一行长达 {chars / 10000:.1f} 万字，超过上限 {MAX_LINE_CHARS // 10000} 万字，"
            "不像自评报告（可能是合并成一行的数据或已损坏），已拒绝")


def _pipe_cells(line: str) -> list[str]:
    """"|a||b|" -> ["a", "", "b"]: one border pipe off each end, empty cells kept."""
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return line.split("|")
