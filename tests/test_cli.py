"""`python -m etl ...` as the user runs it: JSON Lines out, one line per bad
file on stderr, exit status 1 when any file failed, and never a traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import duckdb
import pytest

from tests.material import ROOT, SEED, SEED_EXPECTED


def run(*args: str, code: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the CLI (or `code`, a script that ends by calling it) from the project root."""
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "etl", *args]
    env = dict(os.environ, PYTHONIOENCODING="ascii")  # records must come out UTF-8 regardless
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=timeout, env=env)
    proc.out = proc.stdout.decode("utf-8")
    proc.err = proc.stderr.decode("utf-8")
    assert "Traceback" not in proc.err, proc.err
    return proc


def test_extract_prints_the_seed_record_as_one_utf8_json_line():
    proc = run("extract", str(SEED))
    assert proc.returncode == 0, proc.err
    lines = proc.out.splitlines()
    assert len(lines) == 1
    assert "云溪区劳动和社会保障监察大队" in lines[0]  # not \\u-escaped
    record = json.loads(lines[0])
    expected = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))
    assert record["report"]["unit_name"] == expected["report"]["unit_name"]
    assert record["report"]["fiscal_year"] == 2022
    assert record["source"]["sha256"] == expected["source"]["sha256"]
    assert record["income"][0]["carryover"] is None  # blank stays null
    assert proc.err == ""


def test_extract_reports_each_bad_file_and_goes_on(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    notzip = tmp_path / "fake.docx"
    notzip.write_text("not a zip", encoding="utf-8")
    missing = tmp_path / "missing.pdf"
    proc = run("extract", str(empty), str(SEED), str(notzip), str(missing))
    assert proc.returncode == 1
    assert len(proc.out.splitlines()) == 1 and json.loads(proc.out)["report"]["budget_code"] == "125002"
    err = proc.err.splitlines()
    assert err == [f"{empty}：空文件：文件没有任何内容",
                   f"{notzip}：不是有效的 Word 文档（.docx）：文件不是 zip 压缩包，可能已损坏或扩展名有误",
                   f"{missing}：文件或文件夹不存在"]


def test_load_summary_failures_and_exit_status(tmp_path):
    db = tmp_path / "new" / "reports.duckdb"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "seed.json").write_bytes(SEED_EXPECTED.read_bytes())  # skipped, as beside demo documents
    (folder / "poem.txt").write_text("静夜思\n床前明月光，疑是地上霜。\n", encoding="utf-8")
    big = folder / "big.txt"
    big.write_bytes(SEED.read_bytes() + b" " * 2 * 1024 * 1024)

    proc = run("load", str(folder), "--db", str(db), "--max-file-mb", "1")
    assert proc.returncode == 1
    assert proc.out.splitlines() == ["已导入 1 份，替换 0 份，未变 0 份，失败 2 份"]
    assert proc.err.splitlines() == [
        f"  {big}：文件过大：2.0 MB，超过上限 1 MB",
        f"  {folder / 'poem.txt'}：不是绩效自评报告：未找到“部门（单位）名称”"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select unit_name, fiscal_year from reports").fetchall() == [
            ("云溪区劳动和社会保障监察大队", 2022)]
        assert con.execute("select file_name, status from load_log order by log_id").fetchall() == [
            ("big.txt", "failed"), ("poem.txt", "failed"), ("seed.txt", "loaded")]

    again = run("load", str(folder / "seed.txt"), "--db", str(db))
    assert again.returncode == 0, again.err
    assert again.out.splitlines() == ["已导入 0 份，替换 0 份，未变 1 份，失败 0 份"]
    assert again.err == ""

    quiet = run("load", str(folder / "seed.txt"), "--db", str(db), "--quiet")
    assert (quiet.returncode, quiet.out, quiet.err) == (0, "", "")


@pytest.mark.slow  # waits out a time limit
def test_load_stops_a_file_that_hangs(tmp_path):
    # A slow extractor stands in for an input that makes a reader loop.
    slow = tmp_path / "slow.txt"
    slow.write_bytes(SEED.read_bytes().replace(b"125002", b"900010"))
    code = textwrap.dedent("""
        import sys, time
        import etl.extract
        real = etl.extract.extract_bytes
        def slow(data, name, limits=None):
            if name.startswith("slow"):
                time.sleep(120)
            return real(data, name, limits)
        etl.extract.extract_bytes = slow
        sys.argv[0] = "etl"
        from etl.__main__ import _run
        sys.exit(_run())
    """)
    db = tmp_path / "r.duckdb"
    proc = run("load", str(slow), str(SEED), "--db", str(db), "--timeout", "1", code=code, timeout=60)
    assert proc.returncode == 1
    assert proc.err.splitlines() == [f"  {slow}：处理超时（超过 1 秒），已中止"]
    assert proc.out.startswith("已导入 1 份，")


def test_a_database_in_use_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("ETL_DB_WAIT_S", "1")  # how long the loader waits for the file (etl.load._connect_for_writing)
    db = tmp_path / "busy.duckdb"
    holder = duckdb.connect(str(db))  # DuckDB allows one writing process per file
    try:
        proc = run("load", str(SEED), "--db", str(db))
    finally:
        holder.close()
    assert proc.returncode == 2
    assert proc.err.startswith(f"错误：无法打开数据库 {db}：正被另一个程序使用")
    assert len(proc.err.splitlines()) == 1


@pytest.mark.parametrize("args", [[], ["nonsense"], ["load"], ["extract", "--bogus", "x"]])
def test_bad_usage_is_a_usage_message(args):
    proc = run(*args)
    assert proc.returncode == 2
    assert "usage:" in proc.err


def test_demo_is_delegated_without_a_traceback(tmp_path):
    proc = run("demo", "--help")
    assert proc.returncode == 0, proc.err
    assert proc.out.startswith("usage: python -m etl demo") and "--seed" in proc.out


def test_the_demo_package_runs_on_its_own():
    proc = subprocess.run([sys.executable, "-m", "demo", "--help"], cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert proc.stdout.decode("utf-8").startswith("usage: python -m demo")


def test_two_machines_extract_and_one_writer_loads_their_records(tmp_path):
    """The record JSON Lines seam: two `etl extract` runs (two machines' shares of the files)
    and one `etl load --records` of both give the database a direct `etl load` of the same
    files gives: every table, the originals, and the load log (failures by name too)."""
    import io
    import zipfile

    from tests.test_load import LOG_COLUMNS, other_unit, revised, snapshot

    seed = SEED.read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    files = []
    for name, text in [("a.txt", seed), ("b.txt", other_unit(seed, "900001")), ("c.txt", revised(seed)),
                       ("d.txt", "静夜思\n床前明月光。\n")]:
        (folder / name).write_text(text, encoding="utf-8")
        files.append(folder / name)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("e.txt", other_unit(seed, "900002"))
    (folder / "f.zip").write_bytes(buf.getvalue())
    files += [folder / "f.zip", tmp_path / "missing.txt"]

    direct = tmp_path / "direct.duckdb"
    proc = run("load", *map(str, files), "--db", str(direct), "--quiet")
    assert proc.returncode == 1, proc.err

    parts = []
    for k, share in enumerate([files[:3], files[3:]]):
        proc = run("extract", "--with-failures", *map(str, share))
        part = tmp_path / f"machine-{k}.jsonl"
        part.write_bytes(proc.stdout)
        parts.append(part)
    lines = [json.loads(line) for p in parts for line in p.read_text(encoding="utf-8").splitlines()]
    assert [line["source"]["path"] if "source" in line else line["failed"]["path"] for line in lines] == [
        str(files[0]), str(files[1]), str(files[2]), str(files[3]), f"{files[4]}/e.txt", str(files[5])]

    seam = tmp_path / "seam.duckdb"
    proc = run("load", "--records", *map(str, parts), "--db", str(seam))
    assert proc.returncode == 1
    assert proc.out.splitlines() == ["已导入 3 份，替换 1 份，未变 0 份，失败 2 份"]
    assert snapshot(seam) == snapshot(direct)
    assert len(snapshot(seam)["documents"]) == 4  # the originals too, the archive member's included
    with duckdb.connect(str(direct), read_only=True) as a, duckdb.connect(str(seam), read_only=True) as b:
        query = f"select {LOG_COLUMNS} from load_log order by log_id"
        assert b.execute(query).fetchall() == a.execute(query).fetchall()

    # Again from stdin: b and e are unchanged; a and c (one unit-year) replace each other again.
    again = subprocess.run([sys.executable, "-m", "etl", "load", "--records", "-", "--db", str(seam)],
                           cwd=ROOT, input=parts[0].read_bytes() + parts[1].read_bytes(), capture_output=True)
    assert again.stdout.decode("utf-8").splitlines() == ["已导入 0 份，替换 2 份，未变 2 份，失败 2 份"]
