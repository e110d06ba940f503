"""Issue 3's acceptance test: the demo corpus, loaded through the real ETL, gives
back the records it was generated from.

Every document of the corpus has its expected record beside it; the test reads
what `load` stored for each file and compares it field by field with
../shared/tools/compare_record.py (the spec's own reading rules). At least
99.5% of all fields must be equal; the others are listed in the output.
"""
from __future__ import annotations

import json
from collections import Counter

import duckdb

from compare_record import compare

def _expected(corpus) -> dict[str, dict]:
    out = {}
    for path in sorted(corpus.glob("*.json")):
        if path.name == "manifest.json":
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        out[record["source"]["file_name"]] = record
    return out


def test_loaded_corpus_equals_expected_records(demo_corpus, demo_db):
    expected = _expected(demo_corpus)
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        loaded = {name: json.loads(doc) for name, doc in
                  con.execute("select file_name, record_json from reports").fetchall()}
        demo_flags = dict(con.execute("select file_name, is_demo from reports").fetchall())
    finally:
        con.close()

    assert sorted(loaded) == sorted(expected), "every document is loaded once, none missing"
    total, wrong = 0, []
    by_format: Counter = Counter()
    for name, exp in expected.items():
        rows = list(compare(exp, loaded[name]))
        total += len(rows)
        for path, e, a, ok in rows:
            if not ok:
                wrong.append(f"{name}: {path}: expected {e!r}, got {a!r}")
                by_format[exp["source"]["format"]] += 1
        assert demo_flags[name] is exp["source"]["demo"], name
    share = 1 - len(wrong) / total
    report = "\n".join(wrong[:200])
    print(f"\n{total - len(wrong)}/{total} fields equal ({100 * share:.2f}%); unequal by format: {dict(by_format)}\n{report}")
    assert share >= 0.995, f"{len(wrong)} of {total} fields differ:\n{report}"


def test_corpus_shape(demo_corpus):
    """The district the dashboard shows: ~45 units over 2019–2024, mostly .docx."""
    expected = _expected(demo_corpus)
    units = {(r["report"]["budget_code"]) for r in expected.values()}
    years = {r["report"]["fiscal_year"] for r in expected.values()}
    formats = Counter(r["source"]["format"] for r in expected.values())
    assert 40 <= len(units) <= 50 and years == set(range(2019, 2025))
    assert formats["docx"] > len(expected) / 2 and formats["txt"] >= 20 and formats["pdf"] >= 1
    assert sum(not r["source"]["demo"] for r in expected.values()) == 1   # the real seed only
    assert {r["source"]["money_unit"] for r in expected.values()} == {"万元", "元"}
