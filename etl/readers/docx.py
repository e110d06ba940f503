"""Word documents (.docx): paragraphs and real tables, merged cells included,
read from the package's XML with zipfile + lxml."""
from __future__ import annotations

import io
import zipfile
import zlib

from lxml import etree

from ..config import BOMB_MIN_BYTES_DOCX, Limits, looks_like_zip_bomb
from ..document import DEMO_MARKER, Cell, Document, ExtractError, one_line
from .common import inflate_refused, mb, take_demo_marker, zip_bomb

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # Word 97-2003 (.doc) container
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_CORE_CATEGORY = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}category"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DOCX = "Word 文档（.docx）"  # what a damaged package is called in reasons
# The main part's XML, inflated: a long real report's word/document.xml is a
# few MB (pictures are parts of their own). Parsing and reading take about
# 0.6 s and 10 MB per MB of it: 190 MB ran the worker past 1 GB, 60 MB took
# 37 s. Past the bound it is refused before inflating.
MAX_MAIN_PART_MB = 16


def _xml_parser():
    # Word never needs a DTD or the network: entities stay unexpanded (and
    # libxml2 refuses an exponential "billion laughs" outright). A parser is
    # not thread-safe and costs a microsecond to make, so each call gets one.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class _W:
    """Qualified WordprocessingML tag names for one namespace (transitional or strict)."""

    def __init__(self, ns: str):
        q = lambda name: f"{{{ns}}}{name}"  # noqa: E731
        for name in ("body", "p", "r", "t", "tab", "br", "cr", "noBreakHyphen", "tbl",
                     "tr", "tc", "trPr", "tcPr", "gridSpan", "gridBefore", "vMerge",
                     "hMerge", "sdt", "sdtContent", "customXml", "smartTag", "moveFrom", "val"):
            setattr(self, name, q(name))
        self.del_ = q("del")
        self.ins = q("ins")
        # Elements that only wrap blocks, rows or cells: look through them.
        self.wrappers = frozenset((self.customXml, self.smartTag, self.ins,
                                   f"{{{_MC}}}AlternateContent", f"{{{_MC}}}Choice"))


_W_NS = {ns: _W(ns) for ns in ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                               "http://purl.oclc.org/ooxml/wordprocessingml/main")}


def _open_zip(data: bytes, limits: Limits, what: str) -> zipfile.ZipFile:
    """Open an OOXML package, refusing what is not a zip, is damaged, or would inflate too far."""
    if not data.startswith(b"PK"):
        raise ExtractError(f"不是有效的 {what}：文件不是 zip 压缩包，可能已损坏或扩展名有误")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise ExtractError(f"{what}已损坏：zip 压缩包不完整或已损坏") from exc
    total = sum(i.file_size for i in infos)
    if total > limits.max_inflated_bytes:
        raise ExtractError(inflate_refused(total, limits.max_inflated_mb))
    for i in infos:
        if looks_like_zip_bomb(i.file_size, i.compress_size, BOMB_MIN_BYTES_DOCX):
            raise ExtractError(zip_bomb(i.file_size, i.compress_size, i.filename))
    return zf


def _read_member(zf: zipfile.ZipFile, name: str, limits: Limits, what: str, budget: int | None = None) -> bytes:
    """A member's bytes, never more than `budget` (default: the inflate limit; the declared size may lie)."""
    budget = limits.max_inflated_bytes if budget is None else budget
    try:
        with zf.open(name) as f:
            raw = f.read(budget + 1)
    except RuntimeError as exc:  # zipfile's "encrypted, password required"
        raise ExtractError(f"{what}已加密：请去掉密码后重新提交") from exc
    except NotImplementedError as exc:
        raise ExtractError(f"{what}已损坏：{name} 使用了不支持的压缩方式（{one_line(exc)}）") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ExtractError(f"{what}已损坏：无法解压 {name}（{one_line(exc)}）") from exc
    if len(raw) > budget:
        # The declared size lied: stopped after reading just over the limit.
        raise ExtractError(f"压缩包解压后超过上限 {budget / 1048576:g} MB，已停止解压并拒绝")
    return raw


def main_part_too_large(size: int) -> str:
    return (f"Word 文档的正文（word/document.xml）解压后达 {mb(size)} MB，超过上限 {MAX_MAIN_PART_MB} MB"
            "（自评报告的正文通常不到 5 MB），不像自评报告，已拒绝（未解析）")


def _parse_xml(raw: bytes, name: str, what: str):
    try:
        return etree.fromstring(raw, _xml_parser())
    except etree.XMLSyntaxError as exc:
        if exc.code == etree.ErrorTypes.ERR_NO_MEMORY:  # libxml2 past the worker's cap: "unknown error"
            raise MemoryError(name) from exc
        raise ExtractError(f"{what}已损坏：{name} 不是格式正确的 XML"
                           f"（{one_line(getattr(exc, 'msg', None) or exc)}）") from exc


def _main_part(zf: zipfile.ZipFile, limits: Limits) -> str:
    """word/document.xml, or else the main part the package relationships name."""
    names = set(zf.namelist())
    if "word/document.xml" in names:
        return "word/document.xml"
    if "_rels/.rels" in names:
        try:
            rels = etree.fromstring(_read_member(zf, "_rels/.rels", limits, _DOCX), _xml_parser())
            for rel in rels.iter(_REL_NS):
                if rel.get("Type", "").endswith("/officeDocument"):
                    target = rel.get("Target", "").lstrip("/")
                    if target in names:
                        return target
        except (etree.XMLSyntaxError, ExtractError):
            pass  # no usable relationships: not a Word document, said below
    kind = ("，这是 Excel 工作簿，请提交 Word 版报告" if "xl/workbook.xml" in names else
            "，这是 PowerPoint 演示文稿，请提交 Word 版报告" if "ppt/presentation.xml" in names else "")
    raise ExtractError(f"不是 Word 文档：压缩包中没有正文部分（word/document.xml）{kind}")


def read_docx(data: bytes, limits: Limits = Limits()) -> Document:
    """Read Word's own structure: paragraphs and real tables, merged cells included.

    Parsed with zipfile + lxml directly (python-docx builds an object per
    element and is several times slower). Body order is kept; content controls
    and custom XML are looked through; tracked deletions are left out and
    insertions kept (the text as Word shows it with changes accepted).
    """
    if data.startswith(OLE_MAGIC):
        # A Word 97-2003 file saved with the wrong extension: read it as one.
        from .doc import read_doc  # here: .doc reads its converted copy with read_docx
        return read_doc(data, limits)
    zf = _open_zip(data, limits, _DOCX)
    part = _main_part(zf, limits)
    declared = zf.getinfo(part).file_size
    if declared > MAX_MAIN_PART_MB << 20:
        raise ExtractError(main_part_too_large(declared))
    raw = _read_member(zf, part, limits, _DOCX, budget=MAX_MAIN_PART_MB << 20)
    root = _parse_xml(raw, part, _DOCX)
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    w = _W_NS.get(ns)
    body = next(root.iterchildren(w.body), None) if w is not None else None
    if body is None:
        raise ExtractError(f"不是 Word 文档：{part} 中没有正文（document body）")
    if b"Fallback" in raw or b"moveFrom" in raw:
        # Fallback copies of text boxes would double their text; moved-away
        # text reappears at its destination.
        etree.strip_elements(body, f"{{{_MC}}}Fallback", w.moveFrom, with_tail=False)

    doc = Document(format="docx")
    for kind, item in _docx_blocks(body, w):
        if kind == "p":
            text = "".join(item)
            if text.strip():
                doc.add_paragraph(text)
        elif item.rows:
            doc.add_table(item.grid())
    if "docProps/core.xml" in zf.namelist():
        core_raw = _read_member(zf, "docProps/core.xml", limits, _DOCX)
        if DEMO_MARKER.encode("utf-8") in core_raw:  # parse only when it can matter
            try:
                category = next(etree.fromstring(core_raw, _xml_parser()).iter(_CORE_CATEGORY), None)
                if category is not None and (category.text or "").strip() == DEMO_MARKER:
                    doc.demo = True
            except etree.XMLSyntaxError:
                doc.warnings.append("文档属性（docProps/core.xml）不是格式正确的 XML，已忽略")
    take_demo_marker(doc)
    return doc


class _DocxCell:
    __slots__ = ("parts", "span", "v_cont", "h_cont")

    def __init__(self):
        self.parts: list = []      # paragraphs (lists of text pieces) and nested tables
        self.span, self.v_cont, self.h_cont = 1, False, False

    def text(self) -> str:
        parts = self.parts
        if len(parts) == 1 and type(parts[0]) is list:  # the usual cell: one paragraph
            return "".join(parts[0]).strip("\n")
        lines = []
        for part in parts:
            if isinstance(part, list):
                lines.append("".join(part))
            else:  # a nested table, flattened: one line per row, cells split by TAB
                lines.extend("\t".join(c.text for c in row) for row in part.grid())
        return "\n".join(lines).strip("\n")


class _DocxRow:
    __slots__ = ("cells", "before", "deleted")

    def __init__(self):
        self.cells: list[_DocxCell] = []
        self.before, self.deleted = 0, False


class _DocxTable:
    __slots__ = ("rows",)

    def __init__(self):
        self.rows: list[_DocxRow] = []

    def grid(self) -> list[list[Cell]]:
        out = []
        for row in self.rows:
            if row.deleted:
                continue  # a row deleted with tracked changes
            cells: list[Cell] = []
            col = row.before
            for c in row.cells:
                if c.h_cont and cells:
                    cells[-1].span += c.span  # legacy horizontal merge (old converted files)
                else:
                    # A vertically merged cell's continuation is an empty cell.
                    cells.append(Cell("" if c.v_cont else c.text(), col, c.span))
                col += c.span
            if cells:
                out.append(cells)
        return out


def _docx_blocks(body, w: _W) -> list[tuple[str, object]]:
    """The body's paragraphs (text pieces) and tables, from one pass in document order.

    Walking the tree element by element from Python costs more than parsing
    it, so a single C-level iteration yields just the elements that matter and
    each is attached to its paragraph, cell, row or table through its parent.
    """
    P, T, TC, TR, TBL, DEL = w.p, w.t, w.tc, w.tr, w.tbl, w.del_
    looked_through = {w.sdt, w.sdtContent, *w.wrappers}
    blocks: list[tuple[str, object]] = []
    records: dict = {}   # tbl/tr/tc element -> its _DocxTable/_DocxRow/_DocxCell
    parts: list[str] = []

    def owner(el, wanted):
        """The nearest enclosing element with tag in `wanted`, through content controls only."""
        node = el.getparent()
        while node is not None:
            tag = node.tag
            if tag in wanted:
                return node
            if tag not in looked_through:
                return None  # e.g. a paragraph in a text box inside another paragraph
            node = node.getparent()
        return None

    BODY, TC_OR_BODY = w.body, (TC, w.body)
    for el in body.iter(T, P, w.tab, w.br, w.cr, w.noBreakHyphen, TC, TR, TBL,
                        w.gridSpan, w.vMerge, w.hMerge, w.gridBefore, DEL):
        tag = el.tag
        if tag == T:
            text = el.text
            if text:
                parts.append(text)
        elif tag == P:
            home = el.getparent()
            home_tag = home.tag
            if home_tag != TC and home_tag != BODY:
                home = owner(el, TC_OR_BODY)
                if home is None:
                    continue  # a text box's text stays with the paragraph around it
                home_tag = home.tag
            parts = []
            if home_tag == TC:
                cell = records.get(home)
                if cell is not None:
                    cell.parts.append(parts)
            else:
                blocks.append(("p", parts))
        elif tag == TC:
            cell = records[el] = _DocxCell()
            row = records.get(el.getparent())
            if not isinstance(row, _DocxRow):  # a cell inside a content control
                row = records.get(owner(el, (TR,)))
            if isinstance(row, _DocxRow):
                row.cells.append(cell)
        elif tag == TR:
            row = records[el] = _DocxRow()
            table = records.get(owner(el, (TBL,)))
            if isinstance(table, _DocxTable):
                table.rows.append(row)
        elif tag == TBL:
            table = records[el] = _DocxTable()
            home = owner(el, TC_OR_BODY)
            if home is not None and home.tag == TC:
                cell = records.get(home)
                if cell is not None:
                    cell.parts.append(table)
            elif home is not None:
                blocks.append(("t", table))
        elif tag == DEL:
            holder = el.getparent()
            if holder.tag == w.trPr:
                row = records.get(holder.getparent())
                if isinstance(row, _DocxRow):
                    row.deleted = True
        elif tag == w.gridBefore:
            row = records.get(el.getparent().getparent())   # trPr -> tr
            if isinstance(row, _DocxRow):
                row.before = _int_val(el, w, 0)
        elif tag == w.gridSpan or tag == w.vMerge or tag == w.hMerge:
            cell = records.get(el.getparent().getparent())  # tcPr -> tc
            if not isinstance(cell, _DocxCell):
                continue
            if tag == w.gridSpan:
                cell.span = max(1, _int_val(el, w, 1))
            elif tag == w.vMerge:
                cell.v_cont = el.get(w.val) != "restart"
            else:
                cell.h_cont = el.get(w.val) != "restart"
        else:  # tab, br, cr, noBreakHyphen
            run = el.getparent()
            # A w:tab outside a run is a tab-stop definition; runs in w:del are deleted text.
            if run.tag == w.r and run.getparent().tag != DEL:
                parts.append("\t" if tag == w.tab else "-" if tag == w.noBreakHyphen else "\n")
    return blocks


def _int_val(el, w, default: int) -> int:
    """A w:val count (span, grid columns before), kept within what Word allows (63 columns)."""
    try:
        return min(max(0, int(el.get(w.val, default))), 64)
    except ValueError:
        return default
