"""The record an exact extractor must return for a rendered document (golden
records for the tests and the demo corpus): money always in 万元,
`source.money_unit` saying what the document used.

`source.warnings` is always empty: which warnings the extractor gives is its
own rule set, not predicted here (a second copy of those rules would have to
change with every one of them). ../shared/tools/compare_record.py does not
compare warnings; tests assert the ones they care about on the extractor's
output.
"""
from __future__ import annotations

import copy
import hashlib

from .blocks import (BASIC_INFO_FIELDS, MONEY_FIELDS, NARRATIVE_KEYS, PROSE_FORMATS, PROSE_TEMPLATE_ID, TEMPLATE_ID,
                     RenderOptions)
from etl.record import BUDGET_FIELDS

from .prose import prose_doc, prose_unit_name
from .template import indicator_layout


def expected_record(record: dict, opts: RenderOptions = RenderOptions(), *, fmt: str = "docx",
                    file_name: str | None = None, data: bytes | None = None) -> dict:
    """The record an exact extractor returns for `record` rendered with `opts`.

    Drops what the document does not show (omitted sections, all-blank org
    rows, the rich columns in the template layout) and fills `source`; for a
    prose report (`opts.prose`), what the prose extractor reads from it.

    `source.warnings` is always empty (see the module's docstring).
    """
    if opts.prose is not None:
        out = _expected_prose(record, opts, fmt)
        out.setdefault("budget", {f: None for f in BUDGET_FIELDS})  # the project's own section: none stated
        if file_name is not None:
            out["source"]["file_name"] = file_name
        if data is not None:
            out["source"]["sha256"] = hashlib.sha256(data).hexdigest()
        return out
    out = copy.deepcopy(record)
    rep = out.setdefault("report", {})
    omit = opts.omit
    places = 6 if opts.money_unit == "元" else 2   # what the document's cells can carry
    for key, fields in MONEY_FIELDS.items():
        rows = [] if key in omit else [r for r in out.get(key) or [] if any(r.get(f) is not None for f in fields)]
        for r in rows:
            r.update({f: round(r[f], places) for f in fields if r.get(f) is not None})
        out[key] = rows
    if "basic_info" in omit:
        for f in BASIC_INFO_FIELDS:
            rep[f] = None
    if "goals" in omit:
        out["goals"], out["goals_completion"] = [], None
    if "indicators" in omit:
        out["indicators"] = []
    if "score" in omit:
        rep["self_score"] = rep["grade"] = None
    narrative = out.setdefault("narrative", {})
    for key in NARRATIVE_KEYS:
        if "narrative" in omit or f"narrative.{key}" in omit:
            narrative[key] = None
        elif narrative.get(key) == "":
            narrative[key] = None
    if indicator_layout(record, opts) == "template":
        for ind in out.get("indicators") or []:
            ind.update(target_text=None, weight=None, score=None, deviation_reason=None)
    out.setdefault("budget", {f: None for f in BUDGET_FIELDS})  # the project's own section: none stated
    src = out.setdefault("source", {})
    src.update(format=fmt, money_unit=opts.money_unit, template=TEMPLATE_ID, warnings=[], demo=opts.demo)
    if file_name is not None:
        src["file_name"] = file_name
    if data is not None:
        src["sha256"] = hashlib.sha256(data).hexdigest()
    return out


def _expected_prose(record: dict, opts: RenderOptions, fmt: str) -> dict:
    """What the prose extractor reads from `record` written as a prose report (warnings aside)."""
    if fmt not in PROSE_FORMATS:
        raise ValueError(f"a prose report is written as {' or '.join(PROSE_FORMATS)}, not {fmt!r}")
    doc = prose_doc(record, opts)
    rep = record.get("report") or {}
    report = {f: None for f in ("region", "fiscal_year", "unit_name", "budget_code", "evaluation_method",
                                "evaluator", "report_date", "contact", "phone", "staff_quota", "staff_actual",
                                "functions", "main_tasks", "overall_results", "self_score", "grade")}
    report.update({f: rep.get(f) for f in ("region", "fiscal_year", "report_date", "staff_quota", "staff_actual",
                                           "self_score", "grade")},
                  unit_name=prose_unit_name(rep), functions="\n".join(doc.functions) if doc.functions else None)
    out = {"report": report}
    for key, fields in MONEY_FIELDS.items():
        stated = doc.stated.get(key)
        out[key] = [{"org": "汇总", **{f: stated.get(f) for f in fields}}] if stated else []
    # The cases as the record has them: their sentence is in the performance text, written as it is.
    out.update(goals=[], goals_completion=None, indicators=[], cases=copy.deepcopy(record.get("cases") or []),
               narrative={k: ("\n".join(doc.sections[k]) or None) if k in doc.sections else None
                          for k in NARRATIVE_KEYS})
    out["source"] = dict(format=fmt, money_unit=opts.money_unit if doc.stated else "万元",
                         template=PROSE_TEMPLATE_ID, warnings=[], demo=opts.demo)
    return out
