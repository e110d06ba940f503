"""Shared fixtures: paths to the shared material, and the databases the page
and query tests run against."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "yunxi-2022-labor-inspection-brigade.txt"
SEED_EXPECTED = SHARED / "spec" / "examples" / "yunxi-2022-labor-inspection-brigade.json"
SCHEMA = SHARED / "spec" / "report-record.schema.json"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SHARED / "tools"))


@pytest.fixture(scope="session")
def seed_expected() -> dict:
    return json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def record_schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_corpus(tmp_path_factory) -> Path:
    """The demo district's documents and expected records, generated once per run."""
    from demo.generate import generate

    out = tmp_path_factory.mktemp("demo-corpus")
    generate(out, seed=0)
    return out


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, demo_corpus) -> Path:
    """A DuckDB built from the demo corpus through the real ETL (extract + load)."""
    from etl.config import Limits
    from etl.load import load_paths

    db = tmp_path_factory.mktemp("demo-db") / "reports.duckdb"
    summary = load_paths([demo_corpus], db, Limits(), progress=False)
    assert not summary.failures, summary.failures
    return db


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory) -> Path:
    """A database with the schema and no reports."""
    from etl.load import open_db

    db = tmp_path_factory.mktemp("empty-db") / "reports.duckdb"
    open_db(db).close()
    return db


# The fast inner loop: `./test.sh -m "not slow"` leaves out what builds the demo corpus, starts
# LibreOffice or a browser. Marked here by what a test uses, so a new test is marked the same way.
_SLOW_FIXTURES = {"demo_corpus", "demo_db", "office", "office_files", "browser"}
_SLOW_MODULES = {"test_e2e", "test_demo"}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: builds the demo corpus, runs LibreOffice or a browser")


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        needs_office = any("LibreOffice" in str(m.kwargs.get("reason", "")) for m in item.iter_markers("skipif"))
        if module in _SLOW_MODULES or needs_office or _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
