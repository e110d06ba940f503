"""The bureau's store: reviews with history and optimistic concurrency, one
transaction per save (a kill -9 leaves old or new), samples reproducible, accounts."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bureau import accounts, sampling, store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def bureau_db(tmp_path, monkeypatch):
    path = tmp_path / "b.duckdb"
    monkeypatch.setenv("BUREAU_DB", str(path))
    return path


def test_the_bureau_db_sits_beside_the_reports_db(tmp_path, monkeypatch):
    monkeypatch.delenv("BUREAU_DB", raising=False)
    monkeypatch.setenv("REPORTS_DB", str(tmp_path / "x.duckdb"))
    assert store.db_path() == tmp_path / "x-bureau.duckdb"


def test_every_save_is_a_new_version_and_the_latest_is_current(bureau_db):
    assert store.current_reviews().columns[:8].tolist() == store.REVIEW_COLUMNS
    store.save_review("U|1", 2024, seen_version=0, reviewer="a", score=80, grade="良", sha256="s1",
                      verdicts=[{"finding_key": "k1", "verdict": "误报", "note": "<b>x</b>"}])
    store.save_review("U|1", 2024, seen_version=1, reviewer="b", score="91.5", grade="优", sha256="s1")
    current = store.current_reviews(2024)
    assert len(current) == 1 and current.iloc[0]["review_score"] == 91.5 and current.iloc[0]["reviewer"] == "b"
    history = store.review_history("U|1", 2024)
    assert history["version"].tolist() == [2, 1]
    assert history.iloc[1]["verdicts"][0]["note"] == "<b>x</b>"  # stored as-is
    assert store.events()["action"].tolist() == ["复核", "复核"]


def test_a_save_over_a_newer_version_is_refused_and_writes_nothing(bureau_db):
    store.save_review("U|1", 2024, seen_version=0, reviewer="a", reviewer_display="张三", score=80)
    with pytest.raises(store.ReviewConflict, match="该报告已被张三于.*更新复核，请刷新后再保存"):
        store.save_review("U|1", 2024, seen_version=0, reviewer="b", score=70)
    assert len(store.review_history("U|1", 2024)) == 1


def test_a_score_of_130_gets_a_clear_message(bureau_db):
    for bad in ("130", -1, "abc"):
        with pytest.raises(store.BureauError, match="0–100"):
            store.save_review("U|1", 2024, seen_version=0, reviewer="a", score=bad)
    assert store.current_reviews().empty


def test_two_concurrent_saves_one_wins_one_is_told(bureau_db):
    results: list = []
    barrier = threading.Barrier(2)

    def save(who):
        barrier.wait()
        try:
            results.append(store.save_review("U|1", 2024, seen_version=0, reviewer=who, score=60))
        except store.ReviewConflict as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=save, args=(w,)) for w in ("a", "b")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(map(str, results))[0] == "1" and "请刷新后再保存" in str(sorted(map(str, results))[1])
    assert len(store.review_history("U|1", 2024)) == 1


def test_a_file_held_by_another_process_waits_then_says_so(bureau_db, monkeypatch):
    store.record_event("a", "登录", "看板")
    holder = subprocess.Popen([sys.executable, "-c",
                               f"import duckdb,time; c=duckdb.connect({str(bureau_db)!r}); print('ok', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        monkeypatch.setattr(store, "BUSY_WAIT_S", 0.5)
        with pytest.raises(store.BureauBusy, match="正被另一个程序使用"):
            store.record_event("a", "登录", "看板")
    finally:
        holder.kill()
        holder.wait()
    store.record_event("a", "登录", "看板")  # free again
    assert len(store.events()) == 2


KILL_SCRIPT = """
import sys
from bureau import store
v = 0
while True:
    v = store.save_review("U|1", 2024, seen_version=v, reviewer="a", score=50 + v % 50,
                          verdicts=[{"finding_key": f"k{i}", "verdict": "已核实"} for i in range(20)])
    print(v, flush=True)
"""


def test_kill_9_during_saves_leaves_whole_reviews_only(bureau_db):
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "BUREAU_DB": str(bureau_db), "PYTHONPATH": str(ROOT)})
    for _ in range(5):
        proc.stdout.readline()
    time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    con = duckdb.connect(str(bureau_db))
    torn = con.execute("""select count(*) from reviews r
                          where n_verdicts <> (select count(*) from finding_verdicts v where v.review_id = r.review_id)""").fetchone()[0]
    versions = con.execute("select count(*), max(version) from reviews").fetchone()
    con.close()
    assert torn == 0 and versions[0] == versions[1] >= 5
    assert store.save_review("U|1", 2024, seen_version=versions[1], reviewer="b", score=1) == versions[1] + 1


def _reports(n=40):
    return pd.DataFrame({"unit_key": [f"R|{i:03d}" for i in range(n)], "unit_name": [f"单位{i}" for i in range(n)],
                         "sector": ["教育", "卫生健康", "城乡社区", None] * (n // 4),
                         "mismatches": [i % 3 for i in range(n)], "notices": 0, "signals": [i % 2 for i in range(n)],
                         "high_score_low_execution": [i % 7 == 0 for i in range(n)],
                         "expenditure_total": [float(i * 10) for i in range(n)]})


@pytest.mark.parametrize("method", ["random", "risk"])
@pytest.mark.parametrize("stratified", [False, True])
def test_same_seed_same_reports_same_sample(method, stratified):
    reports = _reports()
    first = sampling.draw(reports, method=method, seed=20241207, count=8, stratified=stratified)
    shuffled = reports.sample(frac=1, random_state=3)  # row order does not matter
    again = sampling.draw(shuffled, method=method, seed=20241207, count=8, stratified=stratified)
    assert first["unit_key"].tolist() == again["unit_key"].tolist() and len(first) == 8
    other = sampling.draw(reports, method=method, seed=1, count=8, stratified=stratified)
    assert other["unit_key"].tolist() != first["unit_key"].tolist()
    if stratified:
        assert set(first["sector"]) == {"教育", "卫生健康", "城乡社区", "未分类"}


def test_a_share_and_the_risk_weights():
    reports = _reports()
    assert len(sampling.draw(reports, method="random", seed=1, share=0.1)) == 4
    w = sampling.risk_weights(reports)
    assert w.iloc[0] == 1 + 3  # 自评高而执行低
    assert w.iloc[39] == 1 + 2 * 0 + 1.5 + 2  # top decile of spending and one signal


def test_samples_are_saved_listed_and_members_follow_the_contract(bureau_db):
    members = sampling.draw(_reports(), method="random", seed=5, count=3)
    sid = store.save_sample(fiscal_year=2024, rule=sampling.rule_text("random", 5, count=3, size=3), method="random",
                            seed=5, stratified=False, drawn_by="a", members=members)
    listed = store.sample_members(2024)
    assert listed.columns[:9].tolist() == store.SAMPLE_COLUMNS
    assert listed["unit_key"].tolist() == members["unit_key"].tolist() and (listed["sample_id"] == sid).all()
    assert store.samples(2024).iloc[0]["rule"] == "随机抽取 3 个单位（种子 5）"


def test_accounts_add_user_passwd_and_sign_in(tmp_path):
    path = tmp_path / "accounts.toml"
    accounts.add_user("zhang", display="张三", role="绩效科", password="secret-123", path=path)
    accounts.add_user("dui", display="监察大队", role="单位", unit="125002", email="Dui@x.cn", path=path)
    assert "secret-123" not in path.read_text(encoding="utf-8") and "$argon2id$" in path.read_text(encoding="utf-8")
    assert accounts.authenticate("zhang", "secret-123", path).role == "绩效科"
    assert accounts.authenticate("zhang", "wrong", path) is None
    assert accounts.authenticate("dui", "", path) is None
    accounts.set_password("dui", "another-pw", path)
    user = accounts.authenticate("dui", "another-pw", path)
    assert user.unit_key == "125002" and accounts.by_email("dui@x.cn", path) == user
    with pytest.raises(accounts.AccountError):
        accounts.add_user("x", display="x", role="单位", path=path)  # a 单位 without its unit


def test_the_cli_writes_the_hash(tmp_path):
    path = tmp_path / "a.toml"
    script = ("import getpass, sys; getpass.getpass = lambda prompt='': 'pass-word-1'; from bureau.__main__ import main;"
              f"sys.exit(main(['--file', {str(path)!r}, 'add-user', 'li', '--display', '李四', '--role', '领导']))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert accounts.authenticate("li", "pass-word-1", path).display == "李四"
