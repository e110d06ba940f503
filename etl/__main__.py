"""Command line: `python -m etl extract|load|demo ...`.

    python -m etl extract FILE...        one JSON record per line on stdout
    python -m etl load PATH... [--db FILE] [--max-file-mb N] [--timeout S] [--quiet]
    python -m etl demo ...               the demo district's documents (etl/demo.py)

A file that cannot be read gets one line on stderr, `FILE: reason`, and the
others go on; the exit status is 1 when any file failed. No traceback ever
reaches the user.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import sys

from etl.config import DEFAULT_DB, Limits


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl",
                                     description="自评报告 -> 数据: extract records, load them into DuckDB.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{extract,load,demo}")

    def limits_options(p):
        defaults = Limits()
        p.add_argument("--max-file-mb", type=float, metavar="N",
                       help=f"refuse files bigger than N MB (default {defaults.max_file_mb:g})")
        p.add_argument("--timeout", type=float, metavar="S",
                       help=f"seconds allowed per file (default {defaults.timeout_s:g})")
        p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")

    p = sub.add_parser("extract", help="print one JSON record per file (JSON Lines)")
    p.add_argument("files", nargs="+", metavar="FILE")
    limits_options(p)

    p = sub.add_parser("load", help="load files, folders and .zip archives into the database")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--db", default=str(DEFAULT_DB), metavar="FILE",
                   help=f"DuckDB file (default data/{DEFAULT_DB.name})")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary line; failures are still listed")
    limits_options(p)

    sub.add_parser("demo", help="generate the demo district's documents (see python -m etl demo --help)",
                   add_help=False)
    return parser


def _limits(args) -> Limits:
    changes = {}
    if args.max_file_mb is not None:
        changes["max_file_mb"] = args.max_file_mb
    if args.timeout is not None:
        changes["timeout_s"] = args.timeout
    return dataclasses.replace(Limits(), **changes)


def cmd_extract(args) -> int:
    from etl.isolate import ExtractPool, Task
    from etl.load import OpenArchives, iter_inputs, read_item

    limits = _limits(args)
    failed = 0

    def tasks():
        archives = OpenArchives()
        try:
            for item in iter_inputs(args.files, limits):
                if item.member is not None and item.error is None:
                    read_item(item, limits, archives)  # members travel as bytes; files by path
                task = Task(name=item.name, path=item.path, data=item.data, file_name=item.file_name, meta=item)
                task.extract = item.error is None
                yield task
        finally:
            archives.close()

    out = sys.stdout
    with ExtractPool(limits, workers=args.workers) as pool:
        for outcome in pool.map(tasks()):
            reason = outcome.task.meta.error or outcome.reason
            if reason is not None:
                failed += 1
                out.flush()
                print(f"{outcome.task.name}: {reason}", file=sys.stderr, flush=True)
            else:
                out.write(json.dumps(outcome.record, ensure_ascii=False) + "\n")
    out.flush()
    return 1 if failed else 0


def cmd_load(args) -> int:
    from etl.load import load_paths

    summary = load_paths(args.paths, db=args.db, limits=_limits(args), progress=not args.quiet,
                         workers=args.workers)
    if not args.quiet:
        print(summary.line(), flush=True)
    if summary.loaded + summary.replaced + summary.unchanged + summary.failed == 0:
        print("no report files found (looked for .docx .doc .pdf .txt .html .htm .zip)", file=sys.stderr)
    for line in summary.failure_lines():
        print(line, file=sys.stderr)
    return summary.exit_code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "demo":
        try:
            demo = importlib.import_module("etl.demo")
        except ModuleNotFoundError as e:
            if e.name != "etl.demo":
                raise
            raise SystemExit("error: the demo generator (etl/demo.py) is missing from this checkout") from None
        return demo.main(argv[1:]) or 0
    args = _parser().parse_args(argv)
    if args.command == "extract":
        return cmd_extract(args)
    return cmd_load(args)


def _run() -> int:
    # Stdout may be a pipe with a non-UTF-8 locale; records are UTF-8 always.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8", errors="replace")
        except (AttributeError, ValueError):
            pass
    try:
        return main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `... | head`: the reader went away
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - the user gets one line, never a traceback
        text = " ".join(str(e).split()) or type(e).__name__
        print(f"error: {text}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(_run())
