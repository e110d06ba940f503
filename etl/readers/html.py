"""Web pages (.html, .htm) saved from government sites: paragraphs and data
tables, in the page's declared encoding or one guessed as for text dumps."""
from __future__ import annotations

import re

from lxml import etree

from ..config import Limits
from ..document import DEMO_MARKER, Cell, Document, ExtractError, one_line
from .common import take_demo_marker
from .txt import decode_text

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_GB_NAMES = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "gb18030", "euc-cn", "csgb2312"}
_HTML_SKIP = frozenset("script style noscript template head title iframe object embed svg "
                       "select option button textarea input map canvas audio video".split())
_HTML_BLOCK = frozenset("p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header "
                        "footer nav aside main blockquote pre form fieldset legend address "
                        "figure figcaption center hr caption body html tr td th thead tbody "
                        "tfoot details summary menu".split())
# Bounds on what a table may grow to once spans are laid out: real reports'
# tables are a few hundred cells; rowspan="0" on every row grows quadratically.
MAX_ROWSPAN = 1000
MAX_TABLE_CELLS = 200_000
# libxml2 checks each attribute of a tag against the ones before it: 40k
# attributes on one element take 2 s, 100k 15 s or more. A real element has a
# handful; one with more than MAX_ATTRIBUTES is refused before parsing. Found
# from the bytes: a long run between two "<" (a tag of 10k+ bytes, rare: an
# inline data: image) is searched for " name=".
MAX_ATTRIBUTES = 1000
_LONG_TAG = re.compile(rb"<[^<]{10000,}")
_ATTRIBUTE = re.compile(rb"\s[^\s=<>\"'/]+\s*=")
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


def _decode_html(data: bytes) -> str:
    """BOM, then the page's own declaration, then UTF-8 / GB18030 like a text dump."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    declared = _META_CHARSET.search(data[:8192]) or _XML_ENCODING.search(data[:512])
    if declared:
        enc = declared.group(1).decode("ascii").lower()
        if enc in _GB_NAMES:
            enc = "gb18030"  # pages labelled gb2312 routinely use GBK-only characters
        if enc.startswith(("utf-16", "utf-32", "ucs")):
            enc = "utf-8"    # a label readable as ASCII is not on a UTF-16 page
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong label: guess as for text dumps
    try:
        return decode_text(data)
    except ExtractError:
        raise ExtractError("网页（HTML）文件的编码无法识别：既不是 UTF-8 也不是 GB18030/GBK，"
                           "页面也未声明可用的字符集") from None


def read_html(data: bytes, limits: Limits = Limits()) -> Document:
    """A report page saved from a government site: paragraphs and data tables.

    Tables used for page layout (a table holding tables) are looked through;
    data tables keep colspan/rowspan as grid positions, a rowspan's
    continuation being an empty cell as in Word's grid.
    """
    _check_attributes(data)
    text = _decode_html(data)
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              no_network=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractError(f"无法读取网页（HTML）文件（{one_line(exc)}）") from exc
    if root is None:
        raise ExtractError("网页（HTML）文件没有内容")
    doc = Document(format="html")
    for meta in root.iter("meta"):
        if meta.get("name", "").lower() == "category" and DEMO_MARKER in meta.get("content", ""):
            doc.demo = True
    body = root.find("body")
    flow = _HtmlFlow()
    flow.children(body if body is not None else root, False)
    flow.flush()
    for kind, item in flow.out:
        if kind == "p":
            doc.add_paragraph(item)
        elif item:
            doc.add_table(item)
    take_demo_marker(doc)
    return doc


def _check_attributes(data: bytes) -> None:
    for run in _LONG_TAG.finditer(data):
        n = len(_ATTRIBUTE.findall(run.group()))
        if n > MAX_ATTRIBUTES:
            raise ExtractError(f"网页中有一个元素带 {n} 个属性（超过上限 {MAX_ATTRIBUTES} 个），"
                               "不像正常网页，已拒绝（未解析）")


class _HtmlFlow:
    """Turns an element tree into paragraphs and tables; a block element ends a paragraph."""

    def __init__(self, keep_empty: bool = False):
        self.parts: list[str] = []
        self.out: list[tuple[str, object]] = []
        # Inside a cell an empty paragraph (<p>&nbsp;</p>) is kept as an empty
        # line, as Word keeps it in the cell's text.
        self.keep_empty = keep_empty

    def text(self, s: str, pre: bool) -> None:
        self.parts.append(s if pre else _HTML_SPACE.sub(" ", s))

    def flush(self) -> None:
        if not self.parts:
            return
        lines = "".join(self.parts).replace("\xa0", " ").split("\n")
        text = "\n".join(line.strip(" ") for line in lines).strip("\n")
        if text.strip() or (self.keep_empty and any("\xa0" in p for p in self.parts)):
            self.out.append(("p", text))
        self.parts = []

    def children(self, el, pre: bool) -> None:
        if el.text:
            self.text(el.text, pre)
        for child in el:
            if isinstance(child.tag, str):
                self.element(child, pre)
            if child.tail:
                self.text(child.tail, pre)

    def element(self, el, pre: bool) -> None:
        tag = el.tag.lower()
        if tag in _HTML_SKIP:
            return
        if tag == "br":
            self.parts.append("\n")
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        block = tag in _HTML_BLOCK
        if block:
            self.flush()
        self.children(el, pre or tag == "pre")
        if block:
            self.flush()

    def table(self, tbl) -> None:
        trs = [tr for part in [tbl, *(s for s in tbl if s.tag in ("thead", "tbody", "tfoot"))]
               for tr in part if tr.tag == "tr"]
        tds = [[td for td in tr if td.tag in ("td", "th")] for tr in trs]
        n_cells = sum(len(r) for r in tds)
        nested = any(td.find(".//table") is not None for r in tds for td in r)
        caption = tbl.find("caption")
        if caption is not None:
            self.element(caption, False)
        if nested or not n_cells:
            # Layout, not data (a table holding tables): read the cells as ordinary blocks.
            for row in tds:
                for td in row:
                    self.children(td, False)
                    self.flush()
            return
        rows: list[list[Cell]] = []
        grid_cells = 0
        pending: dict[int, list[int]] = {}  # grid col -> [rows still covered, span] of a rowspan
        for i, row in enumerate(tds):
            cells: list[Cell] = []
            col = 0

            def continuations(upto: float) -> None:
                nonlocal col
                while True:
                    starts = [c for c in pending if col <= c < upto]
                    if not starts:
                        return
                    c = min(starts)
                    left, span = pending[c]
                    cells.append(Cell("", c, span))
                    if left <= 1:
                        del pending[c]
                    else:
                        pending[c][0] = left - 1
                    col = c + span

            for td in row:
                while col in pending:
                    continuations(col + 1)
                colspan = _html_span(td.get("colspan"), 64)
                rowspan = _html_span(td.get("rowspan"), min(len(tds) - i, MAX_ROWSPAN))
                if td.get("rowspan", "").strip() == "0":
                    rowspan = min(len(tds) - i, MAX_ROWSPAN)  # HTML: to the end of the table
                cells.append(Cell(_html_cell_text(td), col, colspan))
                if rowspan > 1:
                    pending[col] = [rowspan - 1, colspan]
                col += colspan
            continuations(float("inf"))
            if cells:
                rows.append(cells)
                grid_cells += len(cells)
                if grid_cells > MAX_TABLE_CELLS:
                    raise ExtractError(f"网页中的表格过大（超过 {MAX_TABLE_CELLS // 10000} 万个单元格），不像自评报告，已拒绝")
        self.out.append(("t", rows))


def _html_span(value: str | None, cap: int) -> int:
    try:
        return min(max(1, int(str(value).strip())), max(cap, 1))
    except (TypeError, ValueError):
        return 1


def _html_cell_text(td) -> str:
    flow = _HtmlFlow(keep_empty=True)
    flow.children(td, False)
    flow.flush()
    parts = []
    for kind, item in flow.out:
        if kind == "p":
            parts.append(item)
        else:
            parts.extend("\t".join(c.text for c in row) for row in item)
    return "\n".join(parts).strip("\n")
