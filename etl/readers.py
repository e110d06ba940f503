"""Readers: the bytes of a submitted file -> a `Document` (rows of cells).

One function per format, chosen by `read_document` from the file's extension
and checked against its content (a .docx that is not a zip is refused with a
clear reason rather than parsed as garbage). Every failure is an
`ExtractError` whose message is the one line the user sees: Chinese, naming
what is wrong and, where it helps, what to do, with the technical detail in
brackets. The reasons the loader (etl/load.py) also gives before a file is
read (empty, too large, unreadable, inflating too far) are built here once.
"""
from __future__ import annotations

import bisect
import errno
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .config import Limits
from .document import DEMO_MARKER, Cell, Document, ExtractError

SUPPORTED = (".docx", ".doc", ".pdf", ".txt", ".html", ".htm")


def read_document(data: bytes, file_name: str, limits: Limits = Limits()) -> Document:
    """Dispatch on the extension; refuse empty and oversized input first."""
    if not data:
        raise ExtractError(EMPTY_FILE)
    if len(data) > limits.max_file_bytes:
        raise ExtractError(too_large(len(data), limits.max_file_mb))
    ext = ("." + file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else ""
    reader = _READERS.get(ext)
    if reader is None:
        raise ExtractError(f"不支持的文件类型（{ext or '无扩展名'}）：只能读取 {'、'.join(SUPPORTED)} 文件，"
                           "请另存为 Word 文档或 PDF 后再提交")
    return reader(data, limits)


# --- reasons shared with the loader -------------------------------------------

EMPTY_FILE = "空文件：文件没有任何内容"
_OS_REASONS = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
               errno.EISDIR: "这是文件夹，不是文件"}


def mb(n: int) -> str:
    return f"{n / 1048576:.1f}"


def too_large(size: int | None, limit_mb: float) -> str:
    """`size` None: only known to be over the limit (a bounded read stopped there)."""
    if size is None:
        return f"文件过大：超过上限 {limit_mb:g} MB"
    return f"文件过大：{mb(size)} MB，超过上限 {limit_mb:g} MB"


def inflate_refused(size: int, limit_mb: float) -> str:
    return f"压缩包解压后将达 {mb(size)} MB，超过上限 {limit_mb:g} MB，已拒绝（未解压）"


def zip_bomb(size: int, packed: int, member: str | None = None) -> str:
    where = f"{member} " if member else ""
    return (f"疑似压缩炸弹：{where}压缩比 {size // max(packed, 1)}:1，"
            f"解压后将达 {mb(size)} MB，已拒绝（未解压）")


def cannot_read(exc: OSError) -> str:
    """An OS error opening or reading a file, in words, with the system's own in brackets."""
    what = _OS_REASONS.get(getattr(exc, "errno", None))
    detail = getattr(exc, "strerror", None) or _one_line(exc)
    return f"无法读取文件：{what}（{detail}）" if what else f"无法读取文件（{detail}）"


# --- text dumps -------------------------------------------------------------

# Words every report uses, in both scripts: which of two decodings reads as a report.
_REPORT_WORDS = re.compile("的|年度|支出|单位|單位|部门|部門|绩效|績效|万元|萬元|预算|預算|项目|項目|情况|情況")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312),
    else Big5 (繁体 copies saved from Taiwan/Hong Kong sites). Big5 bytes
    usually decode as GB18030 too, into nonsense, so when both decode the one
    with more of the words every report uses wins."""
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


# --- shared -------------------------------------------------------------------

def _pipe_cells(line: str) -> list[str]:
    """"|a||b|" -> ["a", "", "b"]: one border pipe off each end, empty cells kept."""
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return line.split("|")


def _take_demo_marker(doc: Document) -> None:
    """A generated demo document says so in its first lines: note it, drop the marker.

    Looked for in the first few rows only: a web page may put its site header
    before it.
    """
    for i, row in enumerate(doc.rows[:10]):
        if len(row.cells) == 1 and DEMO_MARKER in row.cells[0].text:
            doc.demo = True
            rest = row.cells[0].text.replace(DEMO_MARKER, "", 1).strip()
            if rest:
                row.cells[0].text = rest
            else:
                del doc.rows[i]
            return


def _xml_parser():
    # Word never needs a DTD or the network: entities stay unexpanded (and
    # libxml2 refuses an exponential "billion laughs" outright). A parser is
    # not thread-safe and costs a microsecond to make, so each call gets one.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


# --- .docx --------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # Word 97-2003 (.doc) container
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_CORE_CATEGORY = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}category"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAX_RATIO = 200            # deflate of real Word XML stays far below this ...
_RATIO_MIN_BYTES = 10 << 20  # ... so a member that also inflates to > 10 MB is a bomb
_DOCX = "Word 文档（.docx）"  # what a damaged package is called in reasons


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
        if i.file_size > _RATIO_MIN_BYTES and i.file_size > _MAX_RATIO * max(i.compress_size, 1):
            raise ExtractError(zip_bomb(i.file_size, i.compress_size, i.filename))
    return zf


def _read_member(zf: zipfile.ZipFile, name: str, limits: Limits, what: str) -> bytes:
    """A member's bytes, never more than the inflate limit (the declared size may lie)."""
    budget = limits.max_inflated_bytes
    try:
        with zf.open(name) as f:
            raw = f.read(budget + 1)
    except RuntimeError as exc:  # zipfile's "encrypted, password required"
        raise ExtractError(f"{what}已加密：请去掉密码后重新提交") from exc
    except NotImplementedError as exc:
        raise ExtractError(f"{what}已损坏：{name} 使用了不支持的压缩方式（{_one_line(exc)}）") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ExtractError(f"{what}已损坏：无法解压 {name}（{_one_line(exc)}）") from exc
    if len(raw) > budget:
        # The declared size lied: stopped after reading just over the limit.
        raise ExtractError(f"压缩包解压后超过上限 {limits.max_inflated_mb:g} MB，已停止解压并拒绝")
    return raw


def _parse_xml(raw: bytes, name: str, what: str):
    try:
        return etree.fromstring(raw, _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ExtractError(f"{what}已损坏：{name} 不是格式正确的 XML"
                           f"（{getattr(exc, 'msg', None) or exc}）") from exc


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
    if data.startswith(_OLE_MAGIC):
        # A Word 97-2003 file saved with the wrong extension: read it as one.
        return read_doc(data, limits)
    zf = _open_zip(data, limits, _DOCX)
    part = _main_part(zf, limits)
    raw = _read_member(zf, part, limits, _DOCX)
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
    _take_demo_marker(doc)
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


# --- .doc ---------------------------------------------------------------------

_NO_SOFFICE = ".doc 文件需要 LibreOffice 转换：请安装 apt-get install -y libreoffice-writer-nogui"


def read_doc(data: bytes, limits: Limits = Limits()) -> Document:
    """A Word 97-2003 file, converted to .docx by LibreOffice headless and read as one.

    Files named .doc are often something else: a .docx, an RTF or a web page
    saved by Word; the content decides, not the name.
    """
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"PK"):
        doc = read_docx(data, limits)
    elif data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data[:1 << 20]:
            raise ExtractError("Word 文档已加密：请去掉密码后重新提交")
        doc = read_docx(_libreoffice_to_docx(data, ".doc", limits), limits)
    elif head.startswith(b"{\\rtf"):
        doc = read_docx(_libreoffice_to_docx(data, ".rtf", limits), limits)
    elif head.startswith(b"<?xml") and b"word.document" in head:
        doc = read_docx(_libreoffice_to_docx(data, ".xml", limits), limits)  # Word 2003 XML
    elif head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta")):
        doc = read_html(data, limits)
    else:
        raise ExtractError("不是 Word 文档：无法识别这个 .doc 文件的内容，可能已损坏或扩展名有误")
    doc.format = "doc"
    return doc


def _libreoffice_to_docx(data: bytes, suffix: str, limits: Limits) -> bytes:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise ExtractError(_NO_SOFFICE)
    with tempfile.TemporaryDirectory(prefix="etl-lo-") as tmp:
        tmp_path = Path(tmp)
        src = tmp_path / f"input{suffix}"
        src.write_bytes(data)
        out_dir = tmp_path / "out"
        # A private profile per call: two conversions at once must not share
        # (and lock) one user installation.
        cmd = [exe, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
               "--headless", "--norestore", "--nologo", "--nolockcheck", "--nodefault",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(src)]
        # Same process group as the caller: the extract pool kills a worker's
        # group when a file runs out of time, and that must reach soffice too.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=tmp)
        # A little under the file's own limit, so that this clear reason wins.
        timeout = max(1.0, 0.9 * limits.timeout_s)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc.pid)
            proc.communicate()
            raise ExtractError(f".doc 文件转换超时：LibreOffice 在 {timeout:g} 秒内未完成转换，已中止") from None
        result = out_dir / "input.docx"
        if not result.is_file():
            detail = err.decode("utf-8", "replace").strip().splitlines()
            raise ExtractError("LibreOffice 无法转换这个 .doc 文件，可能已损坏，请另存为 .docx 后再提交"
                               + (f"（{detail[-1][:200]}）" if detail else ""))
        return result.read_bytes()


def _kill_tree(pid: int) -> None:
    """SIGKILL a process and its descendants (soffice is a wrapper that starts soffice.bin)."""
    pids, i = [pid], 0
    while i < len(pids):
        try:
            for task in os.listdir(f"/proc/{pids[i]}/task"):
                with open(f"/proc/{pids[i]}/task/{task}/children") as f:
                    pids.extend(int(child) for child in f.read().split())
        except (OSError, ValueError):
            pass
        i += 1
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


# --- .html --------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_GB_NAMES = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "gb18030", "euc-cn", "csgb2312"}
_HTML_SKIP = frozenset("script style noscript template head title iframe object embed svg "
                       "select option button textarea input map canvas audio video".split())
_HTML_BLOCK = frozenset("p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header "
                        "footer nav aside main blockquote pre form fieldset legend address "
                        "figure figcaption center hr caption body html tr td th thead tbody "
                        "tfoot details summary menu".split())
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
    text = _decode_html(data)
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              no_network=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractError(f"无法读取网页（HTML）文件（{_one_line(exc)}）") from exc
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
    _take_demo_marker(doc)
    return doc


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
                rowspan = _html_span(td.get("rowspan"), len(tds) - i)
                if td.get("rowspan", "").strip() == "0":
                    rowspan = len(tds) - i  # HTML: to the end of the table
                cells.append(Cell(_html_cell_text(td), col, colspan))
                if rowspan > 1:
                    pending[col] = [rowspan - 1, colspan]
                col += colspan
            continuations(float("inf"))
            if cells:
                rows.append(cells)
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


# --- .pdf ---------------------------------------------------------------------

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
    import pdfplumber  # only PDFs pay for importing pdfminer
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer signals trouble with many exception types
        cause = exc.__cause__ or (exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc)
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise ExtractError("PDF 已加密：需要密码才能打开，请去掉密码后重新提交") from exc
        raise ExtractError(_DAMAGED_PDF.format(_one_line(cause))) from exc
    pages = []
    try:
        with pdf:
            for page in pdf.pages:
                pages.append(_pdf_page_items(page))
                page.close()  # pdfplumber keeps every parsed page otherwise
    except Exception as exc:
        raise ExtractError(_DAMAGED_PDF.format(_one_line(exc))) from exc
    if not any(has_text for _, has_text in pages):
        raise ExtractError("扫描版 PDF：没有文字层，无法读取，请提交 Word 版或带文字的 PDF")
    doc = Document(format="pdf")
    blank = [str(i + 1) for i, (_, has_text) in enumerate(pages) if not has_text]
    if blank:
        doc.warnings.append(f"PDF 第 {'、'.join(blank)} 页没有文字层（可能是扫描页），这些页的内容未读取")
    try:
        _pdf_assemble(doc, _without_running_lines([items for items, _ in pages]))
    except (ValueError, IndexError, KeyError, TypeError) as exc:  # a layout no rule foresaw
        raise ExtractError(f"PDF 版式无法识别，请提交 Word 版（{_one_line(exc)}）") from exc
    _take_demo_marker(doc)
    return doc


_DAMAGED_PDF = "PDF 文件已损坏，无法打开（{}）"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _pdf_page_items(page):
    """(items, has_text): ("line", dict) and ("table", _PdfTable) in top-to-bottom order."""
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

    finder = page.debug_tablefinder()
    found = [t.cells for t in finder.tables]
    in_tables = {c for cells in found for c in cells}
    for cell in finder.cells:
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


def _pdf_lines(chars) -> list[dict]:
    if not chars:
        return []
    from pdfplumber.utils.text import chars_to_textmap
    return chars_to_textmap(chars, x_tolerance_ratio=0.3).extract_text_lines(strip=True, return_chars=True)


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


_READERS = {
    ".txt": read_txt,
    ".docx": read_docx,
    ".doc": read_doc,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
}

_WS = re.compile(r"\s+")
