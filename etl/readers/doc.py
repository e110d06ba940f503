"""Word 97-2003 documents (.doc), converted to .docx by LibreOffice headless
(etl/readers/office.py) and read as one. Files named .doc are often something
else (a .docx, an RTF or a web page saved by Word): the content decides."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from ..config import Limits
from ..document import Document, ExtractError, one_line
from . import office
from .docx import OLE_MAGIC, read_docx
from .html import read_html

_NO_SOFFICE = f".doc 文件需要 LibreOffice 转换：{office.INSTALL_HINT}"


def read_doc(data: bytes, limits: Limits = Limits()) -> Document:
    """A Word 97-2003 file, converted to .docx by LibreOffice headless and read as one.

    Files named .doc are often something else: a .docx, an RTF or a web page
    saved by Word; the content decides, not the name.
    """
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"PK"):
        doc = read_docx(data, limits)
    elif data.startswith(OLE_MAGIC):
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
    # A little under the file's own limit, so that this clear reason wins.
    timeout = max(1.0, 0.9 * limits.timeout_s)
    with tempfile.TemporaryDirectory(prefix="etl-doc-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        out_dir = Path(tmp) / "out"
        try:
            err = office.convert([src], "docx:MS Word 2007 XML", out_dir, timeout)
        except office.LibreOfficeMissing:
            raise ExtractError(_NO_SOFFICE) from None
        except subprocess.TimeoutExpired:
            raise ExtractError(f".doc 文件转换超时：LibreOffice 在 {timeout:g} 秒内未完成转换，已中止") from None
        result = out_dir / "input.docx"
        if not result.is_file():
            detail = err.strip().splitlines()
            raise ExtractError("LibreOffice 无法转换这个 .doc 文件，可能已损坏，请另存为 .docx 后再提交"
                               + (f"（{one_line(detail[-1])}）" if detail else ""))
        return result.read_bytes()
