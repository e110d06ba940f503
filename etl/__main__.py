"""Command line: `python -m etl extract|load|demo ...`.

    python -m etl extract FILE... [--with-failures]   one JSON record per line on stdout
    python -m etl load PATH... [--db FILE] [--max-file-mb N] [--timeout S] [--quiet]
    python -m etl load --records FILE.jsonl... [--db FILE]   store extracted records (`-`: stdin)
    python -m etl demo ...               the demo district's documents (the `demo` package)

A file that cannot be read gets one line on stderr, `FILE：原因` (the reason in
Chinese, as everything this command says to its user), and the others go on;
the exit status is 1 when any file failed. No traceback ever reaches the user.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys

from etl.config import ARCHIVE_EXTENSIONS, DEFAULT_DB, REPORT_EXTENSIONS, Limits


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl",
                                     description="部门整体支出绩效自评报告 -> 数据：读取报告，导入 DuckDB 数据库。")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{extract,load,demo}")

    def limits_options(p):
        defaults = Limits()
        p.add_argument("--max-file-mb", type=float, metavar="N",
                       help=f"拒绝大于 N MB 的文件（默认 {defaults.max_file_mb:g}）")
        p.add_argument("--timeout", type=float, metavar="S",
                       help=f"每个文件最多处理 S 秒（默认 {defaults.timeout_s:g}）")
        p.add_argument("--workers", type=int, metavar="N", help="并行读取的进程数（默认每个 CPU 核一个）")

    p = sub.add_parser("extract", help="读取报告，每个文件输出一行 JSON 记录（JSON Lines），不入库")
    p.add_argument("files", nargs="+", metavar="FILE", help=f"报告文件（{' '.join(REPORT_EXTENSIONS)}）")
    p.add_argument("--with-failures", action="store_true",
                   help='无法读取的文件也输出一行 {"failed": …}，由 load --records 记入导入日志')
    limits_options(p)

    p = sub.add_parser("load", help="把文件、文件夹和 .zip 压缩包中的报告导入数据库")
    p.add_argument("paths", nargs="*", metavar="PATH", help="报告文件、文件夹或 .zip 压缩包")
    p.add_argument("--records", nargs="+", metavar="FILE",
                   help="改为导入 etl extract 输出的记录文件（JSON Lines，- 为标准输入），例如多台机器分别读取的结果")
    p.add_argument("--db", default=str(DEFAULT_DB), metavar="FILE",
                   help=f"DuckDB 数据库文件（默认 data/{DEFAULT_DB.name}）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条和汇总行；失败的文件仍会列出")
    limits_options(p)

    sub.add_parser("demo", help="生成演示区县的报告文件（详见 python -m etl demo --help）",
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
    from etl.load import extract_files
    from etl.records import record_line

    failed = 0
    out = sys.stdout
    for item in extract_files(args.files, _limits(args), workers=args.workers):
        if item.error is not None:
            failed += 1
            out.flush()
            print(f"{item.name}：{item.error}", file=sys.stderr, flush=True)
        line = record_line(item, with_failures=args.with_failures)
        if line is not None:
            out.write(line + "\n")
    out.flush()
    return 1 if failed else 0


def cmd_load(args) -> int:
    import getpass

    from etl.load import load_files

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = _progress_bar(total)
        if bar is not None:
            bar.update(1)

    try:
        if args.records:
            from etl.records import load_records
            summary = load_records(args.records, db=args.db, limits=_limits(args), loaded_by=getpass.getuser())
        else:
            summary = load_files(args.paths, db=args.db, limits=_limits(args), workers=args.workers,
                                 on_progress=None if args.quiet else progress, loaded_by=getpass.getuser())
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet:
        print(summary.line(), flush=True)
    if summary.loaded + summary.replaced + summary.unchanged + summary.failed == 0:
        print(f"未找到报告文件（支持 {' '.join(REPORT_EXTENSIONS + ARCHIVE_EXTENSIONS)}）", file=sys.stderr)
    for line in summary.failure_lines():
        print(line, file=sys.stderr)
    if summary.refresh_error:
        print(f"错误：{summary.refresh_error}", file=sys.stderr)
    return summary.exit_code


def _progress_bar(total: int):
    if total < 2:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True, leave=False,
                disable=not sys.stderr.isatty())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "demo":
        import demo   # test and demo data, not the production path: loaded only for this command

        return demo.main(argv[1:], prog="python -m etl demo") or 0
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "load" and bool(args.paths) == bool(args.records):
        parser.error("load：给出 PATH...，或 --records FILE.jsonl...（二选一）")
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
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `... | head`: the reader went away
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - the user gets one line, never a traceback
        from etl.document import one_line
        print(f"错误：{one_line(e)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(_run())
