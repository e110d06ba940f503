"""Record JSON Lines: the seam between extraction (anywhere, many machines) and the one writer.

    python -m etl extract --with-failures FILE... > part-1.jsonl     # on any machine
    python -m etl load --records part-1.jsonl part-2.jsonl --db reports.duckdb   # one writer

Each line is one report record (../shared/spec/report-record.md) whose `source` also says
`path`: where the file was read (as the loader names it, e.g. `folder/a.docx` or
`batch.zip/a.docx`); or, with `--with-failures`, a file that could not be read:
`{"failed": {"path": ..., "file_name": ..., "sha256": ..., "reason": ...}}`, so that the
load log still names it. Loading records is storing (etl/load.py: many reports per
transaction, the same outcomes as a direct load); `source.path` goes into the load log's
file_path, not into the stored record, so a record loaded this way is stored exactly as a
direct load stores it. Where `source.path` can be read on the loading machine (a shared
folder) and its bytes have the record's sha256, the original file is stored too (the
documents table, which the dashboard offers for download); elsewhere the record is
stored without it.

The functions are what a distributed run calls: `extract_lines(paths)` in each task,
`load_records(files)` once at the end (README: Across machines).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

from etl.config import ARCHIVE_EXTENSIONS, DEFAULT_DB, Limits
from etl.document import one_line
from etl.load import (BATCH_REPORTS, Item, LoadSummary, extract_files, release, shown_name,
                      store_files)


def record_line(item: Item, with_failures: bool = True) -> str | None:
    """One JSON line for an extracted item: its record with source.path, or its failure."""
    if item.error is None and item.record is not None:
        record = dict(item.record)
        record["source"] = {**(record.get("source") or {}), "path": item.name}
        return json.dumps(record, ensure_ascii=False)
    if not with_failures:
        return None
    return json.dumps({"failed": {"path": item.name, "file_name": item.file_name, "sha256": item.sha,
                                  "reason": item.error or "无法读取此文件"}}, ensure_ascii=False)


def extract_lines(paths: Iterable[str | os.PathLike], limits: Limits = Limits(), *,
                  workers: int | None = None, with_failures: bool = True) -> Iterator[str]:
    """The JSON lines of every report file under `paths` (the work of one task)."""
    for item in extract_files(paths, limits, workers=workers):
        line = record_line(item, with_failures)
        if line is not None:
            yield line


def _lines(source: str | os.PathLike | TextIO) -> Iterator[tuple[str, int, str]]:
    """(name, line number, text) of each line of a file, of `-` (stdin) or of an open text stream."""
    if hasattr(source, "read"):
        name, stream, own = getattr(source, "name", "-"), source, False
    elif str(source) == "-":
        name, stream, own = "-", io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace"), False
    else:
        name, stream, own = str(source), open(source, encoding="utf-8", errors="replace"), True
    try:
        for n, text in enumerate(stream, 1):
            if text.strip():
                yield name, n, text
    finally:
        if own:
            stream.close()


def read_records(sources: Iterable[str | os.PathLike | TextIO], limits: Limits = Limits(),
                 originals: bool = True) -> Iterator[Item]:
    """Items to store (etl.load.store_files), one per line of the record files, in order.

    A line that is not a record is an item that fails with its reason ("file:line"), as an
    unreadable file does. `originals`: read each source.path for the documents table."""
    for source in sources:
        try:
            for name, n, text in _lines(source):
                yield _item(name, n, text, limits, originals)
        except OSError as e:
            shown = shown_name(str(source))
            yield Item(shown, Path(shown).name, error=f"无法读取记录文件（{one_line(e)}）")


def _item(name: str, n: int, text: str, limits: Limits, originals: bool) -> Item:
    where = f"{shown_name(name)}:{n}"
    try:
        line = json.loads(text)
    except ValueError as e:
        return Item(where, Path(name).name, error=f"不是有效的 JSON 记录（{one_line(e)}）")
    if not isinstance(line, dict):
        return Item(where, Path(name).name, error="不是报告记录（应为 JSON 对象）")
    failed = line.get("failed")
    if isinstance(failed, dict):
        path = str(failed.get("path") or where)
        return Item(path, str(failed.get("file_name") or Path(path).name), sha=failed.get("sha256"),
                    error=str(failed.get("reason") or "无法读取此文件"))
    source = dict(line.get("source") or {}) if isinstance(line.get("source"), dict) else {}
    if not source or not isinstance(line.get("report"), dict):
        return Item(where, Path(name).name, error="不是报告记录（缺少 report 或 source）")
    path = source.pop("path", None)
    record = {**line, "source": source}
    shown = str(path) if path else where
    item = Item(shown, source.get("file_name") or Path(shown).name, path=path, record=record,
                sha=source.get("sha256"))
    if originals and path:
        data = original_bytes(str(path), limits)
        if data is not None and (item.sha is None or hashlib.sha256(data).hexdigest() == item.sha):
            item.data = data
            item.sha = item.sha or hashlib.sha256(data).hexdigest()
            source.setdefault("sha256", item.sha)
    return item


def original_bytes(path: str, limits: Limits = Limits()) -> bytes | None:
    """The bytes at a loader path (a file, or `archive.zip/member`), or None where they cannot be read."""
    limit = limits.max_file_bytes
    try:
        p = Path(path)
        if p.is_file():
            with open(p, "rb") as f:
                data = f.read(limit + 1)
            return data if 0 < len(data) <= limit else None
        for parent in p.parents:  # a member of an archive
            if parent.suffix.lower() in ARCHIVE_EXTENSIONS and parent.is_file():
                member = p.relative_to(parent).as_posix()
                with zipfile.ZipFile(parent) as zf:
                    for info in zf.infolist():
                        name = info.filename
                        if not info.flag_bits & 0x800:
                            try:
                                name = name.encode("cp437").decode("gb18030")
                            except (UnicodeEncodeError, UnicodeDecodeError):
                                pass
                        if name == member and info.file_size <= limit:
                            with zf.open(info) as f:
                                data = f.read(limit + 1)
                            return data if 0 < len(data) <= limit else None
                return None
    except (OSError, ValueError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        return None
    return None


def load_records(sources: Iterable[str | os.PathLike | TextIO], db=DEFAULT_DB, limits: Limits = Limits(), *,
                 loaded_by: str | None = None, on_progress: Callable[[int, int], None] | None = None,
                 batch_reports: int = BATCH_REPORTS, originals: bool = True) -> LoadSummary:
    """Store the records of JSON Lines files (`-`: stdin) into `db` with one writer, then refresh."""
    import duckdb

    from etl.db import open_db

    own = not isinstance(db, duckdb.DuckDBPyConnection)
    con = open_db(db) if own else db
    try:
        def counted() -> Iterator[Item]:
            for done, item in enumerate(read_records(sources, limits, originals), 1):
                yield item
                if on_progress is not None:
                    on_progress(done, 0)

        return store_files(con, counted(), limits, loaded_by=loaded_by, batch_reports=batch_reports,
                           on_stored=release)
    finally:
        if own:
            con.close()
