"""Readers: the bytes of a submitted file -> a `Document` (rows of cells).

One module per format, chosen by `read_document` from the file's extension
and checked against its content (a .docx that is not a zip is refused with a
clear reason rather than parsed as garbage):

    txt.py     text dumps, UTF-8 / GB18030 / Big5
    docx.py    Word documents, from the package XML
    doc.py     Word 97-2003 (and RTF, Word XML), converted by LibreOffice (office.py)
    html.py    web pages
    pdf.py     PDFs with a text layer

Every failure is an `ExtractError` whose message is the one line the user
sees: Chinese, naming what is wrong and, where it helps, what to do, with the
technical detail in brackets. The reasons the loader (etl/load.py) also gives
before a file is read (empty, too large, unreadable, inflating too far) are
built once, in common.py.
"""
from __future__ import annotations

from ..config import REPORT_EXTENSIONS, Limits
from ..document import Document, ExtractError
from .common import EMPTY_FILE, cannot_read, inflate_refused, mb, too_large, zip_bomb
from .doc import read_doc
from .docx import read_docx
from .html import read_html
from .pdf import read_pdf
from .txt import decode_text, read_txt

__all__ = ["read_document", "read_txt", "read_docx", "read_doc", "read_html", "read_pdf", "decode_text",
           "EMPTY_FILE", "cannot_read", "inflate_refused", "mb", "too_large", "zip_bomb"]

_READERS = {
    ".txt": read_txt,
    ".docx": read_docx,
    ".doc": read_doc,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
}
# Paragraphs and table rows of one document: a long report has a few
# thousand; the extractor's time grows with them (40k paragraphs took 5-8 s),
# so a document with more is refused once read, before it is searched.
MAX_ROWS = 20_000

assert set(_READERS) == set(REPORT_EXTENSIONS), "a reader for every extension of etl.config.REPORT_EXTENSIONS"


def read_document(data: bytes, file_name: str, limits: Limits = Limits()) -> Document:
    """Dispatch on the extension; refuse empty and oversized input first."""
    if not data:
        raise ExtractError(EMPTY_FILE)
    if len(data) > limits.max_file_bytes:
        raise ExtractError(too_large(len(data), limits.max_file_mb))
    ext = ("." + file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else ""
    reader = _READERS.get(ext)
    if reader is None:
        raise ExtractError(f"不支持的文件类型（{ext or '无扩展名'}）：只能读取 {'、'.join(REPORT_EXTENSIONS)} 文件，"
                           "请另存为 Word 文档或 PDF 后再提交")
    doc = reader(data, limits)
    if len(doc.rows) > MAX_ROWS:
        raise ExtractError(f"文档长达 {len(doc.rows)} 段（段落和表格行），超过上限 {MAX_ROWS // 10000} 万段，"
                           "不像一份自评报告（可能是多份报告合在一个文件里），已拒绝")
    return doc
