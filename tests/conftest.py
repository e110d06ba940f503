"""Shared fixtures: the seed's record, the record schema, and the databases the page
and query tests run against (paths: tests/material.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import material


@pytest.fixture(scope="session")
def seed_expected() -> dict:
    return json.loads(material.SEED_EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def record_validator():
    """The spec's JSON schema as one validator (`.validate(record)`), built once: building it
    per record, as jsonschema.validate does, costs ~30 ms a call."""
    import jsonschema

    schema = material.record_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


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
    from etl.load import load_files

    db = tmp_path_factory.mktemp("demo-db") / "reports.duckdb"
    summary = load_files([demo_corpus], db, Limits())
    assert not summary.failures, summary.failures
    return db


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory) -> Path:
    """A database with the schema and no reports."""
    from etl.db import open_db

    db = tmp_path_factory.mktemp("empty-db") / "reports.duckdb"
    open_db(db).close()
    return db


# The fast inner loop: `./test.sh -m "not slow"` leaves out what builds the demo corpus, starts
# LibreOffice or a browser. Marked here by what a test uses, so a new test is marked the same way;
# a test that waits out a time limit is marked where it is written (@pytest.mark.slow).
_SLOW_FIXTURES = {"demo_corpus", "demo_db", "office", "office_files", "browser"}
_SLOW_MODULES = {"test_e2e", "test_demo"}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: builds the demo corpus, runs LibreOffice or a browser, waits out a time limit")


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        needs_office = any("LibreOffice" in str(m.kwargs.get("reason", "")) for m in item.iter_markers("skipif"))
        if module in _SLOW_MODULES or needs_office or _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
