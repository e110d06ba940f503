"""Issue 3's acceptance test: the demo corpus, loaded through the real ETL, gives
back the records it was generated from.

Every document of the corpus has its expected record beside it; the test reads
what `load` stored for each file and compares it field by field with
../shared/tools/compare_record.py (the spec's own reading rules). At least
99.5% of all fields must be equal; the others are listed in the output.

The corpus's figures are checked too: no negative amounts, money tables that
add up (except the few inconsistencies manifest.json says were planted, which
must be there), sizes by unit type as calibrated on the research, smooth
year-on-year spending, realistic scores and execution rates. About 9% of the
documents are prose reports (family B): they state fewer figures (no budget
code, sometimes no totals), so the checks take a figure where it is stated and
a unit by its code, or for a prose report by the code of its name.
"""
from __future__ import annotations

import json
import re
from collections import Counter

import duckdb
import pytest

import queries
from etl.textnorm import unit_name_key
from tests.material import compare

PROSE = "hunan-prose"


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
    prose_fields, prose_wrong = 0, []
    for name, exp in expected.items():
        rows = list(compare(exp, loaded[name]))
        total += len(rows)
        prose = exp["source"]["template"] == PROSE
        prose_fields += len(rows) if prose else 0
        for path, e, a, ok in rows:
            if not ok:
                wrong.append(f"{name}: {path}: expected {e!r}, got {a!r}")
                by_format[exp["source"]["format"]] += 1
                if prose:
                    prose_wrong.append(wrong[-1])
        assert demo_flags[name] is exp["source"]["demo"], name
        assert loaded[name]["source"]["template"] == exp["source"]["template"], name
    share = 1 - len(wrong) / total
    report = "\n".join(wrong[:200])
    print(f"\n{total - len(wrong)}/{total} fields equal ({100 * share:.2f}%); unequal by format: {dict(by_format)}; "
          f"prose documents: {prose_fields - len(prose_wrong)}/{prose_fields}\n{report}")
    assert share >= 0.995, f"{len(wrong)} of {total} fields differ:\n{report}"
    # The prose family is written by the same renderer the extractor is tested against: all exact.
    assert prose_fields and not prose_wrong, "\n".join(prose_wrong)


def test_corpus_shape(demo_corpus):
    """The district the dashboard shows: ~45 units over 2019–2024, mostly .docx."""
    expected = _expected(demo_corpus)
    units = set(_unit_of(list(expected.values())).values())
    years = {r["report"]["fiscal_year"] for r in expected.values()}
    formats = Counter(r["source"]["format"] for r in expected.values())
    assert 40 <= len(units) <= 50 and years == set(range(2019, 2025))
    assert formats["docx"] > len(expected) / 2 and formats["txt"] >= 20 and formats["pdf"] >= 1
    assert sum(not r["source"]["demo"] for r in expected.values()) == 1   # the real seed only
    assert {r["source"]["money_unit"] for r in expected.values()} == {"万元", "元"}


# --- the corpus's figures are possible and realistic --------------------------
# Written down from the spec and ../shared/research/real-report-formats.md §9,
# not from the generator: the identities every money table obeys, and the
# calibrated sizes by unit type.

PARTS = {  # table -> (field, its parts): field = sum of parts in every row, blanks counting 0
    "income": [("total", ["carryover", "fiscal_appropriation", "fund_appropriation", "special_account_income",
                          "other_income"])],
    "expenditure": [("total", ["basic", "project"]), ("basic", ["personnel", "public"])],
    "three_public": [("total", ["reception", "vehicle_operation", "vehicle_purchase", "overseas"])],
    "fixed_assets": [("total", ["in_use", "leased", "other"])],
}
# unit type -> (income and expenditure totals 万元, staff quota)
SIZES = {
    "small": ((50, 300), (5, 25)),          # 大队/中心
    "bureau": ((500, 3000), (30, 190)),
    "town": ((500, 3000), (30, 190)),       # 乡镇/街道
    "school": ((500, 3000), (30, 200)),
    "hospital": ((1000, 15000), (50, 500)),
    "big": ((5000, 20000), (300, 800)),     # 教育局, 卫生健康局
}


def _name_norm(report: dict) -> str:
    """The unit's name as the query layer compares names: "岳阳市云溪区信访局" and
    "云溪区信访局" are both "信访局"."""
    return unit_name_key(report["unit_name"], report["region"])


def _unit_of(records: list[dict]) -> dict[str, str]:
    """file name -> the unit's budget code; a prose report has none and takes the
    code of the coded reports of the same name (one code per name)."""
    codes: dict[str, set] = {}
    for r in records:
        if r["report"]["budget_code"]:
            codes.setdefault(_name_norm(r["report"]), set()).add(r["report"]["budget_code"])
    out = {}
    for r in records:
        code = r["report"]["budget_code"]
        if not code:
            (code,) = codes[_name_norm(r["report"])]
        out[r["source"]["file_name"]] = code
    return out


def _unit_type(name: str) -> str:
    for pattern, kind in (("教育局|卫生健康局", "big"), ("医院|卫生院|妇幼", "hospital"), ("学校|中学|小学", "school"),
                          ("大队|中心", "small"), ("街道|镇", "town")):
        if re.search(pattern, name):
            return kind
    return "bureau"


def _records(corpus) -> list[dict]:
    return list(_expected(corpus).values())


def _residuals(record: dict) -> dict[tuple, float]:
    """Every identity that does not hold, within 0.01万元: (table, org, field, "parts"|"orgs") -> difference.
    An identity holds where the row states its field and at least one of its parts
    (a prose report may give a total without its parts, or the parts without the total)."""
    out = {}
    for table, identities in PARTS.items():
        rows = record[table]
        for row in rows:
            for field, parts in identities:
                if row[field] is None or all(row[p] is None for p in parts):
                    continue
                diff = row[field] - sum(row[p] or 0 for p in parts)
                if abs(diff) > 0.01:
                    out[(table, row["org"], field, "parts")] = round(diff, 2)
        orgs = [r for r in rows if r["org"] != "汇总"]
        if rows and orgs:
            assert rows[0]["org"] == "汇总"
            for field in rows[0]:
                if field != "org" and rows[0][field] is not None:
                    diff = rows[0][field] - sum(r[field] or 0 for r in orgs)
                    if abs(diff) > 0.01:
                        out[(table, "汇总", field, "orgs")] = round(diff, 2)
    return out


def test_no_amount_is_negative(demo_corpus):
    negative = [(r["source"]["file_name"], table, row["org"], f, v)
                for r in _records(demo_corpus) for table in PARTS for row in r[table]
                for f, v in row.items() if f != "org" and v is not None and v < 0]
    assert not negative, negative[:20]


def test_money_tables_add_up_except_where_planted(demo_corpus):
    manifest = json.loads((demo_corpus / "manifest.json").read_text(encoding="utf-8"))
    planted = {d["file"]: {(p["table"], p["org"], p["field"], p["sum_of"]): p["difference"]
                           for p in d["inconsistencies"]} for d in manifest["documents"]}
    records = _records(demo_corpus)
    unexpected = []
    for record in records:
        name = record["source"]["file_name"]
        found, wanted = _residuals(record), planted.get(name, {})
        unexpected += [(name, key, diff) for key, diff in found.items() if key not in wanted]
        for key, diff in wanted.items():
            assert found.get(key) == pytest.approx(diff, abs=0.005), (name, key, found)
            # a typo or a forgotten row, not an absurd value
            assert 0 < abs(diff) <= min(50, 0.1 * record["income"][0]["total"]), (name, key, diff)
    assert not unexpected, unexpected[:20]
    assert 3 <= sum(bool(p) for p in planted.values()) <= 7
    # 人社局 2023: its 局机关 row states 30万元 more than the 汇总 row counts
    renshe = next(d["file"] for d in manifest["documents"]
                  if d["unit"] == "云溪区人力资源和社会保障局" and d["year"] == 2023)
    assert planted[renshe][("expenditure", "汇总", "total", "orgs")] == -30.0


def _total(row: dict, table: str) -> float:
    """A row's total: as stated, else the sum of its parts (a prose report may state only those)."""
    if row["total"] is not None:
        return row["total"]
    return sum(row[p] or 0 for p in PARTS[table][0][1])


def test_sizes_follow_the_calibration_by_unit_type(demo_corpus):
    out_of_range = []
    tp_totals = []
    for r in _records(demo_corpus):
        name, kind = r["report"]["unit_name"], _unit_type(r["report"]["unit_name"])
        (lo, hi), (s_lo, s_hi) = SIZES[kind]
        inc, exp = r["income"][0], r["expenditure"][0]
        income, spent = _total(inc, "income"), _total(exp, "expenditure")
        checks = {
            "income": lo <= income <= hi,
            "expenditure": lo <= spent <= hi,
            "staff": s_lo <= r["report"]["staff_quota"] <= s_hi,
            "上年结转 ≤ 15%": (inc["carryover"] or 0) <= 0.15 * income,
            # business income (医疗收入, 学费) only where units earn it
            "其他收入": (inc["other_income"] or 0) <= {"hospital": 0.8, "school": 0.12}.get(kind, 0.05) * income,
            "固定资产": 0.02 * spent <= r["fixed_assets"][0]["total"] <= 2 * spent,
        }
        if r["three_public"]:
            tp = sum(r["three_public"][0][f] or 0 for f in PARTS["three_public"][0][1])
            tp_totals.append(tp)
            checks["三公 ≤ 1%"] = tp <= 0.01 * spent
        out_of_range += [(name, r["report"]["fiscal_year"], what) for what, ok in checks.items() if not ok]
    assert not out_of_range, out_of_range[:20]
    zeros = sum(t == 0 for t in tp_totals)
    assert zeros >= 0.05 * len(tp_totals), (zeros, len(tp_totals))   # some units spend nothing on 三公


def test_year_on_year_spending_is_smooth(demo_corpus):
    records = _records(demo_corpus)
    unit_of = _unit_of(records)
    spending: dict[str, dict[int, float]] = {}
    for r in records:
        spending.setdefault(unit_of[r["source"]["file_name"]], {})[r["report"]["fiscal_year"]] = \
            _total(r["expenditure"][0], "expenditure")
    changes = [(code, year, by_year[year] / by_year[year - 1] - 1)
               for code, by_year in spending.items() for year in by_year if year - 1 in by_year]
    assert len(changes) > 180
    assert all(-0.30 <= c <= 0.35 for _, _, c in changes), [c for c in changes if not -0.30 <= c[2] <= 0.35]
    smooth = sum(abs(c) <= 0.15 for _, _, c in changes)
    assert smooth >= 0.85 * len(changes), (smooth, len(changes))
    # a merged unit starts about where the units it absorbed ended (merges have a new code)
    manifest = json.loads((demo_corpus / "manifest.json").read_text(encoding="utf-8"))
    by_name = {(r["report"]["unit_name"], r["report"]["fiscal_year"]): r["expenditure"][0]["total"] for r in records}
    for merge in manifest["merges"]:
        before = sum(by_name[(old, merge["from_year"] - 1)] for old in merge["old"])
        after = by_name[(merge["new"], merge["from_year"])]
        assert 0.75 <= after / before <= 1.3, (merge, before, after)


def test_scores_and_execution_rates(demo_corpus):
    records = _records(demo_corpus)
    scores = [r["report"]["self_score"] for r in records]
    assert all(70 <= s <= 100 for s in scores)
    assert sum(85 <= s <= 98 for s in scores) >= 0.8 * len(scores) and min(scores) < 85
    rates = [float(m.group(1)) for r in records for i in r["indicators"] if i["level2"] == "成本指标"
             for m in [re.fullmatch(r"完成预算的([\d.]+)%", i["actual_text"] or "")] if m]
    with_indicators = [r for r in records if r["indicators"]]   # a prose report has none
    assert len(rates) >= 0.9 * len(with_indicators)
    assert all(75 <= x <= 100 for x in rates) and sum(85 <= x <= 100 for x in rates) >= 0.85 * len(rates)


def test_only_the_planted_units_copy_last_years_text(demo_corpus):
    """"与上年报告文字雷同" is a credibility signal: in the demo it should point at
    the units planted to copy-paste (demo.data.COPY_PASTE_UNITS), not at
    everyone because the generator ran out of phrasings."""
    from demo.data import COPY_PASTE_UNITS, UNITS

    names = {u.key: u.name for u in UNITS}
    codes = {u.key: u.code for u in UNITS}
    records = _records(demo_corpus)
    unit_of = _unit_of(records)
    by_unit: dict[str, dict[int, str]] = {}
    for r in records:
        by_unit.setdefault(unit_of[r["source"]["file_name"]], {})[r["report"]["fiscal_year"]] = \
            r["narrative"]["improvements"]
    repeats = {code for code, years in by_unit.items() for y in years
               if y - 1 in years and years[y] and years[y] == years[y - 1]}
    assert repeats == {codes[k] for k in COPY_PASTE_UNITS}, [names[k] for k in COPY_PASTE_UNITS]


# --- the prose family ---------------------------------------------------------

def test_a_share_of_the_district_reports_in_prose(demo_corpus):
    """About 9% of the documents are Hunan prose reports (.txt and .docx), spread
    over units and years, never the real seed, none carrying a planted mess."""
    manifest = json.loads((demo_corpus / "manifest.json").read_text(encoding="utf-8"))
    expected = _expected(demo_corpus)
    prose = [d for d in manifest["documents"] if d["template"] == PROSE]
    assert 0.08 <= len(prose) / len(expected) <= 0.10, len(prose)
    assert {d["format"] for d in prose} == {"txt", "docx"}
    assert {d["year"] for d in prose} == set(range(2019, 2025))
    assert len({d["unit"] for d in prose}) == len(prose)                   # one per unit
    assert len({d["prose_layout"] for d in prose}) == 4
    for d in prose:
        record = expected[d["file"]]
        assert record["source"]["template"] == PROSE and record["source"]["demo"] is True
        assert not d["inconsistencies"] and d["indicator_layout"] is None
        assert record["report"]["budget_code"] is None and record["indicators"] == []
        # the title leads with the district, so the region stays the district's
        assert record["report"]["unit_name"].startswith("岳阳市云溪区") and record["report"]["region"] == "岳阳市云溪区"
    others = {(r["source"]["file_name"], r["source"]["template"]) for r in expected.values()}
    assert {t for _, t in others} == {PROSE, "yueyang-yunxi-2022"}


def test_a_unit_with_a_prose_year_stays_one_unit(demo_corpus, demo_db):
    """A prose report has no 预算编码 and titles the unit with the region in front
    ("岳阳市云溪区信访局"): the query layer joins it to the coded years of the same
    name, so the unit keeps one row with all its years."""
    records = _records(demo_corpus)
    unit_of = _unit_of(records)
    years: dict[str, set] = {}
    for r in records:
        years.setdefault(unit_of[r["source"]["file_name"]], set()).add(r["report"]["fiscal_year"])
    prose = [r for r in records if r["source"]["template"] == PROSE]
    units = queries.run("units", demo_db)
    # every report counted once, and no unit made of prose years alone (it would have no code)
    assert units["reports"].sum() == len(records) and units["budget_code"].notna().all()
    for r in prose:
        code = unit_of[r["source"]["file_name"]]
        (row,) = units[units["budget_code"] == code].itertuples()
        assert row.reports == len(years[code]), (r["report"]["unit_name"], row)
        assert (row.first_year, row.last_year) == (min(years[code]), max(years[code]))
        named = {row.unit_name, *(row.names_used if row.names_used is not None else [])}
        assert r["report"]["unit_name"] in named


def test_the_demo_carries_its_own_copy_of_the_seed():
    # run.sh builds the demo on a machine that may not have ../shared: the copy must stay the original
    from demo.generate import SEED_FILE, SEED_RECORD
    from tests.material import SHARED_SEED, SHARED_SEED_EXPECTED, need_shared
    assert SEED_FILE.read_bytes() == need_shared(SHARED_SEED).read_bytes()
    assert SEED_RECORD.read_bytes() == need_shared(SHARED_SEED_EXPECTED).read_bytes()
