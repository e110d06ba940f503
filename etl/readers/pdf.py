"""PDFs with a text layer (.pdf): ruled tables as tables, other text as
paragraphs, wrapped lines and tables split by page breaks rejoined."""
from __future__ import annotations

import bisect
import importlib.util
import io
import logging
import re
import zlib
from dataclasses import dataclass

from ..config import Limits
from ..document import Cell, Document, ExtractError, one_line
from .common import take_demo_marker

# pdfminer and pypdf log what they repair in a broken file ("Not adding object
# … to xref", "Invalid MediaBox") as warnings that would spill onto the loader's
# output beside its one line per file; what matters reaches us as exceptions.
for _library in ("pdfminer", "pdfplumber", "pypdf"):
    logging.getLogger(_library).setLevel(logging.CRITICAL)

# Bounds that keep one hostile PDF within the worker's memory (issue #11):
# pdfminer inflates a stream whole (a 1 MB file inflating to 300 MB took
# 650 MB) and keeps an object of ~3 KB per character and line drawn on a page
# (300k characters on one page took 780 MB and 12 s). A real report's page
# shows a few thousand characters, its content stream is well under 1 MB.
MAX_STREAM_MB = 32
MAX_PAGE_CHARS = 30_000
MAX_PAGE_PATHS = 30_000

# The fast path (PDFium), imported on the first PDF (in the extracting worker); without
# pypdfium2 installed every PDF is read the pdfminer way.
FAST_PATH = importlib.util.find_spec("pypdfium2") is not None


class _Refused(ExtractError):
    """Raised from inside pdfminer, which pdfplumber wraps: found again in read_pdf."""


def stream_too_large() -> str:
    return (f"PDF 中有数据流解压后超过 {MAX_STREAM_MB} MB（疑似压缩炸弹），不像自评报告，已拒绝（未继续解压）")


def page_too_dense(page_no: int, what: str, limit: int) -> str:
    return f"PDF 第 {page_no} 页的{what}超过 {limit // 10000} 万个，不像自评报告，已拒绝"


class _BoundedZlib:
    """pdfminer.pdftypes' zlib, with decompress stopping past MAX_STREAM_MB."""
    error = zlib.error

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def decompress(data: bytes, *args) -> bytes:
        d = zlib.decompressobj()
        out = d.decompress(data, (MAX_STREAM_MB << 20) + 1)
        if len(out) > MAX_STREAM_MB << 20:
            raise _Refused(stream_too_large())
        if not d.eof:
            raise zlib.error("incomplete or truncated stream")
        return out


def _bounded_corrupted(data: bytes) -> bytes:
    """pdfminer's decompress_corrupted (what inflates before a bad checksum or a cut), bounded:
    raw deflate has no checksum; a cut stream gives what came before it, 4 KB at a time."""
    limit = MAX_STREAM_MB << 20
    d = zlib.decompressobj(-15)
    out = bytearray()
    body = data[2:]
    try:
        for i in range(0, len(body), 4096):
            out += d.decompress(body[i:i + 4096], limit + 1 - len(out))
            if len(out) > limit or d.unconsumed_tail:
                raise _Refused(stream_too_large())
            if d.eof:
                break
    except zlib.error:
        pass
    return bytes(out)


def _bound_pdfminer() -> None:
    import pdfminer.pdftypes as pdftypes
    if not isinstance(pdftypes.zlib, _BoundedZlib):
        pdftypes.zlib = _BoundedZlib()
        pdftypes.decompress_corrupted = _bounded_corrupted


def _refusal(exc: BaseException) -> _Refused | None:
    """Our own refusal inside whatever pdfplumber/pdfminer wrapped it in."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, _Refused):
            return exc
        inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)), None)
        exc, seen = exc.__cause__ or exc.__context__ or inner, seen + 1
    return None


def _bounded_layout(page):
    """pdfplumber's Page.layout, counting characters and paths as pdfminer makes them."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class Device(PDFPageAggregatorWithMarkedContent):
        chars = paths = 0

        def render_char(self, *args, **kwargs):
            self.chars += 1
            if self.chars > MAX_PAGE_CHARS:
                raise _Refused(page_too_dense(page.page_number, "文字", MAX_PAGE_CHARS))
            return super().render_char(*args, **kwargs)

        def paint_path(self, *args, **kwargs):
            self.paths += 1
            if self.paths > MAX_PAGE_PATHS:
                raise _Refused(page_too_dense(page.page_number, "线条和图形", MAX_PAGE_PATHS))
            return super().paint_path(*args, **kwargs)

    device = Device(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    return device.get_result()


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_OPENING = set("（「『【〔〈《“‘([{")
_CLOSING = set("，。、；：？！）」』】〕〉》”’%％,.;:!?)]}…")
_ITEM_START = re.compile(r"^(\d{1,2}[、.．](?!\d)|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、"
                         r"|(指标|目标|任务)\d{1,2}[：:])")
_PAGE_NUMBER = re.compile(r"^[\s\-—–－]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／共]\s*\d{1,4}\s*页?)?[\s\-—–－]*$")


def read_pdf(data: bytes, limits: Limits = Limits()) -> Document:
    """A PDF with a text layer: ruled tables as tables, other text as paragraphs.

    Lines are rejoined into paragraphs where the layout shows a soft wrap
    (the next line's first word would not have fit on the line before), so a
    sentence broken by the page width reads as one, as in the .docx. A table
    continued on the next page is one table again, and a row split by the
    page break one row, where the text shows it continues. Page numbers and
    running headers/footers are dropped.
    """
    if b"%PDF-" not in data[:1024]:
        raise ExtractError("不是 PDF 文件：缺少 %PDF 文件头，可能已损坏或扩展名有误")
    pages = None
    if FAST_PATH:
        _check_streams(data)
        try:
            pages = [_pdf_page_items(page) for page in _pdfium_pages(data)]
        except _Decline:
            pages = None
    if pages is None:
        pages = _pdfminer_pages(data)
    return _pdf_finish(data, pages)


def _pdfminer_pages(data: bytes) -> list:
    """The pdfminer path (pdfplumber): every PDF the fast path declines, with the bounds of issue #11."""
    import pdfplumber  # only PDFs pay for importing pdfminer
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    _bound_pdfminer()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer signals trouble with many exception types
        refused = _refusal(exc)
        if refused is not None:
            raise refused from None
        cause = exc.__cause__ or (exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc)
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise ExtractError("PDF 已加密：需要密码才能打开，请去掉密码后重新提交") from exc
        raise ExtractError(_DAMAGED_PDF.format(one_line(cause))) from exc
    pages = []
    try:
        with pdf:
            for page in pdf.pages:
                page._layout = _bounded_layout(page)  # pdfplumber computes it on first use; ours counts
                pages.append(_pdf_page_items(page))
                page.close()  # pdfplumber keeps every parsed page otherwise
    except Exception as exc:
        refused = _refusal(exc)
        if refused is not None:
            raise refused from None
        raise ExtractError(_DAMAGED_PDF.format(one_line(exc))) from exc
    return pages


def _pdf_finish(data: bytes, pages: list) -> Document:
    if not any(has_text for _, has_text in pages):
        raise ExtractError("扫描版 PDF：没有文字层，无法读取，请提交 Word 版或带文字的 PDF")
    doc = Document(format="pdf")
    blank = [str(i + 1) for i, (_, has_text) in enumerate(pages) if not has_text]
    if blank:
        doc.warnings.append(f"PDF 第 {'、'.join(blank)} 页没有文字层（可能是扫描页），这些页的内容未读取")
    try:
        _pdf_assemble(doc, _without_running_lines([items for items, _ in pages]))
    except (ValueError, IndexError, KeyError, TypeError) as exc:  # a layout no rule foresaw
        raise ExtractError(f"PDF 版式无法识别，请提交 Word 版（{one_line(exc)}）") from exc
    take_demo_marker(doc)
    return doc


_DAMAGED_PDF = "PDF 文件已损坏，无法打开（{}）"


def _pdf_page_items(page):
    """(items, has_text): ("line", dict) and ("table", _PdfTable) in top-to-bottom order
    (`page`: a pdfplumber page, or a _FastPage)."""
    chars, seen = [], set()
    for c in page.chars:
        # Some producers fake bold by printing a glyph twice at (almost) the
        # same spot; keep one (pdfplumber's own dedupe_chars is ~10x slower).
        key = (c["text"], round(c["x0"]), round(c["top"]))
        if c.get("upright", True) and key not in seen:
            seen.add(key)
            chars.append(c)
    has_text = any(c["text"].strip() for c in chars)
    if not has_text:
        return [], False
    from pdfplumber.table import Table

    tables, all_cells = _table_cells(page)
    found = [list(t) for t in tables]
    in_tables = {c for cells in found for c in cells}
    for cell in all_cells:
        # pdfplumber drops one-cell tables; Word's template has them (a box
        # around a long text), unless the box only frames other tables.
        if cell not in in_tables and not any(_bbox_inside(Table(page, t).bbox, cell) for t in found):
            found.append([cell])
    grids = [_PdfGrid(cells) for cells in found]
    body_chars = []
    for c in chars:
        hx, vy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        for g in grids:
            if g.take(c, hx, vy):
                break
        else:
            body_chars.append(c)
    items: list[tuple] = [("table", g.table()) for g in grids]
    height = float(page.height)
    for line in _pdf_lines(body_chars):
        line["margin"] = line["top"] < 0.08 * height or line["bottom"] > 0.92 * height
        if line["margin"] and _PAGE_NUMBER.match(line["text"]):
            continue  # a page number in the header or footer
        items.append(("line", line))
    items.sort(key=lambda it: it[1].top if it[0] == "table" else it[1]["top"])
    return items, True


def _table_cells(page) -> tuple[list[list], list]:
    """(tables as lists of cells, all cells): pdfplumber's TableFinder with its default
    settings, its cell search done with each point's edges looked up once (the same cells)."""
    from pdfplumber.table import TableFinder, TableSettings, cells_to_tables, edges_to_intersections

    settings = TableSettings.resolve(None)
    finder = TableFinder.__new__(TableFinder)
    finder.page, finder.settings = page, settings
    intersections = edges_to_intersections(finder.get_edges(), settings.intersection_x_tolerance,
                                           settings.intersection_y_tolerance)
    cells = _intersections_to_cells(intersections)
    return cells_to_tables(cells), cells


def _intersections_to_cells(intersections: dict) -> list[tuple]:
    """pdfplumber.table.intersections_to_cells, the same search in the same order."""
    from pdfplumber.utils import obj_to_bbox

    v_sets = {p: {obj_to_bbox(e) for e in edges["v"]} for p, edges in intersections.items()}
    h_sets = {p: {obj_to_bbox(e) for e in edges["h"]} for p, edges in intersections.items()}

    def connects(p1, p2) -> bool:
        return ((p1[0] == p2[0] and not v_sets[p1].isdisjoint(v_sets[p2]))
                or (p1[1] == p2[1] and not h_sets[p1].isdisjoint(h_sets[p2])))

    points = sorted(intersections)
    same_x: dict = {}
    same_y: dict = {}
    for i, pt in enumerate(points):
        same_x.setdefault(pt[0], []).append(i)
        same_y.setdefault(pt[1], []).append(i)
    cells = []
    for i, pt in enumerate(points[:-1]):
        below = [points[j] for j in same_x[pt[0]] if j > i]
        right = [points[j] for j in same_y[pt[1]] if j > i]
        cell = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                    cell = (pt[0], pt[1], corner[0], corner[1])
                    break
            if cell is not None:
                break
        if cell is not None:
            cells.append(cell)
    return cells


def _without_running_lines(pages: list[list]) -> list[list]:
    """Drop running headers and footers: a margin line repeated on half the pages or more."""
    if len(pages) < 2:
        return pages

    def key(item) -> str | None:  # page numbers differ from page to page: ignore digits
        if item[0] == "line" and item[1]["margin"]:
            return re.sub(r"\d+", "#", item[1]["text"])
        return None

    seen: dict[str, int] = {}
    for items in pages:
        for k in {key(it) for it in items} - {None}:
            seen[k] = seen.get(k, 0) + 1
    running = {k for k, n in seen.items() if n >= 2 and n * 2 >= len(pages)}
    return [[it for it in items if key(it) not in running] for items in pages]


def _bbox_inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - 1 and inner[1] >= outer[1] - 1
            and inner[2] <= outer[2] + 1 and inner[3] <= outer[3] + 1)


def _pdf_lines_plumber(chars) -> list[dict]:
    """pdfplumber's own text lines of upright chars (the reference _pdf_lines keeps to)."""
    if not chars:
        return []
    from pdfplumber.utils.text import chars_to_textmap
    return chars_to_textmap(chars, x_tolerance_ratio=0.3).extract_text_lines(strip=True, return_chars=True)


def _cluster_ids(values, tolerance: float) -> dict:
    """pdfplumber's cluster_list: sorted distinct values, a new cluster past `tolerance`."""
    ids, cluster, last = {}, 0, None
    for x in sorted(set(values)):
        if last is not None and x > last + tolerance:
            cluster += 1
        ids[x] = cluster
        last = x
    return ids


def _pdf_lines(chars) -> list[dict]:
    """The text lines of upright chars, as pdfplumber's chars_to_textmap(chars,
    x_tolerance_ratio=0.3).extract_text_lines() gives them (same words, lines, boxes and
    chars), computed directly: that way costs ~0.1 ms a table cell in building a text map."""
    if not chars:
        return []
    from pdfplumber.utils.text import LIGATURES

    # WordExtractor: lines by top (tolerance 3), each sorted by x0; words split at blanks
    # and at gaps over 0.3 of the font size.
    ids = _cluster_ids([c["top"] for c in chars], 3)
    by_line: dict[int, list] = {}
    for c in chars:
        by_line.setdefault(ids[c["top"]], []).append(c)
    words: list[list] = []
    for key in sorted(by_line):
        current: list = []
        for c in sorted(by_line[key], key=lambda c: c["x0"]):
            text = c["text"]
            if text.isspace():
                if current:
                    words.append(current)
                current = []
            elif text == "":  # pdfplumber's split_at_punctuation="" matches the empty text
                if current:
                    words.append(current)
                words.append([c])
                current = []
            elif current and (c["x0"] < current[-1]["x0"] or c["x0"] > current[-1]["x1"] + 0.3 * current[-1]["size"]
                               or abs(c["top"] - current[-1]["top"]) > 3):
                words.append(current)
                current = [c]
            else:
                current.append(c)
        if current:
            words.append(current)
    # WordMap.to_textmap (presorted, no layout): consecutive words of one top cluster are a line.
    tops = [min(c["top"] for c in w) for w in words]
    ids = _cluster_ids(tops, 3)
    lines: list[dict] = []
    previous = None
    for word, top in zip(words, tops):
        text = "".join(LIGATURES.get(c["text"], c["text"]) for c in word)
        if previous is not None and ids[top] == previous:
            line = lines[-1]
            line["text"] += " " + text
            line["chars"].extend(word)
        else:
            lines.append({"text": text, "chars": list(word)})
        previous = ids[top]
    out = []
    for line in lines:
        cs = line["chars"]
        out.append({"text": line["text"], "x0": min(c["x0"] for c in cs), "top": min(c["top"] for c in cs),
                    "x1": max(c["x1"] for c in cs), "bottom": max(c["bottom"] for c in cs), "chars": cs})
    return out


@dataclass(slots=True)
class _PdfCell:
    x0: float
    x1: float
    top: float
    bottom: float
    lines: list           # pdfplumber text lines, top to bottom ([] for an empty cell)
    left: float = 0.0     # where its lines start ...
    right: float = 0.0    # ... and how far a full line reaches
    text: str = ""
    origin: "_PdfCell | None" = None  # for the continuation of a merged cell: the cell holding its text


@dataclass
class _PdfTable:
    rows: list[list[_PdfCell]]
    top: float
    bottom: float


class _PdfGrid:
    """One ruled table on one page: cells placed on the grid of their edges, chars assigned by centre."""

    def __init__(self, cells):
        self.cells = [tuple(round(v, 1) for v in c) for c in cells]
        self.xs = _dedupe_edges(sorted({c[0] for c in self.cells} | {c[2] for c in self.cells}))
        self.ys = _dedupe_edges(sorted({c[1] for c in self.cells} | {c[3] for c in self.cells}))
        self.chars: list[list] = [[] for _ in self.cells]
        self.owner: dict[tuple[int, int], int] = {}
        self.place = []
        for i, (x0, top, x1, bottom) in enumerate(self.cells):
            c0, c1 = _edge_index(self.xs, x0), _edge_index(self.xs, x1)
            r0, r1 = _edge_index(self.ys, top), _edge_index(self.ys, bottom)
            self.place.append((r0, max(1, r1 - r0)))
            for r in range(r0, max(r0 + 1, r1)):
                for c in range(c0, max(c0 + 1, c1)):
                    self.owner.setdefault((r, c), i)

    def take(self, char, hx: float, vy: float) -> bool:
        if not (self.xs[0] <= hx < self.xs[-1] and self.ys[0] <= vy < self.ys[-1]):
            return False
        i = self.owner.get((bisect.bisect_right(self.ys, vy) - 1, bisect.bisect_right(self.xs, hx) - 1))
        if i is None:
            return False
        self.chars[i].append(char)
        return True

    def table(self) -> _PdfTable:
        n_rows = len(self.ys) - 1
        rows: list[list[_PdfCell]] = [[] for _ in range(n_rows)]
        for i, (r0, rspan) in enumerate(self.place):
            x0, top, x1, bottom = self.cells[i]
            cell = _pdf_cell(self.chars[i], self.cells[i])
            rows[r0].append(cell)
            for r in range(r0 + 1, min(r0 + rspan, n_rows)):
                # A vertically merged cell continues: an empty cell in the grid.
                rows[r].append(_PdfCell(x0, x1, top, bottom, [], origin=cell))
        for row in rows:
            row.sort(key=lambda c: c.x0)
        return _PdfTable([row for row in rows if row], self.ys[0], self.ys[-1])


_EDGE_TOL = 2.5  # points: LibreOffice draws one grid line ~1 pt apart on different pages


def _dedupe_edges(edges: list[float]) -> list[float]:
    out: list[float] = []
    for e in edges:
        if not out or e - out[-1] > _EDGE_TOL:
            out.append(e)
    return out


def _edge_index(edges: list[float], value: float) -> int:
    i = bisect.bisect_left(edges, value)
    if i == len(edges) or (i > 0 and value - edges[i - 1] < edges[i] - value):
        i -= 1
    return i


def _pdf_cell(chars, bbox) -> _PdfCell:
    x0, top, x1, bottom = bbox
    lines = _pdf_lines(chars)
    if not lines:
        return _PdfCell(x0, x1, top, bottom, [])
    left = min(ln["x0"] for ln in lines)
    # The padding between the left border and the text is there on the right too.
    right = x1 - max(0.0, left - x0)
    return _PdfCell(x0, x1, top, bottom, lines, left, right,
                    "\n".join(_join_wrapped(lines, left, right)))


def _first_chunk_width(line: dict) -> float:
    """Width of what the line breaker had to carry down to this line.

    Opening brackets stay with the character after them, closing punctuation
    with the one before it and with a number right after it (Chinese
    line-breaking rules as LibreOffice and Word apply them); a number or Latin
    word is never split; a CJK character stands alone.
    """
    chars = line.get("chars") or []
    n = len(chars)
    if not n:
        return 0.0

    def word_char(k: int) -> bool:
        t = chars[k]["text"]
        return not t.isspace() and not _CJK.match(t)

    def spaced(k: int) -> bool:  # the text layer may leave spaces out: a gap is one
        return chars[k]["x0"] - chars[k - 1]["x1"] > 0.15 * max(1.0, chars[k]["bottom"] - chars[k]["top"])

    i = 0
    while True:
        while i < n and chars[i]["text"] in _OPENING:
            i += 1
        if i < n and word_char(i):
            i += 1
            while i < n and word_char(i) and not spaced(i):
                i += 1  # "88.97%" or "12,000" is one unbreakable word
        else:
            i += 1
        while i < n and chars[i]["text"] in _CLOSING:
            i += 1
        if not (i < n and chars[i - 1]["text"] in _CLOSING and word_char(i)):
            break
    i = min(i, n)
    return chars[i - 1]["x1"] - chars[0]["x0"]


def _size(line: dict) -> float:
    return max(1.0, line["bottom"] - line["top"])


def _text_right_edge(lines: list[dict]) -> float:
    """Where full lines end: the median right end of the lines that reach
    within two characters of the rightmost one, not that one itself, because a
    justified line with much punctuation (squeezed) can run a character past
    the margin, and every soft wrap measured against it would be missed."""
    if not lines:
        return 0.0
    far = max(ln["x1"] for ln in lines)
    ends = sorted(ln["x1"] for ln in lines if ln["x1"] >= far - 2 * _size(ln))
    return ends[len(ends) // 2]


def _wraps_into(prev: dict, line: dict, left: float, right: float, gap: bool = True) -> bool:
    """True when `line` continues the paragraph of `prev` (a soft wrap, not a new paragraph)."""
    size = _size(prev)
    if line["x0"] > left + 0.5 * size:       # indented: a paragraph's first line
        return False
    if _ITEM_START.match(line["text"]):      # "2、", "（二）", "指标3：" start an item
        return False
    if prev["text"][-1:].isdigit() and line["text"][:1].isdigit():
        return False                         # a line breaker does not split a number
    if gap and line["top"] - prev["bottom"] > 1.2 * size:  # paragraph spacing
        return False
    # The first chunk of `line` (with a little slack) would not have fit after `prev`.
    return prev["x1"] + _first_chunk_width(line) > right - 0.3 * size


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and b[0].isascii() and a[-1].isalnum() and b[0].isalnum():
        return a + " " + b
    return a + b


def _join_wrapped(lines: list[dict], left: float, right: float) -> list[str]:
    paras: list[str] = []
    prev = None
    for line in lines:
        if prev is not None and _wraps_into(prev, line, left, right):
            paras[-1] = _join(paras[-1], line["text"])
        else:
            paras.append(line["text"])
        prev = line
    return paras


def _text_home(cell: _PdfCell) -> _PdfCell:
    while cell.origin is not None:
        cell = cell.origin
    return cell


def _rejoin_page_break(upper: list[_PdfCell], lower: list[_PdfCell], page_bottom: float) -> bool:
    """Give back to its cell the text a page break carried into the next page's first row.

    A cell is cut by the break when its box reaches the bottom of the table
    on its page, its text (two lines at least) fills the box, and the text
    on the next page goes on mid-sentence. A row all of whose text was cut
    is one row split in two: it is joined (its cells' paragraphs too) and True
    is returned, so the caller drops `lower`. Otherwise only the cut cells'
    text moves up (a vertically merged cell split by the break). One box of
    text (a one-cell row) goes on even where the break falls between its
    paragraphs. Header cells that happen to fill their width
    are not cut: they are one line, or centred rather than filled.
    """
    pairs = [(a, b) for b in lower for a in upper
             if abs(a.x0 - b.x0) <= _EDGE_TOL and abs(a.x1 - b.x1) <= _EDGE_TOL]
    homes = [_text_home(c) for c in upper]
    pads = [h.lines[0]["top"] - h.top for h in homes if h.lines]
    if not pairs or not pads:
        return False

    def cut(home: _PdfCell, lines: int, slack: float = 0.5) -> bool:
        return (len(home.lines) >= lines and abs(home.bottom - page_bottom) < 2
                and home.bottom - home.lines[-1]["bottom"] <= min(pads) + slack * _size(home.lines[-1]))

    def wraps(home: _PdfCell, b: _PdfCell) -> bool:
        return _wraps_into(home.lines[-1], b.lines[0], min(home.left, b.left), home.right, gap=False)

    texts = [(_text_home(a), b) for a, b in pairs if b.lines]
    if not texts:
        return False
    if len(upper) == len(lower) == len(pairs) == 1:
        home, b = texts[0]
        # Broken between paragraphs, the box may end up to a line short; a
        # box that opens with a label ("部门（单位）意见：") is a new one.
        whole = cut(home, 1) and wraps(home, b) or (
            cut(home, 2, slack=2.0) and not b.lines[0]["text"].rstrip().endswith(("：", ":")))
    else:
        # Every text goes on: mid-sentence, or after a paragraph of a long
        # cell; and at least one mid-sentence.
        whole = (len(pairs) == len(upper) == len(lower)
                 and all(cut(h, 1) and wraps(h, b) or cut(h, 2) for h, b in texts)
                 and any(cut(h, 1) and wraps(h, b) for h, b in texts))
    if whole:
        for home, b in texts:
            _merge_cells(home, b)
            b.origin = home
        return True
    for home, b in texts:
        # A figure on the next page is that row's own value, never the tail
        # of a label cut by the break ("人员支" / "出" above "909.85").
        if cut(home, 2) and wraps(home, b) and not _FIGURE.fullmatch(b.text.strip()):
            _merge_cells(home, b)
            b.lines, b.text, b.origin = [], "", home
    return False


_FIGURE = re.compile(r"[-+]?[\d,]*\.?\d+%?")


def _merge_cells(upper: _PdfCell, lower: _PdfCell) -> None:
    """Append `lower`'s text (the same cell on the next page) to `upper`."""
    if upper.lines and lower.lines:
        soft = _wraps_into(upper.lines[-1], lower.lines[0], min(upper.left, lower.left), upper.right,
                           gap=False)
        upper.text = _join(upper.text, lower.text) if soft else upper.text + "\n" + lower.text
    elif lower.lines:
        upper.text, upper.left, upper.right = lower.text, lower.left, lower.right
    upper.lines = upper.lines + lower.lines
    upper.bottom = lower.bottom  # where the (merged) cell now ends, for the next page break


def _pdf_assemble(doc: Document, pages: list[list]) -> None:
    """Page items -> rows: paragraphs rejoined across wraps and page breaks, split tables rejoined."""
    lines = [it[1] for items in pages for it in items if it[0] == "line"]
    left = min((ln["x0"] for ln in lines), default=0.0)
    right = _text_right_edge(lines)
    foot = max([ln["bottom"] for ln in lines] + [it[1].bottom for items in pages for it in items
                                                  if it[0] == "table"])
    out: list[list] = []   # ["p", text, last_line] | ["t", _PdfTable]
    for page_no, items in enumerate(pages):
        for k, item in enumerate(items):
            last = out[-1] if out else None
            if item[0] == "table":
                part: _PdfTable = item[1]
                prev: _PdfTable | None = last[1] if last is not None and last[0] == "t" else None
                if (k == 0 and page_no > 0 and prev is not None
                        and abs(prev.rows[0][0].x0 - part.rows[0][0].x0) < _EDGE_TOL
                        and abs(prev.rows[0][-1].x1 - part.rows[0][-1].x1) < _EDGE_TOL):
                    # The same table, continued on the next page; its last row
                    # may go on too, if it ran to the foot of the page.
                    rows = part.rows
                    at_foot = foot - prev.bottom < 20  # within two lines of the lowest text
                    if at_foot and _rejoin_page_break(prev.rows[-1], rows[0], prev.bottom):
                        rows = rows[1:]
                    prev.rows.extend(rows)
                    prev.bottom = part.bottom
                else:
                    out.append(["t", part])
                continue
            line = item[1]
            if last is not None and last[0] == "p":
                prev_line = last[2]
                # Across a page break the vertical gap means nothing.
                if _wraps_into(prev_line, line, left, right, gap=k > 0):
                    last[1] = _join(last[1], line["text"])
                    last[2] = line
                    continue
            out.append(["p", line["text"], line])
    for entry in out:
        if entry[0] == "p":
            doc.add_paragraph(entry[1])
        else:
            doc.add_table(_pdf_grid_rows(entry[1]))


def _pdf_grid_rows(table: _PdfTable) -> list[list[Cell]]:
    """Grid positions over the whole table (all its pages: one page may lack some column lines)."""
    edges = _dedupe_edges(sorted({c.x0 for row in table.rows for c in row}
                                 | {c.x1 for row in table.rows for c in row}))
    rows = []
    for row in table.rows:
        cells = []
        for c in row:
            col = _edge_index(edges, c.x0)
            cells.append(Cell(c.text, col, max(1, _edge_index(edges, c.x1) - col)))
        rows.append(cells)
    return rows


# ---------------------------------------------------------------------------
# The fast path: PDFium (pypdfium2) for the characters and the ruled lines
#
# pdfminer interprets content streams in Python: ~85% of a PDF's ~175 ms. PDFium
# (C++) gives the same characters and painted paths in a few ms; they are put in
# the very form pdfplumber gives them (boxes as pdfminer computes them: x from the
# advance, y from the baseline, the size and pdfminer's own font descent), so the
# table finder, the line grouping and everything after run unchanged. What the
# fast path does not model (rotated pages or text, shifted media boxes, curves,
# Type3 fonts, a font it cannot place, a file PDFium cannot open) goes the pdfminer
# way, whose refusals and messages stay the reference.

class _Decline(Exception):
    """The fast path cannot promise pdfminer's geometry for this file: take the pdfminer path."""


def _check_streams(data: bytes) -> None:
    """Refuse a flate stream (not an image) that inflates past MAX_STREAM_MB, as the pdfminer
    path does, before PDFium inflates it whole."""
    limit = MAX_STREAM_MB << 20
    pos = 0
    while True:
        pos = data.find(b"stream", pos)
        if pos < 0:
            return
        start = pos + 6
        pos = start
        if data[pos - 9:pos - 6] == b"end":
            continue
        if data[start:start + 2] == b"\r\n":
            start += 2
        elif data[start:start + 1] in (b"\n", b"\r"):
            start += 1
        else:
            continue
        head = data[max(0, data.rfind(b"obj", 0, pos - 6)):pos]
        if b"/Image" in head:  # pdfminer never inflates images either (a scan's page may be large)
            continue
        end = data.find(b"endstream", start)
        chunk = data[start:end if end >= 0 else len(data)]
        if chunk[:1] not in (b"\x78", b"\x08", b"\x18", b"\x28", b"\x38", b"\x48", b"\x58", b"\x68"):
            continue
        d = zlib.decompressobj()
        try:
            out = d.decompress(chunk, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit:
            raise ExtractError(stream_too_large())


def _pm_descent(font) -> float | None:
    """pdfminer's descent (per unit of font size) for a font dictionary read by pypdf."""
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return None
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        if subtype == "/Type0":
            return 0.0
        from pdfminer.fontmetrics import FONT_METRICS
        base = str(font.get("/BaseFont", ""))[1:]
        if subtype == "/Type1" and base in FONT_METRICS:
            descent = float(FONT_METRICS[base][0].get("Descent", 0))
        else:
            descent = 0.0
    else:
        descent = float(descriptor.get_object().get("/Descent", 0))
    return -abs(descent) * 0.001


_SUBSET = re.compile(r"^[A-Z]{6}\+")


def _font_descents(resources, out: dict, depth: int = 0) -> None:
    """BaseFont name -> pdfminer descent, for the fonts of a page and its forms."""
    if resources is None or depth > 4:
        return
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is not None:
        for ref in fonts.get_object().values():
            font = ref.get_object()
            name = _SUBSET.sub("", str(font.get("/BaseFont", ""))[1:])  # PDFium names it without
            descent = _pm_descent(font)
            if descent is None or out.get(name, descent) != descent:
                raise _Decline("font")
            out[name] = descent
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            x = ref.get_object()
            if x.get("/Subtype") == "/Form":
                _font_descents(x.get("/Resources"), out, depth + 1)


class _FastPage:
    """What _pdf_page_items and pdfplumber's table finder read of a page."""

    def __init__(self, number: int, width: float, height: float, chars: list, edges: list):
        self.page_number, self.width, self.height = number, width, height
        self.bbox = (0, 0, width, height)
        self.chars, self.edges = chars, edges


def _pdfium_pages(data: bytes) -> list[_FastPage]:
    import ctypes

    import pypdf
    import pypdfium2 as pdfium
    import pypdfium2.raw as R

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise _Decline("encrypted")
        shapes = [(p.mediabox, p.cropbox, p.get("/Rotate", 0)) for p in reader.pages]
    except _Decline:
        raise
    except Exception as exc:
        raise _Decline("pypdf") from exc
    try:
        doc = pdfium.PdfDocument(data)
    except Exception as exc:
        raise _Decline("pdfium") from exc
    out = []
    try:
        if len(doc) != len(shapes):
            raise _Decline("pages")
        matrix = R.FS_MATRIX()
        fx, fy = ctypes.c_float(), ctypes.c_float()
        name_buf = ctypes.create_string_buffer(256)
        api = _api()
        for index in range(len(doc)):
            mediabox, cropbox, rotate = shapes[index]
            if rotate or [float(v) for v in mediabox] != [float(v) for v in cropbox] \
                    or float(mediabox.left) != 0 or float(mediabox.bottom) != 0:
                raise _Decline("page box")
            width, height = float(mediabox.width), float(mediabox.height)
            descents: dict[str, float] = {}
            _font_descents(reader.pages[index].get("/Resources"), descents)
            page = doc[index]
            text = page.get_textpage()
            raw_page, raw_text = page.raw, text.raw
            n = R.FPDFText_CountChars(raw_text)
            if n > MAX_PAGE_CHARS:
                raise _Decline("dense")
            chars = _page_chars(R, api, raw_text, n, height, descents, matrix, name_buf)
            edges = _page_edges(R, raw_page, height, matrix, fx, fy)
            out.append(_FastPage(index + 1, width, height, chars, edges))
            text.close()
            page.close()
    finally:
        doc.close()
    return out


_API = None


def _api():
    """PDFium calls made per character, typed with plain pointers (pypdfium2's typed
    wrappers cost a pointer object per call)."""
    global _API
    if _API is None:
        import ctypes

        import pypdfium2.raw as R

        vp = ctypes.c_void_p

        def typed(function, restype, *argtypes):  # the same C function, another prototype
            return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, vp).value)

        _API = {
            "object": typed(R.FPDFText_GetTextObject, vp, vp, ctypes.c_int),
            "box": typed(R.FPDFText_GetLooseCharBox, ctypes.c_int, vp, ctypes.c_int, ctypes.POINTER(R.FS_RECTF)),
            "generated": typed(R.FPDFText_IsGenerated, ctypes.c_int, vp, ctypes.c_int),
            "unicode": typed(R.FPDFText_GetUnicode, ctypes.c_uint, vp, ctypes.c_int),
        }
    return _API


def _page_chars(R, api, raw_text, n: int, height: float, descents: dict, matrix, name_buf) -> list[dict]:
    """The page's characters as pdfplumber gives them: x0/x1 the advance, bottom the baseline
    less pdfminer's descent, top one font size above (the PDF's text objects give baseline and
    size: each is one run of upright text)."""
    import ctypes

    tp = ctypes.cast(raw_text, ctypes.c_void_p).value
    buf = (ctypes.c_ushort * (n + 1))()
    got = R.FPDFText_GetText(raw_text, 0, n, buf)
    units = bytes(buf)[:2 * max(0, got - 1)].decode("utf-16-le", "surrogatepass")
    if len(units) != n:  # characters outside the BMP: one call each
        units = "".join(chr(api["unicode"](tp, i)) for i in range(n))
    get_object, get_box, generated = api["object"], api["box"], api["generated"]
    rect = R.FS_RECTF()
    size_of = ctypes.c_float()
    objects: dict[int, tuple] = {}
    chars = []
    append = chars.append
    for i in range(n):
        u = units[i]
        if u in "\r\n \ufffe\x02" and generated(tp, i):
            continue
        obj = get_object(tp, i)
        info = objects.get(obj)
        if info is None:
            handle = ctypes.cast(obj, R.FPDF_PAGEOBJECT)
            R.FPDFPageObj_GetMatrix(handle, matrix)
            if not (matrix.b == 0 and matrix.c == 0 and matrix.a > 0 and matrix.d > 0):
                raise _Decline("rotated text")
            R.FPDFTextObj_GetFontSize(handle, size_of)
            size = size_of.value * matrix.d
            length = R.FPDFFont_GetBaseFontName(R.FPDFTextObj_GetFont(handle), name_buf, 256)
            name = _SUBSET.sub("", name_buf.raw[:max(0, length - 1)].decode("latin-1"))
            if name not in descents:
                raise _Decline("font name")
            bottom = height - (matrix.f + descents[name] * size)
            info = objects[obj] = (size, bottom, bottom - size)
        size, bottom, top = info
        get_box(tp, i, rect)
        x0, x1 = rect.left, rect.right
        append({"text": u, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "upright": True,
                "size": size, "height": size, "width": x1 - x0})
    return chars


def _page_edges(R, raw_page, height, matrix, fx, fy) -> list[dict]:
    from pdfplumber.utils import curve_to_edges, line_to_edge, rect_to_edges

    edges: list[dict] = []
    paths = 0

    def walk(count, get, outer):
        nonlocal paths
        for k in range(count):
            obj = get(k)
            kind = R.FPDFPageObj_GetType(obj)
            R.FPDFPageObj_GetMatrix(obj, matrix)
            m = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
            if outer is not None:  # inside a form: its matrix, then the form's
                a, b, c, d, e, f = m
                A, B, C, D, E, F = outer
                m = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
            if kind == R.FPDF_PAGEOBJ_TEXT and outer is not None:
                raise _Decline("text in a form")  # its matrix is the form's: not the page's baseline
            if kind == R.FPDF_PAGEOBJ_FORM:
                walk(R.FPDFFormObj_CountObjects(obj), lambda j, o=obj: R.FPDFFormObj_GetObject(o, j), m)
                continue
            if kind != R.FPDF_PAGEOBJ_PATH:
                continue
            paths += 1
            if paths > MAX_PAGE_PATHS:
                raise _Decline("dense")
            a, b, c, d, e, f = m
            shape, pts = "", []
            for s in range(R.FPDFPath_CountSegments(obj)):
                seg = R.FPDFPath_GetPathSegment(obj, s)
                t = R.FPDFPathSegment_GetType(seg)
                if t == R.FPDF_SEGMENT_BEZIERTO:
                    raise _Decline("curve")
                R.FPDFPathSegment_GetPoint(seg, fx, fy)
                x, y = fx.value, fy.value
                shape += "m" if t == R.FPDF_SEGMENT_MOVETO else "l"
                pts.append((a * x + c * y + e, b * x + d * y + f))
                if R.FPDFPathSegment_GetClose(seg):
                    shape += "h"
                    pts.append(None)
            for sub, sub_pts in _subpaths(shape, pts):
                edges.extend(_shape_edges(sub, sub_pts, height, curve_to_edges, line_to_edge, rect_to_edges))

    walk(R.FPDFPage_CountObjects(raw_page), lambda j: R.FPDFPage_GetObject(raw_page, j), None)
    return edges


def _subpaths(shape: str, pts: list):
    """pdfminer's split of a path at each moveto; 'h' points are the subpath's start."""
    start = 0
    for k in range(1, len(shape) + 1):
        if k == len(shape) or shape[k] == "m":
            sub, sub_pts = shape[start:k], pts[start:k]
            if sub.startswith("m"):
                yield sub, [p if p is not None else sub_pts[0] for p in sub_pts]
            start = k


def _shape_edges(shape, pts, height, curve_to_edges, line_to_edge, rect_to_edges) -> list[dict]:
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-2] + pts[-1:]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    box = {"x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": height - y1, "bottom": height - y0,
           "doctop": height - y1, "width": x1 - x0, "height": y1 - y0}
    if shape in ("mlh", "ml"):
        return [line_to_edge({**box, "object_type": "line"})]
    if shape in ("mlllh", "mllll"):
        (ax, ay), (bx, by), (cx, cy), (dx, dy), _ = pts
        if pts[0] == pts[4] and ((ax == bx and by == cy and cx == dx and dy == ay)
                                 or (ay == by and bx == cx and cy == dy and dx == ax)):
            return rect_to_edges({**box, "object_type": "rect"})
    curve = {**box, "object_type": "curve", "pts": [(x, height - y) for x, y in pts]}
    return curve_to_edges(curve)
