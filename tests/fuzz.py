"""Hostile and broken input for the loader, made from a seed (issue #11).

    make_corpus(out_dir, seed=1, mutations=6) -> list[Path]

writes one folder of inputs of every kind the loader meets in a bureau's
inbox: byte flips and truncations of real documents (the seed report as .txt,
.docx, .html and a text-layer .pdf), XML bombs and external entities in a
.docx, a long table, zip traversal, symlinks and GBK member names, empty and
report-less archives, a folder named like a file, odd and non-UTF-8 file
names, broken PDFs. `tests/test_fuzz.py` loads a small corpus in CI;
`python -m tests.fuzz` a large one (60 mutations per seed, a 50k-row table),
printing the counts.

limit_documents(scale) and near_limit_documents() build the inputs at the
limits of memory and time (a 190 MB document.xml, a PDF flate bomb, 300k
characters on a page, 100k attributes, a 49 MB one-line text) and those just
within the readers' bounds: `benchmarks/limits_bench.py` measures them.

CANARY is written to a file that the external-entity documents point at: it
must never reach the database.
"""
from __future__ import annotations

import io
import os
import random
import resource
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT / "data" / "seed" / "yunxi-2022-labor-inspection-brigade.txt"
CANARY = "XXE-CANARY-7f3a"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _paragraphs(lines: list[str]) -> str:
    return "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{_escape(t)}</w:t></w:r></w:p>" for t in lines)


def docx_bytes(body_xml: str, prolog: str = "") -> bytes:
    """A minimal .docx whose document.xml has this body (and DOCTYPE prolog)."""
    doc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
           f'<w:document xmlns:w="{_W}"><w:body>{body_xml}</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", doc)
    return buf.getvalue()


def _pdf_with_stream(stream: bytes, flate: bool) -> bytes:
    """A one-page Helvetica PDF whose content stream is `stream` (deflated when `flate`)."""
    data = zlib.compress(stream, 9) if flate else stream
    head = f"<< /Length {len(data)}{' /Filter /FlateDecode' if flate else ''} >>\nstream\n".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        head + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def pdf_bytes(lines: list[str]) -> bytes:
    """A small valid text-layer PDF (ASCII text, Helvetica): a seed for PDF mutations."""
    stream = "BT /F1 11 Tf 50 800 Td 14 TL " + " ".join(
        "(" + t.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for t in lines) + " ET"
    return _pdf_with_stream(stream.encode("latin-1"), flate=False)


def _flip(data: bytes, rng: random.Random, count: int) -> bytes:
    buf = bytearray(data)
    for _ in range(count):
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf)


def _zip(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return buf.getvalue()


def _gbk_member(name: str) -> zipfile.ZipInfo:
    """A member named as Chinese Windows' zip tools do: GBK bytes, no UTF-8 flag."""
    info = zipfile.ZipInfo(name.encode("gbk").decode("cp437"))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _symlink_member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o120777 << 16)  # S_IFLNK
    return info


def seed_documents() -> dict[str, bytes]:
    """The real seed report in each format the mutations start from."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    lines = text.splitlines()
    html = "<html><head><meta charset='utf-8'></head><body>" + "".join(
        f"<p>{_escape(t)}</p>" for t in lines) + "</body></html>"
    return {
        "seed.txt": text.encode("utf-8"),
        "seed-gb18030.txt": text.encode("gb18030"),
        "seed.docx": docx_bytes(_paragraphs(lines)),
        "seed.html": html.encode("utf-8"),
        "seed.pdf": pdf_bytes(["Annual report", "Budget 2022", "Total 1234.56"]),
    }


def hostile_documents(canary_path: Path, table_rows: int) -> dict[str, bytes]:
    """Inputs built to hurt a parser: entity expansion, external entities, huge tables, broken PDFs."""
    laughs = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    bomb = f'<!DOCTYPE w:document [<!ENTITY l0 "lol">{laughs}]>'
    xxe = f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{canary_path}">]>'
    row = "<w:tr>" + "<w:tc><w:p><w:r><w:t>123.45</w:t></w:r></w:p></w:tc>" * 6 + "</w:tr>"
    return {
        "xml-bomb.docx": docx_bytes(_paragraphs(["部门整体支出绩效自评报告"]) + "<w:p><w:r><w:t>&l9;</w:t></w:r></w:p>",
                                    prolog=bomb),
        "xxe.docx": docx_bytes("<w:p><w:r><w:t>&x;</w:t></w:r></w:p>", prolog=xxe),
        "xxe.html": (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file://{canary_path}">]>'
                     "<html><body><p>&x;</p></body></html>").encode(),
        "long-table.docx": docx_bytes(_paragraphs(["部门整体支出绩效自评报告"]) + "<w:tbl>" + row * table_rows
                                      + "</w:tbl>"),
        "not-a-zip.docx": b"PK\x03\x04" + b"\x00" * 200,
        "empty.docx": b"",
        "empty.pdf": b"",
        "header-only.pdf": b"%PDF-1.7\n",
        "garbage.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 40,
        "no-xref.pdf": pdf_bytes(["x"]).split(b"xref")[0],
        "bad-mediabox.pdf": pdf_bytes(["Budget"]).replace(b"[0 0 595 842]", b"[0 0 a b]"),
        "binary.txt": bytes(range(256)) * 64,
        "utf16.txt": SEED_TEXT.read_text(encoding="utf-8").encode("utf-16"),
        "one-line.txt": ("部门整体支出绩效自评报告" + "数" * 200_000).encode("utf-8"),
        "rowspan.html": ("<html><body><table>" + "<tr><td rowspan=0>1</td><td>2</td></tr>" * 2000
                         + "</table></body></html>").encode(),
        "notice.txt": "关于开展2022年度部门整体支出绩效自评工作的通知\n各单位：请于6月30日前报送。".encode(),
    }


def make_corpus(out: Path, seed: int = 1, mutations: int = 6, table_rows: int = 2000) -> list[Path]:
    """Write the corpus into `out` (created); returns the top-level inputs, in order."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    canary = out / "canary.secret"
    canary.write_text(CANARY)
    files: dict[str, bytes] = {}
    seeds = seed_documents()
    files.update(seeds)
    for name, data in seeds.items():
        stem, ext = name.rsplit(".", 1)
        for i in range(mutations):
            files[f"{stem}-flip{i}.{ext}"] = _flip(data, rng, rng.choice((1, 4, 32)))
            files[f"{stem}-cut{i}.{ext}"] = data[: rng.randrange(1, len(data))]
    files.update(hostile_documents(canary, table_rows))
    text = seeds["seed.txt"]
    files["empty.zip"] = _zip([])
    files["no-reports.zip"] = _zip([("readme.md", b"nothing here"), ("photo.jpg", b"\xff\xd8\xff")])
    files["traversal.zip"] = _zip([("../../escaped.txt", text), ("/abs/report.txt", text)])
    files["symlink.zip"] = _zip([(_symlink_member("link.txt"), b"/etc/passwd"), ("ok.txt", text)])
    files["gbk-names.zip"] = _zip([(_gbk_member("云溪区劳动监察大队自评报告.txt"), text)])
    files["nested.zip"] = _zip([("inner.zip", files["gbk-names.zip"])])
    files["报告 (最终版)  #1&.txt"] = text
    files["-starts-with-dash.txt"] = text
    paths = []
    for name, data in files.items():
        p = out / name
        p.write_bytes(data)
        paths.append(p)
    folder = out / "folder-named-like.docx"
    folder.mkdir(exist_ok=True)
    paths.append(folder)
    if os.supports_bytes_environ:  # a file name that is not UTF-8 (GBK bytes, as copied from a Windows share)
        raw = os.path.join(os.fsencode(out), "劳动监察自评".encode("gbk") + b".txt")
        with open(raw, "wb") as fh:
            fh.write(text)
        paths.append(Path(os.fsdecode(raw)))
    link = out / "dangling-link.txt"
    if not link.is_symlink():
        link.symlink_to(out / "does-not-exist.txt")
    paths.append(link)
    return paths


@dataclass
class Verdict:
    """What one load of a corpus did, in the counts issue #11 asks for."""
    inputs: int
    exit_code: int
    seconds: float
    peak_mb: float
    loaded: int
    failed_lines: int
    stray_lines: list[str]      # output that is neither the summary nor one line per failed file
    tracebacks: int
    without_log_row: list[str]  # inputs that left no row in load_log
    canary_in_db: bool
    timeouts: int

    def problems(self) -> list[str]:
        found = []
        if self.exit_code not in (0, 1):
            found.append(f"exit status {self.exit_code}")
        if self.tracebacks:
            found.append(f"{self.tracebacks} tracebacks")
        if self.stray_lines:
            found.append(f"stray output: {self.stray_lines[:3]}")
        if self.without_log_row:
            found.append(f"no load_log row: {self.without_log_row[:5]}")
        if self.canary_in_db:
            found.append("external entity content reached the database")
        return found

    def table(self) -> str:
        rows = [("inputs", self.inputs), ("exit status", self.exit_code), ("seconds", f"{self.seconds:.1f}"),
                ("peak MB (largest process)", f"{self.peak_mb:.0f}"), ("loaded", self.loaded),
                ("failure lines", self.failed_lines), ("stray lines", len(self.stray_lines)),
                ("tracebacks", self.tracebacks), ("timeouts", self.timeouts),
                ("inputs without load_log row", len(self.without_log_row)),
                ("external entity content in db", self.canary_in_db)]
        return "\n".join(f"{k:<30} {v}" for k, v in rows)


def load_corpus(folder: Path, paths: list[Path], db: Path, timeout_s: float = 20) -> Verdict:
    """Run `python -m etl load folder` as a user would and judge what it did."""
    import duckdb

    env = {**os.environ, "ETL_TIMEOUT_S": str(timeout_s)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "etl", "load", str(folder), "--db", str(db)],
                          cwd=ROOT, env=env, capture_output=True, timeout=1800)
    seconds = time.perf_counter() - start
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    lines = [line for line in out.splitlines() if line.strip()]
    failure = [line for line in lines if line.startswith(f"  {folder}")]
    summary = [line for line in lines if line.startswith("已导入 ")]
    stray = [line for line in lines if line not in failure and line not in summary]
    with duckdb.connect(str(db), read_only=True) as con:
        logged = [r[0] or "" for r in con.execute("select file_path from load_log").fetchall()]
        loaded = con.execute("select count(*) from reports").fetchone()[0]
        canary = con.execute("select count(*) from reports where record_json::varchar like ?",
                             [f"%{CANARY}%"]).fetchone()[0]
    from etl.load import shown_name  # how the loader writes a name whose bytes are not UTF-8

    shown = {p: shown_name(str(p)) for p in paths}
    missing = [shown_name(p.name) for p in paths if not any(f == shown[p] or f.startswith(f"{shown[p]}/") for f in logged)]
    return Verdict(inputs=len(paths), exit_code=proc.returncode, seconds=seconds, peak_mb=peak, loaded=loaded,
                   failed_lines=len(failure), stray_lines=stray, tracebacks=out.count("Traceback"),
                   without_log_row=missing, canary_in_db=canary > 0,
                   timeouts=sum("超时" in line for line in failure))


def main() -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description="Load a seeded corpus of hostile inputs and print the counts.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mutations", type=int, default=60, help="byte-flip and truncation copies per seed document")
    parser.add_argument("--table-rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        paths = make_corpus(folder, seed=args.seed, mutations=args.mutations, table_rows=args.table_rows)
        verdict = load_corpus(folder, paths, Path(tmp) / "fuzz.duckdb", timeout_s=60)
    print(verdict.table())
    for problem in verdict.problems():
        print("PROBLEM:", problem)
    return 1 if verdict.problems() else 0


def _seed_sentences() -> list[str]:
    return [t.strip() for t in SEED_TEXT.read_text(encoding="utf-8").splitlines() if t.strip()]


def big_docx_xml(target_bytes: int) -> bytes:
    """A valid .docx whose document.xml holds about `target_bytes` of varied paragraphs
    (varied enough to pass the zip-bomb ratio, packed small enough to pass the file size limit)."""
    rng = random.Random(5)
    sentences = _seed_sentences()
    chunk = "".join(f"<w:p><w:r><w:t>{_escape(rng.choice(sentences))}{rng.randrange(10 ** 9)}</w:t></w:r></w:p>"
                    for _ in range(4000))
    body = chunk * max(1, target_bytes // len(chunk.encode("utf-8")))
    return docx_bytes(_paragraphs(["部门整体支出绩效自评报告"]) + body)


def pdf_flate_bomb(inflated_bytes: int) -> bytes:
    """A PDF whose one content stream inflates to `inflated_bytes` (text, then blanks)."""
    text = b"BT /F1 11 Tf 50 800 Td (Annual report) Tj ET\n"
    return _pdf_with_stream(text + b" " * (inflated_bytes - len(text)), flate=True)


def pdf_many_chars(chars: int) -> bytes:
    """One PDF page that shows `chars` characters (tiny type, lines of 200)."""
    line = "(" + "Budget 1234.56 " * 13 + "Total) '"
    per_line = len(line) - 4
    lines = [line] * max(1, chars // per_line)
    stream = ("BT /F1 1 Tf 10 830 Td 1.1 TL " + " ".join(lines) + " ET").encode()
    return _pdf_with_stream(stream, flate=True)


def html_many_attributes(n: int) -> bytes:
    """A page whose one element carries `n` attributes."""
    attrs = " ".join(f'a{i}="{i}"' for i in range(n))
    return (f"<html><body><p>部门整体支出绩效自评报告</p><div {attrs}>x</div></body></html>").encode()


def txt_one_line(target_bytes: int) -> bytes:
    """The seed report's text with its line breaks removed, repeated to about `target_bytes`: one line."""
    line = "".join(_seed_sentences()).encode("utf-8")
    return line * max(1, target_bytes // len(line))


def limit_documents(scale: float = 1.0) -> dict[str, bytes]:
    """Inputs at the limits of memory and time (issue #11 item 5). scale=1: the sizes of the issue's
    measurements (a 190 MB document.xml, a 300 MB flate bomb, 300k characters on a page, 100k
    attributes, a 49 MB one-line text); tests use scale≈0.01."""
    return {
        "big-xml.docx": big_docx_xml(int(190e6 * scale)),
        "flate-bomb.pdf": pdf_flate_bomb(int(300e6 * scale)),
        "many-chars.pdf": pdf_many_chars(int(300_000 * scale)),
        "many-attributes.html": html_many_attributes(int(100_000 * scale)),
        "one-line.txt": txt_one_line(int(49e6 * scale)),
    }


def near_limit_documents() -> dict[str, bytes]:
    """Inputs just within the readers' bounds (etl/readers: MAX_MAIN_PART_MB, MAX_STREAM_MB,
    MAX_PAGE_CHARS, MAX_ATTRIBUTES, MAX_LINE_CHARS, MAX_TEXT_CHARS): what is read rather than
    refused, and must still stay within time and memory; and a 49 MB text with its line breaks."""
    lines = SEED_TEXT.read_bytes()
    return {
        "xml-15MB.docx": big_docx_xml(15_000_000),
        "rows-16k.docx": big_docx_xml(2_300_000),
        "stream-30MB.pdf": pdf_flate_bomb(30_000_000),
        "chars-28k.pdf": pdf_many_chars(28_000),
        "attributes-1k.html": html_many_attributes(1000),
        "line-180k.txt": txt_one_line(500_000),
        "lines-11MB.txt": lines * (11_000_000 // len(lines)),
        "lines-49MB.txt": lines * (49_000_000 // len(lines)),
    }


if __name__ == "__main__":
    sys.exit(main())
