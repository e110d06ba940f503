"""Command line over the query layer: the same figures the dashboard shows.

    python -m queries --list
    python -m queries NAME [--db FILE] [--year 2022]... [--year-from Y] [--year-to Y]
                           [--unit CODE]... [--sector S]... [--data-kind real|demo|all]
                           [--param KEY=VALUE]... [--format csv|json] [--output FILE]
    python -m queries --markdown          the catalog as Markdown (for queries/README.md)
    python -m queries --refresh [--full] [--db FILE]  bring the derived q_* tables up to date: only
                                          what the reports loaded since need, or all of them
                                          (edited data/*.csv or scripts, or --full)

CSV has the Chinese column labels and a UTF-8 BOM so Excel opens it right;
JSON keeps the column names, one object per row.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import pandas as pd

import queries


def _list() -> str:
    lines = []
    for q in queries.catalog():
        params = ", ".join(p["name"] for p in q["params"]) or "—"
        lines.append(f"{q['name']:<26} {q['group']:<6} {q['title']}  [{params}]")
    return "\n".join(lines)


def _markdown() -> str:
    out = []
    group = None
    for q in queries.catalog():
        if q["group"] != group:
            group = q["group"]
            out.append(f"\n### {group}\n")
        common = [p["name"] for p in q["params"] if p["name"] in queries.COMMON_PARAMS]
        own = [p for p in q["params"] if p["name"] not in queries.COMMON_PARAMS]
        params = []
        if set(queries.FILTERS) <= set(common):
            params.append("filters")
        else:
            params += common
        params += [f"{p['name']} ({p['type']}{', default ' + str(p['default']) if p['default'] is not None else ''}: {p['label']})"
                   for p in own]
        out.append(f"**`{q['name']}`** — {q['title']}. {q['description'].splitlines()[0] if q['description'] else ''}  ")
        out.append(f"params: {', '.join(params) or '—'}  ")
        out.append("columns: " + ", ".join(f"`{c['name']}` {c['label']}" for c in q["columns"]) + "\n")
    return "\n".join(out).lstrip("\n") + "\n"


def _param(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"--param wants KEY=VALUE, not {text!r}")
    items = [v for v in value.split(",")] if "," in value else value
    return key.strip(), items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m queries", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="?", help="query name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the queries")
    parser.add_argument("--markdown", action="store_true", help="print the catalog as Markdown")
    parser.add_argument("--refresh", action="store_true",
                        help="bring the derived q_* tables in the database up to date (opens it for writing)")
    parser.add_argument("--full", action="store_true", help="with --refresh: rebuild them all")
    parser.add_argument("--db", type=Path, default=None, help="DuckDB file (default data/reports.duckdb)")
    parser.add_argument("--year", type=int, action="append", dest="years", help="fiscal year (repeatable)")
    parser.add_argument("--year-from", type=int)
    parser.add_argument("--year-to", type=int)
    parser.add_argument("--unit", action="append", dest="units", help="unit id, budget code or name (repeatable)")
    parser.add_argument("--sector", action="append", dest="sectors", help="sector (repeatable)")
    parser.add_argument("--data-kind", choices=["real", "demo", "all"])
    parser.add_argument("--param", type=_param, action="append", default=[],
                        help="another parameter of the query, KEY=VALUE (comma-separated for lists)")
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--output", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)

    if args.list:
        print(_list())
        return 0
    if args.markdown:
        sys.stdout.write(_markdown())
        return 0
    if args.refresh:
        path = args.db or queries.DEFAULT_DB
        if not Path(path).is_file():
            print(f"error: no database at {path}", file=sys.stderr)
            return 2
        con = duckdb.connect(str(path))
        try:
            mode = queries.refresh(con, full=args.full)
        finally:
            con.close()
        print(f"refreshed {path} ({mode})")
        return 0
    if not args.name:
        parser.error("give a query name, or --list")
    try:
        query = queries.get(args.name)
    except KeyError:
        parser.error(f"unknown query {args.name!r}; see --list")

    params: dict[str, object] = {
        "years": args.years, "year_from": args.year_from, "year_to": args.year_to,
        "units": args.units, "sectors": args.sectors, "data_kind": args.data_kind,
    }
    params.update(dict(args.param))
    try:
        frame = queries.run(args.name, args.db, **params)
    except (TypeError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    if args.format == "csv":
        labels = {n: label for n, label, _ in query.columns}
        data = _for_csv(frame).rename(columns=labels).to_csv(index=False).encode("utf-8-sig")
    else:
        data = _to_json(frame).encode("utf-8")
    if args.output:
        args.output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists as "a、b", booleans as 是/否, file contents left out; blanks stay empty."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == bool or str(values.dtype) == "boolean":
            out[col] = values.map(lambda v: None if v is pd.NA or v is None else ("是" if v else "否"))
        elif values.dtype == object:
            def cell(v: object) -> object:
                if isinstance(v, (bytes, bytearray, memoryview)):
                    return None
                if hasattr(v, "tolist") and not isinstance(v, str):
                    v = v.tolist()
                if isinstance(v, list):
                    return "、".join(str(x) for x in v)
                return v
            out[col] = values.map(cell)
    return out


def _to_json(frame: pd.DataFrame) -> str:
    def clean(value: object) -> object:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return None  # file contents are not exported as JSON
        if hasattr(value, "tolist"):
            value = value.tolist()
        if isinstance(value, float) and value != value:
            return None
        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        return value
    rows = [{k: clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
    return json.dumps(rows, ensure_ascii=False, default=str, indent=1) + "\n"


if __name__ == "__main__":
    sys.exit(main())
