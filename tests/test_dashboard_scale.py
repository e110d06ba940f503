"""What keeps the dashboard small at 100,000 reports (issue #14): the result cache (ui/data.py
`_ResultCache`: one copy per result for every session, bounded in bytes and time, nothing kept
from a file that has changed) and the sampled charts of one point per unit. The table's row cap
is tested on a page (tests/test_pages.py)."""
from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd

from ui.data import _ResultCache

MB = 2**20


def frame(n_mb: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(int(n_mb * MB / 8), dtype="float64")})


def test_every_caller_shares_one_copy_and_a_change_stays_with_its_caller():
    cache, calls = _ResultCache(10 * MB, 60), []
    compute = lambda: calls.append(1) or frame()  # noqa: E731
    a = cache.get(("db", (1, 2), "q", ()), compute)
    b = cache.get(("db", (1, 2), "q", ()), compute)
    assert len(calls) == 1 and np.shares_memory(a["x"].to_numpy(), b["x"].to_numpy())
    a["y"] = 1.0
    a.loc[0, "x"] = -1.0
    c = cache.get(("db", (1, 2), "q", ()), compute)
    assert list(c.columns) == ["x"] and c.loc[0, "x"] == 0.0


def test_the_least_recently_used_go_first_when_the_budget_is_passed():
    cache = _ResultCache(3.5 * MB, 60)
    for name in "abc":
        cache.get(("db", (1,), name, ()), frame)
    cache.get(("db", (1,), "a", ()), frame)  # a is used again: b is now the oldest
    cache.get(("db", (1,), "d", ()), frame)
    kept = {k[2] for k in cache._frames}
    assert kept == {"a", "c", "d"} and cache.size <= 3.5 * MB


def test_a_result_larger_than_half_the_budget_is_served_but_not_kept():
    cache = _ResultCache(3 * MB, 60)
    assert len(cache.get(("db", (1,), "big", ()), lambda: frame(2))) == 2 * MB // 8
    assert cache.size == 0


def test_results_expire_and_a_changed_file_drops_its_old_results():
    cache, calls = _ResultCache(10 * MB, 0.05), []
    compute = lambda: calls.append(1) or frame(0.01)  # noqa: E731
    v1, v2 = ("file-v1", "wal"), ("file-v2", "wal")  # ui.data._stamp: the file's and its WAL's part
    cache.get(("db", v1, "q", ()), compute)
    time.sleep(0.08)
    cache.get(("db", v1, "q", ()), compute)
    assert len(calls) == 2
    cache.get(("db", v1, "r", ()), compute)
    cache.get(("db", v2, "q", ()), compute)  # the file was written: v1 will not come back
    assert {k[1] for k in cache._frames} == {v2}
    # a query that also reads the review store adds its stamp: a new review drops only that query's results
    cache.get(("db", v2 + ("rev1",), "reviews", ()), compute)
    cache.get(("db", v2 + ("rev2",), "reviews", ()), compute)
    assert sorted(k[1] for k in cache._frames) == [v2, v2 + ("rev2",)]


def test_two_sessions_asking_at_once_compute_once():
    cache, calls, started = _ResultCache(10 * MB, 60), [], threading.Event()

    def slow():
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return frame(0.01)

    out = []
    threads = [threading.Thread(target=lambda: out.append(cache.get(("db", (1,), "q", ()), slow))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(out) == 4


def test_a_chart_of_many_units_draws_a_sample_with_every_flagged_point_and_says_so():
    from ui.components import sample_points

    df = pd.DataFrame({"unit_id": [f"u{i}" for i in range(5000)], "flag": [i % 100 == 0 for i in range(5000)]})
    drawn, note = sample_points(df, keep=df["flag"], limit=1000)
    assert len(drawn) == 1000 and drawn["flag"].sum() == 50 and drawn.index.is_monotonic_increasing
    assert note == "共 5,000 个点，图中随机画出 1,000 个（含全部 50 个有信号的点），分布形状不变；图下的下载CSV含全部 5,000 个。"
    again, _ = sample_points(df, keep=df["flag"], limit=1000)
    assert list(again.index) == list(drawn.index)  # the same points on every rerun
    assert sample_points(df.head(10))[1] is None and len(sample_points(df.head(10))[0]) == 10
