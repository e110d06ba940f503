"""The loader against a seeded corpus of hostile and broken input (tests/fuzz.py, issue #11):
every input gets a row in load_log and at most one line of output, nothing crashes or spills,
no external entity is resolved."""
from __future__ import annotations

from tests.fuzz import load_corpus, make_corpus


def test_hostile_corpus_loads_cleanly(tmp_path):
    paths = make_corpus(tmp_path / "in", seed=7, mutations=3, table_rows=2000)
    verdict = load_corpus(tmp_path / "in", paths, tmp_path / "fuzz.duckdb", timeout_s=30)
    assert verdict.problems() == [], verdict.table()
    assert verdict.exit_code == 1            # some inputs failed, and the status says so
    assert verdict.loaded == 1               # the seed report, whichever copy came first
    assert verdict.failed_lines >= 40
