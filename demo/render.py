"""Render a report record into the bureau's template: .docx, .txt, .html, .pdf, .doc.

The inverse of the extractor, used to build test documents and the demo
district (demo/generate.py). One layout (`layout()`: paragraphs and grid tables
with merged cells, demo/blocks.py, shaped like 岳阳市云溪区's Word template by
demo/template.py, see ../shared/seeds/) is drawn by three writers:

- `.docx`: real Word tables (`w:gridSpan`, `w:vMerge`) inside a python-docx
  document; the demo marker is the first paragraph and the core property
  `category`;
- `.txt`: Word's text-export style of the seed (every cell on a line that
  starts with a TAB, a blank line after each row, a vertically merged
  continuation as an empty cell, a wrapped label as "\\n\\n" inside the cell);
- `.html`: a page as saved from a government site (colspan/rowspan);
- `.pdf` / `.doc`: the .docx converted by LibreOffice headless (`convert()`).

`RenderOptions` adds the mess real reports have (元 instead of 万元, thousands
separators, full-width digits, wrapped labels, merged indicator cells, a
missing section). Whatever is rendered can be read back exactly:
`demo.expected.expected_record()` gives the record an exact extractor must
return for the rendered bytes, its warnings aside.

`RenderOptions(prose=ProseStyle(...))` writes the record as the other family
instead: a Hunan prose report (demo/prose.py), .docx or .txt, paragraphs only.
"""
from __future__ import annotations

import functools
import html
import io
import re
import subprocess
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from etl.document import DEMO_MARKER
from etl.readers import office

from .blocks import FORMATS, PROSE_FORMATS, Para, RenderOptions, Table
from .prose import prose_doc
from .template import template_blocks


def layout(record: dict, opts: RenderOptions = RenderOptions()) -> list[Para | Table]:
    """The document as paragraphs and grid tables, in reading order."""
    if opts.prose is not None:
        return prose_doc(record, opts).paras
    return template_blocks(record, opts)


# --- writers ---------------------------------------------------------------

def render(record: dict, fmt: str, opts: RenderOptions = RenderOptions()) -> bytes:
    """The document's bytes in `fmt` (one of FORMATS)."""
    if fmt == "docx":
        return render_docx(record, opts)
    if fmt == "txt":
        return render_txt(record, opts)
    if fmt == "html":
        return render_html(record, opts)
    if fmt in ("pdf", "doc"):
        with tempfile.TemporaryDirectory(prefix="render-") as tmp:
            src = Path(tmp) / "report.docx"
            src.write_bytes(render_docx(record, opts))
            out = convert([src], fmt, Path(tmp) / "out")[0]
            return out.read_bytes()
    raise ValueError(f"unknown format {fmt!r}: expected one of {FORMATS}")


def render_txt(record: dict, opts: RenderOptions = RenderOptions()) -> bytes:
    """The seed's dump style: TAB-led cells, a blank line after each row."""
    lines: list[str] = []
    for block in layout(record, opts):
        if isinstance(block, Para):
            if block.text == DEMO_MARKER:
                lines.append(block.text)
                continue
            lines.append(block.lead + block.text + block.trail)
            if block.gap:
                lines.append("")
            continue
        for row in block.rows:
            for cell in row:
                lines.append("\t" + cell.sep.join(cell.paras))
            lines.append("")
    return ("\n".join(lines) + "\n").encode(opts.encoding)


def _x(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_RPR = '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体"/>'


def _p_xml(text: str, align: str | None = None, bold: bool = False, size: int | None = None) -> str:
    ppr = f'<w:pPr><w:jc w:val="{align}"/></w:pPr>' if align else ""
    if not text:
        return f"<w:p>{ppr}</w:p>"
    rpr = _RPR + ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else "")
    return f'<w:p>{ppr}<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{_x(text)}</w:t></w:r></w:p>'


def _tbl_xml(t: Table) -> str:
    border = "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [f'<w:tbl><w:tblPr><w:tblW w:w="{sum(t.widths)}" w:type="dxa"/><w:tblBorders>{border}</w:tblBorders>'
           '<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>',
           "".join(f'<w:gridCol w:w="{w}"/>' for w in t.widths), "</w:tblGrid>"]
    for row in t.rows:
        # Short rows never break across pages (long text rows must, or Word would clip them).
        short = sum(len(p) for c in row for p in c.paras) < 300
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" if short else "<w:tr>")
        col = 0
        for c in row:
            w = sum(t.widths[col:col + c.span])
            pr = f'<w:tcW w:w="{w}" w:type="dxa"/>'
            if c.span > 1:
                pr += f'<w:gridSpan w:val="{c.span}"/>'
            if c.vmerge == "restart":
                pr += '<w:vMerge w:val="restart"/>'
            elif c.vmerge == "continue":
                pr += "<w:vMerge/>"
            pr += '<w:vAlign w:val="center"/>'
            body = "".join(_p_xml(p, bold=c.bold) for p in c.paras) or "<w:p/>"
            out.append(f"<w:tc><w:tcPr>{pr}</w:tcPr>{body}</w:tc>")
            col += c.span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


_MIN_STYLES = (  # Word's defaults for a Chinese government document: 宋体 五号, no spacing
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" '
    'w:eastAsia="宋体" w:cs="Times New Roman"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" '
    'w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/>'
    '<w:uiPriority w:val="1"/><w:semiHidden/></w:style>'
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/>'
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" '
    'w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    '</w:styles>')


@functools.lru_cache(maxsize=1)
def _docx_base() -> tuple[tuple[tuple[str, bytes], ...], str, str]:
    """python-docx's package made once per process: A4 page, a small style
    sheet, no stock thumbnail or Word-2010 extras. Returns the parts and the
    document.xml text before and after the body content."""
    import docx
    from docx.oxml import parse_xml
    from docx.shared import Mm

    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(25)
    sec.top_margin = sec.bottom_margin = Mm(25)
    for rels, drop in ((doc.part.rels, ("stylesWithEffects", "customXml")), (doc.part.package.rels, ("thumbnail",))):
        for rid in [k for k, r in rels.items() if r.reltype.rsplit("/", 1)[-1] in drop]:
            rels.pop(rid)
    doc.part._styles_part._element = parse_xml(_MIN_STYLES.encode())
    buf = io.BytesIO()
    doc.save(buf)
    z = zipfile.ZipFile(buf)
    parts = tuple((n, z.read(n)) for n in z.namelist() if n not in ("word/document.xml", "docProps/core.xml"))
    text = z.read("word/document.xml").decode("utf-8")
    head, tail = text.split("<w:body>", 1)
    return parts, head + "<w:body>", tail.split("</w:body>", 1)[0].join(("", "</w:body>")) + text.rsplit("</w:body>", 1)[1]


def render_docx(record: dict, opts: RenderOptions = RenderOptions()) -> bytes:
    """A Word document with real merged table cells; equal input, equal bytes."""
    parts, head, tail = _docx_base()
    body = []
    prev_table = False
    for block in layout(record, opts):
        if isinstance(block, Para):
            body.append(_p_xml(block.text, block.align, block.bold, block.size))
            prev_table = False
        else:
            if prev_table:  # Word joins adjacent tables unless a paragraph separates them
                body.append("<w:p/>")
            body.append(_tbl_xml(block))
            prev_table = True
    rep = record.get("report") or {}
    stamp = _stamp(rep)
    title = f"{rep.get('unit_name') or ''}{rep.get('fiscal_year')}年度部门整体支出绩效评价自评报告"
    w3c = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_x(title)}</dc:title><dc:creator>{_x(rep.get('unit_name') or '')}</dc:creator>"
            "<cp:lastModifiedBy></cp:lastModifiedBy><cp:revision>1</cp:revision>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{w3c}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{w3c}</dcterms:modified>'
            f"<cp:category>{DEMO_MARKER if opts.demo else ''}</cp:category></cp:coreProperties>")
    out = io.BytesIO()
    when = stamp.timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in (*parts[:2], ("docProps/core.xml", core.encode()),
                           ("word/document.xml", (head + "".join(body) + tail).encode()), *parts[2:]):
            zi = zipfile.ZipInfo(name, date_time=when)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, blob)
    return out.getvalue()


def _stamp(rep: dict) -> datetime:
    try:
        d = date.fromisoformat(rep.get("report_date") or "")
    except ValueError:
        d = date((rep.get("fiscal_year") or 2022) + 1, 6, 30)
    return datetime(d.year, d.month, d.day, 9, 0, 0)


def render_html(record: dict, opts: RenderOptions = RenderOptions()) -> bytes:
    """A report page as saved from a government site: chrome around the template."""
    if opts.prose is not None:   # the page's chrome would run on into the last section
        raise ValueError(f"a prose report is written as {' or '.join(PROSE_FORMATS)}, not 'html'")
    rep = record.get("report") or {}
    title = f"{rep.get('unit_name') or ''}{rep.get('fiscal_year')}年度部门整体支出绩效评价自评报告"
    charset = "gb2312" if opts.encoding.lower().startswith("gb") else "utf-8"
    out = [f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
           f"<title>{html.escape(title)}</title>\n</head>\n<body>"]
    blocks = layout(record, opts)
    if blocks and isinstance(blocks[0], Para) and blocks[0].text == DEMO_MARKER:
        out.append(f"<p>{DEMO_MARKER}</p>")
        blocks = blocks[1:]
    region = rep.get("region") or ""
    out.append(f'<div class="head">{html.escape(region)}人民政府门户网站</div>\n'
               '<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 财政信息 &gt; 绩效评价</div>\n'
               '<div class="article">')
    for block in blocks:
        if isinstance(block, Para):
            style = f' style="text-align:{block.align}"' if block.align else ""
            text = html.escape(block.text)
            out.append(f"<p{style}><b>{text}</b></p>" if block.bold else f"<p{style}>{text}</p>")
        else:
            out.append(_table_html(block))
    out.append('</div>\n<div class="foot">主办：' + html.escape(region) + "人民政府办公室</div>\n</body>\n</html>\n")
    return "\n".join(out).encode("gb18030" if charset != "utf-8" else "utf-8")


def _table_html(t: Table) -> str:
    starts = []  # per row: {grid column: cell}
    for row in t.rows:
        col, at = 0, {}
        for c in row:
            at[col] = c
            col += c.span
        starts.append(at)
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">']
    for r, at in enumerate(starts):
        out.append("<tr>")
        for col, c in at.items():
            if c.vmerge == "continue":
                continue
            attrs = f' colspan="{c.span}"' if c.span > 1 else ""
            if c.vmerge == "restart":
                n = 1
                while r + n < len(starts) and getattr(starts[r + n].get(col), "vmerge", None) == "continue":
                    n += 1
                if n > 1:
                    attrs += f' rowspan="{n}"'
            body = "".join(f"<p>{html.escape(p)}</p>" if p else "<p>&nbsp;</p>" for p in c.paras)
            out.append(f"<td{attrs}>{body}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


# --- LibreOffice (etl.readers.office: the project's one runner) -----------------

def convert(paths: list[Path], fmt: str, out_dir: Path, timeout: float | None = None) -> list[Path]:
    """Convert documents with one LibreOffice headless run; returns the outputs in order."""
    timeout = timeout if timeout is not None else 60 + 5 * len(paths)
    try:
        err = office.convert(list(paths), fmt, out_dir, timeout)
    except office.LibreOfficeMissing:
        raise RuntimeError(f"未安装 LibreOffice，无法生成 PDF/.doc：{office.INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"LibreOffice 转换为 {fmt} 超时（超过 {timeout:.0f} 秒）") from None
    outs = [Path(out_dir) / (Path(p).stem + "." + fmt) for p in paths]
    missing = [p.name for p in outs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice 未生成 {', '.join(missing)}（{err[-300:]}）")
    if fmt == "pdf":
        for p in outs:
            p.write_bytes(stable_pdf(p.read_bytes()))
    return outs


def stable_pdf(data: bytes) -> bytes:
    """Blank the creation time and file ID LibreOffice writes (same lengths, so
    the cross-reference offsets stay valid): equal documents, equal bytes."""
    data = re.sub(rb"D:\d{14}[^)]*", lambda m: b"D:20000101000000" + b"Z" * (len(m.group()) - 16), data)
    data = re.sub(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]",
                  lambda m: m.group().replace(m.group(1), b"0" * len(m.group(1))).replace(m.group(2), b"0" * len(m.group(2))),
                  data)
    data = re.sub(rb"/DocChecksum\s*/([0-9A-Fa-f]+)", lambda m: m.group().replace(m.group(1), b"0" * len(m.group(1))), data)
    return data
