"""The extractor: one submitted file -> one report record.

    read (etl/readers) -> Document -> to_simplified -> family chooser -> record

Families, each a module of this package, all reading the same `Document`:

- `template`: the Yueyang fill-in form (the seed's layout);
- `prose`: reports written as text (Hunan family B and other provinces);
- `table`: reports that are forms — the Hunan 决算 annex (基础数据表/自评表),
  the Chongqing 部门整体绩效自评表, other 整体支出绩效自评表 (table.py).

Before any family reads it, `clean` removes what publishing added (a web
page's metadata and navigation, a sharing site's notices, pinyin glosses).

They share labels, the goal/indicator table readers and record assembly
through `common`. The chooser tries the template (its cover is unmistakable),
then a form (one of the form titles near the top, before any prose report
title, plus a form label such as 年初预算数/全年执行数/编制数: table.is_table_form),
then prose; a template cover over a prose body reads both (COVER_THEN_PROSE).
A document none of them recognises is refused with NOT_A_REPORT.

Record layout: ../shared/spec/report-record.md; the vocabulary is etl/record.py.
Extra fields: `source.demo`, `indicators[].deviation_reason`.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..config import Limits
from ..document import Document, ExtractError
from ..readers import cannot_read, read_document, too_large
from ..record import MONEY_KINDS
from ..traditional import to_simplified
from .clean import strip_page_noise
from .common import FIELD_LABELS, NOT_A_REPORT
from .prose import TEMPLATE as PROSE, extract_prose
from .table import extract_table, is_table_form
from .template import TEMPLATE, extract_template

__all__ = ["extract_file", "extract_bytes", "extract_document", "NOT_A_REPORT", "TEMPLATE", "PROSE",
           "COVER_THEN_PROSE"]

COVER_THEN_PROSE = "封面按模板填写，但没有收支表和指标表：正文按文字版读取"


def extract_file(path, limits: Limits = Limits()) -> dict:
    """Read one submitted file and return its record (raises ExtractError)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ExtractError(cannot_read(exc)) from None
    if size > limits.max_file_bytes:
        raise ExtractError(too_large(size, limits.max_file_mb))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ExtractError(cannot_read(exc)) from None
    return extract_bytes(data, p.name, limits)


def extract_bytes(data: bytes, file_name: str, limits: Limits = Limits()) -> dict:
    doc = read_document(data, file_name, limits)
    record = extract_document(doc)
    record["source"].update(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=doc.format,
    )
    return record


def extract_document(doc: Document) -> dict:
    """The record of one document (source.file_name/sha256 filled by the caller).
    A document in traditional characters is read as its simplified original
    (etl/traditional.py), by every family."""
    doc = to_simplified(doc)
    doc, site_owner = strip_page_noise(doc)
    try:
        record = extract_template(doc)
    except ExtractError:
        # a form whose 单位名称 cell looked like the template's cover, but is no template
        form = is_table_form(doc)
        if form is None:
            raise
        return extract_table(doc, form, site_owner=site_owner)
    if record is None:
        form = is_table_form(doc)
        if form is not None:
            return extract_table(doc, form, site_owner=site_owner)
        return extract_prose(doc, site_owner=site_owner)  # raises NOT_A_REPORT when it is not prose either
    if record["source"]["template"] is None:
        return _prose_below_cover(doc, record["report"]) or record
    return record


def _prose_below_cover(doc: Document, cover: dict) -> dict | None:
    """A report that fills in the template's cover but writes the rest as prose
    (no money or indicator table): the prose extractor's record, with what the
    cover states by label taking precedence. None when the prose extractor
    finds no more either (the template's record stands, with its warnings)."""
    try:
        record = extract_prose(doc, cover_unit=cover["unit_name"])
    except ExtractError:
        return None
    if not any(record[kind] for kind in MONEY_KINDS):
        return None
    stated = {field: value for field, value in cover.items() if value is not None}
    record["report"].update(stated)
    settled = {f"未找到“{FIELD_LABELS[field][0]}”" for field in stated if field in FIELD_LABELS}
    settled |= {w for w in record["source"]["warnings"] if w.startswith(("标题中未找到年度", "标题中未找到地区"))
                and {"fiscal_year", "region"} <= stated.keys()}
    record["source"]["warnings"] = [COVER_THEN_PROSE] + [w for w in record["source"]["warnings"] if w not in settled]
    return record
