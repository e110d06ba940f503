"""Query-layer speed on scaled databases, with a pandas cross-check of a few queries.

    .venv/bin/python benchmarks/query_bench.py [--sizes 10000 100000] [--runs 15] [--keep DIR]

Builds synthetic DuckDB databases of N reports (benchmarks/builder.py: records
written straight into the schema as bulk DataFrame inserts, no documents; 10
fiscal years, N/10 units, ~15 indicators, 10 narrative sections, money tables
with org rows, cases for a third of the units), then runs every query of the
catalog with no filter (the whole database: the worst case) and with one year
selected (what a page usually asks) and, for the stored listings
(queries.stored_queries()), with one sector selected, and prints median and
p95 wall time per query; for the stored listings also the time of the same
call running the SQL live (use_stored=False), i.e. without the rows refresh
stored. Target: every query ≤ 100 ms median at 100,000 reports.

A sanity check, not the guarantee of the figures (that is the hand-computed
values of tests/test_query_values.py and tests/test_queries.py): four queries
(PANDAS: budget_execution, spending_structure, staff_control,
complaints_by_channel) are recomputed with pandas straight from the frames
the database was built from, for all years and for the latest year, and
compared with queries.run(...) on the columns the twin computes, by the key
columns in KEYS: numbers within 0.005, NULL == NaN, booleans equal. The twins
rely on what the synthetic data is (one region, one report per unit and
year, no aliases, no budget figures in the indicators): they are not
the SQL's semantics in general. pd_base, run once outside the timing like
queries.refresh, takes each report's 汇总 money row and stated rate; a twin's
time ("pandas ms", median of max(3, runs // 3) runs) covers the rest. Column
"same" says 是, or 否 with the number of rows missing on one side or
differing (否 列 when a column is missing or the twin failed); a summary
line closes the run.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import queries  # noqa: E402
from builder import YEARS, build  # noqa: E402



def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = 134217729.0 * a  # Veltkamp: a = hi + lo exactly, each with 26 significant bits
    hi = c - (c - a)
    return hi, a - hi


def sql_round(x, digits: int = 2):
    """DuckDB's round(double, digits): the exact binary value rounded to
    `digits` decimals, half away from zero (round(171.045, 2) = 171.04, as
    171.045 is 171.04499… in binary; numpy gives 171.05, or rounds ties to even)."""
    index = x.index if isinstance(x, pd.Series) else None
    v = (x.astype("float64").to_numpy() if index is not None else np.asarray(x, dtype="float64"))
    m = 10.0 ** digits
    p = v * m
    (ah, al), (bh, bl) = _split(v), _split(np.float64(m))
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # v * m == p + err exactly (Dekker)
    a = np.abs(p)
    whole = np.floor(a)
    frac = a - whole
    up = (frac > 0.5) | ((frac == 0.5) & (err * np.sign(p) >= 0))
    out = np.copysign(whole + up, p) / m
    return pd.Series(out, index=index) if index is not None else out


def nullif0(s: pd.Series) -> pd.Series:
    return s.where(s != 0)


def pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    """round(part / nullif(whole, 0) * 100, 2)"""
    return sql_round(part / nullif0(whole) * 100)


# ---- the pandas twins ---------------------------------------------------------

def pd_base(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per report: year, unit, staff, the 汇总 rows of income and
    expenditure, the stated rate (the first % indicator whose text speaks of 预算)."""
    r = frames["reports"].set_index("report_id")[["fiscal_year", "unit_key", "staff_quota", "staff_actual"]]
    income = frames["income"].query("org == '汇总'").set_index("report_id")["total"].rename("income_total")
    exp = frames["expenditure"].query("org == '汇总'").set_index("report_id")
    exp = exp[["total", "basic", "personnel", "public", "project"]].rename(columns={"total": "expenditure_total"})
    ind = frames["indicators"]
    stated = ind[ind["actual_unit"].eq("%") & ind["actual_value"].notna()
                 & ind["actual_text"].str.contains("预算", regex=False).fillna(False).astype(bool)]
    stated = stated.sort_values(["report_id", "row_no"]).drop_duplicates("report_id").set_index("report_id")
    return r.join(income).join(exp).join(stated["actual_value"].rename("stated_rate")).reset_index()


def in_scope(base: pd.DataFrame, year: int | None) -> pd.DataFrame:
    return base if year is None else base[base["fiscal_year"] == year]


def pd_budget_execution(base: pd.DataFrame, frames: dict, year: int | None) -> pd.DataFrame:
    r = in_scope(base, year)
    rate_vs_income = pct(r["expenditure_total"], r["income_total"])  # no budget figure: 支出÷收入 is the computed rate
    return pd.DataFrame({
        "report_id": r["report_id"], "income_total": r["income_total"], "expenditure_total": r["expenditure_total"],
        "stated_rate": r["stated_rate"], "rate_vs_income": rate_vs_income,
        "execution_rate": r["stated_rate"].fillna(rate_vs_income),
        "stated_minus_computed": sql_round(r["stated_rate"] - rate_vs_income)})


def pd_spending_structure(base: pd.DataFrame, frames: dict, year: int | None) -> pd.DataFrame:
    r = in_scope(base, year)
    parts = ["personnel", "public", "project", "basic"]
    return r[["report_id", "expenditure_total", *parts]].assign(
        **{f"{c}_share": pct(r[c], r["expenditure_total"]) for c in parts})


def pd_staff_control(base: pd.DataFrame, frames: dict, year: int | None) -> pd.DataFrame:
    r = in_scope(base, year)
    quota, actual = r["staff_quota"].astype("float64"), r["staff_actual"].astype("float64")
    return pd.DataFrame({"report_id": r["report_id"], "control_rate": pct(actual, quota),
                         "excess": actual - quota, "over_quota": actual > quota})


def pd_complaints_by_channel(base: pd.DataFrame, frames: dict, year: int | None) -> pd.DataFrame:
    """Per year and channel the cases of every report, a stated total above the
    channels' sum adding the difference as 'unattributed'; shares of the year."""
    c = frames["cases"].merge(base[["report_id", "fiscal_year", "unit_key"]], on="report_id")
    is_total = c["channel"].eq("total")
    parts = c[~is_total]
    rest = (c[is_total].set_index(["report_id", "category"])["count"]
            - parts.groupby(["report_id", "category"])["count"].sum()).rename("count")
    rest = rest[rest > 0].reset_index().merge(base[["report_id", "fiscal_year", "unit_key"]], on="report_id")
    rows = pd.concat([parts, rest.assign(channel="unattributed")], ignore_index=True)
    g = rows.groupby(["fiscal_year", "channel"])
    cur = pd.DataFrame({"cases": g["count"].sum(),
                        "units": rows[rows["count"] > 0].groupby(["fiscal_year", "channel"])["unit_key"].nunique()})
    cur = cur.fillna({"units": 0}).reset_index()
    cur["share_pct"] = sql_round(cur["cases"] / cur.groupby("fiscal_year")["cases"].transform("sum") * 100)
    prev = cur[["fiscal_year", "channel", "cases"]].assign(fiscal_year=cur["fiscal_year"] + 1)
    out = cur.merge(prev.rename(columns={"cases": "prev_cases"}), on=["fiscal_year", "channel"], how="left")
    out["change"] = out["cases"] - out["prev_cases"]
    out["change_pct"] = pct(out["change"], out["prev_cases"])
    return out if year is None else out[out["fiscal_year"] == year]


PANDAS = {"budget_execution": pd_budget_execution, "spending_structure": pd_spending_structure,
          "staff_control": pd_staff_control, "complaints_by_channel": pd_complaints_by_channel}
KEYS = {"budget_execution": ["report_id"], "spending_structure": ["report_id"], "staff_control": ["report_id"],
        "complaints_by_channel": ["fiscal_year", "channel"]}


# ---- comparing a twin's result with the query's ------------------------------

TOLERANCE = 0.005


@dataclass
class Comparison:
    rows: int = 0  # rows missing on either side or with a differing value
    columns_ok: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return self.rows == 0 and self.columns_ok

    def label(self) -> str:
        if self.same:
            return "是"
        return f"否 {self.rows}" if self.columns_ok else "否 列"


def _plain(value):
    """A cell as a comparable Python value: NULL/NaN/NA -> None, lists -> sorted tuples."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(sorted(_plain(v) for v in value))
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _keyed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The frame indexed by its key tuples (a repeated key gets its occurrence number)."""
    index = list(zip(*[[_plain(v) for v in frame[k].tolist()] for k in keys]))
    out = frame.set_axis(pd.Index(index, tupleize_cols=False, dtype="object"))
    if out.index.has_duplicates:
        order = frame.astype(str).apply(tuple, axis=1).argsort(kind="stable")
        out = out.iloc[order]
        seq = out.groupby(level=0, sort=False).cumcount().tolist()
        out = out.set_axis(pd.Index([(*k, n) for k, n in zip(out.index, seq)], tupleize_cols=False, dtype="object"))
    return out


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    numeric = [pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) for s in (a, b)]
    if any(numeric):
        try:
            x, y = (pd.to_numeric(s.astype("object"), errors="raise").astype("float64") for s in (a, b))
        except (TypeError, ValueError):
            pass
        else:
            nx, ny = x.isna(), y.isna()
            return (nx != ny) | (~nx & ~ny & ((x - y).abs() > TOLERANCE))
    return pd.Series([_plain(u) != _plain(v) for u, v in zip(a.tolist(), b.tolist())], index=a.index)


def compare(sql: pd.DataFrame, twin: pd.DataFrame, keys: list[str]) -> Comparison:
    """Same rows (keys) and the same values in every column the twin computes."""
    result = Comparison()
    missing = [c for c in twin.columns if c not in sql.columns]
    if missing:
        result.columns_ok = False
        result.notes.append(f"columns of the twin missing from the query: {missing}")
    a, b = _keyed(sql, keys), _keyed(twin, keys)
    only_sql, only_pd = a.index.difference(b.index), b.index.difference(a.index)
    for side, only in (("SQL", only_sql), ("pandas", only_pd)):
        if len(only):
            result.notes.append(f"{len(only)} rows only in {side}, e.g. {keys} = {list(only[:3])}")
    common = a.index.intersection(b.index)
    a, b = a.loc[common], b.loc[common]
    bad = pd.Series(False, index=common)
    for col in [c for c in twin.columns if c in sql.columns and c not in keys]:
        diff = _differs(a[col], b[col])
        if diff.any():
            k = diff[diff].index[0]
            result.notes.append(f"{col}: {int(diff.sum())} rows, e.g. {keys} = {k}: "
                                f"SQL {_plain(a.at[k, col])!r}, pandas {_plain(b.at[k, col])!r}")
            bad |= diff
    result.rows = len(only_sql) + len(only_pd) + int(bad.sum())
    return result


def check(name: str, con, base: pd.DataFrame, frames: dict, year: int | None) -> Comparison:
    """queries.run(name) against its twin for one year (or all)."""
    params = {} if year is None else {"years": [year]}
    try:
        return compare(queries.run(name, con, **params), PANDAS[name](base, frames, year), KEYS[name])
    except Exception as exc:  # noqa: BLE001 - a twin that fails is a difference to report, not the end of the run
        return Comparison(rows=-1, columns_ok=False, notes=[f"{type(exc).__name__}: {exc}"])


# ---- the run -----------------------------------------------------------------

def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95



@dataclass
class Line:
    name: str
    scope: str
    rows: int
    median: float
    p95: float
    live: float | None = None
    pandas: float | None = None
    comparison: Comparison | None = None


def bench(path: Path, frames: dict, base: pd.DataFrame, runs: int) -> list[Line]:
    con = duckdb.connect(str(path), read_only=True)
    year = YEARS[-1]
    one_unit = frames["reports"]["unit_key"].iloc[0]
    stored = {query.name for query in queries.stored_queries()}
    lines = []
    for entry in queries.catalog():
        name = entry["name"]
        declared = {p["name"] for p in entry["params"]}
        cases = [("全部", {})]
        if "years" in declared:
            cases.append((f"{year}年", {"years": [year]}))
        if name in stored:
            cases.append(("一个行业", {"sectors": ["社会保障和就业"]}))  # 15% of the reports
        if name.startswith("unit_") or name in ("report_details",):
            cases = [("一个单位", {"units": [one_unit]})]
        if name == "document_content":
            cases = [("一个文件", {"sha256": "sha1"})]
        for label, params in cases:
            n_rows = len(queries.run(name, con, **params))
            med, p95 = timed(partial(queries.run, name, con, **params), runs)
            line = Line(name, label, n_rows, med, p95)
            twin = PANDAS.get(name)
            if twin is not None and set(params) <= {"years"}:  # the twins take one year or all
                y = params.get("years", [None])[0]
                line.pandas, _ = timed(partial(twin, base, frames, y), max(3, runs // 3))
                line.comparison = check(name, con, base, frames, y)
            if name in stored and queries.stored_sql(name, params) is not None:
                line.live, _ = timed(partial(queries.run, name, con, use_stored=False, **params), max(3, runs // 3))
            lines.append(line)
    con.close()
    return lines


def print_lines(lines: list[Line]) -> None:
    print(f"{'query':<24} {'scope':<6} {'rows':>7} {'median ms':>10} {'p95 ms':>8} {'live ms':>8} "
          f"{'pandas ms':>10} {'pandas/duckdb':>14}  same")
    for x in lines:
        live = f"{x.live:8.1f}" if x.live is not None else f"{'—':>8}"
        pandas_ms = f"{x.pandas:10.1f}" if x.pandas is not None else f"{'—':>10}"
        ratio = f"{x.pandas / x.median:13.2f}x" if x.pandas is not None else f"{'—':>14}"
        same = x.comparison.label() if x.comparison else "—"
        flag = "  > 100 ms" if x.median > 100 else ""
        print(f"{x.name:<24} {x.scope:<6} {x.rows:>7} {x.median:10.1f} {x.p95:8.1f} {live} {pandas_ms} {ratio}  "
              f"{same}{flag}")
        if x.comparison and not x.comparison.same:
            for note in x.comparison.notes[:4]:
                print(f"{'':>8}{note}")


def summary(lines: list[Line]) -> str:
    compared = [x for x in lines if x.comparison]
    differ = [f"{x.name} ({x.scope}: {x.comparison.label()})" for x in compared if not x.comparison.same]
    text = f"pandas cross-check: {len(compared) - len(differ)} of {len(compared)} query × scope results the same"
    return text + ("; differing: " + ", ".join(differ) if differ else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="keep the databases in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="query_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    worst, summaries = {}, []
    for n in args.sizes:
        path = folder / f"bench_{n}.duckdb"
        t0 = time.perf_counter()
        frames = build(path, n)
        refresh_s = frames.pop("_refresh_s")
        built_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        base = pd_base(frames)
        base_s = time.perf_counter() - t0
        print(f"\n== {n:,} reports: built {path.name} in {built_s:.1f} s, queries.refresh {refresh_s:.1f} s, "
              f"pd_base {base_s:.1f} s "
              f"({len(frames['indicators']):,} indicators, {len(frames['narratives']):,} narrative sections)")
        print(f"load average before timing: {os.getloadavg()[0]:.1f}")
        lines = bench(path, frames, base, args.runs)
        print_lines(lines)
        worst[n] = max(x.median for x in lines)
        summaries.append(f"{n:,} reports: {summary(lines)}")
        if not args.keep:
            path.unlink(missing_ok=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (2 cores, shared with other work)")
    print("slowest median per size: " + ", ".join(f"{n:,}: {ms:.1f} ms" for n, ms in worst.items()))
    print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
